"""Closing a case with an outcome, and the signal a missing offer raises (issue 19, "Outcome").

A region's coordinator closes a planned case: an offer found (an offer of the regional map),
a custom arrangement (a guarded description and the kind of support), or no fitting offer
(the kind of offer missing), which creates or strengthens a signal
(:mod:`signals.reporting`). The signal is built ONLY from anonymous fields: the kind of offer
missing, the age group, the region and the theme that follows from the school level; never
from a text of the case. Domain functions: they add and flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casetables.meeting import (
    OnlyCoordinators,
    brussels_today,
    check_case_text,
    is_case_coordinator,
    notify_case_update,
)
from casetables.models import CaseRequest, CaseState, Outcome, SchoolLevel
from casetables.requests import CaseRefused, table_participants
from community.accounts.models import Theme, User
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.routing import MAX_ID
from regionmap.models import Offer, OfferKind, OfferStatus
from signals.models import AgeGroup, Recognition, Signal, State
from signals.reporting import SignalInput, log_step, recognise, report_signal

#: Default check-in after closing (issue 19, "Follow-up": "a check-in date").
FOLLOW_UP_AFTER = dt.timedelta(weeks=6)
MAX_FOLLOW_UP = dt.timedelta(days=366)
MAX_OUTCOME_NOTE = 2000
#: The log action on a signal another case table strengthened (signals.workflow labels it).
STRENGTHENED = "case_table"
#: Theme 1 (under 12) or 2 (12+) by school level; None: decided by the age group.
LEVEL_THEME = {
    SchoolLevel.NURSERY.value: 1,
    SchoolLevel.PRIMARY.value: 1,
    SchoolLevel.SECONDARY_FIRST.value: 2,
    SchoolLevel.SECONDARY_UPPER.value: 2,
    SchoolLevel.PART_TIME.value: 2,
}
YOUNG_AGE_GROUPS = {AgeGroup.TODDLERS.value, AgeGroup.PRIMARY.value}


class NotClosable(DomainError):
    """Only a planned case is closed, once (409)."""

    text = _l("Deze casus kan nu niet afgesloten worden: er is geen geplande casustafel open.")
    status = 409


@dataclass
class OutcomeFields:
    """What the coordinator chooses when closing: ``outcome`` an :class:`Outcome` value;
    ``offer_id`` (offer found), ``kind`` an :class:`OfferKind` value (custom: the kind of
    support; no fit: the kind of offer missing), ``note`` (custom), ``follow_up_on`` the
    check-in day (Europe/Brussels; None: six weeks from today)."""

    outcome: str | None
    offer_id: int | None = None
    kind: str | None = None
    note: str = ""
    follow_up_on: dt.date | None = None


def closing_offers(case: CaseRequest) -> list[Offer]:
    """The published offers of the regional map a coordinator may pick for ``case``: its
    region's and the network-wide ones, by title."""
    query = select(Offer).where(Offer.status == OfferStatus.PUBLISHED.value)
    offers = list(db.session.scalars(query.order_by(Offer.title, Offer.id)))
    own = [o for o in offers if o.region_id == case.region_id]
    return own + [o for o in offers if o.region_id != case.region_id]


def _checked(case: CaseRequest, fields: OutcomeFields, today: dt.date) -> dict:
    kinds = {k.value for k in OfferKind}
    if fields.outcome not in {o.value for o in Outcome}:
        raise CaseRefused(_l("Kies een uitkomst."), field="outcome")
    values: dict = {"outcome": fields.outcome, "offer_id": None, "kind": None, "note": ""}
    if fields.outcome == Outcome.OFFER_FOUND.value:
        known = fields.offer_id is not None and 0 < fields.offer_id <= MAX_ID
        offer = db.session.get(Offer, fields.offer_id) if known else None
        if offer is None or offer.status != OfferStatus.PUBLISHED.value:
            raise CaseRefused(_l("Kies een aanbod uit de regionale kaart."), field="offer_id")
        values.update(offer_id=offer.id, kind=offer.kind)
    else:
        if fields.kind not in kinds:
            raise CaseRefused(_l("Kies een soort aanbod."), field="kind")
        values["kind"] = fields.kind
    if fields.outcome == Outcome.CUSTOM.value:
        values["note"] = check_case_text(fields.note, "note", MAX_OUTCOME_NOTE, today=today)
    follow_up_on = fields.follow_up_on or today + FOLLOW_UP_AFTER
    if not today < follow_up_on <= today + MAX_FOLLOW_UP:
        raise CaseRefused(
            _l("Kies een opvolgdatum na vandaag, binnen het jaar."), field="follow_up_on"
        )
    values["follow_up_on"] = follow_up_on
    return values


def close_case(
    case: CaseRequest, coordinator: User, fields: OutcomeFields, now: dt.datetime
) -> CaseRequest:
    """Close planned ``case`` with the outcome of ``fields``; return it. Flushes.

    Sets state "closed", ``closed_at`` (``now``, aware UTC), the outcome, the offer and its
    kind, and the check-in day; no fitting offer raises or strengthens a signal
    (:func:`raise_gap_signal`, ``case.signal_id``). Mails the requester and the participants
    "Je hebt een update over casus C-…". Two closes at once: the case's row is locked, the
    second finds it closed.

    Raises :class:`OnlyCoordinators` (403) unless ``coordinator`` coordinates the region,
    :class:`NotClosable` (409) unless the case is planned, :class:`CaseRefused` (422, with
    ``field``) for a missing or unknown choice, an identifying note, or a check-in day not
    after today or more than a year ahead; nothing is changed then.
    """
    if not is_case_coordinator(coordinator, case):
        raise OnlyCoordinators()
    today = brussels_today(now)
    values = _checked(case, fields, today)
    lock_for_update(case)
    if case.state != CaseState.PLANNED.value:
        raise NotClosable()
    case.state = CaseState.CLOSED.value
    case.closed_at = now
    case.outcome = values["outcome"]
    case.outcome_offer_id = values["offer_id"]
    case.outcome_offer_kind = values["kind"]
    case.outcome_note = values["note"]
    case.follow_up_on = values["follow_up_on"]
    if case.outcome == Outcome.NO_FIT.value:
        case.signal_id = raise_gap_signal(case, coordinator).id
    db.session.flush()
    people = table_participants(case)
    if case.requester is not None:
        people.insert(0, case.requester)
    notify_case_update(case, people, "casetables.case")
    return case


def _theme_number(case: CaseRequest) -> int:
    number = LEVEL_THEME.get(case.school_level)
    if number is None:
        number = 1 if case.age_group in YOUNG_AGE_GROUPS else 2
    return number


def gap_texts(case: CaseRequest) -> tuple[str, str]:
    """The title and description of the signal a case without a fitting offer raises, in
    Dutch (the signal's texts are stored once), from anonymous fields only: the kind of offer
    missing, the age group, the region and the theme (issue 19: "without carrying any case
    detail into the signal")."""
    with force_locale("nl"):
        kind = OfferKind(case.outcome_offer_kind or OfferKind.OTHER.value).label
        age = AgeGroup(case.age_group).label
        title = str(
            _l(
                "Geen passend aanbod: %(kind)s voor %(age)s in %(region)s",
                kind=kind,
                age=age,
                region=case.region.name,
            )
        )
        description = str(
            _l(
                "Een casustafel (ROTS) in %(region)s vond geen passend aanbod van het soort "
                "„%(kind)s” voor een jongere van %(age)s (thema %(theme)d). Dit signaal werd "
                "gemaakt bij het afsluiten van de casus en bevat niets uit de casus zelf.",
                region=case.region.name,
                kind=kind,
                age=age,
                theme=_theme_number(case),
            )
        )
    return title, description


def open_gap_signal(case: CaseRequest) -> Signal | None:
    """The oldest open signal that case tables raised for ``case``'s region, kind of offer
    missing and age group (another closed case without a fitting offer links to it), or None."""
    query = (
        select(Signal)
        .join(CaseRequest, CaseRequest.signal_id == Signal.id)
        .where(
            CaseRequest.id != case.id,
            CaseRequest.outcome == Outcome.NO_FIT.value,
            CaseRequest.region_id == case.region_id,
            CaseRequest.outcome_offer_kind == case.outcome_offer_kind,
            CaseRequest.age_group == case.age_group,
            Signal.state.not_in([State.CLOSED.value, State.WITHDRAWN.value]),
        )
        .order_by(Signal.id)
        .limit(1)
    )
    return db.session.scalar(query)


def raise_gap_signal(case: CaseRequest, coordinator: User) -> Signal:
    """Create or strengthen the signal of ``case``'s missing offer; return it. Flushes.

    Strengthen: when :func:`open_gap_signal` finds one, the step is logged on it
    (``STRENGTHENED``, with an anonymous line) and, when ``coordinator`` is not its reporter
    and has not recognised it yet, counted as their recognition ("ik herken dit").
    Otherwise a new signal of the region, reported by ``coordinator``
    (:func:`signals.reporting.report_signal`), with the texts of :func:`gap_texts`, the age
    group and the theme. Two closes in one region at once take turns on the region's row.
    Raises the signal function's errors (``NotAMember`` for an unverified coordinator).
    """
    lock_for_update(case.region)
    title, description = gap_texts(case)
    existing = open_gap_signal(case)
    if existing is not None:
        log_step(actor=coordinator, action=STRENGTHENED, signal=existing, note=title)
        recognised = db.session.scalar(
            select(Recognition.id).where(
                Recognition.signal_id == existing.id, Recognition.user_id == coordinator.id
            )
        )
        if existing.reporter_id != coordinator.id and recognised is None:
            with force_locale("nl"):
                line = str(_l("Nog een casustafel vond geen passend aanbod."))
            recognise(existing, coordinator, line)
        db.session.flush()
        return existing
    theme = db.session.scalar(select(Theme).where(Theme.number == _theme_number(case)))
    data = SignalInput(
        title=title,
        description=description,
        region=case.region,
        themes=[theme] if theme is not None else [],
        age_group=AgeGroup(case.age_group),
    )
    return report_signal(coordinator, data)


def strengthened_count(signal_id: int) -> int:
    """How many closed cases without a fitting offer point at signal ``signal_id``."""
    query = select(func.count(CaseRequest.id)).where(CaseRequest.signal_id == signal_id)
    return db.session.scalar(query) or 0
