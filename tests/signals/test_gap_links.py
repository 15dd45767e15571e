"""A signal linked to a gap of a regional analysis (issue 16: "Link a signal to ... a gap in the
regional analysis"): pasted as ``/omgevingsanalyse/<id>#punt-<point id>``, shown on the
signal's page with the gap's text, and on the analysis page to members only (never to
anonymous visitors, whose copy of that page is cached)."""

from __future__ import annotations

import pytest

from community.core.extensions import db
from regionmap.analysis import AnalysisFields, save_analysis
from regionmap.models import PointKind
from signals.models import LinkKind, SignalLink
from tests.pages_helpers import sign_in


@pytest.fixture
def gap(network):
    analysis = save_analysis(
        AnalysisFields(
            region=network.west,
            theme=None,
            period="2025-2026",
            strengths="Elke school heeft een brugfiguur",
            gaps="Geen time-out voor 12-14-jarigen",
        ),
        network.west_coordinator,
    )
    db.session.commit()
    point = analysis.points_of(PointKind.GAP.value)[0]
    strength = analysis.points_of(PointKind.STRENGTH.value)[0]
    return {"analysis": analysis, "point": point, "strength": strength}


def _address(gap, point=None):
    point = point or gap["point"]
    return f"https://bruggen.test/omgevingsanalyse/{gap['analysis'].id}#punt-{point.id}"


def test_the_reporter_links_a_gap_and_both_pages_show_it(client, network, make_signal, gap):
    signal = make_signal(network.west, title="Jongeren van 13 zitten thuis")
    sign_in(client, signal.reporter)
    ok = client.post_form(f"/signalen/{signal.id}/koppelen", {"address": _address(gap)})
    assert ok.status_code == 303
    link = db.session.query(SignalLink).one()
    assert (link.kind, link.analysis_point_id) == (LinkKind.GAP, gap["point"].id)
    page = client.get(f"/signalen/{signal.id}").text
    assert "Leemte in de omgevingsanalyse West-Vlaanderen" in page
    assert "Geen time-out voor 12-14-jarigen" in page
    assert f"/omgevingsanalyse/{gap['analysis'].id}#punt-{gap['point'].id}" in page
    again = client.post_form(f"/signalen/{signal.id}/koppelen", {"address": _address(gap)})
    assert again.status_code == 303 and db.session.query(SignalLink).count() == 1
    analysis = client.get(f"/omgevingsanalyse/{gap['analysis'].id}").text
    assert "Gekoppelde signalen:" in analysis and "Jongeren van 13 zitten thuis" in analysis


@pytest.mark.parametrize(
    "address",
    [
        "/omgevingsanalyse/{analysis}",  # no point
        "/omgevingsanalyse/{analysis}#punt-999999",  # no such point
        "/omgevingsanalyse/{analysis}#punt-{strength}",  # a strength, not a gap
        "/omgevingsanalyse/{other}#punt-{point}",  # the point of another analysis
        "/omgevingsanalyse/{analysis}#punt-x1",
    ],
)
def test_a_wrong_gap_address_is_refused(client, network, make_signal, gap, address):
    signal = make_signal(network.west)
    sign_in(client, signal.reporter)
    url = address.format(
        analysis=gap["analysis"].id,
        other=gap["analysis"].id + 1,
        point=gap["point"].id,
        strength=gap["strength"].id,
    )
    bad = client.post_form(f"/signalen/{signal.id}/koppelen", {"address": url})
    assert bad.status_code == 422
    assert "leemte in een omgevingsanalyse" in bad.text
    assert db.session.query(SignalLink).count() == 0


def test_anonymous_visitors_never_see_the_linked_signals(
    app, client, network, make_signal, make_user, gap
):
    signal = make_signal(network.west, title="Geheim-signaal over time-out")
    sign_in(client, signal.reporter)
    client.post_form(f"/signalen/{signal.id}/koppelen", {"address": _address(gap)})
    url = f"/omgevingsanalyse/{gap['analysis'].id}"
    assert "Geheim-signaal" in client.get(url).text  # the member's view comes first
    visitor = app.test_client()  # no cookie at all: the page cache answers it
    states = []
    for _ in range(2):
        page = visitor.get(url)
        assert page.status_code == 200
        assert "Geheim-signaal" not in page.text and "Gekoppelde signalen" not in page.text
        states.append(page.headers.get("X-Page-Cache"))
    assert states[-1] == "hit"  # the cached copy holds no member-only content either
    sign_in(client, make_user(is_verified=False))  # not (yet) a member: no signals either
    assert "Geheim-signaal" not in client.get(url).text
