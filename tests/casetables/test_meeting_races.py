"""Two requests at once on a case table (issue 19): a double close closes once and raises
one signal; a double confirmation keeps one time. Run on PostgreSQL too
(``TEST_DATABASE_URL``), where the two transactions really meet."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casetables.meeting import add_agreement
from casetables.models import CaseRequest
from community.core.db import utcnow
from community.core.extensions import db
from signals.models import Signal
from tests.pages_helpers import sign_in
from tests.signals.test_races import _at_once

from .meeting_helpers import planned_case

pytestmark = pytest.mark.real_commits


def _posts(app, user, url: str, data: dict, times: int = 2):
    posts = []
    for _ in range(times):
        browser = app.test_client()
        sign_in(browser, user)
        values = {**data, "csrf_token": browser.csrf_token()}
        posts.append(lambda b=browser, v=values: b.post(url, data=v))
    return posts


def test_two_closes_at_once_close_once_and_raise_one_signal(app, make_user, make_region):
    table = planned_case(make_user, make_region, partners=1)
    url = f"/casustafel/{table.case.code}/afsluiten"
    responses = _at_once(_posts(app, table.coordinator, url, {"outcome": "no_fit", "kind": "naft"}))
    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [303, 409], statuses
    db.session.expire_all()
    case = db.session.get(CaseRequest, table.case.id)
    assert case.state == "closed" and case.signal_id is not None
    assert db.session.scalar(select(func.count()).select_from(Signal)) == 1


def test_two_confirmations_at_once_keep_one(app, make_user, make_region):
    table = planned_case(make_user, make_region, partners=1)
    partner = table.partners[0]
    agreement = add_agreement(table.case, table.coordinator, partner.id, "Intake.", None, utcnow())
    db.session.commit()
    url = f"/casustafel/{table.case.code}/afspraken/{agreement.id}/bevestigen"
    responses = _at_once(_posts(app, partner, url, {}))
    assert sorted(getattr(r, "status_code", r) for r in responses) == [303, 303]
    db.session.expire_all()
    db.session.refresh(agreement)
    assert agreement.confirmed_at is not None
