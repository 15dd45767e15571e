"""Reporting periods: local (Europe/Brussels) calendar days, with their bounds in UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from community.core.errors import DomainError

BRUSSELS = ZoneInfo("Europe/Brussels")
#: The school year starts on 1 September (Flemish education; the networks report per year).
SCHOOL_YEAR_START_MONTH = 9
#: Longest period a page or report may ask for: ten school years.
MAX_DAYS = 3660
#: Earliest and latest day a period may hold: at the edges of the calendar (year 1, 9999)
#: local midnight in UTC does not exist.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)


class BadPeriod(DomainError):
    """A period that cannot be read or is the wrong way round."""

    text = _l("Kies een geldige periode: een begin- en einddatum (JJJJ-MM-DD), het begin eerst.")
    status = 400
    field = "period"


@dataclass(frozen=True)
class Period:
    """The local days ``first`` to ``last`` (both included), Europe/Brussels."""

    first: dt.date
    last: dt.date

    @property
    def starts_at(self) -> dt.datetime:
        """Local midnight at the start of ``first``, as aware UTC."""
        return dt.datetime.combine(self.first, dt.time(), tzinfo=BRUSSELS).astimezone(dt.UTC)

    @property
    def ends_at(self) -> dt.datetime:
        """Local midnight after ``last`` (exclusive bound), as aware UTC."""
        after = self.last + dt.timedelta(days=1)
        return dt.datetime.combine(after, dt.time(), tzinfo=BRUSSELS).astimezone(dt.UTC)

    def as_args(self) -> dict[str, str]:
        """The period as the query parameters ``van`` and ``tot`` (ISO dates)."""
        return {"van": self.first.isoformat(), "tot": self.last.isoformat()}


def last_school_year(today: dt.date) -> Period:
    """Return the last completed school year before ``today`` (a local date): 1 September to
    31 August. On 7 December 2026 that is 1 September 2025 - 31 August 2026."""
    year = today.year if today.month >= SCHOOL_YEAR_START_MONTH else today.year - 1
    return Period(dt.date(year - 1, 9, 1), dt.date(year, 8, 31))


def local_today(now: dt.datetime) -> dt.date:
    """The local (Europe/Brussels) date of the aware datetime ``now``."""
    return now.astimezone(BRUSSELS).date()


def parse_period(first: str | None, last: str | None, default: Period) -> Period:
    """Return the period of the ISO dates ``first`` and ``last`` (``default`` when both are
    empty). Raises :class:`BadPeriod` for a date that cannot be read, an end before the
    start, a period longer than :data:`MAX_DAYS` or one outside :data:`EARLIEST_DAY` to
    :data:`LATEST_DAY`."""
    if not first and not last:
        return default
    try:
        period = Period(dt.date.fromisoformat(first or ""), dt.date.fromisoformat(last or ""))
    except ValueError as error:
        raise BadPeriod() from error
    if not is_valid_period(period.first, period.last):
        raise BadPeriod()
    return period


def is_valid_period(first: dt.date, last: dt.date) -> bool:
    """True when ``first`` to ``last`` is a period a page or report may ask for: the start
    first, at most :data:`MAX_DAYS` long, between :data:`EARLIEST_DAY` and
    :data:`LATEST_DAY`."""
    return EARLIEST_DAY <= first <= last <= LATEST_DAY and (last - first).days <= MAX_DAYS
