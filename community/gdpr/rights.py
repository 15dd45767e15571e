"""Privacy rights (GDPR): a member's data export and account deletion, and the guest purge.

``community`` never imports ``events`` or ``forums`` (DESIGN.md, "Factory and
wiring"): each feature registers what it holds about a member in the app's
registry (``community.core.features``: ``add_export``, ``add_erasure``, ``add_purge``,
called from the feature's ``wiring.register``); the library's parts are in
``community.library.gdpr``.
Rules: GDPR art. 15 and 20 (access, portability: a machine-readable export),
art. 17 (erasure) and art. 5(1)(e) (storage limitation); issue 7, "Privacy
rights (GDPR)"; DESIGN.md, "Privacy comes with the domain".
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, delete, func, or_, select

from community.accounts.auth import WrongPassword
from community.accounts.models import User
from community.core.db import iso_utc, utcnow
from community.core.extensions import db
from community.core.features import features
from community.core.locks import lock_for_update
from community.core.mail.models import OutboxMessage

log = logging.getLogger(__name__)

# Shown wherever a deleted member's name was: posts, materials, moderation log.
DELETED_NAME = "verwijderd lid"
EXPORT_FORMAT = 1  # bumped when the layout of the export changes


def export_parts() -> list[str]:
    """Return the names of the registered export parts, in order."""
    return [part.name for part in sorted(features().exports.values())]


# --- export -----------------------------------------------------------------------------


def _profile(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "language": user.locale,
        "region": user.region.name if user.region else None,
        "organisation": user.organisation.name if user.organisation else None,
        "sector": str(user.sector) if user.sector else None,
        "job_title": user.job_title,
        "themes": [theme.name for theme in user.themes],
        "is_verified": user.is_verified,
        "is_admin": user.is_admin,
        "coordinated_regions": [region.name for region in user.coordinated_regions],
        "project_group_role": str(user.project_group_role) if user.project_group_role else None,
        "created_at": iso_utc(user.created_at),
        "last_login_at": iso_utc(user.last_login_at),
    }


def export_member_data(user: User, now: dt.datetime | None = None) -> dict:
    """Return everything Bruggen holds about ``user`` as a JSON-ready dict (GDPR art. 15, 20).

    Keys: ``format``, ``exported_at`` (aware UTC, ISO 8601), ``profile``, then one
    key per part the features registered, in their order (materials, practices,
    registrations, forums...). Reads only.
    """
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": iso_utc(now or utcnow()),
        "profile": _profile(user),
    }
    for part in sorted(features().exports.values()):
        data[part.name] = part.function(user)
    log.info("account %s exported its data", user.id)
    return data


# --- deletion ---------------------------------------------------------------------------


class LastAdmin(Exception):
    """The only active admin cannot delete the account: nobody could manage the site after."""


def anonymous_address(kind: str, row_id: int) -> str:
    """Return a unique stand-in for an address ("verwijderd-lid-12"): no "@", never mailed."""
    return f"verwijderd-{kind}-{row_id}"


def delete_account(user: User, password: str, now: dt.datetime | None = None) -> None:
    """Delete ``user``'s account at their request (GDPR art. 17), after checking ``password``.

    Every registered feature first erases what it holds (cancelling future
    registrations, removing subscriptions...). Then the profile is wiped: the
    e-mail becomes a unique non-address, the name "verwijderd lid", the
    password unusable, every session ends, organisation, job, region, sector,
    themes and roles are cleared and the account is deactivated. The row stays
    so that posts, materials and practices remain readable under "verwijderd
    lid". Raises ``WrongPassword`` (nothing changed) when ``password`` is wrong
    and ``LastAdmin`` when ``user`` is the only active admin.
    ``now``: aware UTC, default now. Flushes; the caller commits. Takes ``user``'s row
    lock first and does nothing when the account was deleted meanwhile (sent twice).
    """
    lock_for_update(user)
    if is_deleted(user):
        return
    if not user.check_password(password):
        raise WrongPassword(user.id)
    if user.is_admin:
        others = select(func.count(User.id)).where(
            User.is_admin.is_(True), User.is_active.is_(True), User.id != user.id
        )
        if not db.session.scalar(others):
            raise LastAdmin(user.id)
    now = now or utcnow()
    for part in sorted(features().erasures.values()):
        part.function(user, now)
    # Mails to the member (sent or waiting) hold their name and address. Until the address
    # is verified it may be a guest's who never made this account (issue 13): then only the
    # mails already sent go, and none waiting for that guest is lost.
    to_member = func.lower(OutboxMessage.recipient) == user.email.lower()
    if not user.is_verified:
        to_member = and_(to_member, OutboxMessage.sent_at.is_not(None))
    db.session.execute(delete(OutboxMessage).where(to_member))
    user.email = anonymous_address("lid", user.id)
    user.display_name = DELETED_NAME
    user.password_hash = "!" + secrets.token_hex(16)  # no password hashes to this
    user.end_sessions()
    if hasattr(user, "regenerate_feed_token"):  # the personal calendar link (issue 4) dies too
        user.regenerate_feed_token()
    user.region = None
    user.organisation = None
    user.sector = None
    user.job_title = ""
    user.themes = []
    user.coordinated_regions = []
    user.is_admin = False
    user.is_verified = False
    user.is_active = False
    user.last_login_at = None
    db.session.flush()
    log.info("account %s deleted at the member's request", user.id)


def is_deleted(user: User) -> bool:
    """True when ``user`` is an account deleted by :func:`delete_account`."""
    return user.email == anonymous_address("lid", user.id)


# --- purge ------------------------------------------------------------------------------


def purge(now: dt.datetime, settings: Mapping[str, Any]) -> dict[str, int]:
    """Anonymise or remove what is kept longer than its retention period (``flask purge``).

    ``now`` is aware UTC (``ValueError`` for a naive one); ``settings`` (the app
    config) gives each part's period in days, e.g. ``GUEST_RETENTION_DAYS``.
    Returns {part name: number of records handled}. Flushes; the caller commits.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    result = {}
    for part in sorted(features().purges.values()):
        days = int(settings.get(part.setting) or part.default_days)
        result[part.name] = part.function(now, dt.timedelta(days=days))
    return result


def purge_sent_mail(now: dt.datetime, retention: dt.timedelta) -> int:
    """Delete outbox messages sent, or failed for good, more than ``retention`` ago; return
    how many.

    Mails carry names, addresses and links; once sent they are only kept a
    while to answer "did you send it?", and a failed one as long for an admin to
    see and send again. Messages still waiting stay (the sender retries).
    """
    cutoff = now - retention
    result = db.session.execute(
        delete(OutboxMessage).where(
            or_(
                and_(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff),
                and_(OutboxMessage.failed_at.is_not(None), OutboxMessage.failed_at < cutoff),
            )
        )
    )
    db.session.flush()
    log.info("purge: %d sent or failed mails removed from the outbox", result.rowcount)
    return result.rowcount
