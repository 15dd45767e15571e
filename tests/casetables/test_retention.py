"""Case texts are erased a set time after closing; the anonymous outcome stays (issue 19)."""

from __future__ import annotations

import datetime as dt

from casetables.models import CaseRequest
from casetables.retention import MAX_RETENTION_DAYS
from community.core.extensions import db
from community.gdpr.rights import purge

from .test_requests import TODAY, fields

CLOSED_AT = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)


def closed_case(make_user, make_region, closed_at=CLOSED_AT) -> CaseRequest:
    from casetables.requests import file_request

    case = file_request(make_user(), fields(make_region()), today=TODAY)
    case.state, case.closed_at = "closed", closed_at
    db.session.commit()
    return case


def test_texts_are_erased_ninety_days_after_closing_and_the_outcome_stays(
    app, make_user, make_region
):
    case = closed_case(make_user, make_region)
    open_case = closed_case(make_user, make_region, closed_at=None)
    open_case.state = "planned"
    db.session.commit()

    assert purge(CLOSED_AT + dt.timedelta(days=89), app.config)["case_texts"] == 0
    db.session.commit()
    assert case.stuck

    later = CLOSED_AT + dt.timedelta(days=90, minutes=1)
    assert purge(later, app.config)["case_texts"] == 1
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(CaseRequest, case.id)
    assert (case.stuck, case.tried, case.question) == ("", "", "")
    assert case.erased_at == later
    # The anonymous outcome: region, age group, level, state and dates.
    assert (case.region_id, case.age_group, case.school_level, case.state) != (None, "", "", "")
    assert case.closed_at == CLOSED_AT and case.created_at is not None
    assert db.session.get(CaseRequest, open_case.id).stuck  # not closed: kept
    assert purge(later + dt.timedelta(days=1), app.config)["case_texts"] == 0  # once


def test_a_period_above_a_year_is_clamped_to_a_year(app, make_user, make_region):
    case = closed_case(make_user, make_region)
    settings = {**app.config, "CASE_RETENTION_DAYS": 5000}
    assert purge(CLOSED_AT + dt.timedelta(days=MAX_RETENTION_DAYS - 1), settings)["case_texts"] == 0
    assert purge(CLOSED_AT + dt.timedelta(days=MAX_RETENTION_DAYS + 1), settings)["case_texts"] == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CaseRequest, case.id).question == ""


def test_a_shorter_setting_is_followed(app, make_user, make_region):
    closed_case(make_user, make_region)
    settings = {**app.config, "CASE_RETENTION_DAYS": 30}
    assert purge(CLOSED_AT + dt.timedelta(days=31), settings)["case_texts"] == 1


def test_ninety_days_after_closing_the_meeting_texts_are_gone_and_the_outcome_counts(
    app, make_user, make_region
):
    """Issue 19, "Retention", with the clock moved: notes, agreements' texts, the outcome
    note and the line back go; region, age group, kind of gap, dates and the signal stay,
    and the statistics still count the case."""
    from sqlalchemy import func, select

    from casetables.meeting import add_agreement, save_note
    from casetables.models import CaseAgreement, CaseNote
    from casetables.outcome import OutcomeFields, close_case
    from reporting.period import Period
    from reporting.statistics import Scope, compute_statistics

    from .meeting_helpers import planned_case

    table = planned_case(make_user, make_region)
    case = table.case
    before = CLOSED_AT - dt.timedelta(days=1)
    save_note(case, table.partners[0], table.partners[0].id, "Wij zien een wachtlijst.", before)
    add_agreement(case, table.coordinator, table.partners[1].id, "Belt de dienst.", None, before)
    case.created_at = CLOSED_AT - dt.timedelta(days=20)
    case.table_at = CLOSED_AT - dt.timedelta(days=2)
    close_case(case, table.coordinator, OutcomeFields("no_fit", kind="dagbesteding"), CLOSED_AT)
    case.follow_up_report = "Nog geen plaats gevonden."
    db.session.commit()
    signal_id = case.signal_id

    assert purge(CLOSED_AT + dt.timedelta(days=89, hours=23), app.config)["case_texts"] == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 1
    assert case.stuck and case.follow_up_report

    assert purge(CLOSED_AT + dt.timedelta(days=90, minutes=1), app.config)["case_texts"] == 1
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(CaseRequest, case.id)
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 0
    assert db.session.scalars(select(CaseAgreement.what)).all() == [""]
    assert (case.stuck, case.tried, case.question, case.follow_up_report) == ("", "", "", "")
    assert (case.outcome, case.outcome_offer_kind, case.signal_id) == (
        "no_fit",
        "dagbesteding",
        signal_id,
    )
    assert (case.region_id, case.age_group) == (table.region.id, "12-15")
    assert case.closed_at == CLOSED_AT and case.table_at is not None

    period = Period(dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    with app.test_request_context():
        figures = compute_statistics(Scope((table.region,)), period)
    requests = figures.table("case_tables").row(f"region-{table.region.id}")
    assert requests.values[:2] == [1, 1]
    outcomes = figures.table("case_outcomes")
    assert outcomes.row("kind-dagbesteding").values == [0, 0, 1]


def test_a_redirected_case_is_ended_and_erased_like_a_closed_one(app, make_user, make_region):
    """Found by trying the product: a case redirected to an offer stayed open for ever, its
    texts never erased. A redirect ends the case (closed_at) and the purge takes it."""
    from casetables.intake import redirect_case
    from casetables.requests import file_request
    from regionmap.models import Offer, OfferStatus

    region = make_region()
    coordinator = make_user("coordinator", regions=[region], region=region)
    offer = Offer(
        slug="naft-r", title="NAFT", region=region, kind="naft", status=OfferStatus.PUBLISHED
    )
    db.session.add(offer)
    case = file_request(make_user(region=region), fields(region), today=TODAY)
    db.session.commit()
    redirect_case(case, coordinator, offer.id)
    db.session.commit()
    assert case.state == "redirected" and case.closed_at is not None

    assert purge(case.closed_at + dt.timedelta(days=89), app.config)["case_texts"] == 0
    assert purge(case.closed_at + dt.timedelta(days=91), app.config)["case_texts"] == 1
    db.session.commit()
    db.session.refresh(case)
    assert (case.stuck, case.question, case.redirect_offer_id) == ("", "", offer.id)
