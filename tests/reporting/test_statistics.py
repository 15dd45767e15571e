"""Statistics of a region or the whole network for a period: the figures, the small-cell rule,
the fixed number of queries, the page, its downloads and who may see them (issue 18)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from community.accounts.models import Sector
from community.core.db import utcnow
from community.core.extensions import db
from events.gdpr import anonymise_registration
from events.models import EventStatus, EventType, RegistrationState
from forums.models import Forum
from reporting.period import BadPeriod, Period, last_school_year, local_today, parse_period
from reporting.statistics import Scope, compute_statistics, scope_of, shown
from tests.reporting import helpers as h
from tests.reporting.helpers import YEAR, at


@pytest.fixture
def world(app):
    """West-Vlaanderen with a year of activity, Limburg with a little, and things outside."""
    wvl = h.region("west-vlaanderen", "West-Vlaanderen", 1)
    lim = h.region("limburg", "Limburg", 2)
    t1, t2 = h.theme(1), h.theme(2)
    school = h.organisation("GO! school Brugge", Sector.EDUCATION, "school", wvl)
    clb = h.organisation("VCLB Brugge", Sector.EDUCATION, "CLB", wvl)
    aura = h.organisation("vzw AURA", Sector.WELFARE, "jeugdhulpaanbieder", wvl)
    old = h.activity(wvl, at(dt.date(2024, 11, 5)))  # the year before: the CLB came then
    h.registration(old, "oud@clb.be", clb, attended=True)
    meeting = h.activity(wvl, at(dt.date(2025, 10, 2)), themes=[t1])
    day = h.activity(wvl, at(dt.date(2026, 3, 12)), EventType.INSPIRATION_DAY, themes=[t1, t2])
    h.activity(wvl, at(dt.date(2026, 4, 1)), status=EventStatus.DRAFT)  # does not count
    h.activity(wvl, at(dt.date(2026, 9, 1), 8))  # 10:00 Brussels on 1 Sept: next year
    h.registration(meeting, "an@school.be", school, attended=True)
    h.registration(meeting, "bart@school.be", school, attended=True)
    h.registration(meeting, "cis@school.be", school, attended=False)
    h.registration(meeting, "dirk@clb.be", clb, attended=True)
    h.registration(meeting, "wacht@school.be", school, state=RegistrationState.WAITLISTED)
    for i in range(4):
        h.registration(day, f"p{i}@aura.be", aura, attended=True)
    h.registration(day, "an@school.be", school, attended=True)  # An again: one person
    h.registration(day, "weg@school.be", school, state=RegistrationState.CANCELLED)
    gone = h.registration(day, "verwijderd@aura.be", aura, attended=True)
    h.activity(lim, at(dt.date(2026, 1, 20)), EventType.TRAINING, themes=[t2])
    h.material(wvl, at(dt.date(2025, 12, 1)), downloads=7, themes=[t2])
    h.material(wvl, at(dt.date(2024, 12, 1)), downloads=50)  # shared before the period
    h.practice(wvl, at(dt.date(2026, 2, 2)), themes=[t2])
    forum = Forum(slug="thema-1", name="Thema 1", theme=t1)
    db.session.add(forum)
    h.forum_post(forum, wvl, at(dt.date(2026, 1, 5)))
    h.forum_post(forum, lim, at(dt.date(2026, 1, 6)))
    db.session.flush()
    anonymise_registration(gone)  # a deleted account's place: counted, never as a person
    db.session.commit()
    return {"wvl": wvl, "lim": lim, "meeting": meeting, "day": day}


@pytest.fixture
def in_request(app):
    """A request context: the figures' labels are translated (Dutch by default)."""
    with app.test_request_context():
        yield


def test_last_school_year_runs_from_september_to_august():
    assert last_school_year(dt.date(2026, 12, 7)) == YEAR
    assert last_school_year(dt.date(2026, 8, 31)) == Period(
        dt.date(2024, 9, 1), dt.date(2025, 8, 31)
    )
    assert last_school_year(dt.date(2026, 9, 1)) == YEAR


def test_period_bounds_are_local_midnights_in_utc():
    assert YEAR.starts_at == dt.datetime(2025, 8, 31, 22, tzinfo=dt.UTC)  # summer time
    assert YEAR.ends_at == dt.datetime(2026, 8, 31, 22, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2026-13-01", "2026-12-31"),
        ("2026-05-01", "2026-04-01"),
        ("gisteren", ""),
        ("2000-01-01", "2026-01-01"),
        # Short, but at the edge of the calendar: local midnight in UTC overflowed (a 500).
        ("0001-01-01", "0001-01-05"),
        ("9999-12-20", "9999-12-31"),
    ],
)
def test_a_bad_period_is_refused(first, last):
    with pytest.raises(BadPeriod):
        parse_period(first, last, YEAR)


def test_activities_are_counted_by_type_and_theme(in_request, world):
    table = compute_statistics(Scope((world["wvl"],)), YEAR).table("activities")
    assert table.row("network_meeting").values == [1, 1, 0]
    assert table.row("inspiration_day").values == [1, 1, 1]
    assert table.row("total").values == [2, 2, 1]  # no draft, nothing outside the year


def test_registrations_presence_and_no_shows(in_request, world):
    table = compute_statistics(Scope((world["wvl"],)), YEAR).table("registrations")
    # confirmed, present, no-show, unrecorded, waiting list, cancelled
    assert table.row("network_meeting").values == [4, 3, 1, 0, 1, 0]
    assert table.row("inspiration_day").values == [6, 6, 0, 0, 0, 1]
    assert table.row("total").values == [10, 9, 1, 0, 1, 1]


def test_people_are_counted_once_and_a_deleted_account_never_as_a_person(in_request, world):
    statistics = compute_statistics(Scope((world["wvl"],)), YEAR)
    sectors = statistics.table("sectors")
    # 10 participations; An twice is one person; the anonymised place is no person.
    assert sectors.row("total").values == [10, 8]
    assert sectors.row("onderwijs").values == [5, 4]
    assert sectors.row("welzijn").values == ["×", 4]  # hides a small cell of its column
    assert sectors.row("-").values == [1, 0]
    assert "1" in sectors.note
    kinds = statistics.table("organisation_kinds")
    assert kinds.row("school").values == [4, "×"]  # protects the CLB's lone "< 3"
    assert kinds.row("CLB").values == [1, 1]
    assert kinds.row("-").values == [1, 0]  # no organisation: one "unknown" row


def test_organisations_reached_new_and_returning(in_request, world):
    table = compute_statistics(Scope((world["wvl"],)), YEAR).table("organisations")
    assert table.row("total").values == [3]
    assert table.row("new").values == [2]  # the school and AURA
    assert table.row("returning").values == [1]  # the CLB came the year before


def test_materials_practices_and_forum_of_the_period(in_request, world):
    statistics = compute_statistics(Scope((world["wvl"],)), YEAR)
    assert statistics.table("materials").row("total").values == [1, 7]
    library = statistics.table("library_themes")
    assert library.row("theme-2").values == [1, 1]
    assert library.row("total").values == [1, 1]
    forums = statistics.table("forums")
    assert forums.row("total").values[:2] == [1, 1]


def test_the_whole_network_adds_up_every_region(in_request, world):
    statistics = compute_statistics(Scope(), YEAR)
    assert statistics.table("activities").row("total").values[0] == 3
    assert statistics.table("forums").row("total").values[:2] == [2, 2]
    several = compute_statistics(Scope((world["wvl"], world["lim"])), YEAR)
    assert several.table("activities").row("training").values == [1, 0, 1]


def test_a_cell_of_one_or_two_people_is_shown_as_less_than_three(in_request, world):
    table = compute_statistics(Scope((world["wvl"],)), YEAR).table("registrations")
    columns = table.columns
    row = table.row("network_meeting")
    assert [shown(v, c) for v, c in zip(row.values, columns, strict=True)] == [
        "4",
        "3",
        "< 3",
        "0",
        "< 3",
        "0",
    ]


def _grow(world, times: int) -> None:
    """Add ``times`` activities with registrations, materials and posts to West-Vlaanderen."""
    forum = db.session.query(Forum).one()
    for i in range(times):
        event = h.activity(world["wvl"], at(dt.date(2025, 11, 1) + dt.timedelta(days=i)))
        org = h.organisation(f"School {i}", Sector.EDUCATION, "school", world["wvl"])
        for j in range(3):
            h.registration(event, f"x{i}-{j}@school.be", org, attended=j != 0)
        h.material(world["wvl"], at(dt.date(2025, 11, 1)), downloads=i)
        h.practice(world["wvl"], at(dt.date(2025, 11, 2)))
        h.forum_post(forum, world["wvl"], at(dt.date(2025, 11, 3)))
    db.session.commit()


def test_every_figure_takes_the_same_number_of_queries_at_any_size(
    in_request, world, count_queries
):
    scope = Scope((world["wvl"],))
    db.session.expire_all()
    with count_queries() as small:
        compute_statistics(scope, YEAR)
    _grow(world, 25)
    db.session.expire_all()
    with count_queries() as large:
        statistics = compute_statistics(scope, YEAR)
    assert statistics.table("activities").row("total").values[0] == 27
    assert len(small) == len(large)
    assert len(large) <= 28  # 18 + evaluation scores (1) + signals (4) + case tables (3), room


def test_scope_of_reads_slugs_and_refuses_unknown_ones(world):
    assert scope_of("heel-vlaanderen") == Scope()
    assert scope_of("limburg+west-vlaanderen").regions == (world["wvl"], world["lim"])
    assert scope_of("west-vlaanderen+nergens") is None
    assert scope_of("limburg+limburg") is None


# --- the page ------------------------------------------------------------------------------


def test_coordinator_sees_the_statistics_of_their_region(world, client, make_user, sign_in_as):
    coordinator = make_user("coordinator", regions=[world["wvl"]])
    sign_in_as(coordinator)
    page = client.get("/statistieken/west-vlaanderen?van=2025-09-01&tot=2026-08-31")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Activiteiten per soort en thema" in html
    assert 'src="data:image/svg+xml;base64,' in html  # charts
    assert "an@school.be" not in html and "GO! school Brugge" not in html  # no names
    assert "&lt; 3" in html


def test_the_page_opens_on_the_own_region_and_last_school_year(
    world, client, make_user, sign_in_as
):
    sign_in_as(make_user("coordinator", regions=[world["wvl"]]))
    page = client.get("/statistieken")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Statistieken: West-Vlaanderen" in html
    default = last_school_year(local_today(utcnow()))
    assert f'value="{default.first}"' in html and f'value="{default.last}"' in html
    chosen = client.get("/statistieken?regio=west-vlaanderen&van=2025-01-01&tot=2025-12-31")
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == (
        "/statistieken/west-vlaanderen?van=2025-01-01&tot=2025-12-31"
    )


def test_coordinator_of_another_region_is_refused(world, client, make_user, sign_in_as):
    sign_in_as(make_user("coordinator", regions=[world["lim"]]))
    for url in (
        "/statistieken/west-vlaanderen",
        "/statistieken/west-vlaanderen+limburg",
        "/statistieken/west-vlaanderen/cijfers.xlsx",
        "/statistieken/west-vlaanderen/grafieken.pdf",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/statistieken/limburg").status_code == 200
    assert client.get("/statistieken/heel-vlaanderen").status_code == 200  # to compare


def test_members_and_visitors_see_no_statistics(world, client, make_user, sign_in_as):
    assert client.get("/statistieken/heel-vlaanderen").status_code == 302  # to login
    sign_in_as(make_user())
    assert client.get("/statistieken/heel-vlaanderen").status_code == 403
    assert client.get("/statistieken").status_code == 403


def test_a_bad_period_gets_a_message_and_400(world, client, make_user, sign_in_as):
    sign_in_as(make_user("admin"))
    page = client.get("/statistieken/west-vlaanderen?van=2026-05-01&tot=2026-04-01")
    assert page.status_code == 400
    assert "Kies een geldige periode" in page.get_data(as_text=True)
    assert client.get("/statistieken/west-vlaanderen/cijfers.xlsx?van=x&tot=y").status_code == 400
    assert client.get("/statistieken/nergens").status_code == 404


def test_comparison_with_the_whole_network_adds_a_column(world, client, make_user, sign_in_as):
    sign_in_as(make_user("coordinator", regions=[world["wvl"]]))
    page = client.get("/statistieken/west-vlaanderen?van=2025-09-01&tot=2026-08-31&vergelijk=1")
    assert "Activiteiten – Vlaanderen en Brussel" in page.get_data(as_text=True)


def test_xlsx_holds_the_figures_with_small_cells_hidden(world, client, make_user, sign_in_as):
    sign_in_as(make_user("coordinator", regions=[world["wvl"]]))
    response = client.get(
        "/statistieken/west-vlaanderen/cijfers.xlsx?van=2025-09-01&tot=2026-08-31"
    )
    assert response.status_code == 200
    assert (
        "statistieken-west-vlaanderen-2025-09-01-2026-08-31.xlsx"
        in response.headers["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    flat = [cell for row in rows for cell in row if cell is not None]
    assert "Inschrijvingen en aanwezigheid" in flat
    meeting = next(r for r in rows if r[0] == "netwerkmomenten" and r[5] is not None)
    assert meeting[1:7] == (4, 3, "< 3", 0, "< 3", 0)
    assert "an@school.be" not in flat


def test_pdf_holds_charts_and_tables(world, client, make_user, sign_in_as):
    sign_in_as(make_user("admin"))
    response = client.get(
        "/statistieken/west-vlaanderen/grafieken.pdf?van=2025-09-01&tot=2026-08-31"
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_the_page_speaks_english(world, client, make_user, sign_in_as):
    sign_in_as(make_user("admin", locale="en"))
    html = client.get("/statistieken/west-vlaanderen?van=2025-09-01&tot=2026-08-31").get_data(
        as_text=True
    )
    assert "Activities by type and theme" in html


def test_a_lone_small_cell_cannot_be_worked_out_from_the_total():
    """Tester's case (issue 18): registrations 12 = 5 + 6 + hidden; a second cell is hidden."""
    from reporting.statistics import (
        SUPPRESSED,
        Column,
        FigureRow,
        FigureTable,
        protect_small_cells,
        shown,
    )

    people = Column("inschrijvingen", is_people=True)
    table = FigureTable(
        key="t",
        title="Inschrijvingen",
        row_header="soort",
        columns=[people, Column("activiteiten")],
        rows=[
            FigureRow("a", "vorming", [5, 1]),
            FigureRow("b", "studiedag", [6, 2]),
            FigureRow("c", "casusoverleg", [1, 1]),
            FigureRow("total", "Totaal", [12, 4], is_total=True),
        ],
    )
    protect_small_cells(table)
    assert [shown(row.values[0], people) for row in table.rows] == ["×", "6", "< 3", "12"]
    assert table.row("a").values[0] == SUPPRESSED
    assert [row.values[1] for row in table.rows] == [1, 2, 1, 4]  # not people: as they are

    two_small = FigureTable(
        key="u",
        title="t",
        row_header="r",
        columns=[people],
        rows=[FigureRow("a", "a", [1]), FigureRow("b", "b", [2]), FigureRow("c", "c", [9])],
    )
    protect_small_cells(two_small)
    assert [row.values[0] for row in two_small.rows] == [1, 2, 9]  # two small: sum unknown already
