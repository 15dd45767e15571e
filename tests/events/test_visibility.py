"""Who sees which activity, on the agenda and on the activity page."""

from __future__ import annotations

import pytest

from events.models import EventStatus, Visibility
from tests.pages_helpers import sign_in

# The viewers of the rule table: (name, sees members-only, sees invite-only and drafts).
VIEWERS = [
    ("anonymous", False, False),
    ("member", True, False),
    ("coordinator of the region", True, True),
    ("coordinator of another region", True, False),
    ("admin", True, True),
]


@pytest.fixture
def region(make_region):
    return make_region(slug="limburg", name="Limburg")


@pytest.fixture
def as_viewer(client, make_user, make_region, region):
    """Return a callable signing the client in as the named viewer (or nobody)."""

    def _as(name: str):
        if name == "anonymous":
            return
        user = {
            "member": lambda: make_user("member"),
            "coordinator of the region": lambda: make_user("coordinator", regions=[region]),
            "coordinator of another region": lambda: make_user(
                "coordinator", regions=[make_region()]
            ),
            "admin": lambda: make_user("admin"),
        }[name]()
        sign_in(client, user)

    return _as


@pytest.mark.parametrize(("viewer", "sees_members", "sees_hidden"), VIEWERS)
def test_visibility_of_activities_on_the_agenda(
    client, make_event, region, as_viewer, viewer, sees_members, sees_hidden
):
    make_event(title="Openbaar moment", region=region)
    make_event(title="Ledenmoment", region=region, visibility=Visibility.MEMBERS)
    make_event(title="Casusoverleg ROTS", region=region, visibility=Visibility.INVITE_ONLY)
    make_event(title="Nog een ontwerp", region=region, status=EventStatus.DRAFT)
    as_viewer(viewer)

    html = client.get("/agenda").get_data(as_text=True)

    assert "Openbaar moment" in html
    assert ("Ledenmoment" in html) is sees_members
    assert ("Casusoverleg ROTS" in html) is sees_hidden
    assert ("Nog een ontwerp" in html) is sees_hidden


@pytest.mark.parametrize(("viewer", "sees_members", "sees_hidden"), VIEWERS)
def test_visibility_of_the_activity_page(
    client, make_event, region, as_viewer, viewer, sees_members, sees_hidden
):
    public = make_event(region=region)
    members = make_event(region=region, visibility=Visibility.MEMBERS)
    invite = make_event(region=region, visibility=Visibility.INVITE_ONLY)
    draft = make_event(region=region, status=EventStatus.DRAFT)
    as_viewer(viewer)

    def status(event):
        return client.get(f"/activiteiten/{event.slug}").status_code

    assert status(public) == 200
    assert status(members) == (200 if sees_members else 404)
    assert status(invite) == (200 if sees_hidden else 404)
    assert status(draft) == (200 if sees_hidden else 404)


def test_hidden_activity_answers_like_an_unknown_one(client, make_event):
    draft = make_event(status=EventStatus.DRAFT)

    hidden = client.get(f"/activiteiten/{draft.slug}")
    unknown = client.get("/activiteiten/bestaat-niet")

    assert hidden.status_code == unknown.status_code == 404
    # Identical apart from the page's own address (kept by the language switch).
    page = hidden.get_data(as_text=True).replace(draft.slug, "bestaat-niet")
    assert page == unknown.get_data(as_text=True)


def test_home_shows_members_activities_to_members_only(client, make_event, make_user):
    make_event(title="Alleen voor leden", visibility=Visibility.MEMBERS)

    assert "Alleen voor leden" not in client.get("/").get_data(as_text=True)
    sign_in(client, make_user())
    assert "Alleen voor leden" in client.get("/").get_data(as_text=True)
