"""Retention of case requests (issue 19, "Retention").

A set time after a case is closed (``CASE_RETENTION_DAYS``, default 90, at most 365)
``flask purge`` (daily, README's cron list) erases the request texts; what stays is the
anonymous outcome: region, age group, school level, urgency, state and dates. A period
above a year is clamped to 365 days, not refused: the purge must run anyway.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import CursorResult, delete, select, update

from casetables.models import (
    CaseAgreement,
    CaseMessage,
    CaseNote,
    CaseRequest,
    CaseState,
)
from community.core.extensions import db

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 365  # issue 19: "at most one year"


def purge_case_texts(now: dt.datetime, retention: dt.timedelta) -> int:
    """Erase the free texts of cases closed more than ``retention`` ago (clamped to
    ``MAX_RETENTION_DAYS``) before ``now`` (aware UTC); return how many cases.

    Sets ``stuck``, ``tried``, ``question``, ``outcome_note`` and ``follow_up_report`` to
    "", deletes the case's messages and meeting notes and empties its agreements' texts
    (who and by when stay, for the statistics), and sets ``erased_at`` to ``now``; cases
    erased before are left alone. Flushes; the caller commits.
    """
    retention = min(retention, dt.timedelta(days=MAX_RETENTION_DAYS))
    due = (
        select(CaseRequest.id)
        .where(
            CaseRequest.state.in_([CaseState.CLOSED.value, CaseState.REDIRECTED.value]),
            CaseRequest.closed_at.is_not(None),
            CaseRequest.closed_at < now - retention,
            CaseRequest.erased_at.is_(None),
        )
        .scalar_subquery()
    )
    ids = list(db.session.scalars(select(CaseRequest.id).where(CaseRequest.id.in_(due))))
    if not ids:
        return 0
    for table in (CaseMessage, CaseNote):
        db.session.execute(
            delete(table).where(table.case_id.in_(ids)).execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(CaseAgreement)
        .where(CaseAgreement.case_id.in_(ids))
        .values(what="")
        .execution_options(synchronize_session=False)
    )
    result: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(CaseRequest)
        .where(CaseRequest.id.in_(ids))
        .values(
            stuck="", tried="", question="", outcome_note="", follow_up_report="", erased_at=now
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    log.info("purge: the texts of %d closed cases erased", result.rowcount)
    return result.rowcount
