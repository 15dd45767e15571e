"""The case tables' parts of a member's data export and account erasure (issue 19).

Decision (issue 19, "No leaks"): the export lists the member's own case requests by code,
state and dates only — never the case text, which is about a young person, not about the
member. Another member's export never shows a case. On erasure the member's requests and
reads stay (the case belongs to the table), with the member unlinked.
"""

from __future__ import annotations

from sqlalchemy import select, update

from casetables.models import CaseRead, CaseRequest
from community.accounts.models import User
from community.core.extensions import db


def export_case_data(user: User) -> dict:
    """``{"case_requests": [{"code", "state", "created_at", "closed_at"}, ...]}`` (ISO UTC)."""
    query = select(CaseRequest).where(CaseRequest.requester_id == user.id).order_by(CaseRequest.id)
    return {
        "case_requests": [
            {
                "code": case.code,
                "state": case.state,
                "created_at": case.created_at.isoformat(),
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            }
            for case in db.session.scalars(query)
        ]
    }


def erase_case_data(user: User, now) -> None:
    """Unlink ``user`` from the case requests they filed and the reads they made."""
    db.session.execute(
        update(CaseRequest).where(CaseRequest.requester_id == user.id).values(requester_id=None)
    )
    db.session.execute(update(CaseRead).where(CaseRead.reader_id == user.id).values(reader_id=None))
