"""Printable documents (WeasyPrint, python-docx) and server-drawn charts (pygal)."""

import base64
import io
import re

import pytest
from pypdf import PdfReader

from community.core.charts import bar_chart
from community.core.documents import docx_bytes, new_docx, render_pdf


def _svg_of(img) -> str:
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', str(img)).group(1)
    return base64.b64decode(data).decode()


def test_a_chart_is_an_image_with_alt_text_and_no_script_or_outside_address():
    img = bar_chart("Activiteiten per type", ["vorming", "studiedag"], {"2026": [4, 2]})
    svg = _svg_of(img)
    assert 'alt="Activiteiten per type"' in str(img)
    assert "<script" not in svg
    assert not re.search(r'(?:href|src)="(?:https?:)?//', svg)
    assert "vorming" in svg


def test_the_same_figures_draw_the_same_bytes():
    def draw():
        return bar_chart("Inschrijvingen", ["a", "b", "c"], {"x": [1, 2, 3], "y": [3, 2, 1]})

    assert draw() == draw()


def test_a_series_with_a_missing_value_is_refused():
    with pytest.raises(ValueError):
        bar_chart("t", ["a", "b"], {"x": [1]})


def test_a_document_renders_to_a_pdf_whose_text_and_chart_are_there(app):
    chart = bar_chart("Activiteiten per type", ["vorming", "studiedag"], {"2026": [4, 2]})
    with app.test_request_context():
        pdf = render_pdf(
            "documents/sample.html",
            heading="Voortgang West-Vlaanderen",
            chart=chart,
            rows=[("vorming", 4), ("studiedag", 2)],
        )
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "Voortgang West-Vlaanderen" in text
    assert "1 / 1" in text  # the page counter of documents/base.html
    assert "vorming" in text


def test_a_document_fetches_nothing_from_outside(app):
    with app.test_request_context():
        pdf = render_pdf(
            "documents/sample.html",
            heading="x",
            chart='<img alt="" src="http://example.org/tracker.png">',
            rows=[],
        )
    assert pdf.startswith(b"%PDF")


def test_an_editable_document_opens_with_its_title():
    from docx import Document

    document = new_docx("Beleidsnota")
    document.add_paragraph("Eerste alinea.")
    reopened = Document(io.BytesIO(docx_bytes(document)))
    assert reopened.core_properties.title == "Beleidsnota"
    assert [p.text for p in reopened.paragraphs][:2] == ["Beleidsnota", "Eerste alinea."]


@pytest.mark.parametrize("horizontal", [False, True])
def test_counts_get_whole_numbers_on_the_value_axis(horizontal):
    """One activity of a kind drew an axis 0, 0.1, 0.2 … 1: a tenth of an activity on a slide."""
    svg = _svg_of(
        bar_chart(
            "Activiteiten",
            ["a", "b", "c", "d", "e"],
            {"x": [1, 0, 1, None, 0]},
            horizontal=horizontal,
        )
    )
    ticks = re.findall(r'class="(?:axis )?[xy] (?:axis )?[^"]*"[^>]*>.*?</g>', svg, re.S)
    labels = set(re.findall(r">(\d+(?:[.,]\d+)?)</text>", svg))
    assert not any("." in label or "," in label for label in labels), (labels, ticks[:1])
    assert {"0", "1"} <= labels
