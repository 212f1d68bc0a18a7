"""Image files (once each, by sha256, in the database or in the archive's image folder)
and the post images that name them."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from .rows import atomic, now, rows_of, upsert, upsert_all

IMAGES_DIR = "images_dir"

# post_images.candidates is the chain of URLs an image is fetched from, best first,
# without repeating the row's own addresses (m017): an entry that is the row's
# full_url, src or link is written as that column's name; one in the folder of
# full_url as "./" and the rest of it, one in the folder above as "../" and the rest
# (Blogger's original size, s0 beside s1600: "../s0/photo.jpg"); NULL stands for the
# chain of full_url alone. In an archive of Blogger posts the chain repeated all three
# URLs in nearly every row (4 % of the file). The post_image_candidates view lists
# every URL of every chain, and post_images_with_candidates is the table with the chain
# written out (what exports read). A folder is the URL up to its last "/", as text.
SAME_AS = ("full_url", "src", "link")
HERE, ABOVE = "./", "../"

# The post images waiting for a file are found by its full-size URL through an index of
# the URL's last 40 characters (m020): the file name and the end of the folder, which
# tell images apart (Blogger: the end of the image key; WordPress: year/month/name) at
# a third of the size of an index of whole URLs (10k posts: 1.3 against 4.1 MB); rows
# that share an end are told apart by the whole URL (written +full_url: SQLite would
# otherwise put the URL into the first term, which then no longer matches the index).
BY_FULL_URL = "substr(full_url, -40) = substr(?, -40) AND +full_url = ?"


def _folder(url: str) -> str:
    return url[:url.rfind("/") + 1]


def _folders(full_url: str | None) -> dict[str, str]:
    """"./" and "../" → the folder of full_url and the folder above it."""
    here = _folder(full_url or "")
    return {HERE: here, ABOVE: _folder(here[:-1]) if here else ""}


def _in_a_path(folder: str) -> bool:
    """A folder of a URL's path (https://host/…/), not its scheme or the text of another."""
    return folder.find("/", folder.find("://") + 3) != -1


def packed_candidates(row, chain: list[str]) -> str | None:
    """The chain as stored for a post_images ``row`` (a mapping with full_url, src, link).

    An entry that is not a URL but reads as a reference (a bare column name, "./x") is
    left out: nothing fetches it, and it could not be told from one."""
    if chain == [row["full_url"]]:
        return None
    folders = _folders(row["full_url"])
    packed = []
    for url in chain:
        name = next((c for c in SAME_AS if row[c] and row[c] == url), None)
        if name:
            packed.append(name)
            continue
        if url in SAME_AS or url.startswith((HERE, ABOVE)):
            continue
        near = [mark + url[len(folder):] for mark, folder in folders.items()
                if _in_a_path(folder) and url.startswith(folder)]
        packed.append(min(near, key=len) if near else url)
    return json.dumps(packed, ensure_ascii=False, separators=(",", ":"))


def candidate_chain(stored: str | None, row) -> list[str]:
    """The URLs to try, best first, from the stored candidates of a post_images ``row``."""
    if not stored:
        return [row["full_url"]]
    folders = _folders(row["full_url"])
    chain = []
    for entry in json.loads(stored):
        if entry in SAME_AS:
            chain.append(row[entry])
        elif isinstance(entry, str) and entry.startswith(ABOVE):
            chain.append(folders[ABOVE] + entry[len(ABOVE):])
        elif isinstance(entry, str) and entry.startswith(HERE):
            chain.append(folders[HERE] + entry[len(HERE):])
        else:
            chain.append(entry)
    return chain


def set_image_folder(db: sqlite_utils.Database, folder: str | os.PathLike) -> None:
    with atomic(db):
        upsert(db, "archive_settings", {"name": IMAGES_DIR, "value": str(folder)}, ("name",))


def image_folder(db: sqlite_utils.Database) -> Path | None:
    """Where this archive keeps its image files, if it keeps any outside the database."""
    try:
        row = db.execute("SELECT value FROM archive_settings WHERE name = ?", [IMAGES_DIR]).fetchone()
    except sqlite3.OperationalError:  # an archive from before m009, opened read-only
        return None
    return Path(row[0]) if row and row[0] else None


def image_files(db: sqlite_utils.Database) -> tuple[Path | None, int, list[str]]:
    """(folder, files kept there, relative paths listed but missing)."""
    folder = image_folder(db)
    if folder is None:
        return None, 0, []
    paths = [r[0] for r in db.execute("SELECT path FROM images WHERE content IS NULL AND path IS NOT NULL")]
    missing = [p for p in paths if not (folder / p).is_file()]
    return folder, len(paths) - len(missing), missing


def link_post_images(db: sqlite_utils.Database, post_id: str, images: list[dict],
                     new: bool = False) -> None:
    """The post's images, each linked to its file where one is kept (``new``: the post
    has none stored yet). Files and failures are looked up once for all of them."""
    olds = {}
    if not new:
        db.execute("DELETE FROM post_images WHERE post_id = ? AND position >= ?", [post_id, len(images)])
        olds = {r["position"]: r for r in rows_of(db, "SELECT * FROM post_images WHERE post_id = ?",
                                                  [post_id])}
    rows = []
    for image in images:
        row = {
            "post_id": post_id,
            "position": image["position"],
            "src": image["src"],
            "full_url": image["full_url"],
            "alt": image.get("alt"),
            "caption": image.get("caption") or "",
            "link": image.get("link") or "",
            "width": image.get("width"),
            "height": image.get("height"),
        }
        row["candidates"] = packed_candidates(row, image.get("candidates") or [image["full_url"]])
        old = olds.get(image["position"])
        if old is not None and old["full_url"] != row["full_url"]:
            # A different file now stands here: what we downloaded no longer applies.
            row.update(image_sha256=None, fetched_url=None, fetch_error=None, fetch_attempts=0)
        rows.append((row, old is None or row.get("image_sha256", old["image_sha256"]) is None))
    wanted = list(dict.fromkeys(row["full_url"] for row, unlinked in rows if unlinked))
    known, failed = {}, {}
    for start in range(0, len(wanted), 400):  # twice that under SQLite's 999 parameters
        some = wanted[start:start + 400]
        marks = ", ".join("?" for _ in some)
        for kept, url, value in db.conn.execute(
                f"SELECT 1, url, sha256 FROM image_urls WHERE url IN ({marks}) UNION ALL "
                f"SELECT 0, url, error FROM image_failures WHERE url IN ({marks})", some + some):
            (known if kept else failed)[url] = value
    for row, unlinked in rows:
        if unlinked and row["full_url"] in known:  # the same file, already kept for another post
            row.update(image_sha256=known[row["full_url"]], fetched_url=row["full_url"],
                       fetch_error=None)
        elif unlinked and row["full_url"] in failed:
            row["fetch_error"] = failed[row["full_url"]]
    upsert_all(db, "post_images", [row for row, _ in rows], ("post_id", "position"))


def image_known(db: sqlite_utils.Database, url: str) -> bool:
    return db["image_urls"].count_where("url = ?", [url]) > 0


def save_image(db: sqlite_utils.Database, key: str, fetched_url: str, body: bytes, info,
               directory: str | None = None) -> bool:
    """Keep one image file (once, by sha256) and link every post image waiting for it.

    ``key`` is the full-size URL the posts name; ``fetched_url`` the one that
    answered (a fallback size, maybe). With ``directory`` the bytes go to a
    content-addressed file instead of the database. Returns True if the file is new.
    """
    stamp = now()
    path = None
    if directory:
        rel = f"{info.sha256[:2]}/{info.sha256[2:4]}/{info.sha256}.{info.extension}"
        target = Path(directory) / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(body)
            tmp.replace(target)
        path = rel
    with atomic(db):
        new = db["images"].count_where("sha256 = ?", [info.sha256]) == 0
        if new:
            db["images"].insert(
                {
                    "sha256": info.sha256,
                    "content": None if directory else body,
                    "content_type": info.content_type,
                    "size": info.size,
                    "width": info.width,
                    "height": info.height,
                    "source_url": fetched_url,
                    "path": path,
                    "fetched": stamp,
                }
            )
        for url in {key, fetched_url}:
            db["image_urls"].upsert({"url": url, "sha256": info.sha256, "fetched": stamp}, pk="url")
        db.execute("DELETE FROM image_failures WHERE url = ?", [key])
        db.execute(
            "UPDATE post_images SET image_sha256 = ?, fetched_url = ?, fetch_error = NULL, "
            f"fetch_attempts = COALESCE(fetch_attempts, 0) + 1 WHERE {BY_FULL_URL} "
            "AND (image_sha256 IS NULL OR image_sha256 != ?)",
            [info.sha256, fetched_url, key, key, info.sha256],
        )
    return new


def image_failed(db: sqlite_utils.Database, key: str, reason: str) -> None:
    """Every post image that needed this file records why it could not be had."""
    with atomic(db):
        db.execute(
            "INSERT INTO image_failures (url, error, attempts, last_tried) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (url) DO UPDATE SET error = excluded.error, "
            "attempts = attempts + 1, last_tried = excluded.last_tried",
            [key, reason[:500], now()],
        )
        db.execute(
            "UPDATE post_images SET fetch_error = ?, fetch_attempts = COALESCE(fetch_attempts, 0) + 1 "
            f"WHERE {BY_FULL_URL} AND image_sha256 IS NULL",
            [reason[:500], key, key],
        )


def images_missing(db: sqlite_utils.Database, blog_id: str, max_attempts: int) -> list[dict]:
    """Post images whose file we do not have yet (never tried, or failed fewer times than
    allowed), by full-size URL in order, each with one chain: of the posts that show the
    same file, the chain first in the order of its JSON text (what the stored lists were
    compared by before m017)."""
    rows = db.execute(
        "SELECT pi.full_url, pi.src, pi.link, pi.candidates FROM post_images pi "
        "JOIN posts p ON p.id = pi.post_id "
        "WHERE p.blog_id = ? AND pi.image_sha256 IS NULL AND COALESCE(pi.fetch_attempts, 0) < ?",
        [blog_id, max_attempts],
    ).fetchall()
    chains: dict[str, tuple[str, list[str]]] = {}
    for full_url, src, link, stored in rows:
        chain = candidate_chain(stored, {"full_url": full_url, "src": src, "link": link})
        text = json.dumps(chain)
        if full_url not in chains or text < chains[full_url][0]:
            chains[full_url] = (text, chain)
    ordered = sorted(chains, key=lambda url: (url is not None, url or ""))
    return [{"full_url": url, "candidates": chains[url][1]} for url in ordered]
