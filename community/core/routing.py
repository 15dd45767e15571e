"""URL converters: ids in URLs stay within what the databases can hold."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Largest value of PostgreSQL's bigint and SQLite's INTEGER (signed 64-bit).
MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """The ``int`` converter, refusing values above ``MAX_ID`` (the route then answers 404).

    Without the bound, ``/forum/thema-1/99999999999999999999`` reaches the
    database driver, which raises OverflowError (a 500 instead of a 404).
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def init_app(app: Flask) -> None:
    """Install the bounded ``int`` converter; call before any route is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
