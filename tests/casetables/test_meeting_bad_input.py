"""Bad input on the meeting's routes (issue 19): a clear 4xx, never a 5xx, nothing written.
Run on PostgreSQL too (``TEST_DATABASE_URL``), which refuses a NUL and oversized numbers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casetables.models import CaseAgreement, CaseNote
from community.core.extensions import db
from signals.models import Signal

from .meeting_helpers import planned_case

HUGE = "99999999999999999999999999999"


@pytest.fixture
def table(app, make_user, make_region):
    return planned_case(make_user, make_region)


@pytest.mark.parametrize(
    "data, field_name",
    [
        ({"outcome": "offer_found", "offer_id": "987654"}, "offer_id"),
        ({"outcome": "offer_found", "offer_id": HUGE}, "offer_id"),
        ({"outcome": "offer_found", "offer_id": "-1"}, "offer_id"),
        ({"outcome": "no_fit", "kind": "naft", "follow_up_on": "2020-01-01"}, "follow_up_on"),
        ({"outcome": "no_fit", "kind": "naft", "follow_up_on": "99999-01-01"}, "follow_up_on"),
        ({"outcome": "custom", "kind": "naft", "note": "\x00" * 3}, "note"),
        ({"outcome": "custom", "kind": "naft", "note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_close_is_refused_at_its_field_and_nothing_changes(
    table, client, sign_in_as, data, field_name
):
    sign_in_as(table.coordinator)
    response = client.post_form(f"/casustafel/{table.case.code}/afsluiten", data)
    assert response.status_code == 422
    assert f'id="{field_name}-error"' in response.text
    db.session.refresh(table.case)
    assert table.case.state == "planned"
    assert db.session.scalar(select(func.count()).select_from(Signal)) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"partner_id": HUGE, "body": "Tekst."},
        {"partner_id": "-1", "body": "Tekst."},
        {"partner_id": "abc", "body": "Tekst."},
        {"partner_id": "{me}", "body": "\x00\x01\x1b"},
        {"partner_id": "{me}", "body": "x" * 5001},
    ],
)
def test_a_bad_note_is_refused(table, client, sign_in_as, data):
    partner = table.partners[0]
    sign_in_as(partner)
    data = {k: v.replace("{me}", str(partner.id)) for k, v in data.items()}
    response = client.post_form(f"/casustafel/{table.case.code}/verslag", data)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"partner_id": HUGE, "what": "Iets.", "due_on": ""},
        {"partner_id": "{p}", "what": "Iets.", "due_on": "1999-12-31"},
        {"partner_id": "{p}", "what": "Iets.", "due_on": "2026-02-30"},
    ],
)
def test_a_bad_agreement_is_refused(table, client, sign_in_as, data):
    sign_in_as(table.coordinator)
    data = {k: v.replace("{p}", str(table.partners[0].id)) for k, v in data.items()}
    response = client.post_form(f"/casustafel/{table.case.code}/verslag/afspraken", data)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(CaseAgreement)) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/casustafel/C-ZZZZ-ZZ/verslag",  # a well-formed code no case has
        "/casustafel/a%00b/verslag",
        f"/casustafel/{'x' * 3000}/afsluiten",
        "/casustafel/{code}/afspraken/" + HUGE + "/bevestigen",
        "/casustafel/{code}/afspraken/2147483648/bevestigen",
        "/casustafel/{code}/afspraken/987654/bevestigen",
    ],
)
def test_unknown_cases_and_agreements_are_404(table, client, sign_in_as, path):
    sign_in_as(table.partners[0])
    url = path.replace("{code}", table.case.code)
    response = client.post_form(url, {}) if "bevestigen" in url else client.get(url)
    assert response.status_code == 404


def test_nul_bytes_are_dropped_before_anything_is_stored(table, client, sign_in_as):
    """``community.core.input_guard`` removes control characters from forms: what is left
    is checked and stored as any text; PostgreSQL never sees a NUL."""
    sign_in_as(table.coordinator)
    code = table.case.code
    data = {"partner_id": str(table.partners[0].id), "what": "Belt\x00 de\x1b dienst."}
    assert client.post_form(f"/casustafel/{code}/verslag/afspraken", data).status_code == 303
    assert db.session.scalar(select(CaseAgreement.what)) == "Belt de dienst."
    closed = client.post_form(
        f"/casustafel/{code}/afsluiten", {"outcome": "no\x00_fit", "kind": "na\x00ft"}
    )
    assert closed.status_code == 303
    db.session.refresh(table.case)
    assert (table.case.outcome, table.case.outcome_offer_kind) == ("no_fit", "naft")
