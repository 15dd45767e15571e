"""Privacy rights (GDPR): export of a member's data, account deletion, the guest purge."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from community.accounts.auth import WrongPassword
from community.accounts.models import Organisation, Sector, User
from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.core.mail.outbox import deliver_outbox
from community.gdpr import rights as privacy
from community.library.models import Material, MaterialType
from events import registration as seats
from events.models import Registration, RegistrationState
from forums.models import Forum, Notification, Post, Subscription, Thread, ThreadRead
from tests.conftest import PASSWORD
from tests.pages_helpers import add, sign_in

CONFIRMED, WAITLISTED = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED
CANCELLED, PENDING = RegistrationState.CANCELLED, RegistrationState.PENDING


@pytest.fixture
def member(make_user, make_region, make_theme):
    region = make_region(name="Limburg")
    organisation = add(Organisation(name="CLB Hasselt", sector=Sector.EDUCATION, region=region))
    return make_user(
        email="Ann.Peeters@example.org",
        display_name="Ann Peeters",
        region=region,
        organisation=organisation,
        sector=Sector.EDUCATION,
        job_title="leerlingenbegeleider",
        themes=[make_theme(2)],
    )


@pytest.fixture
def discussion(member, make_user):
    """A thread with a post by ``member``, a reply by someone else, a notice and a subscription."""
    other = make_user(display_name="Bert")
    forum = add(Forum(slug="thema-2", name="Thema 2", position=1))
    thread = Thread(
        forum=forum, title="Spijbelen na de paasvakantie", slug="spijbelen", author=member
    )
    post = Post(
        thread=thread,
        author=member,
        body="Wie heeft ervaring?",
        body_html="<p>Wie heeft ervaring?</p>",
    )
    reply = Post(thread=thread, author=other, body="Ik!", body_html="<p>Ik!</p>")
    add(thread, post, reply)
    add(
        Subscription(user=member, thread=thread),
        Notification(user=member, post=reply, thread=thread, kind="reply"),
        ThreadRead(user_id=member.id, thread_id=thread.id, last_read_post_id=post.id),
    )
    return thread


def _registrations(event) -> list[Registration]:
    db.session.expire_all()
    return db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()


# --- export -----------------------------------------------------------------------------


def test_member_downloads_all_their_data_as_a_json_attachment(
    client, member, discussion, make_event
):
    event = make_event(title="Inspiratiedag Limburg", capacity=10)
    seats.register(event, user=member, answers={}, is_listed=True)
    add(
        Material(
            slug="visietekst",
            title="Visietekst spijbelen",
            type=MaterialType.VISION,
            uploader=member,
            url="https://example.org/visie",
        )
    )
    sign_in(client, member)

    response = client.get("/account/gegevens.json")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    data = json.loads(response.data)
    assert data["profile"]["email"] == "Ann.Peeters@example.org"
    assert data["profile"]["display_name"] == "Ann Peeters"
    assert data["profile"]["organisation"] == "CLB Hasselt"
    assert data["profile"]["job_title"] == "leerlingenbegeleider"
    assert data["profile"]["themes"] == ["Thema 2"]
    [registration] = data["registrations"]
    assert registration["event"] == "Inspiratiedag Limburg"
    assert registration["state"] == "confirmed" and registration["is_listed"] is True
    assert [p["body"] for p in data["forums"]["posts"]] == ["Wie heeft ervaring?"]
    assert [t["title"] for t in data["forums"]["threads"]] == ["Spijbelen na de paasvakantie"]
    assert data["forums"]["subscriptions"][0] == {
        "kind": "thread",
        "name": "Spijbelen na de paasvakantie",
        "created_at": data["forums"]["subscriptions"][0]["created_at"],
    }
    assert [n["kind"] for n in data["forums"]["notifications"]] == ["reply"]
    assert [m["title"] for m in data["materials"]] == ["Visietekst spijbelen"]
    assert "Bert" not in response.text  # someone else's data is not in it


def test_export_and_delete_pages_need_a_signed_in_member(client):
    for path in ("/account/gegevens.json", "/account/verwijderen"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/aanmelden")


def test_account_page_links_to_export_deletion_and_privacy(client, member):
    sign_in(client, member)

    page = client.get("/account").text

    assert 'href="/account/gegevens.json"' in page
    assert 'href="/account/verwijderen"' in page
    assert 'href="/privacy"' in page


# --- deletion ---------------------------------------------------------------------------


def test_deleting_the_account_wipes_the_profile_and_keeps_posts_readable(
    client, member, discussion, make_user
):
    sign_in(client, member)
    user_id = member.id

    page = client.get("/account/verwijderen")
    response = client.post_form("/account/verwijderen", {"password": PASSWORD})

    assert page.status_code == 200 and "Dit kan niet ongedaan gemaakt worden" in page.text
    assert response.status_code == 302
    assert "Je account en je persoonsgegevens zijn verwijderd" in client.get("/").text
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.email == f"verwijderd-lid-{user_id}" and "@" not in user.email
    assert user.display_name == "verwijderd lid"
    assert user.organisation is None and user.region is None and user.sector is None
    assert user.job_title == "" and user.themes == []
    assert not user.check_password(PASSWORD)
    assert user.is_active is False
    assert privacy.is_deleted(user)
    for model in (Subscription, Notification, ThreadRead):
        count = select(func.count()).select_from(model).where(model.user_id == user_id)
        assert db.session.scalar(count) == 0, model.__name__
    # The discussion stays readable without the person.
    sign_in(client, make_user())
    thread = client.get(f"/forum/thema-2/{discussion.id}").text
    assert "Wie heeft ervaring?" in thread
    assert "verwijderd lid" in thread
    assert "Ann Peeters" not in thread


def test_a_deleted_account_can_no_longer_sign_in_and_its_session_ended(
    app, client, member, login, sign_in_as
):
    sign_in_as(member)
    cookie = client.get_cookie("session").value
    client.post_form("/account/verwijderen", {"password": PASSWORD})

    again = login(member)
    by_new_address = client.post_form(
        "/aanmelden", {"email": f"verwijderd-lid-{member.id}", "password": PASSWORD}
    )
    replay = app.test_client()
    replay.set_cookie("session", cookie)  # the cookie of the session before deletion

    assert again.status_code == 401
    assert "E-mailadres of wachtwoord klopt niet." in again.text
    assert by_new_address.status_code == 401
    assert replay.get("/account").status_code == 302


def test_deleting_frees_the_place_and_the_next_on_the_waiting_list_is_promoted_and_mailed(
    client, member, make_user, make_event, mailbox
):
    event = make_event(title="Vorming leerrecht", capacity=1)
    seats.register(event, user=member)
    waiting = make_user(email="wachtende@example.org")
    seats.register(event, user=waiting)
    db.session.commit()
    sign_in(client, member)

    client.post_form("/account/verwijderen", {"password": PASSWORD})

    mine, theirs = _registrations(event)
    assert mine.state == CANCELLED
    assert mine.name == "verwijderd lid" and mine.email == f"verwijderd-inschrijving-{mine.id}"
    assert mine.user_id is None and mine.answers == {}
    assert theirs.state == CONFIRMED
    promoted = [m for m in mailbox if m["To"] == "wachtende@example.org"]
    assert len(promoted) == 1
    assert "Er is een plaats vrij" in promoted[0]["Subject"]
    assert not [m for m in mailbox if "Ann.Peeters" in m["To"]]


def test_past_registrations_are_anonymised_and_keep_their_state(member, make_event):
    past = make_event(starts_at=utcnow() - dt.timedelta(days=30))
    add(
        Registration(
            event=past,
            user=member,
            name=member.display_name,
            email=member.email,
            organisation_name="CLB Hasselt",
            job_title="leerlingenbegeleider",
            answers={"1": "vegetarisch"},
            state=CONFIRMED,
            attended=True,
        )
    )

    privacy.delete_account(member, PASSWORD)
    db.session.commit()

    [registration] = _registrations(past)
    assert registration.state == CONFIRMED and registration.attended is True
    assert registration.name == "verwijderd lid"
    assert registration.organisation_name == "" and registration.job_title == ""
    assert registration.answers == {}


def test_a_guest_registration_with_the_members_address_is_cancelled_too(member, make_event):
    event = make_event(capacity=5)
    guest = seats.GuestDetails(name="Ann", email="ann.peeters@EXAMPLE.org")
    seats.register(event, guest=guest)
    db.session.commit()

    privacy.delete_account(member, PASSWORD)
    db.session.commit()

    [registration] = _registrations(event)
    assert registration.state == CANCELLED
    assert registration.email.startswith("verwijderd-inschrijving-")


def test_mails_to_the_member_are_removed_from_the_outbox(member, mailbox):
    from community.core.mail.outbox import queue_mail

    queue_mail(member.email, "Test", "verify", user=member, link="http://bruggen.test/x")
    db.session.commit()
    deliver_outbox()

    privacy.delete_account(member, PASSWORD)
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_wrong_password_deletes_nothing(client, member):
    sign_in(client, member)

    response = client.post_form("/account/verwijderen", {"password": "niet-het-wachtwoord"})
    empty = client.post_form("/account/verwijderen", {"password": ""})

    assert response.status_code == 422
    assert "Dit wachtwoord klopt niet. Je account is niet verwijderd." in response.text
    assert empty.status_code == 422
    assert "Vul je wachtwoord in om te bevestigen." in empty.text
    db.session.expire_all()
    user = db.session.get(User, member.id)
    assert user.email == "Ann.Peeters@example.org" and user.is_active
    assert client.get("/account").status_code == 200  # still signed in


def test_delete_account_checks_the_password_without_a_request(member):
    with pytest.raises(WrongPassword):
        privacy.delete_account(member, "fout-wachtwoord")
    assert member.display_name == "Ann Peeters"


# --- purge ------------------------------------------------------------------------------


def _guest_registration(event, email: str) -> Registration:
    return add(
        Registration(
            event=event,
            name="Gast",
            email=email,
            organisation_name="School",
            answers={"1": "ja"},
            state=CONFIRMED,
        )
    )


def test_flask_purge_anonymises_guest_registrations_after_the_retention_period(
    app, runner, make_event, make_user
):
    now = utcnow()
    old = make_event(starts_at=now - dt.timedelta(days=400))
    recent = make_event(starts_at=now - dt.timedelta(days=100))
    old_guest = _guest_registration(old, "oud@example.org")
    recent_guest = _guest_registration(recent, "recent@example.org")
    member = make_user()
    add(Registration(event=old, user=member, name="Lid", email=member.email, state=CONFIRMED))

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert "1 gastinschrijvingen geanonimiseerd" in result.output
    db.session.expire_all()
    assert old_guest.name == "verwijderd lid" and old_guest.email.startswith("verwijderd-")
    assert old_guest.organisation_name == "" and old_guest.answers == {}
    assert old_guest.state == CONFIRMED
    assert recent_guest.email == "recent@example.org"
    accounts = [r for r in _registrations(old) if r.user_id is not None]
    assert [r.email for r in accounts] == [member.email]  # members delete their own data

    app.config["GUEST_RETENTION_DAYS"] = 30
    again = runner.invoke(args=["purge"])
    assert "1 gastinschrijvingen geanonimiseerd" in again.output  # the recent one, not twice
    db.session.expire_all()
    assert recent_guest.name == "verwijderd lid"


def test_purge_removes_sent_mail_past_its_retention_and_keeps_unsent(app, make_user):
    now = utcnow()
    rows = [
        OutboxMessage(
            recipient="a@example.org",
            subject="oud",
            body_text="x",
            sent_at=now - dt.timedelta(days=100),
        ),
        OutboxMessage(
            recipient="b@example.org",
            subject="nieuw",
            body_text="x",
            sent_at=now - dt.timedelta(days=10),
        ),
        OutboxMessage(recipient="c@example.org", subject="wacht", body_text="x"),
    ]
    add(*rows)

    counts = privacy.purge(now, app.config)
    db.session.commit()

    assert counts["sent_mail"] == 1
    left = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert left == ["nieuw", "wacht"]


def test_purge_refuses_a_naive_time(app):
    with pytest.raises(ValueError):
        privacy.purge(dt.datetime(2030, 1, 1), app.config)


# --- privacy page -----------------------------------------------------------------------


def test_privacy_page_explains_what_is_kept_why_and_how_long(app, client):
    app.config["GUEST_RETENTION_DAYS"] = 200

    page = client.get("/privacy")

    assert page.status_code == 200
    text = page.text
    assert "Wat we bewaren" in text
    assert "200 dagen na het einde van de activiteit" in text
    assert "verwijderd lid" in text
    assert "JSON" in text
    assert 'href="/privacy"' in client.get("/").text  # the footer links to it


def test_the_only_admin_cannot_delete_the_account(client, make_user):
    admin = make_user(role="admin")
    sign_in(client, admin)

    response = client.post_form("/account/verwijderen", {"password": PASSWORD})

    assert response.status_code == 409
    assert "Je bent de enige beheerder" in response.text
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin is True
    make_user(role="admin")
    assert client.post_form("/account/verwijderen", {"password": PASSWORD}).status_code == 302
