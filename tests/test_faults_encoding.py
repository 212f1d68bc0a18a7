"""Pages in the wrong or an undeclared encoding, entities, right-to-left text, broken markup:
titles and text come out as the author wrote them (issue 7)."""

from __future__ import annotations

import codecs
import sqlite3

import pytest

from conftest import crawl
from faultserver import FaultServer
from scraper.middlewares import actual_encoding
from scraper.sample import make_blog

# name → (title, paragraph, how the page is served)
CASES = {
    "cp1252_served_as_utf8": (
        "Café “crème” — naïve résumé for €5", "Déjà vu: the œuvre of a señor, ½ done…",
        dict(kind="recode", encoding="cp1252", header_charset="UTF-8", meta_charset="UTF-8")),
    "utf8_served_as_cp1252": (
        "Zürich – Łódź ✓ “Größe”", "Straße, smørrebrød and ﬁne ligatures ✓",
        dict(kind="recode", encoding="utf-8", header_charset="windows-1252",
             meta_charset="windows-1252")),
    "latin1": (
        "Señor Muñoz à la française", "Ça coûte très cher, garçon.",
        dict(kind="recode", encoding="iso-8859-1", header_charset="ISO-8859-1",
             meta_charset="ISO-8859-1")),
    "shift_jis_in_meta_only": (
        "東京の港と新しい埠頭", "港の朝は静かだった。船はまだ来ない。",
        dict(kind="recode", encoding="shift_jis", header_charset=None, meta_charset="Shift_JIS")),
    "shift_jis_served_as_utf8": (
        "大阪の夜と古い倉庫", "倉庫の灯りが消えた。",
        dict(kind="recode", encoding="shift_jis", header_charset="UTF-8", meta_charset="Shift_JIS")),
    "bom_beats_a_wrong_header": (
        "Ça va — très bien ✓", "Voilà: un BOM en tête.",
        dict(kind="recode", encoding="utf-8", header_charset="windows-1252",
             meta_charset="windows-1252", bom=codecs.BOM_UTF8)),
    "no_declaration_utf8": (
        "Ελληνικά και Русский текст", "Καλημέρα. Доброе утро.",
        dict(kind="recode", encoding="utf-8", header_charset=None, meta_charset=None)),
    "no_declaration_cp1252": (
        "Déjà vu – encore une fois", "Où est le café? À côté.",
        dict(kind="recode", encoding="cp1252", header_charset=None, meta_charset=None)),
    "entities_in_title": (
        "Tom & Jerry’s “summit” <live> café", "Fish & chips — “quoted” text",
        dict(kind="entities")),
    "right_to_left": (
        "שלום עולם — مرحبا بالعالم", "הנמל נפתח מחדש. الميناء مفتوح من جديد.",
        dict(kind="rtl")),
    "broken_markup": (
        "Broken <markup> survives", "A paragraph that is never closed",
        dict(kind="broken")),
}


def _entities(text: str) -> str:
    """The title and paragraph as a CMS writes them: named and numeric references."""
    return (text.replace("&amp;", "&#38;").replace("’", "&#8217;").replace("“", "&ldquo;")
            .replace("”", "&#x201D;").replace("é", "&eacute;").replace("—", "&mdash;"))


def _rtl(text: str) -> str:
    return text.replace("<div class='post-body entry-content'", "<div dir='rtl' class='post-body entry-content'")


def _broken(text: str) -> str:
    """Unclosed paragraphs and inline tags, stray end tags, no end of document."""
    text = text.replace("</p>", "").replace("<h3 class='post-title", "</span></td><b><h3 class='post-title")
    return text.split("</body>")[0]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    blog = make_blog("layout", n_posts=len(CASES) + 3, seed=31, images=False, comments=False)
    posts = blog.sorted_posts()
    chosen = {}
    for (name, (title, paragraph, _)), post in zip(CASES.items(), posts):
        blog.edit_post(post, paragraphs=[paragraph, "The end."], title=title)
        chosen[name] = post
    db = tmp_path_factory.mktemp("encodings") / "archive.db"
    with FaultServer(blog) as server:
        for name, (_, _, how) in CASES.items():
            how = dict(how)
            kind = how.pop("kind")
            path = chosen[name].path
            if kind == "recode":
                server.fault(path, "recode", **how)
            elif kind == "entities":
                server.fault(path, "edit", edit=_entities)
            elif kind == "rtl":
                server.fault(path, "edit", edit=_rtl)
            elif kind == "broken":
                server.fault(path, "edit", edit=_broken)
        result = crawl(server.url, db)
        origin = server.origin
    conn = sqlite3.connect(db)
    rows = {}
    for name, post in chosen.items():
        row = conn.execute("SELECT title, body_text, body_html FROM posts_with_bodies WHERE url = ?",
                           [origin + post.path]).fetchone()
        rows[name] = row
    return rows, result


@pytest.mark.parametrize("name", list(CASES))
def test_titles_and_text_come_out_as_written(archive, name):
    rows, _ = archive
    title, paragraph, _ = CASES[name]
    assert rows[name] is not None, f"{name}: post not archived"
    got_title, body_text, body_html = rows[name]
    assert got_title == title
    assert paragraph in body_text
    assert "\ufffd" not in got_title + body_text  # no replacement characters
    assert "Ã" not in got_title + body_text  # no UTF-8 read as windows-1252


def test_the_encoding_rule():
    text = "Café “crème”"
    assert actual_encoding(text.encode("utf-8"), "text/html; charset=windows-1252") == "utf-8"
    assert actual_encoding(text.encode("cp1252"), "text/html; charset=UTF-8") == "cp1252"
    assert actual_encoding(b"plain ascii", "text/html; charset=UTF-8") is None
    assert actual_encoding(codecs.BOM_UTF8 + text.encode("utf-8"), "text/html; charset=latin-1") is None
    sjis = "<meta charset='Shift_JIS'>東京".encode("shift_jis")
    assert actual_encoding(sjis, "text/html; charset=utf-8") in ("shift_jis", "cp932")
