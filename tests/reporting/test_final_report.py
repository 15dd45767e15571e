"""The project group builds a final report from two regions' reports and exports it (issue 18)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from sqlalchemy import func, select

from community.accounts.models import ProjectGroupRole, Sector
from community.core.extensions import db
from community.library.models import Practice, PracticeStatus
from reporting.models import FinalReport, ProgressReport, ReportStatus
from tests.reporting import helpers as h
from tests.reporting.helpers import YEAR, at


@pytest.fixture
def two_regions(app):
    wvl = h.region("west-vlaanderen", "West-Vlaanderen", 1)
    bxl = h.region("brussel", "Brussel", 2)
    school = h.organisation("School Brugge", Sector.EDUCATION, "school", wvl)
    meeting = h.activity(wvl, at(dt.date(2025, 10, 2)))
    for i in range(5):
        h.registration(meeting, f"p{i}@school.be", school, attended=True)
    for region, text in (
        (wvl, "Uitstroombegeleiding in twaalf scholen."),
        (bxl, "Rondetafels van KANS."),
    ):
        db.session.add(
            ProgressReport(
                region=region,
                period_first=YEAR.first,
                period_last=YEAR.last,
                status=ReportStatus.SUBMITTED,
                submitted_at=at(dt.date(2026, 9, 10)),
                sections=[{"title": "Wat werd gedaan", "guidance": "", "text": text}],
            )
        )
    db.session.add(
        Practice(
            slug="uitstroom",
            title="Uitstroombegeleiding",
            region=wvl,
            status=PracticeStatus.PUBLISHED,
            summary="Een afrondend gesprek.",
        )
    )
    db.session.commit()
    return {"wvl": wvl, "bxl": bxl}


def _begin(client, regions, first="2025-09-01", last="2026-08-31"):
    return client.post_form(
        "/projectgroep/eindrapporten/nieuw",
        {
            "title": "Eindrapport lerende netwerken",
            "first": first,
            "last": last,
            "regions": [str(r.id) for r in regions],
        },
    )


def test_the_group_builds_exports_and_edits_a_final_report(
    client, two_regions, make_user, sign_in_as
):
    coordinator = make_user("coordinator", regions=[two_regions["wvl"]])
    sign_in_as(coordinator)
    response = _begin(client, [two_regions["wvl"], two_regions["bxl"]])
    report = db.session.scalars(select(FinalReport)).one()
    assert response.status_code == 302
    assert [c["title"] for c in report.chapters] == [
        "Over de regio's heen",
        "West-Vlaanderen",
        "Brussel",
    ]
    page = client.get(f"/projectgroep/eindrapporten/{report.id}").get_data(as_text=True)
    assert "Uitstroombegeleiding in twaalf scholen." in page and "Rondetafels van KANS." in page
    saved = client.post_form(
        f"/projectgroep/eindrapporten/{report.id}",
        {
            "revision": str(report.revision),
            "title": "Eindrapport lerende netwerken 2025-2026",
            "introduction": "Twee projectjaren.",
            "conclusions": "Veranker de netwerken.",
            "chapters-0": "Over alle regio's.",
            "chapters-1": "West-Vlaanderen werkte aan uitstroom.",
            "chapters-2": "Brussel bouwde bruggen.",
        },
    )
    assert saved.status_code == 302
    db.session.refresh(report)
    assert report.chapters[1]["text"] == "West-Vlaanderen werkte aan uitstroom."
    pdf = client.get(f"/projectgroep/eindrapporten/{report.id}/eindrapport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/projectgroep/eindrapporten/{report.id}/eindrapport.docx")
    assert docx.status_code == 200
    assert (
        "eindrapport-eindrapport-lerende-netwerken-2025-2026.docx"
        in docx.headers["Content-Disposition"]
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    for expected in (
        "Twee projectjaren.",
        "West-Vlaanderen werkte aan uitstroom.",
        "Uitstroombegeleiding in twaalf scholen.",
        "Rondetafels van KANS.",
        "Uitstroombegeleiding",
        "Veranker de netwerken.",
    ):
        assert expected in text
    tables = Document(io.BytesIO(docx.data)).tables
    assert any(cell.text == "Inschrijvingen" for t in tables for cell in t.rows[0].cells)


def test_bad_input_and_a_stale_save_are_refused(client, two_regions, make_user, sign_in_as):
    sign_in_as(make_user("coordinator", regions=[two_regions["wvl"]]))
    no_regions = _begin(client, [])
    assert no_regions.status_code == 422
    assert "minstens één regio" in no_regions.get_data(as_text=True)
    endless = _begin(client, [two_regions["wvl"]], "0001-01-01", "9999-12-31")
    assert endless.status_code == 422
    assert "Kies een geldige periode" in endless.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FinalReport.id))) == 0
    _begin(client, [two_regions["wvl"]])
    report = db.session.scalars(select(FinalReport)).one()
    personal = client.post_form(
        f"/projectgroep/eindrapporten/{report.id}",
        {"revision": str(report.revision), "title": "X", "introduction": "Mail jan@voorbeeld.be"},
    )
    assert personal.status_code == 422
    assert "persoonsgegevens" in personal.get_data(as_text=True)
    stale = client.post_form(
        f"/projectgroep/eindrapporten/{report.id}", {"revision": "0", "title": "Y"}
    )
    assert stale.status_code == 409
    db.session.refresh(report)
    assert report.title == "Eindrapport lerende netwerken" and report.introduction == ""


def test_representatives_read_members_outside_see_nothing(
    client, two_regions, make_user, sign_in_as
):
    sign_in_as(make_user("coordinator", regions=[two_regions["wvl"]]))
    _begin(client, [two_regions["wvl"]])
    report = db.session.scalars(select(FinalReport)).one()
    url = f"/projectgroep/eindrapporten/{report.id}"
    sign_in_as(make_user(project_group_role=ProjectGroupRole.REPRESENTATIVE))
    assert client.get(url).status_code == 200
    assert client.get(f"{url}/eindrapport.pdf").status_code == 200
    assert client.post_form(url, {"revision": "1", "title": "Z"}).status_code == 403
    sign_in_as(make_user())
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/eindrapport.docx").status_code == 404
