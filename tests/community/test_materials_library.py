"""The library page: search (also inside PDFs), filters, sort, and a fixed number of queries."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from community.accounts.models import Organisation, Sector, Theme
from community.core.extensions import db
from community.library.materials import (
    MaterialFields,
    MaterialSort,
    create_material,
    search_materials,
)
from community.library.models import Material, MaterialType
from community.library.uploads import check_upload
from tests.community.library_files import pdf
from tests.pages_helpers import forget_loaded_objects, sign_in

_n = itertools.count(1)


@pytest.fixture
def share(make_user):
    author = make_user()

    def _share(title, body="", **fields) -> Material:
        data = pdf(title, body or f"inhoud {next(_n)}")
        values = {"title": title, "type": MaterialType.REPORT, **fields}
        material = create_material(
            author, MaterialFields(**values), upload=check_upload(data, "a.pdf")
        )
        db.session.commit()
        return material

    return _share


def titles(query) -> list[str]:
    return [m.title for m in db.session.scalars(query)]


def test_search_finds_words_inside_a_pdf(app, share):
    share("Verslag netwerkmoment", body="We bespraken alternatieve dagbesteding en NAFT.")
    share("Ander verslag", body="Over spijbelen.")

    assert titles(search_materials(None, text="dagbesteding")) == ["Verslag netwerkmoment"]
    assert titles(search_materials(None, text="NAFT alternatieve")) == ["Verslag netwerkmoment"]
    assert titles(search_materials(None, text="naft spijbelen")) == []


def test_search_matches_title_and_description_case_insensitively(app, share):
    share("Visietekst Kleuteronderwijs", description="Over **welbevinden**.")
    share("Iets anders")

    assert titles(search_materials(None, text="kleuteronderwijs")) == [
        "Visietekst Kleuteronderwijs"
    ]
    assert titles(search_materials(None, text="WELBEVINDEN")) == ["Visietekst Kleuteronderwijs"]


def test_search_takes_percent_and_underscore_literally(app, share):
    share("Groei van 50% in een jaar")
    share("Iets anders")

    assert titles(search_materials(None, text="50%")) == ["Groei van 50% in een jaar"]
    assert titles(search_materials(None, text="%")) == ["Groei van 50% in een jaar"]
    assert titles(search_materials(None, text="_")) == []


def test_the_library_page_searches_and_says_when_nothing_is_found(client, share):
    share("Verslag", body="Railz in Zaveldal")

    found = client.get("/materiaal?q=zaveldal").get_data(as_text=True)
    nothing = client.get("/materiaal?q=onbestaand").get_data(as_text=True)

    assert ">Verslag</a>" in found
    assert "Niets gevonden voor „onbestaand”" in nothing


def test_filter_by_tag_and_sort_by_downloads(client, share):
    first = share("Eerste", tags="NAFT")
    share("Tweede", tags="spijbelen")
    popular = share("Populair", tags="NAFT, spijbelen")
    popular.download_count = 5
    first.download_count = 1
    db.session.commit()

    naft = client.get("/materiaal?tag=naft").get_data(as_text=True)
    by_downloads = titles(search_materials(None, sort=MaterialSort.MOST_DOWNLOADED))
    page = client.get("/materiaal?sorteer=downloads").get_data(as_text=True)

    assert "Eerste" in naft and "Populair" in naft and "Tweede" not in naft
    assert by_downloads == ["Populair", "Eerste", "Tweede"]
    assert page.index("Populair") < page.index("Eerste") < page.index("Tweede")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("tag=bestaat-niet", "tag"), ("sorteer=alfabet", "sorteer"), ("pagina=nul", "pagina")],
)
def test_unknown_filter_values_are_a_400_with_a_message(client, query, parameter):
    response = client.get(f"/materiaal?{query}")

    assert response.status_code == 400
    assert f"Ongeldige filter „{parameter}”" in response.get_data(as_text=True)


def test_members_only_materials_are_not_found_by_visitors(app, share, make_user):
    share("Interne nota", body="geheim woord", is_public=False)

    assert titles(search_materials(None, text="geheim")) == []
    assert titles(search_materials(make_user(), text="geheim")) == ["Interne nota"]


def test_library_page_makes_at_most_ten_queries_whatever_the_number_of_materials(
    client, make_region, make_theme, make_user, count_queries
):
    theme_ids = [make_theme(1).id, make_theme(2).id]
    user = make_user("coordinator", regions=[make_region()])

    def queries_for(n):
        themes = [db.session.get(Theme, i) for i in theme_ids]
        for _ in range(n):
            k = next(_n)
            material = Material(
                slug=f"m-{k}",
                title=f"Materiaal {k}",
                type=MaterialType.REPORT,
                region=make_region(),
                organisation=Organisation(name=f"Organisatie {k}", sector=Sector.EDUCATION),
            )
            material.themes = themes
            db.session.add(material)
        db.session.commit()
        from community.library.materials import tags_from_text

        for material in db.session.scalars(select(Material)):
            material.tags = tags_from_text("NAFT, spijbelen")
        db.session.commit()
        sign_in(client, user)
        forget_loaded_objects()
        with count_queries() as queries:
            response = client.get("/materiaal?thema=1&q=materiaal&tag=naft&sorteer=downloads")
        assert response.status_code == 200
        return len(queries)

    few, many = queries_for(3), queries_for(40)
    assert few == many
    assert many <= 10


def test_demo_materials_are_found_by_words_inside_their_pdf_and_practices_published(client):
    from community.library.models import Practice, PracticeStatus
    from demo.seed import seed_demo

    seed_demo()
    db.session.commit()

    inside_only = titles(search_materials(None, text="Demomateriaal"))
    railz = client.get("/materiaal?q=railz").get_data(as_text=True)
    statuses = db.session.scalars(select(Practice.status)).all()

    assert len(inside_only) == 11  # every PDF without its own body text says it on page 1
    assert "Inspirerende praktijk: project Railz" in railz
    assert statuses == [PracticeStatus.PUBLISHED] * 7
    versions = db.session.scalars(select(Material)).all()
    assert all(len(m.versions) == 1 and m.file_text for m in versions)
    page = client.get("/praktijkvoorbeelden").get_data(as_text=True)
    assert page.count('class="card-title"') == 7


def test_a_unicode_digit_page_number_is_refused_with_400(client):
    for value in ("%C2%B2", "%E2%91%A0", "%D9%A3"):
        assert client.get(f"/materiaal?pagina={value}").status_code == 400
