"""Regional analyses (omgevingsanalyse / kernkwadrant): dated versions and the Flanders overview.

A coordinator writes a region's analysis per theme and period; each save adds a new
version, earlier ones stay readable. A point may name what it rests on with references
in its text: ``[aanbod:<slug>]``, ``[praktijk:<slug>]``, ``[activiteit:<slug>]``; they
are taken out of the text and kept as links.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.accounts.models import Region, Theme, User
from community.accounts.permissions import can_coordinate_in
from community.core.extensions import db
from community.core.text import one_line
from regionmap.catalogue import OfferRefused, guard_text
from regionmap.models import (
    ActionStatus,
    AnalysisAction,
    AnalysisPoint,
    Offer,
    OfferStatus,
    PointKind,
    RegionalAnalysis,
    offer_themes,
)

log = logging.getLogger(__name__)

MAX_POINTS = 50
_REFERENCE = re.compile(r"\[(aanbod|praktijk|activiteit):([a-z0-9-]{1,120})\]")


def can_write_analysis(user, region_id: int | None) -> bool:
    """True for admins and the coordinators of the region."""
    return can_coordinate_in(user, region_id)


@dataclass(frozen=True)
class ParsedPoint:
    """One point: its text without references, and the slugs it names per kind."""

    text: str
    offers: list[str]
    practices: list[str]
    events: list[str]


def parse_point(line: str) -> ParsedPoint:
    """Return the point of ``line``: references ``[aanbod:slug]`` etc. taken out as links."""
    found: dict[str, list[str]] = {"aanbod": [], "praktijk": [], "activiteit": []}
    for kind, slug in _REFERENCE.findall(line):
        found[kind].append(slug)
    text = one_line(_REFERENCE.sub("", line))
    return ParsedPoint(text, found["aanbod"], found["praktijk"], found["activiteit"])


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


@dataclass(frozen=True)
class AnalysisFields:
    """A version of an analysis as a form gives it: one point (or action) per line."""

    region: Region | None
    theme: Theme | None
    period: str
    summary: str = ""
    strengths: str = ""
    gaps: str = ""
    needs: str = ""
    matches: str = ""
    actions: str = ""  # "action | owner | status" per line


# The words a coordinator writes for a status (Dutch and English), to the stored value.
_STATUS_WORDS = {
    "open": ActionStatus.OPEN.value,
    "bezig": ActionStatus.BUSY.value,
    "busy": ActionStatus.BUSY.value,
    "in progress": ActionStatus.BUSY.value,
    "klaar": ActionStatus.DONE.value,
    "afgerond": ActionStatus.DONE.value,
    "done": ActionStatus.DONE.value,
}


def _action(line: str, position: int) -> AnalysisAction:
    parts = [one_line(p) for p in line.split("|")]
    wanted = parts[2].lower() if len(parts) > 2 else ""
    status = _STATUS_WORDS.get(wanted, ActionStatus.OPEN.value)
    return AnalysisAction(
        text=parts[0],
        owner=parts[1][:200] if len(parts) > 1 else "",
        status=status,
        position=position,
    )


def save_analysis(fields: AnalysisFields, author: User | None) -> RegionalAnalysis:
    """Add a new version of the analysis of ``fields``' region × theme × period; return it.

    The version number is one more than the latest of that region, theme and period
    (1 for the first). Raises :class:`OfferRefused` for a missing region or period or too
    many points, ``PersonalDataInRecord`` when a text seems to name a person.
    """
    if fields.region is None:
        raise OfferRefused(_l("Kies de regio van de analyse."), field="region")
    period = one_line(fields.period or "")
    if not period or len(period) > 40:
        raise OfferRefused(_l("Geef de periode, bv. 2026-2027."), field="period")
    guard_text("summary", fields.summary)
    parts = {
        PointKind.STRENGTH: ("strengths", fields.strengths),
        PointKind.GAP: ("gaps", fields.gaps),
        PointKind.NEED: ("needs", fields.needs),
        PointKind.MATCH: ("matches", fields.matches),
    }
    theme_id = fields.theme.id if fields.theme else None
    latest = db.session.scalar(
        select(func.max(RegionalAnalysis.version)).where(
            RegionalAnalysis.region_id == fields.region.id,
            RegionalAnalysis.theme_id.is_(None)
            if theme_id is None
            else RegionalAnalysis.theme_id == theme_id,
            RegionalAnalysis.period == period,
        )
    )
    analysis = RegionalAnalysis(
        region=fields.region,
        theme=fields.theme,
        period=period,
        version=(latest or 0) + 1,
        summary=(fields.summary or "").strip(),
        author=author,
    )
    position = 0
    for kind, (name, text) in parts.items():
        guard_text(name, text)
        for line in _lines(text):
            point = parse_point(line)
            if not point.text:
                continue
            position += 1
            analysis.points.append(
                AnalysisPoint(
                    kind=kind.value,
                    text=point.text,
                    position=position,
                    offer_slugs=point.offers,
                    practice_slugs=point.practices,
                    event_slugs=point.events,
                )
            )
    guard_text("actions", fields.actions)
    for number, line in enumerate(_lines(fields.actions), start=1):
        analysis.actions.append(_action(line, number))
    if position > MAX_POINTS * 4 or len(analysis.actions) > MAX_POINTS:
        raise OfferRefused(_l("Te veel punten in één analyse."), field="gaps")
    db.session.add(analysis)
    db.session.flush()
    log.info(
        "analysis %s v%s saved by user %s", analysis.id, analysis.version, author and author.id
    )
    return analysis


def as_fields_text(analysis: RegionalAnalysis) -> dict[str, str]:
    """The texts of a version as the form shows them (to start the next version from)."""

    def points(kind: PointKind) -> str:
        lines = []
        for p in analysis.points_of(kind.value):
            refs = [f"[aanbod:{s}]" for s in p.offer_slugs or []]
            refs += [f"[praktijk:{s}]" for s in p.practice_slugs or []]
            refs += [f"[activiteit:{s}]" for s in p.event_slugs or []]
            lines.append(" ".join([p.text, *refs]))
        return "\n".join(lines)

    return {
        "summary": analysis.summary,
        "strengths": points(PointKind.STRENGTH),
        "gaps": points(PointKind.GAP),
        "needs": points(PointKind.NEED),
        "matches": points(PointKind.MATCH),
        "actions": "\n".join(f"{a.text} | {a.owner} | {a.status}" for a in analysis.actions),
    }


def latest_analyses(region_id: int | None = None) -> list[RegionalAnalysis]:
    """The newest version of each region × theme × period (of one region when given)."""
    newest = select(
        RegionalAnalysis.region_id,
        RegionalAnalysis.theme_id,
        RegionalAnalysis.period,
        func.max(RegionalAnalysis.version).label("version"),
    ).group_by(RegionalAnalysis.region_id, RegionalAnalysis.theme_id, RegionalAnalysis.period)
    if region_id is not None:
        newest = newest.where(RegionalAnalysis.region_id == region_id)
    sub = newest.subquery()
    query = (
        select(RegionalAnalysis)
        .join(
            sub,
            (RegionalAnalysis.region_id == sub.c.region_id)
            & (func.coalesce(RegionalAnalysis.theme_id, 0) == func.coalesce(sub.c.theme_id, 0))
            & (RegionalAnalysis.period == sub.c.period)
            & (RegionalAnalysis.version == sub.c.version),
        )
        .options(
            selectinload(RegionalAnalysis.points),
            selectinload(RegionalAnalysis.actions),
            selectinload(RegionalAnalysis.theme),
        )
        .order_by(RegionalAnalysis.period.desc(), RegionalAnalysis.theme_id)
    )
    return list(db.session.scalars(query))


def versions_of(analysis: RegionalAnalysis) -> list[RegionalAnalysis]:
    """Every version of ``analysis``' region × theme × period, newest first."""
    theme_clause = (
        RegionalAnalysis.theme_id.is_(None)
        if analysis.theme_id is None
        else RegionalAnalysis.theme_id == analysis.theme_id
    )
    return list(
        db.session.scalars(
            select(RegionalAnalysis)
            .where(
                RegionalAnalysis.region_id == analysis.region_id,
                theme_clause,
                RegionalAnalysis.period == analysis.period,
            )
            .order_by(RegionalAnalysis.version.desc())
        )
    )


@dataclass
class Overview:
    """The Flanders overview: offer per region × theme × kind, the gaps and open actions."""

    offer: dict[tuple[int, int | None], Counter]
    totals: Counter
    gaps: dict[int, list[AnalysisPoint]]
    open_actions: Counter


def flanders_overview() -> Overview:
    """Return the overview of all regions in a constant number of queries.

    ``offer[(region id, theme id)]`` counts published offers by kind (theme None: an
    offer without theme); ``totals[region id]`` counts each offer once; ``gaps`` and
    ``open_actions`` come from each region's newest analyses.
    """
    rows = db.session.execute(
        select(Offer.region_id, offer_themes.c.theme_id, Offer.kind, func.count())
        .select_from(Offer)
        .outerjoin(offer_themes, offer_themes.c.offer_id == Offer.id)
        .where(Offer.status == OfferStatus.PUBLISHED)
        .group_by(Offer.region_id, offer_themes.c.theme_id, Offer.kind)
    ).all()
    offer: dict[tuple[int, int | None], Counter] = {}
    for region_id, theme_id, kind, n in rows:
        offer.setdefault((region_id, theme_id), Counter())[kind] += n
    totals = Counter(
        dict(
            db.session.execute(
                select(Offer.region_id, func.count())
                .where(Offer.status == OfferStatus.PUBLISHED)
                .group_by(Offer.region_id)
            ).all()
        )
    )
    gaps: dict[int, list[AnalysisPoint]] = {}
    open_actions: Counter = Counter()
    for analysis in latest_analyses():
        gaps.setdefault(analysis.region_id, []).extend(analysis.points_of(PointKind.GAP.value))
        open_actions[analysis.region_id] += sum(
            1 for a in analysis.actions if a.status != ActionStatus.DONE.value
        )
    return Overview(offer, totals, gaps, open_actions)
