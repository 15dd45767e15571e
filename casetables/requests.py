"""Filing a case request and reading one (issue 19, "Request" and "Access").

Domain functions: they raise :class:`CaseRefused` (a ``DomainError``) and never touch the
request or session; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from casetables.guard import find_personal_data_strict, known_school_names, strict_kinds
from casetables.models import CaseRead, CaseRequest, SchoolLevel, Urgency
from community.accounts.models import OrganisationType, Region, User
from community.accounts.permissions import is_signed_in
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from events.models import Invitation, InvitationStatus
from signals.models import AgeGroup

#: Characters of a case code: no 0/O, 1/I/L, so a code read aloud is not misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FREE_TEXT_FIELDS = ("stuck", "tried", "question")
MAX_TEXT = 3000  # characters per free-text field

#: What the strict guard found, in words for the requester.
FINDING_LABELS = {
    "national_number": _l("rijksregister- of BIS-nummer"),
    "phone": _l("telefoonnummer"),
    "email": _l("e-mailadres"),
    "birth_date": _l("geboortedatum"),
    "address": _l("adres"),
    "name": _l("naam"),
    "school": _l("schoolnaam"),
}


class CaseRefused(DomainError):
    text = _l("Deze aanvraag kan niet bewaard worden.")
    status = 422


class CaseNotVisible(DomainError):
    text = _l("Deze casus bestaat niet of je hebt er geen toegang toe.")
    status = 404


class _KindsInWords:
    """The kinds of findings, translated when the message is shown (not when raised)."""

    def __init__(self, kinds: list[str]) -> None:
        self.kinds = kinds

    def __str__(self) -> str:
        return ", ".join(str(FINDING_LABELS[kind]) for kind in self.kinds)


@dataclass
class RequestFields:
    """What a requester fills in; ``tried_services`` are :class:`OrganisationType` values."""

    region_id: int | None
    age_group: str
    school_level: str
    stuck: str
    tried: str
    question: str
    urgency: str = Urgency.NORMAL.value
    tried_services: Sequence[str] = field(default_factory=tuple)


def new_case_code() -> str:
    """A random case code such as "C-7KQ2-M9" (31 symbols, 6 places: about 887 million codes),
    drawn with :mod:`secrets`; unique against the stored ones."""
    while True:
        symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        code = f"C-{symbols[:4]}-{symbols[4:]}"
        if db.session.scalar(select(CaseRequest.id).where(CaseRequest.code == code)) is None:
            return code


def check_request(fields: RequestFields, today: dt.date | None = None) -> None:
    """Raise :class:`CaseRefused` (with ``field``) for the first thing wrong in ``fields``:
    an unknown choice, an empty or overlong text, or personal data the strict guard finds
    (the message names what it found, never the text itself)."""
    region = db.session.get(Region, fields.region_id) if fields.region_id else None
    if region is None:
        raise CaseRefused(_l("Kies een regio."), field="region_id")
    choices = {
        "age_group": {a.value for a in AgeGroup},
        "school_level": {s.value for s in SchoolLevel},
        "urgency": {u.value for u in Urgency},
    }
    for name, allowed in choices.items():
        if getattr(fields, name) not in allowed:
            raise CaseRefused(_l("Kies een van de mogelijkheden."), field=name)
    if not set(fields.tried_services) <= {t.value for t in OrganisationType}:
        raise CaseRefused(_l("Kies een van de mogelijkheden."), field="tried_services")
    schools = known_school_names()
    for name in FREE_TEXT_FIELDS:
        text = (getattr(fields, name) or "").strip()
        if not text:
            raise CaseRefused(_l("Vul dit veld in."), field=name)
        if len(text) > MAX_TEXT:
            raise CaseRefused(_l("Hoogstens %(max)d tekens.", max=MAX_TEXT), field=name)
        findings = find_personal_data_strict(text, schools, today=today)
        if findings:
            raise CaseRefused(
                _l(
                    "Dit veld lijkt gegevens te bevatten die de jongere herkenbaar maken "
                    "(%(found)s). Beschrijf de situatie zonder naam, initialen, "
                    "geboortedatum, school, adres of nummers.",
                    found=_KindsInWords(strict_kinds(findings)),
                ),
                field=name,
                findings=findings,
            )


def file_request(
    requester: User, fields: RequestFields, today: dt.date | None = None
) -> CaseRequest:
    """Check ``fields`` (:func:`check_request`) and add a new case request by
    ``requester`` with a fresh code; flushes, does not commit. Raises :class:`CaseRefused`."""
    check_request(fields, today=today)
    case = CaseRequest(
        code=new_case_code(),
        requester=requester,
        region_id=fields.region_id,
        age_group=fields.age_group,
        school_level=fields.school_level,
        tried_services=",".join(sorted(set(fields.tried_services))),
        stuck=fields.stuck.strip(),
        tried=fields.tried.strip(),
        question=fields.question.strip(),
        urgency=fields.urgency,
    )
    db.session.add(case)
    db.session.flush()
    return case


def is_table_participant(user, case: CaseRequest) -> bool:
    """True when ``user`` accepted the invitation to ``case``'s table (issue 19,
    "Access": "the invited participants who accepted"): an accepted
    :class:`events.models.Invitation` to ``case.event_id`` for this member, or for their
    address when the account is verified (an invitation by address, accepted before
    the account existed or without signing in). False before a table is planned."""
    if not is_signed_in(user) or case.event_id is None:
        return False
    mine = Invitation.user_id == user.id
    if user.is_verified:
        mine = or_(mine, func.lower(Invitation.email) == user.email.lower())
    query = select(Invitation.id).where(
        Invitation.event_id == case.event_id,
        Invitation.status == InvitationStatus.ACCEPTED,
        mine,
    )
    return db.session.scalar(query.limit(1)) is not None


def table_participants(case: CaseRequest) -> list[User]:
    """The members who accepted the invitation to ``case``'s table (by account, or by
    the address of a verified account), ordered by name; [] before a table is planned."""
    if case.event_id is None:
        return []
    accepted = select(Invitation.user_id, func.lower(Invitation.email)).where(
        Invitation.event_id == case.event_id, Invitation.status == InvitationStatus.ACCEPTED
    )
    rows = db.session.execute(accepted).all()
    ids = {user_id for user_id, _ in rows if user_id is not None}
    addresses = {address for _, address in rows}
    query = select(User).where(
        or_(
            User.id.in_(ids),
            and_(User.is_verified.is_(True), func.lower(User.email).in_(addresses)),
        )
    )
    return sorted(db.session.scalars(query), key=lambda user: (user.display_name.lower(), user.id))


def can_read_case(user, case: CaseRequest) -> bool:
    """True when ``user`` may see the content of ``case`` (issue 19, "Access"): its
    requester, a coordinator of its own region, or a participant who accepted the
    invitation to its table (:func:`is_table_participant`). Nobody else, admins
    included: an admin who is not a coordinator of that region sees counts only."""
    if not is_signed_in(user):
        return False
    if case.requester_id is not None and case.requester_id == user.id:
        return True
    if any(region.id == case.region_id for region in user.coordinated_regions):
        return True
    return is_table_participant(user, case)


def read_case(user, case: CaseRequest) -> CaseRequest:
    """Return ``case`` for ``user`` after logging the read (who, when: a
    :class:`CaseRead`); raises :class:`CaseNotVisible` when :func:`can_read_case` says no,
    logging nothing. Flushes, does not commit."""
    if not can_read_case(user, case):
        raise CaseNotVisible()
    db.session.add(CaseRead(case_id=case.id, reader_id=user.id, read_at=utcnow()))
    db.session.flush()
    return case


def read_log(user, case: CaseRequest) -> list[CaseRead]:
    """The reads of ``case``, newest first, for a coordinator of its region; raises
    :class:`CaseNotVisible` for anyone else (the requester included)."""
    if not any(region.id == case.region_id for region in getattr(user, "coordinated_regions", [])):
        raise CaseNotVisible()
    query = (
        select(CaseRead)
        .where(CaseRead.case_id == case.id)
        .order_by(CaseRead.read_at.desc(), CaseRead.id.desc())
    )
    return list(db.session.scalars(query))
