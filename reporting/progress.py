"""Progress reports (voortgangsrapporten): the admin's template, a region's report per period
drafted by its tandem, submitted read-only with the period's statistics attached."""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from community.accounts.models import Region, User
from community.accounts.permissions import (
    can_coordinate_in,
    is_project_group_member,
    is_signed_in,
)
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from forums.pii_guard import find_personal_data, finding_kinds

from .models import FinalReport, ProgressReport, ProgressReportSection, ReportStatus
from .period import Period
from .statistics import Scope, Statistics, compute_statistics, statistics_from_dict, to_dict

log = logging.getLogger(__name__)

#: The template's sections when the admin set none (issue 18, "Progress reports"); stored
#: in Dutch like the themes' names and shown through :data:`SECTION_TITLES`.
DEFAULT_SECTIONS = (
    ("Wat werd gedaan", "De acties en activiteiten van de periode, met wie en voor wie."),
    ("Wat werkte", "Wat liep goed en waarom: samenwerkingen, aanpakken, resultaten."),
    ("Knelpunten", "Wat liep moeilijk of bleef liggen, en wat de oorzaak was."),
    ("Volgende stappen", "Wat de regio de komende periode plant."),
    (
        "Vragen aan de projectgroep",
        "Waar de regio steun, afstemming of een beslissing nodig heeft.",
    ),
)

SECTION_TITLES = {
    "Wat werd gedaan": _l("Wat werd gedaan"),
    "Wat werkte": _l("Wat werkte"),
    "Knelpunten": _l("Knelpunten"),
    "Volgende stappen": _l("Volgende stappen"),
    "Vragen aan de projectgroep": _l("Vragen aan de projectgroep"),
}

MAX_SECTION_LENGTH = 20_000
MAX_TITLE_LENGTH = 200


class ReportExists(DomainError):
    text = _l("Voor deze regio en periode bestaat al een voortgangsrapport.")
    status = 409


class ReportSubmitted(DomainError):
    text = _l("Dit voortgangsrapport is al ingediend en kan niet meer veranderen.")
    status = 409


class StaleReport(DomainError):
    text = _l(
        "Iemand anders bewaarde dit rapport intussen. Je tekst is niet bewaard: lees de "
        "nieuwe versie en pas ze opnieuw aan."
    )
    status = 409


class TextTooLong(DomainError):
    text = _l("Een onderdeel mag hoogstens %(max)s tekens lang zijn.")
    status = 422


class PersonalDataInReport(DomainError):
    text = _l(
        "In „%(section)s” staat wat op persoonsgegevens lijkt (%(kinds)s). Een rapport "
        "gaat over de werking, niet over personen: haal het weg of maak het anoniem."
    )
    status = 422


class EmptyTemplate(DomainError):
    text = _l("Het sjabloon heeft minstens één onderdeel met een titel nodig.")
    status = 422
    field = "sections"


def section_title(title: str) -> str:
    """The title of a section in the current language when it is a default one, else as
    stored."""
    label = SECTION_TITLES.get(title)
    return str(label) if label is not None else title


# --- permissions -------------------------------------------------------------------------


def can_view_progress_reports(user) -> bool:
    """True when ``user`` may open the list of progress reports: the project group."""
    return is_project_group_member(user)


def can_draft_progress_report(user, region_id: int) -> bool:
    """True when ``user`` may begin, edit and submit a report of region ``region_id``: its
    coordinators (the tandem) and admins (``can_coordinate_in``)."""
    return can_coordinate_in(user, region_id)


def can_view_progress_report(user, report: ProgressReport) -> bool:
    """True when ``user`` may read ``report``.

    A draft is the region's own: its coordinators and admins. A submitted report is
    addressed to the project group: every member of it reads it (issue 18).
    """
    if can_draft_progress_report(user, report.region_id):
        return True
    return report.is_submitted and is_project_group_member(user)


def can_edit_template(user) -> bool:
    """True for admins: they set the progress-report template (issue 18)."""
    return is_signed_in(user) and user.is_admin


def reports_visible_filter(user):
    """WHERE clause on ``ProgressReport``: what ``user`` may read (as
    :func:`can_view_progress_report`)."""
    from community.accounts.permissions import coordinated_filter

    submitted = ProgressReport.status == ReportStatus.SUBMITTED
    own = coordinated_filter(user, ProgressReport.region_id)
    return or_(own, submitted) if is_project_group_member(user) else own


# --- the template ------------------------------------------------------------------------


def template_sections() -> list[tuple[str, str]]:
    """Return the template's sections as (title, guidance), in order (the defaults when the
    admin set none)."""
    rows = db.session.scalars(
        select(ProgressReportSection).order_by(
            ProgressReportSection.position, ProgressReportSection.id
        )
    ).all()
    return [(r.title, r.guidance) for r in rows] or list(DEFAULT_SECTIONS)


def set_template(sections: list[tuple[str, str]]) -> None:
    """Replace the template by ``sections`` (title, guidance); rows without a title are
    left out. Raises :class:`EmptyTemplate` when none remains, :class:`TextTooLong` for a
    title over 200 characters. Reports already begun keep their sections. Flushes."""
    kept = [(" ".join(t.split()), g.strip()) for t, g in sections if t and t.strip()]
    if not kept:
        raise EmptyTemplate()
    if any(len(t) > MAX_TITLE_LENGTH for t, _g in kept):
        raise TextTooLong(max=MAX_TITLE_LENGTH)
    if any(len(g) > MAX_SECTION_LENGTH for _t, g in kept):
        raise TextTooLong(max=MAX_SECTION_LENGTH)
    db.session.execute(delete(ProgressReportSection))
    for position, (title, guidance) in enumerate(kept, 1):
        db.session.add(ProgressReportSection(position=position, title=title, guidance=guidance))
    db.session.flush()
    log.info("progress-report template set: %d sections", len(kept))


# --- a region's report -------------------------------------------------------------------


def period_of(report: ProgressReport | FinalReport) -> Period:
    return Period(report.period_first, report.period_last)


def begin_report(region: Region, period: Period, author: User) -> ProgressReport:
    """Begin the draft report of ``region`` for ``period`` with the template's sections.

    Raises :class:`ReportExists` when the region already has one for that period (also
    when two coordinators begin it at once: the unique rule refuses the second). The
    caller checks :func:`can_draft_progress_report`. Flushes.
    """
    existing = db.session.scalar(
        select(ProgressReport.id).where(
            ProgressReport.region_id == region.id,
            ProgressReport.period_first == period.first,
            ProgressReport.period_last == period.last,
        )
    )
    if existing is not None:
        raise ReportExists(report_id=existing)
    report = ProgressReport(
        region=region,
        period_first=period.first,
        period_last=period.last,
        sections=[{"title": t, "guidance": g, "text": ""} for t, g in template_sections()],
        created_by=author,
    )
    db.session.add(report)
    db.session.flush()
    log.info("progress report %s begun for region %s by user %s", report.id, region.id, author.id)
    return report


def save_report(report: ProgressReport, texts: list[str], revision: int) -> None:
    """Store ``texts`` (one per section, in order) in the draft ``report``.

    ``revision`` is the revision the writer started from. Raises
    :class:`ReportSubmitted` for a submitted report, :class:`StaleReport` when someone
    saved in between (the tandem: nothing is overwritten unseen), :class:`TextTooLong`
    over 20,000 characters and :class:`PersonalDataInReport` when a text holds what
    looks like personal data (``forums.pii_guard``; DESIGN.md, "Privacy comes with the
    domain"). Nothing is changed when it raises. Flushes.
    """
    if report.is_submitted:
        raise ReportSubmitted()
    if revision != report.revision:
        raise StaleReport()
    sections = [dict(s) for s in report.sections]
    cleaned = [(t or "").replace("\r\n", "\n").strip() for t in texts[: len(sections)]]
    cleaned += [""] * (len(sections) - len(cleaned))
    for section, text in zip(sections, cleaned, strict=True):
        if len(text) > MAX_SECTION_LENGTH:
            raise TextTooLong(max=MAX_SECTION_LENGTH)
        found = find_personal_data(text)
        if found:
            raise PersonalDataInReport(
                section=section_title(section["title"]), kinds=", ".join(finding_kinds(found))
            )
        section["text"] = text
    report.sections = sections
    report.revision += 1
    db.session.flush()


def submit_report(report: ProgressReport, user: User, now: dt.datetime | None = None) -> None:
    """Submit ``report``: it becomes read-only, dated ``now`` (aware UTC), with the period's
    statistics kept as they are now. Raises :class:`ReportSubmitted` when it already is.
    Flushes."""
    if report.is_submitted:
        raise ReportSubmitted()
    statistics = compute_statistics(Scope((report.region,)), period_of(report))
    report.figures = to_dict(statistics)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now or utcnow()
    report.submitted_by = user
    report.revision += 1
    db.session.flush()
    log.info("progress report %s submitted by user %s", report.id, user.id)


def figures_of(report: ProgressReport) -> Statistics:
    """The statistics attached to ``report``: as kept on submission, or live for a draft."""
    if report.figures:
        return statistics_from_dict(report.figures, Scope((report.region,)), period_of(report))
    return compute_statistics(Scope((report.region,)), period_of(report))


def erase_project_group_role(user: User, now: dt.datetime) -> None:
    """GDPR erasure part: a deleted account leaves the project group. Reports stay (they
    are the region's), without the link to the person (``ondelete="SET NULL"`` keeps
    them when the row goes; the account row itself stays wiped)."""
    user.project_group_role = None
