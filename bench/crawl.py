"""Full crawls of fixture blogs: blogarchive vs a bare Scrapy spider vs `wget --mirror`, in one run.

    python bench/make_site.py build --posts 1000  --out /tmp/site-1k
    python bench/make_site.py build --posts 10000 --out /tmp/site-10k
    python bench/crawl.py /tmp/site-1k /tmp/site-10k --repeat 2 --images-run
    python bench/live_site.py make --posts 100000 --out /tmp/live-100k   # no pages on disk
    python bench/crawl.py /tmp/live-100k --no-server-measure

For each site (served by nginx, or --server python; a site of live_site.py by its own
renderer, in a process of its own, and without wget): the server alone (wrk),
then per repetition, in turn: blogarchive (images off, concurrency 16), the
bare spider over exactly the URLs blogarchive asked for, `wget --mirror`.
Wall time, posts/s, CPU ms per post, requests per post, bytes, peak RSS of the
process tree; ratios blogarchive/bare and blogarchive/wget; the memory ratio
between the largest and the smallest site. --images-run adds one crawl with
images kept in the database (--images db) per site. Writes --json FILE too.

Noisy machine (2 cores, other jobs): repeat, and read the medians.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# bench/ must not come first on sys.path: a script there named like a package would shadow it. Appended instead, for `import benchlib`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]
import benchlib  # noqa: E402
from benchlib import BLOGARCHIVE, FAST, PYTHON, Site, median, run_measured  # noqa: E402

BARE = str(Path(__file__).resolve().parent / "bare_spider.py")
SCRAPER_PATH = ""  # --scraper-path: crawl with a patched copy of the project (A/B of a fix)


def traffic(rows: list, port: int) -> dict:
    blog = [r for r in rows if r[0] == port]
    return {"requests": len(blog), "bytes": sum(r[2] for r in blog),
            "not_200": sorted({f"{r[1]} {r[3]}" for r in blog if r[1] != 200})[:10],
            "all_requests": len(rows), "all_bytes": sum(r[2] for r in rows)}


def crawl_blogarchive(site: Site, server, workdir: Path, images: str = "none", extra=(), label: str = "") -> dict:
    db = workdir / f"archive-{images.replace(':', '_')}.db"
    for f in workdir.glob(db.name + "*"):  # the archive, its -wal/-shm and its .warc folder
        shutil.rmtree(f) if f.is_dir() else f.unlink()
    mark = server.mark()
    cpu0 = server.cpu_seconds() if hasattr(server, "cpu_seconds") else 0.0
    env = None
    if SCRAPER_PATH:
        env = {**os.environ, "PYTHONPATH": SCRAPER_PATH}
    run = run_measured([*BLOGARCHIVE, "crawl", site.url, "--db", str(db), "--images", images, "--quiet",
                        *FAST, *extra], cwd=SCRAPER_PATH or benchlib.ROOT, env=env)
    log = server.since(mark)
    cpu1 = server.cpu_seconds() if hasattr(server, "cpu_seconds") else 0.0
    if run.returncode != 0:
        print(f"blogarchive exited {run.returncode}:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}", file=sys.stderr)
    con = sqlite3.connect(db)
    posts = con.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    duration = con.execute("SELECT duration_s FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0]
    images_saved = con.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM images").fetchone()
    con.close()
    db_size = sum(f.stat().st_size for f in workdir.glob(db.name + "*") if f.is_file())
    warc_size = sum(f.stat().st_size for f in workdir.glob(db.name + ".warc/**/*") if f.is_file())
    urls = [f"http://{benchlib.BLOG_HOST}:{r[0]}{r[3]}" if r[0] == site.port
            else f"http://{benchlib.IMAGE_HOST}:{r[0]}{r[3]}" for r in log]
    t = traffic(log, site.port)
    posts_paths = site.post_paths()
    post_html = sum(r[2] for r in log if r[0] == site.port and r[1] == 200 and r[3] in posts_paths)
    return {"tool": "blogarchive" + (f" {label}" if label else "") + ("" if images == "none" else f" (images {images})"),
            "rc": run.returncode, "wall_s": run.wall, "crawl_s": duration, "cpu_s": run.cpu,
            "peak_rss_mb": run.peak_rss_mb, "maxrss_mb": run.maxrss_mb, "posts": posts,
            "images": images_saved[0], "image_bytes": images_saved[1], "db_bytes": db_size, "warc_bytes": warc_size,
            "server_cpu_s": cpu1 - cpu0, "post_html_bytes": post_html, **t, "_urls": urls}


def crawl_bare(site: Site, server, workdir: Path, urls: list, parse: bool = False) -> dict:
    listing = workdir / "urls.txt"
    # robots.txt is fetched by Scrapy's middleware itself, as in the real crawl.
    listing.write_text("\n".join(u for u in urls if not u.endswith("/robots.txt")) + "\n")
    mark = server.mark()
    cpu0 = server.cpu_seconds() if hasattr(server, "cpu_seconds") else 0.0
    run = run_measured([PYTHON, BARE, str(listing), *FAST, *(["--parse"] if parse else [])], cwd=benchlib.ROOT)
    cpu1 = server.cpu_seconds() if hasattr(server, "cpu_seconds") else 0.0
    if run.returncode != 0:
        print(f"bare spider exited {run.returncode}:\n{run.stderr[-3000:]}", file=sys.stderr)
    return {"tool": "bare scrapy" + (" + lxml" if parse else ""), "rc": run.returncode, "wall_s": run.wall,
            "cpu_s": run.cpu, "peak_rss_mb": run.peak_rss_mb, "maxrss_mb": run.maxrss_mb,
            "server_cpu_s": cpu1 - cpu0, **traffic(server.since(mark), site.port)}


def crawl_wget(site: Site, server, workdir: Path) -> dict | None:
    wget = shutil.which("wget")
    if not wget:
        return None
    out = workdir / "wget"
    shutil.rmtree(out, ignore_errors=True)
    mark = server.mark()
    cpu0 = server.cpu_seconds() if hasattr(server, "cpu_seconds") else 0.0
    run = run_measured([wget, "--mirror", "-nv", "-P", str(out), site.url])
    cpu1 = server.cpu_seconds() if hasattr(server, "cpu_seconds") else 0.0
    log = server.since(mark)
    post_paths = site.post_paths()
    got = {r[3] for r in log if r[0] == site.port and r[1] == 200}
    disk = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    shutil.rmtree(out, ignore_errors=True)
    return {"tool": "wget --mirror", "rc": run.returncode, "wall_s": run.wall, "cpu_s": run.cpu,
            "peak_rss_mb": run.peak_rss_mb, "maxrss_mb": run.maxrss_mb,
            "posts": len(post_paths & got), "disk_bytes": disk, "server_cpu_s": cpu1 - cpu0,
            **traffic(log, site.port)}


def bench_site(site: Site, args, workdir: Path) -> dict:
    n = site.manifest["posts"]
    print(f"\n== {site.root} — {n} posts, {site.manifest['pages']} page files; load {benchlib.load_average()}",
          flush=True)
    result = {"posts": n, "site": site.manifest, "runs": [], "raw_post_html_bytes": raw_post_html(site)}
    with benchlib.serve(site, args.server) as server:
        if not args.no_server_measure:
            from make_site import measure_running
            result["server_alone"] = measure_running(site, server, seconds=args.server_seconds)
            print("server alone:", json.dumps(result["server_alone"]), flush=True)
        for rep in range(args.repeat):
            for label, extra in args.variant or [("", [])]:
                ours = crawl_blogarchive(site, server, workdir, extra=[*args.set_extra, *extra], label=label)
                urls = ours.pop("_urls")
                result["raw_post_html_bytes"] = result["raw_post_html_bytes"] or ours["post_html_bytes"]
                result["runs"].append(ours)
                _show(ours, n)
            if not args.no_bare:
                bare = crawl_bare(site, server, workdir, urls)
                result["runs"].append(bare)
                _show(bare, n)
                if args.bare_parse and rep == 0:
                    bare_p = crawl_bare(site, server, workdir, urls, parse=True)
                    result["runs"].append(bare_p)
                    _show(bare_p, n)
            # a site rendered on the fly has a million pages for wget at 100k posts
            if not args.no_wget and not site.manifest.get("live") and (rep == 0 or args.wget_every_repeat):
                w = crawl_wget(site, server, workdir)
                if w:
                    result["runs"].append(w)
                    _show(w, n)
        if args.images_run:
            img = crawl_blogarchive(site, server, workdir, images="db", extra=args.set_extra)
            img.pop("_urls")
            result["runs"].append(img)
            _show(img, n)
    result["summary"] = summarise(result["runs"], n)
    return result


def raw_post_html(site: Site) -> int | None:
    """Bytes of the post pages as served (each post once, no ?m=1 or ?showComment= copy); for a
    site rendered on the fly (bench/live_site.py), counted from the crawl's own requests."""
    if site.manifest.get("live"):
        return None
    files = (benchlib.page_file(site.root, path, "", "html") for path in site.post_paths())
    return sum(f.stat().st_size for f in files if f.exists())


def _show(row: dict, n: int) -> None:
    print(f"  {row['tool']:28} rc={row['rc']} wall {row['wall_s']:.1f}s  {n / row['wall_s']:.0f} posts/s  "
          f"cpu {row['cpu_s'] * 1000 / n:.1f} ms/post  requests {row['requests']}  "
          f"{row['bytes'] / 1e6:.1f} MB  peak RSS {row['peak_rss_mb']:.0f} MB"
          + (f"  posts {row['posts']}" if "posts" in row else "")
          + (f"  not 200: {row['not_200']}" if row.get("not_200") else ""), flush=True)


def summarise(runs: list, n: int) -> dict:
    by_tool: dict = {}
    for r in runs:
        by_tool.setdefault(r["tool"], []).append(r)
    summary = {}
    for tool, rows in by_tool.items():
        summary[tool] = {
            "runs": len(rows),
            "wall_s": median([r["wall_s"] for r in rows]),
            "wall_s_all": [round(r["wall_s"], 2) for r in rows],
            "posts_per_s": n / median([r["wall_s"] for r in rows]),
            "cpu_ms_per_post": median([r["cpu_s"] for r in rows]) * 1000 / n,
            "requests": median([r["requests"] for r in rows]),
            "requests_per_post": median([r["requests"] for r in rows]) / n,
            "MB": median([r["bytes"] for r in rows]) / 1e6,
            # The sampled peak of the process tree. Not the kernel's ru_maxrss: Linux carries
            # the parent's peak over fork and exec, so every tool would show this script's size.
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rows),
            "server_cpu_s": median([r.get("server_cpu_s", 0.0) for r in rows]),
        }
        if "crawl_s" in rows[0]:
            summary[tool]["crawl_s"] = median([r["crawl_s"] for r in rows])
            summary[tool]["db_MB"] = median([r["db_bytes"] for r in rows]) / 1e6
            summary[tool]["warc_MB"] = median([r["warc_bytes"] for r in rows]) / 1e6
            summary[tool]["posts_saved"] = min(r["posts"] for r in rows)
    bare, wget = summary.get("bare scrapy"), summary.get("wget --mirror")
    for tool in [t for t in summary if t.startswith("blogarchive") and "(images" not in t]:
        ours, suffix = summary[tool], tool.removeprefix("blogarchive")  # " LABEL" for a --variant
        if bare:
            summary["ratio_vs_bare" + suffix] = {"wall": ours["wall_s"] / bare["wall_s"],
                                                 "cpu": ours["cpu_ms_per_post"] / bare["cpu_ms_per_post"]}
        if wget:
            summary["ratio_vs_wget" + suffix] = {"wall": ours["wall_s"] / wget["wall_s"],
                                                 "requests": ours["requests"] / wget["requests"],
                                                 "bytes": ours["MB"] / wget["MB"]}
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", type=Path, help="sites written by make_site.py build")
    parser.add_argument("--build", default="", help="build sites of these sizes first, e.g. 1000,10000")
    parser.add_argument("--workdir", type=Path, default=None, help="where built sites and archives go")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--server", default="auto", choices=["auto", "nginx", "python"])
    parser.add_argument("--server-seconds", type=int, default=8)
    parser.add_argument("--no-server-measure", action="store_true")
    parser.add_argument("--no-bare", action="store_true")
    parser.add_argument("--bare-parse", action="store_true", help="also a bare spider that parses HTML")
    parser.add_argument("--no-wget", action="store_true")
    parser.add_argument("--wget-every-repeat", action="store_true")
    parser.add_argument("--images-run", action="store_true", help="one more crawl with --images db")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every blogarchive crawl (-s NAME=VALUE)")
    parser.add_argument("--variant", action="append", default=[], metavar="LABEL:NAME=VALUE[,NAME=VALUE]",
                        help="crawl with these settings too, under this label, in turn with the others in "
                             "every repetition (e.g. w0:BLOGARCHIVE_PARSE_WORKERS=0 w1:BLOGARCHIVE_PARSE_WORKERS=1)")
    parser.add_argument("--scraper-path", default="",
                        help="a copy of the project to crawl with instead (PYTHONPATH), to measure a fix")
    args = parser.parse_args(argv)
    args.set_extra = [x for pair in args.settings for x in ("-s", pair)]
    variants = []
    for spec in args.variant:
        label, _, pairs = spec.partition(":")
        variants.append((label, [x for pair in pairs.split(",") if pair for x in ("-s", pair)]))
    args.variant = variants
    global SCRAPER_PATH
    SCRAPER_PATH = str(Path(args.scraper_path).resolve()) if args.scraper_path else ""
    # Bytecode written now, as an install writes it: with PYTHONDONTWRITEBYTECODE set, a copy
    # never run before was compiled from source at every crawl's start (~0.1 s of CPU counted
    # against blogarchive only; Scrapy and the bare spider's imports come compiled).
    compileall.compile_dir(Path(SCRAPER_PATH or benchlib.ROOT) / "scraper", quiet=1)

    own = args.workdir is None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sites = [Site.load(p) for p in args.sites]
    try:
        if args.build:
            from make_site import build
            for size in [int(x) for x in args.build.split(",") if x]:
                sites.append(build(workdir / f"site-{size}", size, images=args.images_run, quiet=True))
        if not sites:
            parser.error("give sites, or --build SIZES")
        results = {"load_before": benchlib.load_average(), "sites": []}
        for site in sites:
            results["sites"].append(bench_site(site, args, workdir))
        results["load_after"] = benchlib.load_average()
        report(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
        ok = all(f.get("posts_saved") == s["posts"] for s in results["sites"]
                 for tool, f in s["summary"].items() if tool.startswith("blogarchive"))
        return 0 if ok else 1
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def report(results: dict) -> None:
    rows = []
    for s in results["sites"]:
        for tool, f in s["summary"].items():
            if tool.startswith("ratio"):
                continue
            rows.append({"posts": s["posts"], "tool": tool, "runs": f["runs"], "wall s": f["wall_s"],
                         "posts/s": f["posts_per_s"], "CPU ms/post": f["cpu_ms_per_post"],
                         "req/post": f["requests_per_post"], "MB": f["MB"], "peak RSS MB": f["peak_rss_mb"],
                         "server CPU s": f["server_cpu_s"], "saved": f.get("posts_saved", "")})
    print("\n" + benchlib.table(rows, ["posts", "tool", "runs", "wall s", "posts/s", "CPU ms/post", "req/post",
                                     "MB", "peak RSS MB", "server CPU s", "saved"]))
    for s in results["sites"]:
        summ = s["summary"]
        for key in [k for k in summ if k.startswith("ratio_vs_bare")]:
            r = summ[key]
            print(f"{s['posts']} posts: blogarchive{key.removeprefix('ratio_vs_bare')} / bare spider: "
                  f"wall {r['wall']:.2f}x, CPU {r['cpu']:.2f}x  (target <= 2.5)")
        for key in [k for k in summ if k.startswith("ratio_vs_wget")]:
            r = summ[key]
            print(f"{s['posts']} posts: blogarchive{key.removeprefix('ratio_vs_wget')} / wget --mirror: "
                  f"wall {r['wall']:.2f}x, requests {r['requests']:.2f}x, bytes {r['bytes']:.2f}x  (target < 1 each)")
        ours = summ.get("blogarchive")
        if ours and s.get("raw_post_html_bytes"):
            raw = s["raw_post_html_bytes"] / 1e6
            print(f"{s['posts']} posts: archive {ours['db_MB']:.1f} MB / raw post HTML {raw:.1f} MB = "
                  f"{ours['db_MB'] / raw:.2f}  (target <= 0.36; WARC files beside it: {ours['warc_MB']:.1f} MB)")
        if ours:
            # crawls.duration_s comes from second-resolution timestamps: a tiny site can read 0
            inside = (f"{s['posts'] / ours['crawl_s']:.0f} posts/s inside the crawl"
                      if ours["crawl_s"] else "under a second inside the crawl")
            print(f"{s['posts']} posts: {ours['posts_per_s']:.0f} posts/s over the whole process "
                  f"({inside})  (target >= 150)")
    peaks = [(s["posts"], s["summary"]["blogarchive"]["peak_rss_mb"]) for s in results["sites"]
             if "blogarchive" in s["summary"]]
    if len(peaks) >= 2:
        peaks.sort()
        print(f"memory: peak RSS at {peaks[-1][0]} posts / at {peaks[0][0]} posts = "
              f"{peaks[-1][1]:.0f} / {peaks[0][1]:.0f} MB = {peaks[-1][1] / peaks[0][1]:.2f}  (target <= 1.2)")
    print(f"load average before {results['load_before']}, after {results['load_after']}")


if __name__ == "__main__":
    sys.exit(main())
