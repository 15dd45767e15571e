"""The final report as an editable DOCX (``community.core.documents``: new_docx, docx_bytes)."""

from __future__ import annotations

from flask_babel import gettext as _

from community.core.documents import docx_bytes, new_docx
from community.core.i18n import localdate

from .final import Chapter
from .models import FinalReport
from .statistics import Statistics, shown


def _paragraphs(document, text: str) -> None:
    for block in (text or "").split("\n\n"):
        if block.strip():
            document.add_paragraph(block.strip())


def _figures(document, statistics: Statistics) -> None:
    for table in statistics.tables:
        document.add_heading(table.title, level=3)
        grid = document.add_table(rows=1, cols=len(table.columns) + 1)
        grid.style = "Table Grid"
        header = grid.rows[0].cells
        header[0].text = table.row_header
        for cell, column in zip(header[1:], table.columns, strict=True):
            cell.text = column.label
        for row in table.rows:
            cells = grid.add_row().cells
            cells[0].text = row.label
            for cell, value, column in zip(cells[1:], row.values, table.columns, strict=True):
                cell.text = shown(value, column)
        if table.note:
            document.add_paragraph().add_run(table.note).italic = True


def final_report_docx(report: FinalReport, chapters: list[Chapter]) -> bytes:
    """Return ``report`` as DOCX bytes: the group's text, then each chapter with its parts
    (statistics as tables, progress-report sections, practices), then the conclusions."""
    document = new_docx(report.title)
    document.add_paragraph(
        _("Periode")
        + f": {localdate(report.period_first, 'd MMMM y')} – "
        + localdate(report.period_last, "d MMMM y")
    )
    if report.introduction:
        document.add_heading(_("Inleiding"), level=1)
        _paragraphs(document, report.introduction)
    for chapter in chapters:
        document.add_heading(chapter.title, level=1)
        _paragraphs(document, chapter.text)
        for part in chapter.parts:
            document.add_heading(part.title, level=2)
            for heading, text in part.paragraphs:
                document.add_heading(heading, level=3)
                _paragraphs(document, text)
            for title, text in part.items:
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.add_run(title).bold = True
                if text:
                    paragraph.add_run(f": {text}")
            if part.statistics is not None:
                _figures(document, part.statistics)
    if report.conclusions:
        document.add_heading(_("Conclusies en aanbevelingen"), level=1)
        _paragraphs(document, report.conclusions)
    return docx_bytes(document)
