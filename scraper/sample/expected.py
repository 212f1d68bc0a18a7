"""What a perfect extractor should produce for one sample post (tests assert this)."""
from __future__ import annotations

import re

from .markup import body_blocks, image_url, thumb
from .pages import iso

SIZE_SEGMENT_RE = re.compile(r"/(?:[sS]\d+(?:-c)?(?:-h)?|w\d+-h\d+(?:-[a-z-]+)?)/(?=[^/]+$)")


def image_key(url: str) -> str:
    """A Blogger image URL with its size segment removed (B12): the dedup key."""
    return SIZE_SEGMENT_RE.sub("/", url)


def expected_post(blog, post, origin: str, image_origin: str) -> dict:
    """Exact values for post as served by a BlogServer at origin / image_origin.

    origin and image_origin without trailing slash (BlogServer.origin/.image_origin).
    Text fields are as shown, after HTML entity decoding. Body text excludes
    image captions; ``text_blocks`` lists every visible block in order,
    captions included, for extractors that keep them inline."""
    origin, image_origin = origin.rstrip("/"), image_origin.rstrip("/")
    paragraphs = list(post.paragraphs)
    blocks = body_blocks(post)
    text_blocks, body_parts = [], []
    for kind, value in blocks:
        if kind == "image":
            if value.caption:
                text_blocks.append(value.caption)
        else:
            text_blocks.append(value)
            body_parts.append(value)
    images = []
    for kind, value in blocks:
        if kind != "image":
            continue
        size, w, h = thumb(value)
        src = image_url(image_origin, value, size)
        images.append({
            "src": src,
            "full_url": image_url(image_origin, value, "s1600"),   # == the <a href> when linked
            "link": image_url(image_origin, value, "s1600") if value.linked else None,
            "key": image_key(src),
            "alt": value.alt or None,                             # empty alt: no attribute at all
            "caption": value.caption,
            "width": value.width, "height": value.height,          # original (data-original-*)
            "display_width": w, "display_height": h,
            "kind": value.kind,
            "fetchable": not value.fake_html,                     # the fake ".jpg" is an HTML page
            "original_missing": value.missing_original,           # s0/s1600 are 404, s320 works
        })
    result = {
        "url": origin + post.path,
        "post_id": post.post_id,
        "blog_id": blog.blog_id,
        "title": post.title,
        "author": post.author,
        "published": iso(post.published),
        "updated": iso(post.updated),
        "labels": list(post.labels),
        "images": images,
        "comments": [{"id": c.comment_id, "author": c.author, "body_text": c.body,
                      "published": iso(c.published)} for c in post.comments],
        "paragraphs": paragraphs,
        "quote": post.quote,
        "body_text": "\n\n".join(body_parts),
        "text_blocks": text_blocks,
        "word_count": sum(len(part.split()) for part in body_parts),
        "comment_count": len(post.comments),
    }
    if blog.template == "classic":
        # Only the date header and '9:23 PM' are visible: no offset on the page.
        result["published_local"] = post.published.strftime("%Y-%m-%dT%H:%M:00")
    return result
