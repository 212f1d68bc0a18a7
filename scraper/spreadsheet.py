"""Text a spreadsheet would run as a formula (CSV injection, CWE-1236).

Scraped titles and comments are untrusted: a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (the OWASP list; the signs also after
leading spaces, which spreadsheets skip) is read by Excel, LibreOffice and
Google Sheets as a formula. The OWASP remedy is a leading apostrophe, which
spreadsheets show as text and hide; programs reading the file see it, so it is
only applied where asked (``--spreadsheet-safe``, ``_spreadsheet=1``).
"""

from __future__ import annotations

FORMULA_SIGNS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
RULE = ("cells starting with =, +, -, @ (also after leading whitespace), a tab or a carriage "
        "return are prefixed with an apostrophe (') so spreadsheets show them as text "
        "(OWASP CSV injection, CWE-1236)")


def is_formula_like(value: str) -> bool:
    return value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_SIGNS)


def neutralise(value):
    """The value a spreadsheet shows as text; numbers and other types are left alone."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value
