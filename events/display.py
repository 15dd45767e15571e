"""How an activity's date and time read on a page, in Europe/Brussels."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from community.core.i18n import localdate, localdatetime, localtime
from events.models import Event


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def event_period(event: Event) -> str:
    """Return when ``event`` takes place, in the UI language and Europe/Brussels time.

    One day: "vrijdag 18 december 2026, 13:30 – 16:00"; several days:
    "vrijdag 18 december 2026, 13:30 – zaterdag 19 december 2026, 12:00".
    All-day activities end at local midnight after their last day (see ``Event``),
    so they read "vrijdag 18 december 2026 (hele dag)" or "van ... tot en met ...".
    """
    start, end = _local(event.starts_at), _local(event.ends_at)
    if event.is_all_day:
        last_day = (end - dt.timedelta(seconds=1)).date() if end > start else start.date()
        if last_day == start.date():
            return _("%(day)s (hele dag)", day=localdate(start.date()))
        return _(
            "van %(first)s tot en met %(last)s",
            first=localdate(start.date()),
            last=localdate(last_day),
        )
    if start.date() == end.date():
        return _("%(start)s – %(end)s", start=localdatetime(event.starts_at), end=localtime(end))
    return _(
        "%(start)s – %(end)s",
        start=localdatetime(event.starts_at),
        end=localdatetime(event.ends_at),
    )
