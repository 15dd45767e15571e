"""Region scope of coordinators (issue 13, "Access control" 1).

Every management and moderation action checks the region of its *object*: admins
everywhere, a coordinator only objects of a region they coordinate. Objects of the
network-wide pseudo-region, or of no region (a theme's forum, a thread, material or
practice not tied to one region, a member who named none), are for the coordinators
of the network-wide pseudo-region. The authorisation matrix tries a coordinator of
another province; here the network-wide coordinator and the province's coordinator
are tried on each other's objects, and the actions are sent with complete forms.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.core.extensions import db, limiter
from events.models import Event
from tests.conftest import _empty_tables
from tests.events.organiser_helpers import event_form
from tests.pages_helpers import sign_in
from tests.route_world import ROLES, act_as, build_url, build_world, move_world_to, snapshot
from tests.test_authorization_matrix import EXPECTED, LOGIN, region_scoped_pairs

REFUSED = (403, 404)

# Rows the request of a refused user may still write: the session's last sign-in.
IGNORED = {"users": {"last_login_at"}, "data_versions": {"*"}}


def _status(response) -> int | str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/aanmelden"):
        return LOGIN
    return response.status_code


def _try(client, app, world, endpoint: str, method: str, role: str) -> int | str:
    limiter.reset()
    act_as(client, world, role)
    url = build_url(app, endpoint, world)
    response = client.get(url) if method == "GET" else client.post_form(url, {})
    return _status(response)


def _fresh_world():
    db.session.remove()
    _empty_tables()
    return build_world()


def _moved_world(network_wide: bool):
    """A fresh world whose objects are of the network-wide pseudo-region, or of none."""
    world = _fresh_world()
    move_world_to(world, world.extra["network_wide"] if network_wide else None)
    return world


@pytest.mark.parametrize(("endpoint", "method"), region_scoped_pairs())
def test_each_action_is_for_the_coordinators_of_the_objects_region(app, client, endpoint, method):
    allowed = EXPECTED[endpoint][method][ROLES.index("coordinator")]
    world = build_world()
    before = snapshot(IGNORED)

    # An object of a province: not for the network-wide coordinator.
    assert _try(client, app, world, endpoint, method, "network_coordinator") in REFUSED
    assert snapshot(IGNORED) == before

    # Objects of the network-wide pseudo-region, then of no region: not for the province's
    # coordinator, but for the network-wide one (what the province's got on its own).
    for network_wide in (True, False):
        world = _moved_world(network_wide)
        before = snapshot(IGNORED)
        assert _try(client, app, world, endpoint, method, "coordinator") in REFUSED
        assert snapshot(IGNORED) == before
        if method == "POST":
            world = _moved_world(network_wide)
        got = _try(client, app, world, endpoint, method, "network_coordinator")
        assert got == allowed


# --- activities: only in the regions one coordinates --------------------------------------


@pytest.fixture
def regions(make_region):
    return {"west": make_region(), "east": make_region()}


def test_a_coordinator_cannot_create_an_activity_in_another_region(
    client, make_user, make_theme, regions
):
    sign_in(client, make_user("coordinator", regions=[regions["west"]]))

    response = client.post_form(
        "/beheer/activiteiten/nieuw", event_form(regions["east"], [make_theme(1)])
    )

    assert response.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
