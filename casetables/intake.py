"""Intake of case requests and planning the table (issue 19, "Request" and "Intake").

A member files a request (:func:`file_case_request`); the region's coordinators ask for
clarification (:func:`ask_clarification`, the requester answers with
:func:`answer_clarification`), accept (:func:`accept_case`), redirect to an offer of the
regional map (:func:`redirect_case`) or plan the table (:func:`plan_table`): an
invite-only activity with invitations (issue 17's RSVP flow) to the partners chosen.

States (``CaseState``): requested ⇄ clarification → accepted → planned; requested,
clarification or accepted → redirected. Each function checks who acts and the state,
adds and flushes, queues its mails (:mod:`casetables.notifications`) and never commits.
Errors: :class:`casetables.requests.CaseNotVisible` (404: no access at all),
:class:`NotCoordinator` (403), :class:`WrongState` (409), :class:`MessageRefused` (422).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy import case as sql_case

from casetables import notifications
from casetables.guard import find_personal_data_strict, known_school_names, strict_kinds
from casetables.models import CaseMessage, CaseRequest, CaseState, Urgency
from casetables.notifications import region_coordinators
from casetables.requests import (
    CaseNotVisible,
    RequestFields,
    _KindsInWords,
    can_read_case,
    check_request,
    file_request,
)
from community.accounts.models import Organisation, Region, Theme, User
from community.accounts.permissions import can_read_members_content, is_signed_in
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.locks import lock_for_update
from events import invitations
from events.models import Event, EventType, Visibility
from events.organising import EventDetails, create_event, publish_event
from regionmap.models import Offer, OfferStatus
from signals.models import AgeGroup

log = logging.getLogger(__name__)

#: The same request by the same member within this time is one request (a double submit).
RESUBMIT_WINDOW = dt.timedelta(minutes=10)
MAX_MESSAGE = 2000  # characters of a clarification question or answer
#: States in which intake is still open (a question, accepting, redirecting).
OPEN_STATES = (CaseState.REQUESTED, CaseState.CLARIFICATION)
#: States from which a table may be planned or the case redirected.
PLANNABLE = (CaseState.REQUESTED, CaseState.CLARIFICATION, CaseState.ACCEPTED)
STATE_LABELS = {
    CaseState.REQUESTED: _l("aangevraagd"),
    CaseState.CLARIFICATION: _l("verduidelijking gevraagd"),
    CaseState.ACCEPTED: _l("aanvaard"),
    CaseState.REDIRECTED: _l("doorverwezen"),
    CaseState.PLANNED: _l("casustafel gepland"),
    CaseState.CLOSED: _l("afgesloten"),
}
CASES_PER_PAGE = 20


class NotAMember(DomainError):
    text = _l("Alleen leden met een bevestigd account kunnen een casustafel aanvragen.")
    status = 403


class NotCoordinator(DomainError):
    text = _l("Alleen de coördinatoren van de regio van deze casus kunnen dit doen.")
    status = 403


class NotRequester(DomainError):
    text = _l("Alleen wie de casus aanvroeg, kan de vraag beantwoorden.")
    status = 403


class WrongState(DomainError):
    text = _l("Dit kan niet meer: de casus staat op „%(state)s”.")
    status = 409


class MessageRefused(DomainError):
    text = _l("Dit bericht kan niet bewaard worden.")
    status = 422
    field = "body"


class PlanRefused(DomainError):
    text = _l("De casustafel kan zo niet gepland worden.")
    status = 422


class OfferUnknown(DomainError):
    text = _l("Kies een aanbod uit de lijst.")
    status = 422
    field = "offer"


def state_label(state: str) -> str:
    """The Dutch (or English) label of a :class:`CaseState` value."""
    return str(STATE_LABELS[CaseState(state)])


def is_case_coordinator(user, case: CaseRequest) -> bool:
    """True when ``user`` coordinates ``case``'s region (issue 19: "the region's
    coordinators" take requests in). Admins are not, unless they coordinate that region."""
    return is_signed_in(user) and any(r.id == case.region_id for r in user.coordinated_regions)


def require_coordinator(user, case: CaseRequest) -> None:
    """Raise :class:`CaseNotVisible` (404) when ``user`` may not read ``case`` at all,
    :class:`NotCoordinator` (403) when they may but do not coordinate its region."""
    if not can_read_case(user, case):
        raise CaseNotVisible()
    if not is_case_coordinator(user, case):
        raise NotCoordinator()


def _require_state(case: CaseRequest, *states: CaseState) -> None:
    if case.state not in {s.value for s in states}:
        raise WrongState(state=_StateInWords(case.state))


class _StateInWords:
    """A state label translated when the message is shown, not when raised."""

    def __init__(self, state: str) -> None:
        self.state = state

    def __str__(self) -> str:
        return state_label(self.state)


# --- filing ---------------------------------------------------------------------------


def file_case_request(
    requester: User, fields: RequestFields, today: dt.date | None = None
) -> CaseRequest:
    """File a case request by ``requester`` (a verified member) and queue the mails: "Je
    aanvraag C-… is ontvangen" to the requester, "Nieuwe casusaanvraag C-…" to the
    region's coordinators (code and link only). Returns the case, flushed.

    A double submit (the same region, fields and texts by the same member within
    ``RESUBMIT_WINDOW``, also two at once: the requester's row is locked first, as
    ``signals.reporting.report_signal`` does) returns the case filed the first time and
    mails nothing again. Raises :class:`NotAMember` (403) and
    :class:`casetables.requests.CaseRefused` (422, with ``field``: the strict guard).
    ``today``: the Europe/Brussels day the guard judges dates of birth against.
    """
    if not can_read_members_content(requester):
        raise NotAMember()
    check_request(fields, today=today)
    lock_for_update(requester)
    same = db.session.scalar(
        select(CaseRequest)
        .where(
            CaseRequest.requester_id == requester.id,
            CaseRequest.region_id == fields.region_id,
            CaseRequest.age_group == fields.age_group,
            CaseRequest.school_level == fields.school_level,
            CaseRequest.stuck == fields.stuck.strip(),
            CaseRequest.tried == fields.tried.strip(),
            CaseRequest.question == fields.question.strip(),
            CaseRequest.created_at >= utcnow() - RESUBMIT_WINDOW,
        )
        .order_by(CaseRequest.id)
        .limit(1)
    )
    if same is not None:
        log.info("case %s submitted again by user %s: kept once", same.id, requester.id)
        return same
    case = file_request(requester, fields, today=today)
    notifications.notify_filed(case)
    log.info("case %s filed by user %s in region %s", case.id, requester.id, case.region_id)
    return case


# --- clarification --------------------------------------------------------------------


def _check_message(text: str, today: dt.date | None) -> str:
    text = (text or "").strip()
    if not text:
        raise MessageRefused(_l("Vul dit veld in."))
    if len(text) > MAX_MESSAGE:
        raise MessageRefused(_l("Hoogstens %(max)d tekens.", max=MAX_MESSAGE))
    findings = find_personal_data_strict(text, known_school_names(), today=today)
    if findings:
        raise MessageRefused(
            _l(
                "Dit bericht lijkt gegevens te bevatten die de jongere herkenbaar maken "
                "(%(found)s). Schrijf het zonder naam, initialen, geboortedatum, school, "
                "adres of nummers.",
                found=_KindsInWords(strict_kinds(findings)),
            ),
            findings=findings,
        )
    return text


def ask_clarification(
    case: CaseRequest, coordinator: User, question: str, today: dt.date | None = None
) -> CaseMessage:
    """A coordinator of ``case``'s region asks the requester ``question`` (strict guard):
    the case goes to "clarification" and the requester gets "Je hebt een update over
    casus C-…". Allowed while requested or in clarification. Raises
    :class:`CaseNotVisible`, :class:`NotCoordinator`, :class:`WrongState`,
    :class:`MessageRefused`."""
    require_coordinator(coordinator, case)
    lock_for_update(case)
    _require_state(case, *OPEN_STATES)
    message = CaseMessage(case_id=case.id, author_id=coordinator.id, created_at=utcnow())
    message.body = _check_message(question, today)
    db.session.add(message)
    case.state = CaseState.CLARIFICATION.value
    db.session.flush()
    notifications.notify_update(case, [case.requester])
    log.info("case %s: clarification asked by user %s", case.id, coordinator.id)
    return message


def answer_clarification(
    case: CaseRequest, requester: User, answer: str, today: dt.date | None = None
) -> CaseMessage:
    """The requester answers the coordinators' question (strict guard): the case goes back
    to "requested" and the region's coordinators get "Je hebt een update over casus C-…".
    Raises :class:`CaseNotVisible`, :class:`NotRequester` (403), :class:`WrongState` (not
    in clarification), :class:`MessageRefused`."""
    if not can_read_case(requester, case):
        raise CaseNotVisible()
    if case.requester_id != requester.id:
        raise NotRequester()
    lock_for_update(case)
    _require_state(case, CaseState.CLARIFICATION)
    message = CaseMessage(case_id=case.id, author_id=requester.id, created_at=utcnow())
    message.body = _check_message(answer, today)
    db.session.add(message)
    case.state = CaseState.REQUESTED.value
    db.session.flush()
    notifications.notify_update(case, region_coordinators(case.region_id))
    log.info("case %s: clarification answered", case.id)
    return message


def case_messages(case: CaseRequest) -> list[CaseMessage]:
    """The clarification messages of ``case``, oldest first."""
    query = (
        select(CaseMessage)
        .where(CaseMessage.case_id == case.id)
        .order_by(CaseMessage.created_at, CaseMessage.id)
    )
    return list(db.session.scalars(query))


# --- accept, redirect -----------------------------------------------------------------


def accept_case(case: CaseRequest, coordinator: User, now: dt.datetime | None = None) -> None:
    """A coordinator of ``case``'s region accepts it for a table ("accepted",
    ``accepted_at`` = ``now``, aware UTC); the requester gets the update mail. Raises
    :class:`CaseNotVisible`, :class:`NotCoordinator`, :class:`WrongState` (not requested
    or in clarification)."""
    require_coordinator(coordinator, case)
    lock_for_update(case)
    _require_state(case, *OPEN_STATES)
    case.state = CaseState.ACCEPTED.value
    case.accepted_at = now or utcnow()
    db.session.flush()
    notifications.notify_update(case, [case.requester])
    log.info("case %s accepted by user %s", case.id, coordinator.id)


def redirect_offers(case: CaseRequest) -> list[Offer]:
    """The published offers of the regional map a case may be redirected to: of its
    region and the network-wide ones, by title."""
    regions = select(Region.id).where(
        (Region.id == case.region_id) | Region.is_network_wide.is_(True)
    )
    query = (
        select(Offer)
        .where(Offer.status == OfferStatus.PUBLISHED.value, Offer.region_id.in_(regions))
        .order_by(Offer.title, Offer.id)
    )
    return list(db.session.scalars(query))


def redirect_case(case: CaseRequest, coordinator: User, offer_id: int | None) -> Offer:
    """A coordinator of ``case``'s region redirects it to an existing offer of the
    regional map (one of :func:`redirect_offers`): "redirected", ``redirect_offer_id``;
    the requester gets the update mail and sees the offer's link on the case page. A
    redirect ends the case: ``closed_at`` is set, so its texts are erased
    ``CASE_RETENTION_DAYS`` later like a closed case's (issue 19, "Retention").
    Returns the offer. Raises :class:`CaseNotVisible`, :class:`NotCoordinator`,
    :class:`WrongState` (planned or closed), :class:`OfferUnknown` (422)."""
    require_coordinator(coordinator, case)
    lock_for_update(case)
    _require_state(case, *PLANNABLE)
    offer = next((o for o in redirect_offers(case) if o.id == offer_id), None)
    if offer is None:
        raise OfferUnknown()
    case.state = CaseState.REDIRECTED.value
    case.redirect_offer_id = offer.id
    case.closed_at = utcnow()
    db.session.flush()
    notifications.notify_update(case, [case.requester])
    log.info("case %s redirected to offer %s by user %s", case.id, offer.id, coordinator.id)
    return offer


# --- planning the table ---------------------------------------------------------------


@dataclass
class TablePlan:
    """When and where the table meets and whom to invite. ``starts_at``/``ends_at`` aware
    UTC (the form reads Europe/Brussels, ``events.organising.times.brussels_to_utc``)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    venue_name: str
    venue_address: str = ""
    members: Sequence[User] = field(default_factory=tuple)
    organisations: Sequence[Organisation] = field(default_factory=tuple)
    emails: Sequence[str] = field(default_factory=tuple)


def table_title(case: CaseRequest) -> str:
    """The activity's title: "Casustafel C-…", nothing of the case beyond its code."""
    return f"Casustafel {case.code}"


def _themes_for(case: CaseRequest) -> list[Theme]:
    """Theme 1 for children under 12, theme 2 for the others (DESIGN.md, "Theme")."""
    young = {AgeGroup.TODDLERS.value, AgeGroup.PRIMARY.value}
    number = 1 if case.age_group in young else 2
    return list(db.session.scalars(select(Theme).where(Theme.number == number)))


def plan_table(
    case: CaseRequest, coordinator: User, plan: TablePlan, now: dt.datetime | None = None
) -> Event:
    """Plan ``case``'s table: an invite-only case consultation (``EventType
    .CASE_CONSULTATION``, ``Visibility.INVITE_ONLY``) in the case's region titled
    "Casustafel C-…" with no case content, published, and the partners in ``plan``
    invited through :func:`events.invitations.invite` (mail with .ics and signed answer
    links; issue 17). Sets ``event_id``, ``table_at`` and "planned"; the requester gets the
    update mail. Who accepts the invitation may read the case
    (:func:`casetables.requests.is_table_participant`). Returns the activity.

    Allowed when requested, in clarification or accepted. Raises :class:`CaseNotVisible`,
    :class:`NotCoordinator`, :class:`WrongState`, :class:`PlanRefused` (start not in the
    future), the errors of ``events.organising.create_event`` (``InvalidPeriod``,
    ``VenueMissing``) and of ``invite`` (``NothingToInvite``, ``TooManyAddresses``).
    """
    now = now or utcnow()
    require_coordinator(coordinator, case)
    lock_for_update(case)
    _require_state(case, *PLANNABLE)
    if plan.starts_at <= now:
        raise PlanRefused(_l("Kies een moment in de toekomst."), field="day")
    details = EventDetails(
        title=table_title(case),
        type=EventType.CASE_CONSULTATION,
        region=case.region,
        themes=_themes_for(case),
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        venue_name=plan.venue_name.strip(),
        venue_address=plan.venue_address.strip(),
        visibility=Visibility.INVITE_ONLY,
    )
    event = create_event(details)
    publish_event(event)
    invitations.invite(
        event,
        invited_by=coordinator,
        members=list(plan.members),
        organisations=list(plan.organisations),
        emails=list(plan.emails),
        now=now,
    )
    case.event_id = event.id
    case.table_at = event.starts_at
    if case.accepted_at is None:
        case.accepted_at = now
    case.state = CaseState.PLANNED.value
    db.session.flush()
    notifications.notify_update(case, [case.requester])
    log.info("case %s: table planned as event %s by user %s", case.id, event.id, coordinator.id)
    return event


def table_of(case: CaseRequest) -> Event | None:
    """The activity of ``case``'s table, or None before one is planned."""
    return db.session.get(Event, case.event_id) if case.event_id else None


# --- lists and counts -----------------------------------------------------------------


def my_requests(user: User) -> list[CaseRequest]:
    """The case requests ``user`` filed, newest first."""
    query = (
        select(CaseRequest)
        .where(CaseRequest.requester_id == user.id)
        .order_by(CaseRequest.created_at.desc(), CaseRequest.id.desc())
    )
    return list(db.session.scalars(query))


def intake_queue(user: User, state: str | None = None) -> Select:
    """The query of the case requests of the regions ``user`` coordinates (none for anyone
    else), optionally in ``state`` only, most urgent first, then newest first. A
    ``select`` to page (``db.paginate``)."""
    region_ids = [region.id for region in getattr(user, "coordinated_regions", [])]
    rank = sql_case(
        {Urgency.URGENT.value: 0, Urgency.SOON.value: 1}, value=CaseRequest.urgency, else_=2
    )
    query = select(CaseRequest).where(CaseRequest.region_id.in_(region_ids))
    if state:
        query = query.where(CaseRequest.state == state)
    return query.order_by(rank, CaseRequest.created_at.desc(), CaseRequest.id.desc())


def counts_by_region_and_state() -> dict[int, dict[str, int]]:
    """{region id: {state: number of case requests}} over all regions: counts only, for
    admins and coordinators (issue 19: "admins see counts")."""
    rows = db.session.execute(
        select(CaseRequest.region_id, CaseRequest.state, func.count()).group_by(
            CaseRequest.region_id, CaseRequest.state
        )
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for region_id, state, number in rows:
        counts.setdefault(region_id, {})[state] = number
    return counts
