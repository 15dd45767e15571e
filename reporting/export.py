"""The statistics as an XLSX workbook (the figures) and their charts (SVG images)."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from markupsafe import Markup

from community.core.charts import bar_chart
from community.core.i18n import localdate
from events.organising.export import XLSX_CONTENT_TYPE, neutralise

from .statistics import SMALL_CELL_TEXT, SUPPRESSED, FigureTable, Statistics, chart_value, shown

__all__ = ["XLSX_CONTENT_TYPE", "chart_of", "statistics_xlsx"]


def chart_of(table: FigureTable) -> Markup | None:
    """Return the bar chart of ``table`` (its ``chart_columns``, total row left out), or None
    when there is nothing to draw. Cells shown as "< 3" get no bar."""
    columns = [table.columns[i] for i in table.chart_columns if i < len(table.columns)]
    rows = [
        row
        for row in table.rows
        if not row.is_total and any(row.values[i] for i in table.chart_columns)
    ]
    if not rows or not columns:
        return None
    series = {
        column.label: [chart_value(row.values[i], column) for row in rows]
        for i, column in zip(table.chart_columns, columns, strict=False)
    }
    if not any(value for values in series.values() for value in values):
        return None
    return bar_chart(
        table.title,
        [row.label for row in rows],
        series,
        horizontal=len(rows) > 4,
        height=max(300, 60 + 34 * len(rows) * max(1, len(series) // 2)),
    )


def _cell(value, column):
    """A number cell, or the text shown instead ("< 3", "×", "–")."""
    text = shown(value, column)
    return text if value is None or text in (SMALL_CELL_TEXT, SUPPRESSED) else value


def statistics_xlsx(statistics: Statistics) -> bytes:
    """Return ``statistics`` as an XLSX workbook: one sheet, a block per table.

    Numbers are number cells; hidden small cells the text "< 3"; every text cell is
    neutralised against formula injection (``events.organising.export.neutralise``).
    """
    from openpyxl import Workbook  # imported when a workbook is made (issue 14: ~10 MB)
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Cijfers")
    bold = Font(bold=True)
    sheet.append([neutralise(_("Statistieken: %(scope)s", scope=statistics.scope.label))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _("Periode"),
            f"{localdate(statistics.period.first, 'd MMMM y')} – "
            f"{localdate(statistics.period.last, 'd MMMM y')}",
        ]
    )
    sheet.append([_("Aantallen van 1 of 2 personen staan als „< 3”.")])
    sheet.append(
        [
            _(
                "Een „×” is een tweede verborgen cel, zodat een kleine cel niet uit het totaal af te leiden is."  # noqa: E501
            )
        ]
    )
    for table in statistics.tables:
        sheet.append([])
        sheet.append([neutralise(table.title)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        sheet.append([table.row_header, *(column.label for column in table.columns)])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in table.rows:
            sheet.append(
                [
                    neutralise(row.label),
                    *(_cell(v, c) for v, c in zip(row.values, table.columns, strict=True)),
                ]
            )
            if row.is_total:
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
        if table.note:
            sheet.append([neutralise(table.note)])
    sheet.column_dimensions["A"].width = 44
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
