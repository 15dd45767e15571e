"""Template globals: permission rules, page sections, small helpers."""

from __future__ import annotations

from urllib.parse import quote_plus

from flask import Flask

from community.permissions import TEMPLATE_RULES
from community.sections import render_sections


def osm_search_url(address: str) -> str:
    """Return an OpenStreetMap search link for a postal address."""
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)


def init_app(app: Flask) -> None:
    """Export permission rules and helpers to every template."""
    app.jinja_env.globals.update(TEMPLATE_RULES)
    app.jinja_env.globals.update(render_sections=render_sections, osm_search_url=osm_search_url)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
