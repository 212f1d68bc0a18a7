"""Scale-out: a real redis-server, workers that each crawl whole blogs, one writer.

Each test starts its own redis-server on a free loopback port and stops it.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import FAST, ROOT, free_port, run_cli
from scraper.sample import BlogServer, make_blog
from scraper.warcfiles import slug as _slug

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None,
                                reason="redis-server is not installed (apt-get install redis-server)")

INTERVAL = 0.15  # seconds between two requests to one host, across all workers
WORKER = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1",
          "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", f"BLOGARCHIVE_HOST_INTERVAL={INTERVAL}",
          "-s", "BLOGARCHIVE_WORKER_TTL=3", "-s", "BLOGARCHIVE_WORKER_BLOGS=2"]
TABLES = ("blogs", "posts", "labels", "post_labels", "images", "post_images", "comments",
          "feed_entries", "fetches")


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    data = tmp_path / "redis"
    data.mkdir()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
         "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Cluster:
    """Workers and a writer as real `blogarchive` processes; all stopped at the end."""

    def __init__(self, redis_url: str, tmp: Path):
        self.redis_url, self.tmp = redis_url, tmp
        self.procs: list[subprocess.Popen] = []
        import redis

        self.r = redis.Redis.from_url(redis_url)

    def _start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}-{len(self.procs)}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "scraper.cli", *args], cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        proc.log_path = log.name
        self.procs.append(proc)
        return proc

    def worker(self, *args: str) -> subprocess.Popen:
        if "--warc-dir" not in args:  # one folder for the workers of this machine, as by default
            args = ("--warc-dir", str(self.tmp / "warc"), *args)
        return self._start("worker", ["worker", "--redis", self.redis_url, "--exit-when-done", *WORKER,
                                      *args])

    def writer(self, db: Path, env: dict | None = None) -> subprocess.Popen:
        return self._start("writer", ["writer", "--redis", self.redis_url, "--db", str(db),
                                      "--exit-when-done"], env)

    def seed(self, *urls: str) -> None:
        result = run_cli("crawl", "--redis", self.redis_url, *urls, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr

    def queue(self) -> dict:
        result = run_cli("queue", "--redis", self.redis_url, "--json", timeout=60, check=True)
        return json.loads(result.stdout)

    def leases(self) -> list[dict]:
        return [json.loads(v) for v in self.r.hgetall("blogarchive:leases").values()]

    def stat(self, name: str) -> int:
        return int(self.r.hget("blogarchive:stats", name) or 0)

    def wait(self, proc: subprocess.Popen, timeout: float) -> int:
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout}s:\n" + self.logs()) from None

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path}\n" + Path(p.log_path).read_text()[-3000:] for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture
def cluster(redis_url, tmp_path):
    c = Cluster(redis_url, tmp_path)
    try:
        yield c
    finally:
        c.stop()


class TimedServer(BlogServer):
    """The fixture blog, noting when each request arrives (before the page is rendered)."""

    def __init__(self, blog, **kwargs):
        self.arrivals: list[float] = []
        self.image_arrivals: list[float] = []
        super().__init__(blog, **kwargs)

    def _blog_response(self, path):
        self.arrivals.append(time.time())
        return super()._blog_response(path)

    def _image_response(self, path):
        self.image_arrivals.append(time.time())
        return super()._image_response(path)


def gaps(times: list[float]) -> list[float]:
    times = sorted(times)
    return [b - a for a, b in zip(times, times[1:])]


def busiest_window(times: list[float], span: float) -> int:
    """The most requests that arrived within any ``span`` seconds."""
    times = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > span:
            start += 1
        most = max(most, end - start + 1)
    return most


def check_captures(db_path: Path, folder: Path) -> list[tuple]:
    """Every `captures` row names a whole record that warcio reads back at its offset, for
    its URL, with the payload digest the row holds; every post has its page among them.
    Returns the rows (url, warc_file, post_id)."""
    from warcio.archiveiterator import ArchiveIterator

    from scraper.warcfiles import payload_digest

    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT url, warc_file, offset, length, status, digest, record_type, "
                        "post_id, fetched_at FROM captures").fetchall()
    pages = dict(conn.execute("SELECT post_id, url FROM captures WHERE post_id IS NOT NULL "
                              "AND status = 200 AND record_type = 'response'"))
    posts = conn.execute("SELECT id FROM posts").fetchall()
    conn.close()
    assert rows and {p for (p,) in posts} <= set(pages), "a post without its page as fetched"
    assert not list(folder.glob("*.open")), "every file sealed on a whole record"
    for url, name, offset, length, status, digest, kind, _, fetched_at in rows:
        assert fetched_at and length > 0
        with open(folder / name, "rb") as f:
            f.seek(offset)
            record = next(iter(ArchiveIterator(f, check_digests="raise")))
            assert (record.rec_type, record.rec_headers.get_header("WARC-Target-URI")) == (kind, url)
            assert int(record.http_headers.get_statuscode()) == status
            assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
            if kind == "response":
                assert payload_digest(record.raw_stream.read()) == digest
    return [(r[0], r[1], r[7]) for r in rows]


def post_requests(blog, server, since: int = 0) -> collections.Counter:
    paths = {p.path for p in blog.posts}
    return collections.Counter(r[1].split("?")[0] for r in server.requests[since:]
                               if r[1].split("?")[0] in paths)


def counts(db_path: Path) -> dict:
    db = sqlite3.connect(db_path)
    try:
        return {t: db.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in TABLES}
    finally:
        db.close()


def test_two_workers_one_writer_archive_every_post_once(tmp_path, cluster):
    blogs = [make_blog(layout, n_posts=30, seed=s) for layout, s in
             (("layout", 31), ("contempo", 32), ("classic", 33))]
    servers = [TimedServer(b) for b in blogs]
    try:
        # The single-process crawl of the same blogs: the reference.
        base_db = tmp_path / "single.db"
        result = run_cli("crawl", *[s.url for s in servers], "--db", str(base_db), *FAST, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        base_posts = [post_requests(b, s) for b, s in zip(blogs, servers)]
        base_pages = [sum(1 for r in s.requests if r[1] != "/robots.txt") for s in servers]
        marks = [len(s.requests) for s in servers]
        arrival_marks = [(len(s.arrivals), len(s.image_arrivals)) for s in servers]

        db = tmp_path / "distributed.db"
        cluster.seed(*[s.url for s in servers])
        # Two machines, as it were: each worker keeps its pages in its own folder.
        folders = [tmp_path / "machine-a", tmp_path / "machine-b"]
        workers = [cluster.worker("--warc-dir", str(f)) for f in folders]
        writer = cluster.writer(db)
        assert cluster.wait(writer, 60) == 0, cluster.logs()
        for w in workers:
            assert cluster.wait(w, 20) == 0, cluster.logs()

        # Every post archived exactly once, as the single-process crawl archived it.
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM posts").fetchone() == (90, 90)
        assert counts(db) == counts(base_db)
        ours = dict(conn.execute("SELECT id, content_hash FROM posts"))
        theirs = dict(sqlite3.connect(base_db).execute("SELECT id, content_hash FROM posts"))
        assert ours == theirs
        # One crawls row tells the whole distributed run.
        row = conn.execute("SELECT status, posts_new, posts_expected, pages FROM crawls").fetchall()
        assert len(row) == 1 and row[0][:3] == ("finished", 90, 90), row
        assert row[0][3] >= sum(base_pages)

        # Each post page was asked for once, however many workers: as many as in one process.
        for blog, server, mark, base in zip(blogs, servers, marks, base_posts):
            asked = post_requests(blog, server, mark)
            assert set(asked.values()) == {1}, asked.most_common(3)
            assert sum(asked.values()) == sum(base.values()) == 30
        # Feeds, sitemaps, listings too; only robots.txt is read by each worker.
        pages = [sum(1 for r in s.requests[m:] if r[1] != "/robots.txt") for s, m in zip(servers, marks)]
        assert pages == base_pages

        # The per-host interval held across both workers (the fixture servers' own clocks),
        # on the blogs and on their image hosts; both workers did part of the work.
        # Workers take a host's turn in Redis and send at once, but the arrival seen here
        # also carries each worker's event-loop delay (a page being parsed), which on a busy
        # machine can bring two arrivals close together although their turns were an
        # interval apart. So the test counts what a host feels, arrivals within any span of
        # WINDOW intervals: the gate lets at most WINDOW + 1 start, and a delayed one adds at
        # most two more however loaded the machine is; no gate (the single-process run above,
        # no delay, 8 at a time) brings far more.
        WINDOW = 10
        bound = WINDOW + 1 + 2
        single = servers[0].arrivals[:arrival_marks[0][0]]
        assert min(gaps(single)) < INTERVAL * 0.25
        for server, (mark, image_mark) in zip(servers, arrival_marks):
            for times in (server.arrivals[mark:], server.image_arrivals[image_mark:]):
                most = busiest_window(times, WINDOW * INTERVAL)
                print(f"{len(times)} requests, at most {most} within {WINDOW * INTERVAL:.1f} s")
                assert len(times) > bound and most <= bound, sorted(gaps(times))[:5]
        stats = cluster.queue()
        per_worker = list(stats["per_worker"].values())
        assert len(per_worker) == 2 and min(per_worker) > 0, stats["per_worker"]
        assert (stats["queued"], stats["in_flight"], stats["items_pending"], stats["items_writing"]) \
            == (0, 0, 0, 0)
        assert stats["run"]["state"] == "finished"

        # Each worker kept the pages it fetched in its own files, named by blog, run and
        # worker; gathered beside the archive, every post's page reads back as indexed.
        ids = {_slug(w) for w in stats["per_worker"]}
        gathered = Path(f"{db}.warc")
        gathered.mkdir()
        for folder in folders:
            names = [p.name for p in folder.iterdir()]
            assert names and all(n.endswith(".warc.gz") for n in names), names
            owners = {n for n in ids if all(f"-{n}-" in name for name in names)}
            assert len(owners) == 1, (owners, ids, names)
            for path in folder.iterdir():
                path.rename(gathered / path.name)
        check_captures(db, gathered)
    finally:
        for s in servers:
            s.stop()


def test_killed_worker_and_writer_lose_nothing(tmp_path, cluster):
    blogs = [make_blog("layout", n_posts=40, seed=s) for s in (41, 42)]
    servers = [BlogServer(b) for b in blogs]
    try:
        db = tmp_path / "archive.db"
        cluster.seed(*[s.url for s in servers])
        # one blog at a time each: the dead worker holds exactly one
        doomed, survivor = (cluster.worker("-s", "BLOGARCHIVE_WORKER_BLOGS=1"),
                            cluster.worker("-s", "BLOGARCHIVE_WORKER_BLOGS=1"))
        # This writer dies (SIGKILL, by its own hand) after its 60th SQLite commit and
        # before acknowledging that item: the worst moment.
        writer = cluster.writer(db, env={"BLOGARCHIVE_TEST_WRITER_CRASH_AFTER": "60"})

        deadline = time.time() + 40
        while cluster.stat(f"worker:{_worker_id(cluster, doomed)}:responses") < 10:
            assert time.time() < deadline, cluster.logs()
            time.sleep(0.05)
        doomed_id = _worker_id(cluster, doomed)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        held = [json.loads(lease["entry"])["host"] for lease in cluster.leases()
                if lease["worker"] == doomed_id]
        assert len(held) == 1, cluster.leases()

        assert cluster.wait(writer, 40) == -signal.SIGKILL, cluster.logs()
        assert cluster.r.llen("blogarchive:items:processing") == 1  # taken, written, not acknowledged
        posts_then = sqlite3.connect(db).execute("SELECT COUNT(*) FROM posts").fetchone()[0]
        assert posts_then < 80  # killed mid-run
        held_saved = sqlite3.connect(db).execute(
            "SELECT COUNT(*) FROM posts WHERE url LIKE ?", [f"http://{held[0]}/%"]).fetchone()[0]

        restarted = cluster.worker("-s", "BLOGARCHIVE_WORKER_BLOGS=1")
        writer = cluster.writer(db)
        assert cluster.wait(writer, 60) == 0, cluster.logs()
        for w in (survivor, restarted):
            assert cluster.wait(w, 20) == 0, cluster.logs()

        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM posts").fetchone() == (80, 80)
        assert conn.execute("SELECT COUNT(*) FROM post_labels").fetchone()[0] == sum(
            len(p.labels) for b in blogs for p in b.posts)
        crawls = conn.execute("SELECT status, posts_new, posts_unchanged, posts_expected FROM crawls"
                              ).fetchall()
        assert len(crawls) == 1 and crawls[0][0] == "finished" and crawls[0][3] == 80, crawls
        # Every post fetched; again only on the blog the killed worker held (crawled again
        # by the worker that took it back, less what the dead writer had saved and
        # acknowledged), never on the other.
        refetched = 0
        for blog, server in zip(blogs, servers):
            asked = post_requests(blog, server)
            assert set(p.path for p in blog.posts) == set(asked)
            if server.origin.split("//", 1)[1] not in held:
                assert set(asked.values()) == {1}, asked.most_common(3)
            refetched += sum(n - 1 for n in asked.values())
        assert refetched <= 40 - max(0, held_saved - 1), (refetched, held, held_saved)
        # Counts are at-least-once: a post fetched again, or the one item the dead writer had
        # committed but not acknowledged, counts as unchanged; never as a second new post.
        new, unchanged = crawls[0][1], crawls[0][2]
        assert 79 <= new <= 80 and new + unchanged <= 80 + refetched + 1, (crawls, refetched)
        # The dead worker's WARC file was sealed at its last whole record by the next crawl in
        # the folder; the blog taken back went to a new file of the worker that took it. Every
        # record indexed (the dead worker's pushed items included) reads back whole.
        folder = tmp_path / "warc"
        check_captures(db, folder)
        (blog_slug,) = {_slug(h) for h in held}
        writers = {p.name.split("-")[2] for p in folder.glob(f"{blog_slug}-*.warc.gz")}
        assert _slug(doomed_id) in writers and len(writers) == 2, writers
        stats = cluster.queue()
        assert (stats["queued"], stats["in_flight"], stats["items_pending"], stats["items_writing"]) \
            == (0, 0, 0, 0)
    finally:
        for s in servers:
            s.stop()


def _posts(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    except sqlite3.OperationalError:  # not made yet
        return 0
    finally:
        conn.close()


def test_a_worker_that_only_looked_dead_stops_crawling_the_blog_it_lost(tmp_path, cluster):
    # Paused (SIGSTOP) longer than its heartbeat lives, a worker's blog goes to another
    # worker; resumed, it must see the lease is gone and stop, not crawl the blog twice.
    blog = make_blog("layout", n_posts=20, seed=77, images=False)
    with BlogServer(blog) as server:
        db = tmp_path / "archive.db"
        cluster.seed(server.url)
        paused = cluster.worker("-s", "BLOGARCHIVE_WORKER_BLOGS=1")
        writer = cluster.writer(db)
        paused_id = _worker_id(cluster, paused)
        deadline = time.time() + 40
        while cluster.stat(f"worker:{paused_id}:responses") < 5:
            assert time.time() < deadline, cluster.logs()
            time.sleep(0.05)
        paused.send_signal(signal.SIGSTOP)
        before = sum(post_requests(blog, server).values())
        other = cluster.worker("-s", "BLOGARCHIVE_WORKER_BLOGS=1")
        other_id = _worker_id(cluster, other)
        deadline = time.time() + 40
        while cluster.stat(f"worker:{other_id}:responses") < 5:
            assert time.time() < deadline, cluster.logs()
            time.sleep(0.05)
        paused.send_signal(signal.SIGCONT)
        assert cluster.wait(writer, 60) == 0, cluster.logs()
        for w in (paused, other):
            assert cluster.wait(w, 20) == 0, cluster.logs()
        assert "lost the lease" in Path(paused.log_path).read_text()
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM posts").fetchone() == (20, 20)
        assert conn.execute("SELECT status FROM crawls").fetchall() == [("finished",)]
        # The other worker fetched the whole blog again (no --archive); the resumed one only
        # what it had already started (requests waiting at the host's gate), not the rest.
        after = sum(post_requests(blog, server).values()) - before
        assert after <= 20 + 15, (before, after)


def _worker_id(cluster: Cluster, proc: subprocess.Popen) -> str:
    deadline = time.time() + 30
    while time.time() < deadline:
        for key in cluster.r.scan_iter(match="blogarchive:worker:*"):
            worker = key.decode().split(":", 2)[2]
            if worker.split(":")[1] == str(proc.pid):
                return worker
        time.sleep(0.05)
    raise AssertionError("the worker never joined:\n" + cluster.logs())


def test_items_survive_the_queue_byte_for_byte():
    from scraper import items
    from scraper.distributed.transport import decode_item, encode_item
    from scraper.images import ImageInfo

    post = items.Post(id="1", blog_id="b", url="http://x/1.html", labels=["Kim Jong Un"],
                      images=[items.Image(position=0, src="s", full_url="f", alt=None)],
                      comments=[items.Comment(id="c1", body_text="ça")])
    image = items.ImageFile(key="k", url="u", body=bytes(range(256)),
                            info=ImageInfo(sha256="0" * 64, content_type="image/png", size=256,
                                           width=1, height=None))
    for item in (post, image, items.PostSeen(url="u"),
                 items.FeedEntries(blog_id="b", url="f", total=3, entries=[{"url": "u", "n": 1}])):
        assert decode_item(encode_item(item)) == item


def test_a_host_goes_to_one_worker_and_a_dead_workers_blogs_go_back(redis_url):
    from scraper.distributed.gate import HostGate
    from scraper.distributed.queue import BlogQueue, connect

    r = connect(redis_url)
    gone = BlogQueue(r, "elsewhere:1:gone")  # a worker with no heartbeat: dead
    # Seeds on one host are one entry: they share the host's politeness.
    assert gone.put(["http://a:8080/", "http://a:8080/other/", "http://b:8080/"]) == 2
    taken = [gone.take(), gone.take()]
    assert sorted((e["host"], len(e["urls"])) for e in taken) == [("a:8080", 2), ("b:8080", 1)]
    assert gone.take() is None
    # Another blog on a host being crawled waits for it, even for a live worker.
    gone.put(["http://a:8080/third/"])
    alive = BlogQueue(r, "here:2:alive")
    alive.heartbeat(60)
    assert alive.take() is None
    result = run_cli("queue", "--redis", redis_url, "--requeue-stale", "--json", check=True)
    assert "requeued 2 blogs" in result.stderr
    status = json.loads(result.stdout)
    assert (status["queued"], status["in_flight"]) == (3, 0)
    # Given back first in line: the live worker takes them before the one queued later.
    first, second = alive.take(), alive.take()
    assert {first["host"], second["host"]} == {"a:8080", "b:8080"}
    assert {first["id"], second["id"]} == {e["id"] for e in taken}
    assert alive.done(first) and not alive.done(first)
    assert [lease["worker"] for lease in alive.leases().values()] == ["here:2:alive"]
    if first["host"] == "a:8080":
        assert alive.take()["urls"] == ["http://a:8080/third/"]

    # Shared hosts (images): one request per interval across every worker.
    gate, other = HostGate(r, 0.5), HostGate(r, 0.5)
    assert gate.wait("http://img.example:8080/1.jpg") == 0
    wait = other.wait("http://img.example:8080/2.jpg")
    assert 0 < wait <= 0.5
    assert other.wait("http://c:8080/") == 0
    time.sleep(wait + 0.01)
    assert other.wait("http://img.example:8080/2.jpg") == 0


def test_a_lease_whose_crawl_makes_no_progress_goes_back_though_its_worker_lives(redis_url):
    from scraper.distributed.queue import BlogQueue, connect

    r = connect(redis_url)
    hung = BlogQueue(r, "here:1:hung")
    hung.heartbeat(60)  # alive all along: the heartbeat alone would keep both blogs forever
    hung.put(["http://a:8080/", "http://b:8080/"])
    stuck, moving = hung.take(timeout=1.0), hung.take(timeout=1.0)
    time.sleep(1.2)
    hung.progress(moving["id"])  # an answer just now: this crawl goes on
    assert hung.requeue_dead() == 1
    assert hung.mine() == {moving["id"]}
    status = hung.status()["leases"]
    assert list(status) == [moving["host"]] and status[moving["host"]]["idle_s"] < 1.0
    other = BlogQueue(r, "there:2:fine")
    other.heartbeat(60)
    assert other.take()["id"] == stuck["id"]  # first in line for another worker
    # Quiet since, `moving` goes back too; `stuck`, taken again without a timeout, waits for
    # its worker however quiet its crawl.
    time.sleep(1.2)
    assert other.requeue_dead() == 1 and other.mine() == {stuck["id"]}
    assert hung.mine() == set()


class HangsAtPost(BlogServer):
    """The fixture blog, whose answer to the ``at``-th post page asked waits until the test
    releases it."""

    def __init__(self, blog, at: int, **kwargs):
        self.release = threading.Event()
        self.at = at
        self.posts_asked = 0
        self.paths = {p.path for p in blog.posts}
        super().__init__(blog, **kwargs)

    def _blog_response(self, path):
        if path.split("?")[0] in self.paths:
            with self._lock:
                self.posts_asked += 1
                hang = self.posts_asked == self.at
            if hang:
                self.release.wait(60)
        return super()._blog_response(path)


def test_a_crawl_that_hangs_gives_its_blog_back_and_the_retake_skips_what_is_saved(tmp_path, cluster):
    # The crawl does all it can, then waits on the post that never answers while the
    # worker's heartbeat goes on. The worker has no archive (as on another machine): what
    # the writer saved reaches the crawl that takes the blog again through Redis.
    blog = make_blog("layout", n_posts=24, seed=78, images=False)
    server = HangsAtPost(blog, at=12)
    try:
        db = tmp_path / "archive.db"
        # Seeded from blogs.toml with a [redis] section: queued, nothing crawled by `run`.
        config = tmp_path / "blogs.toml"
        config.write_text(f'[redis]\nurl = "{cluster.redis_url}"\ndb = "{db}"\n\n'
                          f'[[blog]]\nurl = "{server.url}"\nallow_private = true\n')
        result = run_cli("run", str(config), timeout=60)
        assert result.returncode == 0 and "1 blogs seeded" in result.stdout, \
            result.stdout + result.stderr
        assert not db.exists()
        worker = cluster.worker("-s", "BLOGARCHIVE_LEASE_TIMEOUT=2", "-s", "BLOGARCHIVE_WORKER_BLOGS=1")
        writer = cluster.writer(db)
        deadline = time.time() + 60
        while "lost the lease" not in Path(worker.log_path).read_text():
            assert time.time() < deadline and worker.poll() is None, cluster.logs()
            time.sleep(0.1)
        while _posts(db) < 11:  # at least the eleven answered before the hang
            assert time.time() < deadline, cluster.logs()
            time.sleep(0.05)
        saved = _posts(db)  # the blog is taken again only after the release: no fewer then
        mark = len(server.requests)
        server.release.set()
        assert cluster.wait(writer, 60) == 0, cluster.logs()
        assert cluster.wait(worker, 20) == 0, cluster.logs()
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM posts").fetchone() == (24, 24)
        assert conn.execute("SELECT status FROM crawls").fetchall() == [("finished",)]
        # Taken again, the blog's crawl asked only for the posts not saved (the one that hung
        # is asked again: its answer came to a crawl that was stopping).
        asked = post_requests(blog, server, mark)
        print(f"taken again with {saved} of 24 posts saved: {sum(asked.values())} post pages asked")
        assert set(asked.values()) <= {1} and sum(asked.values()) <= 24 - saved, (saved, asked)
        assert "already saved are skipped" in Path(worker.log_path).read_text()
    finally:
        server.release.set()
        server.stop()


@pytest.fixture
def small_disk(tmp_path):
    """A tiny filesystem of our own (needs root and mount; skipped elsewhere)."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a small filesystem")
    where = tmp_path / "disk"
    where.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(where)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield where
    if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_full_disk_stops_the_writer_clearly_and_the_items_wait(tmp_path, cluster, small_disk):
    blog = make_blog("layout", n_posts=40, seed=76)  # with images, kept in the database
    with BlogServer(blog) as server:
        db = small_disk / "archive.db"
        cluster.seed(server.url)
        worker = cluster.worker()
        writer = cluster.writer(db)
        assert cluster.wait(writer, 60) == 1, cluster.logs()
        said = Path(writer.log_path).read_text()
        assert "cannot write the archive" in said and "disk is full" in said, said[-3000:]
        assert "free some space and start the writer again" in said
        assert "Traceback" not in said, said[-3000:]
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
        conn.close()
        assert kept < 40
        assert cluster.r.llen("blogarchive:items") > 0  # not lost: waiting for room
        assert cluster.r.llen("blogarchive:items:processing") == 0
        # Room again: a writer goes on with the same run and finishes it.
        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
        writer = cluster.writer(db)
        assert cluster.wait(writer, 60) == 0, cluster.logs()
        assert cluster.wait(worker, 20) == 0, cluster.logs()
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM posts").fetchone() == (40, 40)
        assert conn.execute("SELECT status FROM crawls").fetchall() == [("finished",)]
        conn.close()


def test_a_worker_whose_warc_folder_fills_gives_its_blog_back_and_stops(tmp_path, cluster, small_disk):
    blog = make_blog("layout", n_posts=20, seed=80, images=False)
    with BlogServer(blog) as server:
        db = tmp_path / "archive.db"
        (small_disk / "filler").write_bytes(b"x" * (shutil.disk_usage(small_disk).free - 25_000))
        cluster.seed(server.url)
        full = cluster.worker("--warc-dir", str(small_disk / "warc"))
        writer = cluster.writer(db)
        full_id = _worker_id(cluster, full)
        deadline = time.time() + 40
        while not any(lease["worker"] == full_id for lease in cluster.leases()):
            assert time.time() < deadline and full.poll() is None, cluster.logs()
            time.sleep(0.05)
        # Another worker with room, waiting for the blog to come back to the queue.
        roomy = cluster.worker()
        assert cluster.wait(full, 60) == 1, cluster.logs()
        said = Path(full.log_path).read_text()
        assert "takes no more records" in said and "free some space" in said, said[-3000:]
        assert "Traceback" not in said, said[-3000:]
        # The other worker finishes the blog; every record indexed reads back whole, those
        # of the full folder (up to its last whole record) included.
        assert cluster.wait(writer, 60) == 0, cluster.logs()
        assert cluster.wait(roomy, 20) == 0, cluster.logs()
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM posts").fetchone() == (20, 20)
        conn.close()
        gathered = Path(f"{db}.warc")
        gathered.mkdir()
        for folder in (small_disk / "warc", tmp_path / "warc"):
            for path in folder.glob("*.warc.gz"):
                shutil.copy(path, gathered / path.name)
        check_captures(db, gathered)
