"""The agenda on partners' websites: ``/agenda/ingebed`` (for an ``<iframe>``) and
``/agenda.json``, both with the filters of the feeds (``regio``, ``thema``, ``type``).

Only these pages may be framed by other sites (``frame-ancestors *``,
``community.core.security.allow_framing``); every other page keeps
``frame-ancestors 'none'``. Both are cached like the feeds' pages and set no cookie.
"""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, request
from flask_babel import force_locale

from community.accounts.filters import region_arg, theme_arg
from community.core.db import utcnow
from community.core.filters import choice_arg
from community.core.pagecache.middleware import cached_page
from community.core.security import allow_framing
from events.calendar import embed, feeds
from events.calendar.feeds import FeedFilters
from events.models import EventType
from events.views import bp

FILTER_PARAMS = ("regio", "thema", "type")


def _filters():
    region, theme = region_arg(request.args), theme_arg(request.args)
    kind = choice_arg(request.args, "type", EventType)
    return FeedFilters.of(region, theme, kind), region, theme


@bp.get("/agenda/ingebed")
@cached_page("events", "site", params=FILTER_PARAMS)
def embedded_agenda():
    """The upcoming public activities of the filters, as a light page for an iframe; links
    open in a new tab."""
    filters, region, theme = _filters()
    events = embed.upcoming_public(filters, utcnow())
    name = feeds.feed_name(filters, region.name if region else None)
    base_url = current_app.config["BRUGGEN_BASE_URL"].rstrip("/")
    page = render_template("events/embed.html", events=events, name=name, base_url=base_url)
    response = Response(page)
    return allow_framing(response)


@bp.get("/agenda.json")
@cached_page("events", "site", params=FILTER_PARAMS)
def agenda_json():
    """The same listing as JSON (README: "The agenda on other websites"); any site may read it
    (``Access-Control-Allow-Origin: *``: it is public)."""
    filters, _region, _theme = _filters()
    with force_locale("nl"):
        document = embed.as_json(embed.upcoming_public(filters, utcnow()), filters, utcnow())
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
