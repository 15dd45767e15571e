"""Attendee exports to CSV and XLSX, neutralised against formula injection (case K2)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _

from community.accounts.models import Sector
from community.core.i18n import localdatetime
from events.models import Event, EventQuestion, Registration, RegistrationState
from events.organising.checkin import attendance_by_organisation

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and
# carriage return, strips them and reads what follows): OWASP "CSV Injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel in a Dutch (Belgian) locale splits CSV on semicolons; with a comma the whole
# row lands in one column. The BOM makes Excel read UTF-8 (é, ë intact).
CSV_DELIMITER = ";"
BOM = "\ufeff"
# The Content-Type of each download (RFC 4180 for CSV: text/csv with its charset).
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """Return ``value`` with a leading ``'`` when it starts like a formula (``= + - @``, tab, CR).

    Source: OWASP, "CSV Injection"; case K2 of the shared cases.
    """
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _state_label(state: str) -> str:
    return {
        RegistrationState.PENDING: _("in afwachting van bevestiging"),
        RegistrationState.CONFIRMED: _("bevestigd"),
        RegistrationState.WAITLISTED: _("wachtlijst"),
        RegistrationState.CANCELLED: _("geannuleerd"),
    }.get(state, state)


def sector_label(value: str) -> str:
    """Return the label of sector code ``value`` in the current language ("welzijn" gives
    "welzijn/jeugdhulp" in Dutch, "welfare/youth care" in English); "" and values that are
    no sector code are returned as they are."""
    try:
        return Sector(value).label
    except ValueError:
        return value


def answer_text(registration: Registration, question: EventQuestion) -> str:
    """Return the answer of ``registration`` to ``question`` as text ("" when none).

    Answers are kept under the question's id (as text or number); several
    choices become "a, b"; yes/no answers "ja"/"nee".
    """
    answers = registration.answers or {}
    value = answers.get(str(question.id), answers.get(question.id))
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if value in ("yes", "no") and question.kind == "yes_no":
        return _("ja") if value == "yes" else _("nee")
    return str(value)


def _attended(registration: Registration) -> str:
    if registration.attended is None:
        return ""
    return _("ja") if registration.attended else _("nee")


def _checked_in(registration: Registration) -> str:
    if registration.checked_in_at is None:
        return ""
    return localdatetime(registration.checked_in_at, "HH:mm")


def attendance_table(event: Event) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of ``event``'s attendance per organisation (issue 17).

    One row per organisation of the confirmed participants (most first), then the
    total: confirmed, present, no-shows (confirmed and not present), of which marked
    absent, and walk-ins among the present. Counts are numbers written as text.
    """
    total, groups = attendance_by_organisation(event)
    header = [
        _("Organisatie"),
        _("Bevestigd"),
        _("Aanwezig"),
        _("Niet gekomen (no-show)"),
        _("Waarvan afwezig gemeld"),
        _("Inlopers"),
    ]
    rows = [
        [
            row.label or _("onbekend"),
            str(row.confirmed),
            str(row.present),
            str(row.no_shows),
            str(row.absent),
            str(row.walk_ins),
        ]
        for row in [*groups, total]
    ]
    rows[-1][0] = _("Totaal")
    return header, rows


def attendee_table(
    event: Event, registrations: Iterable[Registration]
) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of the attendee export of ``event`` (raw, not neutralised).

    Columns: name, e-mail, organisation, sector, job title, state, registered
    at (Europe/Brussels), attended, checked in at (Brussels time, issue 17), walk-in,
    workshops, then one per question. A walk-in's stand-in address is left empty.
    """
    questions = list(event.questions)
    header = [
        _("Naam"),
        _("E-mailadres"),
        _("Organisatie"),
        _("Sector"),
        _("Functie"),
        _("Status"),
        _("Ingeschreven op"),
        _("Aanwezig"),
        _("Aangemeld aan de deur om"),
        _("Inloper"),
        _("Workshops"),
        *(q.label for q in questions),
    ]
    rows = []
    for r in registrations:
        workshops = ", ".join(c.programme_item.title for c in r.workshop_choices)
        rows.append(
            [
                r.name,
                r.email if "@" in r.email else "",
                r.organisation_name,
                sector_label(r.sector),
                r.job_title,
                _state_label(r.state),
                localdatetime(r.created_at, "dd-MM-y HH:mm"),
                _attended(r),
                _checked_in(r),
                _("ja") if r.is_walk_in else "",
                workshops,
                *(answer_text(r, q) for q in questions),
            ]
        )
    return header, rows


def _safe(rows: Iterable[Sequence[str]]) -> Iterable[list[str]]:
    for row in rows:
        yield [neutralise(str(cell)) for cell in row]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Return the table as CSV bytes: UTF-8 with BOM, ``;``-separated, every cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerows(_safe([header]))
    writer.writerows(_safe(rows))
    return (BOM + buffer.getvalue()).encode("utf-8")


def to_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    title: str,
    extra_sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[str]]]] = (),
) -> bytes:
    """Return the table as an XLSX workbook (openpyxl), every cell a neutralised text cell.

    ``extra_sheets``: more ``(sheet title, header, rows)`` after the first (the
    attendance per organisation, issue 17).
    """
    from openpyxl import Workbook  # imported when a workbook is made (issue 14: ~10 MB)

    workbook = Workbook(write_only=True)
    for sheet_title, sheet_header, sheet_rows in [(title, header, rows), *extra_sheets]:
        sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
        for row in _safe([sheet_header, *sheet_rows]):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:31] or _("Deelnemers")
