"""The crawl summary every command prints: one line, then what failed and where."""

from __future__ import annotations

import click


def print_summary(row: dict, quiet: bool = False) -> None:
    errors = row.get("errors_by_kind") or {}
    line = (
        f"crawl {row.get('id')}: {row.get('status')} — pages {row.get('pages') or 0}, "
        f"posts new {row.get('posts_new') or 0}, updated {row.get('posts_updated') or 0}, "
        f"unchanged {row.get('posts_unchanged') or 0}, gone {row.get('posts_gone') or 0}"
    )
    if row.get("posts_expected") is not None:
        line += f", expected {row['posts_expected']}"
    line += f", images new {row.get('images_new') or 0}"
    if row.get("images_failed"):
        line += f" (failed {row['images_failed']})"
    line += f", errors {row.get('errors') or 0}"
    if row.get("duration_s") is not None:
        line += f" in {row['duration_s']:.1f}s"
    click.echo(line)
    blogs = row.get("blogs") or []
    if len(blogs) > 1:  # several blogs in one crawl: each its own line
        for blog in blogs:
            click.echo(f"  {blog_line(blog)}")
    if not quiet or row.get("status") != "finished":  # a failed cron run says why
        for kind, info in sorted(errors.items()):
            examples = ", ".join(info.get("examples", [])[:3])
            click.echo(f"  {kind}: {info['count']}  e.g. {examples}")
    warnings = row.get("warnings") or {}
    if warnings:  # posts kept without a field, sources that disagree, pages refused
        click.echo("  warnings: " + ", ".join(f"{k} {v['count']}" for k, v in sorted(warnings.items())))
        if not quiet:
            for kind, info in sorted(warnings.items()):
                examples = ", ".join(info.get("examples", [])[:3])
                click.echo(f"    {kind}: {info['count']}  e.g. {examples}")
    if row.get("message"):
        click.echo(f"  {row['message']}", err=row.get("status") != "finished")


def blog_line(blog: dict) -> str:
    """One blog of a crawl: its status, what was found against what it lists, and errors."""
    expected = "" if blog.get("expected") is None else f", expected {blog['expected']}"
    return (f"blog {blog.get('url')}: {blog.get('status')} — found {blog.get('found') or 0}"
            f"{expected}, new {blog.get('new') or 0}, updated {blog.get('updated') or 0}, "
            f"unchanged {blog.get('unchanged') or 0}, errors {blog.get('errors') or 0}")
