"""A planned case table for the tests of issue 19's second half: a case request, an
invite-only activity of its region, and partners who accepted the invitation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from casetables.models import CaseRequest
from casetables.requests import file_request
from community.core.db import utcnow
from community.core.extensions import db
from events.models import (
    Event,
    EventStatus,
    EventType,
    Invitation,
    InvitationStatus,
    Visibility,
)

from .test_requests import TODAY, fields

CASE_TEXTS = (
    "Spijbelt sinds de herfstvakantie, thuis veel spanning.",
    "CLB-gesprekken, een contextbegeleiding, time-out van twee weken.",
    "Welk aanbod kan het schooltraject weer op gang trekken?",
)


@dataclass
class Table:
    """A planned case and who is around it."""

    case: CaseRequest
    event: Event
    requester: object
    coordinator: object
    partners: list = field(default_factory=list)
    region: object = None


def planned_case(make_user, make_region, partners: int = 3, region=None, **case_values) -> Table:
    """A case request filed by a member, planned as an invite-only activity of its region in
    two days, with ``partners`` members who accepted the invitation; committed."""
    region = region or make_region()
    requester = make_user()
    coordinator = make_user("coordinator", regions=[region])
    case = file_request(requester, fields(region, **case_values), today=TODAY)
    starts = utcnow().replace(microsecond=0) + dt.timedelta(days=2)
    event = Event(
        slug=f"casustafel-{case.code.lower()}",
        title="Casusoverleg",
        type=EventType.CASE_CONSULTATION,
        region=region,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=EventStatus.PUBLISHED,
        visibility=Visibility.INVITE_ONLY,
        venue_name="CLB",
    )
    db.session.add(event)
    db.session.flush()
    people = [make_user(display_name=f"Partner {n + 1}") for n in range(partners)]
    for person in people:
        db.session.add(
            Invitation(
                event_id=event.id,
                email=person.email,
                name=person.display_name,
                user_id=person.id,
                status=InvitationStatus.ACCEPTED,
                sent_at=starts - dt.timedelta(days=5),
                responded_at=starts - dt.timedelta(days=4),
            )
        )
    case.event_id, case.table_at, case.state = event.id, starts, "planned"
    case.accepted_at = utcnow()
    db.session.commit()
    return Table(case, event, requester, coordinator, people, region)
