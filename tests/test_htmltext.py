"""Plain text and word counts of post bodies, on the awkward cases a blog's text holds."""

import re

from scraper.htmltext import html_to_text, word_count


def reader_count(text: str) -> int:
    """The definition: white-space separated runs that hold a letter or digit."""
    return sum(1 for token in text.split() if re.search(r"\w", token))


def test_word_count_skips_runs_of_punctuation_only():
    for text in ["", "   ", "one two", "— a dash — between", "1,000 words… and ’s", "... -- !!! ?",
                 "a\u00a0b c\u2003d", "tab\tand\nnew\u3000line", "字 漢字 。", "x\x1cy", "\u200b zero",
                 "end.", "(brackets) [x] {}", "_ __ a_b", "e-mail's co-op’s — ‘quoted’"]:
        assert word_count(text) == reader_count(text), text
    assert word_count(None) == 0


def test_text_keeps_paragraphs_and_line_breaks_and_collapses_spaces():
    html = ("<p>First  \t paragraph,\u00a0here.</p><p>Second<br>line two</p>"
            "<ul><li> one </li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
            "<script>var x = 1;</script>tail <b>bold</b>")
    assert html_to_text(html) == "First paragraph, here.\n\nSecond\nline two\n\none\n\ntwo\n\na b\n\ntail bold"


def test_text_of_unusual_white_space():
    # Carriage returns, form and line feeds, ideographic and em spaces, blank preformatted lines.
    assert html_to_text("<pre>a \r\n\n\n\n  b\u3000\nc\u2003 d</pre>") == "a\n\nb\nc\u2003 d"
    assert html_to_text("<p>\u3000indented\u3000</p><p> x\x0by \x0c z</p>") == "indented\n\nx y z"
    assert html_to_text("<p>one\u00a0 \u00a0two</p>\n\n\n<p>\t</p><p>three</p>") == "one two\n\nthree"


def test_every_space_a_line_can_be_stripped_of_is_known():
    from scraper.htmltext import OTHER_SPACES

    assert set(OTHER_SPACES) == {c for c in map(chr, range(0x110000))
                                 if c.isspace() and c not in " \t\n\r\f\v\xa0"}
