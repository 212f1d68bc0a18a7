"""A site that only reads: any method but GET/HEAD/OPTIONS is refused at the door (the
site has no write endpoints, and Datasette answers a POST to a table with a 500);
security headers on every answer; error pages (``handle_exception``)."""

from __future__ import annotations

import inspect
import traceback

from datasette import hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

from .archive import archive_names

# Images only from this site (the archived copies), no plugins or frames, forms only here.
CSP = ("img-src 'self' data:; media-src 'self'; object-src 'none'; frame-src 'none'; "
       "base-uri 'self'; form-action 'self'")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_headers(scope, receive, send):
            if scope.get("type") != "http" or not archive_names(datasette):
                return await app(scope, receive, send)
            if scope.get("method", "GET").upper() not in READ_METHODS:
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"allow", b"GET, HEAD, OPTIONS")]})
                await send({"type": "http.response.body",
                            "body": b"This archive is read-only.\n"})
                return

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    headers = list(event.get("headers") or [])
                    names = {k.lower() for k, _ in headers}
                    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                    extra = [(b"x-content-type-options", b"nosniff"),
                             (b"referrer-policy", b"same-origin")]
                    if content_type.startswith(b"text/html"):
                        extra.append((b"content-security-policy", CSP.encode()))
                    headers += [(k, v) for k, v in extra if k not in names]
                    event = dict(event, headers=headers)
                await send(event)

            return await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    """Error pages without the console traceback.

    Datasette 0.65's own handler prints a rich traceback even for a plain 404 (no
    exception being handled), which recent rich versions refuse with ValueError, so
    every unknown URL would answer 500. Datasette awaits every handler's answer, so a
    plain hook cannot stand in for it: this wrapper replaces the answers with the same
    page made here (on sites serving an archive)."""
    outcome = yield
    if not archive_names(datasette):
        return
    for answer in outcome.get_result() or []:
        if inspect.iscoroutine(answer):
            answer.close()  # never awaited: no "never awaited" warning
    outcome.force_result([error_page(datasette, request, exception)])


async def error_page(datasette, request, exception):
    title = None
    if isinstance(exception, Base400):
        status, info, message = exception.status, {}, exception.args[0]
    elif isinstance(exception, DatasetteError):
        status, info, message = exception.status, exception.error_dict, exception.message
        if exception.message_is_html:
            message = Markup(message)
        title = exception.title
    else:
        status, info, message = 500, {}, str(exception)
        traceback.print_exception(type(exception), exception, exception.__traceback__)
    info.update({"ok": False, "error": message, "status": status, "title": title})
    headers = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.split("?")[0].endswith(".json"):
        return Response.json(info, status=status, headers=headers)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    page = await template.render_async(dict(
        info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
        menu_links=lambda: []))
    return Response.html(page, status=status, headers=headers)
