"""Fixtures of the case-table intake tests: a region with its coordinator, a requester,
members, another region's coordinator, an admin, and a filed case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from casetables.intake import file_case_request
from casetables.models import CaseRequest
from casetables.requests import RequestFields
from community.accounts.models import Organisation, OrganisationType, Region, Sector, User
from community.core.extensions import db

STUCK = "Spijbelt sinds de herfstvakantie, thuis veel spanning."
TRIED = "CLB-gesprekken, een contextbegeleiding, time-out van twee weken."
QUESTION = "Welk aanbod kan het schooltraject weer op gang trekken?"


@dataclass
class Table:
    """The people around a case: the region (West), its coordinator, the requester (a CLB
    worker), three partners, a member of the region, East's coordinator, an admin."""

    region: Region
    other_region: Region
    coordinator: User
    requester: User
    partners: list[User]
    member: User
    other_coordinator: User
    admin: User
    organisation: Organisation


def request_fields(region, **overrides) -> RequestFields:
    values = {
        "region_id": region.id,
        "age_group": "12-15",
        "school_level": "secundair_1",
        "stuck": STUCK,
        "tried": TRIED,
        "question": QUESTION,
        "urgency": "snel",
        "tried_services": ("clb", "jeugdhulpaanbieder"),
    }
    values.update(overrides)
    return RequestFields(**values)


@pytest.fixture
def table(app, make_region, make_user, make_theme) -> Table:
    make_theme(1)
    make_theme(2)
    west = make_region(name="West-Vlaanderen", slug="west-vlaanderen")
    east = make_region(name="Oost-Vlaanderen", slug="oost-vlaanderen")
    clb = Organisation(
        name="CLB West",
        sector=Sector.EDUCATION,
        region=west,
        organisation_type=OrganisationType.CLB.value,
    )
    db.session.add(clb)
    db.session.commit()
    partners = [
        make_user(region=west, display_name=f"Partner {n}", email=f"partner{n}@example.org")
        for n in (1, 2, 3)
    ]
    return Table(
        region=west,
        other_region=east,
        coordinator=make_user(
            "coordinator", regions=[west], region=west, email="coordinator.west@example.org"
        ),
        requester=make_user(region=west, organisation=clb, email="clb.werker@example.org"),
        partners=partners,
        member=make_user(region=west, email="ander.lid@example.org"),
        other_coordinator=make_user(
            "coordinator", regions=[east], region=east, email="coordinator.oost@example.org"
        ),
        admin=make_user("admin", email="beheerder@example.org"),
        organisation=clb,
    )


@pytest.fixture
def make_case(table):
    """Return a callable filing a case by the table's requester (committed, mails queued)."""

    def _make(**overrides) -> CaseRequest:
        case = file_case_request(
            table.requester, request_fields(table.region, **overrides), today=dt.date.today()
        )
        db.session.commit()
        return case

    return _make
