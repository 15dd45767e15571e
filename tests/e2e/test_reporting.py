"""A coordinator opens the statistics of West-Vlaanderen for last school year in Chromium and
downloads the figures (XLSX) and the charts with their tables (PDF) (issue 18)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from community.core.db import utcnow
from reporting.period import last_school_year, local_today

from .conftest import COORDINATOR, MEMBER, screenshot


def test_coordinator_opens_west_vlaanderen_and_downloads_xlsx_and_pdf(new_page):
    page = new_page(user=COORDINATOR)
    page.goto("/")
    page.get_by_role("link", name="Statistieken").click()
    year = last_school_year(local_today(utcnow()))
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistieken: West-Vlaanderen")
    expect(page.get_by_label("Van")).to_have_value(year.first.isoformat())
    expect(page.get_by_label("Tot en met")).to_have_value(year.last.isoformat())
    page.get_by_label("Vergelijken met heel Vlaanderen en Brussel").check()
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("heading", name="Inschrijvingen en aanwezigheid")).to_be_visible()
    expect(
        page.get_by_role("columnheader", name="Inschrijvingen – Vlaanderen en Brussel")
    ).to_be_visible()
    screenshot(page, "statistieken-west-vlaanderen", "desktop")

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Cijfers downloaden (XLSX)").click()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename == (
        f"statistieken-west-vlaanderen-{year.first}-{year.last}.xlsx"
    )
    sheet = load_workbook(io.BytesIO(xlsx.path().read_bytes())).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Statistieken: West-Vlaanderen" in cells and "Activiteiten per soort en thema" in cells

    # WeasyPrint draws a dozen charts: allow it the time a shared test machine needs.
    with page.expect_download(timeout=90_000) as pdf_download:
        page.get_by_role("link", name="Grafieken en tabellen downloaden (PDF)").click(
            timeout=90_000
        )
    pdf = pdf_download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_the_member_menu_has_no_statistics_or_project_group(new_page):
    page = new_page(user=MEMBER)
    page.goto("/")
    expect(page.get_by_role("link", name="Statistieken")).to_have_count(0)
    expect(page.get_by_role("link", name="Projectgroep")).to_have_count(0)
    assert page.goto("/projectgroep").status == 403
