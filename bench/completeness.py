"""Completeness on real blogs: post pages found / post pages saved, blogarchive vs `wget --mirror`.

    python bench/completeness.py                       # every snapshot in ../shared/corpus/sites
    python bench/completeness.py --sites jorgeelconstructor.blogspot.com

Each snapshot is served by ../shared/corpus/serve_mirror.py (its original host
mapped to 127.0.0.1, `?m=1` answered with the plain page) and crawled once by
`blogarchive crawl` (images off, concurrency 16) and once by `wget --mirror`.
"Saved" = post pages the snapshot holds (the most a crawler can find there;
a few may be linked from nowhere). blogarchive finds a post when it is stored
in the archive; wget when it downloaded the page (any of its URL forms).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402
from benchlib import BLOGARCHIVE, FAST, run_measured  # noqa: E402

CORPUS = benchlib.ROOT.parent / "shared" / "corpus"
BLOGGER_POST = re.compile(r"^/\d{4}/\d{2}/[^/?]+\.html$")
WORDPRESS_POST = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/?]+/$")


def saved_posts(root: Path) -> tuple[set, str]:
    """Post paths the snapshot holds, and the platform its layout says."""
    blogger, wordpress = set(), set()
    for f in root.rglob("*"):
        if not f.is_file():
            continue
        rel = "/" + f.relative_to(root).as_posix()
        if BLOGGER_POST.match(rel) and not rel.endswith("/index.html"):  # month pages saved as index.html
            blogger.add(rel)
        elif rel.endswith("/index.html") and WORDPRESS_POST.match(rel[: -len("index.html")]):
            wordpress.add(rel[: -len("index.html")])
    return (blogger, "blogger") if len(blogger) >= len(wordpress) else (wordpress, "wordpress")


def post_path(url_path: str, platform: str) -> str | None:
    path = unquote(urlsplit(url_path).path)
    if path.endswith("/index.html"):  # links rewritten by the mirroring tool (wget -k)
        path = path[: -len("index.html")]
        if platform == "blogger":
            return None
    if platform == "wordpress" and not path.endswith("/"):
        path += "/"
    pattern = BLOGGER_POST if platform == "blogger" else WORDPRESS_POST
    return path if pattern.match(path) else None


def bench_site(root: Path, workdir: Path) -> dict:
    host = root.name
    saved, platform = saved_posts(root)
    port = benchlib.free_port()
    log = workdir / f"{host}.requests"
    server = subprocess.Popen([sys.executable, str(CORPUS / "serve_mirror.py"), "--root", str(root), "--host", host,
                               "--port", str(port), "--strip-param", "m", "--log-requests", str(log)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    result = {"site": host, "platform": platform, "saved": len(saved)}
    try:
        benchlib.wait_port("127.0.0.1", port, timeout=30)
        # blogarchive
        db = workdir / f"{host}.db"
        mark = _lines(log)
        run = run_measured([*BLOGARCHIVE, "crawl", url, "--db", str(db), "--images", "none", "--quiet", *FAST],
                           cwd=benchlib.ROOT)
        requests = _requests(log, mark)
        stored = set()
        if db.exists():
            con = sqlite3.connect(db)
            try:
                stored = {p for (u,) in con.execute("SELECT url FROM posts") if (p := post_path(u, platform))}
            except sqlite3.OperationalError:
                pass
            con.close()
        result["blogarchive"] = {"found": len(stored & saved), "stored": len(stored), "rc": run.returncode,
                                 "requests": len(requests), "wall_s": round(run.wall, 1),
                                 "missed": sorted(saved - stored)[:5], "last_line": run.stdout.strip()[-300:]}
        # wget --mirror
        if shutil.which("wget"):
            out = workdir / f"wget-{host}"
            mark = _lines(log)
            run = run_measured(["wget", "--mirror", "-nv", "-P", str(out), url])
            requests = _requests(log, mark)
            got = {p for status, path in requests if status == 200 and (p := post_path(path, platform))}
            result["wget"] = {"found": len(got & saved), "requests": len(requests), "rc": run.returncode,
                              "wall_s": round(run.wall, 1), "missed": sorted(saved - got)[:5]}
            shutil.rmtree(out, ignore_errors=True)
    finally:
        server.terminate()
        server.wait(10)
    return result


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8", errors="replace").splitlines()) if path.exists() else 0


def _requests(path: Path, mark: int) -> list:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[mark:]:
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1].isdigit():
            rows.append((int(parts[1]), parts[2]))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--sites", nargs="*", help="folder names under sites/ (default: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sites_dir = args.corpus / "sites"
    if not sites_dir.is_dir():
        print(f"no corpus at {sites_dir}: nothing to measure")
        return 0
    names = args.sites or sorted(p.name for p in sites_dir.iterdir() if p.is_dir())
    workdir = Path(tempfile.mkdtemp(prefix="bench-complete-"))
    results = []
    try:
        for name in names:
            results.append(bench_site(sites_dir / name, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rows = []
    for r in results:
        for tool in ("blogarchive", "wget"):
            if tool in r:
                t = r[tool]
                rows.append({"site": r["site"], "platform": r["platform"], "tool": tool,
                             "found/saved": f"{t['found']}/{r['saved']}",
                             "share": t["found"] / r["saved"] if r["saved"] else float("nan"),
                             "requests": t["requests"], "wall s": t["wall_s"], "exit": t["rc"],
                             "first missed": " ".join(t["missed"][:2])})
    print(benchlib.table(rows, list(rows[0])) if rows else "no sites")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
