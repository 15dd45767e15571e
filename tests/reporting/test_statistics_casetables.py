"""Statistics of the case tables (issue 19, "In the statistics"): requests per region, the
median time to a table, outcomes by kind; anonymous, small cells hidden, a fixed number of
queries, on the page and in the XLSX."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from openpyxl import load_workbook

from casetables.models import CaseRequest
from community.core.extensions import db
from reporting.statistics import Scope, case_table_figures, compute_statistics, shown
from tests.reporting import helpers as h
from tests.reporting.helpers import YEAR, at

_codes = itertools.count(1)
SECRET = "Spijbelt sinds de herfstvakantie."


def _case(region, filed: dt.date, table_days=None, outcome=None, kind=None, closed=None):
    case = CaseRequest(
        code=f"C-STAT-{next(_codes):02d}",
        region=region,
        age_group="12-15",
        school_level="secundair_1",
        stuck=SECRET,
        tried="CLB",
        question="Wat nu?",
        created_at=at(filed),
        state="closed" if outcome else "requested",
    )
    if table_days is not None:
        case.table_at = at(filed) + dt.timedelta(days=table_days)
    if outcome:
        case.outcome, case.outcome_offer_kind = outcome, kind
        case.closed_at = at(closed or filed + dt.timedelta(days=40))
    db.session.add(case)
    return case


@pytest.fixture
def world(app):
    wvl = h.region("west-vlaanderen", "West-Vlaanderen", 1)
    lim = h.region("limburg", "Limburg", 2)
    for days in (4, 10, 30):
        _case(wvl, dt.date(2025, 10, 1), days, "no_fit", "dagbesteding")
    _case(wvl, dt.date(2025, 11, 1), 6, "offer_found", "naft")
    _case(wvl, dt.date(2025, 12, 1))  # no table yet
    _case(wvl, dt.date(2024, 12, 1), 5, "custom", "time_out", closed=dt.date(2025, 1, 1))
    _case(lim, dt.date(2026, 3, 1), 8, "no_fit", "dagbesteding")
    db.session.commit()
    return {"wvl": wvl, "lim": lim}


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def test_requests_and_the_median_time_to_a_table_per_region(in_request, world):
    alone = compute_statistics(Scope((world["wvl"],)), YEAR).table("case_tables")
    assert alone.row(f"region-{world['wvl'].id}").values == [5, 4, 8.0]  # median of 4,6,10,30
    table = compute_statistics(Scope((world["wvl"], world["lim"])), YEAR).table("case_tables")
    # Limburg's single case shows "< 3": West-Vlaanderen's cells hide it from the total.
    assert table.row(f"region-{world['wvl'].id}").values == ["×", "×", 8.0]
    assert table.row(f"region-{world['lim'].id}").values == [1, 1, None]  # one table: hidden
    assert table.row("total").values == [6, 5, 8.0]
    row = table.row(f"region-{world['lim'].id}")
    assert [shown(v, c) for v, c in zip(row.values, table.columns, strict=True)] == [
        "< 3",
        "< 3",
        "–",
    ]


def test_outcomes_by_kind_closed_in_the_period(in_request, world):
    table = compute_statistics(Scope(), YEAR).table("case_outcomes")
    assert [c.label for c in table.columns] == [
        "aanbod gevonden",
        "maatwerk afgesproken",
        "geen passend aanbod",
    ]
    assert table.row("kind-dagbesteding").values == [0, 0, 4]
    assert table.row("kind-naft").values == [1, 0, 0]
    assert table.row("kind-time_out") is None  # closed before the period
    assert table.row("total").values == [1, 0, 4]


def test_the_figures_take_the_same_number_of_queries_at_any_size(in_request, world, count_queries):
    scope = Scope((world["wvl"],))
    db.session.expire_all()
    with count_queries() as small:
        case_table_figures(scope, YEAR)
    for _ in range(20):
        _case(world["wvl"], dt.date(2026, 1, 5), 3, "no_fit", "naft")
    db.session.commit()
    db.session.expire_all()
    with count_queries() as large:
        tables = case_table_figures(scope, YEAR)
    assert tables[0].row("total").values[0] == 25
    assert len(small) == len(large)
    assert len([q for q in large if "case_requests" in q]) == 3


def test_page_and_xlsx_show_the_case_tables_and_no_case_text(world, client, make_user, sign_in_as):
    sign_in_as(make_user("coordinator", regions=[world["wvl"]]))
    query = "?van=2025-09-01&tot=2026-08-31"
    html = client.get("/statistieken/west-vlaanderen" + query).get_data(as_text=True)
    assert "Casustafels: aanvragen en tijd tot een tafel" in html
    assert "Casustafels: uitkomst per soort aanbod" in html
    assert SECRET not in html and "C-STAT" not in html
    response = client.get("/statistieken/west-vlaanderen/cijfers.xlsx" + query)
    rows = [
        tuple(row)
        for sheet in load_workbook(io.BytesIO(response.data)).worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    assert ("West-Vlaanderen", 5, 4, 8) in [r[:4] for r in rows]
    assert ("alternatieve dagbesteding", 0, 0, 3) in [r[:4] for r in rows]
    assert not any(SECRET in str(cell) for row in rows for cell in row)
