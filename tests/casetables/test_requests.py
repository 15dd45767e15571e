"""Filing a case request, who may read it, and the read log (issue 19)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from casetables.gdpr import erase_case_data, export_case_data
from casetables.models import CaseRead, CaseRequest
from casetables.requests import (
    CODE_ALPHABET,
    CaseNotVisible,
    CaseRefused,
    RequestFields,
    can_read_case,
    file_request,
    read_case,
    read_log,
)
from community.core.extensions import db

TODAY = dt.date(2026, 12, 7)


def fields(region, **overrides) -> RequestFields:
    values = {
        "region_id": region.id,
        "age_group": "12-15",
        "school_level": "secundair_1",
        "stuck": "Spijbelt sinds de herfstvakantie, thuis veel spanning.",
        "tried": "CLB-gesprekken, een contextbegeleiding, time-out van twee weken.",
        "question": "Welk aanbod kan het schooltraject weer op gang trekken?",
        "urgency": "snel",
        "tried_services": ("clb", "jeugdhulpaanbieder"),
    }
    values.update(overrides)
    return RequestFields(**values)


def count_cases() -> int:
    return db.session.scalar(select(func.count()).select_from(CaseRequest))


def test_a_member_files_a_request_with_a_random_code(make_user, make_region):
    region = make_region()
    requester = make_user()
    case = file_request(requester, fields(region), today=TODAY)
    db.session.commit()
    assert re.fullmatch(rf"C-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{2}}", case.code)
    assert case.requester_id == requester.id and case.state == "requested"
    assert case.tried_services == "clb,jeugdhulpaanbieder"
    other = file_request(requester, fields(region), today=TODAY)
    assert other.code != case.code  # the same content gives another code: nothing derived


@pytest.mark.parametrize(
    "field_name, text, said",
    [
        ("stuck", "Jan Peeters spijbelt.", "naam"),
        ("tried", "Gesprek met de moeder, zoon geboren op 12/03/2012.", "geboortedatum"),
        ("question", "Rijksregister 85.07.30-033.29, wat nu?", "rijksregister"),
        ("stuck", "Bel de mama op 0470 12 34 56.", "telefoonnummer"),
    ],
)
def test_personal_data_in_any_field_is_refused_and_nothing_is_stored(
    app, make_user, make_region, field_name, text, said
):
    region = make_region()
    with pytest.raises(CaseRefused) as refused:
        file_request(make_user(), fields(region, **{field_name: text}), today=TODAY)
    assert refused.value.field == field_name
    with app.test_request_context():
        assert said in refused.value.message
        assert text not in refused.value.message
    assert count_cases() == 0


def test_a_school_the_regional_map_knows_is_refused(app, make_user, make_region):
    from community.accounts.models import Organisation, Sector

    region = make_region()
    db.session.add(
        Organisation(
            name="Sint-Lutgardisschool",
            sector=Sector.EDUCATION,
            region=region,
            organisation_type="school",
        )
    )
    db.session.commit()
    with pytest.raises(CaseRefused) as refused:
        file_request(make_user(), fields(region, stuck="Zit op de Sint-Lutgardisschool."))
    with app.test_request_context():
        assert "schoolnaam" in refused.value.message


@pytest.mark.parametrize(
    "overrides, field_name",
    [
        ({"region_id": None}, "region_id"),
        ({"region_id": 987654}, "region_id"),
        ({"age_group": "baby"}, "age_group"),
        ({"school_level": "universiteit"}, "school_level"),
        ({"urgency": "gisteren"}, "urgency"),
        ({"tried_services": ("tovenaar",)}, "tried_services"),
        ({"question": "   "}, "question"),
        ({"tried": "x" * 3001}, "tried"),
    ],
)
def test_bad_input_is_refused_with_the_field(make_user, make_region, overrides, field_name):
    region = make_region()
    with pytest.raises(CaseRefused) as refused:
        file_request(make_user(), fields(region, **overrides), today=TODAY)
    assert refused.value.field == field_name
    assert count_cases() == 0


def test_who_may_read_a_case_and_every_read_is_logged(make_user, make_region):
    region, elsewhere = make_region(), make_region()
    requester = make_user()
    coordinator = make_user("coordinator", regions=[region])
    case = file_request(requester, fields(region), today=TODAY)
    db.session.commit()

    others = {
        "another member": make_user(),
        "coordinator of another region": make_user("coordinator", regions=[elsewhere]),
        "admin": make_user("admin"),
    }
    for who, user in others.items():
        assert not can_read_case(user, case), who
        with pytest.raises(CaseNotVisible):
            read_case(user, case)
    from flask_login import AnonymousUserMixin

    assert not can_read_case(AnonymousUserMixin(), case)
    assert db.session.scalar(select(func.count()).select_from(CaseRead)) == 0

    read_case(requester, case)
    read_case(coordinator, case)
    db.session.commit()
    log = read_log(coordinator, case)
    assert [entry.reader_id for entry in log] == [coordinator.id, requester.id]
    assert all(entry.read_at.tzinfo is not None for entry in log)
    for user in (requester, others["admin"], others["coordinator of another region"]):
        with pytest.raises(CaseNotVisible):
            read_log(user, case)


def test_the_export_lists_own_requests_by_code_only(make_user, make_region):
    region = make_region()
    requester, other = make_user(), make_user()
    case = file_request(requester, fields(region), today=TODAY)
    db.session.commit()
    exported = export_case_data(requester)
    assert [row["code"] for row in exported["case_requests"]] == [case.code]
    assert "Spijbelt" not in str(exported)
    assert export_case_data(other) == {"case_requests": []}


def test_erasure_unlinks_the_member_and_keeps_the_case(make_user, make_region):
    region = make_region()
    requester = make_user()
    case = file_request(requester, fields(region), today=TODAY)
    read_case(requester, case)
    db.session.commit()
    erase_case_data(requester, dt.datetime.now(dt.UTC))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CaseRequest, case.id).requester_id is None
    assert db.session.scalars(select(CaseRead.reader_id)).all() == [None]
