"""Pages of activities: agenda, archive, activity page, registration, cancel links, my list."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import and_, case, func, inspect, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.http import is_resource_modified

from community.accounts.filters import region_arg, theme_arg
from community.accounts.models import Region, Theme
from community.accounts.permissions import audience_of, is_signed_in
from community.core.db import utcnow
from community.core.extensions import csrf, db, limiter
from community.core.filters import InvalidFilter, choice_arg, page_arg
from community.core.forms import EmptyForm
from community.core.fragments import (
    kept,
    render_and_keep,
    render_kept,
    render_shared,
    shared_key,
)
from community.core.i18n import selected_language
from community.core.pagecache.middleware import cached_page
from community.core.security import protect_form_of_public_page, remote_address
from community.library.materials import visible_materials_filter
from community.library.models import Material
from events import invitations
from events import registration as seats
from events.calendar.feeds import event_state
from events.calendar.ical import CALENDAR_MIMETYPE, event_calendar
from events.calendar.links import google_calendar_url, outlook_calendar_url
from events.followup.mailing import follow_ups_of
from events.models import (
    Event,
    EventMaterial,
    EventStatus,
    EventType,
    Invitation,
    InvitationStatus,
    ProgrammeItem,
    Registration,
    RegistrationState,
    Visibility,
)
from events.notifications import notify_promoted, notify_registered
from events.permissions import (
    can_view_event,
    visible_events_filter,
)
from events.registration import invitations_of, is_registration_of, registrations_of
from events.registration.forms import (
    add_answer_errors,
    answers_from,
    colleagues_from,
    guest_from,
    registration_form,
)
from events.views import bp

UPCOMING_ON_HOME = 6
UPCOMING_ON_REGION = 10
PAST_ON_REGION = 3
EVENTS_PER_PAGE = 50  # agenda and archive


MONTH_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII digits only


def month_arg(args: MultiDict, name: str = "maand") -> dt.date | None:
    """Return the first day of the month ``args[name]`` ("2027-03"), None when absent or empty.

    Raises ``InvalidFilter`` for anything but an existing month written YYYY-MM.
    """
    value = args.get(name, "").strip()
    if not value:
        return None
    match = MONTH_PATTERN.match(value)
    # Years 1900–2999: the month after December 9999 does not exist (a 500 before).
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) < 3000:
        raise InvalidFilter(name, value[:20])
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def flag_arg(args: MultiDict, name: str) -> bool:
    """Return True for ``name=1``, False when absent, empty or 0; ``InvalidFilter`` otherwise."""
    value = args.get(name, "").strip()
    if value not in ("", "0", "1"):
        raise InvalidFilter(name, value[:20])
    return value == "1"


# What the agenda and the archive read (AgendaFilters, page_arg); the page cache keys on it.
AGENDA_PARAMS = ("regio", "thema", "type", "maand", "vrij", "pagina")


@dataclass(frozen=True)
class AgendaFilters:
    """The agenda's filters (each None when not chosen); built by :meth:`from_args`."""

    region: Region | None = None
    theme: Theme | None = None
    type: EventType | None = None
    month: dt.date | None = None
    only_free: bool = False

    @classmethod
    def from_args(cls, args: MultiDict) -> AgendaFilters:
        """Read ``regio``, ``thema``, ``type``, ``maand`` (YYYY-MM) and ``vrij`` (1).

        Raises ``InvalidFilter`` (→ 400) on unknown values.
        """
        return cls(
            region_arg(args),
            theme_arg(args),
            choice_arg(args, "type", EventType),
            month_arg(args),
            flag_arg(args, "vrij"),
        )

    @property
    def is_set(self) -> bool:
        return any((self.region, self.theme, self.type, self.month, self.only_free))

    def criteria(self) -> list:
        """Return WHERE clauses on ``Event`` for the chosen filters (months in Brussels time)."""
        result = []
        if self.region is not None:
            result.append(Event.region_id == self.region.id)
        if self.theme is not None:
            result.append(Event.themes.any(Theme.id == self.theme.id))
        if self.type is not None:
            result.append(Event.type == self.type)
        if self.month is not None:
            zone = ZoneInfo("Europe/Brussels")
            first = dt.datetime.combine(self.month, dt.time(), zone)
            following = (self.month + dt.timedelta(days=32)).replace(day=1)
            after = dt.datetime.combine(following, dt.time(), zone)
            result.append(Event.starts_at >= first.astimezone(dt.UTC))
            result.append(Event.starts_at < after.astimezone(dt.UTC))
        if self.only_free:
            result.append(seats.free_places_filter(utcnow()))
        return result


def _listing(*criteria, upcoming: bool):
    now = utcnow()
    when = Event.ends_at >= now if upcoming else Event.ends_at < now
    return select(Event).where(visible_events_filter(current_user), when, *criteria)


def _listed(*criteria, upcoming: bool, limit: int | None = None, offset: int = 0) -> list[Event]:
    """Return the events ``current_user`` may see: upcoming soonest first, past newest first."""
    order = Event.starts_at.asc() if upcoming else Event.starts_at.desc()
    query = (
        _listing(*criteria, upcoming=upcoming)
        .options(joinedload(Event.region), selectinload(Event.themes))
        .order_by(order, Event.id)
        .limit(limit)
        .offset(offset)
    )
    return db.session.scalars(query).all()


def _listed_page(criteria, *, upcoming: bool) -> tuple[list[Event], int, int]:
    """One page (``?pagina=``, :data:`EVENTS_PER_PAGE`) of :func:`_listed`: events, page, pages.

    Raises ``InvalidFilter`` (a 400) for a page number that is not a positive integer,
    and 404 for a page beyond the last.
    """
    page = page_arg(request.args)
    total = db.session.scalar(
        _listing(*criteria, upcoming=upcoming).with_only_columns(func.count(Event.id))
    )
    pages = max(1, -(-total // EVENTS_PER_PAGE))
    if page > pages:
        abort(404)
    offset = (page - 1) * EVENTS_PER_PAGE
    events = _listed(*criteria, upcoming=upcoming, limit=EVENTS_PER_PAGE, offset=offset)
    return events, page, pages


def home_section() -> dict:
    """The home page's upcoming activities (registered in ``events.wiring``)."""
    return {"events": _listed(upcoming=True, limit=UPCOMING_ON_HOME)}


def region_section(region: Region) -> dict:
    """A region page's upcoming and past activities (registered in ``events.wiring``)."""
    in_region = Event.region_id == region.id
    return {
        "region": region,
        "upcoming": _listed(in_region, upcoming=True, limit=UPCOMING_ON_REGION),
        "past": _listed(in_region, upcoming=False, limit=PAST_ON_REGION),
    }


def _filter_choices() -> dict:
    return {
        "regions": db.session.scalars(select(Region).order_by(Region.position)).all(),
        "themes": db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        "types": list(EventType),
    }


def _is_invited_viewer(event: Event) -> bool:
    """True when the signed-in user has an invitation to this published invite-only event."""
    if event.visibility != Visibility.INVITE_ONLY or event.status == EventStatus.DRAFT:
        return False
    if not is_signed_in(current_user):
        return False
    invitation = db.session.scalar(
        select(Invitation.id).where(
            Invitation.event_id == event.id,
            invitations_of(current_user),
            Invitation.status != InvitationStatus.WITHDRAWN,
        )
    )
    return invitation is not None


# What the registration block reads of an activity (its questions and workshops), and
# what the rest of its page shows besides.
_FOR_REGISTRATION = (
    joinedload(Event.region),
    joinedload(Event.network),
    selectinload(Event.questions),
    selectinload(Event.programme),
)
_FOR_THE_PAGE = (
    joinedload(Event.region),
    joinedload(Event.network),
    selectinload(Event.themes),
    selectinload(Event.organisations),
    selectinload(Event.questions),
    selectinload(Event.programme).selectinload(ProgrammeItem.materials),
)


def get_event_or_404(slug: str, *, whole: bool = True) -> Event:
    """Return the event ``slug`` with what its page shows; 404 when unknown or not visible.

    Invite-only activities are also shown to signed-in users with an invitation. With
    ``whole=False`` only what the registration block reads is loaded with it (the page's
    other parts come from the kept fragment; :func:`_load_page_of` loads the rest).
    """
    options = _FOR_THE_PAGE if whole else _FOR_REGISTRATION
    event = db.session.scalar(select(Event).where(Event.slug == slug).options(*options))
    if event is None or not (can_view_event(current_user, event) or _is_invited_viewer(event)):
        abort(404)
    return event


def _availabilities(events: list[Event]) -> dict[int, seats.Availability]:
    """Return each event's availability (free places, full, closed...) with one query."""
    now = utcnow()
    taken = seats.seats_taken_by_event([e.id for e in events if e.capacity is not None], now)
    return {e.id: seats.availability(e, taken.get(e.id, 0), now) for e in events}


def _agenda_context() -> dict:
    filters = AgendaFilters.from_args(request.args)
    events, page, pages = _listed_page(filters.criteria(), upcoming=True)
    return {
        "events": events,
        "page": page,
        "pages": pages,
        "filters": filters,
        "availability": _availabilities(events),
        **_filter_choices(),
    }


def _archive_context() -> dict:
    filters = AgendaFilters.from_args(request.args)
    events, page, pages = _listed_page(filters.criteria(), upcoming=False)
    return {"events": events, "page": page, "pages": pages, "filters": filters, **_filter_choices()}


@bp.get("/agenda")
@cached_page("events", "site", params=AGENDA_PARAMS)
def agenda():
    # The listing is the same for everyone of the visitor's audience (issue 14).
    return render_shared(
        "events/agenda.html",
        ("events", "site"),
        _agenda_context,
        audience=audience_of(current_user),
    )


@bp.get("/agenda/archief")
@cached_page("events", "site", params=AGENDA_PARAMS)
def archive():
    return render_shared(
        "events/archive.html",
        ("events", "site"),
        _archive_context,
        audience=audience_of(current_user),
    )


def _registration_facts(event: Event) -> dict:
    """Places held and waiting, listed participants and the visitor's own registration.

    Two queries whatever the number of registrations (plus one for workshops).
    Participants see a count; names only of those who agreed (``is_listed``).
    """
    now = utcnow()
    held = or_(
        Registration.state == RegistrationState.CONFIRMED,
        and_(Registration.state == RegistrationState.PENDING, Registration.pending_until > now),
    )
    waitlisted = Registration.state == RegistrationState.WAITLISTED
    taken, waiting = db.session.execute(
        select(
            func.coalesce(func.sum(case((held, 1), else_=0)), 0),
            func.coalesce(func.sum(case((waitlisted, 1), else_=0)), 0),
        ).where(Registration.event_id == event.id)
    ).one()
    listed = and_(
        Registration.is_listed.is_(True), Registration.state == RegistrationState.CONFIRMED
    )
    own = None
    if is_signed_in(current_user):
        own = registrations_of(current_user)
    rows = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, listed if own is None else or_(listed, own))
        .order_by(Registration.name, Registration.id)
    ).all()
    mine = None
    if own is not None:
        mine = next(
            (
                r
                for r in rows
                if is_registration_of(current_user, r) and r.state != RegistrationState.CANCELLED
            ),
            None,
        )
    workshops = seats.workshops_of(event)
    return {
        "taken": taken,
        "waiting": waiting,
        "state": seats.availability(event, taken, now),
        "listed": [r for r in rows if r.is_listed and r.state == RegistrationState.CONFIRMED],
        "mine": mine,
        "workshop_taken": seats.workshop_seats_taken(event) if workshops else {},
    }


def _form_for(event: Event, workshop_taken: dict, formdata=None):
    signed_in = is_signed_in(current_user)
    return registration_form(
        event,
        as_guest=not signed_in,
        with_colleagues=signed_in and current_user.organisation_id is not None,
        workshop_taken=workshop_taken,
        formdata=formdata,
    )


def _event_materials(event: Event) -> list[Material]:
    """The materials of ``event`` itself (not of a programme item) that the visitor may see."""
    return db.session.scalars(
        select(Material)
        .join(EventMaterial, EventMaterial.material_id == Material.id)
        .where(
            EventMaterial.event_id == event.id,
            EventMaterial.programme_item_id.is_(None),
            visible_materials_filter(current_user),
        )
        .order_by(Material.title)
    ).all()


def _registration_context(event: Event, *, form=None, error: str | None = None) -> dict:
    """What the registration block (``events/_registration.html``) shows this visitor:
    the places, their own registration, the form (with its CSRF token) and ``error``."""
    facts = _registration_facts(event)
    if form is None and facts["state"].kind in ("free", "full", "open") and not facts["mine"]:
        form = _form_for(event, facts["workshop_taken"])
    return {
        "event": event,
        "form": form,
        "error": error,
        "cancel_form": EmptyForm() if facts["mine"] else None,
        "cancel_token": seats.cancel_token(facts["mine"]) if facts["mine"] else None,
        "google_url": google_calendar_url(event),
        "outlook_url": outlook_calendar_url(event),
        **facts,
    }


def _detail_page(event: Event, *, form=None, status: int = 200, error: str | None = None):
    """Render the activity page; ``form`` (with errors) and ``error`` after a failed POST."""
    if "themes" in inspect(event).unloaded:  # loaded for a registration only: the rest now
        db.session.execute(
            select(Event)
            .where(Event.id == event.id)
            .options(*_FOR_THE_PAGE)
            .execution_options(populate_existing=True)
        ).one()
    page = render_template(
        "events/detail.html",
        materials=_event_materials(event),
        **_registration_context(event, form=form, error=error),
    )
    return page, status


DETAIL = "events/detail.html"
DETAIL_SCOPES = ("events", "forums", "library", "members", "site")  # its thread, listed names
DETAIL_HOLES = {"registration": "events/_registration.html"}


@bp.get("/activiteiten/<slug>")
@cached_page(*DETAIL_SCOPES)
def detail(slug):
    # The page but its registration block is the same for everyone of the visitor's
    # audience (issue 14): kept, with the visitor's block rendered in its place. The
    # key is made (the versions read) before the activity is loaded.
    key = shared_key(DETAIL, DETAIL_SCOPES, audience_of(current_user))
    entry = kept(key)
    if entry is not None:
        event = get_event_or_404(slug, whole=False)
        if can_view_event(current_user, event):  # as for everyone of the audience
            return render_kept(DETAIL, entry, _registration_context(event), DETAIL_HOLES)
    event = get_event_or_404(slug)
    context = {"materials": _event_materials(event), **_registration_context(event)}
    if not can_view_event(current_user, event):  # an invitee's page: not the audience's
        key = None
    return render_and_keep(DETAIL, key, context, DETAIL_HOLES)


# The .ics may hold the online link (confirmed participants): browsers keep it, shared
# caches never, and every use asks again (a 304 when unchanged).
ICS_CACHE = "private, no-cache"


def _own_registration(event: Event) -> tuple[bool, tuple]:
    """Whether the signed-in visitor holds a confirmed place at ``event``, and the times
    their registration was made, confirmed or cancelled (one query; none for guests).
    Their registrations are those ``registrations_of`` names: by account, or by a
    verified address (issue 13, item 2)."""
    if not is_signed_in(current_user):
        return False, ()
    confirmed = func.max(case((Registration.state == RegistrationState.CONFIRMED, 1), else_=0))
    row = db.session.execute(
        select(
            confirmed,
            func.max(Registration.created_at),
            func.max(Registration.confirmed_at),
            func.max(Registration.cancelled_at),
        ).where(Registration.event_id == event.id, registrations_of(current_user))
    ).one()
    return bool(row[0]), tuple(row[1:])


@bp.get("/activiteiten/<slug>.ics")
def ics(slug):
    """The activity as an .ics download; the online link only for confirmed participants.

    With an ETag and a Last-Modified that never goes back, and a 304 when the browser's
    copy is still this one (``feeds.event_state``; issue 13, item 11).
    """
    event = get_event_or_404(slug)
    confirmed, own_changes = _own_registration(event)
    state = event_state(
        event,
        include_online_link=confirmed,
        language=selected_language(),
        own_changes=own_changes,
    )
    etag = state.etag.strip('"')
    if not is_resource_modified(request.environ, etag=etag, last_modified=state.last_modified):
        response = make_response("", 304)
    else:
        response = make_response(event_calendar(event, include_online_link=confirmed))
        response.headers["Content-Type"] = CALENDAR_MIMETYPE
        response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["ETag"] = state.etag
    response.last_modified = state.last_modified
    response.headers["Cache-Control"] = ICS_CACHE
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def _registered_message(registrations: list[Registration]) -> str:
    """The flash message after registering: by state, full workshops, colleagues."""
    first = registrations[0]
    if first.pending_until is not None:
        message = _(
            "Bijna klaar: bevestig je inschrijving binnen 48 uur met de link in de mail "
            "die we naar %(email)s stuurden.",
            email=first.email,
        )
    elif first.state == RegistrationState.WAITLISTED:
        message = _(
            "De activiteit is volzet: je staat op de wachtlijst. "
            "We mailen je zodra er een plaats vrijkomt."
        )
    else:
        message = _("Je bent ingeschreven. Je krijgt een bevestiging per mail.")
    if first.state != RegistrationState.WAITLISTED:
        waiting = [
            c.programme_item.title
            for c in first.workshop_choices
            if c.state == RegistrationState.WAITLISTED
        ]
        if waiting:
            message += " " + _(
                "Deze workshop is volzet, je staat er op de wachtlijst: %(workshops)s.",
                workshops=", ".join(waiting),
            )
    if len(registrations) > 1:
        message += " " + ngettext(
            "Je schreef %(num)d collega in; die krijgt een eigen mail.",
            "Je schreef %(num)d collega's in; ieder krijgt een eigen mail.",
            len(registrations) - 1,
        )
    return message


def _signed_in() -> bool:
    return is_signed_in(current_user)


# Guest registrations (members are not limited: their account is the brake). Three limits,
# each against another kind of flood (issue 13, "Small things a user hits"):
#
# - per address, every POST: colleagues of one school, CLB or city department, even a whole
#   school board, share one address behind their NAT; after a network's mailing a dozen of
#   them register in the same minute. 20 a minute and 200 an hour leave room for that (the
#   largest shared addresses have a few hundred staff, who do not all register in one
#   hour), and still stop one machine from posting more than one every three seconds.
# - per e-mail address, registrations made: each one mails a confirmation link to the
#   address typed in the form, so this bounds what Bruggen sends to someone who did not
#   ask (at most 10 mails an hour), from however many addresses; a real guest registers
#   for a few activities of a series at most. Case does not matter (Ann@ is ann@).
# - per activity, registrations made: a flood from many addresses cannot hold all places
#   of one activity (unconfirmed places are held 48 hours) faster than 30 a minute and
#   300 an hour, ample for the busiest opening of registrations (an inspiration day of a
#   few hundred places), slow enough for a coordinator to notice and close it.
#
# The last two count only a registration that was made (a redirect), so a guest who
# corrects a form error three times, or is refused (registered already, registration
# closed), uses none of them.
GUESTS_PER_ADDRESS = "20 per minute;200 per hour"
REGISTRATIONS_PER_EMAIL = "10 per hour"
GUESTS_PER_ACTIVITY = "30 per minute;300 per hour"


def _guest_email_key() -> str:
    """Rate-limit key: the guest's e-mail address as typed (lowercase), else the client address."""
    email = (request.form.get("guest_email") or "").strip().lower()[:254]
    return f"guest-email|{email}" if email else f"guest-address|{remote_address()}"


def _activity_key() -> str:
    """Rate-limit key: the activity's slug from the URL."""
    return f"guest-activity|{(request.view_args or {}).get('slug', '')[:200]}"


def _registered(response) -> bool:
    """Count a guest registration against the limits only when it was made (a redirect)."""
    return response.status_code == 302


@bp.post("/activiteiten/<slug>/inschrijven")
@limiter.limit(
    GUESTS_PER_ADDRESS,
    key_func=remote_address,
    exempt_when=_signed_in,
    error_message=_l(
        "Er werden van hieruit te veel gastinschrijvingen verstuurd. Wacht even en probeer "
        "het opnieuw, of meld je aan."
    ),
)
@limiter.limit(
    REGISTRATIONS_PER_EMAIL,
    key_func=_guest_email_key,
    exempt_when=_signed_in,
    deduct_when=_registered,
    error_message=_l(
        "Met dit e-mailadres werden het voorbije uur te veel inschrijvingen gemaakt. "
        "Probeer het later opnieuw, of meld je aan."
    ),
)
@limiter.limit(
    GUESTS_PER_ACTIVITY,
    key_func=_activity_key,
    exempt_when=_signed_in,
    deduct_when=_registered,
    error_message=_l(
        "Voor deze activiteit komen net heel veel gastinschrijvingen binnen. Probeer het "
        "over enkele minuten opnieuw, of meld je aan."
    ),
)
@csrf.exempt  # guests post from the cached activity page: protect_form_of_public_page
def register(slug):
    protect_form_of_public_page()
    event = get_event_or_404(slug, whole=False)  # the page, only when the form is refused
    form = _form_for(event, seats.workshop_seats_taken(event), formdata=request.form)
    if not form.validate_on_submit():
        return _detail_page(event, form=form, status=422)
    language = selected_language()
    options = {
        "answers": answers_from(form, event),
        "workshop_ids": (form["workshops"].data or []) if "workshops" in form else [],
        "is_listed": form.is_listed.data,
    }
    try:
        if is_signed_in(current_user):
            registrations = seats.register_group(
                event,
                registered_by=current_user,
                include_self=True,
                guests=colleagues_from(form, language),
                **options,
            )
        else:
            guest = guest_from(form, language)
            registrations = [seats.register(event, guest=guest, **options)]
    except seats.InvalidAnswers as error:
        db.session.rollback()
        add_answer_errors(form, event, error.errors)
        return _detail_page(event, form=form, status=422, error=error.message)
    except seats.RegistrationError as error:
        db.session.rollback()
        return _detail_page(event, form=form, status=error.status, error=error.message)
    for registration in registrations:
        notify_registered(registration)
    invitations.note_registrations(registrations)
    # Read before the commit expires them (issue 14: reading them after it loaded the
    # activity, its programme, questions, themes and the places again: eight queries).
    message, page = _registered_message(registrations), url_for("events.detail", slug=event.slug)
    db.session.commit()
    flash(message, "success")
    return redirect(page)


def _link_problem(error: seats.RegistrationError):
    return render_template("events/link_problem.html", message=error.message), error.status


def _confirmation_page(token: str):
    """GET of a guest's confirmation link: a button, or why the link no longer works.

    Nothing changes on GET (mail scanners prefetch links); an expired hold is
    released by the POST or by ``flask release-expired-registrations``.
    """
    try:
        registration = seats.registration_from_token(seats.CONFIRM_PURPOSE, token)
    except seats.RegistrationError as error:
        return _link_problem(error)
    template = "events/confirm_registration.html"
    if registration.state == RegistrationState.CANCELLED:
        return _link_problem(seats.LinkExpired())
    if registration.pending_until is None:
        return render_template(template, registration=registration)
    if registration.pending_until <= utcnow():
        return _link_problem(seats.ConfirmationExpired())
    return render_template(template, registration=registration, form=EmptyForm())


@bp.route("/inschrijving/bevestigen/<token>", methods=["GET", "POST"])
def confirm_registration(token):
    """A guest confirms the e-mail address by the link in the mail (like account verification)."""
    if request.method == "GET":
        return _confirmation_page(token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        registration = seats.registration_from_token(seats.CONFIRM_PURPOSE, token)
        already_confirmed = registration.pending_until is None
        seats.confirm_registration(registration)
    except seats.ConfirmationExpired as error:
        for promoted in error.promoted:
            notify_promoted(promoted)
        db.session.commit()
        return _link_problem(error)
    except seats.RegistrationError as error:
        db.session.rollback()
        return _link_problem(error)
    if registration.state == RegistrationState.CONFIRMED and not already_confirmed:
        notify_registered(registration)  # once: a second click sends no second mail
    db.session.commit()
    return render_template("events/confirm_registration.html", registration=registration)


@bp.route("/inschrijving/annuleren/<token>", methods=["GET", "POST"])
def cancel_registration(token):
    """GET asks to confirm; POST cancels (also leaving the waiting list). No login needed."""
    try:
        registration = seats.registration_from_token(seats.CANCEL_PURPOSE, token)
    except seats.RegistrationError as error:
        return _link_problem(error)
    form = EmptyForm()
    template = "events/cancel_registration.html"
    if registration.state == RegistrationState.CANCELLED:
        return render_template(template, registration=registration, done=True)
    if not form.validate_on_submit():
        return render_template(template, registration=registration, form=form)
    try:
        promoted = seats.cancel(registration)
    except seats.RegistrationError as error:
        db.session.rollback()
        return _link_problem(error)
    for other in promoted:
        notify_promoted(other)
    db.session.commit()
    if request.form.get("next") == "mine" and is_signed_in(current_user):
        title = registration.event.title
        flash(_("Je inschrijving voor „%(title)s” is geannuleerd.", title=title), "success")
        return redirect(url_for("events.my_activities"))
    return render_template(template, registration=registration, done=True)


@bp.get("/account/activiteiten")
@login_required
def my_activities():
    """The signed-in user's registrations, upcoming and past, with their state."""
    rows = db.session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(registrations_of(current_user))
        .options(joinedload(Registration.event).joinedload(Event.region))
        .order_by(Event.starts_at, Registration.id)
    ).all()
    now = utcnow()
    upcoming = [r for r in rows if r.event.ends_at >= now]
    past = [r for r in reversed(rows) if r.event.ends_at < now]
    tokens = {
        r.id: seats.cancel_token(r) for r in upcoming if r.state != RegistrationState.CANCELLED
    }
    open_invitations = invitations.open_invitations_of(current_user, now)
    return render_template(
        "events/my_activities.html",
        upcoming=upcoming,
        past=past,
        tokens=tokens,
        form=EmptyForm(),
        follow_ups=follow_ups_of(past, now),
        open_invitations=[(i, invitations.invitation_token(i)) for i in open_invitations],
    )
