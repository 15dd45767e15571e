"""SEQUENCE in a personal feed moves only when the activity changes for that person (issue 13).

RFC 5545 3.8.7.4: SEQUENCE only grows; a client re-alerts when it does. Other
people's registrations must not move it, the person's own place and the activity's
revision must.
"""

from __future__ import annotations

from dataclasses import replace

import icalendar
from sqlalchemy import select

from community.core.extensions import db
from events.calendar.ical import event_uid
from events.models import Event, Registration
from events.organising import EventDetails, update_event
from events.registration import cancel, register
from tests.pages_helpers import days

WEST = {"regio": "west-vlaanderen"}


def _vevent(client, user, event: Event, query=None) -> icalendar.Event:
    response = client.get(f"/agenda/persoonlijk/{user.feed_token}.ics", query_string=query)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(v["UID"]): v for v in calendar.walk("VEVENT")}[event_uid(event)]


def _registration_of(user, event) -> Registration:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def test_other_people_registering_changes_neither_sequence_nor_the_feed(
    client, make_user, make_event
):
    ann = make_user()
    event = make_event(capacity=2)
    register(event, user=ann)
    db.session.commit()
    url = f"/agenda/persoonlijk/{ann.feed_token}.ics"
    before = client.get(url)

    others = [make_user() for _ in range(3)]
    registrations = [register(event, user=other) for other in others]  # two on the list
    db.session.commit()
    cancel(registrations[0])  # a place frees: the first waiting one is promoted
    db.session.commit()
    after = client.get(url)

    assert after.data == before.data
    assert after.headers["ETag"] == before.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304


def test_sequence_grows_at_each_change_of_the_persons_own_place_and_never_goes_down(
    client, make_user, make_event, make_region
):
    west = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    ann, bert = make_user(), make_user()
    event = make_event(capacity=1, region=west, title="Netwerkmoment")
    register(event, user=bert)
    db.session.commit()
    seen = [_vevent(client, ann, event, WEST)]  # followed, not registered

    register(event, user=ann)  # on the waiting list
    db.session.commit()
    seen.append(_vevent(client, ann, event, WEST))
    cancel(_registration_of(bert, event))  # ann is promoted
    db.session.commit()
    seen.append(_vevent(client, ann, event, WEST))
    cancel(_registration_of(ann, event))
    db.session.commit()
    seen.append(_vevent(client, ann, event, WEST))
    register(event, user=ann)  # again, reusing the row
    db.session.commit()
    seen.append(_vevent(client, ann, event, WEST))

    assert [(str(v["SUMMARY"]), str(v["STATUS"])) for v in seen] == [
        ("Netwerkmoment", "CONFIRMED"),
        ("[wachtlijst] Netwerkmoment", "TENTATIVE"),
        ("Netwerkmoment", "CONFIRMED"),
        ("Netwerkmoment", "CONFIRMED"),  # cancelled, but in a region ann follows
        ("Netwerkmoment", "CONFIRMED"),
    ]
    sequences = [int(v["SEQUENCE"]) for v in seen]
    assert sequences == sorted(set(sequences)), f"not strictly growing: {sequences}"


def test_sequence_grows_when_the_activity_moves_and_stays_when_someone_else_cancels(
    client, make_user, make_event
):
    ann, bert = make_user(), make_user()
    event = make_event(capacity=10)
    register(event, user=ann)
    register(event, user=bert)
    db.session.commit()
    registered = int(_vevent(client, ann, event)["SEQUENCE"])

    cancel(_registration_of(bert, event))
    db.session.commit()
    after_bert = int(_vevent(client, ann, event)["SEQUENCE"])
    details = EventDetails.of(event)
    moved = replace(
        details, starts_at=details.starts_at + days(1), ends_at=details.ends_at + days(1)
    )
    update_event(event, moved)
    db.session.commit()
    after_move = int(_vevent(client, ann, event)["SEQUENCE"])

    assert after_bert == registered
    assert after_move == registered + 1


def test_a_cancelled_place_that_left_the_feed_keeps_counting_for_a_followed_activity(
    client, make_user, make_event, make_region
):
    """The counter also sums registrations the feed no longer shows, so it never goes back."""
    west = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    ann = make_user()
    event = make_event(capacity=10, region=west)
    register(event, user=ann)
    db.session.commit()
    cancel(_registration_of(ann, event))
    db.session.commit()
    cancelled = int(_vevent(client, ann, event, WEST)["SEQUENCE"])

    own = _registration_of(ann, event)
    own.cancelled_at = own.cancelled_at - days(120)  # longer ago than the feed keeps it
    db.session.commit()
    later = _vevent(client, ann, event, WEST)

    assert not str(later["SUMMARY"]).startswith("[afgemeld]")
    assert int(later["SEQUENCE"]) >= cancelled
