"""Watching, notifications in the site and by mail, digests, mentions and one-click unsubscribe."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from community.core.extensions import db
from forums.models import Category, ForumPreference, MailMode, Notification, Subscription
from forums.posting import mention_handle
from forums.subscriptions import subscribe
from tests.conftest import links_in
from tests.forums.conftest import reply_url, sign_in, thread_url
from tests.pages_helpers import add


def _reply(client, thread, user, body="Een nieuw antwoord."):
    sign_in(client, user)
    response = client.post_form(reply_url(thread), {"body": body})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def _unsubscribe_link(message) -> str:
    return next(link for link in links_in(message) if "/forum/uitschrijven/" in link)


def test_watcher_gets_a_mail_at_once_with_list_unsubscribe_headers(
    client, mailbox, make_forum, make_thread, make_user
):
    watcher = make_user(display_name="Els Maes")
    thread = make_thread(make_forum(), title="NAFT vroeger inzetten")
    subscribe(watcher, thread=thread)
    db.session.commit()

    _reply(client, thread, make_user(display_name="Bart Janssens"), "Wij doen dat zo.")

    assert len(mailbox) == 1
    message = mailbox[0]
    assert message["X-Envelope-To"] == watcher.email
    assert message["Subject"].strip() == "Nieuw bericht in „NAFT vroeger inzetten”"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Bart Janssens schreef een nieuw bericht" in body and "Wij doen dat zo." in body
    link = _unsubscribe_link(message)
    assert message["List-Unsubscribe"].strip() == f"<{link}>"
    assert message["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
    assert re.search(r"http://bruggen\.test/forum/bericht/\d+", body)


def test_author_is_not_notified_of_their_own_post_but_watches_the_thread(
    client, mailbox, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())
    replier = make_user()

    _reply(client, thread, replier)
    _reply(client, thread, make_user())

    assert [m["X-Envelope-To"] for m in mailbox] == [replier.email]
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_category_and_forum_watchers_are_notified_once(
    client, mailbox, make_forum, make_thread, make_user
):
    forum = make_forum()
    category = add(Category(forum=forum, name="Signalen", slug="signalen"))
    thread = make_thread(forum, category=category)
    by_category, by_forum, by_both = make_user(), make_user(), make_user()
    subscribe(by_category, category=category)
    subscribe(by_forum, forum=forum)
    subscribe(by_both, forum=forum)
    subscribe(by_both, category=category)
    db.session.commit()

    _reply(client, thread, make_user())

    assert sorted(m["X-Envelope-To"] for m in mailbox) == sorted(
        [by_category.email, by_forum.email, by_both.email]
    )


def test_in_site_notifications_show_a_count_in_the_nav_and_clear_when_read(
    client, make_forum, make_thread, make_user
):
    watcher = make_user()
    thread = make_thread(make_forum(), title="Vast aanspreekpunt")
    subscribe(watcher, thread=thread)
    add(ForumPreference(user_id=watcher.id, mail_mode=MailMode.NONE))
    _reply(client, thread, make_user(display_name="Bart Janssens"))

    sign_in(client, watcher)
    home = client.get("/").get_data(as_text=True)
    page = client.get("/forum/meldingen").get_data(as_text=True)

    assert re.search(r'Meldingen <span class="badge badge-count"[^>]*>1</span>', home)
    assert "Nieuw bericht van Bart Janssens in „Vast aanspreekpunt”" in page
    client.get(thread_url(thread))
    assert "badge-count" not in client.get("/").get_data(as_text=True)


def test_mentioned_member_is_notified_in_site_and_by_mail(
    client, mailbox, make_forum, make_thread, make_user
):
    mentioned = make_user(display_name="An Vermeulen")
    thread = make_thread(make_forum(), title="Overgang naar het secundair")
    assert mention_handle(mentioned) == "an.vermeulen"

    _reply(client, thread, make_user(display_name="Jan"), "Wat denk jij, @An.Vermeulen?")

    notice = db.session.scalar(select(Notification).where(Notification.user_id == mentioned.id))
    assert notice.kind == "mention"
    assert [m["X-Envelope-To"] for m in mailbox] == [mentioned.email]
    assert mailbox[0]["Subject"].strip() == "Jan noemde je in „Overgang naar het secundair”"
    assert mailbox[0]["List-Unsubscribe"]


def test_unknown_mention_and_a_members_forum_for_outsiders_notify_nobody(
    client, mailbox, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())

    _reply(client, thread, make_user(), "Groeten aan @niemand.bekend")

    assert mailbox == []


def test_unsubscribe_link_works_without_login_get_confirms_post_unsubscribes(
    client, mailbox, make_forum, make_thread, make_user
):
    watcher = make_user()
    thread = make_thread(make_forum(), title="Terugkeer naar school")
    subscribe(watcher, thread=thread)
    db.session.commit()
    _reply(client, thread, make_user())
    link = _unsubscribe_link(mailbox[0]).replace("http://bruggen.test", "")
    client.post_form("/afmelden")

    confirm = client.get(link)

    assert confirm.status_code == 200
    assert "Wil je geen mail meer over het gesprek „Terugkeer naar school”?" in confirm.get_data(
        as_text=True
    )
    assert (
        db.session.scalar(
            select(func.count(Subscription.id)).where(Subscription.user_id == watcher.id)
        )
        == 1
    )
    done = client.post(link)  # no CSRF token, no session: a mail client's one-click POST
    assert done.status_code == 200
    assert "Je bent uitgeschreven." in done.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count(Subscription.id)).where(Subscription.user_id == watcher.id)
        )
        == 0
    )
    assert "al uitgeschreven" in client.get(link).get_data(as_text=True)


def test_rfc8058_one_click_post_body_unsubscribes(
    client, mailbox, make_forum, make_thread, make_user
):
    watcher = make_user()
    thread = make_thread(make_forum())
    subscribe(watcher, thread=thread)
    db.session.commit()
    _reply(client, thread, make_user())
    link = _unsubscribe_link(mailbox[0]).replace("http://bruggen.test", "")

    response = client.post(link, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert (
        db.session.scalar(
            select(func.count(Subscription.id)).where(Subscription.user_id == watcher.id)
        )
        == 0
    )


def test_forged_or_damaged_unsubscribe_link_is_refused(client):
    response = client.get("/forum/uitschrijven/niet-geldig")

    assert response.status_code == 404
    assert "Deze link is niet geldig." in response.get_data(as_text=True)
    assert client.post("/forum/uitschrijven/niet-geldig").status_code == 404


def test_daily_digest_bundles_posts_and_its_link_stops_all_forum_mail(
    client, runner, mailbox, make_forum, make_thread, make_user
):
    reader = make_user()
    add(ForumPreference(user_id=reader.id, mail_mode=MailMode.DIGEST))
    first = make_thread(make_forum(), title="Eerste gesprek")
    second = make_thread(make_forum(), title="Tweede gesprek")
    subscribe(reader, thread=first)
    subscribe(reader, thread=second)
    db.session.commit()
    _reply(client, first, make_user(), "Antwoord een.")
    _reply(client, second, make_user(), "Antwoord twee.")
    assert mailbox == []

    result = runner.invoke(args=["send-forum-digest"])

    assert result.exit_code == 0, result.output
    assert "1 in de wachtrij, 1 verstuurd" in result.output
    assert len(mailbox) == 1 and mailbox[0]["X-Envelope-To"] == reader.email
    body = mailbox[0].get_body(preferencelist=("plain",)).get_content()
    assert "Eerste gesprek" in body and "Antwoord twee." in body
    assert mailbox[0]["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
    assert "0 in de wachtrij" in runner.invoke(args=["send-forum-digest"]).output

    link = _unsubscribe_link(mailbox[0]).replace("http://bruggen.test", "")
    assert client.post(link).status_code == 200
    db.session.expire_all()
    assert db.session.get(ForumPreference, reader.id).mail_mode == MailMode.NONE


def test_member_chooses_the_mail_preference(client, make_user):
    member = make_user()
    sign_in(client, member)

    bad = client.post_form("/forum/meldingen", {"mail_mode": "elk-uur"})
    good = client.post_form("/forum/meldingen", {"mail_mode": "digest"})

    assert bad.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in bad.get_data(as_text=True)
    assert good.status_code == 303
    assert db.session.get(ForumPreference, member.id).mail_mode == MailMode.DIGEST


def test_watch_and_unwatch_a_thread_and_a_whole_forum(client, make_forum, make_thread, make_user):
    forum = make_forum()
    thread = make_thread(forum)
    member = make_user()
    sign_in(client, member)

    assert client.post_form(f"/forum/gesprek/{thread.id}/volgen").status_code == 303
    assert client.post_form(f"/forum/forum/{forum.id}/volgen").status_code == 303
    assert client.post_form(f"/forum/gesprek/{thread.id}/volgen").status_code == 303  # idempotent
    assert db.session.scalar(select(func.count(Subscription.id))) == 2
    assert "Niet meer volgen" in client.get(thread_url(thread)).get_data(as_text=True)

    assert client.post_form(f"/forum/gesprek/{thread.id}/niet-volgen").status_code == 303
    assert db.session.scalar(select(func.count(Subscription.id))) == 1
    assert client.post_form("/forum/gesprek/999/volgen").status_code == 404
