"""The regional map in Chromium (issue 15): a partner on a phone finds NAFT in three clicks."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import COORDINATOR


def test_naft_for_a_fourteen_year_old_in_west_flanders_in_three_clicks_on_a_phone(new_page):
    page = new_page(width="phone")
    page.goto("/")
    page.locator(".main-nav").get_by_role("link", name="Aanbod").click()  # 1
    page.get_by_role("link", name="West-Vlaanderen").first.click()  # 2
    page.get_by_role("link", name="NAFT", exact=True).click()  # 3

    expect(page).to_have_url(re.compile(r"regio=west-vlaanderen.*soort=naft|soort=naft.*regio="))
    result = page.locator("main .offer-card")
    expect(result.first).to_contain_text("12–18 jaar")
    expect(result.first).to_contain_text("NAFT-trajecten West-Vlaanderen")
    # Only NAFT of West-Vlaanderen: nothing of Antwerp's NAFT providers.
    expect(page.locator("main").get_by_text("Elegast")).to_have_count(0)

    # The age filter (the filters stand open once one is chosen) keeps what fits a 14-year-old.
    page.get_by_label("Leeftijd (jaar)").fill("14")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    expect(page).to_have_url(re.compile(r"leeftijd=14"))
    page.get_by_role("link", name="NAFT-trajecten West-Vlaanderen").click()
    expect(page.get_by_role("heading", name="Praktisch contact")).to_be_visible()


def test_the_overview_map_links_each_province_to_its_offer(new_page):
    page = new_page()
    page.goto("/omgevingsanalyse")
    page.locator("svg.province-map a[href*='regio=antwerpen']").click()
    expect(page).to_have_url(re.compile(r"/aanbod\?regio=antwerpen"))
    expect(page.locator("main .offer-card").first).to_be_visible()


def test_coordinator_marks_a_stale_record_checked_from_the_keeping_page(new_page):
    page = new_page(user=COORDINATOR)
    page.goto("/aanbod/beheer")
    expect(page.get_by_role("heading", name="Langer dan een jaar niet nagekeken")).to_be_visible()
    page.goto("/aanbod/naft-west-vlaanderen")
    page.get_by_role("button", name="Nagekeken: klopt nog").click()
    expect(page.get_by_text("Het aanbod is gemarkeerd als nagekeken.")).to_be_visible()
