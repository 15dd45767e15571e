"""Registration and activity mails over real SMTP, with their .ics (issue 3 "Mail"; 001 K9, K10)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from sqlalchemy import select

from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.core.mail.outbox import deliver_outbox
from events import notifications as notify
from events import registration as reg
from events.calendar.ical import event_uid
from events.models import EventStatus, RegistrationState
from events.registration import GuestDetails
from tests.conftest import links_in

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BRUSSELS).astimezone(dt.UTC)


@pytest.fixture
def training(make_event):
    start = dt.datetime.now(BRUSSELS).replace(hour=9, minute=30, second=0, microsecond=0)
    start += dt.timedelta(days=20)
    return make_event(
        title="Vorming coöperatie & financiën",
        starts_at=start.astimezone(dt.UTC),
        ends_at=(start + dt.timedelta(hours=3)).astimezone(dt.UTC),
        venue_name="Zaal 2, Gebouw B; Brussel",
        venue_address="Kunstlaan 1, 1000 Brussel",
        capacity=1,
    )


def subject(message) -> str:
    """The subject as a mail client shows it (Flask-Mailman folds long encoded subjects
    after "Subject:", which Python's parser reads with a leading space)."""
    return message["Subject"].strip()


def send() -> None:
    db.session.commit()
    assert deliver_outbox()[1] == 0


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def raw_content_type(part) -> str:
    """The Content-Type header exactly as received (unfolded), not re-rendered by the parser."""
    return " ".join(dict(part.raw_items())["Content-Type"].split())


def parsed_calendar(part) -> tuple[bytes, icalendar.Calendar]:
    data = part.get_payload(decode=True)
    return data, icalendar.Calendar.from_ical(data)


def test_confirmation_mail_states_the_facts_and_carries_the_ics(training, make_user, mailbox):
    user = make_user(email="ann@example.org", display_name="Ann")
    registration = reg.register(training, user=user)
    notify.notify_registered(registration)
    send()

    (message,) = mailbox
    assert message["To"] == "ann@example.org"
    assert subject(message) == "Inschrijving bevestigd: Vorming coöperatie & financiën"
    body = text_of(message)
    assert "Dag Ann," in body
    assert "Vorming coöperatie & financiën" in body and "&amp;" not in body
    start = training.starts_at.astimezone(BRUSSELS)
    assert f"{start.day} " in body and "09:30 – 12:30" in body
    assert "Zaal 2, Gebouw B; Brussel, Kunstlaan 1, 1000 Brussel" in body
    assert any("/inschrijving/annuleren/" in link for link in links_in(message))

    part = calendar_part(message)
    assert raw_content_type(part) == "text/calendar; charset=utf-8; method=PUBLISH"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == f"{training.slug}.ics"
    data, calendar = parsed_calendar(part)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert "coöperatie & financiën".encode() in data
    assert calendar["METHOD"] == "PUBLISH" == part.get_param("method")
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(training)
    assert vevent["DTSTART"].dt.astimezone(dt.UTC) == training.starts_at
    assert vobject.readOne(data.decode()).vevent.uid.value == event_uid(training)
    method_at = data.index(b"METHOD:")
    assert method_at < data.index(b"BEGIN:VEVENT")


def test_mail_goes_out_in_the_recipients_language(training, make_user, mailbox):
    registration = reg.register(training, user=make_user(locale="en", display_name="Sam"))
    notify.notify_registered(registration)
    send()

    (message,) = mailbox
    start = training.starts_at.astimezone(BRUSSELS)
    english_day = f"{start:%A} {start.day} {start:%B} {start.year}"  # C locale names: English
    assert english_day in text_of(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="en">' in html


def test_online_link_only_in_mails_to_confirmed_participants(make_event, make_user, mailbox):
    event = make_event(is_online=True, online_url="https://meet.example.org/geheim", capacity=1)
    confirmed = reg.register(event, user=make_user())
    waiting = reg.register(event, user=make_user())
    notify.notify_registered(confirmed)
    notify.notify_registered(waiting)
    send()

    by_recipient = {m["To"]: m for m in mailbox}
    confirmed_mail, waiting_mail = by_recipient[confirmed.email], by_recipient[waiting.email]
    assert "https://meet.example.org/geheim" in text_of(confirmed_mail)
    assert b"meet.example.org/geheim" in calendar_part(confirmed_mail).get_payload(decode=True)
    assert "meet.example.org" not in waiting_mail.as_string()
    assert subject(waiting_mail).startswith("Je staat op de wachtlijst")
    assert not [p for p in waiting_mail.walk() if p.get_content_type() == "text/calendar"]


def test_guest_gets_a_confirmation_link_that_confirms_the_place(training, client, mailbox, app):
    registration = reg.register(training, guest=GuestDetails(name="Guest", email="g@example.org"))
    notify.notify_registered(registration)
    send()

    (message,) = mailbox
    assert subject(message).startswith("Bevestig je inschrijving")
    assert "48 uur" in text_of(message)
    (confirm,) = [link for link in links_in(message) if "/inschrijving/bevestigen/" in link]
    path = confirm.replace("http://bruggen.test", "")
    page = client.get(path)
    assert page.status_code == 200
    assert "Ja, bevestig mijn inschrijving" in page.text
    db.session.expire_all()
    assert registration.state == RegistrationState.PENDING, "no state change on GET"

    response = client.post_form(path)
    assert response.status_code == 200
    assert "Je inschrijving is bevestigd" in response.text
    db.session.expire_all()
    assert registration.state == RegistrationState.CONFIRMED


def test_cancel_link_in_the_mail_cancels_without_login_and_promotes_the_next(
    training, make_user, client, mailbox
):
    first = reg.register(training, user=make_user())
    second = reg.register(training, user=make_user())
    notify.notify_registered(first)
    send()
    (cancel,) = [link for link in links_in(mailbox[0]) if "/annuleren/" in link]
    path = cancel.replace("http://bruggen.test", "")

    page = client.get(path)
    assert page.status_code == 200
    db.session.expire_all()
    assert first.state == RegistrationState.CONFIRMED, "no state change on GET"

    mailbox.clear()
    response = client.post_form(path)
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert first.state == RegistrationState.CANCELLED
    assert second.state == RegistrationState.CONFIRMED
    (promoted,) = [m for m in mailbox if m["To"] == second.email]
    assert subject(promoted).startswith("Er is een plaats vrij")
    assert raw_content_type(calendar_part(promoted)).endswith("; method=PUBLISH")


def test_change_mail_carries_the_ics_with_a_higher_sequence(training, make_user, mailbox):
    confirmed = reg.register(training, user=make_user())
    waiting = reg.register(training, user=make_user())
    db.session.commit()
    training.starts_at += dt.timedelta(days=7)
    training.ends_at += dt.timedelta(days=7)
    training.revision += 1

    assert notify.notify_event_changed(training) == 2
    send()

    by_recipient = {m["To"]: m for m in mailbox}
    _, calendar = parsed_calendar(calendar_part(by_recipient[confirmed.email]))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt.astimezone(dt.UTC) == training.starts_at
    assert "gewijzigd" in text_of(by_recipient[waiting.email])


def test_cancellation_mail_keeps_uid_raises_sequence_and_says_cancelled(
    training, make_user, mailbox
):
    """Case 001 K10: confirmation, then cancellation of the same event."""
    registration = reg.register(training, user=make_user())
    notify.notify_registered(registration)
    send()
    _, first = parsed_calendar(calendar_part(mailbox[0]))
    mailbox.clear()

    training.status = EventStatus.CANCELLED
    training.revision += 1
    assert notify.notify_event_cancelled(training, "De spreker is ziek.") == 1
    send()

    (message,) = mailbox
    assert subject(message) == "Geannuleerd: Vorming coöperatie & financiën"
    assert "De spreker is ziek." in text_of(message)
    part = calendar_part(message)
    data, calendar = parsed_calendar(part)
    assert part.get_param("method") == calendar["METHOD"] == "PUBLISH"
    (before,), (after,) = first.walk("VEVENT"), calendar.walk("VEVENT")
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["STATUS"] == "CANCELLED"
    assert vobject.readOne(data.decode()).vevent.status.value == "CANCELLED"


def test_reminders_go_out_two_days_before_and_only_once(make_event, make_user, mailbox):
    now = dt.datetime.now(dt.UTC)
    soon = make_event(starts_at=now + dt.timedelta(days=10), capacity=5)
    later = make_event(starts_at=now + dt.timedelta(days=12), capacity=5)
    early = reg.register(soon, user=make_user(), now=now)
    reg.register(later, user=make_user(), now=now)
    db.session.commit()

    two_days_before = soon.starts_at - dt.timedelta(days=2) + dt.timedelta(minutes=5)
    assert notify.send_reminders(two_days_before) == 1
    send()
    assert notify.send_reminders(two_days_before + dt.timedelta(hours=1)) == 0

    (message,) = mailbox
    assert message["To"] == early.email
    assert subject(message).startswith("Herinnering:")
    assert calendar_part(message)
    assert early.reminder_sent_at is not None


def test_send_reminders_command_runs_from_cron(make_event, make_user, runner, mailbox):
    now = dt.datetime.now(dt.UTC)
    event = make_event(starts_at=now + dt.timedelta(hours=30), capacity=5)
    registration = reg.register(event, user=make_user(), now=now - dt.timedelta(days=5))
    db.session.commit()

    result = runner.invoke(args=["send-reminders"])

    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert [m["To"] for m in mailbox] == [registration.email]
    assert re.search(r"Herinnering", subject(mailbox[0]))
    assert db.session.scalar(select(OutboxMessage.sent_at)) is not None
