"""Moderation: who moderates what, thread tools, hiding posts, reports, suspensions, the log."""

from __future__ import annotations

from sqlalchemy import select

from community.core.extensions import db
from forums.models import Category, ModerationLog, Post, Report, Suspension, Thread
from forums.permissions import can_moderate_thread, is_suspended
from tests.forums.conftest import reply_url, sign_in, thread_url
from tests.pages_helpers import add


def _first_post(thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.id))


def _actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(ModerationLog).order_by(ModerationLog.id))]


def test_coordinator_moderates_their_region_network_coordinator_the_rest_admin_everything(
    make_forum, make_thread, make_user, make_region
):
    west, east = make_region(), make_region()
    flanders = make_region(is_network_wide=True)
    forum = make_forum()
    coordinator = make_user("coordinator", regions=[west])
    network_coordinator = make_user("coordinator", regions=[flanders])
    own, other = make_thread(forum, region=west), make_thread(forum, region=east)
    general, wide = make_thread(forum), make_thread(forum, region=flanders)
    member, admin = make_user(), make_user("admin")

    assert can_moderate_thread(coordinator, own)
    assert not can_moderate_thread(coordinator, other)
    # Issue 13: a thread of no region or of "Vlaanderen en Brussel" is the whole network's.
    assert not can_moderate_thread(coordinator, general)
    assert not can_moderate_thread(coordinator, wide)
    assert can_moderate_thread(network_coordinator, general)
    assert can_moderate_thread(network_coordinator, wide)
    assert not can_moderate_thread(network_coordinator, own)
    assert all(can_moderate_thread(admin, t) for t in (own, other, general, wide))
    assert not any(can_moderate_thread(member, t) for t in (own, other, general, wide))


def test_coordinator_of_another_region_gets_403(
    client, make_forum, make_thread, make_user, make_region
):
    thread = make_thread(make_forum(), region=make_region())
    sign_in(client, make_user("coordinator", regions=[make_region()]))

    assert client.get(f"/forum/gesprek/{thread.id}/beheer").status_code == 403
    assert client.post_form(f"/forum/gesprek/{thread.id}/sluiten").status_code == 403
    assert not db.session.get(Thread, thread.id).is_locked


def test_moderator_pins_locks_renames_and_moves_a_thread_and_each_action_is_logged(
    client, make_forum, make_thread, make_user
):
    forum, target = make_forum(), make_forum(name="Thema 2")
    category = add(Category(forum=target, name="Signalen", slug="signalen"))
    thread = make_thread(forum, title="Oude titel")
    admin = make_user("admin")
    sign_in(client, admin)

    assert client.post_form(f"/forum/gesprek/{thread.id}/vastzetten").status_code == 303
    assert client.post_form(f"/forum/gesprek/{thread.id}/sluiten").status_code == 303
    renamed = client.post_form(f"/forum/gesprek/{thread.id}/hernoemen", {"title": "Nieuwe titel"})
    moved = client.post_form(
        f"/forum/gesprek/{thread.id}/verplaatsen", {"destination": f"{target.id}/{category.id}"}
    )

    assert renamed.status_code == moved.status_code == 303
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert thread.is_pinned and thread.is_locked and thread.title == "Nieuwe titel"
    assert thread.forum_id == target.id and thread.category_id == category.id
    assert _actions() == ["pin", "lock", "rename", "move"]
    queue = client.get("/forum/moderatie").get_data(as_text=True)
    assert "Oude titel → Nieuwe titel" in queue and admin.display_name in queue


def test_rename_to_an_empty_title_is_refused(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum(), title="Blijft")
    sign_in(client, make_user("admin"))

    response = client.post_form(f"/forum/gesprek/{thread.id}/hernoemen", {"title": "  "})

    assert response.status_code == 422
    assert "Geef het gesprek een titel." in response.get_data(as_text=True)
    assert db.session.get(Thread, thread.id).title == "Blijft"


def test_moderator_can_still_reply_in_a_locked_thread(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum(), is_locked=True)
    sign_in(client, make_user("admin"))

    response = client.post_form(reply_url(thread), {"body": "Gesloten wegens dubbel gesprek."})

    assert response.status_code == 303


def test_hidden_post_shows_a_notice_to_readers_and_the_text_to_moderators(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum(), posts=2)
    post = _first_post(thread)
    admin, member = make_user("admin"), make_user()
    sign_in(client, admin)

    empty = client.post_form(f"/forum/bericht/{post.id}/verbergen", {"reason": ""})
    hidden = client.post_form(
        f"/forum/bericht/{post.id}/verbergen", {"reason": "Naam van een kind."}
    )

    assert empty.status_code == 422 and "Geef een reden op." in empty.get_data(as_text=True)
    assert hidden.status_code == 303
    moderator_view = client.get(thread_url(thread)).get_data(as_text=True)
    assert "<p>Bericht 1.</p>" in moderator_view and "Naam van een kind." in moderator_view
    sign_in(client, member)
    reader_view = client.get(thread_url(thread)).get_data(as_text=True)
    assert "Dit bericht is verborgen door een moderator." in reader_view
    assert "<p>Bericht 1.</p>" not in reader_view and "<p>Bericht 2.</p>" in reader_view

    sign_in(client, admin)
    assert client.post_form(f"/forum/bericht/{post.id}/herstellen").status_code == 303
    assert not db.session.get(Post, post.id).is_hidden
    assert _actions() == ["hide", "restore"]


def test_member_reports_a_post_into_the_queue_and_a_moderator_resolves_it(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())
    post = _first_post(thread)
    member, admin = make_user(), make_user("admin")
    sign_in(client, member)

    empty = client.post_form(f"/forum/bericht/{post.id}/melden", {"reason": " "})
    reported = client.post_form(f"/forum/bericht/{post.id}/melden", {"reason": "Reclame."})
    again = client.post_form(f"/forum/bericht/{post.id}/melden", {"reason": "Nog eens."})

    assert empty.status_code == 422
    assert reported.status_code == again.status_code == 303
    assert "al gemeld" in client.get(again.headers["Location"], follow_redirects=True).get_data(
        as_text=True
    )
    assert len(db.session.scalars(select(Report)).all()) == 1
    assert client.get("/forum/moderatie").status_code == 403

    sign_in(client, admin)
    queue = client.get("/forum/moderatie").get_data(as_text=True)
    assert "Reclame." in queue and "<p>Bericht 1.</p>" in queue
    report = db.session.scalar(select(Report))
    assert client.post_form(f"/forum/meldingen-beheer/{report.id}/afhandelen").status_code == 303
    assert "Geen open meldingen." in client.get("/forum/moderatie").get_data(as_text=True)
    assert _actions() == ["resolve_report"]


def test_moderator_suspends_a_member_for_a_period(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum())
    member = make_user(display_name="Tom Peeters")
    coordinator = make_user("coordinator")
    coordinator.coordinated_regions = []
    admin = make_user("admin")
    sign_in(client, admin)

    bad = client.post_form(f"/forum/leden/{member.id}/schorsen", {"days": "0", "reason": "x"})
    response = client.post_form(
        f"/forum/leden/{member.id}/schorsen", {"days": "7", "reason": "Beledigend."}
    )

    assert bad.status_code == 422 and "Kies tussen 1 en 365 dagen." in bad.get_data(as_text=True)
    assert response.status_code == 303
    suspension = db.session.scalar(select(Suspension))
    assert suspension.user_id == member.id
    assert (suspension.ends_at - suspension.created_at).days == 7
    assert is_suspended(member)
    assert _actions() == ["suspend"]
    sign_in(client, member)
    assert client.post_form(reply_url(thread), {"body": "Hallo"}).status_code == 403
    assert client.get(f"/forum/leden/{member.id}/schorsen").status_code == 403


def test_only_an_admin_makes_a_forum_readable_without_login(client, make_forum, make_user):
    forum = make_forum()
    sign_in(client, make_user("coordinator"))
    assert client.post_form(f"/forum/{forum.slug}/openbaar").status_code == 403

    sign_in(client, make_user("admin"))
    assert client.post_form(f"/forum/{forum.slug}/openbaar").status_code == 303

    db.session.expire_all()
    assert db.session.get(type(forum), forum.id).is_public
    client.post_form("/afmelden")
    assert client.get(f"/forum/{forum.slug}").status_code == 200


def test_network_coordinator_adds_a_category_and_duplicates_are_refused(
    client, make_forum, make_user, make_region
):
    forum = make_forum()
    sign_in(client, make_user("coordinator", regions=[make_region(is_network_wide=True)]))

    added = client.post_form(f"/forum/{forum.slug}/categorieen", {"name": "Signalen"})
    duplicate = client.post_form(f"/forum/{forum.slug}/categorieen", {"name": "signalen"})

    assert added.status_code == 303
    assert duplicate.status_code == 422
    assert [c.name for c in db.session.scalars(select(Category))] == ["Signalen"]
    sign_in(client, make_user())
    assert client.get(f"/forum/{forum.slug}/categorieen").status_code == 403
