"""Attendance certificates (attest): issued to participants marked present, verified by code.

Issue 17, "Attendance certificates": a participant marked present (``Registration.attended
is True``) downloads a PDF with the person, the activity, its date, its hours (from the
programme), the organiser and network, and a verification code; a public page confirms
that a code is real, showing no more than the certificate itself. What a certificate shows
is copied into its row when it is issued, so the PDF and the verification page agree
whatever changes later. The code is random (``secrets``), never derived from the person.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.accounts.models import Region, User
from community.core.db import utcnow
from community.core.documents import render_pdf
from community.core.extensions import db
from events.followup.errors import CertificateUnknown, NotPresent
from events.models import (
    Certificate,
    Event,
    ProgrammeItemKind,
    Registration,
    RegistrationState,
)
from events.organising.times import to_brussels

log = logging.getLogger(__name__)

#: Letters and digits that cannot be mistaken for one another when typed over (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12 ≈ 7·10^17 codes: not guessable within any rate limit
_CODE_INPUT = re.compile(r"[\s\-.]+")


def new_code() -> str:
    """Return a fresh random verification code, grouped by four: ``K7QM-2XWD-P9TR``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    """Return the 12 characters ``raw`` grouped by four with dashes."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(text: str) -> str | None:
    """Return the code typed in ``text`` in its stored form, or None when it cannot be one.

    Spaces, dashes and dots are ignored and letters made upper case, so "k7qm 2xwd p9tr"
    finds ``K7QM-2XWD-P9TR``; anything else than 12 characters of :data:`CODE_ALPHABET`
    is no code.
    """
    raw = _CODE_INPUT.sub("", (text or "")[:40]).upper()
    if len(raw) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in raw):
        return None
    return format_code(raw)


def programme_minutes(event: Event) -> int | None:
    """Return the minutes of ``event`` a certificate states, or None when they are unknown.

    From the programme when it has items other than breaks: the length of the union of
    those items' times (parallel workshops count once, breaks and gaps not at all).
    Without a programme: the activity's own start to end when it lies within one local
    day and is not an all-day activity; a multi-day or all-day activity without a
    programme has no known hours (the certificate then states only its dates).
    """
    spans = sorted(
        (item.starts_at, item.ends_at)
        for item in event.programme
        if item.kind != ProgrammeItemKind.BREAK and item.ends_at > item.starts_at
    )
    if spans:
        total = dt.timedelta()
        current_start, current_end = spans[0]
        for start, end in spans[1:]:
            if start > current_end:
                total += current_end - current_start
                current_start, current_end = start, end
            else:
                current_end = max(current_end, end)
        total += current_end - current_start
        return int(total.total_seconds() // 60)
    if event.is_all_day:
        return None
    if to_brussels(event.starts_at).date() != to_brussels(event.ends_at).date():
        return None
    return int((event.ends_at - event.starts_at).total_seconds() // 60)


def duration_text(minutes: int | None) -> str:
    """Return ``minutes`` as the certificate writes them: "3 uur", "2 uur en 30 minuten"."""
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(num)s uur", "%(num)s uur", hours))
    if rest:
        parts.append(ngettext("%(num)s minuut", "%(num)s minuten", rest))
    return _(" en ").join(parts) if parts else ngettext("%(num)s minuut", "%(num)s minuten", 0)


def organiser_of(event: Event) -> str:
    """Return who organised ``event`` as a certificate names it: the learning network of the
    activity (else of its region, else the region's name), then the co-organising
    organisations, joined by " · " (no words: it is stored once, shown in any language)."""
    network = event.network or event.region.network
    name = network.name if network is not None else event.region.name
    partners = [organisation.name for organisation in event.organisations]
    return " · ".join([name, *partners])[:300]


def _venue(event: Event) -> str:
    if event.is_online:
        return "online"  # the same word in Dutch and English
    return ", ".join(part for part in (event.venue_name, event.venue_address) if part)[:300]


def is_present(registration: Registration) -> bool:
    """True when ``registration`` is a confirmed place marked present (issue 17: "present")."""
    return registration.state == RegistrationState.CONFIRMED and registration.attended is True


def certificate_of(registration: Registration) -> Certificate | None:
    """Return the certificate issued for ``registration``, or None."""
    return db.session.scalar(
        select(Certificate).where(Certificate.registration_id == registration.id)
    )


def issue_certificate(registration: Registration, now: dt.datetime | None = None) -> Certificate:
    """Return ``registration``'s certificate, issuing it first when there is none (flushes).

    Idempotent: the same certificate (and code) every time. Two requests issuing at once
    meet at the unique registration (a savepoint catches the loser, which reads the
    winner's). Raises :class:`NotPresent` unless the participant is marked present.
    ``now``: aware UTC, the date of issue.
    """
    if not is_present(registration):
        raise NotPresent()
    existing = certificate_of(registration)
    if existing is not None:
        return existing
    event = registration.event
    certificate = Certificate(
        code=new_code(),
        registration_id=registration.id,
        event_id=event.id,
        name=registration.name,
        organisation_name=registration.organisation_name,
        event_title=event.title,
        event_type=str(event.type),
        event_starts_at=event.starts_at,
        event_ends_at=event.ends_at,
        is_all_day=event.is_all_day,
        minutes=programme_minutes(event),
        venue=_venue(event),
        organiser=organiser_of(event),
        issued_at=now or utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        found = certificate_of(registration)
        if found is None:  # the code collided (about never): try once more with another
            return issue_certificate(registration, now)
        return found
    log.info("certificate %s issued for registration %s", certificate.id, registration.id)
    return certificate


def present_registrations(event: Event) -> list[Registration]:
    """Return the confirmed registrations of ``event`` marked present, by name."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state == RegistrationState.CONFIRMED,
                Registration.attended.is_(True),
            )
            .options(joinedload(Registration.event))
            .order_by(Registration.name, Registration.id)
        )
    )


def issue_all(event: Event, now: dt.datetime | None = None) -> list[Certificate]:
    """Return the certificates of every participant of ``event`` marked present, issuing the
    missing ones (flushes), in the order of the participants' names."""
    return [issue_certificate(registration, now) for registration in present_registrations(event)]


def verify(code_text: str) -> Certificate:
    """Return the valid certificate whose code ``code_text`` is (typed loosely, see
    :func:`normalise_code`).

    Raises :class:`CertificateUnknown` for no such code, or when its participant is no
    longer marked present (the organiser corrected the attendance): such a certificate
    is not valid, and the page says no more than for an unknown code.
    """
    code = normalise_code(code_text)
    if code is None:
        raise CertificateUnknown()
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.code == code)
        .options(joinedload(Certificate.registration))
    )
    if certificate is None or not is_present(certificate.registration):
        raise CertificateUnknown()
    return certificate


def signatories(event: Event) -> list[str]:
    """Return the names of the coordinators of ``event``'s region, who sign its certificates."""
    region = db.session.get(Region, event.region_id)
    if region is None:
        return []
    return sorted(
        user.display_name
        for user in db.session.scalars(
            select(User).where(User.coordinated_regions.any(Region.id == region.id))
        )
        if user.is_active
    )


def certificates_pdf(certificates: list[Certificate], verify_url: str) -> bytes:
    """Return one PDF with each certificate on its own A4 page, in the current language.

    ``verify_url`` is the absolute address of the public verification page (printed on
    each certificate with its code). Call inside a request or app context.
    """
    names = {}
    for certificate in certificates:
        if certificate.event_id not in names:
            names[certificate.event_id] = signatories(certificate.event)
    from flask_babel import get_locale

    locale = get_locale()
    return render_pdf(
        "documents/certificate.html",
        document_language=locale.language if locale is not None else "nl",
        certificates=certificates,
        signatories=names,
        verify_url=verify_url,
        duration_text=duration_text,
        period=certificate_period,
        type_label=type_label,
    )


def certificate_period(certificate: Certificate) -> str:
    """Return when the certified activity took place, as ``events.display.event_period``
    writes an activity's period (UI language, Europe/Brussels)."""
    from types import SimpleNamespace
    from typing import cast

    from events.display import event_period

    period = SimpleNamespace(
        starts_at=certificate.event_starts_at,
        ends_at=certificate.event_ends_at,
        is_all_day=certificate.is_all_day,
    )
    return event_period(cast(Event, period))


def type_label(certificate: Certificate) -> str:
    """Return the Dutch (UI language) name of the certified activity's type."""
    from events.models import EventType

    try:
        return EventType(certificate.event_type).label
    except ValueError:
        return _("activiteit")
