"""Demo invitations (issue 17): the member accounts invited to each invite-only activity.

Drawn from ``content.yaml``: every activity marked ``invite_only`` (the ROTS case
consultation) invites the demo accounts with the role ``member``. The invitations are
listed, not mailed (``sent_at`` empty): the demo coordinator mails them from the
activity's Invitations page ("Nu mailen"), and the invited members can open the page.
"""

from __future__ import annotations

from sqlalchemy import func, select

from community.core.extensions import db
from events.models import Event, Invitation


def seed_invitations(content: dict, events: dict[str, Event], counts: dict[str, int]) -> None:
    """Add the missing demo invitations; ``counts["invitations"]`` grows by those added."""
    members = [a for a in content["accounts"] if a.get("role") == "member"]
    counts.setdefault("invitations", 0)
    for data in content["events"]:
        if not data.get("invite_only"):
            continue
        event = events[data["key"]]
        db.session.flush()
        for account in members:
            exists = db.session.scalar(
                select(Invitation.id).where(
                    Invitation.event_id == event.id,
                    func.lower(Invitation.email) == account["email"].lower(),
                )
            )
            if exists is None:
                db.session.add(
                    Invitation(event=event, email=account["email"], name=account["display"])
                )
                counts["invitations"] += 1
