"""Coordinators rename and remove forum categories; threads survive a removal (issue 13)."""

from __future__ import annotations

from sqlalchemy import func, select

from community.core.extensions import db
from forums.models import Category, ModerationLog, Subscription, Thread
from tests.pages_helpers import add, forget_loaded_objects, sign_in


def _coordinator(make_user, make_region):
    """A coordinator of the network-wide region: a forum is one theme for all regions, so
    its categories are theirs (issue 13, item 1)."""
    network_wide = make_region(name="Vlaanderen en Brussel", is_network_wide=True)
    return make_user("coordinator", regions=[network_wide])


def _url(category, action: str = "") -> str:
    base = f"/forum/{category.forum.slug}/categorieen/{category.id}"
    return f"{base}/{action}" if action else base


def test_network_coordinator_renames_a_category_and_its_threads_and_address_stay(
    client, make_forum, make_thread, make_user, make_region
):
    forum = make_forum()
    category = add(Category(forum=forum, name="Vragen", slug="vragen", position=1))
    thread_id, category_id = make_thread(forum, category=category).id, category.id
    forum_slug = forum.slug
    sign_in(client, _coordinator(make_user, make_region))

    form = client.get(_url(category))
    response = client.post_form(
        _url(category), {"name": "  Vragen uit  de praktijk ", "description": "Casussen."}
    )
    forget_loaded_objects()

    renamed = db.session.get(Category, category_id)
    assert 'value="Vragen"' in form.text
    assert response.status_code == 303
    assert (renamed.name, renamed.description, renamed.slug) == (
        "Vragen uit de praktijk",
        "Casussen.",
        "vragen",
    )
    assert db.session.get(Thread, thread_id).category_id == category_id
    page = client.get(f"/forum/{forum_slug}?categorie=vragen")
    assert page.status_code == 200 and "Vragen uit de praktijk" in page.text
    [entry] = db.session.scalars(
        select(ModerationLog).where(ModerationLog.action == "rename_category")
    )
    assert "Vragen → Vragen uit de praktijk" in entry.detail


def test_renaming_to_the_name_of_another_category_is_refused_accents_and_case_ignored(
    client, make_forum, make_user, make_region
):
    forum = make_forum()
    add(Category(forum=forum, name="Coördinatie", slug="coordinatie", position=1))
    other = add(Category(forum=forum, name="Signalen", slug="signalen", position=2))
    sign_in(client, _coordinator(make_user, make_region))

    url, other_id = _url(other), other.id
    response = client.post_form(url, {"name": "COORDINATIE"})
    empty = client.post_form(url, {"name": ""})
    forget_loaded_objects()

    assert response.status_code == 422
    assert "Dit forum heeft al een categorie met die naam." in response.text
    assert empty.status_code == 422 and "Geef de categorie een naam." in empty.text
    assert db.session.get(Category, other_id).name == "Signalen"


def test_removing_asks_first_then_keeps_the_threads_without_a_category(
    client, make_forum, make_thread, make_user, make_region
):
    forum = make_forum()
    category = add(Category(forum=forum, name="Vragen", slug="vragen", position=1))
    thread_ids = [make_thread(forum, category=category).id for _ in range(2)]
    add(Subscription(user=make_user(), category=category))
    sign_in(client, _coordinator(make_user, make_region))
    url, category_id, forum_slug = _url(category, "verwijderen"), category.id, forum.slug

    question = client.get(url)
    forget_loaded_objects()
    assert db.session.get(Category, category_id) is not None  # a GET changes nothing
    response = client.post_form(url)
    follow = client.get(response.headers["Location"])
    forget_loaded_objects()

    assert question.status_code == 200
    assert "2 gesprekken staan in deze categorie" in question.text
    assert 'method="post"' in question.text and "Ja, verwijder de categorie" in question.text
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0
    kept = db.session.scalars(select(Thread).order_by(Thread.id)).all()
    assert [t.id for t in kept] == thread_ids
    assert [t.category_id for t in kept] == [None, None]
    listing = client.get(f"/forum/{forum_slug}")
    assert all(t.title in listing.text for t in kept)
    assert "Haar gesprekken staan nog in het forum" in follow.text


def test_a_category_of_another_forum_is_not_found_and_members_may_not_manage(
    client, make_forum, make_user, make_region
):
    forum, other_forum = make_forum(), make_forum()
    category = add(Category(forum=other_forum, name="Vragen", slug="vragen", position=1))
    sign_in(client, _coordinator(make_user, make_region))
    wrong_forum = f"/forum/{forum.slug}/categorieen/{category.id}/verwijderen"
    category_id = category.id

    assert client.get(wrong_forum).status_code == 404
    assert client.post_form(wrong_forum).status_code == 404
    sign_in(client, make_user())
    assert client.post_form(_url(category, "verwijderen")).status_code == 403
    assert client.post_form(_url(category), {"name": "Iets"}).status_code == 403
    forget_loaded_objects()
    assert db.session.get(Category, category_id).name == "Vragen"


def test_the_category_list_links_to_renaming_and_removing(
    client, make_forum, make_user, make_region
):
    forum = make_forum()
    category = add(Category(forum=forum, name="Vragen", slug="vragen", position=1))
    sign_in(client, _coordinator(make_user, make_region))

    page = client.get(f"/forum/{forum.slug}/categorieen").text

    assert f'href="{_url(category)}" aria-label="Wijzigen: Vragen"' in page
    assert f'href="{_url(category, "verwijderen")}" aria-label="Verwijderen: Vragen"' in page
