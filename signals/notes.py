"""Policy notes (beleidsnota): compose from bundles, count the evidence, export PDF and DOCX.

A note carries its bundles' signals with counts by region, sector and theme (the
signals and the recognitions: how widely a problem is felt), anonymised quotes chosen
by the coordinator (checked by the personal-data guard, no tick: a note leaves the
networks), and the recommendations. The note is kept with its bundles.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.accounts.models import Sector, Theme, User
from community.core.charts import bar_chart
from community.core.db import utcnow
from community.core.documents import docx_bytes, new_docx, render_pdf
from community.core.extensions import db
from signals.errors import NotAllowed, NothingChosen
from signals.models import PolicyNote, SignalBundle, State
from signals.permissions import can_manage_bundle
from signals.privacy import guard
from signals.reporting import log_step
from signals.workflow import MAX_TEXT, _body, _line

log = logging.getLogger(__name__)

MAX_QUOTES = 12


def split_quotes(text: str) -> list[str]:
    """Return the quotes in ``text``: paragraphs separated by an empty line, trimmed."""
    paragraphs = [" ".join(p.split()) for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [p for p in paragraphs if p]


def save_note(
    note: PolicyNote | None,
    bundles: list[SignalBundle],
    coordinator: User,
    *,
    title: str,
    introduction: str,
    recommendations: str,
    quotes: str,
) -> PolicyNote:
    """Create (``note`` None) or change a policy note over ``bundles``; return it.

    Raises ``NothingChosen`` (422: no bundle), ``NotAllowed`` (403: a bundle the coordinator
    may not manage), ``MissingField``/``TooLong`` (422), ``PersonalDataFound`` (422, for any
    field, no tick).
    """
    if not bundles:
        raise NothingChosen()
    for bundle in bundles:
        if not can_manage_bundle(coordinator, bundle):
            raise NotAllowed()
    title = _line(title, _l("Titel"), 200, name="title")
    introduction = _body(introduction, _l("Inleiding"), MAX_TEXT, name="introduction")
    recommendations = _body(
        recommendations, _l("Aanbevelingen"), MAX_TEXT, required=True, name="recommendations"
    )
    quote_list = split_quotes(quotes)[:MAX_QUOTES]
    _body("\n\n".join(quote_list), _l("Citaten"), MAX_TEXT, name="quotes")
    guard(
        {
            "title": title,
            "introduction": introduction,
            "recommendations": recommendations,
            "quotes": "\n\n".join(quote_list),
        }
    )
    is_new = note is None
    if note is None:
        note = PolicyNote(created_by_id=coordinator.id, created_at=utcnow())
        db.session.add(note)
    else:
        note.updated_at = utcnow()
    note.title = title
    note.introduction = introduction
    note.recommendations = recommendations
    note.quotes = quote_list
    note.bundles = list(bundles)
    db.session.flush()
    if is_new:
        for bundle in bundles:
            log_step(actor=coordinator, action="note", bundle=bundle)
    db.session.flush()
    log.info("policy note %s saved over bundles %s", note.id, [b.id for b in bundles])
    return note


@dataclass
class Evidence:
    """The counts of a note: (what, signals, recognitions) per region (its name), sector (a
    ``Sector``: show its ``label``) and theme (a ``Theme``: show its ``label``)."""

    signals: int
    recognitions: int
    by_region: list[tuple[str, int, int]]
    by_sector: list[tuple[Sector, int, int]]
    by_theme: list[tuple[Theme, int]]


def evidence(bundles: list[SignalBundle]) -> Evidence:
    """Count the bundles' signals (withdrawn ones left out) and their recognitions."""
    signals = [s for b in bundles for s in b.signals if s.state != State.WITHDRAWN]
    region_signals: Counter[str] = Counter()
    region_recognitions: Counter[str] = Counter()
    sector_signals: Counter[Sector] = Counter()
    sector_recognitions: Counter[Sector] = Counter()
    themes: Counter[int] = Counter()
    theme_of: dict[int, Theme] = {}
    order: dict[str, int] = {}
    recognitions = 0
    for signal in signals:
        region_signals[signal.region.name] += 1
        order[signal.region.name] = signal.region.position
        for sector in signal.sector_list:
            sector_signals[sector] += 1
        for theme in signal.themes:
            themes[theme.id] += 1
            theme_of[theme.id] = theme
        for recognition in signal.recognitions:
            recognitions += 1
            if recognition.region is not None:
                region_recognitions[recognition.region.name] += 1
                order[recognition.region.name] = recognition.region.position
            if recognition.sector:
                sector_recognitions[Sector(recognition.sector)] += 1
    regions = sorted(order, key=lambda name: (order[name], name))
    sectors = [s for s in Sector if sector_signals[s] or sector_recognitions[s]]
    return Evidence(
        signals=len(signals),
        recognitions=recognitions,
        by_region=[(r, region_signals[r], region_recognitions[r]) for r in regions],
        by_sector=[(s, sector_signals[s], sector_recognitions[s]) for s in sectors],
        by_theme=[
            (theme_of[i], themes[i]) for i in sorted(theme_of, key=lambda i: theme_of[i].number)
        ],
    )


def region_chart(found: Evidence):
    """The counts per region as a bar chart (``<img>``), signals next to recognitions."""
    return bar_chart(
        _("Signalen en herkenningen per regio"),
        [row[0] for row in found.by_region],
        {
            _("signalen"): [row[1] for row in found.by_region],
            _("herkenningen"): [row[2] for row in found.by_region],
        },
    )


def note_pdf(note: PolicyNote) -> bytes:
    """Render ``note`` as a PDF (``templates/documents/policy_note.html``); return the bytes."""
    found = evidence(note.bundles)
    return render_pdf(
        "documents/policy_note.html",
        note=note,
        evidence=found,
        chart=region_chart(found) if found.by_region else None,
        today=utcnow(),
    )


def note_docx(note: PolicyNote) -> bytes:
    """Return ``note`` as an editable DOCX with the same parts as the PDF."""
    found = evidence(note.bundles)
    document = new_docx(note.title)
    document.add_paragraph(_("Lerende netwerken jeugdhulp – onderwijs"))
    if note.introduction:
        document.add_heading(_("Inleiding"), level=1)
        for paragraph in note.introduction.split("\n\n"):
            document.add_paragraph(paragraph)
    document.add_heading(_("De signalen"), level=1)
    document.add_paragraph(
        _(
            "%(signals)s signalen, %(recognitions)s keer herkend door andere leden.",
            signals=found.signals,
            recognitions=found.recognitions,
        )
    )
    for bundle in note.bundles:
        document.add_heading(bundle.title, level=2)
        for signal in bundle.signals:
            if signal.state != State.WITHDRAWN:
                document.add_paragraph(
                    f"{signal.title} ({signal.region.name})", style="List Bullet"
                )
    for heading, rows, two in (
        (_("Per regio"), found.by_region, True),
        (_("Per sector"), found.by_sector, True),
        (_("Per thema"), found.by_theme, False),
    ):
        if not rows:
            continue
        document.add_heading(heading, level=2)
        table = document.add_table(rows=1, cols=3 if two else 2)
        table.style = "Table Grid"
        header = [_("naam"), _("signalen")] + ([_("herkenningen")] if two else [])
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for what, *counts in rows:
            cells = table.add_row().cells
            name = what if isinstance(what, str) else what.label
            for cell, value in zip(cells, [name, *counts], strict=True):
                cell.text = str(value)
    if note.quotes:
        document.add_heading(_("Uit de praktijk"), level=1)
        for quote in note.quotes:
            document.add_paragraph(f"„{quote}”", style="Intense Quote")
    document.add_heading(_("Aanbevelingen"), level=1)
    for paragraph in note.recommendations.split("\n\n"):
        document.add_paragraph(paragraph, style="List Number")
    return docx_bytes(document)
