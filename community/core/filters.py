"""List filters from query arguments (type, page, whole numbers), refused loudly when unknown."""

from __future__ import annotations

import enum
from typing import TypeVar

from flask import render_template
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

E = TypeVar("E", bound=enum.StrEnum)


class InvalidFilter(ValueError):
    """A query argument of a list page names a value that does not exist.

    ``parameter`` is the query argument ("regio", "thema", "type"), ``value``
    what was given. Views let it propagate; :func:`invalid_filter_response`
    turns it into a 400 page naming the parameter.
    """

    def __init__(self, parameter: str, value: str) -> None:
        super().__init__(f"invalid value {value!r} for filter {parameter!r}")
        self.parameter = parameter
        self.value = value

    @property
    def message(self) -> str:
        return _(
            "Ongeldige filter „%(parameter)s”: de waarde „%(value)s” bestaat niet. "
            "Kies een waarde uit de lijst.",
            parameter=self.parameter,
            value=self.value,
        )


def invalid_filter_response(error: InvalidFilter):
    """Return the 400 page with the message of ``error``."""
    return render_template("errors/400.html", message=error.message), 400


def whole_number(value: str, max_digits: int = 9) -> int | None:
    """Return ``value`` ("0"–"999999999") as an int, or None when it is not a whole number.

    Only the ASCII digits 0–9: ``str.isdigit`` also accepts "²", "①" and "٣", which
    ``int()`` refuses or reads as another number (a 500 found by the final test of
    issue 8). At most ``max_digits`` digits, so no value overflows a column or a date.
    """
    if not value or len(value) > max_digits or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def choice_arg(args: MultiDict, name: str, choices: type[E]) -> E | None:
    """Return the member of ``choices`` whose value is ``args[name]``, None when absent or empty.

    Raises :class:`InvalidFilter` for a value that is not one of ``choices``.
    """
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        return choices(value)
    except ValueError:
        raise InvalidFilter(name, value) from None


def page_arg(args, name: str = "pagina") -> int:
    """Return the page number in ``args[name]`` (1 when absent); ``InvalidFilter`` when not ≥ 1."""
    value = args.get(name, "1").strip() or "1"
    number = whole_number(value)
    if number is None or number < 1:
        raise InvalidFilter(name, value[:20])
    return number
