"""Extraction quality, measured: blogarchive's parsers against trafilatura, readability-lxml
and a plain html-to-text baseline, on the same pages, in one run.

Two page sets, both in the format of the public article-extraction benchmark
(``html/<id>.html.gz`` + ``ground-truth.json`` = ``{id: {"url": …, "articleBody": …}}``):

- ``../shared/corpus/extraction/`` (181 real news and blog pages), when present;
- a set generated here from the project's own fixture blogs (Blogger classic,
  layout and Contempo; WordPress Twenty Ten and block theme; a hand-made blog),
  whose ground truth is what each page shows (``--fixtures-out DIR`` keeps it);
- the theme fixtures (``scraper.sample.themes``: 11 WordPress themes, 7 other
  generators), where every field is scored — title, day, labels, author, body —
  against trafilatura's metadata in the same run. The article-extraction
  benchmark's truth holds only the body (``articleBody``), so its table is body F1.

Score: precision and recall over 4-token shingles (lower-cased ``\\w+`` tokens,
multiset overlap) per page, averaged over pages; F1 from the averages (the
benchmark's own convention). A page where an extractor returns nothing scores 0.

    python bench/extraction.py                 # both sets, full
    python bench/extraction.py --smoke         # a few pages of each (seconds)
    python bench/extraction.py --only fixtures --by-platform
    python bench/extraction.py --only themes       # every field on the theme fixtures
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A script in bench/ named like a package would shadow it: import from the project root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "extraction"
TOKEN = re.compile(r"\w+", re.UNICODE)


# -- the metric ----------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter:
    tokens = TOKEN.findall((text or "").lower())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def precision_recall(expected: str, predicted: str) -> tuple[float, float]:
    want, got = shingles(expected), shingles(predicted)
    if not want and not got:
        return 1.0, 1.0
    overlap = sum((want & got).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    return precision, recall


# -- the extractors ------------------------------------------------------------------------


def blogarchive_extract(html: str, url: str, strict: bool = False) -> str:
    """What `blogarchive extract` does: the platform the page is from, its parser, body_text;
    text extraction when the crawler's evidence rule refuses the page (unless strict)."""
    from scrapy.http import HtmlResponse

    from scraper import platforms

    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    try:
        return platforms.extract_post(response, strict=strict)[1].body_text
    except ValueError:
        return ""


def blogarchive_strict(html: str, url: str) -> str:
    """`blogarchive extract --strict`: only pages a crawl would archive (what the crawler keeps)."""
    return blogarchive_extract(html, url, strict=True)


def trafilatura_extract(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def readability_extract(html: str, url: str) -> str:
    from readability import Document

    from scraper.htmltext import html_to_text

    return html_to_text(Document(html, url=url).summary(html_partial=True))


def plain_text(html: str, url: str) -> str:
    """Baseline: every word of the page's body (no scripts or styles)."""
    import lxml.html

    from scraper.htmltext import html_to_text

    root = lxml.html.fromstring(html)
    body = root.find("body")
    return html_to_text(lxml.html.tostring(body if body is not None else root, encoding="unicode"))


EXTRACTORS = {
    "blogarchive": blogarchive_extract,
    "blogarchive --strict": blogarchive_strict,
    "trafilatura": trafilatura_extract,
    "readability-lxml": readability_extract,
    "html-to-text": plain_text,
}


def available_extractors() -> dict:
    found = {}
    for name, func in EXTRACTORS.items():
        try:
            if name == "readability-lxml":
                import readability  # noqa: F401
            if name == "trafilatura":
                import trafilatura  # noqa: F401
        except ImportError:
            print(f"({name} is not installed: skipped)", file=sys.stderr)
            continue
        found[name] = func
    return found


# -- page sets -------------------------------------------------------------------------------


def load_set(folder: Path, limit: int | None = None) -> list[dict]:
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        raw = gzip.decompress(path.read_bytes())
        pages.append({"id": page_id, "url": truth[page_id]["url"], "html": _decode(raw),
                      "truth": truth[page_id]["articleBody"],
                      "platform": truth[page_id].get("platform", "")})
    return pages


def _decode(raw: bytes) -> str:
    head = raw[:2048].decode("ascii", "ignore")
    m = re.search(r"charset=['\"]?([\w-]+)", head, re.I)
    for encoding in ([m.group(1)] if m else []) + ["utf-8", "cp1252"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def generate_fixture_set(out: Path, per_blog: int = 6) -> Path:
    """Pages of the fixture blogs with what they show, in the benchmark's format."""
    from scraper.sample import BlogServer, expected_post, make_blog
    from scraper.sample.handmade import HandmadeServer, expected_handmade_post, make_handmade_blog
    from scraper.sample.wordpress import WordPressServer, expected_wp_post, make_wp_blog

    (out / "html").mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict] = {}

    def keep(name: str, platform: str, url: str, blocks: list[str]) -> None:
        page_id = f"{name}-{len([k for k in truth if k.startswith(name + '-')]):03d}"
        body = urllib.request.urlopen(url, timeout=10).read()
        (out / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(body))
        truth[page_id] = {"url": url, "articleBody": "\n\n".join(blocks), "platform": platform}

    for template, locale in (("classic", "en"), ("layout", "es"), ("contempo", "fr")):
        blog = make_blog(template, n_posts=per_blog + 2, seed=21, locale=locale, image_faults=False)
        with BlogServer(blog) as server:
            for post in [p for p in blog.posts if p.title][:per_blog]:
                want = expected_post(blog, post, server.origin, server.image_origin)
                keep(f"blogger-{template}", "blogger", want["url"], want["text_blocks"])
    for theme in ("twentyten", "block"):
        blog = make_wp_blog(theme, n_posts=per_blog, seed=21)
        with WordPressServer(blog) as server:
            for post in blog.posts[:per_blog]:
                want = expected_wp_post(blog, post, server.origin)
                keep(f"wordpress-{theme}", "wordpress", want["url"], want["text_blocks"])
    blog = make_handmade_blog(n_posts=max(per_blog, 10))
    with HandmadeServer(blog) as server:
        for post in blog.posts[: max(per_blog, 10)]:
            want = expected_handmade_post(blog, post, server.origin)
            keep("handmade", "generic", want["url"], want["text_blocks"])
    (out / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    return out


# -- fields on the theme fixtures -----------------------------------------------------------------


def blogarchive_fields(html: str, url: str) -> dict:
    """Every field `blogarchive extract` gives for one page."""
    from scrapy.http import HtmlResponse

    from scraper import platforms

    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    try:
        post = platforms.extract_post(response)[1]
    except ValueError:
        return {}
    return {"title": post.title, "day": post.published[:10], "labels": post.labels,
            "author": post.author, "text": post.body_text}


def trafilatura_fields(html: str, url: str) -> dict:
    """The same fields from trafilatura's metadata (title, date, author, categories + tags)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {}
    return {"title": doc.title or "", "day": (doc.date or "")[:10],
            "labels": list(doc.categories or []) + list(doc.tags or []),
            "author": doc.author or "", "text": doc.text or ""}


FIELD_EXTRACTORS = {"blogarchive": blogarchive_fields, "trafilatura": trafilatura_fields}


def score_fields(per_theme: int) -> dict[str, dict]:
    """Title exact, day exact, labels exact (in the order shown), author exact (where the page
    marks it) and body F1 against what each theme page shows (scraper.sample.themes)."""
    from scraper.sample.themes import theme_pages

    pages = list(theme_pages(per_theme))
    results: dict[str, dict] = {}
    for name, func in FIELD_EXTRACTORS.items():
        hits = Counter()
        f1s, misses = [], []
        started = time.perf_counter()
        for _, theme, url, html, truth in pages:
            got = func(html, url)
            checks = {"title": got.get("title") == truth["title"], "day": got.get("day") == truth["day"],
                      "labels": got.get("labels") == truth["labels"]}
            if truth["author_marked"]:
                checks["author"] = got.get("author") == truth["author"]
                hits["author_pages"] += 1
            for field, ok in checks.items():
                hits[field] += ok
                if not ok:
                    misses.append(f"{theme}:{field}")
            p, r = precision_recall("\n\n".join(truth["text_blocks"]), got.get("text", ""))
            f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        n = len(pages)
        results[name] = {"pages": n, "title": hits["title"] / n, "day": hits["day"] / n,
                         "labels": hits["labels"] / n, "author": hits["author"] / max(1, hits["author_pages"]),
                         "body_f1": sum(f1s) / n, "ms_per_page": 1000 * (time.perf_counter() - started) / n,
                         "misses": sorted(Counter(misses).items())}
    return results


def print_fields(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    print("| extractor | pages | title exact | date (day) | labels exact | author exact | body F1 (mean) | ms/page |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['pages']} | {r['title']:.1%} | {r['day']:.1%} | {r['labels']:.1%} | {r['author']:.1%} "
              f"| {r['body_f1']:.3f} | {r['ms_per_page']:.1f} |")
    for name, r in results.items():
        if r["misses"]:
            print(f"{name} misses (theme:field ×n): " + ", ".join(f"{k} ×{v}" for k, v in r["misses"]))


# -- running ------------------------------------------------------------------------------------


def score(pages: list[dict], extractors: dict) -> dict[str, dict]:
    results = {}
    for name, func in extractors.items():
        precisions, recalls, f1s = [], [], []
        func(pages[0]["html"], pages[0]["url"]) if pages else None  # warm imports up
        started = time.perf_counter()
        for page in pages:
            try:
                text = func(page["html"], page["url"])
            except Exception as e:  # an extractor crashing on a page scores 0 there
                print(f"  {name} failed on {page['id']}: {type(e).__name__}: {e}", file=sys.stderr)
                text = ""
            p, r = precision_recall(page["truth"], text)
            precisions.append(p)
            recalls.append(r)
            f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        elapsed = time.perf_counter() - started
        n = max(1, len(pages))
        p, r = sum(precisions) / n, sum(recalls) / n
        results[name] = {"pages": len(pages), "precision": p, "recall": r,
                         "f1": 2 * p * r / (p + r) if p + r else 0.0,
                         "page_f1": sum(f1s) / n, "ms_per_page": 1000 * elapsed / n}
    return results


def print_table(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    print("| extractor | pages | precision | recall | F1 | mean page F1 | ms/page |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in sorted(results.items(), key=lambda kv: -kv[1]["f1"]):
        print(f"| {name} | {r['pages']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
              f"| {r['page_f1']:.3f} | {r['ms_per_page']:.1f} |")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="A few pages of each set.")
    parser.add_argument("--only", choices=["corpus", "fixtures", "themes"], help="One set only.")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--fixtures-out", type=Path, help="Keep the generated fixture set here.")
    parser.add_argument("--by-platform", action="store_true", help="Fixture scores per platform too.")
    parser.add_argument("--json", type=Path, help="Write the figures as JSON too.")
    args = parser.parse_args(argv)
    extractors = available_extractors()
    report: dict[str, dict] = {}
    limit = 8 if args.smoke else None
    if args.only in (None, "themes"):
        report["themes"] = score_fields(per_theme=1 if args.smoke else 3)
        print_fields(f"Theme fixtures ({report['themes']['blogarchive']['pages']} post pages of 18 real themes and "
                     "generators, scraper.sample.themes): every field", report["themes"])
    if args.only in (None, "corpus"):
        if (args.corpus / "ground-truth.json").exists():
            pages = load_set(args.corpus, limit)
            report["corpus"] = score(pages, extractors)
            print_table(f"Article-extraction benchmark ({len(pages)} pages, {args.corpus})", report["corpus"])
        else:
            print(f"({args.corpus} is not here: corpus set skipped)", file=sys.stderr)
    if args.only in (None, "fixtures"):
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.fixtures_out or Path(tmp)
            generate_fixture_set(folder, per_blog=2 if args.smoke else 6)
            pages = load_set(folder)
            report["fixtures"] = score(pages, extractors)
            print_table(f"Fixture blogs ({len(pages)} pages: Blogger, WordPress, hand-made)",
                        report["fixtures"])
            if args.by_platform:
                for platform in sorted({p["platform"] for p in pages}):
                    subset = [p for p in pages if p["platform"] == platform]
                    report[f"fixtures-{platform}"] = score(subset, extractors)
                    print_table(f"Fixture pages: {platform} ({len(subset)})", report[f"fixtures-{platform}"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), "utf-8")
    return report


if __name__ == "__main__":
    main()
