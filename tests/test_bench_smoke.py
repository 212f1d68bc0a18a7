"""Each benchmark in bench/ still runs, in a tiny smoke mode: timings are not checked, but what
each one counts (posts, images, requests, answers) is, so a bench that measured nothing fails.

No nginx, wrk or wget needed: the fixture site is served by the standard
library (bench/benchlib.py PythonStatic); wget runs only where it is installed.
"""

import hashlib
import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT

BENCH = ROOT / "bench"


def run(*args, timeout=120):
    result = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench") / "site"
    run(BENCH / "make_site.py", "build", "--posts", "24", "--out", root)
    manifest = json.loads((root / "site.json").read_text())
    assert manifest["kinds"]["post"] == 24 and manifest["image_files"] > 0
    assert (root / "blog" / "@.html").is_file() and (root / "blog" / "robots.txt@.txt").is_file()
    return root


def test_crawl_benchmark_smoke(site, tmp_path):
    out = run(BENCH / "crawl.py", site, "--server", "python", "--no-server-measure", "--images-run",
              "--workdir", tmp_path, "--json", tmp_path / "crawl.json")
    assert "blogarchive / bare spider" in out
    figures = json.loads((tmp_path / "crawl.json").read_text())["sites"][0]["summary"]
    assert figures["blogarchive"]["posts_saved"] == 24
    assert figures["blogarchive (images db)"]["posts_saved"] == 24
    assert figures["bare scrapy"]["requests"] == figures["blogarchive"]["requests"]


def test_site_rendered_on_the_fly_serves_the_built_sites_pages(site, tmp_path):
    """bench/live_site.py: no pages on disk, the same answers as the built site, from a
    server process of its own (its CPU apart from the crawler's), logged as nginx logs."""
    import urllib.request

    sys.path.append(str(BENCH))
    import benchlib

    live = tmp_path / "live"
    run(BENCH / "live_site.py", "make", "--posts", "24", "--out", live)
    assert not (live / "blog").exists()
    built, served = benchlib.Site.load(site), benchlib.Site.load(live)
    paths = sorted(built.post_paths())
    assert sorted(served.post_paths()) == paths
    with benchlib.serve(served) as server:
        for path in ["/", "/feeds/posts/summary", *paths]:
            body = urllib.request.urlopen(served.url.rstrip("/") + path).read()
            on_disk = benchlib.page_file(site, path, "", "atom" if "feeds" in path else "html")
            expected = on_disk.read_bytes()
            # host and port together: a bare port number can also occur inside a post id
            for host, was, now in ((benchlib.BLOG_HOST, built.port, served.port),
                                   (benchlib.IMAGE_HOST, built.image_port, served.image_port)):
                expected = expected.replace(f"{host}:{was}".encode(), f"{host}:{now}".encode())
            assert body == expected
        log = server.log()
        assert server.cpu_seconds() > 0
    assert [(row[0], row[1], row[3]) for row in log][-1] == (served.port, 200, paths[-1])
    assert len(log) == len(paths) + 2


def test_parse_benchmark_smoke(site, tmp_path):
    out = run(BENCH / "parse.py", site, "--pages", "10", "--repeat", "1", "--json", tmp_path / "parse.json")
    assert "parse_post / tree" in out
    figures = json.loads((tmp_path / "parse.json").read_text())
    assert figures["pages"] == figures["posts"] == 10 and figures["words"] > 0
    assert figures["parse_post_ms"] > figures["tree_ms"] > 0


def test_store_benchmark_smoke(tmp_path):
    out = run(BENCH / "store.py", "--posts", "20", "--json", tmp_path / "store.json")
    rows = json.loads((tmp_path / "store.json").read_text())
    assert rows[0]["rows"]["posts"] == 20 and rows[0]["db_over_raw_html"] > 0
    assert "posts/s" in out
    # as a crawl saves them: the same rows
    run(BENCH / "store.py", "--posts", "20", "--pipeline", "--commit-every", "8", "--no-fts-run",
        "--json", tmp_path / "crawl.json")
    crawled = json.loads((tmp_path / "crawl.json").read_text())[0]
    assert crawled["pipeline"] and crawled["rows"] == rows[0]["rows"]


def test_plan_memory_benchmark_smoke(tmp_path):
    run(BENCH / "plan_memory.py", "--posts", "1000", "--json", tmp_path / "m.json")
    row = json.loads((tmp_path / "m.json").read_text())[0]
    assert row["posts"] == 1000 and row["strings MB"] > 0 and row["fingerprints MB"] > 0


def test_fts_rewrites_benchmark_smoke(tmp_path):
    out = run(BENCH / "fts_rewrites.py", "--posts", "20", "--touch", "10", "--json", tmp_path / "f.json")
    rows = json.loads((tmp_path / "f.json").read_text())
    assert rows[0]["statuses"] == {"unchanged": 10} and "rows written" in out
    assert rows[0]["rows written"] == 0 and rows[0]["index unchanged"] is True


def test_bulk_archive_smoke(tmp_path):
    import sqlite3

    for shape in ("before-bodies", "current"):
        db = tmp_path / f"{shape}.db"
        run(BENCH / "bulk_archive.py", "--posts", "100", "--out", db, "--shape", shape)
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 100
        hits = conn.execute("SELECT COUNT(*) FROM posts_fts WHERE posts_fts MATCH 'ref1'").fetchone()[0]
        assert hits == 50  # each "ref" token is in 50 posts
        conn.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")
        conn.close()


def test_images_benchmark_smoke(site, tmp_path):
    out = run(BENCH / "images.py", site, "--server", "python", "--json", tmp_path / "images.json")
    assert "FilesPipeline" in out and "blogarchive" in out
    # What the bench downloads: every full-size file of the site, once per writer.
    files = sorted((site / "img").glob("img/b/R29vZ2xl/*/s0/*"))
    distinct = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert files
    rows = {row["writer"]: row for row in json.loads((tmp_path / "images.json").read_text())}
    assert [row["images"] for row in rows.values()] == [len(files)] * 3
    assert rows["blogarchive → SQLite"]["stored"].startswith(f"{len(distinct)} files,")
    assert rows["FilesPipeline → disk"]["stored"].startswith(f"{len(files)} files,")


def test_datasette_benchmark_smoke(tmp_path):
    out = run(BENCH / "datasette_latency.py", "--db", tmp_path / "archive.db", "--posts", "40",
              "--requests", "2", "--only", "bare", "--json", tmp_path / "latency.json")
    assert "label facet" in out and "search" in out
    results = json.loads((tmp_path / "latency.json").read_text())
    assert results["posts"] == 40
    figures = results["datasette -i (no metadata)"]
    assert {"search", "label facet"} <= set(figures)
    for kind, f in figures.items():  # every query answered, each timed twice, and first apart
        assert (f["n"], f["statuses"], f["first_status"]) == (2, [200], 200), kind
        assert f["first_ms"] > 0


@pytest.mark.skipif(not (CORPUS / "sites" / "klenovsekboris.blogspot.com").is_dir(),
                    reason="../shared/corpus is not beside the checkout")
def test_completeness_benchmark_smoke(tmp_path):
    out = run(BENCH / "completeness.py", "--sites", "klenovsekboris.blogspot.com",
              "--json", tmp_path / "complete.json")
    assert "klenovsekboris" in out and "blogarchive" in out
    [site] = json.loads((tmp_path / "complete.json").read_text())
    # the snapshot saves 7 post pages; the crawl must find every one of them
    assert site["saved"] == 7
    assert site["blogarchive"]["found"] == 7 and site["blogarchive"]["rc"] == 0, site["blogarchive"]


def test_export_benchmark_smoke(tmp_path):
    out = run(BENCH / "export.py", "--posts", "30", "--db", tmp_path / "archive.db",
              "--only", "csv,xlsx,parquet", "--json", tmp_path / "export.json", timeout=300)
    assert "baseline: sqlite3" in out
    runs = {r["format"]: r for r in json.loads((tmp_path / "export.json").read_text())["runs"]}
    assert set(runs) >= {"csv", "csv --spreadsheet-safe", "xlsx", "xlsx --with-bodies", "parquet"}
    assert runs["csv"]["rows"] == runs["parquet"]["rows"] == runs["xlsx"]["rows"] > 30
    assert all(r["mb"] > 0 for r in runs.values())
