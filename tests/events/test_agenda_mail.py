"""The weekly "nieuw in de agenda" mail (issue 17): opt-in, confirmation, new activities once,
one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
from html import unescape

from sqlalchemy import func, select

from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox
from events import agenda_mail
from events.models import AgendaSubscription, EventType, Visibility
from tests.conftest import links_in
from tests.pages_helpers import sign_in


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def subscriptions() -> int:
    return db.session.scalar(select(func.count()).select_from(AgendaSubscription))


def path_of(link: str, start: str) -> str:
    return link[link.index(start) :]


def test_a_member_subscribes_at_once_and_gets_only_new_activities_weekly(
    client, make_user, make_event, make_region, mailbox
):
    west = make_region(slug="west-vlaanderen", name="West-Vlaanderen")
    make_event(title="Al gekende vorming", region=west, type=EventType.TRAINING)
    member = make_user(email="lies@example.org")
    sign_in(client, member)

    response = client.post_form(
        "/agenda/nieuw-per-mail", {"regio": ["west-vlaanderen"], "type": ["training"]}
    )

    assert response.status_code == 303
    (subscription,) = db.session.scalars(select(AgendaSubscription)).all()
    assert subscription.region_slugs == ["west-vlaanderen"] and subscription.types == ["training"]
    make_event(title="Nieuwe vorming West", region=west, type=EventType.TRAINING)
    make_event(title="Netwerkmoment West", region=west)
    make_event(title="Vorming elders", type=EventType.TRAINING)
    make_event(
        title="Leden-vorming", region=west, type=EventType.TRAINING, visibility=Visibility.MEMBERS
    )

    assert agenda_mail.send_agenda_mails(now()) == 1
    db.session.commit()
    assert agenda_mail.send_agenda_mails(now() + dt.timedelta(hours=1)) == 0, "once a week"
    deliver_outbox()

    (message,) = mailbox
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message["To"] == "lies@example.org"
    assert "Nieuwe vorming West" in body
    for absent in ("Al gekende vorming", "Netwerkmoment West", "Vorming elders", "Leden-vorming"):
        assert absent not in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].strip().startswith("<http")


def test_next_week_names_only_what_is_new_since(make_user, make_event):
    agenda_mail.subscribe("an@example.org", agenda_mail.AgendaChoice(), now())
    make_event(title="Eerste")
    assert agenda_mail.send_agenda_mails(now()) == 1
    db.session.commit()

    assert agenda_mail.send_agenda_mails(now() + dt.timedelta(days=7)) == 0, "nothing new"
    make_event(title="Tweede")
    subscription = agenda_mail.find_subscription("an@example.org")
    assert [e.title for e in agenda_mail.new_events(subscription, now())] == ["Tweede"]


def test_anyone_confirms_an_address_by_the_mail_link(client, make_event, mailbox):
    response = client.post_form("/agenda/nieuw-per-mail", {"email": "gast@school.be", "thema": []})

    assert response.status_code == 303
    assert subscriptions() == 0, "nothing stored before the address is confirmed"
    deliver_outbox()
    (message,) = mailbox
    link = next(link for link in links_in(message) if "/bevestigen/" in link)
    page = client.get(path_of(link, "/agenda/"))
    assert page.status_code == 200 and subscriptions() == 0, "GET changes nothing"
    client.post_form(path_of(link, "/agenda/"))
    assert agenda_mail.find_subscription("GAST@school.be") is not None


def test_one_click_unsubscribe_as_mail_clients_post_it(client, make_event, mailbox):
    subscription = agenda_mail.subscribe("an@example.org", agenda_mail.AgendaChoice(), now())
    db.session.commit()
    make_event(title="Nieuw")
    agenda_mail.send_agenda_mails(now())
    db.session.commit()
    deliver_outbox()
    link = mailbox[0]["List-Unsubscribe"].strip().strip("<>")

    response = client.post(path_of(link, "/agenda/"), data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert subscriptions() == 0
    assert subscription.id is not None
    again = client.post(path_of(link, "/agenda/"), data={"List-Unsubscribe": "One-Click"})
    assert "al uitgeschreven" in again.get_data(as_text=True)


def test_bad_choices_and_addresses_are_refused(client, make_region):
    make_region(slug="limburg", name="Limburg")

    unknown = client.post_form("/agenda/nieuw-per-mail", {"email": "a@b.be", "regio": ["atlantis"]})
    no_address = client.post_form("/agenda/nieuw-per-mail", {"email": "geen adres"})
    bad_theme = client.post_form("/agenda/nieuw-per-mail", {"email": "a@b.be", "thema": ["٣"]})

    assert unknown.status_code == 422
    assert "Kies regio's, thema's en soorten uit de lijst." in unescape(
        unknown.get_data(as_text=True)
    )
    assert no_address.status_code == 422
    assert "Vul een geldig e-mailadres in" in no_address.get_data(as_text=True)
    assert bad_theme.status_code == 422
    assert subscriptions() == 0


def test_a_forged_confirmation_link_is_refused(client):
    assert client.get("/agenda/nieuw-per-mail/bevestigen/vals").status_code == 404
    assert client.post_form("/agenda/nieuw-per-mail/bevestigen/vals").status_code == 404
    assert client.get("/agenda/nieuw-per-mail/uitschrijven/vals").status_code == 404
    assert subscriptions() == 0


def test_a_member_stops_the_mail(client, make_user):
    member = make_user()
    agenda_mail.subscribe(member.email, agenda_mail.AgendaChoice(), now(), user=member)
    db.session.commit()
    sign_in(client, member)

    assert "Pas je keuze hieronder aan" in client.get("/agenda/nieuw-per-mail").get_data(
        as_text=True
    )
    client.post_form("/agenda/nieuw-per-mail/stoppen")

    assert subscriptions() == 0


def test_the_weekly_command(runner, make_event, mailbox):
    agenda_mail.subscribe("an@example.org", agenda_mail.AgendaChoice(), now())
    db.session.commit()
    make_event(title="Nieuw")

    result = runner.invoke(args=["send-agenda-mail"])

    assert result.exit_code == 0, result.output
    assert "1 agendamails" in result.output
    assert [m["To"] for m in mailbox] == ["an@example.org"]
    assert "0 agendamails" in runner.invoke(args=["send-agenda-mail"]).output
