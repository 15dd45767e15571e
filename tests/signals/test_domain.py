"""The signal function's rules, without a request: report, recognise, withdraw, bundle,
move through the states, answer, count the evidence, GDPR."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.accounts.models import Sector
from community.core.extensions import db
from signals import gdpr, notes, reporting, workflow
from signals.errors import (
    AlreadyRecognised,
    CannotWithdraw,
    MissingField,
    NotAllowed,
    NotOpen,
    OwnSignal,
    TooLong,
)
from signals.models import LogEntry, Recognition, Signal, SignalFollow, State
from signals.permissions import can_manage_bundle, can_see_reporter, can_triage_signal
from signals.privacy import PersonalDataFound
from tests.conftest import PASSWORD


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_reported_signal_is_new_followed_by_its_reporter_and_logged(network, make_signal):
    signal = make_signal(network.west)

    assert signal.state == State.NEW
    assert signal.sectors == ",onderwijs,welzijn,"
    follows = db.session.scalars(select(SignalFollow.user_id)).all()
    assert follows == [signal.reporter_id]
    log = db.session.scalars(select(LogEntry).where(LogEntry.signal_id == signal.id)).all()
    assert [(e.action, e.state, e.actor_id) for e in log] == [
        ("reported", "new", signal.reporter_id)
    ]


@pytest.mark.parametrize(
    ("values", "error", "field"),
    [
        ({"title": "  "}, MissingField, "title"),
        ({"description": ""}, MissingField, "description"),
        ({"title": "x" * 201}, TooLong, "title"),
        ({"tried": "x" * 5001}, TooLong, "tried"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_stored(
    network, make_user, values, error, field
):
    data = {"title": "Wachtlijst", "description": "Lang.", "region": network.west}
    data.update(values)
    with pytest.raises(error) as raised:
        reporting.report_signal(make_user(), reporting.SignalInput(**data))
    db.session.rollback()
    assert raised.value.field == field
    assert _count(Signal) == 0


@pytest.mark.parametrize("field", ["title", "description", "services", "tried", "would_help"])
def test_personal_data_in_any_free_text_field_is_refused_unless_confirmed(
    network, make_user, field
):
    data = {"title": "Wachtlijst", "description": "Lang.", "region": network.west}
    data[field] = "Bel de moeder op 0472 12 34 56."
    member = make_user()
    with pytest.raises(PersonalDataFound) as raised:
        reporting.report_signal(member, reporting.SignalInput(**data))
    db.session.rollback()
    assert list(raised.value.by_field) == [field]
    assert _count(Signal) == 0

    reporting.report_signal(member, reporting.SignalInput(**data), privacy_confirmed=True)
    assert _count(Signal) == 1


def test_a_member_recognises_once_with_region_and_sector_and_then_follows(
    network, make_signal, make_user
):
    signal = make_signal(network.west)
    colleague = make_user(region=network.east, sector=Sector.WELFARE)

    reporting.recognise(signal, colleague, "Ook in Gent wachten jongeren maanden.")
    db.session.commit()
    with pytest.raises(AlreadyRecognised):
        reporting.recognise(signal, colleague, "Nog eens.")
    db.session.rollback()

    recognition = db.session.scalars(select(Recognition)).one()
    assert (recognition.region_id, recognition.sector) == (network.east.id, "welzijn")
    db.session.refresh(signal)
    assert signal.recognition_count == 1
    assert reporting.is_following(signal, colleague)


def test_a_reporter_does_not_recognise_their_own_signal(network, make_signal):
    signal = make_signal(network.west)
    with pytest.raises(OwnSignal):
        reporting.recognise(signal, signal.reporter)


def test_a_recognition_line_passes_the_privacy_guard(network, make_signal, make_user):
    signal = make_signal(network.west)
    with pytest.raises(PersonalDataFound):
        reporting.recognise(signal, make_user(), "Zoals Lien, geboren op 3 maart 2015.")
    db.session.rollback()
    assert _count(Recognition) == 0


def test_the_reporter_withdraws_before_bundling_but_not_after(network, make_signal):
    early, late = make_signal(network.west), make_signal(network.west)
    reporting.withdraw_signal(early, early.reporter)
    assert early.state == State.WITHDRAWN
    workflow.create_bundle([late], network.west_coordinator, "Dagbesteding")
    with pytest.raises(CannotWithdraw):
        reporting.withdraw_signal(late, late.reporter)


def test_a_coordinator_triages_only_the_signals_of_their_region(network, make_signal):
    west, east = make_signal(network.west), make_signal(network.east)

    assert can_triage_signal(network.west_coordinator, west)
    assert not can_triage_signal(network.west_coordinator, east)
    with pytest.raises(NotAllowed):
        workflow.create_bundle([west, east], network.west_coordinator, "Samen")
    with pytest.raises(NotAllowed):
        workflow.ask_reporter(east, network.west_coordinator, "Hoe vaak?")


def test_the_same_signal_from_three_regions_is_one_bundle_keeping_everything(
    network, make_signal, make_user
):
    signals = [make_signal(r) for r in (network.west, network.east, network.limburg)]
    reporting.recognise(signals[0], make_user(region=network.limburg), "Ook hier.")
    bundle = workflow.create_bundle(signals, network.admin, "Geen dagbesteding")
    db.session.commit()

    assert [s.state for s in bundle.signals] == [State.BUNDLED] * 3
    assert [r.name for r in bundle.regions] == ["West-Vlaanderen", "Oost-Vlaanderen", "Limburg"]
    assert {s.reporter_id for s in bundle.signals} == {s.reporter_id for s in signals}
    found = notes.evidence([bundle])
    assert (found.signals, found.recognitions) == (3, 1)
    assert [row[0] for row in found.by_region] == ["West-Vlaanderen", "Oost-Vlaanderen", "Limburg"]
    assert ("onderwijs", 3, 0) in found.by_sector


def test_who_may_edit_a_cross_region_bundle(network, make_signal, make_region, make_user):
    bundle = workflow.create_bundle(
        [make_signal(network.west), make_signal(network.east)],
        network.admin,
        "Wachtlijsten",
    )
    stranger = make_user("coordinator", regions=[make_region(name="Antwerpen")])
    assert not can_manage_bundle(network.network_coordinator, bundle)

    assert can_manage_bundle(network.west_coordinator, bundle)
    assert can_manage_bundle(network.east_coordinator, bundle)
    assert can_manage_bundle(network.admin, bundle)
    assert not can_manage_bundle(stranger, bundle)


def test_a_province_coordinator_adds_their_signal_to_a_bundle_from_elsewhere(network, make_signal):
    bundle = workflow.create_bundle([make_signal(network.east)], network.east_coordinator, "NAFT")
    mine = make_signal(network.west)
    workflow.add_to_bundle(bundle, [mine], network.west_coordinator)
    assert mine.bundle_id == bundle.id and mine.state == State.BUNDLED


def test_a_bundle_moves_one_step_at_a_time_and_is_logged(network, make_signal):
    bundle = workflow.create_bundle([make_signal(network.west)], network.west_coordinator, "X")
    db.session.commit()
    coordinator = network.west_coordinator
    with pytest.raises(NotOpen):
        workflow.move_bundle(bundle, coordinator, State.ANSWERED)
    with pytest.raises(MissingField):
        workflow.move_bundle(bundle, coordinator, State.PASSED_ON)
    db.session.rollback()
    workflow.move_bundle(
        bundle, coordinator, State.PASSED_ON, passed_to="Kabinet Onderwijs", note="Per brief."
    )
    assert bundle.passed_to == "Kabinet Onderwijs" and bundle.passed_on_at is not None
    assert bundle.signals[0].state == State.PASSED_ON
    workflow.move_bundle(bundle, coordinator, State.CLOSED)
    with pytest.raises(NotOpen):
        workflow.move_bundle(bundle, coordinator, State.ANSWERED)
    entries = db.session.scalars(
        select(LogEntry.state).where(LogEntry.bundle_id == bundle.id).order_by(LogEntry.id)
    ).all()
    assert entries == ["bundled", "passed_on", "closed"]


def test_a_passed_on_date_in_the_future_is_refused(network, make_signal):
    from signals.errors import WrongDate

    bundle = workflow.create_bundle([make_signal(network.west)], network.west_coordinator, "X")
    with pytest.raises(WrongDate):
        workflow.move_bundle(
            bundle,
            network.west_coordinator,
            State.PASSED_ON,
            passed_to="Kabinet",
            passed_on_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
        )


def test_an_answer_moves_passed_on_bundles_to_answered(network, make_signal):
    bundle = workflow.create_bundle([make_signal(network.west)], network.west_coordinator, "X")
    workflow.move_bundle(bundle, network.west_coordinator, State.PASSED_ON, passed_to="Kabinet")
    answer = workflow.record_answer(
        [bundle],
        network.west_coordinator,
        answered_by="Kabinet Welzijn",
        received_on=dt.date.today(),
        body="We bekijken een pilootproject.",
    )
    assert answer.bundles == [bundle]
    assert bundle.state == State.ANSWERED and bundle.signals[0].state == State.ANSWERED


def test_the_reporters_name_is_for_coordinators_and_members_only_when_agreed(
    network, make_signal, make_user
):
    quiet = make_signal(network.west)
    open_ = make_signal(network.west, is_name_shared=True)
    member = make_user(region=network.east)

    assert can_see_reporter(network.west_coordinator, quiet)
    assert not can_see_reporter(member, quiet)
    assert can_see_reporter(member, open_)
    assert not can_see_reporter(network.east_coordinator, quiet)


def test_quotes_in_a_policy_note_are_checked_without_a_tick(network, make_signal):
    bundle = workflow.create_bundle([make_signal(network.west)], network.west_coordinator, "X")
    with pytest.raises(PersonalDataFound):
        notes.save_note(
            None,
            [bundle],
            network.west_coordinator,
            title="Nota",
            introduction="",
            recommendations="Meer plaatsen.",
            quotes="Mail me op jan@school.be.",
        )


def test_export_holds_a_members_signals_and_erasure_keeps_them(network, make_signal, make_user):
    from community.gdpr.rights import delete_account

    reporter = make_user(region=network.west)
    signal = make_signal(network.west, reporter=reporter, is_name_shared=True)
    other = make_signal(network.east)
    reporting.recognise(other, reporter, "Herkenbaar.")
    db.session.commit()

    data = gdpr.export_signal_data(reporter)
    assert [s["title"] for s in data["signals"]] == [signal.title]
    assert [r["context"] for r in data["recognitions"]] == ["Herkenbaar."]
    assert {f["signal_id"] for f in data["follows"]} == {signal.id, other.id}

    delete_account(reporter, PASSWORD)
    db.session.commit()
    db.session.refresh(signal)
    assert signal.reporter.display_name == "verwijderd lid"
    assert signal.is_name_shared is False
    assert _count(Recognition) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SignalFollow)
            .where(SignalFollow.user_id == reporter.id)
        )
        == 0
    )


@pytest.mark.parametrize(
    "text", ["Geboortedatum: 2014-03-12, zit thuis.", "Leerling (° 2013-11-05) wacht op NAFT."]
)
def test_a_date_of_birth_written_the_iso_way_is_refused(network, make_user, text):
    """``geboortedatum: 2014-03-12`` (as school software prints it) passed the guard:
    only day-month-year dates were read."""
    data = {"title": "Wachtlijst", "description": text, "region": network.west}
    with pytest.raises(PersonalDataFound) as raised:
        reporting.report_signal(make_user(), reporting.SignalInput(**data))
    db.session.rollback()
    assert [f.kind for f in raised.value.by_field["description"][1]] == ["birth_date"]
    assert _count(Signal) == 0


def test_the_same_report_submitted_twice_is_saved_once(network, make_user):
    """A double click on "Signaal melden" saved two signals (eight for eight clicks at
    once on PostgreSQL), so the problem counted twice in the region's figures."""
    member = make_user()
    data = {"title": "Wachtlijst", "description": "Lang.", "region": network.west}
    first = reporting.report_signal(member, reporting.SignalInput(**data))
    again = reporting.report_signal(member, reporting.SignalInput(**data))
    assert again.id == first.id and _count(Signal) == 1

    data["description"] = "Lang, ook in Kortrijk."
    reporting.report_signal(member, reporting.SignalInput(**data))
    assert _count(Signal) == 2
