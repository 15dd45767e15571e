"""Small, deterministic PDF files for the demo materials (fpdf2, core Helvetica font)."""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF

# A fixed creation date makes the bytes (and so the storage key) the same on every run.
CREATION_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def material_pdf(title: str, subtitle: str = "", body: str = "") -> bytes:
    """Return the bytes of a one-page A4 PDF whose first page carries ``title``.

    The core fonts cover windows-1252 only (so – , ö and ë work, other characters
    do not). Streams are left uncompressed, so the page text can be read back
    from the bytes; the same arguments always give the same bytes.
    """
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_compression(False)
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_title(title)
    pdf.set_author("Bruggen (demo)")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.ln(2)
        pdf.set_font("Helvetica", "I", 12)
        pdf.multi_cell(0, 7, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        body
        or "Demomateriaal van Bruggen, het platform van de lerende netwerken "
        "jeugdhulp – onderwijs in Vlaanderen en Brussel.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
