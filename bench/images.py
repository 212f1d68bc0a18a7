"""Image downloads: into the archive database vs Scrapy's FilesPipeline to disk, same files, one run.

    python bench/make_site.py build --posts 1000 --out /tmp/site-1k      # images are on by default
    python bench/images.py /tmp/site-1k --repeat 2

The full-size file (Blogger's /s0/) of every image placed in a post of the
fixture site, from the local image host (nginx, or --server python):
  - "blogarchive → SQLite": a Scrapy spider that does what the crawl does with
    an image response: scraper.images.inspect (type from magic bytes, size from
    the header, sha256), then store.save_image (BLOB in `images`, `image_urls`),
    one transaction per file;
  - "FilesPipeline → disk": Scrapy's own FilesPipeline (FILES_STORE), one item per file;
  - "bare download": the same requests, bodies dropped (the floor).
All with concurrency 16, no delay, no robots.txt (as the crawl fetches images).
Images/s and MB/s over the process's wall time; CPU ms per image.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402
from benchlib import FAST, PYTHON, Site, run_measured  # noqa: E402


def image_urls(site: Site) -> list:
    base = site.image_url.rstrip("/")
    root = site.root / "img"
    return sorted(base + "/" + p.relative_to(root).as_posix() for p in root.glob("img/b/R29vZ2xl/*/s0/*"))


def worker(mode: str, urls_file: str, out: str) -> int:
    """Runs in its own process: one Scrapy crawl of the image URLs."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = [u for u in Path(urls_file).read_text().split() if u]
    settings = {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
                "COOKIES_ENABLED": False, "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
                "DOWNLOAD_MAXSIZE": 25 * 1024 * 1024}
    for pair in FAST[1::2]:
        name, value = pair.split("=", 1)
        settings[name] = value

    if mode == "files":
        settings["ITEM_PIPELINES"] = {"scrapy.pipelines.files.FilesPipeline": 1}
        settings["FILES_STORE"] = out

        class FilesSpider(scrapy.Spider):
            name = "files"

            async def start(self):
                for url in urls:
                    yield {"file_urls": [url]}
        spider_cls = FilesSpider
    else:
        class DbSpider(scrapy.Spider):
            name = "db"

            def __init__(self, **kw):
                super().__init__(**kw)
                if mode == "db":
                    from scraper import store
                    self.store = store
                    self.db = store.open_db(out)

            async def start(self):
                for url in urls:
                    yield scrapy.Request(url, callback=self.parse)

            def parse(self, response):
                if mode != "db":
                    return
                from scraper import images
                info = images.inspect(response.body)
                self.store.save_image(self.db, response.url, response.url, response.body, info)

            def closed(self, reason):
                if mode == "db":
                    self.db.close()
        spider_cls = DbSpider
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"responses": stats.get("response_received_count", 0),
                      "bytes": stats.get("downloader/response_bytes", 0)}))
    return 0


def bench(site: Site, server, workdir: Path, repeat: int) -> list:
    urls = image_urls(site)
    listing = workdir / "image-urls.txt"
    listing.write_text("\n".join(urls) + "\n")
    rows = []
    for rep in range(repeat):
        for mode, label in (("db", "blogarchive → SQLite"), ("files", "FilesPipeline → disk"),
                            ("bare", "bare download")):
            out = workdir / f"out-{mode}"
            shutil.rmtree(out, ignore_errors=True)
            for f in workdir.glob("out-db*"):
                f.unlink() if f.is_file() else None
            target = str(out) + (".db" if mode == "db" else "")
            mark = server.mark()
            run = run_measured([PYTHON, __file__, "--worker", mode, str(listing), target], cwd=benchlib.ROOT)
            log = [r for r in server.since(mark) if r[0] == site.image_port]
            if run.returncode != 0:
                print(run.stderr[-3000:], file=sys.stderr)
            stored = ""
            if mode == "db":
                con = sqlite3.connect(target)
                n, size = con.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM images").fetchone()
                con.close()
                disk = sum(f.stat().st_size for f in Path(target).parent.glob(Path(target).name + "*"))
                stored = f"{n} files, {size / 1e6:.1f} MB in {disk / 1e6:.1f} MB db"
            elif mode == "files":
                files = [f for f in out.rglob("*") if f.is_file()]
                stored = f"{len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB"
            body_bytes = sum(r[2] for r in log)
            rows.append({"run": rep + 1, "writer": label, "images": len(log), "MB": body_bytes / 1e6,
                         "wall s": run.wall, "images/s": len(log) / run.wall, "MB/s": body_bytes / 1e6 / run.wall,
                         "CPU ms/image": run.cpu * 1000 / max(1, len(log)), "peak RSS MB": run.peak_rss_mb,
                         "stored": stored})
            shutil.rmtree(out, ignore_errors=True)
            for f in workdir.glob("out-db*"):
                f.unlink()
    return rows


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        return worker(*sys.argv[2:5])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a site written by make_site.py build (with images)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--server", default="auto", choices=["auto", "nginx", "python"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    site = Site.load(args.site)
    if not site.manifest.get("image_files"):
        parser.error(f"{args.site} was built without images")
    workdir = Path(tempfile.mkdtemp(prefix="bench-images-"))
    try:
        with benchlib.serve(site, args.server) as server:
            rows = bench(site, server, workdir, args.repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(benchlib.table(rows, list(rows[0])))
    print(f"load average {benchlib.load_average()}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
