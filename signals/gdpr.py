"""What the signal function holds about a member, registered with the base's privacy rights.

Export: the member's signals (with their state), recognitions and follows. Deletion
(issue 16, "Rules"): the signals and recognitions stay, for they are evidence the networks
passed on; the account shows as "verwijderd lid" (``community.gdpr.rights``), the name is
no longer shared, and the follows go (nobody left to mail).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select, update

from community.accounts.models import User
from community.core.db import iso_utc
from community.core.extensions import db
from signals.models import Recognition, Signal, SignalFollow

log = logging.getLogger(__name__)


def export_signal_data(user: User) -> dict:
    """Return the member's signals, recognitions and follows as JSON-ready data."""
    signals = db.session.scalars(
        select(Signal).where(Signal.reporter_id == user.id).order_by(Signal.id)
    ).all()
    recognitions = db.session.scalars(
        select(Recognition).where(Recognition.user_id == user.id).order_by(Recognition.id)
    ).all()
    follows = db.session.scalars(
        select(SignalFollow).where(SignalFollow.user_id == user.id).order_by(SignalFollow.id)
    ).all()
    return {
        "signals": [
            {
                "signal_id": s.id,
                "title": s.title,
                "description": s.description,
                "region": s.region.name,
                "municipality": s.municipality,
                "themes": [t.number for t in s.themes],
                "age_group": s.age_group,
                "sectors": [sector.value for sector in s.sector_list],
                "services": s.services,
                "frequency": s.frequency,
                "tried": s.tried,
                "would_help": s.would_help,
                "name_shared_with_members": s.is_name_shared,
                "state": s.state,
                "created_at": iso_utc(s.created_at),
            }
            for s in signals
        ],
        "recognitions": [
            {
                "signal_id": r.signal_id,
                "signal": r.signal.title,
                "context": r.context,
                "created_at": iso_utc(r.created_at),
            }
            for r in recognitions
        ],
        "follows": [{"signal_id": f.signal_id, "signal": f.signal.title} for f in follows],
    }


def erase_signal_data(user: User, now: dt.datetime) -> None:
    """Keep the member's signals and recognitions (as "verwijderd lid"); drop their follows."""
    db.session.execute(
        update(Signal).where(Signal.reporter_id == user.id).values(is_name_shared=False)
    )
    db.session.execute(delete(SignalFollow).where(SignalFollow.user_id == user.id))
    log.info("signal data of user %s erased (signals kept as 'verwijderd lid')", user.id)
