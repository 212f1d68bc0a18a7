"""Datasette latency over a big archive: full-text search and the label facet (median, p95).

    python bench/datasette_latency.py --posts 100000 --db /tmp/archive-100k.db    # builds it if missing
    python bench/datasette_latency.py --db existing.db --requests 60

The archive is built with store.save_post (FTS on) from the sample blog's
model (bench/store.py --source sample), unless --db already exists. Then it
is published twice, one after the other: as `blogarchive serve` publishes it
(the project's metadata.yml: default facets, plugins, templates, mutable) and
as a bare `datasette -i` (no metadata) for comparison. Requests are sequential,
after a warm-up; targets: search < 100 ms, label facet < 250 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402

SEARCHES = ["harbour", "Tromsø", "ceasefire", "night train", '"peace talks"', "Gdańsk AND ferry", "quay*"]
# {facet}: the label facet each setup offers (the project's `list` facet reads only
# the labels column; Datasette's own `array` facet copies whole rows to de-duplicate).
QUERIES = {
    "search": [f"/{{db}}/posts.json?_search={urllib.request.quote(q)}" for q in SEARCHES],
    "search, _nofacet=1": [f"/{{db}}/posts.json?_search={urllib.request.quote(q)}&_nofacet=1" for q in SEARCHES],
    "label facet": ["/{db}/posts.json?{facet}=labels"],
    "year facet": ["/{db}/posts.json?_facet_year=published"],
    "search + label facet": [f"/{{db}}/posts.json?_search={urllib.request.quote(q)}&{{facet}}=labels"
                             for q in SEARCHES[:3]],
    "posts page (HTML)": ["/{db}/posts"],
}
# The project's reader search page (snippets, comments, label counts); not in bare Datasette.
PROJECT_QUERIES = {
    "search page /-/search": [f"/-/search?q={urllib.request.quote(q)}" for q in SEARCHES],
    "search page, newest first": [f"/-/search?q={urllib.request.quote(q)}&sort=newest" for q in SEARCHES],
}


def ensure_archive(db: Path, posts: int) -> dict:
    if db.exists():
        return {"built": False}
    import store as store_bench
    result = store_bench.run(posts, "sample", db, fts=True, quiet=True)
    return {"built": True, "insert_posts_per_s": result["insert_posts_per_s"], "db_bytes": result["db_bytes"]}


def measure(base: str, db_name: str, requests: int, facet: str, extra: dict | None = None,
            warmup: int = 3, server_pid: int | None = None) -> dict:
    from scraper.progress import steps

    out = {}
    groups = {**QUERIES, **(extra or {})}
    with steps("timing requests", total=len(groups) * requests) as progress:
        for name, paths in groups.items():
            print(f"  {name}", file=sys.stderr, flush=True)
            out[name] = _measure_one(base, db_name, facet, paths, requests, warmup, server_pid)
            progress.advance(requests)
    return out


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) the server process has used so far: unlike wall time,
    it does not grow with the machine's load."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure_one(base: str, db_name: str, facet: str, paths: list, requests: int, warmup: int,
                 server_pid: int | None = None) -> dict:
    paths = [p.format(db=db_name, facet=facet) for p in paths]
    # The first request of a page is timed apart: the site keeps counts that read many
    # posts until the archive changes, so later requests show the kept path.
    cpu = cpu_seconds(server_pid)
    started = time.perf_counter()
    first_status = _get(base + paths[0])
    first = {"first_ms": (time.perf_counter() - started) * 1000, "first_status": first_status,
             "first_cpu_ms": (cpu_seconds(server_pid) - cpu) * 1000 if server_pid else None}
    for path in paths[:1] * (warmup - 1):
        _get(base + path)
    times, statuses = [], set()
    cpu = cpu_seconds(server_pid)
    for i in range(requests):
        started = time.perf_counter()
        status = _get(base + paths[i % len(paths)])
        times.append(time.perf_counter() - started)
        statuses.add(status)
    return {"median_ms": benchlib.median(times) * 1000, "p95_ms": benchlib.percentile(times, 95) * 1000,
            "max_ms": max(times) * 1000, "n": requests, "statuses": sorted(statuses),
            "server_cpu_ms": (cpu_seconds(server_pid) - cpu) * 1000 / requests if server_pid else None,
            **first}


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code
    except (TimeoutError, urllib.error.URLError):
        return 0  # no answer within the client's 60 s: shown as status 0


def serve(cmd: list, port: int):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=benchlib.ROOT)
    try:
        benchlib.wait_port("127.0.0.1", port, timeout=60)
    except RuntimeError:
        proc.kill()
        raise RuntimeError("datasette did not start: " + proc.stderr.read().decode()[-2000:])
    return proc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="archive to query (built if missing)")
    parser.add_argument("--posts", type=int, default=100000, help="size of the archive to build")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per query kind")
    parser.add_argument("--only", choices=["project", "bare"], default=None)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--kinds", default=None, help="time only the query kinds whose name holds this text")
    args = parser.parse_args(argv)
    built = ensure_archive(args.db, args.posts)
    from scraper import store
    store.open_db(args.db).close()  # an archive built by older code gets the current migrations
    import sqlite3
    con = sqlite3.connect(args.db)
    n_posts = con.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    # The fixed terms above are in 86-100 % of the fixture's posts (its vocabulary is small):
    # the worst case. Real searches name rarer things: terms in 0.1-1 % of the posts.
    con.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, posts_fts, 'row')")
    rare = [t for (t,) in con.execute(
        "SELECT term FROM temp.vocab WHERE doc BETWEEN ? AND ? ORDER BY doc, term",
        [max(2, n_posts // 10000), max(2, n_posts // 100)])]
    con.close()
    picked = [rare[i * len(rare) // 7] for i in range(7)] if len(rare) >= 7 else rare
    if picked:
        q = urllib.request.quote
        QUERIES["selective search (terms in <= 1 % of posts)"] = [f"/{{db}}/posts.json?_search={q(t)}" for t in picked]
        PROJECT_QUERIES["selective /-/search"] = [f"/-/search?q={q(t)}" for t in picked]
        print(f"selective terms: {', '.join(picked)}")
    con = sqlite3.connect(args.db)
    top_label = con.execute("SELECT l.name, l.blog_id FROM labels l JOIN post_labels pl ON pl.label_id = l.id "
                            "GROUP BY l.id ORDER BY count(*) DESC LIMIT 1").fetchone()
    # A label in about 3 % of the posts: most labels are rarer than the top one.
    rare_label = con.execute("SELECT l.name, l.blog_id FROM labels l JOIN post_labels pl ON pl.label_id = l.id "
                             "GROUP BY l.id HAVING count(*) <= ? ORDER BY count(*) DESC LIMIT 1",
                             [max(1, n_posts * 3 // 100)]).fetchone()
    con.close()
    # The pages that carry charts (SQL views + SVG drawn on the server, cached once drawn).
    PROJECT_QUERIES["home page (3 charts per blog)"] = ["/"]
    PROJECT_QUERIES["crawls page (3 charts)"] = ["/{db}/crawls"]
    if top_label:
        PROJECT_QUERIES["label page (1 chart)"] = [
            "/{db}/posts?labels__arraycontains=" + urllib.request.quote(top_label[0])]
    # A label chip's page, as label_url writes it (_label, read through the label tables)
    # and as Datasette's own filter writes it (json_each over every post's labels).
    for kind, picked in (("top label", top_label), ("rare label", rare_label)):
        if picked:
            for arg, blog in (("_label", "_label_blog"), ("_label", "blog_id"), ("labels__arraycontains", "blog_id")):
                PROJECT_QUERIES[f"{kind} chip page, {arg} {blog}"] = ["/{db}/posts?" + urllib.parse.urlencode(
                    {arg: picked[0], blog: picked[1], "_sort_desc": "published_utc"})]
    if args.kinds:
        for queries in (QUERIES, PROJECT_QUERIES):
            for kind in [k for k in queries if args.kinds not in k]:
                del queries[kind]
    print(f"archive {args.db}: {n_posts} posts, {args.db.stat().st_size / 1e6:.0f} MB {json.dumps(built)}")
    from scraper.publish import datasette_command
    results = {"posts": n_posts, "build": built}
    setups = {
        "blogarchive serve (project metadata, mutable)":
            lambda port: datasette_command([str(args.db)], port=port),
        "datasette -i (no metadata)":
            lambda port: [sys.executable, "-m", "datasette", "serve", "-i", str(args.db), "--port", str(port)],
    }
    if args.only == "project":
        setups.pop("datasette -i (no metadata)")
    elif args.only == "bare":
        setups.pop("blogarchive serve (project metadata, mutable)")
    rows = []
    for setup, make in setups.items():
        port = benchlib.free_port()
        proc = serve(make(port), port)
        try:
            project = setup.startswith("blogarchive")
            figures = measure(f"http://127.0.0.1:{port}", args.db.stem, args.requests,
                              "_facet_list" if project else "_facet_array",
                              PROJECT_QUERIES if project else None, server_pid=proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # still busy with a query past the client's patience
                proc.kill()
                proc.wait(10)
        results[setup] = figures
        for kind, f in figures.items():
            target = {"search": 100, "search, _nofacet=1": 100, "label facet": 200, "year facet": 200,
                      "posts page (HTML)": 200,
                      "search page /-/search": 100, "selective search (terms in <= 1 % of posts)": 100,
                      "selective /-/search": 100}.get(kind)
            rows.append({"setup": setup, "query": kind, "median ms": f["median_ms"],
                         "server CPU ms": f["server_cpu_ms"], "p95 ms": f["p95_ms"],
                         "first ms": f["first_ms"], "first CPU ms": f["first_cpu_ms"],
                         "max ms": f["max_ms"], "n": f["n"], "status": ",".join(map(str, sorted({*f["statuses"], f["first_status"]}))),
                         "target": f"< {target} ms" if target else "",
                         "met": ("yes" if f["p95_ms"] < target else "NO") if target else ""})
    print(benchlib.table(rows, list(rows[0])))
    print(f"load average {benchlib.load_average()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
