"""The follow-up of a closed case (issue 19, "Follow-up": a check-in date; the requester
reports back in one line).

``flask send-case-follow-ups`` (daily, README's cron list) mails the requester once, on or
after the check-in day, "Je hebt een update over casus C-…" with a link to the follow-up
page; there the requester writes one line (strict guard). Domain functions: they add and
flush, never commit.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casetables.meeting import brussels_today, check_case_text, notify_case_update
from casetables.models import CaseRequest, CaseState
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.locks import lock_for_update

MAX_REPORT = 300  # issue 19: "one line"


class NotYourFollowUp(DomainError):
    """Only the requester reports back (403)."""

    text = _l("Alleen wie de casus aanvroeg, kan de opvolging invullen.")
    status = 403


class NotYetClosed(DomainError):
    """The follow-up comes after closing (409)."""

    text = _l("De opvolging kan pas als de casus afgesloten is.")
    status = 409


class AlreadyErased(DomainError):
    """The case's texts were erased (409)."""

    text = _l("De teksten van deze casus zijn al gewist.")
    status = 409


def follow_ups_due(now: dt.datetime) -> list[CaseRequest]:
    """The closed cases whose check-in day (Europe/Brussels) is today or before at ``now``
    (aware UTC), not yet reminded nor reported, with a requester, texts not yet erased."""
    query = select(CaseRequest).where(
        CaseRequest.state == CaseState.CLOSED.value,
        CaseRequest.follow_up_on.is_not(None),
        CaseRequest.follow_up_on <= brussels_today(now),
        CaseRequest.follow_up_sent_at.is_(None),
        CaseRequest.follow_up_reported_at.is_(None),
        CaseRequest.requester_id.is_not(None),
        CaseRequest.erased_at.is_(None),
    )
    return list(db.session.scalars(query.order_by(CaseRequest.id)))


def send_follow_ups(now: dt.datetime) -> int:
    """Queue the follow-up mail to the requester of every case :func:`follow_ups_due` at
    ``now`` (aware UTC) and mark it sent, so a second run sends nothing; return how many.
    The mail carries the case code and a link only. Flushes; the caller commits."""
    count = 0
    for case in follow_ups_due(now):
        lock_for_update(case)
        if case.follow_up_sent_at is not None:  # another run took it meanwhile
            continue
        case.follow_up_sent_at = now
        if case.requester is not None:
            count += notify_case_update(case, [case.requester], "casetables.follow_up")
    db.session.flush()
    return count


def report_back(case: CaseRequest, user, line: str, now: dt.datetime) -> CaseRequest:
    """The requester of closed ``case`` reports back in one line (≤ ``MAX_REPORT``
    characters, one line, strict guard); a later report replaces the line. Returns ``case``.
    Flushes.

    Raises :class:`NotYourFollowUp` (403) for anyone but the requester,
    :class:`NotYetClosed` (409) before closing, :class:`AlreadyErased` (409) after the
    texts were erased, :class:`CaseRefused` (422, field "line").
    """
    if case.requester_id is None or case.requester_id != user.id:
        raise NotYourFollowUp()
    if case.state != CaseState.CLOSED.value:
        raise NotYetClosed()
    if case.erased_at is not None:
        raise AlreadyErased()
    line = " ".join((line or "").split())
    line = check_case_text(line, "line", MAX_REPORT, today=brussels_today(now))
    lock_for_update(case)
    case.follow_up_report = line
    case.follow_up_reported_at = now
    db.session.flush()
    return case
