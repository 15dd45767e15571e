"""Demo case requests (issue 19): two pseudonymised requests to the case table of
West-Vlaanderen by the demo CLB worker.

One waits for clarification (the demo coordinator of West-Vlaanderen asked a question);
the other has its table planned: it is linked to the demo's invite-only ROTS activity of
West-Vlaanderen (``content.yaml``, key ``rots-wvl``), whose invitations the coordinator
mails from the activity's Invitations page; who accepts then reads the request. The texts
pass the strict guard (:func:`casetables.requests.check_request`). Found by code, so a
second run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from casetables.models import CaseMessage, CaseRequest, CaseState
from community.accounts.models import Region, User
from community.core.extensions import db
from events.models import Event, EventType, Visibility

REQUESTER = "clb.medewerker@example.org"
COORDINATOR = "coordinator.wvl@example.org"

#: (code, state, age group, school level, urgency, services, stuck, tried, question)
CASES = [
    (
        "C-DEMX-K7",
        CaseState.CLARIFICATION,
        "12-15",
        "secundair_1",
        "snel",
        "clb,school",
        "Een leerling van de eerste graad komt sinds de herfstvakantie nog maar twee dagen "
        "per week naar school. Thuis is er veel spanning; de ouders zijn moeilijk bereikbaar.",
        "Gesprekken met de leerlingbegeleiding en het CLB, een aangepast lesrooster, een "
        "aanmelding bij de jeugdhulp die op een wachtlijst staat.",
        "Welk aanbod kan de tijd tot de jeugdhulp start overbruggen en de band met school "
        "vasthouden?",
    ),
    (
        "C-DEMX-P4",
        CaseState.PLANNED,
        "15-18",
        "secundair_2_3",
        "dringend",
        "clb,jeugdhulpaanbieder,naft",
        "Een jongere van de derde graad is sinds zes weken niet meer op school geweest. Een "
        "NAFT-traject liep af; terug naar de klas lukt niet.",
        "Twee NAFT-modules, contextbegeleiding door de jeugdhulp, overleg met de "
        "trajectbegeleiding van de school.",
        "Welke partners kunnen samen een traject naar een kwalificatie of naar werk uitzetten?",
    ),
]
QUESTION = "Is er al contact geweest met een CAW of een dienst voor gezinsondersteuning?"


def seed_casetables(today: dt.date) -> dict[str, int]:
    """Add the missing demo case requests (flushed, not committed); return
    ``{"case_requests": added}``. ``today`` (Europe/Brussels) dates them a week back."""
    added = 0
    requester = db.session.scalar(select(User).where(User.email == REQUESTER))
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    region = db.session.scalar(select(Region).where(Region.slug == "west-vlaanderen"))
    if requester is None or region is None:
        return {"case_requests": 0}
    table = db.session.scalar(
        select(Event).where(
            Event.region_id == region.id,
            Event.type == EventType.CASE_CONSULTATION,
            Event.visibility == Visibility.INVITE_ONLY,
        )
    )
    filed_at = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(9, 0), tzinfo=dt.UTC)
    for code, state, age, level, urgency, services, stuck, tried, question in CASES:
        if db.session.scalar(select(CaseRequest.id).where(CaseRequest.code == code)):
            continue
        case = CaseRequest(
            code=code,
            requester=requester,
            region=region,
            age_group=age,
            school_level=level,
            urgency=urgency,
            tried_services=services,
            stuck=stuck,
            tried=tried,
            question=question,
            state=state.value,
            created_at=filed_at,
        )
        if state == CaseState.PLANNED and table is not None:
            case.accepted_at = filed_at + dt.timedelta(days=1)
            case.event_id = table.id
            case.table_at = table.starts_at
        elif state == CaseState.PLANNED:
            case.state = CaseState.REQUESTED.value
        db.session.add(case)
        db.session.flush()
        if state == CaseState.CLARIFICATION and coordinator is not None:
            db.session.add(
                CaseMessage(
                    case_id=case.id,
                    author_id=coordinator.id,
                    body=QUESTION,
                    created_at=filed_at + dt.timedelta(hours=5),
                )
            )
        added += 1
    db.session.flush()
    return {"case_requests": added}
