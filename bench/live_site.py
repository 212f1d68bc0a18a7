"""A fixture blog of any size served on the fly: each page rendered when asked for, none on disk.

    python bench/live_site.py make --posts 100000 --out /tmp/live-100k     # site.json + posts.txt
    python bench/live_site.py serve /tmp/live-100k --log /tmp/access.log   # until Ctrl-C
    python bench/crawl.py /tmp/live-100k --no-wget --no-server-measure

A built site of 100,000 posts (make_site.py build) would be about a million files and 60 GB.
Here the blog is drawn from its seed exactly as make_site.py draws it (same posts, images
and labels) and each answer comes from the same renderer the build writes to disk, so a
page has the same markup either way. The server runs in its own process, started by
bench/crawl.py (benchlib.serve), so its CPU is never counted as the crawler's: it is
reported apart as the server's. Its access log has nginx's fields (port, status, bytes,
request URI), one request a line, for the same figures as a built site.

wget --mirror would fetch every page the blog has (a million at 100k posts), so the crawl
bench skips it for such sites (--no-wget).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# bench/ must not come first on sys.path: a script there named like a package would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]
import benchlib  # noqa: E402
from benchlib import BLOG_HOST, IMAGE_HOST  # noqa: E402


def make(out: Path, n_posts: int, seed: int = 8, template: str = "layout", port: int = 0,
         image_port: int = 0) -> benchlib.Site:
    """The site's manifest and post list; the pages are rendered when served."""
    from make_site import make_sample

    blog = make_sample(n_posts, seed, template, robots_allow_search=False)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"posts": n_posts, "seed": seed, "template": template, "live": True,
                "port": port or benchlib.free_port(BLOG_HOST),
                "image_port": image_port or benchlib.free_port(IMAGE_HOST),
                "pages": None, "robots_disallow_search": True}
    (out / "posts.txt").write_text("\n".join(sorted(p.path for p in blog.posts)) + "\n")
    (out / "site.json").write_text(json.dumps(manifest, indent=2))
    return benchlib.Site(out, manifest)


def serve(site: benchlib.Site, log_path: Path, ready=None) -> None:
    """Answer on the site's two ports until interrupted; every request a line in log_path."""
    from make_site import make_sample, renderer

    m = site.manifest
    blog = make_sample(m["posts"], m["seed"], m["template"], robots_allow_search=False)
    pages = renderer(blog, site.port, site.image_port)
    log = open(log_path, "a", buffering=1)
    lock = threading.Lock()

    def handler(port: int, respond):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                try:
                    answer = respond(self.path)
                    status, ctype, body = answer.status, answer.ctype, answer.body
                except Exception as exc:  # a fixture bug must answer, not hang the crawl
                    status, ctype, body = 500, "text/plain", repr(exc).encode()
                with lock:
                    log.write(f'{port} {status} {len(body)} "{self.path}"\n')
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    servers = [ThreadingHTTPServer((BLOG_HOST, site.port), handler(site.port, pages._blog_response)),
               ThreadingHTTPServer((IMAGE_HOST, site.image_port),
                                   handler(site.image_port, pages._image_response))]
    threads = []
    for httpd in servers:
        httpd.daemon_threads = True
        threads.append(threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        daemon=True))
        threads[-1].start()
    print(f"blog {site.url}  images {site.image_url}  ({m['posts']} posts, rendered when asked)", flush=True)
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make", help="write the manifest of a site served on the fly")
    m.add_argument("--posts", type=int, default=100000)
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--seed", type=int, default=8)
    m.add_argument("--template", default="layout", choices=["layout", "classic", "contempo"])
    s = sub.add_parser("serve", help="serve it until Ctrl-C")
    s.add_argument("root", type=Path)
    s.add_argument("--log", type=Path, default=Path("/dev/null"))
    args = parser.parse_args(argv)
    if args.cmd == "make":
        site = make(args.out, args.posts, args.seed, args.template)
        print(f"{site.root}: {args.posts} posts, served at {site.url} by `live_site.py serve`")
    else:
        serve(benchlib.Site.load(args.root), args.log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
