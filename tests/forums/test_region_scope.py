"""Region scope of moderators (issue 13, "Access control" 1): suspensions and categories.

A suspension holds in every forum, so the member's own region (``User.region``)
decides who may give it; a forum is one theme for every region, so its categories
are the network-wide coordinators'. See also ``tests/test_region_scope.py``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from forums.models import Category, ModerationLog, Suspension
from tests.forums.conftest import sign_in, thread_url

# --- suspensions: the member's region ----------------------------------------------


@pytest.fixture
def regions(make_region):
    return {"west": make_region(), "east": make_region(), "wide": make_region(is_network_wide=True)}


def _suspend(client, member):
    return client.post_form(
        f"/forum/leden/{member.id}/schorsen", {"days": "7", "reason": "Beledigend."}
    )


def _nothing_suspended() -> bool:
    count = db.session.scalar(select(func.count()).select_from(Suspension))
    logged = db.session.scalar(select(func.count()).select_from(ModerationLog))
    return count == 0 and logged == 0


def test_coordinator_of_another_region_cannot_suspend_a_member(client, make_user, regions):
    member = make_user(region=regions["east"])
    sign_in(client, make_user("coordinator", regions=[regions["west"]]))

    page = client.get(f"/forum/leden/{member.id}/schorsen")
    response = _suspend(client, member)

    assert page.status_code == response.status_code == 403
    assert "Je hebt geen toegang tot deze pagina." in response.get_data(as_text=True)
    assert _nothing_suspended()


def test_coordinator_of_the_members_region_suspends(client, make_user, regions):
    member = make_user(region=regions["east"])
    sign_in(client, make_user("coordinator", regions=[regions["east"]]))

    assert _suspend(client, member).status_code == 303
    assert db.session.scalar(select(Suspension.user_id)) == member.id


def test_a_member_of_no_region_is_for_the_network_wide_coordinators(client, make_user, regions):
    member = make_user()  # no region on the profile
    sign_in(client, make_user("coordinator", regions=[regions["west"]]))
    assert _suspend(client, member).status_code == 403
    assert _nothing_suspended()

    sign_in(client, make_user("coordinator", regions=[regions["wide"]]))
    assert _suspend(client, member).status_code == 303


def test_thread_page_offers_suspension_only_where_it_is_allowed(
    client, make_forum, make_thread, make_user, regions
):
    author = make_user(region=regions["east"], display_name="Auteur Oost")
    thread = make_thread(make_forum(), author=author, region=regions["west"])
    sign_in(client, make_user("coordinator", regions=[regions["west"]]))

    page = client.get(thread_url(thread)).get_data(as_text=True)

    assert "Verbergen" in page  # the thread is of their region: they moderate it
    assert "Lid schorsen" not in page  # the author is of another region
    sign_in(client, make_user("admin"))
    assert "Lid schorsen" in client.get(thread_url(thread)).get_data(as_text=True)


# --- forum categories: the whole network's ----------------------------------------------


def test_a_province_coordinator_does_not_manage_a_forums_categories(
    client, make_forum, make_user, regions
):
    forum = make_forum()
    sign_in(client, make_user("coordinator", regions=[regions["west"]]))

    listed = client.get(f"/forum/{forum.slug}").get_data(as_text=True)
    response = client.post_form(f"/forum/{forum.slug}/categorieen", {"name": "Signalen"})

    assert "Categorieën beheren" not in listed
    assert response.status_code == 403
    assert "Je hebt geen toegang tot deze pagina." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0

    sign_in(client, make_user("coordinator", regions=[regions["wide"]]))
    assert "Categorieën beheren" in client.get(f"/forum/{forum.slug}").get_data(as_text=True)
    added = client.post_form(f"/forum/{forum.slug}/categorieen", {"name": "Signalen"})
    assert added.status_code == 303
    assert db.session.scalar(select(Category.name)) == "Signalen"
