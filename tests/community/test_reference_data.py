"""``flask load-reference-data``: regions, themes, networks and forums, idempotently, also in
production (issue 13), and the same as the demo's."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from app import create_app
from community.accounts.models import Network, Region, Theme
from community.accounts.reference import REGIONS, THEMES, load_reference_data
from community.core.extensions import db
from demo.seed import load_content, seed_demo
from forums.models import Category, Forum
from forums.reference import FORUMS

MODELS = {"regions": Region, "themes": Theme, "networks": Network, "forums": Forum}


def _counts() -> dict[str, int]:
    return {
        kind: db.session.scalar(select(func.count()).select_from(model))
        for kind, model in MODELS.items()
    }


@pytest.fixture
def production_app(app, database_url, tmp_path):
    """An app in production mode on the test database (the ``app`` fixture empties it)."""
    production = create_app(
        {
            "BRUGGEN_ENV": "production",
            "SECRET_KEY": "a-production-secret-of-enough-length",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    with production.app_context():
        yield production
        db.session.remove()
        db.engine.dispose()


def test_load_reference_data_twice_in_production_gives_the_same_rows(production_app):
    runner = production_app.test_cli_runner()

    first = runner.invoke(args=["load-reference-data"])
    after_first = _counts()
    second = runner.invoke(args=["load-reference-data"])

    assert production_app.config["BRUGGEN_ENV"] == "production"
    assert first.exit_code == 0, first.output
    assert first.output.strip() == (
        "Referentiegegevens geladen: 7 regio's, 2 thema's, 6 lerende netwerken, 3 forums, "
        "1 forum van de projectgroep."
    )
    assert second.exit_code == 0, second.output
    assert "al geladen: niets toegevoegd" in second.output
    assert after_first == _counts() == {"regions": 7, "themes": 2, "networks": 6, "forums": 3 + 1}


def test_the_reference_data_names_the_regions_themes_networks_and_forums(app):
    load_reference_data()
    db.session.commit()

    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    assert [r.name for r in regions] == [
        "West-Vlaanderen",
        "Oost-Vlaanderen",
        "Antwerpen",
        "Limburg",
        "Vlaams-Brabant",
        "Brussel",
        "Vlaanderen en Brussel",
    ]
    assert [r.slug for r in regions if r.is_network_wide] == ["vlaanderen"]
    assert all((r.network is None) == r.is_network_wide for r in regions)
    assert regions[0].network.name == "Lerend netwerk jeugdhulp-onderwijs West-Vlaanderen"
    assert regions[0].network.contact_email == ""  # the admin fills it in
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    assert [(t.number, t.short) for t in themes] == [(1, "-12"), (2, "+12")]
    forums = {f.slug: f for f in db.session.scalars(select(Forum))}
    assert forums["thema-1"].theme.number == 1 and forums["thema-2"].theme.number == 2
    assert forums["algemeen"].theme is None
    assert not any(f.is_public for f in forums.values())
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0


def test_rows_that_exist_are_kept_as_an_admin_left_them(app):
    load_reference_data()
    region = db.session.scalar(select(Region).where(Region.slug == "brussel"))
    region.name = "Brussels Hoofdstedelijk Gewest"
    db.session.execute(delete(Forum).where(Forum.slug == "algemeen"))
    db.session.commit()

    counts = load_reference_data()
    db.session.commit()

    assert counts == {
        "regions": 0,
        "themes": 0,
        "networks": 0,
        "forums": 1,
        "project_group_forum": 0,
    }
    assert db.session.get(Region, region.id).name == "Brussels Hoofdstedelijk Gewest"


def test_seed_demo_builds_on_the_reference_data(app):
    load_reference_data()
    db.session.commit()

    counts = seed_demo()
    db.session.commit()

    assert {kind: counts[kind] for kind in MODELS} == dict.fromkeys(MODELS, 0)
    assert _counts() == {"regions": 7, "themes": 2, "networks": 6, "forums": 3 + 1}
    network = db.session.scalar(
        select(Network).join(Region).where(Region.slug == "west-vlaanderen")
    )
    assert network.lead_organisation.name == "vzw AURA"
    assert network.contact_email == "lerendnetwerk.west-vlaanderen@example.org"


def test_the_reference_data_is_the_demos(app):
    """One list of names and slugs: the demo content names them the same way."""
    content = load_content()

    assert [(r.slug, r.name, r.is_network_wide) for r in REGIONS] == [
        (r["slug"], r["name"], bool(r.get("network_wide"))) for r in content["regions"]
    ]
    assert [(t.number, t.name, t.short, t.focus) for t in THEMES] == [
        (t["number"], t["name"], t["short"], t["focus"]) for t in content["themes"]
    ]
    region_names = {r.slug: r.name for r in REGIONS}
    assert [
        f"Lerend netwerk jeugdhulp-onderwijs {region_names[n['region']]}"
        for n in content["networks"]
    ] == [n["name"] for n in content["networks"]]
    assert [(f.slug, f.theme, f.name, f.description) for f in FORUMS] == [
        (
            f["slug"],
            f["theme"] if f["theme"] != "general" else None,
            f["name"],
            f["description"],
        )
        for f in content["forums"]
    ]
