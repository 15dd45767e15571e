"""Organiser domain rules, tested without a request: times, slugs, revisions, life cycle."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from events import organising as organiser
from events.models import (
    Event,
    EventQuestion,
    EventStatus,
    EventType,
    Invitation,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    WorkshopChoice,
)
from events.organising import (
    CapacityBelowTaken,
    EventDetails,
    InvalidPeriod,
    NonexistentLocalTime,
    ProgrammeItemDetails,
    QuestionDetails,
    SlugLocked,
    SlugTaken,
    VenueMissing,
    WrongStatus,
    brussels_to_utc,
)
from events.signals import event_changed, event_published
from tests.events.organiser_helpers import register

UTC = dt.UTC


@pytest.fixture(autouse=True)
def request_context(app):
    """Messages are translated and mails link to pages: both need a request, as in a view."""
    with app.test_request_context():
        yield


def details(region, themes=(), **overrides) -> EventDetails:
    starts_at = dt.datetime(2027, 5, 20, 11, 30, tzinfo=UTC)  # 13:30 in Brussels
    values = {
        "title": "Netwerkmoment Limburg",
        "type": EventType.NETWORK_MEETING,
        "region": region,
        "themes": list(themes),
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=3),
        "venue_name": "C-mine",
        "venue_address": "Genk",
    }
    values.update(overrides)
    return EventDetails(**values)


# --- local time -----------------------------------------------------------------


def test_brussels_summer_time_is_converted_to_utc(app):
    assert brussels_to_utc(dt.date(2027, 5, 20), dt.time(13, 30)) == dt.datetime(
        2027, 5, 20, 11, 30, tzinfo=UTC
    )


def test_brussels_winter_time_is_converted_to_utc(app):
    assert brussels_to_utc(dt.date(2027, 1, 14), dt.time(9, 0)) == dt.datetime(
        2027, 1, 14, 8, 0, tzinfo=UTC
    )


def test_a_time_in_the_spring_forward_gap_is_refused_with_a_dutch_message(app):
    with pytest.raises(NonexistentLocalTime) as caught:
        brussels_to_utc(dt.date(2027, 3, 28), dt.time(2, 30), "start_time")

    assert caught.value.field == "start_time"
    assert "28-03-2027 om 02:30 bestaat niet in Brussel" in caught.value.message


def test_an_ambiguous_autumn_time_is_read_as_summer_time(app):
    # 31 October 2027 02:30 happens twice; the first time is still summer time (UTC+2).
    assert brussels_to_utc(dt.date(2027, 10, 31), dt.time(2, 30)) == dt.datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


# --- slugs ------------------------------------------------------------------------


def test_slug_is_made_from_the_title_without_accents(app):
    assert organiser.slugify("Inspiratiedag: één jaar NAFT & ROTS!") == (
        "inspiratiedag-een-jaar-naft-rots"
    )
    assert organiser.slugify("???") == "activiteit"


def test_generated_slug_is_made_unique(app, make_region):
    region = make_region()
    first = organiser.create_event(details(region, title="Netwerkmoment"))
    second = organiser.create_event(details(region, title="Netwerkmoment"))
    third = organiser.create_event(details(region, title="Netwerkmoment"))

    assert [first.slug, second.slug, third.slug] == [
        "netwerkmoment",
        "netwerkmoment-2",
        "netwerkmoment-3",
    ]


def test_a_chosen_slug_that_is_taken_is_refused(app, make_region, make_event):
    region = make_region()
    make_event(slug="netwerkmoment-gent")

    with pytest.raises(SlugTaken) as caught:
        organiser.create_event(details(region), slug="netwerkmoment-gent")

    assert "al in gebruik" in caught.value.message


def test_slug_of_a_published_event_stays_when_the_title_changes(app, make_region):
    region = make_region()
    event = organiser.create_event(details(region, title="Netwerkmoment"))
    organiser.publish_event(event)

    organiser.update_event(event, details(region, title="Netwerkmoment (nieuwe titel)"), slug="")

    assert event.slug == "netwerkmoment"
    with pytest.raises(SlugLocked):
        organiser.update_event(event, details(region), slug="ander-adres")


def test_slug_of_a_draft_follows_its_new_title(app, make_region):
    region = make_region()
    event = organiser.create_event(details(region, title="Netwerkmoment"))

    organiser.update_event(event, details(region, title="Studiedag leerrecht"), slug="")

    assert event.slug == "studiedag-leerrecht"


# --- create and edit --------------------------------------------------------------------


def test_created_event_is_a_draft_with_the_regions_network_and_sanitised_html(
    app, make_region, make_theme
):
    region = make_region()
    event = organiser.create_event(
        details(
            region,
            [make_theme(1), make_theme(2)],
            description="Hallo <script>alert(1)</script> **iedereen**",
            invited_emails=["Ann@Example.org", "ann@example.org", "bert@example.org"],
        )
    )

    assert event.status == EventStatus.DRAFT
    assert event.network is region.network
    assert "<script>" not in event.description_html
    assert "<strong>iedereen</strong>" in event.description_html
    assert [t.number for t in event.themes] == [1, 2]
    invited = db.session.scalars(select(Invitation.email).where(Invitation.event_id == event.id))
    assert sorted(e.lower() for e in invited) == ["ann@example.org", "bert@example.org"]


def test_end_before_start_is_refused_and_nothing_is_stored(app, make_region):
    region = make_region()
    start = dt.datetime(2027, 5, 20, 11, 30, tzinfo=UTC)

    with pytest.raises(InvalidPeriod) as caught:
        organiser.create_event(details(region, starts_at=start, ends_at=start))

    assert caught.value.message == "Het einde moet na het begin liggen."
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_an_event_on_location_needs_a_venue(app, make_region):
    with pytest.raises(VenueMissing):
        organiser.create_event(details(make_region(), venue_name=""))
    organiser.create_event(details(make_region(), venue_name="", is_online=True))


def test_revision_grows_for_time_or_place_but_not_for_a_typo(app, make_region):
    region = make_region()
    event = organiser.create_event(details(region))
    before = event.revision

    organiser.update_event(event, details(region, description="Typo verbeterd"), slug="")
    assert event.revision == before

    later = dt.datetime(2027, 5, 21, 11, 30, tzinfo=UTC)
    organiser.update_event(
        event, details(region, starts_at=later, ends_at=later + dt.timedelta(hours=2)), slug=""
    )
    assert event.revision == before + 1

    organiser.update_event(
        event,
        details(
            region,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=2),
            venue_name="Andere zaal",
        ),
        slug="",
    )
    assert event.revision == before + 2


def test_a_published_event_whose_time_changes_tells_participants_and_sends_the_signal(
    app, make_region
):
    region = make_region()
    event = organiser.create_event(details(region))
    organiser.publish_event(event)
    db.session.commit()
    register(event)
    received = []
    later = event.starts_at + dt.timedelta(hours=1)

    with event_changed.connected_to(lambda sender: received.append(sender)):
        result = organiser.update_event(
            event, details(region, starts_at=later, ends_at=later + dt.timedelta(hours=3))
        )

    assert received == [event]
    assert result.participants_notified


def test_a_typo_fix_on_a_published_event_sends_no_change(app, make_region):
    region = make_region()
    event = organiser.create_event(details(region))
    organiser.publish_event(event)
    received = []

    with event_changed.connected_to(lambda sender: received.append(sender)):
        result = organiser.update_event(event, details(region, summary="Beter geschreven"))

    assert received == []
    assert not result.participants_notified


def test_capacity_below_the_places_taken_is_refused(app, make_region, make_event):
    event = make_event(capacity=5)
    for _ in range(3):
        register(event)

    with pytest.raises(CapacityBelowTaken) as caught:
        organiser.update_event(event, details(event.region, capacity=2))

    assert "Er zijn al 3 plaatsen ingenomen" in caught.value.message
    db.session.rollback()
    assert db.session.get(Event, event.id).capacity == 5


def test_raising_the_capacity_gives_the_waiting_list_places_in_arrival_order(
    app, make_region, make_event
):
    event = make_event(capacity=1)
    register(event)
    first, second = register(event, RegistrationState.WAITLISTED), None
    second = register(event, RegistrationState.WAITLISTED)
    base = EventDetails.of(event)
    base.capacity = 2

    result = organiser.update_event(event, base)

    assert result.promoted == [first]
    assert first.state == RegistrationState.CONFIRMED
    assert second.state == RegistrationState.WAITLISTED


# --- life cycle ---------------------------------------------------------------------------


def test_publishing_sends_event_published_with_the_event(app, make_region):
    event = organiser.create_event(details(make_region()))
    received = []

    with event_published.connected_to(lambda sender: received.append(sender)):
        organiser.publish_event(event)

    assert received == [event]
    assert event.status == EventStatus.PUBLISHED
    with pytest.raises(WrongStatus):
        organiser.publish_event(event)


def test_cancelling_closes_registration_keeps_the_event_and_tells_registrants(
    app, make_event, mailbox
):
    event = make_event()
    register(event)
    revision = event.revision

    organiser.cancel_event(event, "De spreker is ziek.")
    db.session.commit()

    stored = db.session.get(Event, event.id)
    assert stored.status == EventStatus.CANCELLED
    assert stored.is_registration_closed
    assert stored.cancellation_message == "De spreker is ziek."
    assert stored.revision == revision + 1
    with pytest.raises(WrongStatus):
        organiser.cancel_event(stored, "nog eens")


def test_a_published_event_cannot_be_deleted(app, make_event):
    event = make_event()

    with pytest.raises(WrongStatus) as caught:
        organiser.delete_event(event)

    assert "Alleen een ontwerp kan verwijderd worden" in caught.value.message


def test_deleting_a_draft_removes_its_programme_questions_and_invitations(app, make_region):
    region = make_region()
    event = organiser.create_event(details(region, invited_emails=["a@example.org"]))
    organiser.save_question(event, QuestionDetails(label="Voedingswensen?"))
    organiser.save_programme_item(
        event,
        ProgrammeItemDetails(starts_at=event.starts_at, ends_at=event.ends_at, title="Onthaal"),
    )
    db.session.commit()

    organiser.delete_event(event)
    db.session.commit()

    for model in (Event, ProgrammeItem, EventQuestion, Invitation):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_copy_moves_dates_keeping_brussels_time_across_the_change_to_summer_time(
    app, make_region, make_theme
):
    region = make_region()
    # Thursday 18 March 2027, 14:00-16:00 in Brussels (winter time, UTC+1).
    start = dt.datetime(2027, 3, 18, 13, 0, tzinfo=UTC)
    event = organiser.create_event(
        details(
            region,
            [make_theme(2)],
            title="Netwerkmoment",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=40,
        )
    )
    organiser.save_programme_item(
        event,
        ProgrammeItemDetails(
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            title="Workshop NAFT",
            kind=ProgrammeItemKind.WORKSHOP,
            capacity=12,
        ),
    )
    organiser.save_question(
        event,
        QuestionDetails(label="Welke workshop?", kind=QuestionKind.CHOICE, choices=["A", "B"]),
    )
    organiser.publish_event(event)

    copy = organiser.copy_event(event, days=14)

    # Thursday 1 April 2027, still 14:00 in Brussels, now summer time (UTC+2).
    assert copy.starts_at == dt.datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
    assert copy.ends_at == dt.datetime(2027, 4, 1, 14, 0, tzinfo=UTC)
    assert copy.status == EventStatus.DRAFT
    assert copy.slug == "netwerkmoment-2"
    assert copy.capacity == 40
    assert [t.number for t in copy.themes] == [2]
    assert [(i.title, i.capacity, i.starts_at) for i in copy.programme] == [
        ("Workshop NAFT", 12, dt.datetime(2027, 4, 1, 12, 0, tzinfo=UTC))
    ]
    assert [(q.label, q.choices) for q in copy.questions] == [("Welke workshop?", ["A", "B"])]


# --- programme, questions, attendance -----------------------------------------------------


def test_a_programme_item_outside_the_event_or_a_capacity_on_a_talk_is_refused(app, make_event):
    event = make_event()
    outside = ProgrammeItemDetails(
        starts_at=event.ends_at, ends_at=event.ends_at + dt.timedelta(hours=1), title="Later"
    )
    talk = ProgrammeItemDetails(
        starts_at=event.starts_at, ends_at=event.ends_at, title="Lezing", capacity=10
    )

    with pytest.raises(organiser.ProgrammeItemError) as caught:
        organiser.save_programme_item(event, outside)
    assert "binnen het begin en einde" in caught.value.message
    with pytest.raises(organiser.ProgrammeItemError) as caught:
        organiser.save_programme_item(event, talk)
    assert caught.value.message == "Alleen een workshop heeft een eigen capaciteit."


def test_deleting_a_workshop_removes_the_choices_made_for_it(app, make_event):
    event = make_event()
    item = organiser.save_programme_item(
        event,
        ProgrammeItemDetails(
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            title="Workshop",
            kind=ProgrammeItemKind.WORKSHOP,
        ),
    )
    registration = register(event)
    db.session.add(
        WorkshopChoice(
            registration=registration,
            programme_item=item,
            state=RegistrationState.CONFIRMED,
        )
    )
    db.session.commit()

    organiser.delete_programme_item(item)
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(WorkshopChoice)) == 0


def test_a_choice_question_needs_two_choices(app, make_event):
    event = make_event()

    with pytest.raises(organiser.QuestionError) as caught:
        organiser.save_question(
            event, QuestionDetails(label="Welke?", kind=QuestionKind.CHOICE, choices=["A", "A"])
        )

    assert caught.value.field == "choices"
    yes_no = organiser.save_question(
        event, QuestionDetails(label="Vegetarisch?", kind=QuestionKind.YES_NO, choices=["x"])
    )
    assert yes_no.choices == []


def test_attendance_is_marked_only_after_the_start_and_for_confirmed_people(app, make_event):
    event = make_event()
    confirmed = register(event)
    waiting = register(event, RegistrationState.WAITLISTED)

    with pytest.raises(WrongStatus):
        organiser.mark_attendance(confirmed, True)

    after = event.starts_at + dt.timedelta(hours=1)
    organiser.mark_attendance(confirmed, True, now=after)
    assert db.session.get(Registration, confirmed.id).attended is True
    with pytest.raises(WrongStatus):
        organiser.mark_attendance(waiting, True, now=after)
