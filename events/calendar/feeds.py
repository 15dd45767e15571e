"""Calendar feeds (agenda-abonnementen): which activities a feed holds, its name, its validators.

Three kinds (issue 4, "Feeds"): the whole public agenda, the public agenda
filtered by region, theme and type, and a user's personal feed behind a
secret token. Every feed holds the activities that have not ended yet plus
those that ended in the last 90 days; a cancelled activity stays, with
STATUS:CANCELLED, until 90 days after its cancellation (case 001 K6).

A feed is described by a WHERE clause on ``Event`` (:func:`public_selection`,
:func:`personal_selection`). :func:`feed_state` turns it into the HTTP
validators (ETag, Last-Modified) with one aggregate query, so a conditional
request is answered without building the feed; :func:`public_feed` and
:func:`personal_feed` build the bytes with a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from community.accounts.models import Region, Theme, User
from community.core.extensions import db
from community.core.filters import whole_number
from community.core.pagecache.versions import changed_at, version_of
from events.calendar.ical import calendar_of
from events.calendar.vevents import (
    FeedEvent,
    FeedWriter,
    Personal,
    load_feed_events,
    render_events,
)
from events.models import (
    Event,
    EventStatus,
    EventType,
    Invitation,
    Registration,
    RegistrationState,
    Visibility,
)
from events.permissions import SHOWN_STATUSES, visible_events_filter
from events.registration import invitations_of, registrations_of

log = logging.getLogger(__name__)

# Ended (or cancelled) activities stay this long in a feed (issue 4, case 001 K6).
RETENTION = dt.timedelta(days=90)
# REFRESH-INTERVAL and X-PUBLISHED-TTL: how often clients should fetch again.
REFRESH_INTERVAL = dt.timedelta(hours=4)
# Google Calendar drops what lies beyond about 1 MB (case 001 K12); stay below with a margin.
MAX_FEED_BYTES = 950_000
# Characters of description and programme per activity, tried in this order until the
# feed fits MAX_FEED_BYTES; the link to the activity's page always follows.
DESCRIPTION_CAPS = (1500, 200)
# Changes whenever the way a feed is written changes, so clients fetch it again.
FEED_FORMAT = "bruggen-feed-1"

# Readable, stable path segments of the type filter (Dutch plurals; never translated).
TYPE_SLUGS = {
    EventType.NETWORK_MEETING: "netwerkmomenten",
    EventType.INSPIRATION_DAY: "inspiratiedagen",
    EventType.TRAINING: "vormingen",
    EventType.STUDY_DAY: "studiedagen",
    EventType.DIALOGUE: "dialoogmomenten",
    EventType.INFO_SESSION: "infosessies",
    EventType.CASE_CONSULTATION: "casusoverleggen",
}
TYPES_BY_SLUG = {slug: kind for kind, slug in TYPE_SLUGS.items()}
THEME_SEGMENT = re.compile(r"^thema-([0-9]{1,3})$")
REGION_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")

WAITLIST_PREFIX = "[wachtlijst] "
CANCELLED_PREFIX = "[afgemeld] "


class UnknownFeed(LookupError):
    """A feed URL names a filter value that does not exist, or a token that is not valid.

    The view answers 404 with :attr:`message` (issue 4, "HTTP"); an invalid
    or revoked token gets the same message as any unknown feed.
    """

    def __init__(self, value: str = "") -> None:
        super().__init__(value)
        self.value = value

    @property
    def message(self) -> str:
        if self.value:
            return _(
                "Deze agenda bestaat niet: de filter „%(value)s” is onbekend. "
                "Kies een agenda op de pagina Abonneren op de agenda.",
                value=self.value[:60],
            )
        return _("Deze agenda bestaat niet.")


@dataclass(frozen=True)
class FeedFilters:
    """The filters of a feed, by their stable keys: region slug, theme number, type.

    Values are not looked up here (no query): :func:`feed_state` checks that
    the region and theme exist in its one aggregate query.
    """

    region_slug: str | None = None
    theme_number: int | None = None
    type: EventType | None = None

    @classmethod
    def from_path(cls, path: str) -> FeedFilters:
        """Read ``west-vlaanderen/thema-2/vormingen`` (each part optional, in this order).

        Raises :class:`UnknownFeed` for a part that is not a region slug,
        ``thema-<n>`` or a type slug (:data:`TYPE_SLUGS`), for parts out of
        order or repeated, so each feed has exactly one URL.
        """
        region = theme = kind = None
        rank = -1
        for part in path.split("/"):
            if match := THEME_SEGMENT.match(part):
                position, theme = 1, int(match.group(1))
            elif part in TYPES_BY_SLUG:
                position, kind = 2, TYPES_BY_SLUG[part]
            elif REGION_SEGMENT.match(part):
                position, region = 0, part
            else:
                raise UnknownFeed(part)
            if position <= rank:
                raise UnknownFeed(part)
            rank = position
        return cls(region, theme, kind)

    @classmethod
    def from_args(cls, args: MultiDict) -> FeedFilters:
        """Read ``regio`` (slug), ``thema`` (number) and ``type`` (as the agenda's filters).

        ``type`` takes the agenda's value (``training``) or the path slug
        (``vormingen``). Raises :class:`UnknownFeed` for a malformed value;
        unknown regions and themes are found by :func:`feed_state`.
        """
        region = args.get("regio", "").strip() or None
        theme = args.get("thema", "").strip() or None
        kind = args.get("type", "").strip() or None
        if region is not None and not REGION_SEGMENT.match(region):
            raise UnknownFeed(region)
        if theme is not None and whole_number(theme, max_digits=3) is None:
            raise UnknownFeed(theme)
        if kind is not None:
            if kind in TYPES_BY_SLUG:
                kind = TYPES_BY_SLUG[kind]
            elif kind in {member.value for member in EventType}:
                kind = EventType(kind)
            else:
                raise UnknownFeed(kind)
        return cls(region, int(theme) if theme else None, kind)

    @classmethod
    def of(cls, region=None, theme=None, kind=None) -> FeedFilters:
        """Return the filters of a ``Region``, ``Theme`` and ``EventType`` (each may be None)."""
        return cls(
            region.slug if region is not None else None,
            theme.number if theme is not None else None,
            EventType(kind) if kind else None,
        )

    @property
    def is_set(self) -> bool:
        return any((self.region_slug, self.theme_number, self.type))

    @property
    def path(self) -> str:
        """Return the readable path, e.g. ``west-vlaanderen/thema-2/vormingen``; "" for none."""
        parts = [
            self.region_slug,
            f"thema-{self.theme_number}" if self.theme_number is not None else None,
            TYPE_SLUGS[self.type] if self.type else None,
        ]
        return "/".join(part for part in parts if part)

    def as_args(self) -> dict[str, str]:
        """Return the filters as query arguments (``regio``, ``thema``, ``type``)."""
        args = {}
        if self.region_slug:
            args["regio"] = self.region_slug
        if self.theme_number is not None:
            args["thema"] = str(self.theme_number)
        if self.type:
            args["type"] = self.type.value
        return args

    def criteria(self) -> list[ColumnElement[bool]]:
        """Return WHERE clauses on ``Event`` for these filters (subqueries on slug and number)."""
        result = []
        if self.region_slug:
            region_id = select(Region.id).where(Region.slug == self.region_slug)
            result.append(Event.region_id == region_id.scalar_subquery())
        if self.theme_number is not None:
            result.append(Event.themes.any(Theme.number == self.theme_number))
        if self.type:
            result.append(Event.type == self.type)
        return result


def feed_name(filters: FeedFilters, region_name: str | None = None, *, personal=False) -> str:
    """Return the Dutch calendar name for NAME and X-WR-CALNAME (case 001 K11).

    "Bruggen – agenda" for the whole agenda; with filters the type (plural,
    else "activiteiten"), "thema <n>" and the region's name, e.g. "Bruggen –
    vormingen thema 2 West-Vlaanderen"; "Bruggen – mijn activiteiten" for a
    personal feed (followed filters are added after "en").
    """
    what = [filters.type.plural if filters.type else _("activiteiten")]
    if filters.theme_number is not None:
        what.append(_("thema %(n)s", n=filters.theme_number))
    if region_name:
        what.append(region_name)
    if personal:
        mine = _("mijn activiteiten")
        return f"Bruggen – {mine} + {' '.join(what)}" if filters.is_set else f"Bruggen – {mine}"
    if not filters.is_set:
        return f"Bruggen – {_('agenda')}"
    return f"Bruggen – {' '.join(what)}"


# --- which activities ---------------------------------------------------------------


def in_window(now: dt.datetime) -> ColumnElement[bool]:
    """WHERE clause: not ended more than 90 days before ``now`` (aware UTC), and a
    cancelled activity only until 90 days after its cancellation (issue 4)."""
    cutoff = now - RETENTION
    cancelled_since = func.coalesce(Event.cancelled_at, Event.updated_at)
    return and_(
        Event.ends_at >= cutoff,
        or_(Event.status != EventStatus.CANCELLED, cancelled_since >= cutoff),
    )


def public_selection(filters: FeedFilters) -> ColumnElement[bool]:
    """WHERE clause of a public feed: what an anonymous visitor may see (public, published or
    cancelled; the same rule as the agenda, ``visible_events_filter``), with ``filters``."""
    return and_(visible_events_filter(None), *filters.criteria())


def _invited(user: User) -> ColumnElement[bool]:
    return Event.id.in_(select(Invitation.event_id).where(invitations_of(user)))


def _own_registrations(user: User) -> ColumnElement[bool]:
    return registrations_of(user)


def _registration_kept(now: dt.datetime) -> ColumnElement[bool]:
    """Places held or waiting, and cancelled ones for 90 days (so clients drop them, K6)."""
    return or_(
        Registration.state.in_([RegistrationState.CONFIRMED, RegistrationState.WAITLISTED]),
        and_(
            Registration.state == RegistrationState.CANCELLED,
            Registration.cancelled_at >= now - RETENTION,
        ),
    )


def personal_selection(user: User, filters: FeedFilters | None, now: dt.datetime):
    """WHERE clause of ``user``'s personal feed.

    Activities the user has a confirmed or waitlisted place for (or cancelled
    in the last 90 days), plus, when ``filters`` is given and set, those
    matching it. Only published or cancelled activities the user may see:
    public, members-only for members, invite-only with an invitation (or in a
    region they coordinate) — never drafts.
    """
    registered = Event.id.in_(
        select(Registration.event_id).where(_own_registrations(user), _registration_kept(now))
    )
    followed = and_(*filters.criteria()) if filters is not None and filters.is_set else false()
    may_see = or_(
        visible_events_filter(user),
        and_(Event.visibility == Visibility.INVITE_ONLY, _invited(user)),
    )
    return and_(Event.status.in_(SHOWN_STATUSES), may_see, or_(registered, followed))


# --- validators ---------------------------------------------------------------------


@dataclass(frozen=True)
class FeedState:
    """HTTP validators of a feed: ``etag`` (quoted, strong) and ``last_modified`` (aware UTC)."""

    etag: str
    last_modified: dt.datetime
    region_name: str | None


EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def feed_state(
    selection: ColumnElement[bool],
    filters: FeedFilters,
    now: dt.datetime,
    *,
    key: str = "",
    user: User | None = None,
) -> FeedState:
    """Return the validators of the feed of ``selection`` at ``now`` with ONE aggregate query.

    The ETag hashes the count, ids, revisions and the latest ``updated_at``
    of the activities in the window, and the version of the "site" data
    (names of regions, networks and themes that the feed writes), so any
    change to what the feed would write changes it. ``key`` separates feeds
    (kind and user).

    Last-Modified never goes back (issue 13, item 11), also when an activity
    leaves the feed: it is the latest of the activities' changes, the moment
    an activity left the window (its end or cancellation plus 90 days), the
    last change of *any* published or cancelled activity (one that left this
    feed's filter, or its visibility, changed then: such activities are never
    deleted and never go back to draft, so that maximum only grows) and the
    last change of the "site" data (``DataVersion.changed_at``). So a client
    that sends only If-Modified-Since never gets a 304 for a feed that
    changed; it may get a 200 for one that did not (when an activity outside
    the feed changed), which costs a download, not a wrong calendar.

    A public feed shows no registrations (no places left, no personal
    state), so a registration changes neither validator. ``user`` given (the
    personal feed): the ETag also hashes the user's own state changes (SEQUENCE
    of its VEVENTs, :func:`personal_sequence`; other people's registrations
    change nothing) and Last-Modified also follows the user's own registrations
    (created, confirmed, cancelled), so a client that only sends
    If-Modified-Since still sees its new place.

    Raises :class:`UnknownFeed` when ``filters`` names a region or theme that
    does not exist (RFC 9110 13.2: the 304 path must not need the body).
    """
    window = in_window(now)
    cancelled_since = func.coalesce(Event.cancelled_at, Event.updated_at)
    left_at = case(
        (
            and_(Event.status == EventStatus.CANCELLED, cancelled_since < Event.ends_at),
            cancelled_since,
        ),
        else_=Event.ends_at,
    )
    columns: list[ColumnElement[Any]] = [
        func.count(case((window, Event.id))),
        func.max(case((window, Event.updated_at))),
        func.coalesce(func.sum(case((window, Event.id))), 0),
        func.coalesce(func.sum(case((window, Event.revision))), 0),
        func.max(case((~window, left_at))),
        last_public_change(),
        version_of("site"),
        changed_at("site"),
    ]
    if user is not None:
        own = _own_registrations(user)
        columns.append(
            select(func.coalesce(func.sum(Registration.state_changes), 0))
            .where(own)
            .scalar_subquery()
        )
        columns.extend(
            select(func.max(moment)).where(own).scalar_subquery()
            for moment in (
                Registration.created_at,
                Registration.confirmed_at,
                Registration.cancelled_at,
            )
        )
    if filters.region_slug:
        columns.append(
            select(Region.name).where(Region.slug == filters.region_slug).scalar_subquery()
        )
    if filters.theme_number is not None:
        columns.append(
            select(Theme.id).where(Theme.number == filters.theme_number).scalar_subquery()
        )
    row = list(db.session.execute(select(*columns).select_from(Event).where(selection)).one())
    count, last_update, id_sum, revisions, last_left = row[:5]
    any_change, site_version, site_changed = row[5:8]
    rest = row[8:]
    personal: tuple = ()
    if user is not None:
        personal, rest = tuple(rest[:4]), rest[4:]
    name = rest[0] if filters.region_slug else None
    if filters.region_slug and name is None:
        raise UnknownFeed(filters.region_slug)
    if filters.theme_number is not None and row[-1] is None:
        raise UnknownFeed(f"thema-{filters.theme_number}")
    moments = [EPOCH]
    moments.extend(_as_utc(moment) for moment in (any_change, site_changed) if moment is not None)
    if last_update is not None:
        last_update = _as_utc(last_update)
        moments.append(last_update)
    if last_left is not None:
        last_left = _as_utc(last_left)
        moments.append(last_left + RETENTION)
    if personal:
        personal = (personal[0], *(_as_utc(m) if m is not None else None for m in personal[1:]))
        moments.extend(moment for moment in personal[1:] if moment is not None)
    last_modified = max(moments).replace(microsecond=0)
    state = (
        FEED_FORMAT,
        key,
        filters,
        count,
        last_update,
        last_left,
        id_sum,
        revisions,
        personal,
        site_version,
    )
    digest = hashlib.sha256(repr(state).encode()).hexdigest()
    return FeedState(f'"{digest[:40]}"', last_modified, name)


SINGLE_FORMAT = "bruggen-ics-1"


def event_state(
    event: Event,
    *,
    include_online_link: bool,
    language: str,
    own_changes: tuple[dt.datetime | None, ...] = (),
) -> FeedState:
    """Return the validators of the single activity's .ics (one query, for the site data).

    The file is made of the activity (``updated_at`` moves with every edit, programme
    included; ``revision``), the names of the "site" data (network, themes), the
    language it is written in and whether it holds the online link (confirmed
    participants only). The ETag hashes all of these; Last-Modified is the latest of
    the activity's change, the site data's change and ``own_changes`` (the times the
    visitor's own registration was made, confirmed or cancelled: the online link comes
    and goes with them), so it never goes back (issue 13, item 11).
    """
    site_version, site_changed = db.session.execute(
        select(version_of("site"), changed_at("site"))
    ).one()
    moments = [_as_utc(event.updated_at), EPOCH]
    moments.extend(_as_utc(m) for m in (site_changed, *own_changes) if m is not None)
    state = (
        SINGLE_FORMAT,
        event.id,
        event.updated_at.isoformat(),
        event.revision,
        include_online_link,
        language,
        site_version,
    )
    digest = hashlib.sha256(repr(state).encode()).hexdigest()
    return FeedState(f'"{digest[:40]}"', max(moments).replace(microsecond=0), None)


def last_public_change() -> ColumnElement[Any]:
    """Scalar subquery: the latest ``updated_at`` of all published and cancelled activities.

    It only grows: such an activity is never deleted (``delete_event`` takes drafts only)
    nor made a draft again, and every edit sets its ``updated_at`` to now; a registration
    leaves it alone. When an activity leaves a feed's filter (another region, type, theme,
    visibility), the edit that moved it shows here.
    """
    return (
        select(func.max(Event.updated_at))
        .where(Event.status != EventStatus.DRAFT)
        .scalar_subquery()
    )


def _as_utc(value) -> dt.datetime:
    """A MAX() over a CASE may come back untyped from SQLite (a string): make it aware UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- building -----------------------------------------------------------------------


def feed_events(selection: ColumnElement[bool], now: dt.datetime) -> list[FeedEvent]:
    """Return the activities of ``selection`` in the window, soonest first, as rows with what a
    VEVENT shows (region, network, themes, programme): three queries whatever their number."""
    return load_feed_events(and_(selection, in_window(now)))


def render_calendar(
    events: list[FeedEvent], name: str, vevent_of: Callable[[FeedEvent, int], bytes]
) -> bytes:
    """Return the VCALENDAR of ``events`` as bytes, below :data:`MAX_FEED_BYTES`.

    ``vevent_of(event, max_description)`` returns each VEVENT's bytes. Descriptions
    are capped at 1,500 characters; when the feed would be too large they are
    cut to 200 (:data:`DESCRIPTION_CAPS`), and if it still is, the activities
    furthest in the future are left out (case 001 K12). The calendar is
    joined from the VEVENTs' own bytes: the same bytes ``icalendar`` writes
    for the whole calendar (``tests/events/test_vevents.py``).
    """
    head, tail = _calendar_frame(name)
    budget = MAX_FEED_BYTES - len(head) - len(tail)
    parts, complete = render_events(events, vevent_of, DESCRIPTION_CAPS, budget)
    if not complete:
        log.warning("feed %r too large: keeping %s of %s activities", name, len(parts), len(events))
    return head + b"".join(parts) + tail


@functools.lru_cache(maxsize=64)
def _frame(name: str) -> tuple[bytes, bytes]:
    data = calendar_of([], name=name, refresh=REFRESH_INTERVAL).to_ical()
    end = b"END:VCALENDAR\r\n"
    assert data.endswith(end)
    return data[: -len(end)], end


def _calendar_frame(name: str) -> tuple[bytes, bytes]:
    """Return the bytes of the calendar ``name`` before and after its VEVENTs (made once per
    name and process: the VTIMEZONE and the calendar's properties never change)."""
    return _frame(name)


def public_feed(
    filters: FeedFilters,
    region_name: str | None,
    now: dt.datetime,
    selection: ColumnElement[bool] | None = None,
) -> bytes:
    """Return the public feed of ``filters`` (UTF-8 .ics bytes, CRLF; no online links).

    ``region_name`` (from :func:`feed_state`) names the calendar; ``selection`` is
    :func:`public_selection` of ``filters`` when the caller built it already (once per
    request). The same data give the same bytes: DTSTAMP is each activity's last change.
    """
    if selection is None:
        selection = public_selection(filters)
    events = feed_events(selection, now)
    return render_calendar(events, feed_name(filters, region_name), FeedWriter().vevent)


STATE_RANK: dict[RegistrationState | None, int] = {
    RegistrationState.CONFIRMED: 3,
    RegistrationState.WAITLISTED: 2,
    RegistrationState.CANCELLED: 1,
}


def personal_feed(
    user: User,
    filters: FeedFilters | None,
    region_name: str | None,
    now: dt.datetime,
    selection: ColumnElement[bool] | None = None,
) -> bytes:
    """Return ``user``'s personal feed (UTF-8 .ics bytes).

    Each activity carries the user's place: confirmed as the activity's
    status, with the online link; waitlisted as STATUS:TENTATIVE and
    "[wachtlijst] " before the title; a place cancelled in the last 90 days
    as STATUS:CANCELLED and "[afgemeld] " (unless a followed filter holds the
    activity anyway). SEQUENCE is :func:`personal_sequence`: it changes only when
    the activity or the user's own place changes, never when others register. No one
    else's data. ``selection``: :func:`personal_selection` when the caller built it
    already (once per request).
    """
    filters = filters or FeedFilters()
    if selection is None:
        selection = personal_selection(user, filters, now)
    events = feed_events(selection, now)
    states: dict[int, RegistrationState] = {}
    changes: dict[int, int] = {}
    if events:
        kept = case((_registration_kept(now), 1), else_=0)
        rows = db.session.execute(
            select(
                Registration.event_id, Registration.state, Registration.state_changes, kept
            ).where(_own_registrations(user))
        ).all()
        for event_id, state, state_changes, is_kept in rows:
            changes[event_id] = changes.get(event_id, 0) + state_changes
            state = RegistrationState(state)
            if is_kept and STATE_RANK.get(state, 0) > STATE_RANK.get(states.get(event_id), 0):
                states[event_id] = state

    writer = FeedWriter()

    def vevent(event: FeedEvent, cap: int) -> bytes:
        state = states.get(event.id)
        status, prefix = None, ""
        if event.status == EventStatus.PUBLISHED:
            if state == RegistrationState.WAITLISTED:
                status, prefix = "TENTATIVE", WAITLIST_PREFIX
            elif state == RegistrationState.CANCELLED and not _matches(event, filters):
                status, prefix = "CANCELLED", CANCELLED_PREFIX
        personal = Personal(
            include_online_link=state == RegistrationState.CONFIRMED,
            sequence=personal_sequence(event.revision, changes.get(event.id, 0)),
            status=status,
            summary_prefix=prefix,
        )
        return writer.vevent(event, cap, personal)

    return render_calendar(events, feed_name(filters, region_name, personal=True), vevent)


def personal_sequence(revision: int, own_state_changes: int) -> int:
    """Return the SEQUENCE of an activity in one person's feed (RFC 5545 3.8.7.4).

    ``revision`` is the activity's (it grows when time, place or status change);
    ``own_state_changes`` the sum of ``Registration.state_changes`` over the person's
    own registrations for it (0 without one; each grows by one or more at every
    change of that place: registered, waitlisted, promoted, confirmed, cancelled,
    registered again, which reuses the row). Both terms only grow, so their sum only
    grows: a client applies each change (it ignores a VEVENT whose SEQUENCE is lower
    than the one it holds) and sees none when only other people registered.

    A plain sum, not ``revision * K + rank of the state``: a state rank goes down
    (confirmed -> cancelled), which SEQUENCE must never do, and a counter needs no K
    to stay below. The counter is counted over all the person's rows, also those no
    longer shown (cancelled longer than 90 days ago), so a place dropping out of the
    feed never lowers the number of an activity the person still follows.
    """
    return revision + own_state_changes


def _matches(event: FeedEvent, filters: FeedFilters) -> bool:
    """True when ``filters`` is set and ``event`` matches it (its region and themes)."""
    if not filters.is_set:
        return False
    if filters.region_slug and event.region_slug != filters.region_slug:
        return False
    if filters.theme_number is not None and filters.theme_number not in event.theme_numbers:
        return False
    return not (filters.type and event.type != filters.type)


def user_by_feed_token(token: str) -> User:
    """Return the active user whose personal feed token is ``token`` (one query).

    Raises :class:`UnknownFeed` for an unknown, revoked or malformed token and
    for a deactivated account: a 404 with no hint that it ever existed.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,43}", token or ""):
        raise UnknownFeed()
    user = (
        db.session.scalars(
            select(User)
            .where(User.feed_token == token, User.is_active.is_(True))
            .options(joinedload(User.coordinated_regions))
        )
        .unique()
        .first()
    )
    if user is None:
        raise UnknownFeed()
    return user


def regenerate_feed_token(user: User) -> str:
    """Give ``user``'s personal feed a new secret URL (flushes; the caller commits).

    Returns the new token; the old URL answers 404 at once (issue 4).
    """
    token = user.regenerate_feed_token()
    db.session.flush()
    log.info("user %s regenerated the personal feed token", user.id)
    return token
