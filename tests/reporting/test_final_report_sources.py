"""The final report pulls in each region's latest regional analysis (issue 15) and, across
the regions, the published signals passed on with their answers (issue 16): on the page, in
the PDF and in the DOCX (issue 18, "pulling in ... the regional analyses and
recommendations ... and the signals passed on")."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from community.core.extensions import db
from regionmap.analysis import AnalysisFields, save_analysis
from reporting.final import begin_final_report, chapters_of
from signals.models import Answer, SignalBundle, State
from tests.reporting import helpers as h
from tests.reporting.helpers import YEAR, at


def _bundle(title, passed_on, *, published=True, answer=None, region=None) -> SignalBundle:
    bundle = SignalBundle(
        title=title,
        summary=f"Samenvatting van {title}.",
        state=State.ANSWERED if answer else State.PASSED_ON,
        region=region,
        passed_to="Vlaams minister van Onderwijs",
        passed_on_at=at(passed_on),
        is_published=published,
        published_at=at(passed_on) if published else None,
    )
    db.session.add(bundle)
    if answer:
        db.session.add(
            Answer(
                answered_by="Kabinet Onderwijs",
                received_on=dt.date(2026, 5, 4),
                body=answer,
                bundles=[bundle],
            )
        )
    return bundle


@pytest.fixture
def world(app, make_user):
    wvl = h.region("west-vlaanderen", "West-Vlaanderen", 1)
    bxl = h.region("brussel", "Brussel", 2)
    t1 = h.theme(1)
    author = make_user("coordinator", regions=[wvl])
    fields = dict(region=wvl, theme=t1, period="2025-2026")
    save_analysis(AnalysisFields(**fields, gaps="Oude leemte"), author)
    save_analysis(
        AnalysisFields(
            **fields,
            summary="Sterk netwerk aan de kust.",
            strengths="Elke school heeft een brugfiguur",
            gaps="Geen time-out voor 12-14-jarigen\nWachtlijsten bij het CLB",
            actions="Time-outproject opstarten | Netwerkcoördinator | bezig",
        ),
        author,
    )
    save_analysis(
        AnalysisFields(region=wvl, theme=t1, period="2024-2025", gaps="Vorig jaar"), author
    )
    _bundle(
        "Dagbesteding voor uitgesloten jongeren", dt.date(2025, 11, 3), answer="We bekijken het."
    )
    _bundle("Niet gepubliceerd", dt.date(2025, 12, 1), published=False)
    _bundle("Van vorig jaar", dt.date(2024, 12, 1))
    report = begin_final_report("Eindrapport", YEAR, [wvl, bxl], author)
    db.session.commit()
    return {"wvl": wvl, "bxl": bxl, "author": author, "report": report}


def _parts(chapter):
    return {part.key: part for part in chapter.parts}


def test_a_region_chapter_holds_its_latest_analysis(app, world):
    with app.test_request_context():
        across, wvl, bxl = chapters_of(world["report"])
        part = _parts(wvl)["regional_analysis"]
    texts = "\n".join(f"{heading}\n{text}" for heading, text in part.paragraphs)
    assert "Sterk netwerk aan de kust." in texts
    assert "• Elke school heeft een brugfiguur" in texts
    assert "• Geen time-out voor 12-14-jarigen\n• Wachtlijsten bij het CLB" in texts
    assert "Oude leemte" not in texts and "Vorig jaar" not in texts  # older version, period
    assert "• Time-outproject opstarten (Netwerkcoördinator · bezig)" in texts
    assert "regional_analysis" not in _parts(bxl)  # Brussel has no analysis
    assert "regional_analysis" not in _parts(across)


def test_across_the_regions_the_published_bundles_passed_on_with_answers(app, world):
    with app.test_request_context():
        across, wvl, _bxl = chapters_of(world["report"])
        part = _parts(across)["signals_passed_on"]
    assert [heading for heading, _text in part.paragraphs] == [
        "Dagbesteding voor uitgesloten jongeren"
    ]  # not the unpublished one, nor last year's
    text = part.paragraphs[0][1]
    assert "Samenvatting van Dagbesteding voor uitgesloten jongeren." in text
    assert "Vlaams minister van Onderwijs" in text
    assert "Antwoord van Kabinet Onderwijs (4 mei 2026): We bekijken het." in text
    assert "signals_passed_on" not in _parts(wvl)


def test_pdf_page_and_docx_hold_both(world, client, sign_in_as):
    sign_in_as(world["author"])
    url = f"/projectgroep/eindrapporten/{world['report'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "Omgevingsanalyse, acties en aanbevelingen" in page
    assert "Wachtlijsten bij het CLB" in page and "We bekijken het." in page
    pdf = client.get(f"{url}/eindrapport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = client.get(f"{url}/eindrapport.docx")
    document = Document(io.BytesIO(docx.data))
    text = "\n".join(p.text for p in document.paragraphs)
    for expected in (
        "Omgevingsanalyse, acties en aanbevelingen",
        "Time-outproject opstarten",
        "Wachtlijsten bij het CLB",
        "Doorgegeven signalen",
        "Dagbesteding voor uitgesloten jongeren",
        "We bekijken het.",
    ):
        assert expected in text, expected
    assert "Niet gepubliceerd" not in text
