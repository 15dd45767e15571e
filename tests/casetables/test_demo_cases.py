"""The demo's case requests (issue 19, demo/casetables.py): pseudonymised (the strict guard
passes them), one in clarification, one with its table planned; seeded once."""

from __future__ import annotations

from sqlalchemy import select

from casetables.models import CaseMessage, CaseRequest
from casetables.requests import RequestFields, check_request, table_participants
from community.core.extensions import db
from demo.seed import seed_demo
from events.models import Event


def test_demo_cases_pass_the_strict_guard_and_one_has_its_table(app):
    counts = seed_demo()
    db.session.commit()

    cases = {c.code: c for c in db.session.scalars(select(CaseRequest))}
    assert counts["case_requests"] == 2 and set(cases) == {"C-DEMX-K7", "C-DEMX-P4"}
    for case in cases.values():
        check_request(
            RequestFields(
                region_id=case.region_id,
                age_group=case.age_group,
                school_level=case.school_level,
                stuck=case.stuck,
                tried=case.tried,
                question=case.question,
                urgency=case.urgency,
                tried_services=case.tried_services.split(","),
            )
        )
    waiting, planned = cases["C-DEMX-K7"], cases["C-DEMX-P4"]
    assert waiting.state == "clarification"
    assert db.session.scalar(select(CaseMessage.case_id)) == waiting.id
    table = db.session.get(Event, planned.event_id)
    assert planned.state == "planned" and table.visibility == "invite_only"
    assert planned.table_at == table.starts_at and table.region_id == planned.region_id
    assert table_participants(planned) == []  # the invitations are not mailed yet
    assert seed_demo()["case_requests"] == 0
