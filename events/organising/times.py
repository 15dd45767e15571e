"""Local time in Europe/Brussels for organisers' input, refused where the clock jumps."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from events.organising.errors import NonexistentLocalTime

BRUSSELS = ZoneInfo("Europe/Brussels")


def brussels_to_utc(day: dt.date, time: dt.time | None = None, field: str | None = None):
    """Return the aware UTC datetime of local ``day`` at ``time`` (00:00 when None) in Brussels.

    Raises :class:`NonexistentLocalTime` for a time in the spring-forward gap
    (e.g. 2027-03-28 02:30). A time that occurs twice (the autumn night, 02:00
    to 03:00) is read as the first occurrence, summer time (PEP 495 ``fold=0``).
    """
    naive = dt.datetime.combine(day, time or dt.time(0, 0))
    aware = naive.replace(tzinfo=BRUSSELS, fold=0)
    result = aware.astimezone(dt.UTC)
    if result.astimezone(BRUSSELS).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(naive, field)
    return result


def to_brussels(value: dt.datetime) -> dt.datetime:
    """Return aware ``value`` in Europe/Brussels local time."""
    return value.astimezone(BRUSSELS)


def _shift_local(value: dt.datetime | None, days: int, field: str) -> dt.datetime | None:
    """Move ``value`` by ``days`` calendar days keeping its Brussels wall-clock time."""
    if value is None:
        return None
    local = to_brussels(value)
    return brussels_to_utc(local.date() + dt.timedelta(days=days), local.time(), field)
