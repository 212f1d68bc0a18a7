"""Write a Blogger-style fixture blog of N posts to disk, and serve it with a fast static server.

    python bench/make_site.py build --posts 10000 --out /tmp/site-10k        # render to disk
    python bench/make_site.py serve /tmp/site-10k                            # nginx (or --server python)
    python bench/make_site.py measure /tmp/site-10k                          # the server alone (wrk)

Every page is rendered by scraper.sample (the fake Blogger the tests use),
in-process, by walking the site's own links from the home page, robots.txt,
the sitemap and the feeds: home, "Older posts" /search pages, year and month
archives, label pages (with their paging), post pages with their ?m=1 and
?showComment= copies, the Atom feed paged with start-index (also ordered by
update), RSS, per-post comment feeds, sitemap index and pages, robots.txt,
favicon. Identical bodies are hard links. Images (thumbnail, s1600, s0 and the
feed's s72-c of every image in a post) go to a second host, 127.0.0.2, as
Blogger's image hosts are another host: `wget --mirror` stays off it.

robots.txt is Blogger's own (`Disallow: /search`) unless --robots-allow-search:
the /search and label pages exist on disk either way, as they do on Blogger.

Bodies are 300-2,000 words; labels long-tailed; 0-5 images a post; comments
on about half the posts. Absolute links carry the ports given at build time,
so a site is served on the ports it was built for (site.json).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

BENCH = Path(__file__).resolve().parent
# bench/ must not come first on sys.path: a script there named like a package would shadow it. Appended instead, for `import benchlib`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]
import benchlib  # noqa: E402
from benchlib import BLOG_HOST, IMAGE_HOST, SUFFIX_OF, Site, page_file  # noqa: E402

LINK_RE = re.compile(r"""(?:href|src|value)\s*=\s*(['"])(.*?)\1|<loc>\s*(.*?)\s*</loc>|^Sitemap:\s*(\S+)""", re.M)
IMAGE_PATH = "/img/b/R29vZ2xl/{id}/{size}/{name}"


def make_sample(n_posts: int, seed: int, template: str, robots_allow_search: bool, words=(300, 2000)):
    from scraper.sample import make_blog

    blog = make_blog(template, n_posts=n_posts, seed=seed, words=words, image_faults=False,
                     robots_disallow_search=not robots_allow_search)
    # make_blog gives 0-3 images a post; the benchmark wants 0-5, drawn from the same pool.
    rng = random.Random(seed + 1)
    pool = list({id(i): i for p in blog.posts for i in p.images}.values())
    for post in blog.posts:
        target = rng.choice([0, 1, 1, 2, 2, 3, 4, 5])
        while pool and len(post.images) < target:
            image = rng.choice(pool)
            if image not in post.images:
                post.images.append(image)
                post.image_after.append(rng.randrange(0, 7))
    blog.touch()
    return blog


def renderer(blog, port: int, image_port: int):
    """The sample BlogServer's router, answering in-process for the final origins."""
    from scraper.sample import BlogServer

    server = BlogServer(blog)
    server.stop()  # only its router is used
    server.origin = f"http://{BLOG_HOST}:{port}"
    server.image_origin = f"http://{IMAGE_HOST}:{image_port}"
    server.url, server.image_url = server.origin + "/", server.image_origin + "/"
    return server


def build(out: Path, n_posts: int, seed: int = 8, port: int = 0, image_port: int = 0,
          template: str = "layout", images: bool = True, robots_allow_search: bool = False,
          search_pages: bool = True, words=(300, 2000), quiet: bool = False) -> Site:
    started = time.perf_counter()
    port = port or benchlib.free_port(BLOG_HOST)
    image_port = image_port or benchlib.free_port(IMAGE_HOST)
    if out.exists():
        shutil.rmtree(out)
    (out / "blog").mkdir(parents=True)
    (out / "img").mkdir()
    blog = make_sample(n_posts, seed, template, robots_allow_search, words)
    server = renderer(blog, port, image_port)
    origin = server.origin

    from scraper.platforms import blogger

    seeds = ["/", "/robots.txt", "/sitemap.xml", "/favicon.ico"]
    seeds += [urlsplit(u)._replace(scheme="", netloc="").geturl()
              for u in blogger.feed_candidates(origin + "/") + [blogger.changes_feed_url(origin + "/")]]
    # Comment feeds as the crawler asks for them when a page shows fewer comments than the feed.
    seeds += [urlsplit(blogger.comment_feed_url(p.post_id, origin + p.path)).path + "?max-results=200"
              for p in blog.posts]
    queue, seen = deque(), set()
    for s in seeds:
        seen.add(s)
        queue.append(s)
    by_hash: dict = {}
    kinds: Counter = Counter()
    written = raw_bytes = 0
    from scraper.progress import steps

    progress_done = 0
    with steps("writing the site's pages") as progress:
        while queue:
            # Links are found as pages are written: the total grows as the walk goes.
            progress.total(progress_done + len(queue))
            progress.advance()
            progress_done += 1
            target = queue.popleft()
            split = urlsplit(target)
            if not search_pages and split.path.startswith("/search"):
                continue
            response = server._blog_response(target)
            if response.status != 200:
                kinds[f"status {response.status}"] += 1
                continue
            suffix = SUFFIX_OF.get(response.ctype.split(";")[0], "html")
            path = page_file(out, split.path, split.query, suffix)
            if path.exists():
                continue
            _write_once(path, response.body, by_hash)
            written += 1
            raw_bytes += len(response.body)
            kinds[_kind(split.path, split.query)] += 1
            if suffix in ("html", "atom", "xml", "txt", "rss"):
                for link in _links(response.body.decode("utf-8", "replace"), origin):
                    if link not in seen:
                        seen.add(link)
                        queue.append(link)
    posts = sorted(p.path for p in blog.posts)
    (out / "posts.txt").write_text("\n".join(posts) + "\n")
    image_files = image_bytes = 0
    if images:
        image_files, image_bytes = _write_images(out, blog, server)
    labels = blog.label_counts()
    manifest = {
        "posts": n_posts, "seed": seed, "template": template, "port": port, "image_port": image_port,
        "robots_disallow_search": not robots_allow_search, "search_pages": search_pages,
        "pages": written, "page_bytes": raw_bytes, "unique_page_files": len(by_hash),
        "images": len({id(i) for p in blog.posts for i in p.images}),
        "image_files": image_files, "image_bytes": image_bytes,
        "image_placements": sum(len(p.images) for p in blog.posts),
        "comments": sum(len(p.comments) for p in blog.posts),
        "labels": len(labels), "label_counts_top": sorted(labels.values(), reverse=True)[:5],
        "words_per_post_sample": _words_sample(blog),
        "kinds": dict(kinds), "build_seconds": round(time.perf_counter() - started, 1),
        "feed_url": origin + "/feeds/posts/default",
    }
    (out / "site.json").write_text(json.dumps(manifest, indent=2))
    if not quiet:
        print(json.dumps({k: v for k, v in manifest.items() if k != "kinds"}, indent=None))
        print("pages by kind:", dict(kinds.most_common()))
    return Site(out, manifest)


def _write_once(path: Path, body: bytes, by_hash: dict) -> None:
    """Write body at path; a body already written elsewhere becomes a hard link to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(body).digest()
    if digest in by_hash:
        os.link(by_hash[digest], path)
    else:
        path.write_bytes(body)
        by_hash[digest] = path


def _words_sample(blog) -> list:
    posts = blog.sorted_posts()
    picked = posts[:: max(1, len(posts) // 20)][:20]
    counts = sorted(sum(len(par.split()) for par in p.paragraphs) for p in picked)
    return [counts[0], counts[len(counts) // 2], counts[-1]] if counts else []


def _kind(path: str, query: str) -> str:
    if benchlib.POST_RE.match(path):
        return "post" + (" (?" + query.split("=")[0] + ")" if query else "")
    if path.startswith("/search/label/"):
        return "label" + (" paged" if query else "")
    if path.startswith("/search"):
        return "search"
    if path.startswith("/feeds/posts/"):
        return "feed"
    if path.startswith("/feeds/"):
        return "comment feed"
    if re.match(r"^/\d{4}/(\d{2}/)?$", path):
        return "archive"
    if path == "/":
        return "home" + (" (toggle)" if "toggle" in query else "")
    return path


def _links(text: str, origin: str):
    for match in LINK_RE.finditer(text):
        url = html.unescape(next(g for g in match.groups()[1:] if g is not None)).strip()
        url = url.split("#", 1)[0]
        if url.startswith(origin + "/"):
            yield url[len(origin):]
        elif url == origin:
            yield "/"


def _image_jobs(blog, server) -> list:
    from scraper.sample.markup import thumb

    jobs = {}
    for post in blog.posts:
        for n, image in enumerate(post.images):
            sizes = ["s0", "s1600", thumb(image)[0]] + (["s72-c"] if n == 0 else [])
            for size in sizes:
                jobs[(image.image_id, size)] = IMAGE_PATH.format(id=image.image_id, size=size,
                                                                 name=quote(image.name))
    return sorted(jobs.values())


_SERVER = None


def _render_images(args):
    out, paths = args
    files = size = 0
    by_hash = {}
    for path in paths:
        response = _SERVER._image_response(path)
        if response.status != 200:
            continue
        target = Path(out) / "img" / unquote(path).lstrip("/")
        _write_once(target, response.body, by_hash)
        files += 1
        size += len(response.body)
    return files, size


def _write_images(out: Path, blog, server) -> tuple:
    global _SERVER
    _SERVER = server
    paths = _image_jobs(blog, server)
    # One chunk per image id keeps s0/s1600 in one worker (hard links).
    chunks, current, last = [], [], None
    for p in paths:
        image_id = p.split("/")[4]
        if image_id != last and len(current) > 200:
            chunks.append((str(out), current))
            current = []
        current.append(p)
        last = image_id
    if current:
        chunks.append((str(out), current))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(min(2, os.cpu_count() or 1)) as pool:
        results = pool.map(_render_images, chunks)
    return sum(r[0] for r in results), sum(r[1] for r in results)


def measure(site: Site, server_kind: str = "auto", seconds: int = 10, connections: int = 16) -> dict:
    """The static server alone: wrk over the URLs a crawl asks for (posts, feed pages, sitemaps)."""
    with benchlib.serve(site, server_kind) as server:
        return measure_running(site, server, seconds, connections)


def measure_running(site: Site, server, seconds: int = 10, connections: int = 16) -> dict:
    import subprocess

    urls = sorted(site.post_paths())
    urls += [f"/feeds/posts/default?start-index={i}&max-results=25" for i in range(26, site.manifest["posts"], 25)]
    urls += ["/", "/robots.txt", "/sitemap.xml", "/feeds/posts/default"]
    cpu = getattr(server, "cpu_seconds", None)
    if not shutil.which("wrk"):
        result = _python_client(site, urls, connections, seconds)
        result["server"] = type(server).__name__
        return result
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    try:
        script.write_text(
            "local paths = {" + ",".join(json.dumps(u) for u in urls) + "}\n"
            "local i = 0\n"
            "request = function()\n  i = i + 1\n"
            "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
        cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), site.url]
        cpu0 = cpu() if cpu else None
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        cpu1 = cpu() if cpu else None
    finally:
        script.unlink()
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    transfer = re.search(r"Transfer/sec:\s*([\d.]+)(\w+)", out)
    scale = {"B": 1e-6, "KB": 1e-3, "MB": 1, "GB": 1e3}[transfer.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    return {"tool": "wrk", "server": type(server).__name__, "connections": connections, "seconds": seconds,
            "requests_per_s": rps, "MB_per_s": round(float(transfer.group(1)) * scale, 1),
            "server_cpu_ms_per_request": (round((cpu1 - cpu0) / (rps * seconds) * 1000, 4)
                                          if cpu0 is not None else None),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def _python_client(site: Site, urls: list, connections: int, seconds: int) -> dict:
    """Without wrk: an asyncio (aiohttp) client, enough to show the server outruns the crawler."""
    import asyncio

    import aiohttp

    async def run():
        done = size = 0
        stop = time.perf_counter() + seconds
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
            async def worker(k):
                nonlocal done, size
                i = k
                while time.perf_counter() < stop:
                    async with session.get(site.url.rstrip("/") + urls[i % len(urls)]) as r:
                        size += len(await r.read())
                    done += 1
                    i += connections
            started = time.perf_counter()
            await asyncio.gather(*(worker(k) for k in range(connections)))
            elapsed = time.perf_counter() - started
        return {"tool": "aiohttp", "requests_per_s": done / elapsed, "MB_per_s": size / elapsed / 1e6,
                "connections": connections, "seconds": seconds}

    return asyncio.run(run())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="render a site to disk")
    b.add_argument("--posts", type=int, default=1000)
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--seed", type=int, default=8)
    b.add_argument("--port", type=int, default=0)
    b.add_argument("--image-port", type=int, default=0)
    b.add_argument("--template", default="layout", choices=["layout", "classic", "contempo"])
    b.add_argument("--no-images", action="store_true")
    b.add_argument("--no-search-pages", action="store_true",
                   help="skip /search and label pages (100k-post sites: they are most of the files)")
    b.add_argument("--robots-allow-search", action="store_true")
    s = sub.add_parser("serve", help="serve a built site until Ctrl-C")
    s.add_argument("root", type=Path)
    s.add_argument("--server", default="auto", choices=["auto", "nginx", "python"])
    m = sub.add_parser("measure", help="the static server alone")
    m.add_argument("root", type=Path)
    m.add_argument("--server", default="auto", choices=["auto", "nginx", "python"])
    m.add_argument("--seconds", type=int, default=10)
    m.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    if args.cmd == "build":
        build(args.out, args.posts, args.seed, args.port, args.image_port, args.template,
              images=not args.no_images, robots_allow_search=args.robots_allow_search,
              search_pages=not args.no_search_pages)
    elif args.cmd == "serve":
        site = Site.load(args.root)
        with benchlib.serve(site, args.server):
            print(f"blog {site.url}  images {site.image_url}  (Ctrl-C stops)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    else:
        print(json.dumps(measure(Site.load(args.root), args.server, args.seconds, args.connections)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
