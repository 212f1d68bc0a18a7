"""Scale-out throughput: 1, 2 and 4 workers (+ one writer) vs the single-process crawl, one run.

    python bench/distributed.py                       # 20 blogs × 50 posts, ~3 minutes
    python bench/distributed.py --blogs 20 --posts 50 --workers 1 2 4 --repeat 1 --json out.json
    python bench/distributed.py --memory-only --queued-blogs 100000

What it does:
1. serves N fixture blogs (scraper.sample, Blogger layouts, rotating classic/layout/
   Contempo) from a separate process (so the servers' CPU is not ours), and crawls
   them once to warm the servers' page caches (not measured);
2. the baseline: `blogarchive crawl URL…` of all blogs in one process, images off,
   16 requests at a time, no politeness delay (these are our own local servers);
3. for each worker count: a fresh redis-server, `crawl --redis` (seed), K
   `blogarchive worker`s and one `blogarchive writer`, same settings and no per-host
   interval; the clock runs from seeding to the writer's exit (every post in SQLite).
   Also "steady" posts/s: between 10% and 90% of the posts written (process start-up
   of ~1-2 s per process excluded);
4. the writer's ceiling: two workers fill the item list (no writer running), then
   the writer alone drains it: posts/s one SQLite writer can take;
5. Redis memory per million queued blogs (the queue holds blogs; each worker keeps
   its blogs' requests in its own Scrapy scheduler).

CPU is the sum over the crawl's processes (getrusage of children); the fixture
servers are not in it. Read the figures knowing this machine has 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# bench/ must not come first on sys.path: a script there named like a package would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(ROOT)]
PYTHON = sys.executable
CLI = [PYTHON, "-m", "scraper.cli"]
FAST = ["-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "BLOGARCHIVE_IMAGES=none",
        "-s", "LOG_LEVEL=WARNING", "-s", "BLOGARCHIVE_PROGRESS=off"]
DISTRIBUTED = ["-s", "BLOGARCHIVE_HOST_INTERVAL=0"]

SERVE = r"""
import json, sys
from scraper.sample import BlogServer, make_blog
n, posts = int(sys.argv[1]), int(sys.argv[2])
layouts = ["layout", "contempo", "classic"]
servers = [BlogServer(make_blog(layouts[i % 3], n_posts=posts, seed=500 + i)) for i in range(n)]
print(json.dumps([s.url for s in servers]), flush=True)
sys.stdin.read()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_children() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


class Redis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.dir = workdir / f"redis-{self.port}"
        self.dir.mkdir()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        self.client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def count_posts(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def watch(db: Path, total: int, procs: list, done, timeout: float) -> dict:
    """Poll the archive: when 10% and 90% of the posts were written, until done()."""
    started = time.perf_counter()
    marks = {}
    while not done():
        n = count_posts(db)
        now = time.perf_counter() - started
        for share in (0.1, 0.9):
            if share not in marks and n >= share * total:
                marks[share] = now
        if now > timeout:
            for p in procs:
                p.kill()
            raise RuntimeError(f"no end after {timeout}s ({n} posts)")
        time.sleep(0.1)
    wall = time.perf_counter() - started
    posts = count_posts(db)
    steady = (0.8 * total / (marks[0.9] - marks[0.1])
              if 0.1 in marks and 0.9 in marks and marks[0.9] > marks[0.1] else None)
    return {"wall_s": round(wall, 2), "posts": posts, "posts_per_s": round(posts / wall, 1),
            "steady_posts_per_s": round(steady, 1) if steady else None}


def single(urls: list[str], workdir: Path, total: int) -> dict:
    db = workdir / "single.db"
    cpu = cpu_children()
    proc = subprocess.Popen([*CLI, "crawl", *urls, "--db", str(db), "--quiet", *FAST], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result = watch(db, total, [proc], lambda: proc.poll() is not None, 1800)
    result["cpu_s"] = round(cpu_children() - cpu, 1)
    result["mode"] = "single process"
    return result


def distributed(urls: list[str], workers: int, workdir: Path, total: int) -> dict:
    redis = Redis(workdir)
    db = workdir / f"distributed-{workers}.db"
    procs = []
    try:
        cpu = cpu_children()
        started = time.perf_counter()
        seed = subprocess.run([*CLI, "crawl", "--redis", redis.url, *urls, *FAST], cwd=ROOT,
                              capture_output=True, text=True)
        if seed.returncode:
            raise RuntimeError(seed.stderr[-2000:])
        logs = workdir / f"logs-{workers}"
        logs.mkdir()
        for i in range(workers):
            procs.append(subprocess.Popen(
                [*CLI, "worker", "--redis", redis.url, "--exit-when-done", "--quiet", *FAST, *DISTRIBUTED,
                 "--warc-dir", str(workdir / f"warc-{workers}-{i}")],  # pages as fetched, as `single`
                cwd=ROOT, stdout=open(logs / f"worker-{i}.log", "w"), stderr=subprocess.STDOUT))
        writer = subprocess.Popen([*CLI, "writer", "--redis", redis.url, "--db", str(db),
                                   "--exit-when-done", "--quiet", *FAST],
                                  cwd=ROOT, stdout=open(logs / "writer.log", "w"), stderr=subprocess.STDOUT)
        procs.append(writer)
        result = watch(db, total, procs, lambda: writer.poll() is not None, 1800)
        result["wall_s"] = round(time.perf_counter() - started, 2)  # from seeding
        result["posts_per_s"] = round(result["posts"] / result["wall_s"], 1)
        for p in procs:
            p.wait(timeout=60)
        result["cpu_s"] = round(cpu_children() - cpu, 1)
        stats = {k.decode(): int(v) for k, v in redis.client.hgetall("blogarchive:stats").items()}
        result["requests"] = stats.get("requests")
        result["per_worker_responses"] = sorted(v for k, v in stats.items() if k.startswith("worker:"))
        result["mode"] = f"{workers} worker{'s' if workers > 1 else ''} + writer"
        return result
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        redis.stop()


def writer_alone(urls: list[str], workdir: Path, total: int, workers: int = 2) -> dict:
    """The writer's ceiling: workers fill the item queue first, then the writer drains it."""
    redis = Redis(workdir)
    db = workdir / "writer-alone.db"
    procs = []
    try:
        seed = subprocess.run([*CLI, "crawl", "--redis", redis.url, *urls, *FAST], cwd=ROOT,
                              capture_output=True, text=True)
        if seed.returncode:
            raise RuntimeError(seed.stderr[-2000:])
        for i in range(workers):
            procs.append(subprocess.Popen([*CLI, "worker", "--redis", redis.url, "--quiet", *FAST,
                                           *DISTRIBUTED, "--warc-dir", str(workdir / f"warc-alone-{i}")],
                                          cwd=ROOT, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        r = redis.client
        deadline = time.time() + 1800
        while r.llen("blogarchive:blogs") or r.hlen("blogarchive:leases") or \
                r.llen("blogarchive:items") < total:
            if time.time() > deadline:
                raise RuntimeError("the workers never finished")
            time.sleep(0.2)
        time.sleep(1)
        items = r.llen("blogarchive:items")
        cpu = cpu_children()
        started = time.perf_counter()
        writer = subprocess.run([*CLI, "writer", "--redis", redis.url, "--db", str(db),
                                 "--exit-when-done", "--quiet", *FAST], cwd=ROOT,
                                capture_output=True, text=True)
        wall = time.perf_counter() - started
        return {"mode": "writer alone (queue full)", "items": items, "posts": count_posts(db),
                "wall_s": round(wall, 2), "posts_per_s": round(count_posts(db) / wall, 1),
                "items_per_s": round(items / wall), "cpu_s": round(cpu_children() - cpu, 1),
                "steady_posts_per_s": None, "exit": writer.returncode}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.stop()


def memory(workdir: Path, blogs: int) -> dict:
    """Redis bytes per queued blog (the queue holds blogs now, not requests)."""
    from scraper.distributed.queue import BlogQueue

    redis = Redis(workdir)
    try:
        r = redis.client
        base = r.info("memory")["used_memory"]
        queue = BlogQueue(r)
        for start in range(0, blogs, 1000):
            queue.put([f"https://blog{i:06d}.blogspot.com/" for i in range(start, min(blogs, start + 1000))])
        queued = r.info("memory")["used_memory"] - base
        return {"blogs": blogs, "mb_per_million_blogs_queued": round(queued / blogs * 1e6 / 2**20)}
    finally:
        redis.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blogs", type=int, default=20)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--queued-blogs", type=int, default=100_000, help="for the memory measure")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--writer-only", action="store_true", help="only the writer-alone measure")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        print("redis-server is not installed", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    results = {"cores": os.cpu_count(), "blogs": args.blogs, "posts_per_blog": args.posts, "runs": []}
    try:
        if not args.memory_only:
            server = subprocess.Popen([PYTHON, "-c", SERVE, str(args.blogs), str(args.posts)], cwd=ROOT,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            urls = json.loads(server.stdout.readline())
            total = args.blogs * args.posts
            try:
                warm = workdir / "warm"
                warm.mkdir()
                single(urls, warm, total)  # fills the servers' page caches
                for _ in range(args.repeat):
                    for run in [None, *args.workers]:
                        if args.writer_only:
                            break
                        sub = Path(tempfile.mkdtemp(dir=workdir))
                        row = single(urls, sub, total) if run is None else distributed(urls, run, sub, total)
                        results["runs"].append(row)
                        print(json.dumps(row), flush=True)
                    row = writer_alone(urls, Path(tempfile.mkdtemp(dir=workdir)), total)
                    results["runs"].append(row)
                    print(json.dumps(row), flush=True)
            finally:
                server.stdin.close()
                server.wait(timeout=30)
        results["memory"] = memory(workdir, args.queued_blogs)
        print(json.dumps(results["memory"]), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"{'mode':22} {'posts':>6} {'wall s':>7} {'posts/s':>8} {'steady/s':>9} {'CPU s':>6}")
    for row in results["runs"]:
        print(f"{row['mode']:22} {row['posts']:>6} {row['wall_s']:>7} {row['posts_per_s']:>8} "
              f"{row['steady_posts_per_s'] or '-':>9} {row['cpu_s']:>6}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
