"""Fields and warnings of a whole crawl: fixture blogs beside the real saved blogs, one run.

    python bench/fields.py                   # every fixture blog and every snapshot in ../shared/corpus
    python bench/fields.py --no-corpus       # the fixture blogs only

Each blog is crawled once by `blogarchive crawl` (images off) into a fresh archive;
the table says how many posts were stored, how many have a title, a date and labels,
how many got their title or date only from weak evidence (a heading or the <title>;
the address or htmldate), and the crawl's warnings by kind (crawls.warnings). The
fixtures: Hugo (XMin-style) and Pelican ("simple") blogs with no structured data,
the same made to lack a title, a date, a text and with a <title> naming another post
("gaps"), a Hugo blog without its feed, and an Awesome Inc. Blogger blog with no
labels line (with and without its feed).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402
from benchlib import BLOGARCHIVE, FAST, run_measured  # noqa: E402

CORPUS = benchlib.ROOT.parent / "shared" / "corpus"
WEAK_TITLE = ("h1", "title-tag")
WEAK_DATE = ("permalink", "htmldate")


def measure(name: str, url: str, db: Path) -> dict:
    run = run_measured([*BLOGARCHIVE, "crawl", url, "--db", str(db), "--images", "none", "--quiet", *FAST],
                       cwd=benchlib.ROOT)
    row = {"blog": name, "rc": run.returncode, "wall_s": round(run.wall, 1)}
    con = sqlite3.connect(db)
    try:
        posts = con.execute("SELECT title, published, labels, sources FROM posts").fetchall()
        warnings = con.execute("SELECT warnings FROM crawls ORDER BY id DESC").fetchone()[0]
    finally:
        con.close()
    sources = [json.loads(s or "{}") for *_, s in posts]
    row.update(
        posts=len(posts),
        titled=sum(1 for t, *_ in posts if t),
        dated=sum(1 for _, p, *_ in posts if p),
        labelled=sum(1 for _, _, labels, _ in posts if json.loads(labels or "[]")),
        weak_title=sum(1 for s in sources if s.get("title", "") in ("", *WEAK_TITLE)),
        weak_date=sum(1 for s in sources if s.get("published", "").startswith(WEAK_DATE) or not s.get("published")),
        warnings={k: v["count"] for k, v in json.loads(warnings or "{}").items()},
    )
    return row


def fixture_rows(workdir: Path, only: str = "") -> list[dict]:
    from scraper.sample import make_blog
    from scraper.sample.generators import GeneratorServer, make_generator_blog
    from scraper.sample.server import BlogServer

    rows = []
    for name, make in (
        ("hugo", lambda: make_generator_blog("hugo", n_posts=40)),
        ("pelican", lambda: make_generator_blog("pelican", n_posts=40)),
        ("hugo gaps", lambda: make_generator_blog("hugo", n_posts=40, gaps=True)),
        ("pelican gaps", lambda: make_generator_blog("pelican", n_posts=40, gaps=True)),
    ):
        if only not in name:
            continue
        blog = make()
        with GeneratorServer(blog) as server:
            rows.append(measure(name, server.url, workdir / f"{name.replace(' ', '-')}.db"))
    blog = make_generator_blog("hugo", n_posts=40)
    blog.feed = False
    if only in "hugo, no feed":
        with GeneratorServer(blog) as server:
            rows.append(measure("hugo, no feed", server.url, workdir / "hugo-nofeed.db"))
    for name, knobs in (("awesome inc.", {}), ("awesome inc., no feed", {"feed_enabled": False})):
        if only not in name:
            continue
        blog = make_blog("awesome", n_posts=40, seed=5, locale="fr", images=False, **knobs)
        with BlogServer(blog) as server:
            rows.append(measure(name, server.url, workdir / f"awesome{len(knobs)}.db"))
    return rows


def corpus_rows(workdir: Path) -> list[dict]:
    rows = []
    sites = CORPUS / "sites"
    if not sites.is_dir():
        print(f"no corpus at {sites}: real blogs not measured")
        return rows
    for root in sorted(p for p in sites.iterdir() if p.is_dir()):
        port = benchlib.free_port()
        server = subprocess.Popen([sys.executable, str(CORPUS / "serve_mirror.py"), "--root", str(root),
                                   "--host", root.name, "--port", str(port), "--strip-param", "m",
                                   "--strip-param", "showComment"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            benchlib.wait_port("127.0.0.1", port, timeout=30)
            rows.append(measure(root.name, f"http://127.0.0.1:{port}/", workdir / f"{root.name}.db"))
        finally:
            server.terminate()
            server.wait(10)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--only", default="", help="fixture blogs whose name holds this (implies --no-corpus)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(benchlib.ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="bench-fields-"))
    rows = fixture_rows(workdir, args.only) + ([] if args.no_corpus or args.only else corpus_rows(workdir))
    columns = ["blog", "rc", "posts", "titled", "dated", "labelled", "weak_title", "weak_date", "warnings",
               "wall_s"]
    for row in rows:
        row["warnings"] = ", ".join(f"{k} {v}" for k, v in sorted(row["warnings"].items())) or "-"
    print(benchlib.table(rows, columns))
    print(f"load: {benchlib.load_average()}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
