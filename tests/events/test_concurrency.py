"""No overbooking, ever: many registrations at once against a real database (issue 3; case 002 K1).

Each thread has its own app context, so its own SQLAlchemy session and its own
database connection, like a request in another app process. Run on SQLite and
on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from community.accounts.models import Organisation, Sector, User
from community.core.extensions import db
from events import registration as reg
from events.models import Event, Registration, RegistrationState
from events.registration import GuestDetails
from tests.pages_helpers import add

CONFIRMED, WAITLISTED = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED

# Each thread is a connection of its own: the data must be committed for real.
pytestmark = pytest.mark.real_commits


def _in_parallel(app, jobs) -> list[BaseException]:
    """Run each job (a callable) in its own thread and app context, all released at once."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                job()
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a registration hung"
    return errors


def _register_user(event_id: int, user_id: int):
    def job():
        event = db.session.get(Event, event_id)
        reg.register(event, user=db.session.get(User, user_id))

    return job


def _in_arrival_order(event_id: int) -> list[Registration]:
    db.session.expire_all()
    return db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id)
        .order_by(Registration.created_at, Registration.id)
    ).all()


def test_forty_simultaneous_registrations_for_fifteen_places(app, make_event, make_user):
    event_id = make_event(capacity=15).id
    user_ids = [make_user().id for _ in range(40)]

    errors = _in_parallel(app, [_register_user(event_id, uid) for uid in user_ids])

    assert errors == []
    rows = _in_arrival_order(event_id)
    assert len(rows) == 40
    assert [r.state for r in rows] == [CONFIRMED] * 15 + [WAITLISTED] * 25
    assert {r.user_id for r in rows} == set(user_ids)
    event = db.session.get(Event, event_id)
    assert reg.seats_taken(event) == 15 and reg.seats_left(event) == 0
    assert event.seats_version == 40, "each registration took the event's lock once"


def test_ten_simultaneous_requests_for_the_last_place(app, make_event, make_user):
    event = make_event(capacity=5)
    for _ in range(4):
        reg.register(event, user=make_user())
    db.session.commit()
    event_id = event.id
    user_ids = [make_user().id for _ in range(10)]

    errors = _in_parallel(app, [_register_user(event_id, uid) for uid in user_ids])

    assert errors == []
    late = [r for r in _in_arrival_order(event_id) if r.user_id in user_ids]
    assert [r.state for r in late] == [CONFIRMED] + [WAITLISTED] * 9


def test_group_registration_raced_by_a_single_one_never_overbooks(app, make_event, make_user):
    """Case 002 K1(a): capacity 2; A starts a registration for 2 people, B registers 1 and
    finishes first, then A finishes."""
    organisation = add(Organisation(name="Sint-Jozefscollege", sector=Sector.EDUCATION))
    colleague = make_user(organisation_id=organisation.id)
    event = make_event(capacity=2)
    event_id, single_id = event.id, make_user().id

    # Browser A opens the form: two places are free.
    assert reg.seats_left(event) == 2
    db.session.commit()  # A's request ends; nothing held

    # Browser B registers one person and finishes first, in another session.
    assert _in_parallel(app, [_register_user(event_id, single_id)]) == []

    # Browser A submits its two colleagues.
    group = reg.register_group(
        db.session.get(Event, event_id),
        registered_by=colleague,
        guests=[
            GuestDetails(name="Eva", email="eva@example.org"),
            GuestDetails(name="Mo", email="mo@example.org"),
        ],
    )
    db.session.commit()

    assert [r.state for r in group] == [CONFIRMED, WAITLISTED]
    rows = _in_arrival_order(event_id)
    assert [r.state for r in rows].count(CONFIRMED) == 2
    assert rows[0].user_id == single_id


def test_group_and_single_registrations_at_the_same_moment_never_overbook(
    app, make_event, make_user
):
    organisation = add(Organisation(name="CLB Antwerpen", sector=Sector.EDUCATION))
    colleague_ids = [make_user(organisation_id=organisation.id).id for _ in range(5)]
    event_id = make_event(capacity=2).id
    single_ids = [make_user().id for _ in range(5)]

    def group_job(colleague_id, n):
        def job():
            event = db.session.get(Event, event_id)
            reg.register_group(
                event,
                registered_by=db.session.get(User, colleague_id),
                include_self=True,
                guests=[GuestDetails(name=f"Collega {n}", email=f"collega{n}@example.org")],
            )

        return job

    jobs = [group_job(cid, n) for n, cid in enumerate(colleague_ids)]
    jobs += [_register_user(event_id, uid) for uid in single_ids]
    errors = _in_parallel(app, jobs)

    assert errors == []
    rows = _in_arrival_order(event_id)
    assert len(rows) == 15
    assert [r.state for r in rows] == [CONFIRMED] * 2 + [WAITLISTED] * 13
