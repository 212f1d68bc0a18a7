"""A post body from blog markup: sanitised HTML and its images (lazy loading resolved,
the original upload behind resized copies found, captions read).

Written for WordPress themes and used by the generic platform too, which meets
the same markup on other software.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html

from ..htmltext import clean_text, sanitize_html
from ..items import Image

# Inside the body, but not the author's words: sharing buttons, related posts, ads.
BODY_NOISE = (
    ".//*[contains(@class, 'sharedaddy') or contains(@class, 'jp-relatedposts')"
    " or contains(@class, 'sd-sharing') or contains(@class, 'addtoany_share')"
    " or contains(@class, 'wpcnt') or @id='jp-post-flair' or contains(@class, 'post-views')"
    " or contains(@class, 'wp-block-post-comments-form')]"
    " | .//script | .//style | .//noscript | .//form"
)


# Boxes inside bodies that are not the author's text (by class or id).
NOISE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|newsletter|subscribe|signup|advert|advertisement|"
    r"ads|ad|promo|sponsor(?:ed)?|outbrain|taboola|recommended|popular|trending|read-?more|"
    r"more-stories|author-bio|breadcrumbs?|jp-relatedposts|sharedaddy|addtoany)(?:$|[\s_-])", re.I)


SIZE_SUFFIX = re.compile(r"-(\d{2,5})x(\d{2,5})(?=\.[A-Za-z0-9]{2,5}$)")
SCALED_SUFFIX = re.compile(r"-(?:scaled|rotated)(?=\.[A-Za-z0-9]{2,5}$)")
PHOTON = re.compile(r"^i\d\.wp\.com$")
RESIZE_PARAMS = {"w", "h", "resize", "fit", "ssl", "crop", "zoom", "quality", "strip"}
LAZY_SRC = ("data-lazy-src", "data-src", "data-original", "data-orig-src", "data-lazyload",
            "data-large-file", "data-orig-file", "data-full-url")
SKIP_IMAGE = re.compile(r"\b(wp-smiley|emoji|avatar|wpcom-follow|stats)\b")


def original_url(url: str) -> str:
    """The original upload behind a WordPress size variant (``-300x200``, ``-scaled``, Photon)."""
    parts = urlsplit(url)
    if PHOTON.match(parts.hostname or ""):
        # i0.wp.com/example.com/wp-content/…?w=640 → the file on its own host.
        rest = parts.path.lstrip("/")
        if "/" in rest:
            return original_url(f"{parts.scheme}://{rest}")
    query = "&".join(p for p in parts.query.split("&")
                     if p and p.split("=", 1)[0] not in RESIZE_PARAMS)
    path = SIZE_SUFFIX.sub("", parts.path)
    path = SCALED_SUFFIX.sub("", path)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _srcset(value: str | None, base: str) -> list[tuple[str, float]]:
    """srcset → [(url, width or density)], largest first."""
    found = []
    for part in re.split(r",\s+(?=\S)", (value or "").strip()):
        bits = part.strip().split()
        if not bits or bits[0].startswith("data:"):
            continue
        size = 0.0
        if len(bits) > 1:
            m = re.match(r"([\d.]+)([wx])", bits[1])
            if m:
                size = float(m.group(1)) * (1 if m.group(2) == "w" else 1000)
        found.append((urljoin(base, bits[0]), size))
    return sorted(found, key=lambda x: -x[1])


IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|bmp|avif|tiff?|svg)$", re.I)


def _looks_like_image(url: str) -> bool:
    return bool(IMAGE_EXT.search(urlsplit(url).path))


def _resolve_lazy(img) -> None:
    """Put the real URL (and srcset) where the browser would find it after the script ran."""
    src = (img.get("src") or "").strip()
    if not src or src.startswith("data:") or "lazy" in src or "blank.gif" in src \
            or "placeholder" in src or img.get("data-lazy-src"):
        for attr in ("data-lazy-src", "data-src", "data-original", "data-orig-src",
                     "data-lazyload", "data-orig-file"):
            value = (img.get(attr) or "").strip()
            if value and not value.startswith("data:"):
                img.set("src", value)
                break
    for attr in ("data-lazy-srcset", "data-srcset"):
        value = (img.get(attr) or "").strip()
        if value:
            img.set("srcset", value)
            break


def body_and_images(raw_html: str, page_url: str) -> tuple[str, list[Image]]:
    """Sanitised body HTML and its images (lazy loading resolved, originals found)."""
    el = lxml.html.fragment_fromstring(raw_html, create_parent="div")
    el.make_links_absolute(page_url, resolve_base_href=False, handle_failures="ignore")
    # <noscript> copies of lazy images: the real URL, when the <img> before it has none.
    for noscript in el.iter("noscript"):
        inner = noscript.text or ""
        m = re.search(r"<img[^>]+src=['\"]([^'\"]+)['\"]", inner) if inner else None
        if m is None:
            inner_img = noscript.find(".//img")
            real = inner_img.get("src") if inner_img is not None else None
        else:
            real = m.group(1)
        prev = noscript.getprevious()
        if real and prev is not None and prev.tag == "img":
            src = prev.get("src") or ""
            if not src or src.startswith("data:") or "lazy" in src:
                prev.set("data-noscript-src", urljoin(page_url, real))
    for img in el.iter("img"):
        _resolve_lazy(img)
        if img.get("data-noscript-src") and (not img.get("src") or img.get("src", "").startswith("data:")):
            img.set("src", img.get("data-noscript-src"))
    for node in el.xpath(BODY_NOISE):
        node.drop_tree()
    for node in list(el.iter()):
        if node is not el and node.getparent() is not None and isinstance(node.tag, str) and \
                NOISE_CLASS.search(" ".join((node.get("class") or "", node.get("id") or ""))):
            node.drop_tree()
    images = list(_images(el, page_url))
    inner = (el.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in el)
    if len(el) == 1 and not (el.text or "").strip() and el[0].tag == "div" and \
            re.search(r"entry-content|post-content|wp-block-post-content|entry-body|post-entry|"
                      r"articleBody|\bentry\b", " ".join(el[0].get("class", "").split()) +
                      el[0].get("itemprop", "")):
        wrapper = el[0]
        inner = (wrapper.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in wrapper)
    return sanitize_html(inner), images


def _images(el, page_url: str) -> Iterator[Image]:
    position = 0
    for img in el.iter("img"):
        if SKIP_IMAGE.search(img.get("class", "")):
            continue
        src = (img.get("src") or "").strip()
        if not src or src.startswith("data:"):
            continue
        src = urljoin(page_url, src)
        link_el = next(img.iterancestors("a"), None)
        href = (link_el.get("href") or "").strip() if link_el is not None else ""
        link = urljoin(page_url, href) if href else ""
        declared = [urljoin(page_url, img.get(a).strip()) for a in ("data-orig-file", "data-full-url")
                    if (img.get(a) or "").strip()]
        linked = [link] if link and _looks_like_image(link) else []
        largest = [u for u, _ in _srcset(img.get("srcset"), page_url)]
        large_file = [urljoin(page_url, img.get("data-large-file").strip())] \
            if (img.get("data-large-file") or "").strip() else []
        sources: list[str] = []
        parent = img.getparent()
        if parent is not None and parent.tag == "picture":
            for source in parent.iter("source"):
                sources.extend(u for u, _ in _srcset(source.get("srcset"), page_url))
        pool = declared + linked + largest + large_file + sources + [src]
        full = original_url(pool[0])
        candidates = [full]
        # WordPress keeps the "-scaled" copy as its full size: next best after the upload.
        candidates += [u for u in pool if SCALED_SUFFIX.search(urlsplit(u).path)]
        candidates += pool
        size = (img.get("data-orig-size") or "").split(",")
        yield Image(
            position=position,
            src=src,
            full_url=full,
            alt=img.get("alt"),
            caption=_caption(img),
            link=link,
            width=int(size[0]) if len(size) == 2 and size[0].isdigit() else None,
            height=int(size[1]) if len(size) == 2 and size[1].isdigit() else None,
            candidates=list(dict.fromkeys(candidates)),
        )
        position += 1


def _has_class(el, name: str) -> bool:
    return name in (el.get("class") or "").split()


def _caption(img) -> str:
    """The caption WordPress shows under this image (classic, block, gallery markup)."""
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure":
            own = [c for c in ancestor if c.tag == "figcaption"]
            return clean_text(own[0].text_content()) if own else ""
        if _has_class(ancestor, "wp-caption"):
            found = ancestor.xpath(".//*[contains(concat(' ', @class, ' '), ' wp-caption-text ')]")
            return clean_text(found[0].text_content()) if found else ""
        if _has_class(ancestor, "gallery-item"):
            found = ancestor.xpath(".//*[contains(concat(' ', @class, ' '), ' gallery-caption ') or "
                                   "contains(concat(' ', @class, ' '), ' wp-caption-text ')]")
            return clean_text(found[0].text_content()) if found else ""
        if ancestor.tag in ("p", "li", "td", "blockquote", "article", "section", "body", "table"):
            return ""
    return ""
