"""Routing helpers: bounded id converters, and local "next" targets only (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter

# Largest value of an id column: every id is ``sa.Integer``, which PostgreSQL stores as a
# signed 32-bit ``integer`` (SQLite would take 64 bits; the smaller bound holds on both).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """The ``int`` converter, refusing values above ``MAX_ID`` (the route then answers 404).

    Without the bound, ``/forum/thema-1/99999999999999999999`` reaches the
    database driver, which raises OverflowError (a 500 instead of a 404); and on
    PostgreSQL ``/signalen/2147483648`` already overflows the ``integer`` column.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def init_app(app: Flask) -> None:
    """Install the bounded ``int`` converter; call before any route is registered."""
    app.url_map.converters["int"] = BoundedIntConverter


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a local path on this site ("/agenda?x=1"), else None.

    Refuses absolute URLs, scheme-relative ``//host`` and backslash tricks
    (open redirect, OWASP "Unvalidated Redirects and Forwards").
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
