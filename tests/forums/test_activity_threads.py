"""Every published activity has a discussion thread, linked both ways."""

from __future__ import annotations

from sqlalchemy import func, select

from community.core.extensions import db
from events.models import Visibility
from events.signals import event_published
from forums.models import Thread
from tests.forums.conftest import sign_in


def _thread_of(event) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.event_id == event.id))


def test_publishing_an_activity_opens_its_thread_in_the_forum_of_its_theme(
    make_forum, make_event, make_theme
):
    theme_forum = make_forum(theme=make_theme(2))
    make_forum()  # the general forum
    event = make_event(themes=[make_theme(2)], title="Netwerkmoment NAFT")

    event_published.send(event)
    db.session.commit()

    thread = _thread_of(event)
    assert thread.forum_id == theme_forum.id and thread.title == "Netwerkmoment NAFT"
    assert thread.region_id == event.region_id and thread.post_count == 0
    event_published.send(event)  # publishing again opens no second thread
    db.session.commit()
    assert db.session.scalar(select(func.count(Thread.id))) == 1


def test_an_activity_for_both_themes_goes_to_the_general_forum(make_forum, make_event, make_theme):
    make_forum(theme=make_theme(1))
    general = make_forum()
    event = make_event(themes=[make_theme(1), make_theme(2)])

    event_published.send(event)
    db.session.commit()

    assert _thread_of(event).forum_id == general.id


def test_an_invite_only_case_consultation_gets_no_thread(make_forum, make_event):
    make_forum()
    event = make_event(visibility=Visibility.INVITE_ONLY)

    event_published.send(event)
    db.session.commit()

    assert _thread_of(event) is None


def test_activity_page_and_thread_page_link_to_each_other(
    client, make_forum, make_event, make_user
):
    make_forum()
    event = make_event(title="Inspiratiedag welzijn op school")
    event_published.send(event)
    db.session.commit()
    thread = _thread_of(event)
    sign_in(client, make_user())

    activity = client.get(f"/activiteiten/{event.slug}").get_data(as_text=True)
    discussion = client.get(f"/forum/{thread.forum.slug}/{thread.id}").get_data(as_text=True)

    assert f'href="/forum/{thread.forum.slug}/{thread.id}"' in activity
    assert f'href="/activiteiten/{event.slug}"' in discussion
    assert "Nog geen berichten. Begin het gesprek!" in discussion
