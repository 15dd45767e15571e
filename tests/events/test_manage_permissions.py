"""Who may use each organiser route: anonymous → login, member and other region → 403, own → ok."""

from __future__ import annotations

import pytest

from events.models import EventStatus, ProgrammeItem, ProgrammeItemKind, RegistrationState
from tests.events.organiser_helpers import register
from tests.pages_helpers import add, sign_in

GET_ROUTES = [
    "/beheer/activiteiten/{slug}",
    "/beheer/activiteiten/{slug}/bewerken",
    "/beheer/activiteiten/{slug}/annuleren",
    "/beheer/activiteiten/{slug}/kopieren",
    "/beheer/activiteiten/{slug}/programma",
    "/beheer/activiteiten/{slug}/programma/{item}",
    "/beheer/activiteiten/{slug}/vragen",
    "/beheer/activiteiten/{slug}/deelnemers",
    "/beheer/activiteiten/{slug}/deelnemers.csv",
    "/beheer/activiteiten/{slug}/deelnemers.xlsx",
    "/beheer/activiteiten/{slug}/mail",
]

# POST routes and the status the event's own coordinator gets (the action succeeds).
POST_ROUTES = [
    ("/beheer/activiteiten/{slug}/inschrijvingen-sluiten", {}, 302),
    ("/beheer/activiteiten/{slug}/inschrijvingen-heropenen", {}, 302),
    ("/beheer/activiteiten/{slug}/annuleren", {"message": "Afgelast."}, 302),
    ("/beheer/activiteiten/{slug}/kopieren", {"amount": "1", "unit": "weeks"}, 302),
    ("/beheer/activiteiten/{slug}/mail", {"subject": "Info", "body": "Tot dan"}, 302),
    ("/beheer/activiteiten/{slug}/programma/{item}/verwijderen", {}, 302),
    ("/beheer/activiteiten/{slug}/deelnemers/{waiting}/plaats-geven", {}, 302),
    ("/beheer/activiteiten/{slug}/verwijderen", {}, 409),  # published: not deletable
    ("/beheer/activiteiten/{slug}/publiceren", {}, 409),  # already published
]


@pytest.fixture
def setting(make_region, make_event, make_user):
    """A published activity in one region with a programme item and a waitlisted person."""
    region, other = make_region(), make_region()
    event = make_event(region=region, capacity=10)
    item = add(
        ProgrammeItem(
            event=event,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            title="Workshop",
            kind=ProgrammeItemKind.WORKSHOP,
        )
    )
    waiting = register(event, RegistrationState.WAITLISTED)
    values = {"slug": event.slug, "item": item.id, "waiting": waiting.id}
    users = {
        "member": make_user("member"),
        "other_coordinator": make_user("coordinator", regions=[other]),
        "coordinator": make_user("coordinator", regions=[region]),
        "admin": make_user("admin"),
    }
    return values, users


@pytest.mark.parametrize("route", GET_ROUTES)
def test_organiser_pages_by_role(client, setting, route):
    values, users = setting
    url = route.format(**values)

    response = client.get(url)
    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]
    for role, expected in [
        ("member", 403),
        ("other_coordinator", 403),
        ("coordinator", 200),
        ("admin", 200),
    ]:
        sign_in(client, users[role])
        assert client.get(url).status_code == expected, role


@pytest.mark.parametrize(("route", "data", "allowed"), POST_ROUTES)
def test_organiser_actions_by_role(client, setting, route, data, allowed):
    values, users = setting
    url = route.format(**values)

    response = client.post_form(url, data)
    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]
    for role in ("member", "other_coordinator"):
        sign_in(client, users[role])
        assert client.post_form(url, data).status_code == 403, role
    sign_in(client, users["coordinator"])
    assert client.post_form(url, data).status_code == allowed


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinator_of_the_region_and_admin_may_create(client, setting, role):
    _, users = setting
    sign_in(client, users[role])

    assert client.get("/beheer/activiteiten/nieuw").status_code == 200
    assert client.get("/beheer/activiteiten").status_code == 200


def test_members_may_not_create_or_see_the_overview(client, setting):
    _, users = setting
    assert "/aanmelden" in client.get("/beheer/activiteiten/nieuw").headers["Location"]
    sign_in(client, users["member"])

    assert client.get("/beheer/activiteiten/nieuw").status_code == 403
    assert client.post_form("/beheer/activiteiten/nieuw", {}).status_code == 403


def test_a_draft_of_another_region_is_not_found(client, make_region, make_event, make_user):
    draft = make_event(status=EventStatus.DRAFT)
    sign_in(client, make_user("coordinator", regions=[make_region()]))

    assert client.get(f"/beheer/activiteiten/{draft.slug}").status_code == 404
    assert client.get("/beheer/activiteiten/bestaat-niet").status_code == 404


def test_post_without_csrf_token_changes_nothing(client, setting):
    values, users = setting
    sign_in(client, users["coordinator"])

    response = client.post(f"/beheer/activiteiten/{values['slug']}/inschrijvingen-sluiten")

    assert response.status_code == 400
