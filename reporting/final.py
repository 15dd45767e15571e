"""The project group's final report (eindrapport): chapters per region and across regions, the
group's own text around what the platform knows (statistics, progress reports, practices).

A chapter's contents come from *chapter sources* (:data:`CHAPTER_SOURCES`): functions
``source(region, period) -> ChapterPart | None`` (``region`` None: across the regions).
A region's chapter holds its submitted progress reports, its latest regional analysis
(issue 15), its published practices and its statistics; the chapter across the regions
holds the published signals passed on with their answers (issue 16), every practice and
the network's statistics.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.accounts.models import Region, User
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.i18n import localdate
from community.library.models import Practice, PracticeStatus
from forums.pii_guard import find_personal_data, finding_kinds
from regionmap.analysis import latest_analyses
from regionmap.models import PointKind
from signals.models import SignalBundle

from .models import FinalReport, ProgressReport, ReportStatus
from .period import Period
from .progress import (
    MAX_SECTION_LENGTH,
    MAX_TITLE_LENGTH,
    PersonalDataInReport,
    StaleReport,
    TextTooLong,
    period_of,
    section_title,
)
from .statistics import Scope, Statistics, compute_statistics

log = logging.getLogger(__name__)

ACROSS = "over-de-regios"


class EmptyTitle(DomainError):
    text = _l("Geef het eindrapport een titel.")
    status = 422
    field = "title"


class NoRegions(DomainError):
    text = _l("Kies minstens één regio voor een hoofdstuk.")
    status = 422
    field = "regions"


@dataclass
class ChapterPart:
    """What one source adds to a chapter: a heading, paragraphs, and/or figures."""

    key: str
    title: str
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (subheading, text)
    statistics: Statistics | None = None
    items: list[tuple[str, str]] = field(default_factory=list)  # (title, text) of a list


@dataclass
class Chapter:
    """A chapter as shown: its title, the group's text, and the parts the sources made."""

    key: str
    title: str
    text: str
    region: Region | None
    parts: list[ChapterPart]


ChapterSource = Callable[[Region | None, Period], ChapterPart | None]


# --- the sources ------------------------------------------------------------------------


def statistics_part(region: Region | None, period: Period) -> ChapterPart | None:
    """The chapter's statistics: of the region, or of the whole network across regions."""
    scope = Scope((region,)) if region is not None else Scope()
    return ChapterPart("statistics", _("Cijfers"), statistics=compute_statistics(scope, period))


def progress_reports_part(region: Region | None, period: Period) -> ChapterPart | None:
    """The region's submitted progress reports of periods within the report's period
    (their sections as paragraphs); None across regions."""
    if region is None:
        return None
    reports = db.session.scalars(
        select(ProgressReport)
        .where(
            ProgressReport.region_id == region.id,
            ProgressReport.status == ReportStatus.SUBMITTED,
            ProgressReport.period_first >= period.first,
            ProgressReport.period_last <= period.last,
        )
        .order_by(ProgressReport.period_first)
    ).all()
    if not reports:
        return None
    paragraphs = []
    for report in reports:
        span = f"{report.period_first.isoformat()} – {report.period_last.isoformat()}"
        for section in report.sections:
            if section.get("text"):
                paragraphs.append((f"{section_title(section['title'])} ({span})", section["text"]))
    return ChapterPart("progress_reports", _("Uit de voortgangsrapporten"), paragraphs=paragraphs)


def practices_part(region: Region | None, period: Period) -> ChapterPart | None:
    """The published practices of the region (across regions: of every region), with their
    summary."""
    query = select(Practice).where(Practice.status == PracticeStatus.PUBLISHED)
    if region is not None:
        query = query.where(Practice.region_id == region.id)
    practices = db.session.scalars(
        query.options(selectinload(Practice.region)).order_by(Practice.title)
    ).all()
    if not practices:
        return None
    items = [
        (p.title + (f" ({p.region.name})" if region is None and p.region else ""), p.summary)
        for p in practices
    ]
    return ChapterPart("practices", _("Praktijkvoorbeelden"), items=items)


def regional_analysis_part(region: Region | None, period: Period) -> ChapterPart | None:
    """The region's latest regional analysis (``regionmap``): the newest version of each
    theme for the newest analysis period, with its summary, strengths, gaps, needs and
    remarks on demand and supply, and its actions and recommendations (text, owner and
    status), as paragraphs of bullet lines. None across regions or when the region has no analysis.

    The analysis is the coordinators' current view, so it is taken whatever ``period``.
    """
    if region is None:
        return None
    analyses = latest_analyses(region.id)
    if not analyses:
        return None
    newest = max(analysis.period for analysis in analyses)
    paragraphs: list[tuple[str, str]] = []
    for analysis in analyses:
        if analysis.period != newest:
            continue
        theme = analysis.theme.label if analysis.theme else _("beide thema's")
        about = f"{theme} · {analysis.period} · " + _(
            "versie %(n)s van %(date)s",
            n=analysis.version,
            date=localdate(analysis.created_at, "d MMMM y"),
        )
        if analysis.summary:
            paragraphs.append((about, analysis.summary))
        for kind in PointKind:
            points = analysis.points_of(kind.value)
            if points:
                text = "\n".join(f"• {point.text}" for point in points)
                paragraphs.append((f"{kind.label} ({theme})", text))
        if analysis.actions:
            lines = []
            for action in analysis.actions:
                about_action = " · ".join(p for p in (action.owner, action.status_label) if p)
                lines.append(f"• {action.text}" + (f" ({about_action})" if about_action else ""))
            paragraphs.append((f"{_('Acties en aanbevelingen')} ({theme})", "\n".join(lines)))
    if not paragraphs:
        return None
    return ChapterPart(
        "regional_analysis", _("Omgevingsanalyse, acties en aanbevelingen"), paragraphs=paragraphs
    )


def signals_passed_on_part(region: Region | None, period: Period) -> ChapterPart | None:
    """Across regions: the published bundles (``signals``) passed on in ``period``, each with
    its public summary, to whom and when it went, and the answers that came back. Only what
    the public page "Doorgegeven signalen" shows: never a signal, a reporter or a name.
    None in a region's chapter or when nothing was passed on."""
    if region is not None:
        return None
    bundles = db.session.scalars(
        select(SignalBundle)
        .where(
            SignalBundle.is_published.is_(True),
            SignalBundle.passed_on_at >= period.starts_at,
            SignalBundle.passed_on_at < period.ends_at,
        )
        .options(selectinload(SignalBundle.answers))
        .order_by(SignalBundle.passed_on_at, SignalBundle.id)
    ).all()
    if not bundles:
        return None
    paragraphs = []
    for bundle in bundles:
        blocks = [
            _(
                "doorgegeven aan %(to)s op %(date)s",
                to=bundle.passed_to,
                date=localdate(bundle.passed_on_at, "d MMMM y"),
            ),
            bundle.summary,
        ]
        for answer in bundle.answers:
            blocks.append(
                _(
                    "Antwoord van %(who)s (%(date)s)",
                    who=answer.answered_by,
                    date=localdate(answer.received_on, "d MMMM y"),
                )
                + ": "
                + answer.body
            )
        paragraphs.append((bundle.title, "\n\n".join(block for block in blocks if block)))
    return ChapterPart("signals_passed_on", _("Doorgegeven signalen"), paragraphs=paragraphs)


#: The sources of a chapter, in order: a function ``(region or None, period) ->
#: ChapterPart | None`` each.
CHAPTER_SOURCES: tuple[ChapterSource, ...] = (
    progress_reports_part,
    regional_analysis_part,
    signals_passed_on_part,
    practices_part,
    statistics_part,
)


# --- writing ------------------------------------------------------------------------------


def begin_final_report(
    title: str, period: Period, regions: list[Region], author: User
) -> FinalReport:
    """Begin a final report for ``period`` with a chapter across the regions and one per
    region of ``regions`` (in their order). Raises :class:`EmptyTitle`, :class:`NoRegions`.
    The caller checks the author may (``can_contribute_to_project_group``). Flushes."""
    title = " ".join((title or "").split())
    if not title:
        raise EmptyTitle()
    if len(title) > MAX_TITLE_LENGTH:
        raise TextTooLong(max=MAX_TITLE_LENGTH)
    if not regions:
        raise NoRegions()
    chapters = [{"key": ACROSS, "title": "Over de regio's heen", "region_id": None, "text": ""}]
    chapters += [
        {"key": region.slug, "title": region.name, "region_id": region.id, "text": ""}
        for region in regions
    ]
    report = FinalReport(
        title=title,
        period_first=period.first,
        period_last=period.last,
        chapters=chapters,
        created_by=author,
    )
    db.session.add(report)
    db.session.flush()
    log.info("final report %s begun by user %s", report.id, author.id)
    return report


def _checked(name: str, text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_SECTION_LENGTH:
        raise TextTooLong(max=MAX_SECTION_LENGTH)
    found = find_personal_data(text)
    if found:
        raise PersonalDataInReport(section=name, kinds=", ".join(finding_kinds(found)))
    return text


def save_final_report(
    report: FinalReport,
    *,
    title: str,
    introduction: str,
    conclusions: str,
    chapter_texts: list[str],
    revision: int,
) -> None:
    """Store the group's text of ``report``: its title, introduction, conclusions and
    recommendations, and one text per chapter (in order).

    Raises :class:`StaleReport` when someone saved in between, :class:`EmptyTitle`,
    :class:`TextTooLong`, and :class:`PersonalDataInReport` for what looks like personal
    data (``forums.pii_guard``). Nothing changes when it raises. Flushes.
    """
    if revision != report.revision:
        raise StaleReport()
    title = " ".join((title or "").split())
    if not title:
        raise EmptyTitle()
    if len(title) > MAX_TITLE_LENGTH:
        raise TextTooLong(max=MAX_TITLE_LENGTH)
    introduction = _checked(_("Inleiding"), introduction)
    conclusions = _checked(_("Conclusies en aanbevelingen"), conclusions)
    chapters = [dict(c) for c in report.chapters]
    texts = list(chapter_texts[: len(chapters)]) + [""] * (len(chapters) - len(chapter_texts))
    for chapter, text in zip(chapters, texts, strict=True):
        chapter["text"] = _checked(chapter_heading(chapter), text)
    report.title, report.introduction, report.conclusions = title, introduction, conclusions
    report.chapters = chapters
    report.revision += 1
    db.session.flush()


def chapter_heading(chapter: dict) -> str:
    """A chapter's title in the current language (the across-regions one is translated)."""
    if chapter.get("region_id") is None:
        return _("Over de regio's heen")
    return chapter["title"]


def chapters_of(report: FinalReport) -> list[Chapter]:
    """The chapters of ``report`` with what every source adds, for the page and exports."""
    period = period_of(report)
    ids = [c["region_id"] for c in report.chapters if c.get("region_id") is not None]
    regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(ids)))}
    chapters = []
    for data in report.chapters:
        region = regions.get(data.get("region_id")) if data.get("region_id") else None
        if data.get("region_id") and region is None:
            continue  # a region removed since
        parts = [part for source in CHAPTER_SOURCES if (part := source(region, period))]
        chapters.append(
            Chapter(data["key"], chapter_heading(data), data.get("text", ""), region, parts)
        )
    return chapters
