"""Regional analyses: dated versions, links to what they rest on, the Flanders overview."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from regionmap.analysis import AnalysisFields, flanders_overview, save_analysis
from regionmap.catalogue import PersonalDataInRecord
from regionmap.models import RegionalAnalysis


def analysis_form(region, **overrides) -> dict:
    data = {
        "region": str(region.id),
        "theme": "",
        "period": "2026-2027",
        "summary": "Veel aanbod in Brugge, weinig in de Westhoek.",
        "strengths": "Sterk NAFT-aanbod [aanbod:naft-brugge]",
        "gaps": "Geen time-out voor -12 in de Westhoek\nWachtlijsten alternatieve dagbesteding",
        "needs": "Vroegtijdige signalering in het basisonderwijs",
        "matches": "Scholen vinden het aanbod via het CLB",
        "actions": (
            "Time-out -12 verkennen | Provincie West-Vlaanderen | bezig\n"
            "Kaart delen | coördinatoren"
        ),
    }
    data.update(overrides)
    return data


def test_coordinator_saves_versions_and_earlier_ones_stay_readable(
    client, sign_in_as, coordinator, west, make_offer
):
    make_offer(title="NAFT Brugge")
    sign_in_as(coordinator)
    assert client.post_form("/omgevingsanalyse/nieuw", analysis_form(west)).status_code == 302
    first = db.session.scalar(select(RegionalAnalysis))
    assert first.version == 1
    gaps = first.points_of("leemte")
    assert [g.text for g in gaps] == [
        "Geen time-out voor -12 in de Westhoek",
        "Wachtlijsten alternatieve dagbesteding",
    ]
    assert first.points_of("sterkte")[0].offer_slugs == ["naft-brugge"]
    assert [(a.owner, a.status) for a in first.actions] == [
        ("Provincie West-Vlaanderen", "bezig"),
        ("coördinatoren", "open"),
    ]

    client.post_form("/omgevingsanalyse/nieuw", analysis_form(west, gaps="Nog één leemte"))
    second = db.session.scalar(select(RegionalAnalysis).where(RegionalAnalysis.version == 2))
    page = client.get(f"/omgevingsanalyse/{first.id}").get_data(as_text=True)
    assert "Dit is een eerdere versie." in page and "Wachtlijsten alternatieve dagbesteding" in page
    assert f'id="punt-{gaps[0].id}"' in page  # a stable anchor a signal can link to
    assert 'href="/aanbod/naft-brugge"' in page
    newest = client.get(f"/omgevingsanalyse/{second.id}").get_data(as_text=True)
    assert "Nog één leemte" in newest and "eerdere versie" not in newest


def test_another_region_s_coordinator_cannot_write_its_analysis(
    client, sign_in_as, other_coordinator, west
):
    sign_in_as(other_coordinator)
    response = client.post_form("/omgevingsanalyse/nieuw", analysis_form(west))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(RegionalAnalysis)) == 0


def test_an_analysis_naming_a_child_is_refused(coordinator, west):
    fields = AnalysisFields(
        region=west, theme=None, period="2026", gaps="Emma, Kerkstraat 12 Ieper"
    )
    with pytest.raises(PersonalDataInRecord):
        save_analysis(fields, coordinator)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RegionalAnalysis)) == 0


def test_the_overview_counts_offer_per_region_theme_and_kind(
    client, make_offer, west, antwerp, themes, coordinator
):
    make_offer(kind="naft", themes=[themes[1]])
    make_offer(kind="naft", themes=list(themes))
    make_offer(kind="time_out", region=antwerp, themes=[themes[0]])
    save_analysis(
        AnalysisFields(
            region=west,
            theme=None,
            period="2026",
            gaps="Te weinig time-out",
            actions="Uitbreiden | provincie | open",
        ),
        coordinator,
    )
    db.session.commit()

    data = flanders_overview()
    assert data.offer[(west.id, themes[1].id)]["naft"] == 2
    assert data.offer[(west.id, themes[0].id)]["naft"] == 1
    assert data.totals[west.id] == 2 and data.totals[antwerp.id] == 1
    assert [g.text for g in data.gaps[west.id]] == ["Te weinig time-out"]
    assert data.open_actions[west.id] == 1

    page = client.get("/omgevingsanalyse").get_data(as_text=True)
    assert "Te weinig time-out" in page
    assert 'aria-label="West-Vlaanderen: 2 aanbod, 1 leemtes"' in page  # the map
    assert 'src="data:image/svg+xml' in page  # the chart
    assert "<style" not in page and "<script" not in page
