"""`blogarchive run blogs.toml`: every configured blog, once, unattended.

One lock for the whole run (cron or a timer never overlaps itself), one
`blogarchive crawl` process per archive (a fresh Scrapy reactor each), a log
file, a non-zero exit when any archive failed, and optional publishing.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import signal
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import click

from .lock import Busy, exclusive
from .progress import steps

EXIT_LOCKED = 75  # EX_TEMPFAIL: another run is going; try again later


@dataclass
class Job:
    """One archive and the blogs that go into it."""

    db: str
    urls: list[str] = field(default_factory=list)
    images: str = "db"
    warc: str = "all"  # keep responses as fetched: all | pages | none
    full: bool = False
    ignore_robots: bool = False
    # Unattended runs refuse private, loopback and link-local addresses (a config
    # pointing at an intranet host by mistake, or a blog redirecting there);
    # `allow_private = true` for a blog on your own network.
    allow_private: bool = False
    settings: dict = field(default_factory=dict)
    publish_to: str = ""  # copy a consistent snapshot here after a successful crawl
    hook: str = ""  # shell command run after a successful crawl ($BLOGARCHIVE_DB is set)


def load(path: str | os.PathLike) -> tuple[list[Job], dict]:
    """Read blogs.toml into jobs, one per archive file, relative paths from the file's folder."""
    path = Path(path)
    try:
        config = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise click.UsageError(f"{path}: {e}")
    defaults = config.get("defaults", {})
    blogs = config.get("blog", [])
    if not blogs:
        raise click.UsageError(f"{path}: no [[blog]] entries")
    base = path.resolve().parent
    jobs: dict[str, Job] = {}
    for n, entry in enumerate(blogs, 1):
        merged = {**defaults, **entry}
        if not merged.get("url"):
            raise click.UsageError(f"{path}: blog #{n} has no url")
        db = str((base / merged.get("db", "archive.db")).resolve())
        job = jobs.setdefault(db, Job(db=db))
        job.urls.append(merged["url"])
        job.images = _images_from(base, merged.get("images", job.images))
        job.warc = merged.get("warc", job.warc)
        if job.warc not in ("all", "pages", "none"):
            raise click.UsageError(f"{path}: blog #{n}: warc = {job.warc!r}; use all, pages or none")
        job.full = job.full or bool(merged.get("full", False))
        job.ignore_robots = job.ignore_robots or bool(merged.get("ignore_robots", False))
        job.allow_private = job.allow_private or bool(merged.get("allow_private", False))
        job.settings.update({k: str(v) for k, v in merged.get("settings", {}).items()})
        if "BLOGARCHIVE_IMAGES" in job.settings:
            job.settings["BLOGARCHIVE_IMAGES"] = _images_from(base, job.settings["BLOGARCHIVE_IMAGES"])
        if merged.get("publish_to"):
            job.publish_to = str((base / merged["publish_to"]).resolve())
        job.hook = merged.get("hook", job.hook)
    options = {"log": str((base / defaults["log"]).resolve()) if defaults.get("log") else ""}
    redis = config.get("redis") or {}
    if redis:  # a cluster crawls: this run only seeds its shared frontier (docs/scale-out.md)
        if not redis.get("url"):
            raise click.UsageError(f"{path}: [redis] needs url = \"redis://host:6379/0\"")
        dbs = {job.db for job in jobs.values()}
        if redis.get("db"):
            db = str((base / redis["db"]).resolve())
        elif len(dbs) == 1:
            db = dbs.pop()
        else:
            raise click.UsageError(f"{path}: one writer fills one archive; with [redis], give "
                                   f"[redis] db = \"…\" or the same db for every blog")
        options["redis"] = {"url": redis["url"], "db": db}
    return list(jobs.values()), options


def _images_from(base: Path, images: str) -> str:
    """`dir:PATH` from the file's folder, like `db`: the crawl runs wherever the timer starts it."""
    if images.startswith("dir:") and len(images) > 4:
        return "dir:" + str((base / images[4:]).resolve())
    return images


def command(job: Job, log_path: str = "") -> list[str]:
    cmd = [sys.executable, "-m", "scraper.cli", "crawl", *job.urls, "--db", job.db,
           "--images", job.images, "--warc", job.warc, "--quiet"]
    if log_path:  # Scrapy's whole log in the run's log file; the run prints the summaries
        cmd += ["--log", log_path]
    if job.full:
        cmd.append("--full")
    if job.ignore_robots:
        cmd.append("--ignore-robots")
    cmd += ["-s", f"BLOGARCHIVE_ALLOW_PRIVATE={int(job.allow_private)}"]
    for name, value in job.settings.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def run_job(job: Job, log_path: str, log) -> int:
    """Crawl one job's blogs in a child process and publish; 1 if it failed, else 0."""
    log(f"crawling {' '.join(job.urls)} into {job.db}")
    result, stopped_by = run_child(command(job, log_path))
    for line in (result.stdout + result.stderr).splitlines():
        log(f"  {line}")
    if stopped_by:
        log(f"STOPPED by {signal.Signals(stopped_by).name}: {job.db} (the crawl exited {result.returncode})")
        raise Stopped(stopped_by)
    if result.returncode != 0:
        log(f"FAILED (exit {result.returncode}): {job.db}")
        return 1
    return 1 if publish(job, log) != 0 else 0


class Stopped(Exception):
    """The run was asked to stop (SIGTERM, SIGINT, SIGHUP): no further archive is crawled."""


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def run_child(cmd: list[str]) -> tuple[subprocess.CompletedProcess, int]:
    """Run one crawl, passing on a signal that stops the run (a supervisor signals the run
    alone): the crawl ends cleanly, as interrupted, instead of living on unseen.
    Returns its result and the signal that stopped it (0: none)."""
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped: list[int] = []

    def forward(signum, frame):
        stopped.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in STOP_SIGNALS}
    try:
        out, err = child.communicate()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return subprocess.CompletedProcess(cmd, child.returncode, out, err), \
        (stopped[0] if stopped else 0)


def publish(job: Job, log) -> int:
    if job.publish_to:
        from .store import snapshot

        snapshot(job.db, job.publish_to)
        log(f"published a snapshot of {job.db} to {job.publish_to}")
    if job.hook:
        result = subprocess.run(job.hook, shell=True, env={**os.environ, "BLOGARCHIVE_DB": job.db})
        log(f"hook {shlex.quote(job.hook)} exited {result.returncode}")
        return result.returncode
    return 0


def cluster_seed_command():
    """The seeder of a cluster crawl, or a clear word when the cluster extra is missing."""
    try:
        import redis

        from .distributed.seeding import seed
    except ImportError as e:
        raise click.UsageError(f"crawling with Redis needs the cluster extra ({e}): "
                               "pip install 'blogarchive[cluster]'")

    def seed_command(redis_url: str, urls: list[str], full: bool = False) -> int:
        """Queue the blogs, say what was queued; the exit code."""
        try:
            result = seed(redis_url, urls, full)
        except (redis.RedisError, ValueError) as e:
            click.echo(f"error: cannot queue the blogs at {redis_url}: {e}", err=True)
            return 2
        click.echo(f"run {result['run']}: {result['seeded']} blogs seeded, {result['queued']} "
                   f"waiting at {redis_url}; start `blogarchive worker` and `blogarchive writer`")
        return 0

    return seed_command


@click.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False))
@click.option("--wait", default=0.0, metavar="SECONDS",
              help="If an earlier run still holds the lock, wait this long (default: exit 75).")
def run_command(config, wait):
    """Crawl every blog in a blogs.toml file (for cron, systemd timers and CI)."""
    jobs, options = load(config)
    log_path = options["log"]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        line = f"{dt.datetime.now().isoformat(timespec='seconds')} {message}"
        click.echo(line)
        if log_path:
            with open(log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    if options.get("redis"):
        seed_command = cluster_seed_command()
        target = options["redis"]
        urls = [url for job in jobs for url in job.urls]
        log(f"seeding {len(urls)} blogs for the writer of {target['db']} at {target['url']}")
        sys.exit(seed_command(target["url"], urls,
                              full=any(job.full for job in jobs)))
    try:
        with exclusive(Path(config).resolve(), wait=wait, what="scheduled run"):
            failed = 0
            with steps("crawling", total=len(jobs)) as progress:
                for job in jobs:
                    progress.describe(f"crawling {' '.join(job.urls)}")
                    failed += run_job(job, log_path, log)
                    progress.advance()
            log(f"done: {len(jobs) - failed} of {len(jobs)} archives ok")
    except Busy:
        click.echo(f"another scheduled run of {config} is still going; exiting", err=True)
        sys.exit(EXIT_LOCKED)
    except Stopped:
        sys.exit(1)
    sys.exit(1 if failed else 0)
