"""Registration domain: places, waiting list, guests, colleagues, workshops, questions, links."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from community.accounts.models import Organisation, Sector
from community.core.extensions import db
from events import registration as reg
from events.models import (
    EventQuestion,
    EventStatus,
    Invitation,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    Visibility,
    WorkshopChoice,
)
from events.registration import GuestDetails
from tests.pages_helpers import add

CONFIRMED, WAITLISTED = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED
PENDING, CANCELLED = RegistrationState.PENDING, RegistrationState.CANCELLED


def guest(n: int | str = 1, **overrides) -> GuestDetails:
    values = {
        "name": f"Gast {n}",
        "email": f"gast{n}@example.org",
        "organisation_name": "CLB Gent",
        "sector": Sector.EDUCATION.value,
        "job_title": "CLB-medewerker",
    }
    values.update(overrides)
    return GuestDetails(**values)


def nl(message) -> str:
    """The Dutch text of a (lazy) message, outside a request."""
    with force_locale("nl_BE"):
        return str(message)


def message_of(error: reg.RegistrationError) -> str:
    """The Dutch message a view shows for ``error``."""
    with force_locale("nl_BE"):
        return error.message


def registrations(event) -> list[Registration]:
    db.session.expire_all()
    return db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id)
        .order_by(Registration.created_at, Registration.id)
    ).all()


def states(event) -> list[str]:
    return [r.state for r in registrations(event)]


def count_registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


# --- places and waiting list ----------------------------------------------------


def test_member_is_confirmed_at_once_while_places_are_free(make_event, make_user):
    event = make_event(capacity=2)
    user = make_user()

    registration = reg.register(event, user=user)
    db.session.commit()

    assert registration.state == CONFIRMED
    assert registration.name == user.display_name and registration.email == user.email
    assert registration.confirmed_at is not None
    assert reg.seats_taken(event) == 1 and reg.seats_left(event) == 1


def test_member_goes_to_the_waiting_list_when_the_activity_is_full(make_event, make_user):
    event = make_event(capacity=1)
    reg.register(event, user=make_user())
    second = reg.register(event, user=make_user())
    db.session.commit()

    assert second.state == WAITLISTED
    assert reg.seats_left(event) == 0
    assert reg.waitlist_count(event) == 1


def test_activity_without_capacity_confirms_everyone(make_event, make_user):
    event = make_event(capacity=None)
    for _ in range(5):
        reg.register(event, user=make_user())
    db.session.commit()

    assert states(event) == [CONFIRMED] * 5
    assert reg.seats_left(event) is None


def test_waitlisted_member_is_promoted_when_a_seat_frees(make_event, make_user):
    event = make_event(capacity=1)
    first = reg.register(event, user=make_user())
    second = reg.register(event, user=make_user())
    third = reg.register(event, user=make_user())
    db.session.commit()

    promoted = reg.cancel(first)
    db.session.commit()

    assert promoted == [second]
    assert [first.state, second.state, third.state] == [CANCELLED, CONFIRMED, WAITLISTED]


def test_leaving_the_waiting_list_promotes_nobody(make_event, make_user):
    event = make_event(capacity=1)
    reg.register(event, user=make_user())
    waiting = reg.register(event, user=make_user())
    db.session.commit()

    assert reg.cancel(waiting) == []
    db.session.commit()
    assert states(event) == [CONFIRMED, CANCELLED]


def test_cancelling_twice_does_nothing_the_second_time(make_event, make_user):
    event = make_event(capacity=1)
    first = reg.register(event, user=make_user())
    db.session.commit()
    reg.cancel(first)
    db.session.commit()

    assert reg.cancel(first) == []


def test_raising_the_capacity_fills_free_seats_in_arrival_order(make_event, make_user):
    event = make_event(capacity=1)
    people = [reg.register(event, user=make_user()) for _ in range(4)]
    db.session.commit()

    event.capacity = 3
    promoted = reg.fill_free_seats(event)
    db.session.commit()

    assert promoted == people[1:3]
    assert states(event) == [CONFIRMED, CONFIRMED, CONFIRMED, WAITLISTED]


def test_promote_by_hand_needs_a_free_seat_unless_forced(make_event, make_user):
    event = make_event(capacity=1)
    reg.register(event, user=make_user())
    waiting = reg.register(event, user=make_user())
    db.session.commit()

    with pytest.raises(reg.EventFull) as error:
        reg.promote(waiting)
    assert "geen vrije plaats" in message_of(error.value)
    db.session.rollback()
    assert waiting.state == WAITLISTED

    reg.promote(waiting, force=True)
    db.session.commit()
    assert states(event) == [CONFIRMED, CONFIRMED]
    assert reg.seats_left(event) == 0


def test_only_a_waitlisted_registration_can_be_promoted(make_event, make_user):
    event = make_event(capacity=3)
    confirmed = reg.register(event, user=make_user())
    db.session.commit()

    with pytest.raises(reg.NotWaitlisted):
        reg.promote(confirmed)


def test_registering_again_after_cancelling_reuses_the_row_at_the_back_of_the_queue(
    make_event, make_user
):
    event = make_event(capacity=1)
    user = make_user()
    first = reg.register(event, user=user)
    db.session.commit()
    other = reg.register(event, user=make_user())
    db.session.commit()
    reg.cancel(first)
    db.session.commit()
    assert other.state == CONFIRMED

    again = reg.register(event, user=user)
    db.session.commit()

    assert again.id == first.id
    assert again.state == WAITLISTED and again.cancelled_at is None
    assert [r.id for r in registrations(event)] == [other.id, first.id]
    assert count_registrations() == 2


# --- bad input --------------------------------------------------------------------


def test_same_email_in_another_case_is_refused(make_event, make_user):
    event = make_event(capacity=5)
    user = make_user(email="ann.peeters@example.org")
    reg.register(event, user=user)
    db.session.commit()

    with pytest.raises(reg.AlreadyRegistered) as error:
        reg.register(event, guest=guest(email="Ann.Peeters@EXAMPLE.org"))
    db.session.rollback()

    assert error.value.status == 409
    assert "al iemand ingeschreven" in message_of(error.value)
    assert count_registrations() == 1


@pytest.mark.parametrize(
    ("overrides", "reason", "words"),
    [
        ({"registration_closes_at": -1}, reg.ClosedReason.DEADLINE_PASSED, "uiterste"),
        ({"status": EventStatus.CANCELLED}, reg.ClosedReason.CANCELLED, "geannuleerd"),
        ({"starts_at": -2}, reg.ClosedReason.STARTED, "al begonnen of voorbij"),
        ({"is_registration_closed": True}, reg.ClosedReason.CLOSED_EARLY, "afgesloten"),
        ({"registration_opens_at": 2}, reg.ClosedReason.NOT_YET_OPEN, "nog niet open"),
        ({"status": EventStatus.DRAFT}, reg.ClosedReason.NOT_PUBLISHED, "niet gepubliceerd"),
    ],
)
def test_registration_is_refused_when_closed(make_event, make_user, overrides, reason, words):
    now = dt.datetime.now(dt.UTC)
    values = {}
    for key, value in overrides.items():
        values[key] = (
            now + dt.timedelta(days=value)
            if isinstance(value, int) and not (isinstance(value, bool))
            else value
        )
    if "starts_at" in values:
        values["ends_at"] = values["starts_at"] + dt.timedelta(hours=2)
    event = make_event(capacity=5, **values)

    assert not reg.registration_open(event)
    assert reg.closed_reason(event) == reason
    with pytest.raises(reg.RegistrationClosed) as error:
        reg.register(event, user=make_user())
    db.session.rollback()

    assert error.value.status == 409
    assert words in message_of(error.value)
    assert count_registrations() == 0


def test_invite_only_activity_refuses_who_is_not_invited(make_event, make_user, make_region):
    region = make_region()
    event = make_event(region=region, visibility=Visibility.INVITE_ONLY, capacity=5)
    add(Invitation(event_id=event.id, email="Uitgenodigd@example.org"))

    with pytest.raises(reg.NotInvited) as error:
        reg.register(event, user=make_user())
    db.session.rollback()
    assert error.value.status == 403
    assert "enkel op uitnodiging" in message_of(error.value)
    assert count_registrations() == 0

    invited = reg.register(event, user=make_user(email="uitgenodigd@EXAMPLE.org"))
    coordinator = reg.register(event, user=make_user("coordinator", regions=[region]))
    db.session.commit()
    assert invited.state == CONFIRMED and coordinator.state == CONFIRMED


def _questions(event):
    event.questions = [
        EventQuestion(label="Dieetwensen", kind=QuestionKind.TEXT, position=1),
        EventQuestion(
            label="Lunch",
            kind=QuestionKind.CHOICE,
            choices=["vegetarisch", "vlees"],
            is_required=True,
            position=2,
        ),
        EventQuestion(
            label="Interesses",
            kind=QuestionKind.CHOICES,
            choices=["spijbelen", "NAFT", "ROTS"],
            position=3,
        ),
        EventQuestion(
            label="Rolstoeltoegang nodig", kind=QuestionKind.YES_NO, is_required=True, position=4
        ),
    ]
    add(event)
    return {q.label: str(q.id) for q in event.questions}


def test_answers_are_validated_and_stored_by_question(make_event, make_user):
    event = make_event(capacity=5)
    q = _questions(event)

    registration = reg.register(
        event,
        user=make_user(),
        answers={
            q["Dieetwensen"]: "  geen noten ",
            q["Lunch"]: "vegetarisch",
            q["Interesses"]: ["NAFT", "ROTS"],
            q["Rolstoeltoegang nodig"]: "nee",
        },
    )
    db.session.commit()

    assert registration.answers == {
        q["Dieetwensen"]: "geen noten",
        q["Lunch"]: "vegetarisch",
        q["Interesses"]: ["NAFT", "ROTS"],
        q["Rolstoeltoegang nodig"]: False,
    }


def test_missing_required_answer_and_unknown_choice_are_refused_per_question(make_event, make_user):
    event = make_event(capacity=5)
    q = _questions(event)

    with pytest.raises(reg.InvalidAnswers) as error:
        reg.register(event, user=make_user(), answers={q["Interesses"]: ["NAFT", "iets anders"]})
    db.session.rollback()

    assert error.value.status == 422
    assert {key: nl(text) for key, text in error.value.errors.items()} == {
        q["Lunch"]: "Beantwoord de vraag „Lunch”.",
        q["Interesses"]: "Kies bij „Interesses” alleen mogelijkheden uit de lijst.",
        q["Rolstoeltoegang nodig"]: "Beantwoord de vraag „Rolstoeltoegang nodig”.",
    }
    assert count_registrations() == 0


# --- guests -----------------------------------------------------------------------


def test_guest_place_is_pending_and_counts_until_confirmed(make_event):
    event = make_event(capacity=2)

    pending = reg.register(event, guest=guest(1, language="en"))
    db.session.commit()

    assert pending.state == PENDING and pending.language == "en"
    assert pending.pending_until - pending.created_at == dt.timedelta(hours=48)
    assert reg.seats_left(event) == 1

    confirmed = reg.confirm_guest(reg.confirmation_token(pending))
    db.session.commit()
    assert confirmed.state == CONFIRMED and confirmed.pending_until is None
    assert reg.seats_left(event) == 1


def test_guest_confirmation_after_48_hours_is_refused_and_frees_the_place(make_event, make_user):
    event = make_event(capacity=1)
    late = reg.register(event, guest=guest(1))
    db.session.commit()
    waiting = reg.register(event, user=make_user())
    db.session.commit()
    assert waiting.state == WAITLISTED
    token = reg.confirmation_token(late)

    with pytest.raises(reg.ConfirmationExpired) as error:
        reg.confirm_guest(token, now=late.created_at + dt.timedelta(hours=48, minutes=1))
    db.session.commit()

    assert error.value.status == 410
    assert "verlopen" in message_of(error.value)
    assert late.state == CANCELLED
    assert error.value.promoted == [waiting] and waiting.state == CONFIRMED


def test_expired_guest_hold_no_longer_counts_against_the_capacity(make_event, make_user):
    event = make_event(capacity=1)
    start = dt.datetime.now(dt.UTC)
    reg.register(event, guest=guest(1), now=start)
    db.session.commit()
    later = start + dt.timedelta(hours=49)

    assert reg.seats_left(event, later) == 1
    member = reg.register(event, user=make_user(), now=later)
    db.session.commit()

    assert member.state == CONFIRMED
    assert states(event) == [CANCELLED, CONFIRMED]


def test_guest_on_a_full_activity_waits_and_must_confirm_too(make_event, make_user):
    event = make_event(capacity=1)
    first = reg.register(event, user=make_user())
    waiting_guest = reg.register(event, guest=guest(2))
    db.session.commit()
    assert waiting_guest.state == WAITLISTED and waiting_guest.pending_until is not None

    reg.cancel(first)
    db.session.commit()
    assert waiting_guest.state == PENDING, "a guest who never confirmed gets a held place"

    reg.confirm_guest(reg.confirmation_token(waiting_guest))
    db.session.commit()
    assert waiting_guest.state == CONFIRMED


def test_forged_and_stale_links_are_refused(make_event, make_user):
    event = make_event(capacity=3)
    registration = reg.register(event, user=make_user())
    db.session.commit()
    token = reg.cancel_token(registration)

    with pytest.raises(reg.LinkInvalid) as forged:
        reg.registration_from_token(reg.CANCEL_PURPOSE, token[:-3] + "abc")
    assert forged.value.status == 404
    with pytest.raises(reg.LinkInvalid):
        reg.registration_from_token(reg.CONFIRM_PURPOSE, token)  # made for another purpose

    reg.cancel(registration)
    db.session.commit()
    reg.register(event, user=registration.user)
    db.session.commit()
    with pytest.raises(reg.LinkExpired) as stale:
        reg.registration_from_token(reg.CANCEL_PURPOSE, token)
    assert stale.value.status == 410


def test_cancelling_after_the_start_is_refused(make_event, make_user):
    event = make_event(capacity=3)
    registration = reg.register(event, user=make_user())
    db.session.commit()

    with pytest.raises(reg.CancellationClosed) as error:
        reg.cancel(registration, now=event.starts_at + dt.timedelta(minutes=5))
    db.session.rollback()

    assert error.value.status == 410
    assert registration.state == CONFIRMED


# --- colleagues -----------------------------------------------------------------


def test_colleague_registers_others_of_the_same_organisation(make_event, make_user):
    organisation = add(Organisation(name="Basisschool De Brug", sector=Sector.EDUCATION))
    colleague = make_user(organisation_id=organisation.id)
    event = make_event(capacity=2)

    group = reg.register_group(
        event,
        registered_by=colleague,
        include_self=True,
        guests=[guest("a", organisation_name="iets anders"), guest("b")],
    )
    db.session.commit()

    assert [r.state for r in group] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert all(r.pending_until is None for r in group), "no confirmation by mail needed"
    assert group[1].registered_by_id == colleague.id
    assert {r.organisation_name for r in group[1:]} == {"Basisschool De Brug"}


def test_colleague_without_organisation_cannot_register_others(make_event, make_user):
    event = make_event(capacity=5)

    with pytest.raises(reg.NotSameOrganisation):
        reg.register_group(event, registered_by=make_user(), guests=[guest(1)])
    db.session.rollback()

    assert count_registrations() == 0


def test_group_with_the_same_person_twice_is_refused_whole(make_event, make_user):
    organisation = add(Organisation(name="CLB Brugge", sector=Sector.EDUCATION))
    colleague = make_user(organisation_id=organisation.id)
    event = make_event(capacity=5)

    with pytest.raises(reg.AlreadyRegistered):
        reg.register_group(
            event, registered_by=colleague, guests=[guest("x"), guest("x", name="Nog eens")]
        )
    db.session.rollback()

    assert count_registrations() == 0


# --- workshops ----------------------------------------------------------------------


def _workshops(event, capacity_a=1, capacity_b=None):
    start = event.starts_at
    a = ProgrammeItem(
        title="Workshop spijbelen",
        kind=ProgrammeItemKind.WORKSHOP,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        capacity=capacity_a,
    )
    b = ProgrammeItem(
        title="Workshop NAFT",
        kind=ProgrammeItemKind.WORKSHOP,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        capacity=capacity_b,
    )
    c = ProgrammeItem(
        title="Workshop ROTS",
        kind=ProgrammeItemKind.WORKSHOP,
        starts_at=start + dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=2),
        capacity=5,
    )
    event.programme = [a, b, c]
    add(event)
    return a, b, c


def _choice_states(registration) -> dict[str, str]:
    db.session.expire_all()
    return {c.programme_item.title: c.state for c in registration.workshop_choices}


def test_full_workshop_puts_the_choice_on_its_own_waiting_list(make_event, make_user):
    event = make_event(capacity=10)
    a, b, c = _workshops(event, capacity_a=1)
    first = reg.register(event, user=make_user(), workshop_ids=[a.id, c.id])
    second = reg.register(event, user=make_user(), workshop_ids=[a.id])
    db.session.commit()

    assert first.state == CONFIRMED and second.state == CONFIRMED
    assert _choice_states(first) == {"Workshop spijbelen": CONFIRMED, "Workshop ROTS": CONFIRMED}
    assert _choice_states(second) == {"Workshop spijbelen": WAITLISTED}
    assert reg.workshop_seats_taken(event) == {a.id: 1, c.id: 1}

    reg.cancel(first)
    db.session.commit()
    assert _choice_states(second) == {"Workshop spijbelen": CONFIRMED}


def test_choosing_two_parallel_workshops_or_a_foreign_item_is_refused(make_event, make_user):
    event = make_event(capacity=10)
    a, b, _ = _workshops(event)
    other = make_event()
    (foreign, *_) = _workshops(other)

    with pytest.raises(reg.InvalidAnswers) as parallel:
        reg.register(event, user=make_user(), workshop_ids=[a.id, b.id])
    db.session.rollback()
    assert "lopen tegelijk" in nl(parallel.value.errors["workshops"])

    with pytest.raises(reg.InvalidAnswers) as wrong:
        reg.register(event, user=make_user(), workshop_ids=[foreign.id])
    db.session.rollback()
    assert nl(wrong.value.errors["workshops"]) == "Deze workshop hoort niet bij deze activiteit."
    assert count_registrations() == 0
    assert db.session.scalar(select(func.count()).select_from(WorkshopChoice)) == 0


def test_waitlisted_registration_gets_its_workshop_place_when_promoted(make_event, make_user):
    event = make_event(capacity=1)
    a, _, _ = _workshops(event, capacity_a=5)
    first = reg.register(event, user=make_user())
    waiting = reg.register(event, user=make_user(), workshop_ids=[a.id])
    db.session.commit()
    assert _choice_states(waiting) == {"Workshop spijbelen": WAITLISTED}

    reg.cancel(first)
    db.session.commit()

    assert _choice_states(waiting) == {"Workshop spijbelen": CONFIRMED}
