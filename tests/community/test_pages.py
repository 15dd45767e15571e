"""Public pages of the base package: home, regions, materials (and downloads), practices."""

from __future__ import annotations

import itertools

import pytest

from community.accounts.models import Organisation, Sector, Theme
from community.core.extensions import db
from community.core.storage.local import get_storage
from community.library.downloads import tally
from community.library.models import Material, MaterialType, Practice
from forums.models import Forum, Thread
from tests.pages_helpers import add, days, forget_loaded_objects, now, sign_in

_n = itertools.count(1)
PDF = b"%PDF-1.4\n% Bruggen test\n%%EOF\n"


@pytest.fixture
def make_material(app):
    def _make(**overrides):
        n = next(_n)
        themes = overrides.pop("themes", [])
        values = {"slug": f"materiaal-{n}", "title": f"Materiaal {n}", "type": MaterialType.REPORT}
        values.update(overrides)
        material = Material(**values)
        material.themes = list(themes)
        return add(material)

    return _make


@pytest.fixture
def stored_pdf(app):
    """Return (key, size) of a small PDF saved in the upload storage."""
    return get_storage().save(PDF), len(PDF)


# --- home ------------------------------------------------------------------


def test_home_shows_upcoming_activity_recent_thread_newest_material_and_regions(
    client, make_event, make_region, make_material
):
    region = make_region(name="West-Vlaanderen", slug="west-vlaanderen")
    make_event(title="Netwerkmoment Brugge", region=region)
    make_event(title="Al voorbij", region=region, starts_at=now() - days(3))
    forum = add(Forum(slug="thema-2", name="Thema 2: secundair onderwijs"))
    add(Thread(forum=forum, title="Ervaringen met uitstroombegeleiding", slug="uitstroom"))
    make_material(title="Aanbevelingen voor coördinatoren")

    response = client.get("/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Komende activiteiten" in html and "Netwerkmoment Brugge" in html
    assert "Al voorbij" not in html
    assert "Recent in het forum" in html and "Ervaringen met uitstroombegeleiding" in html
    assert "Thema 2: secundair onderwijs" in html
    assert "Aanbevelingen voor coördinatoren" in html
    assert 'href="/regio/west-vlaanderen"' in html
    assert "Lerend netwerk West-Vlaanderen" in html


def test_home_hides_members_only_material_from_anonymous_visitors(client, make_material):
    make_material(title="Interne nota", is_public=False)

    assert "Interne nota" not in client.get("/").get_data(as_text=True)


def test_home_query_count_does_not_grow_with_content(
    client, make_event, make_region, make_material, make_theme, count_queries
):
    theme_id = make_theme(1).id

    def queries_for(n):
        theme = db.session.get(Theme, theme_id)
        for _ in range(n):
            region = make_region()
            make_event(region=region, themes=[theme])
            make_material(region=region, themes=[theme])
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)


# --- regions ---------------------------------------------------------------


def test_regions_page_lists_regions_with_their_network(client, make_region):
    make_region(name="Limburg", slug="limburg")

    html = client.get("/regios").get_data(as_text=True)

    assert 'href="/regio/limburg"' in html
    assert "Lerend netwerk Limburg" in html


def test_region_page_shows_network_mailbox_lead_organisation_and_activities(
    client, make_region, make_event, make_user
):
    region = make_region(name="Limburg", slug="limburg")
    lead = add(Organisation(name="Provincie Limburg", sector=Sector.GOVERNMENT))
    region.network.contact_email = "lerendnetwerk@limburg.example.org"
    region.network.lead_organisation = lead
    add(region)
    make_user("coordinator", regions=[region], email="an.coordinator@example.org")
    make_event(title="Komend netwerkmoment", region=region)
    make_event(title="Vorig netwerkmoment", region=region, starts_at=now() - days(30))
    make_event(title="Elders", starts_at=now() + days(1))

    response = client.get("/regio/limburg")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lerend netwerk Limburg" in html
    assert 'href="mailto:lerendnetwerk@limburg.example.org"' in html
    assert "an.coordinator@example.org" not in html
    assert "Provincie Limburg" in html
    assert "Komend netwerkmoment" in html and "Vorig netwerkmoment" in html
    assert "Elders" not in html


def test_region_page_shows_its_practices_and_materials(client, make_region, make_material):
    region = make_region(slug="antwerpen")
    add(Practice(slug="spijbelactieplan", title="Provinciaal spijbelactieplan", region=region))
    make_material(title="Verslag Antwerpen", region=region)
    make_material(title="Verslag elders")

    html = client.get("/regio/antwerpen").get_data(as_text=True)

    assert "Provinciaal spijbelactieplan" in html
    assert "Verslag Antwerpen" in html
    assert "Verslag elders" not in html


def test_unknown_region_is_404(client):
    assert client.get("/regio/atlantis").status_code == 404


def test_region_pages_query_count_does_not_grow_with_content(
    client, make_region, make_event, make_material, count_queries
):
    region = make_region(slug="limburg")
    region_id = region.id

    def queries_for(n):
        for _ in range(n):
            make_region()
            make_event(region_id=region_id)
            make_event(region_id=region_id, starts_at=now() - days(5))
            make_material(region_id=region_id)
            add(Practice(slug=f"praktijk-{next(_n)}", title="P", region_id=region_id))
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get("/regio/limburg").status_code == 200
            assert client.get("/regios").status_code == 200
            assert client.get("/praktijkvoorbeelden").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)


# --- materials -------------------------------------------------------------


def test_materials_list_filters_by_theme_region_and_type(
    client, make_material, make_region, make_theme
):
    oost = make_region(slug="oost")
    one, two = make_theme(1), make_theme(2)
    make_material(title="Raak", region=oost, themes=[two], type=MaterialType.METHOD)
    make_material(title="Ander thema", region=oost, themes=[one], type=MaterialType.METHOD)
    make_material(title="Andere regio", themes=[two], type=MaterialType.METHOD)
    make_material(title="Andere soort", region=oost, themes=[two], type=MaterialType.REPORT)

    html = client.get("/materiaal?regio=oost&thema=2&type=method").get_data(as_text=True)
    everything = client.get("/materiaal").get_data(as_text=True)

    assert "Raak" in html
    for other in ("Ander thema", "Andere regio", "Andere soort"):
        assert other not in html
        assert other in everything


def test_materials_list_refuses_an_unknown_filter_value(client):
    response = client.get("/materiaal?type=film")

    assert response.status_code == 400
    assert "Ongeldige filter „type”: de waarde „film” bestaat niet." in response.get_data(
        as_text=True
    )


def test_members_only_materials_are_listed_for_signed_in_users_only(
    client, make_material, make_user
):
    make_material(title="Open rapport")
    make_material(title="Interne nota", is_public=False)

    anonymous = client.get("/materiaal").get_data(as_text=True)
    sign_in(client, make_user())
    member = client.get("/materiaal").get_data(as_text=True)

    assert "Open rapport" in anonymous and "Interne nota" not in anonymous
    assert "Open rapport" in member and "Interne nota" in member


def test_material_page_shows_the_material_and_a_download_link(client, make_material):
    make_material(slug="visietekst", title="Visietekst", description_html="<p>Onze visie.</p>")

    html = client.get("/materiaal/visietekst").get_data(as_text=True)

    assert "Visietekst" in html and "<p>Onze visie.</p>" in html


def test_members_only_material_page_sends_anonymous_visitors_to_login(client, make_material):
    make_material(slug="intern", is_public=False)

    response = client.get("/materiaal/intern")

    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]
    assert client.get("/materiaal/bestaat-niet").status_code == 404


def test_materials_list_query_count_does_not_grow_with_the_number_of_materials(
    client, make_material, make_region, make_theme, count_queries
):
    theme_ids = [make_theme(1).id, make_theme(2).id]

    def queries_for(n):
        themes = [db.session.get(Theme, i) for i in theme_ids]
        for _ in range(n):
            org = Organisation(name=f"Organisatie {next(_n)}", sector=Sector.EDUCATION)
            make_material(region=make_region(), themes=themes, organisation=org)
        forget_loaded_objects()
        with count_queries() as queries:
            assert client.get("/materiaal").status_code == 200
            assert client.get("/materiaal?thema=1").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(12)


# --- downloads -------------------------------------------------------------


def test_download_sends_the_file_with_its_type_name_and_nosniff(client, make_material, stored_pdf):
    key, size = stored_pdf
    make_material(
        slug="aanbevelingen",
        file_key=key,
        file_name="Aanbevelingen coördinatoren.pdf",
        content_type="application/pdf",
        file_size=size,
    )

    response = client.get("/materiaal/aanbevelingen/download")

    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline")
    assert "filename*=UTF-8''Aanbevelingen%20co%C3%B6rdinatoren.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_of_an_office_file_is_an_attachment(client, make_material, app):
    key = get_storage().save(b"PK\x03\x04 not really a presentation")
    make_material(
        slug="slides",
        file_key=key,
        file_name="slides.pptx",
        content_type="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    )

    response = client.get("/materiaal/slides/download")

    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_counts_each_download(client, make_material, stored_pdf):
    key, _ = stored_pdf
    material = make_material(file_key=key, file_name="a.pdf", content_type="application/pdf")

    client.get(f"/materiaal/{material.slug}/download")
    client.get(f"/materiaal/{material.slug}/download")

    tally().flush()  # issue 14: counted off the request path, written in batches
    db.session.refresh(material)
    assert material.download_count == 2


def test_members_only_download_sends_anonymous_visitors_to_login(
    client, make_material, make_user, stored_pdf
):
    key, _ = stored_pdf
    material = make_material(
        file_key=key, file_name="a.pdf", content_type="application/pdf", is_public=False
    )

    response = client.get(f"/materiaal/{material.slug}/download")

    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]
    tally().flush()
    db.session.refresh(material)
    assert material.download_count == 0
    sign_in(client, make_user())
    assert client.get(f"/materiaal/{material.slug}/download").status_code == 200


def test_download_of_a_link_material_redirects_to_the_link(client, make_material):
    material = make_material(url="https://www.onderwijs.vlaanderen.be/leerrecht")

    response = client.get(f"/materiaal/{material.slug}/download")

    assert response.status_code == 302
    assert response.headers["Location"] == "https://www.onderwijs.vlaanderen.be/leerrecht"
    tally().flush()
    db.session.refresh(material)
    assert material.download_count == 1


def test_download_of_a_missing_file_is_404(client, make_material):
    material = make_material(file_key="0" * 64, file_name="weg.pdf")

    assert client.get(f"/materiaal/{material.slug}/download").status_code == 404


# --- practices -------------------------------------------------------------


def test_practices_list_and_page(client, make_region, make_theme):
    region = make_region(name="Brussel", slug="brussel")
    add(
        Practice(
            slug="kans",
            title="KANS – Centraal Meldpunt Brussel",
            region=region,
            summary="Leidt leerlingen toe naar het passende aanbod.",
            partners=["leerling", "ouders", "CLB"],
            themes=[make_theme(2)],
        )
    )

    listing = client.get("/praktijkvoorbeelden").get_data(as_text=True)
    page = client.get("/praktijkvoorbeelden/kans")

    assert 'href="/praktijkvoorbeelden/kans"' in listing
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "KANS – Centraal Meldpunt Brussel" in html
    assert "<li>ouders</li>" in html and "Brussel" in html
    assert client.get("/praktijkvoorbeelden/bestaat-niet").status_code == 404
