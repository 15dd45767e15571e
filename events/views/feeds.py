"""Calendar feed URLs (``/agenda.ics``, filtered, personal) and the subscribe page."""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from community.accounts.filters import region_arg, theme_arg
from community.accounts.models import Region, Theme
from community.accounts.permissions import is_signed_in
from community.core.db import utcnow
from community.core.extensions import db
from community.core.filters import choice_arg
from community.core.forms import EmptyForm
from community.core.pagecache.middleware import cached_page
from community.core.routing import safe_next
from events.calendar import feeds
from events.calendar.feeds import FeedFilters, UnknownFeed
from events.calendar.ical import CALENDAR_MIMETYPE
from events.models import EventType
from events.views import bp

# Clients and proxies may keep a feed 5 minutes, then must ask again (a 304 when unchanged);
# no-transform: subscribing clients are known to fail on compressed feeds (issue 4, "HTTP").
PUBLIC_CACHE = "public, max-age=300, must-revalidate, no-transform"
PRIVATE_CACHE = "private, max-age=300, must-revalidate, no-transform"
# A change of the data shows at once; only the window's edge (an activity long past
# leaving the feed) may lag this long. Building the whole feed takes seconds.
FEED_CACHE_TIMEOUT = 600  # seconds


def _not_found(error: UnknownFeed) -> Response:
    """A plain-text 404 (calendar clients show text, not a page); nothing is cached."""
    response = Response(error.message + "\n", status=404, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _serve(state: feeds.FeedState, build, *, cache: str, filename: str) -> Response:
    """Answer 304 when the client's validators match ``state`` (``build`` is not called),
    else 200 with the calendar ``build()`` returns, inline, uncompressed."""
    if not is_resource_modified(
        request.environ, etag=state.etag.strip('"'), last_modified=state.last_modified
    ):
        response = Response(status=304)
    else:
        response = Response(build(), content_type=CALENDAR_MIMETYPE)
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["ETag"] = state.etag
    response.last_modified = state.last_modified
    response.headers["Cache-Control"] = cache
    return response


def _public(filters: FeedFilters) -> Response:
    now = utcnow()
    with force_locale("nl"):
        try:
            selection = feeds.public_selection(filters)
            state = feeds.feed_state(selection, filters, now, key="public")
        except UnknownFeed as error:
            return _not_found(error)
        name = "-".join(["bruggen-agenda", *filters.path.split("/")]).rstrip("-")
        return _serve(
            state,
            lambda: feeds.public_feed(filters, state.region_name, now, selection),
            cache=PUBLIC_CACHE,
            filename=f"{name}.ics",
        )


@bp.get("/agenda.ics")
@cached_page("events", "site", timeout=FEED_CACHE_TIMEOUT, params=("regio", "thema", "type"))
def agenda_feed():
    """The whole public agenda; ``?regio=&thema=&type=`` filters it like the path form."""
    try:
        filters = FeedFilters.from_args(request.args)
    except UnknownFeed as error:
        with force_locale("nl"):
            return _not_found(error)
    return _public(filters)


@bp.get("/agenda/<path:filters>.ics")
@cached_page("events", "site", timeout=FEED_CACHE_TIMEOUT)
def filtered_feed(filters: str):
    """A filtered public feed: ``/agenda/west-vlaanderen/thema-2/vormingen.ics``."""
    try:
        chosen = FeedFilters.from_path(filters)
    except UnknownFeed as error:
        with force_locale("nl"):
            return _not_found(error)
    return _public(chosen)


@bp.get("/agenda/persoonlijk/<token>.ics")
def personal_feed(token: str):
    """A user's personal feed behind its secret token; ``?regio=&thema=&type=`` adds
    the activities of the filters the user follows."""
    now = utcnow()
    with force_locale("nl"):
        try:
            filters = FeedFilters.from_args(request.args)
            user = feeds.user_by_feed_token(token)
            selection = feeds.personal_selection(user, filters, now)
            state = feeds.feed_state(selection, filters, now, key=f"personal-{user.id}", user=user)
        except UnknownFeed:
            return _not_found(UnknownFeed())
        return _serve(
            state,
            lambda: feeds.personal_feed(user, filters, state.region_name, now, selection),
            cache=PRIVATE_CACHE,
            filename="bruggen-mijn-activiteiten.ics",
        )


def feed_links(url: str, name: str) -> dict[str, str]:
    """Return the subscribe links of the feed at ``url`` (https or http) named ``name``.

    ``webcal`` opens Apple Calendar and Outlook desktop; ``google`` is Google
    Calendar's "add by URL" (``cid=`` the webcal URL); ``outlook`` is
    Outlook.com's "subscribe from web" (``url=`` and ``name=``).
    """
    webcal = "webcal://" + url.split("://", 1)[1]
    return {
        "https": url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": url, "name": name}),
    }


def _absolute(path: str) -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/") + path


def public_feed_url(filters: FeedFilters) -> str:
    """Return the absolute, readable URL of the public feed of ``filters``."""
    if not filters.is_set:
        return _absolute(url_for("events.agenda_feed"))
    return _absolute(url_for("events.filtered_feed", filters=filters.path))


def personal_feed_url(user, filters: FeedFilters | None = None) -> str:
    """Return the absolute URL of ``user``'s personal feed (secret), with followed filters."""
    args = filters.as_args() if filters is not None else {}
    return _absolute(url_for("events.personal_feed", token=user.feed_token, **args))


def embed_snippet(filters: FeedFilters, name: str) -> str:
    """Return the HTML a partner pastes in a page to show the agenda of ``filters`` (plain
    text: the template escapes it as a whole)."""
    url = _absolute(url_for("events.embedded_agenda", **filters.as_args()))
    return (
        f'<iframe src="{escape(url)}" title="{escape(name)}" width="100%" height="480" '
        'style="border:1px solid #d7dde3" loading="lazy"></iframe>'
    )


@bp.get("/agenda/abonneren")
def subscribe():
    """Pick filters (GET form) and get the feed's links; the personal link when signed in."""
    region, theme = region_arg(request.args), theme_arg(request.args)
    filters = FeedFilters.of(region, theme, choice_arg(request.args, "type", EventType))
    name = feeds.feed_name(filters, region.name if region else None)
    personal = None
    if is_signed_in(current_user):
        personal_name = feeds.feed_name(filters, region.name if region else None, personal=True)
        personal = feed_links(personal_feed_url(current_user, filters), personal_name)
    return render_template(
        "events/subscribe.html",
        filters=filters,
        region=region,
        theme=theme,
        name=name,
        links=feed_links(public_feed_url(filters), name),
        personal=personal,
        embed_url=_absolute(url_for("events.embedded_agenda", **filters.as_args())),
        embed_snippet=embed_snippet(filters, name),
        json_url=_absolute(url_for("events.agenda_json", **filters.as_args())),
        regenerate_form=EmptyForm(),
        regions=db.session.scalars(select(Region).order_by(Region.position)).all(),
        themes=db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        types=list(EventType),
    )


@bp.post("/agenda/abonneren/nieuwe-link")
@login_required
def regenerate_token():
    """Give the signed-in user's personal feed a new secret link; the old one stops at once."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("events.subscribe"))
    feeds.regenerate_feed_token(current_user)
    db.session.commit()
    flash(_("Je persoonlijke agenda heeft een nieuwe link. De oude link werkt niet meer."))
    return redirect(safe_next(request.form.get("next")) or url_for("events.subscribe"))
