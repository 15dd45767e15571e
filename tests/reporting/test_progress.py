"""Progress reports: the admin's template, the tandem drafts, submit makes it read-only and
dated with the period's statistics kept, the project group reads it (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.accounts.models import ProjectGroupRole, Sector
from community.core.extensions import db
from reporting import progress
from reporting.models import ProgressReport, ProgressReportSection
from tests.reporting import helpers as h
from tests.reporting.helpers import YEAR, at


@pytest.fixture
def regions(app):
    wvl = h.region("west-vlaanderen", "West-Vlaanderen", 1)
    lim = h.region("limburg", "Limburg", 2)
    school = h.organisation("School Brugge", Sector.EDUCATION, "school", wvl)
    meeting = h.activity(wvl, at(dt.date(2025, 10, 2)))
    for i in range(4):
        h.registration(meeting, f"p{i}@school.be", school, attended=True)
    db.session.commit()
    return {"wvl": wvl, "lim": lim}


@pytest.fixture
def tandem(regions, make_user):
    return [make_user("coordinator", regions=[regions["wvl"]]) for _ in range(2)]


def _begin(client, region, first="2025-09-01", last="2026-08-31"):
    return client.post_form(
        "/voortgangsrapporten/nieuw", {"region": str(region.id), "first": first, "last": last}
    )


def _report() -> ProgressReport:
    return db.session.scalars(select(ProgressReport)).one()


def _texts(report, *texts, revision=None):
    data = {f"texts-{i}": text for i, text in enumerate(texts)}
    data["revision"] = str(report.revision if revision is None else revision)
    return data


def test_a_coordinator_begins_a_report_with_the_template_sections(
    client, tandem, regions, sign_in_as
):
    sign_in_as(tandem[0])
    response = _begin(client, regions["wvl"])
    report = _report()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/voortgangsrapporten/{report.id}"
    assert [s["title"] for s in report.sections] == [t for t, _g in progress.DEFAULT_SECTIONS]
    assert (report.period_first, report.period_last) == (YEAR.first, YEAR.last)
    page = client.get(f"/voortgangsrapporten/{report.id}").get_data(as_text=True)
    assert "Vragen aan de projectgroep" in page
    assert "Inschrijvingen en aanwezigheid" in page  # the period's figures, attached


def test_the_tandem_writes_and_a_stale_save_is_refused(client, tandem, regions, sign_in_as):
    sign_in_as(tandem[0])
    _begin(client, regions["wvl"])
    report = _report()
    start = report.revision
    sign_in_as(tandem[1])
    saved = client.post_form(
        f"/voortgangsrapporten/{report.id}", _texts(report, "Drie netwerkmomenten.")
    )
    assert saved.status_code == 302
    sign_in_as(tandem[0])  # still on the page of the first revision
    stale = client.post_form(
        f"/voortgangsrapporten/{report.id}", _texts(report, "Overschreven?", revision=start)
    )
    assert stale.status_code == 409
    assert "Iemand anders bewaarde dit rapport intussen" in stale.get_data(as_text=True)
    db.session.refresh(report)
    assert report.sections[0]["text"] == "Drie netwerkmomenten."


def test_personal_data_in_a_report_is_refused_and_nothing_stored(
    client, tandem, regions, sign_in_as
):
    sign_in_as(tandem[0])
    _begin(client, regions["wvl"])
    report = _report()
    response = client.post_form(
        f"/voortgangsrapporten/{report.id}",
        _texts(report, "Bel de mama op 0475 12 34 56 voor de casus."),
    )
    assert response.status_code == 422
    assert "persoonsgegevens" in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.sections[0]["text"] == ""


def test_submitting_makes_it_read_only_dated_with_the_figures_kept(
    client, tandem, regions, sign_in_as
):
    sign_in_as(tandem[0])
    _begin(client, regions["wvl"])
    report = _report()
    client.post_form(f"/voortgangsrapporten/{report.id}", _texts(report, "Gedaan."))
    response = client.post_form(f"/voortgangsrapporten/{report.id}/indienen")
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.is_submitted and report.submitted_at is not None
    assert report.submitted_by_id == tandem[0].id
    kept = report.figures["tables"][1]
    assert kept["key"] == "registrations"
    # Later attendance does not change the submitted report's figures.
    late = h.activity(regions["wvl"], at(dt.date(2026, 5, 5)))
    for i in range(5):
        h.registration(late, f"laat{i}@school.be", attended=True)
    db.session.commit()
    assert progress.figures_of(report).table("registrations").row("total").values[0] == 4
    again = client.post_form(f"/voortgangsrapporten/{report.id}", _texts(report, "Nog iets."))
    assert again.status_code == 409
    assert "al ingediend" in again.get_data(as_text=True)
    assert client.post_form(f"/voortgangsrapporten/{report.id}/indienen").status_code == 409
    page = client.get(f"/voortgangsrapporten/{report.id}").get_data(as_text=True)
    assert "<textarea" not in page and "Gedaan." in page


def test_one_report_per_region_and_period(client, tandem, regions, sign_in_as):
    sign_in_as(tandem[0])
    _begin(client, regions["wvl"])
    sign_in_as(tandem[1])
    second = _begin(client, regions["wvl"])
    assert second.status_code == 409
    assert "bestaat al een voortgangsrapport" in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProgressReport.id))) == 1


def test_bad_period_and_foreign_region_are_refused(client, tandem, regions, sign_in_as):
    sign_in_as(tandem[0])
    backwards = _begin(client, regions["wvl"], "2026-08-31", "2025-09-01")
    assert backwards.status_code == 422
    assert "ligt voor het begin" in backwards.get_data(as_text=True)
    foreign = _begin(client, regions["lim"])
    assert foreign.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in foreign.get_data(as_text=True)
    # Before, any dates were taken: the report was made and its page then failed (a 500).
    for first, last in (("0001-01-01", "9999-12-31"), ("9999-12-20", "9999-12-31")):
        endless = _begin(client, regions["wvl"], first, last)
        assert endless.status_code == 422
        assert "Kies een geldige periode" in endless.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProgressReport.id))) == 0


def test_drafts_are_the_regions_submitted_reports_the_groups(
    client, tandem, regions, make_user, sign_in_as
):
    sign_in_as(tandem[0])
    _begin(client, regions["wvl"])
    report = _report()
    other = make_user("coordinator", regions=[regions["lim"]])
    representative = make_user(project_group_role=ProjectGroupRole.REPRESENTATIVE)
    member = make_user()
    url = f"/voortgangsrapporten/{report.id}"
    for reader in (other, representative, member):
        sign_in_as(reader)
        assert client.get(url).status_code == 404
        assert url not in client.get("/voortgangsrapporten").get_data(as_text=True)
    sign_in_as(other)
    assert client.post_form(url, _texts(report, "x")).status_code == 404
    sign_in_as(tandem[1])
    client.post_form(f"{url}/indienen")
    for reader in (other, representative):
        sign_in_as(reader)
        assert client.get(url).status_code == 200
        assert url in client.get("/voortgangsrapporten").get_data(as_text=True)
        assert client.get(f"{url}/rapport.pdf").status_code == 200
    sign_in_as(other)
    assert client.post_form(url, _texts(report, "x")).status_code == 403
    sign_in_as(member)
    assert client.get(url).status_code == 404
    assert client.get("/voortgangsrapporten").status_code == 403


def test_the_admin_sets_the_template_for_new_reports(
    client, tandem, regions, make_user, sign_in_as
):
    sign_in_as(make_user("admin"))
    form = client.get("/beheer/voortgangsrapport-sjabloon").get_data(as_text=True)
    assert "Knelpunten" in form
    response = client.post_form(
        "/beheer/voortgangsrapport-sjabloon",
        {
            "sections-0-title": "Acties",
            "sections-0-guidance": "Wat deden jullie?",
            "sections-1-title": "",
            "sections-2-title": "Vragen",
        },
    )
    assert response.status_code == 302
    titles = db.session.scalars(
        select(ProgressReportSection.title).order_by(ProgressReportSection.position)
    ).all()
    assert titles == ["Acties", "Vragen"]
    empty = client.post_form("/beheer/voortgangsrapport-sjabloon", {"sections-0-title": " "})
    assert empty.status_code == 422
    assert "minstens één onderdeel" in empty.get_data(as_text=True)
    assert len(db.session.scalars(select(ProgressReportSection)).all()) == 2
    sign_in_as(tandem[0])
    assert client.get("/beheer/voortgangsrapport-sjabloon").status_code == 403
    _begin(client, regions["wvl"])
    assert [s["title"] for s in _report().sections] == ["Acties", "Vragen"]


def test_the_report_pdf(client, tandem, regions, sign_in_as):
    sign_in_as(tandem[0])
    _begin(client, regions["wvl"])
    report = _report()
    client.post_form(
        f"/voortgangsrapporten/{report.id}",
        _texts(report, "Drie netwerkmomenten.\nEn een studiedag."),
    )
    client.post_form(f"/voortgangsrapporten/{report.id}/indienen")
    response = client.get(f"/voortgangsrapporten/{report.id}/rapport.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert (
        "voortgangsrapport-west-vlaanderen-2025-09-01-2026-08-31.pdf"
        in response.headers["Content-Disposition"]
    )
