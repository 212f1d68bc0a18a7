"""Template families. Each module has render(blog, page, origin, image_origin, sidebar) -> str."""
from __future__ import annotations

from importlib import import_module

FAMILIES = ("classic", "layout", "contempo", "awesome")


def render_page(blog, page, origin: str, image_origin: str, sidebar) -> str:
    """sidebar(make) returns cached sidebar HTML (make() builds it on a miss)."""
    family = blog.template if blog.template in FAMILIES else "layout"
    module = import_module(f"{__name__}.{family}")
    return module.render(blog, page, origin, image_origin, sidebar)
