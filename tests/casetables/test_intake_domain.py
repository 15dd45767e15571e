"""The intake's domain functions without a request (issue 19, "Intake"): who may act, in
which state, and what each leaves behind."""

from __future__ import annotations

import datetime as dt

import pytest

from casetables import intake
from casetables.requests import CaseNotVisible
from community.core.extensions import db
from regionmap.models import Offer, OfferStatus

IN_A_WEEK = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(days=7)


def a_plan(table, **overrides) -> intake.TablePlan:
    values = {
        "starts_at": IN_A_WEEK,
        "ends_at": IN_A_WEEK + dt.timedelta(hours=2),
        "venue_name": "CLB West",
        "members": table.partners,
    }
    values.update(overrides)
    return intake.TablePlan(**values)


def test_only_the_regions_coordinators_take_a_case_in(table, make_case):
    case = make_case()
    with pytest.raises(CaseNotVisible):
        intake.accept_case(case, table.other_coordinator)
    with pytest.raises(CaseNotVisible):
        intake.accept_case(case, table.admin)
    with pytest.raises(intake.NotCoordinator):
        intake.accept_case(case, table.requester)
    intake.accept_case(case, table.coordinator, now=IN_A_WEEK)
    assert (case.state, case.accepted_at) == ("accepted", IN_A_WEEK)


def test_a_question_is_refused_after_acceptance_and_an_answer_before_a_question(table, make_case):
    case = make_case()
    with pytest.raises(intake.WrongState):
        intake.answer_clarification(case, table.requester, "Een antwoord.")
    intake.accept_case(case, table.coordinator)
    with pytest.raises(intake.WrongState) as wrong:
        intake.ask_clarification(case, table.coordinator, "Nog een vraag?")
    assert wrong.value.status == 409


def test_a_redirect_takes_only_a_published_offer_of_the_region_or_network_wide(
    table, make_case, make_region
):
    case = make_case()
    elsewhere = Offer(slug="ver-weg", title="Ver weg", region=table.other_region, kind="naft")
    proposed = Offer(
        slug="voorstel",
        title="Voorstel",
        region=table.region,
        kind="naft",
        status=OfferStatus.PROPOSED.value,
    )
    wide = Offer(
        slug="overal",
        title="Overal",
        region=make_region(slug="vlaanderen", is_network_wide=True),
        kind="naft",
    )
    db.session.add_all([elsewhere, proposed, wide])
    db.session.flush()
    assert [o.slug for o in intake.redirect_offers(case)] == ["overal"]
    for offer in (elsewhere, proposed):
        with pytest.raises(intake.OfferUnknown):
            intake.redirect_case(case, table.coordinator, offer.id)
    assert intake.redirect_case(case, table.coordinator, wide.id) == wide
    assert case.state == "redirected"


def test_planning_from_requested_accepts_too_and_copies_the_time(table, make_case):
    case = make_case(age_group="lager")

    event = intake.plan_table(case, table.coordinator, a_plan(table))

    assert case.state == "planned" and case.accepted_at is not None
    assert case.table_at == event.starts_at == IN_A_WEEK
    assert [t.number for t in event.themes] == [1]  # under 12: theme 1
    assert intake.table_title(case) == event.title
    with pytest.raises(intake.WrongState):
        intake.plan_table(case, table.coordinator, a_plan(table))


def test_the_queue_holds_the_coordinators_regions_urgent_first(table, make_case):
    normal = make_case(urgency="normaal")
    urgent = make_case(urgency="dringend", question="Een andere vraag aan de tafel.")

    mine = db.session.scalars(intake.intake_queue(table.coordinator)).all()
    theirs = db.session.scalars(intake.intake_queue(table.other_coordinator)).all()
    members = db.session.scalars(intake.intake_queue(table.member)).all()

    assert mine == [urgent, normal] and theirs == [] and members == []
    counts = intake.counts_by_region_and_state()
    assert counts == {table.region.id: {"requested": 2}}
