"""Statistics: signals raised per region and theme, bundles passed on and answered (issue 18,
"signals raised and passed on"), with the small-cell rule and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from community.core.extensions import db
from reporting.statistics import Scope, compute_statistics, shown, signal_figures
from signals.models import Answer, Signal, SignalBundle, State
from tests.reporting import helpers as h
from tests.reporting.helpers import YEAR, at


def _signal(region, reporter, day, themes=(), state=State.NEW, bundle=None) -> Signal:
    signal = Signal(
        title="Geen dagbesteding",
        description="Jongeren zitten weken thuis.",
        region=region,
        reporter=reporter,
        created_at=at(day),
        state=state,
        bundle=bundle,
    )
    signal.themes = list(themes)
    db.session.add(signal)
    return signal


def _bundle(region, passed_on: dt.date | None, answered: list[dt.date] = ()) -> SignalBundle:
    bundle = SignalBundle(
        title="Dagbesteding",
        region=region,
        state=State.PASSED_ON if passed_on else State.BUNDLED,
        passed_to="Vlaams Parlement" if passed_on else "",
        passed_on_at=at(passed_on) if passed_on else None,
    )
    db.session.add(bundle)
    for day in answered:
        db.session.add(Answer(answered_by="Minister", received_on=day, body="…", bundles=[bundle]))
    return bundle


@pytest.fixture
def world(app, make_user):
    wvl = h.region("west-vlaanderen", "West-Vlaanderen", 1)
    lim = h.region("limburg", "Limburg", 2)
    ant = h.region("antwerpen", "Antwerpen", 3)
    t1, t2 = h.theme(1), h.theme(2)
    reporter = make_user()
    for i in range(4):
        _signal(wvl, reporter, dt.date(2025, 10, 1 + i), themes=[t1])
    _signal(wvl, reporter, dt.date(2026, 2, 1), themes=[t1, t2])
    _signal(wvl, reporter, dt.date(2026, 2, 2), state=State.WITHDRAWN)  # does not count
    _signal(wvl, reporter, dt.date(2024, 12, 1))  # before the period
    _signal(lim, reporter, dt.date(2026, 3, 1), themes=[t2])
    # passed on in the period, answered twice (once in, once after the period)
    _bundle(wvl, dt.date(2025, 11, 1), [dt.date(2026, 1, 5), dt.date(2026, 9, 15)])
    _bundle(wvl, dt.date(2024, 11, 1), [dt.date(2025, 10, 1)])  # passed on before, answered in
    _bundle(wvl, None)  # not passed on
    # made by Antwerpen's coordinator but holding a West-Vlaanderen signal: counts for both
    shared = _bundle(ant, dt.date(2026, 4, 1))
    _signal(wvl, reporter, dt.date(2024, 10, 1), bundle=shared)
    _bundle(lim, dt.date(2026, 4, 1))
    db.session.commit()
    return {"wvl": wvl, "lim": lim, "ant": ant, "reporter": reporter}


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def test_signals_raised_per_region_and_theme(in_request, world):
    table = compute_statistics(Scope((world["wvl"], world["lim"])), YEAR).table("signals")
    assert table.row(f"region-{world['wvl'].id}").values == ["×", 5, 1]  # protects a < 3
    assert table.row(f"region-{world['lim'].id}").values == [1, 0, 1]
    assert table.row("total").values == [6, 5, 2]
    row = table.row(f"region-{world['lim'].id}")
    assert [shown(v, c) for v, c in zip(row.values, table.columns, strict=True)] == [
        "< 3",
        "0",
        "< 3",
    ]
    network = compute_statistics(Scope(), YEAR).table("signals")
    assert [row.label for row in network.rows] == ["West-Vlaanderen", "Limburg", "Totaal"]


def test_bundles_passed_on_and_answered_in_the_period(in_request, world):
    table = compute_statistics(Scope((world["wvl"],)), YEAR).table("signal_bundles")
    assert [row.values[0] for row in table.rows] == [2, 2, 2]
    limburg = compute_statistics(Scope((world["lim"],)), YEAR).table("signal_bundles")
    assert [row.values[0] for row in limburg.rows] == [1, 0, 0]
    network = compute_statistics(Scope(), YEAR).table("signal_bundles")
    assert [row.values[0] for row in network.rows] == [3, 2, 2]


def _grow(world, times: int) -> None:
    for _i in range(times):
        bundle = _bundle(world["wvl"], dt.date(2025, 12, 1), [dt.date(2026, 1, 1)])
        _signal(world["wvl"], world["reporter"], dt.date(2025, 12, 1), bundle=bundle)
    db.session.commit()


def test_the_figures_take_the_same_number_of_queries_at_any_size(in_request, world, count_queries):
    scope = Scope((world["wvl"],))
    db.session.expire_all()
    with count_queries() as small:
        signal_figures(scope, YEAR)
    _grow(world, 20)
    db.session.expire_all()
    with count_queries() as large:
        tables = signal_figures(scope, YEAR)
    assert tables[0].row("total").values[0] == 25
    assert tables[1].row("passed_on").values[0] == 22
    assert len(small) == len(large)
    assert len([q for q in large if "signal" in q]) == 4


def test_page_xlsx_and_pdf_show_the_signals(world, client, make_user, sign_in_as):
    sign_in_as(make_user("coordinator", regions=[world["lim"]]))
    query = "?van=2025-09-01&tot=2026-08-31"
    html = client.get("/statistieken/limburg" + query).get_data(as_text=True)
    assert "Signalen per regio en thema" in html and "bundels doorgegeven" in html
    assert "Geen dagbesteding" not in html  # aggregates only, never a signal's text
    response = client.get("/statistieken/limburg/cijfers.xlsx" + query)
    rows = [
        tuple(row)
        for sheet in load_workbook(io.BytesIO(response.data)).worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    assert ("Limburg", "< 3", 0, "< 3") in [r[:4] for r in rows]
    assert ("bundels doorgegeven", 1) in [r[:2] for r in rows]
    pdf = client.get("/statistieken/limburg/grafieken.pdf" + query)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
