"""`blogarchive`: crawl | serve | extract | status | upgrade | demo."""

from __future__ import annotations

import importlib
import json
import sys
from importlib.util import find_spec
from pathlib import Path

import click

# Each command imports what it uses when it runs: `blogarchive --help` and a crawl do not
# load the exporters, the importer, the scheduler or Redis (`python -X importtime`).

EXIT_OK, EXIT_CRAWL_FAILED, EXIT_USAGE = 0, 1, 2


class Commands(click.Group):
    """The commands; those defined in other modules are imported when one is run or asked
    for its own help, not to list them (``LAZY`` holds the line ``--help`` shows)."""

    # name: (module, attribute, the first paragraph of the command's help)
    LAZY = {
        "export": ("scraper.export", "export_command",
                   "Export an archive: complete tables (csv, jsonl, parquet), a workbook (xlsx), a "
                   "SQLite snapshot or the pages as fetched (wacz)."),
        "import": ("scraper.importer", "import_command",
                   "Import a Blogger export (Atom) or a WordPress export (WXR) into the archive."),
        "run": ("scraper.scheduled", "run_command",
                "Crawl every blog in a blogs.toml file (for cron, systemd timers and CI)."),
    }

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.LAZY:
            module, attribute, _ = self.LAZY[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        """As click lists them, with the help line of a command not imported yet from ``LAZY``."""
        listed = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self.LAZY[name][2])
            if not command.hidden:
                listed.append((name, command))
        if listed:
            limit = formatter.width - 6 - max(len(name) for name, _ in listed)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit))
                                    for name, command in listed])


@click.group(cls=Commands)
@click.version_option(package_name="blogarchive")
def main():
    """Archive blogs into one SQLite file and publish it with Datasette."""


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--db", "db_path", default="archive.db", show_default=True,
              help="The SQLite archive to create or update.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting, e.g. -s CONCURRENT_REQUESTS=16 -s DOWNLOAD_DELAY=0.")
@click.option("--quiet", is_flag=True, help="Only warnings and the summary, even on a terminal.")
@click.option("--verbose", is_flag=True,
              help="Scrapy's full log on the console, with tracebacks (default: a progress line on "
                   "a terminal; the summary and warnings otherwise, e.g. under cron).")
@click.option("--log", "log_path", default=None, metavar="FILE",
              help="Append Scrapy's full log to FILE; the console keeps the summary and warnings.")
@click.option("--ignore-robots", is_flag=True, help="For owners archiving their own blog.")
@click.option("--contact", default=None, metavar="URL",
              help="Where site owners can reach you; sent in the User-Agent.")
@click.option("--images", default="db", show_default=True, metavar="none|db|dir:PATH",
              help="Keep post images in the database, in a folder, or not at all.")
@click.option("--warc", default="all", show_default=True,
              type=click.Choice(["all", "pages", "none"]),
              help="Keep every response as fetched in WARC files beside the archive "
                   "(<archive>.warc/): all, pages (no images) or none.")
@click.option("--full", is_flag=True,
              help="Walk the whole blog again and revalidate every stored post "
                   "(default: after one complete crawl, fetch only what is new or changed).")
@click.option("--wait", default=0.0, metavar="SECONDS",
              help="If another crawl is writing this archive, wait this long for it.")
@click.option("--parse-workers", default=None, metavar="N|auto",
              help="Read post pages in N worker processes beside the crawl (default 0: in the "
                   "crawl's own process; auto: 1 where there are 2 cores or more). "
                   "Same as -s BLOGARCHIVE_PARSE_WORKERS=N.")
@click.option("--redis", "redis_url", default=None, metavar="URL",
              help="Seed the shared frontier of `blogarchive worker`s at redis://host:6379/0 and "
                   "exit (docs/scale-out.md).")
def crawl(urls, db_path, overrides, quiet, verbose, log_path, ignore_robots, contact, images, warc,
          full, wait, parse_workers, redis_url):
    """Crawl one or more blogs into the archive."""
    from . import store
    from .report import print_summary
    from .runner import crawl as run_crawl, parse_overrides
    from .urls import UnsupportedURL, check_url

    try:
        urls = [check_url(u) for u in urls]
        settings = parse_overrides(overrides)
    except (UnsupportedURL, ValueError) as e:
        raise click.UsageError(str(e))
    if log_path and not Path(log_path).resolve().parent.is_dir():
        raise click.UsageError(f"--log {log_path}: its folder does not exist")
    settings = {**console_settings(quiet=quiet, verbose=verbose, log_path=log_path,
                                   terminal=sys.stderr.isatty()), **settings}
    if ignore_robots:
        settings["ROBOTSTXT_OBEY"] = False
    if contact:
        settings["BLOGARCHIVE_CONTACT"] = contact
    if images not in ("none", "db") and not (images.startswith("dir:") and len(images) > 4):
        raise click.UsageError(f"--images {images!r}: use none, db or dir:PATH")
    if images.startswith("dir:"):
        images = "dir:" + str(Path(images[4:]).resolve())
    settings["BLOGARCHIVE_IMAGES"] = images
    settings.setdefault("BLOGARCHIVE_WARC", warc)
    if parse_workers is not None:
        from .readers import worker_count

        try:
            worker_count(parse_workers)
        except ValueError as e:
            raise click.UsageError(f"--parse-workers {e}") from None
        settings["BLOGARCHIVE_PARSE_WORKERS"] = parse_workers
    if redis_url:  # distributed: the workers crawl, the writer writes (scraper/distributed.py)
        from .scheduled import cluster_seed_command

        sys.exit(cluster_seed_command()(redis_url, urls, full))
    try:
        _check_free_space(db_path, settings)
        row = run_crawl(urls, db_path, settings, full=full, wait=wait)
    except store.StoreError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_USAGE)
    print_summary(row, quiet=quiet)
    sys.exit(EXIT_OK if row.get("status") == "finished" else EXIT_CRAWL_FAILED)


def console_settings(*, quiet: bool, verbose: bool, log_path: str | None, terminal: bool) -> dict:
    """What a crawl prints where: a person at a terminal sees a live progress line; cron and
    scripts (no terminal) get the summary and real warnings only; --verbose the whole log."""
    if verbose:
        settings = {"LOG_LEVEL": "INFO", "BLOGARCHIVE_PROGRESS": "log",
                    "BLOGARCHIVE_CONSOLE_LEVEL": "INFO", "BLOGARCHIVE_TRACEBACKS": True}
    elif terminal and not quiet:
        settings = {"LOG_LEVEL": "WARNING", "BLOGARCHIVE_PROGRESS": "rich"}
    else:
        settings = {"LOG_LEVEL": "WARNING", "BLOGARCHIVE_PROGRESS": "off"}
    if log_path:  # the whole story in the file, progress lines included
        settings.update(LOG_FILE=str(Path(log_path).resolve()), LOG_LEVEL="INFO")
        if settings["BLOGARCHIVE_PROGRESS"] == "off":
            settings["BLOGARCHIVE_PROGRESS"] = "log"
    return settings


def _check_free_space(db_path: str, settings: dict) -> None:
    """A disk too full to hold the crawl fails now, before any fetching, not halfway."""
    import shutil

    from . import store
    from .runner import project_settings

    need_mb = project_settings(settings).getfloat("BLOGARCHIVE_MIN_FREE_MB")
    folder = Path(db_path).resolve().parent
    if need_mb <= 0 or not folder.is_dir():
        return  # (a missing folder is reported by the store)
    if not Path(db_path).exists():
        store.check_writable(db_path)  # "not writable" before "no space" (/proc has neither)
    free_mb = shutil.disk_usage(folder).free / 1024 / 1024
    if free_mb < need_mb:
        raise store.StoreError(
            f"{db_path}: only {free_mb:.1f} MB free on the disk holding the archive; a crawl "
            f"needs {need_mb:g} MB (-s BLOGARCHIVE_MIN_FREE_MB=… to change that)")


@main.command()
@click.argument("db_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--limit", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(db_path, limit, as_json):
    """The last crawls of an archive: when, what they found, what failed."""
    from rich.console import Console
    from rich.table import Table

    from . import store
    from .report import blog_line

    try:
        db = store.open_readonly(db_path)
    except store.StoreError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_USAGE)
    rows = store.recent_crawls(db, limit)
    folder, kept, missing = store.image_files(db)
    if as_json:
        click.echo(json.dumps({
            "archive": str(db_path),
            # images kept as files (--images dir:PATH); null when they are in the database
            "images_dir": None if folder is None else str(folder),
            # as export's manifest.json says it: files there, and the paths listed but missing
            "image_files": {"files": kept, "missing": missing},
            "crawls": rows,
        }, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"crawls in {db_path}")
    for column in ("id", "started", "status", "pages", "new", "updated", "gone", "expected",
                   "errors", "seconds"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["id"]), r["started"] or "", r["status"] or "", str(r["pages"] or 0),
            str(r["posts_new"] or 0), str(r["posts_updated"] or 0), str(r["posts_gone"] or 0),
            "" if r["posts_expected"] is None else str(r["posts_expected"]),
            str(r["errors"] or 0), f"{r['duration_s'] or 0:.1f}",
        )
    # Not a terminal (a pipe, a cron mail): the whole table, never cut at 80 columns.
    Console(width=None if sys.stdout.isatty() else 10_000).print(table)
    if folder is not None:  # images kept as files (--images dir:PATH): where, and whether all are there
        click.echo(f"images: {kept} files in {folder}"
                   + (f"; {len(missing)} missing, e.g. {', '.join(missing[:3])}" if missing else ""))
    if rows:  # what the latest crawl could not get, and where
        latest = rows[0]
        for blog in latest.get("blogs") or []:
            click.echo(f"crawl {latest['id']}, {blog_line(blog)}")
        _echo_by_kind(f"crawl {latest['id']} ({latest['status']}): errors by kind",
                      latest.get("errors_by_kind"))
        _echo_by_kind(f"crawl {latest['id']}: warnings by kind", latest.get("warnings"))
        if latest.get("message"):
            click.echo(f"  {latest['message']}")


def _echo_by_kind(heading: str, by_kind: dict | None) -> None:
    """{kind: {"count": n, "examples": [url, …]}} under a heading, most frequent first."""
    if not by_kind:
        return
    click.echo(heading)
    for kind, info in sorted(by_kind.items(), key=lambda e: (-e[1].get("count", 0), e[0])):
        click.echo(f"  {kind}: {info.get('count', 0)}")
        for url in info.get("examples", [])[:5]:
            click.echo(f"    {url}")


@main.command()
@click.argument("db_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--wait", default=0.0, metavar="SECONDS",
              help="If a crawl is writing this archive, wait this long for it.")
def reparse(db_path, dry_run, wait):
    """Re-extract every post from its page as fetched (WARC), with no network at all."""
    from . import store
    from .lock import Busy, exclusive
    from .progress import steps
    from .reparse import reparse as run_reparse

    try:
        with exclusive(db_path, wait=wait), steps("reparse") as progress:
            summary = run_reparse(db_path, dry_run=dry_run, progress=progress)
    except (store.StoreError, Busy) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_USAGE)
    print_reparse(summary)
    sys.exit(EXIT_OK if summary["status"] == "finished" else EXIT_CRAWL_FAILED)


def print_reparse(summary: dict) -> None:
    name = "dry run" if summary["id"] is None else f"reparse {summary['id']}"
    click.echo(f"{name}: {summary['status']} — posts {summary['posts_found']}, "
               f"updated {summary['posts_updated']}, unchanged {summary['posts_unchanged']}, "
               f"errors {summary['errors']}")
    for name, count in summary["changes"].items():
        click.echo(f"  {name}: {count} posts")
    for kind, info in sorted(summary["errors_by_kind"].items()):
        click.echo(f"  {kind}: {info['count']}  e.g. {', '.join(info['examples'][:3])}")
    if summary["message"]:
        click.echo(f"  {summary['message']}")


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", required=True, help="The address the page was saved from.")
@click.option("--encoding", default=None, help="Override the page's declared encoding.")
@click.option("--strict", is_flag=True,
              help="Refuse pages a crawl would refuse (no sign of a single post) instead of "
                   "falling back to text extraction.")
def extract(path, url, encoding, strict):
    """Extract one saved post page to JSON on stdout (no network)."""
    from dataclasses import asdict

    from scrapy.http import HtmlResponse

    from . import platforms

    body = Path(path).read_bytes()
    response = HtmlResponse(url=url, body=body, encoding=encoding) if encoding else \
        HtmlResponse(url=url, body=body)
    try:
        name, post, refusal = platforms.extract_post(response, strict=strict)
    except ValueError as e:
        raise click.ClickException(f"{path}: {e}")
    data = asdict(post)
    data["platform"] = name
    if refusal:  # a crawl would not have archived this page; say so
        data["note"] = f"text extraction; the crawler's rule refused the page: {refusal}"
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@main.command()
@click.argument("db_paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Listen address; 0.0.0.0 only when you mean to publish.")
@click.option("-p", "--port", default=8001, show_default=True)
@click.option("--immutable/--mutable", default=None,
              help="Immutable shows the SQLite download link; mutable reads a database "
                   "that a crawl is writing. Default: mutable.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--title", default=None, help="Site title (default: the archived blogs' titles).")
def serve(db_paths, host, port, immutable, open_browser, title):
    """Publish one or more archives with Datasette and the project's metadata (read-only)."""
    from . import store
    from .publish import datasette_command, serve_until_stopped

    for path in db_paths:  # one line for a file that is not an archive, not Datasette's traceback
        try:
            db = store.open_readonly(path)
            pending = store.pending_migrations(db)
            db.close()
        except store.StoreError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_USAGE)
        if pending:  # the site reads the current shape; serving reads, never converts
            click.echo(f"error: {path}: made by an older blogarchive ({', '.join(pending)} not "
                       f"applied); `blogarchive upgrade {path}` converts it in place", err=True)
            sys.exit(EXIT_USAGE)
    cmd = datasette_command(list(db_paths), host=host, port=port, immutable=bool(immutable),
                            title=title, open_browser=open_browser)
    click.echo(" ".join(cmd), err=True)
    sys.exit(serve_until_stopped(cmd))


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


# Free pages an upgrade leaves (m014 moved every body: 1.6× the size) worth a compaction.
COMPACT_FROM = 0.10


@main.command()
@click.argument("db_paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False))
@click.option("--vacuum/--no-vacuum", default=None,
              help="Compact the file afterwards (needs free disk space for a copy). "
                   "Default: when the upgrade left a tenth of the file or more unused.")
def upgrade(db_paths, vacuum):
    """Bring archives made by an older blogarchive to the current shape, in place."""
    from . import store

    for path in db_paths:
        try:
            db = store.open_readonly(path)
            pending = store.pending_migrations(db)
            db.close()
            if pending:
                store.open_db(path).close()  # applies them, each in its own transaction
        except store.StoreError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"{path}: " + (f"applied {', '.join(pending)}" if pending else "already current"))
        size, unused = store.unused_bytes(path)
        if vacuum is False or (vacuum is None and unused < COMPACT_FROM * size):
            if unused >= COMPACT_FROM * size:
                click.echo(f"{path}: {_size(unused)} unused inside; "
                           f"`blogarchive upgrade --vacuum {path}` gives it back")
            continue
        click.echo(f"{path}: compacting ({_size(unused)} of {_size(size)} unused)…")
        try:
            before, after = store.compact(path)
        except store.StoreError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"{path}: compacted, {_size(before)} → {_size(after)}")


@main.command()
@click.option("--db", "db_path", default="demo.db", show_default=True)
@click.option("-p", "--port", default=8001, show_default=True, help="Datasette's port.")
@click.option("--no-serve", is_flag=True, help="Crawl the demo blog, then stop.")
def demo(db_path, port, no_serve):
    """Serve a sample blog locally, crawl it into demo.db and open it in Datasette."""
    from .demo import run_demo

    sys.exit(run_demo(db_path, port=port, serve=not no_serve))


# -- scale-out (docs/scale-out.md); listed only with the cluster extra -----------------------


def _redis(url: str):
    import redis

    from .distributed.queue import connect

    try:
        return connect(url)
    except (redis.RedisError, ValueError) as e:
        click.echo(f"error: cannot reach Redis at {url}: {e}", err=True)
        sys.exit(EXIT_USAGE)


def _overrides(pairs) -> dict:
    from .runner import parse_overrides

    try:
        return parse_overrides(pairs)
    except ValueError as e:
        raise click.UsageError(str(e))


@click.command(name="worker")
@click.option("--redis", "redis_url", required=True, metavar="URL", help="redis://host:6379/0")
@click.option("--archive", default=None, metavar="PATH",
              help="The archive, read only (same machine or a copy): lets re-runs fetch only what "
                   "changed, and a blog given back carry on. Without it every run is a first crawl.")
@click.option("--warc-dir", default=None, metavar="DIR",
              help="This worker's WARC files (pages as fetched, named by worker). Default: beside "
                   "--archive (<archive>.warc/), else ./blogarchive.warc/. Gather the folders of "
                   "all workers into <archive>.warc/ for reparse and export --format wacz.")
@click.option("--warc", type=click.Choice(["all", "pages", "none"]), default=None,
              help="Which responses to keep as fetched: all (default), pages (no images), none.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting, e.g. -s BLOGARCHIVE_WORKER_BLOGS=16 -s BLOGARCHIVE_HOST_INTERVAL=1.")
@click.option("--exit-when-done", is_flag=True, help="Stop when the writer has finished the run.")
@click.option("--quiet", is_flag=True, help="Warnings only.")
def worker_command(redis_url, archive, warc_dir, warc, overrides, exit_when_done, quiet):
    """Take blogs from the Redis queue and crawl them (run any number, on any machine)."""
    from .distributed.worker import run_worker

    settings = _overrides(overrides)
    if quiet:
        settings.setdefault("LOG_LEVEL", "WARNING")
    if warc:
        settings["BLOGARCHIVE_WARC"] = warc
    _redis(redis_url)
    failed = run_worker(redis_url, settings, archive=archive, exit_when_done=exit_when_done,
                        warc_folder=warc_dir)
    if failed:
        click.echo(f"error: {failed}", err=True)
        sys.exit(EXIT_CRAWL_FAILED)


@click.command(name="writer")
@click.option("--redis", "redis_url", required=True, metavar="URL")
@click.option("--db", "db_path", default="archive.db", show_default=True)
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE")
@click.option("--exit-when-done", is_flag=True, help="Stop after the current run is written.")
@click.option("--quiet", is_flag=True)
def writer_command(redis_url, db_path, overrides, exit_when_done, quiet):
    """Write the items of the distributed crawl into the archive (one writer per archive)."""
    import logging

    from . import store
    from .distributed.writer import ArchiveUnwritable, run_writer
    from .report import print_summary

    settings = _overrides(overrides)
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    _redis(redis_url)
    try:
        row = run_writer(redis_url, db_path, settings, exit_when_done=exit_when_done,
                         on_finish=lambda row: print_summary(row, quiet=quiet))
    except store.StoreError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_USAGE)
    except ArchiveUnwritable as e:
        click.echo(f"error: cannot write the archive {db_path} ({e}); the run's items wait in "
                   "Redis: free some space and start the writer again to go on", err=True)
        sys.exit(EXIT_CRAWL_FAILED)
    if row is not None:
        sys.exit(EXIT_OK if row.get("status") == "finished" else EXIT_CRAWL_FAILED)


@click.command(name="queue")
@click.option("--redis", "redis_url", required=True, metavar="URL")
@click.option("--requeue-stale", is_flag=True,
              help="Put back the blogs held by workers that are gone.")
@click.option("--json", "as_json", is_flag=True)
def queue_command(redis_url, requeue_stale, as_json):
    """The run: blogs queued and being crawled, items pending, workers."""
    from .distributed.queue import BlogQueue

    queue = BlogQueue(_redis(redis_url))
    if requeue_stale:
        click.echo(f"requeued {queue.requeue_dead()} blogs of workers that are gone", err=True)
    status = queue.status()
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    run = status["run"]
    click.echo(f"run {run.get('id', '-')}: {run.get('state', 'none')} since {run.get('started', '-')}"
               f", crawl {run.get('crawl_id', '-')}, {len(json.loads(run.get('seeds') or '[]'))} blogs")
    click.echo(f"blogs: {status['queued']} queued, {status['in_flight']} being crawled "
               f"({status['in_flight_stale']} by workers that are gone), {status['blogs_done']} done; "
               f"{status['requests']} requests sent, {status['responses']} answered")
    click.echo(f"items: {status['items_pending']} pending, {status['items_writing']} being written")
    click.echo(f"workers: {len(status['workers'])} alive"
               + "".join(f"\n  {w}: {status['per_worker'].get(w, 0)} responses"
                         for w in sorted(status["workers"])))
    for name, lease in sorted(status["leases"].items()):
        click.echo(f"  {name}: {lease['worker']} for {lease['for_s']}s, last answer "
                   f"{lease['idle_s']}s ago")
    click.echo(f"redis memory: {status['redis_memory_bytes'] / 1024 / 1024:.1f} MB")


if find_spec("redis") is not None:  # the cluster extra is there: the scale-out commands are too
    main.add_command(worker_command, name="worker")
    main.add_command(writer_command, name="writer")
    main.add_command(queue_command, name="queue")

if __name__ == "__main__":
    main()
