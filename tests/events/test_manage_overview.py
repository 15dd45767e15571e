"""The coordinators' overview of activities: role checks and what each role sees."""

from __future__ import annotations

from community.accounts.models import Region, Theme
from community.core.extensions import db
from events.models import EventStatus
from tests.pages_helpers import forget_loaded_objects, sign_in


def test_manage_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/beheer/activiteiten")

    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]


def test_manage_page_is_forbidden_for_members(client, make_user):
    sign_in(client, make_user("member"))

    assert client.get("/beheer/activiteiten").status_code == 403


def test_coordinator_sees_own_region_including_drafts_only(
    client, make_user, make_region, make_event
):
    own, other = make_region(name="Limburg"), make_region(name="Antwerpen")
    make_event(title="Eigen ontwerp", region=own, status=EventStatus.DRAFT)
    make_event(title="Eigen moment", region=own)
    make_event(title="Ontwerp van elders", region=other, status=EventStatus.DRAFT)
    make_event(title="Moment van elders", region=other)
    sign_in(client, make_user("coordinator", regions=[own]))

    response = client.get("/beheer/activiteiten")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Eigen ontwerp" in html and "Eigen moment" in html
    assert "Ontwerp van elders" not in html and "Moment van elders" not in html


def test_admin_sees_all_activities_including_drafts(client, make_user, make_event):
    make_event(title="Ontwerp A", status=EventStatus.DRAFT)
    make_event(title="Moment B")
    sign_in(client, make_user("admin"))

    response = client.get("/beheer/activiteiten")

    assert response.status_code == 200
    assert "Ontwerp A" in response.get_data(as_text=True)
    assert "Moment B" in response.get_data(as_text=True)


def test_manage_query_count_does_not_grow_with_the_number_of_activities(
    client, make_user, make_region, make_event, make_theme, count_queries
):
    region = make_region()
    region_id, theme_ids = region.id, [make_theme(1).id, make_theme(2).id]
    sign_in(client, make_user("coordinator", regions=[region]))

    def queries_for(n):
        region = db.session.get(Region, region_id)
        themes = [db.session.get(Theme, i) for i in theme_ids]
        for _ in range(n):
            make_event(region=region, themes=themes, status=EventStatus.DRAFT)
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get("/beheer/activiteiten").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)
