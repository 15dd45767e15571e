"""Template globals: permission rules, page sections, small helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from flask import Flask, g, url_for

from community.core.features import render_sections


def osm_search_url(address: str) -> str:
    """Return an OpenStreetMap search link for a postal address."""
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)


# An id no table reaches; url_for builds it once, each row's own id replaces it.
_SLOT = 987_654_321_987


class UrlPattern:
    """``url_for(endpoint, **values)`` built once, then filled with one integer per row.

    Building a URL costs werkzeug a routing lookup; a thread page needs five per
    post. ``url_pattern('forums.edit_post', 'post_id')(42)`` gives the same string as
    ``url_for('forums.edit_post', post_id=42)``. Only for an integer argument.
    """

    def __init__(self, endpoint: str, argument: str, values: dict) -> None:
        slot: dict[str, Any] = {argument: _SLOT}
        self.template = url_for(endpoint, **slot, **values)
        if self.template.count(str(_SLOT)) != 1:
            raise ValueError(f"{endpoint}: {argument} must appear once in the URL")

    def __call__(self, value: int) -> str:
        return self.template.replace(str(_SLOT), str(int(value)))


def url_pattern(endpoint: str, argument: str, **values) -> UrlPattern:
    """The :class:`UrlPattern` of ``endpoint`` for ``argument``, kept for the request."""
    key = (endpoint, argument, tuple(sorted(values.items())))
    cache = g.setdefault("_url_patterns", {})
    if key not in cache:
        cache[key] = UrlPattern(endpoint, argument, values)
    return cache[key]


def init_app(app: Flask) -> None:
    """Export the shared helpers to every template (features add theirs: core.features)."""
    app.jinja_env.globals.update(
        render_sections=render_sections, osm_search_url=osm_search_url, url_pattern=url_pattern
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
