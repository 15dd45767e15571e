"""Guest registration limits: per address, per e-mail address and per activity (issue 13).

Counted for real by Flask-Limiter (memory storage per test app; Redis in production).
"""

from __future__ import annotations

from sqlalchemy import func, select

from community.core.extensions import db
from events.models import Registration
from tests.pages_helpers import sign_in


def _address(n: int) -> dict:
    return {"REMOTE_ADDR": f"10.1.{n // 250}.{n % 250 + 1}"}


SCHOOL = {"REMOTE_ADDR": "10.0.0.1"}


def _register(client, event, email, address=SCHOOL, **fields):
    data = {
        "guest_name": "Gast",
        "guest_email": email,
        "guest_organisation": "Basisschool De Brug",
        "guest_sector": "onderwijs",
        "guest_job_title": "zorgcoördinator",
        **fields,
    }
    return client.post_form(f"/activiteiten/{event.slug}/inschrijven", data, environ_base=address)


def _registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_twenty_colleagues_behind_one_school_address_can_register_in_one_minute(client, make_event):
    event = make_event(capacity=100)

    statuses = [
        _register(client, event, f"leraar{n}@school.example").status_code for n in range(20)
    ]
    refused = _register(client, event, "leraar20@school.example")

    assert statuses == [302] * 20
    assert refused.status_code == 429
    assert "te veel gastinschrijvingen" in refused.text
    assert _registrations() == 20


def test_one_email_address_gets_at_most_ten_registrations_an_hour_from_any_address(
    client, make_event
):
    events = [make_event(capacity=10) for _ in range(12)]

    statuses = [
        _register(client, events[n], "Ann@Example.org", _address(n)).status_code for n in range(10)
    ]
    refused = _register(client, events[10], "ann@example.org", _address(10))
    someone_else = _register(client, events[10], "bert@example.org", _address(10))

    assert statuses == [302] * 10
    assert refused.status_code == 429
    assert "Met dit e-mailadres werden het voorbije uur te veel inschrijvingen" in refused.text
    assert someone_else.status_code == 302
    assert _registrations() == 11


def test_form_errors_and_refusals_do_not_count_against_the_email_address(client, make_event):
    event, other = make_event(capacity=10), make_event(capacity=10)

    corrections = [
        _register(client, event, "ann@example.org", _address(n), guest_name="").status_code
        for n in range(12)
    ]
    registered = _register(client, event, "ann@example.org", _address(12))
    again = [
        _register(client, event, "ann@example.org", _address(13 + n)).status_code for n in range(12)
    ]
    elsewhere = _register(client, other, "ann@example.org", _address(30))

    assert corrections == [422] * 12
    assert registered.status_code == 302
    assert again == [409] * 12  # already registered, not a 429
    assert elsewhere.status_code == 302
    assert _registrations() == 2


def test_an_activity_takes_at_most_thirty_guest_registrations_a_minute_from_many_addresses(
    client, make_event, make_user
):
    event, other = make_event(capacity=100), make_event(capacity=100)

    statuses = [
        _register(client, event, f"gast{n}@example.org", _address(n)).status_code for n in range(30)
    ]
    refused = _register(client, event, "gast30@example.org", _address(30))
    other_activity = _register(client, other, "gast30@example.org", _address(30))
    sign_in(client, make_user())
    member = client.post_form(f"/activiteiten/{event.slug}/inschrijven", {})

    assert statuses == [302] * 30
    assert refused.status_code == 429
    assert "Voor deze activiteit komen net heel veel gastinschrijvingen binnen" in refused.text
    assert other_activity.status_code == 302
    assert member.status_code == 302  # members are not limited
    assert _registrations() == 32
