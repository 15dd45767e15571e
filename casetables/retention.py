"""Retention of case requests (issue 19, "Retention").

A set time after a case is closed (``CASE_RETENTION_DAYS``, default 90, at most 365)
``flask purge`` (daily, README's cron list) erases the request texts; what stays is the
anonymous outcome: region, age group, school level, urgency, state and dates. A period
above a year is clamped to 365 days, not refused: the purge must run anyway.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import CursorResult, update

from casetables.models import CaseRequest, CaseState
from community.core.extensions import db

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 365  # issue 19: "at most one year"


def purge_case_texts(now: dt.datetime, retention: dt.timedelta) -> int:
    """Erase the free texts of cases closed more than ``retention`` ago (clamped to
    ``MAX_RETENTION_DAYS``) before ``now`` (aware UTC); return how many cases.

    Sets ``stuck``, ``tried``, ``question`` to "" and ``erased_at`` to ``now``; cases
    erased before are left alone. Flushes; the caller commits.
    """
    retention = min(retention, dt.timedelta(days=MAX_RETENTION_DAYS))
    result: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(CaseRequest)
        .where(
            CaseRequest.state == CaseState.CLOSED.value,
            CaseRequest.closed_at.is_not(None),
            CaseRequest.closed_at < now - retention,
            CaseRequest.erased_at.is_(None),
        )
        .values(stuck="", tried="", question="", erased_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    log.info("purge: the texts of %d closed cases erased", result.rowcount)
    return result.rowcount
