"""What a perfect extractor gets from one post of the fake WordPress blog (tests assert it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from .model import WPBlog, WPImage, WPPost


def expected_wp_post(blog: WPBlog, post: WPPost, origin: str) -> dict:
    origin = origin.rstrip("/")
    text_blocks, images = [], []

    def add_image(image: WPImage, src: str, link: str) -> None:
        images.append({"src": src, "full_url": image.url(origin), "alt": image.alt,
                       "caption": image.caption, "link": link})

    for block in post.blocks:
        kind = block[0]
        if kind in ("p", "quote"):
            text_blocks.append(block[1])
        elif kind == "image":
            image = block[1]
            medium = image.url(origin, image.size_name(300))
            src = {"caption": medium, "plain": medium, "lazy": medium,
                   "scaled": image.url(origin, "scaled"),
                   "jetpack": image.url(origin, image.size_name(1024)),
                   "figure": image.url(origin, image.size_name(1024))}[image.style]
            link = image.url(origin) if image.style in ("caption", "plain", "figure") else ""
            add_image(image, src, link)
            if image.caption and image.style in ("caption", "figure", "scaled", "jetpack"):
                text_blocks.append(image.caption)
        else:
            for image in block[1]:
                if blog.theme == "twentyten":
                    add_image(image, image.url(origin, "150x150"), image.url(origin))
                else:
                    add_image(image, image.url(origin, image.size_name(1024)), "")
                if image.caption:
                    text_blocks.append(image.caption)
            if block[2] and blog.theme == "block":
                text_blocks.append(block[2])
    bid = "wp:" + urlsplit(origin).netloc
    ordered_comments = []

    def walk(parent: int) -> None:
        for c in post.comments:
            if c.parent == parent:
                ordered_comments.append(c)
                walk(c.comment_id)

    walk(0)
    return {
        "url": origin + blog.path(post),
        "id": f"{bid}:{post.post_id}",
        "blog_id": bid,
        "title": post.title,
        "author": post.author,
        "published": post.published.isoformat(),
        "published_shown": (post.published.replace(second=0, tzinfo=None).isoformat()
                            if blog.theme == "twentyten" else post.published.isoformat()),
        "updated": post.updated.isoformat(),
        "labels": list(dict.fromkeys(post.categories + post.tags)),
        "categories": list(post.categories),
        "tags": list(post.tags),
        "text_blocks": text_blocks,
        "images": images,
        "comments": [{
            "id": f"{bid}:c{c.comment_id}", "author": c.author, "body_text": c.body,
            "published": (c.published.replace(tzinfo=None).isoformat() if blog.theme == "twentyten"
                          else c.published.isoformat()),
            "in_reply_to": f"{bid}:c{c.parent}" if c.parent else "",
        } for c in ordered_comments],
    }

