"""Statistics: the evaluation scores of the period's activities (issue 18 with issue 17's
anonymity rule: an activity with fewer than 3 answers is left out of every breakdown)."""

from __future__ import annotations

import datetime as dt
import io
import secrets

import pytest
from openpyxl import load_workbook

from community.core.extensions import db
from events.models import Evaluation, EventType
from reporting.statistics import Scope, compute_statistics, evaluation_figures, shown
from tests.reporting import helpers as h
from tests.reporting.helpers import YEAR, at


def _evaluate(event, *scores: tuple[int, int, int] | dict) -> None:
    for score in scores:
        answers = (
            score
            if isinstance(score, dict)
            else dict(zip(("content", "practice", "organisation"), score, strict=True))
        )
        db.session.add(Evaluation(id=secrets.token_hex(16), event_id=event.id, answers=answers))


@pytest.fixture
def world(app):
    wvl = h.region("west-vlaanderen", "West-Vlaanderen", 1)
    lim = h.region("limburg", "Limburg", 2)
    meeting = h.activity(wvl, at(dt.date(2025, 10, 2)))
    other_meeting = h.activity(wvl, at(dt.date(2025, 11, 2)))
    day = h.activity(wvl, at(dt.date(2026, 3, 12)), EventType.INSPIRATION_DAY)
    lonely = h.activity(wvl, at(dt.date(2026, 4, 2)), EventType.TRAINING)
    before = h.activity(wvl, at(dt.date(2024, 10, 2)))
    elsewhere = h.activity(lim, at(dt.date(2026, 1, 20)))
    db.session.flush()
    _evaluate(meeting, (5, 4, 3), (4, 4, 4), (3, 2, 5))
    _evaluate(other_meeting, (5, 5, 5), (5, 5, 5), (5, 5, 5), {"content": 1, "take_away": "x"})
    # 3 evaluations but only 2 answer the organisation question: that mean is hidden
    _evaluate(day, (2, 3, 4), (4, 3, 2), {"content": 3, "practice": 3})
    _evaluate(lonely, (1, 1, 1), (1, 1, 1))  # 2 answers: left out of every breakdown
    _evaluate(before, (1, 1, 1), (1, 1, 1), (1, 1, 1))
    _evaluate(elsewhere, (2, 2, 2), (2, 2, 2), (2, 2, 2))
    db.session.commit()
    return {"wvl": wvl, "lim": lim}


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def _table(scope):
    return compute_statistics(scope, YEAR).table("evaluations")


def test_scores_per_type_count_answers_and_means(in_request, world):
    table = _table(Scope((world["wvl"],)))
    answers = compute_statistics(Scope((world["wvl"],)), YEAR).table("evaluation_answers")
    # 2 activities, 7 evaluations; content (5+4+3+5+5+5+1)/7, practice 25/6, organisation 27/6
    assert table.row("network_meeting").values == [2, 7, 4.0, 4.2, 4.5]
    assert answers.row("network_meeting").values == [7, 6, "×"]  # protects a "< 3" cell
    day = table.row("inspiration_day")
    assert day.values == [1, 3, 3.0, 3.0, None]  # organisation: 2 answers, no mean
    assert answers.row("inspiration_day").values == [3, 3, 2]
    assert table.row("total").values == [3, 10, 3.7, 3.8, 4.1]
    assert answers.row("total").values == [10, 9, 8]
    assert [shown(v, c) for v, c in zip(day.values, table.columns, strict=True)] == [
        "1",
        "3",
        "3.0",
        "3.0",
        "–",
    ]
    row = answers.row("inspiration_day")
    assert [shown(v, c) for v, c in zip(row.values, answers.columns, strict=True)] == [
        "3",
        "3",
        "< 3",
    ]


def test_an_activity_with_fewer_than_three_answers_is_left_out(in_request, world):
    table = _table(Scope((world["wvl"],)))
    assert table.row("training") is None  # its 2 answers appear nowhere
    assert table.row("total").values[:2] == [3, 10]
    network = _table(Scope())
    assert network.row("network_meeting").values[:2] == [3, 10]  # with Limburg's
    assert network.row("training") is None


def _grow(world, times: int) -> None:
    for i in range(times):
        event = h.activity(world["wvl"], at(dt.date(2025, 12, 1) + dt.timedelta(days=i)))
        db.session.flush()
        _evaluate(event, (4, 4, 4), (4, 4, 4), (4, 4, 4))
    db.session.commit()


def test_the_figures_take_the_same_number_of_queries_at_any_size(in_request, world, count_queries):
    scope = Scope((world["wvl"],))
    db.session.expire_all()
    with count_queries() as small:
        evaluation_figures(scope, YEAR)
    _grow(world, 20)
    db.session.expire_all()
    with count_queries() as large:
        table = evaluation_figures(scope, YEAR)[0]
    assert table.row("network_meeting").values[:2] == [22, 67]
    assert len(small) == len(large)
    assert len([q for q in large if "FROM evaluations" in q]) == 1


def test_page_xlsx_and_pdf_show_the_scores(world, client, make_user, sign_in_as):
    sign_in_as(make_user("coordinator", regions=[world["wvl"]]))
    query = "?van=2025-09-01&tot=2026-08-31"
    html = client.get("/statistieken/west-vlaanderen" + query).get_data(as_text=True)
    assert "Evaluatiescores per soort activiteit" in html
    assert "Score organisatie" in html
    response = client.get("/statistieken/west-vlaanderen/cijfers.xlsx" + query)
    rows = [
        tuple(row)
        for sheet in load_workbook(io.BytesIO(response.data)).worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    flat = [cell for row in rows for cell in row if cell is not None]
    assert "Evaluatiescores per soort activiteit" in flat
    assert ("inspiratiedagen", 1, 3, 3.0, 3.0, "–") in [r[:6] for r in rows]
    assert ("inspiratiedagen", 3, 3, "< 3") in [r[:4] for r in rows]
    pdf = client.get("/statistieken/west-vlaanderen/grafieken.pdf" + query)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
