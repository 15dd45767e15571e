"""Meeting notes and agreements of a case table (issue 19, "Meeting notes").

During or after the table (state "planned"), each partner keeps one note
(:class:`casetables.models.CaseNote`); the region's coordinators record agreements "who does
what by when" (:class:`casetables.models.CaseAgreement`), and each partner confirms their own.
Every text passes the strict guard (:mod:`casetables.guard`). Domain functions: they raise
:class:`~community.core.errors.DomainError` subclasses, add and flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casetables.guard import find_personal_data_strict, known_school_names, strict_kinds
from casetables.models import CaseAgreement, CaseNote, CaseRequest, CaseState
from casetables.notifications import case_path, notify_update
from casetables.requests import FINDING_LABELS, CaseRefused, table_participants
from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.locks import lock_for_update

BRUSSELS = ZoneInfo("Europe/Brussels")
MAX_NOTE = 5000  # characters of a meeting note
MAX_AGREEMENT = 500  # characters of "what" in an agreement


class NotPlanned(DomainError):
    """Notes and agreements need a planned table (409)."""

    text = _l("Notities en afspraken kunnen pas als er een casustafel gepland is.")
    status = 409


class NotYourNote(DomainError):
    """A participant writes their own note only; coordinators any (403)."""

    text = _l("Je kunt alleen je eigen notitie bewaren.")
    status = 403


class NotYourAgreement(DomainError):
    """Only the partner an agreement is for confirms it (403)."""

    text = _l("Alleen de partner van deze afspraak kan ze bevestigen.")
    status = 403


class OnlyCoordinators(DomainError):
    """Agreements and the outcome are the region's coordinators' (403)."""

    text = _l("Alleen de coördinatoren van de regio kunnen dit.")
    status = 403


class _KindsInWords:
    """The kinds of findings, in words when the message is shown (not when raised)."""

    def __init__(self, kinds: list[str]) -> None:
        self.kinds = kinds

    def __str__(self) -> str:
        return ", ".join(str(FINDING_LABELS[kind]) for kind in self.kinds)


def brussels_today(now: dt.datetime | None = None) -> dt.date:
    """The calendar day in Europe/Brussels at ``now`` (aware UTC; default: the present)."""
    return (now or utcnow()).astimezone(BRUSSELS).date()


def check_case_text(
    text: str | None, field: str, limit: int, today: dt.date | None = None, required: bool = True
) -> str:
    """Return ``text`` stripped when it may be stored with a case; raise :class:`CaseRefused`
    (422, ``field``) when it is empty (and ``required``), longer than ``limit`` characters, or
    holds data the strict guard finds (issue 19: names, initials, dates of birth, numbers,
    addresses, schools). The message names what was found, never the text itself."""
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise CaseRefused(_l("Vul dit veld in."), field=field)
    if len(text) > limit:
        raise CaseRefused(_l("Hoogstens %(max)d tekens.", max=limit), field=field)
    findings = find_personal_data_strict(text, known_school_names(), today=today) if text else []
    if findings:
        raise CaseRefused(
            _l(
                "Deze tekst lijkt gegevens te bevatten die de jongere herkenbaar maken "
                "(%(found)s). Schrijf zonder naam, initialen, geboortedatum, school, adres "
                "of nummers.",
                found=_KindsInWords(strict_kinds(findings)),
            ),
            field=field,
        )
    return text


def is_case_coordinator(user, case: CaseRequest) -> bool:
    """True when ``user`` coordinates ``case``'s region (issue 19: the region's coordinators
    run the table; an admin who does not coordinate it is not one)."""
    return any(region.id == case.region_id for region in getattr(user, "coordinated_regions", []))


def _require_planned(case: CaseRequest) -> None:
    if case.state != CaseState.PLANNED.value:
        raise NotPlanned()


def notes_of(case: CaseRequest) -> list[CaseNote]:
    """The notes of ``case``, oldest first (one per partner)."""
    query = select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)
    return list(db.session.scalars(query))


def agreements_of(case: CaseRequest) -> list[CaseAgreement]:
    """The agreements of ``case``, by due date (none last), then as recorded."""
    query = select(CaseAgreement).where(CaseAgreement.case_id == case.id)
    found = list(db.session.scalars(query.order_by(CaseAgreement.id)))
    return sorted(found, key=lambda a: (a.due_on is None, a.due_on or dt.date.min, a.id))


def note_partners(case: CaseRequest, author: User) -> list[User]:
    """Whose note ``author`` may write: their own as a participant; as a coordinator of the
    region every participant's and their own."""
    participants = table_participants(case)
    if is_case_coordinator(author, case):
        if all(p.id != author.id for p in participants):
            participants.append(author)
        return participants
    return [p for p in participants if p.id == author.id]


def save_note(
    case: CaseRequest, author: User, partner_id: int | None, body: str, now: dt.datetime
) -> CaseNote:
    """Save ``partner_id``'s note on ``case`` (one per partner: replaces the text of an
    existing one) written by ``author``; return it. Flushes.

    Raises :class:`NotPlanned` (409) unless the table is planned, :class:`NotYourNote` (403)
    when ``author`` may not write that partner's note (:func:`note_partners`), and
    :class:`CaseRefused` (422, field "body") for an empty, overlong (``MAX_NOTE``) or
    identifying text — nothing is stored then. ``now`` is aware UTC.
    """
    _require_planned(case)
    partner = next((p for p in note_partners(case, author) if p.id == partner_id), None)
    if partner is None:
        raise NotYourNote()
    body = check_case_text(body, "body", MAX_NOTE, today=brussels_today(now))
    lock_for_update(case)  # two saves of one note at once: one row, the last text
    _require_planned(case)
    note = db.session.scalar(
        select(CaseNote).where(CaseNote.case_id == case.id, CaseNote.partner_id == partner.id)
    )
    if note is None:
        note = CaseNote(
            case_id=case.id,
            partner_id=partner.id,
            organisation_id=partner.organisation_id,
            created_at=now,
        )
        db.session.add(note)
    else:
        note.updated_at = now
    note.body, note.author_id = body, author.id
    db.session.flush()
    return note


def add_agreement(
    case: CaseRequest,
    author: User,
    partner_id: int | None,
    what: str,
    due_on: dt.date | None,
    now: dt.datetime,
) -> CaseAgreement:
    """Record that ``partner_id`` (a participant of the table) does ``what`` by ``due_on``
    (a Europe/Brussels day, not before today) on ``case``; mail the partner "Je hebt een
    update over casus C-…" with a link (nothing of the case in the mail). Flushes.

    Raises :class:`OnlyCoordinators` (403) unless ``author`` coordinates the region,
    :class:`NotPlanned` (409), :class:`CaseRefused` (422) with ``field`` "partner_id",
    "what" or "due_on". ``now`` is aware UTC.
    """
    if not is_case_coordinator(author, case):
        raise OnlyCoordinators()
    _require_planned(case)
    today = brussels_today(now)
    partner = next((p for p in table_participants(case) if p.id == partner_id), None)
    if partner is None:
        raise CaseRefused(_l("Kies een partner die aan tafel zit."), field="partner_id")
    what = check_case_text(what, "what", MAX_AGREEMENT, today=today)
    if due_on is not None and not today <= due_on <= today + dt.timedelta(days=366):
        raise CaseRefused(_l("Kies een datum vanaf vandaag, binnen het jaar."), field="due_on")
    agreement = CaseAgreement(
        case_id=case.id,
        partner_id=partner.id,
        what=what,
        due_on=due_on,
        author_id=author.id,
        created_at=now,
    )
    db.session.add(agreement)
    db.session.flush()
    notify_case_update(case, [partner], "casetables.notes")
    return agreement


def confirm_agreement(agreement: CaseAgreement, user: User, now: dt.datetime) -> bool:
    """The partner of ``agreement`` confirms it; return True when this call confirmed it,
    False when it was confirmed before (idempotent: the first time stays). Raises
    :class:`NotYourAgreement` (403) for anyone else. ``now`` is aware UTC."""
    if agreement.partner_id is None or agreement.partner_id != user.id:
        raise NotYourAgreement()
    lock_for_update(agreement)  # a double click: one confirmation time
    if agreement.confirmed_at is not None:
        return False
    agreement.confirmed_at = now
    db.session.flush()
    return True


def notify_case_update(case: CaseRequest, people: list[User], endpoint: str) -> int:
    """Queue "Je hebt een update over casus C-…" to each of ``people`` (active, each once)
    with a link to ``endpoint`` (a page of the case, by code): the case's code is all the
    mail says of the case (issue 19, "No leaks"). Returns how many mails were queued."""
    paths = {
        "casetables.notes": f"/casustafel/{case.code}/verslag",
        "casetables.follow_up": f"/casustafel/{case.code}/opvolging",
    }
    return notify_update(case, people, path=paths.get(endpoint, case_path(case)))
