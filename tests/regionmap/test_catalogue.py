"""The offer catalogue: search with facets, the rules of a record, the pages (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from regionmap.catalogue import (
    OfferFields,
    OfferFilter,
    OfferRefused,
    PersonalDataInRecord,
    create_offer,
    is_stale,
    search_offers,
    stale_offers,
)
from regionmap.models import Offer
from tests.pages_helpers import forget_loaded_objects


def test_search_finds_naft_for_a_fourteen_year_old_in_west_flanders(
    make_offer, west, antwerp, themes
):
    naft = make_offer(title="NAFT Brugge", kind="naft", age_min=12, age_max=18, themes=[themes[1]])
    make_offer(title="NAFT Antwerpen", kind="naft", region=antwerp)
    make_offer(title="Time-out voor kleuters", kind="time_out", age_min=3, age_max=11)
    make_offer(title="NAFT voor jongvolwassenen", kind="naft", age_min=16, age_max=25)

    page = search_offers(OfferFilter(region=west, kind="naft", age=14))

    assert [offer.title for offer in page.offers] == [naft.title]
    assert page.total == 1


def test_words_are_matched_by_full_text_search_with_prefixes(make_offer):
    make_offer(title="Spijbelpreventie", description="Wij begeleiden spijbelende jongeren.")
    make_offer(title="Rustpunt", description="Een plek om even op adem te komen.")

    assert [o.title for o in search_offers(OfferFilter(text="spijbel")).offers] == [
        "Spijbelpreventie"
    ]
    assert [o.title for o in search_offers(OfferFilter(text="adem plek")).offers] == ["Rustpunt"]
    assert search_offers(OfferFilter(text="onbestaandwoord")).total == 0


def test_search_words_with_query_syntax_find_nothing_and_never_fail(make_offer):
    make_offer(title="NAFT")
    for text in ['"', "NAFT OR", "*", "a:b", "(naft", "NEAR(x y)", "'; drop table offers;--"]:
        search_offers(OfferFilter(text=text))  # no error


def test_facets_count_every_match_per_region_kind_and_route(make_offer, antwerp):
    make_offer(kind="naft", access_routes=["clb"])
    make_offer(kind="naft", access_routes=["clb", "school"])
    make_offer(kind="time_out", region=antwerp)

    facets = search_offers(OfferFilter()).facets

    assert facets["kind"] == {"naft": 2, "time_out": 1}
    assert facets["access_route"] == {"clb": 2, "school": 1}
    assert sorted(facets["region"].values()) == [1, 2]


def test_retired_and_proposed_offers_are_not_listed(make_offer, make_user, west):
    from regionmap.catalogue import propose_offer, retire_offer

    retired = make_offer(title="Oud aanbod")
    retire_offer(retired)
    propose_offer(OfferFields(title="Voorstel", region=west), make_user())
    db.session.commit()

    assert search_offers(OfferFilter()).total == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": " "}, "title"),
        ({"region": None}, "region"),
        ({"kind": "onbekend"}, "kind"),
        ({"age_min": 15, "age_max": 12}, "age_min"),
        ({"age_max": 99}, "age_max"),
        ({"access_routes": ["telepathie"]}, "access_routes"),
        ({"website": "javascript:alert(1)"}, "website"),
    ],
)
def test_a_bad_field_is_refused_and_nothing_is_stored(west, overrides, field):
    values = {"title": "Aanbod", "region": west, **overrides}
    with pytest.raises(OfferRefused) as refused:
        create_offer(OfferFields(**values), by=None)
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0


def test_the_privacy_guard_refuses_a_child_s_data_in_free_text(app, west):
    fields = OfferFields(
        title="Aanbod",
        region=west,
        target_group="Bijvoorbeeld Lotte, geboren op 12/03/2012, Kerkstraat 5 in Brugge.",
    )
    with pytest.raises(PersonalDataInRecord) as refused:
        create_offer(fields, by=None)
    db.session.rollback()
    assert refused.value.field == "target_group"
    with app.test_request_context():
        assert "geboortedatum" in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0


def test_a_record_not_checked_for_twelve_months_is_flagged(make_offer, coordinator, antwerp):
    today = dt.date(2026, 12, 7)
    fresh = make_offer(title="Vers", last_checked_on=today - dt.timedelta(days=30))
    old = make_offer(title="Oud", last_checked_on=today - dt.timedelta(days=400))
    elsewhere = make_offer(
        title="Elders", region=antwerp, last_checked_on=today - dt.timedelta(days=400)
    )

    assert is_stale(old, today) and not is_stale(fresh, today)
    assert stale_offers(coordinator, today) == [old]
    assert elsewhere not in stale_offers(coordinator, today)


# --- pages -----------------------------------------------------------------------------


def test_catalogue_page_filters_and_shows_the_offer(client, make_offer, west, provider):
    make_offer(title="NAFT Brugge", providers=[provider], municipality="Brugge")
    make_offer(title="Time-out Kortrijk", kind="time_out")

    page = client.get("/aanbod?regio=west-vlaanderen&soort=naft").get_data(as_text=True)

    assert "NAFT Brugge" in page
    assert "Time-out Kortrijk" not in page
    assert "NAFT-aanbieder Brugge" in page


@pytest.mark.parametrize(
    "query", ["regio=nergens", "soort=ufo", "leeftijd=veertien", "toegang=x", "pagina=0"]
)
def test_catalogue_refuses_an_unknown_filter_with_a_message(client, west, query):
    response = client.get(f"/aanbod?{query}")
    assert response.status_code == 400
    assert "Ongeldige filter" in response.get_data(as_text=True)


def test_an_offer_page_hides_internal_fields_from_visitors(
    client, sign_in_as, make_offer, coordinator, other_coordinator
):
    offer = make_offer(
        title="Time-out",
        waiting_time="6 weken",
        capacity="12 plaatsen",
        internal_fields=["waiting_time"],
        internal_note="Budget loopt af in juni.",
    )

    public = client.get(f"/aanbod/{offer.slug}").get_data(as_text=True)
    assert "12 plaatsen" in public
    assert "6 weken" not in public and "Budget loopt af" not in public

    sign_in_as(other_coordinator)
    assert "6 weken" not in client.get(f"/aanbod/{offer.slug}").get_data(as_text=True)

    sign_in_as(coordinator)
    own = client.get(f"/aanbod/{offer.slug}").get_data(as_text=True)
    assert "6 weken" in own and "Budget loopt af in juni." in own


def test_catalogue_queries_stay_constant_as_it_grows(
    client, make_offer, provider, themes, count_queries
):
    def queries_for_catalogue() -> int:
        forget_loaded_objects()
        with count_queries() as statements:
            assert client.get("/aanbod?regio=west-vlaanderen").status_code == 200
        return len(statements)

    make_offer(providers=[provider], themes=list(themes))
    few = queries_for_catalogue()
    for _ in range(15):
        make_offer(providers=[provider], themes=list(themes))
    assert queries_for_catalogue() == few
