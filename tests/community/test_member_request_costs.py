"""Fixed costs of a signed-in member's request (issue 14): the user and their roles in one query."""

from __future__ import annotations

import pytest

from tests.pages_helpers import forget_loaded_objects, sign_in


def _user_queries(queries: list[str]) -> list[str]:
    return [q for q in queries if "FROM users" in q or "coordinator_regions" in q]


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_the_user_and_the_regions_they_coordinate_come_in_one_query(
    client, make_user, make_region, count_queries, role
):
    regions = [make_region(slug="west-vlaanderen", name="West-Vlaanderen")]
    user = make_user(role=role, regions=regions if role == "coordinator" else ())
    sign_in(client, user)
    forget_loaded_objects()

    with count_queries() as queries:
        page = client.get("/forum")

    assert page.status_code == 200
    loads = _user_queries(queries)
    assert len(loads) == 1, loads
    assert "coordinator_regions" in loads[0]


def test_a_coordinator_still_sees_what_they_coordinate(client, make_user, make_region):
    """Behaviour unchanged: the regions loaded with the user are the coordinator's."""
    region = make_region(slug="limburg", name="Limburg")
    coordinator = make_user(role="coordinator", regions=[region])
    sign_in(client, coordinator)
    forget_loaded_objects()

    page = client.get("/beheer/activiteiten")

    assert page.status_code == 200
    assert "Limburg" in page.text
