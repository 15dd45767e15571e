"""Region and theme filters from query arguments, refused loudly when unknown."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from community.accounts.models import Region, Theme
from community.core.extensions import db
from community.core.filters import InvalidFilter, whole_number


def region_arg(args: MultiDict, name: str = "regio") -> Region | None:
    """Return the region whose slug is ``args[name]``, None when absent or empty.

    Raises :class:`InvalidFilter` when no region has that slug.
    """
    value = args.get(name, "").strip()
    if not value:
        return None
    region = db.session.scalar(select(Region).where(Region.slug == value))
    if region is None:
        raise InvalidFilter(name, value)
    return region


def theme_arg(args: MultiDict, name: str = "thema") -> Theme | None:
    """Return the theme whose number is ``args[name]`` ("1", "2"), None when absent or empty.

    Raises :class:`InvalidFilter` for anything but the number of an existing theme.
    """
    value = args.get(name, "").strip()
    if not value:
        return None
    theme = None
    number = whole_number(value, max_digits=3)
    if number is not None:
        theme = db.session.scalar(select(Theme).where(Theme.number == number))
    if theme is None:
        raise InvalidFilter(name, value)
    return theme
