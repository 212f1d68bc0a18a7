"""CSV for spreadsheets: any ``.csv`` URL of the site with ``_spreadsheet=1``.

Datasette's CSV is exactly what the archive holds, which is right for programs and
wrong for Excel, LibreOffice or Google Sheets: a scraped comment starting with
``=`` runs as a formula there (CWE-1236). With ``_spreadsheet=1`` the same CSV
(filters, ``_stream=on`` and all) comes with such cells prefixed by an apostrophe
(scraper.spreadsheet, as ``blogarchive export --spreadsheet-safe``) and a UTF-8
byte order mark so Excel reads the accents. Rewritten record by record as
Datasette streams it, so a streamed table of any size passes through in flat memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from scraper.spreadsheet import neutralise

PARAM = "_spreadsheet"


def wants_spreadsheet(scope) -> bool:
    if scope.get("type") != "http" or not scope.get("path", "").endswith(".csv"):
        return False
    query = scope.get("query_string", b"").decode("latin-1")
    return any(k == PARAM and v not in ("", "0") for k, v in parse_qsl(query))


class RecordRewriter:
    """CSV text in, the same records with formula-like cells neutralised out."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.record: list[str] = []  # the pieces of a record not yet ended
        self.quoted = False  # inside a quoted field at the end of what was read

    def feed(self, data: bytes, final: bool = False) -> bytes:
        text = self.decoder.decode(data, final=final)
        complete: list[str] = []
        lines = text.split("\n")
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            self.record.append(line if last else line + "\n")
            if line.count('"') % 2:  # a record ends only at a newline outside quotes
                self.quoted = not self.quoted
            if not last and not self.quoted:
                complete.append("".join(self.record))
                self.record = []
        if final and self.record:
            complete.append("".join(self.record))
            self.record = []
        if not complete:
            return b""
        out = io.StringIO()
        writer = csv.writer(out)
        for record in csv.reader(io.StringIO("".join(complete), newline="")):
            writer.writerow([neutralise(cell) for cell in record])
        return out.getvalue().encode("utf-8")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def spreadsheet_csv(scope, receive, send):
            if not wants_spreadsheet(scope):
                return await app(scope, receive, send)
            query = [(k, v) for k, v in parse_qsl(scope["query_string"].decode("latin-1"),
                                                   keep_blank_values=True) if k != PARAM]
            inner = dict(scope, query_string=urlencode(query).encode("latin-1"))
            rewriter = RecordRewriter()
            state = {"rewrite": False}

            async def rewrite(event):
                if event["type"] == "http.response.start":
                    state["rewrite"] = event["status"] == 200
                    if state["rewrite"]:
                        headers = [(k, v) for k, v in event.get("headers") or []
                                   if k.lower() != b"content-length"]
                        event = dict(event, headers=headers)
                        await send(event)
                        await send({"type": "http.response.body", "body": codecs.BOM_UTF8,
                                    "more_body": True})
                        return
                elif event["type"] == "http.response.body" and state["rewrite"]:
                    more = event.get("more_body", False)
                    event = dict(event, body=rewriter.feed(event.get("body", b""), final=not more))
                await send(event)

            return await app(inner, receive, rewrite)

        return spreadsheet_csv

    return wrap
