"""The signed links in registration mails: confirm a guest's place, cancel a registration."""

from __future__ import annotations

import datetime as dt
import logging

from community.core.db import utcnow
from community.core.extensions import db
from community.core.tokens import TokenExpired, TokenInvalid, make_token, read_token
from events.models import (
    Registration,
    RegistrationState,
)
from events.registration.errors import ConfirmationExpired, LinkExpired, LinkInvalid
from events.registration.seats import fill_locked, lock_event

log = logging.getLogger(__name__)


# Links in mails: signed tokens naming the registration and its arrival time, so
# a link of a registration that was cancelled and made again no longer works.
CONFIRM_PURPOSE = "registration-confirm"


CANCEL_PURPOSE = "registration-cancel"


LINK_MAX_AGE = 2 * 365 * 24 * 3600  # seconds; cancel links stop working when the event starts


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _stamp(registration: Registration) -> int:
    return (registration.created_at - _EPOCH) // dt.timedelta(microseconds=1)


def confirmation_token(registration: Registration) -> str:
    """Return the signed token of the guest's confirmation link."""
    return make_token(CONFIRM_PURPOSE, {"r": registration.id, "t": _stamp(registration)})


def cancel_token(registration: Registration) -> str:
    """Return the signed token of the registration's cancel link (works without login)."""
    return make_token(CANCEL_PURPOSE, {"r": registration.id, "t": _stamp(registration)})


def registration_from_token(purpose: str, token: str) -> Registration:
    """Return the registration a confirmation or cancel ``token`` names.

    Raises :class:`LinkInvalid` (forged, damaged, unknown registration) or
    :class:`LinkExpired` (too old, or the registration was cancelled and made
    again since the link was sent).
    """
    try:
        payload = read_token(purpose, token, max_age=LINK_MAX_AGE)
    except TokenExpired:
        raise LinkExpired() from None
    except TokenInvalid:
        raise LinkInvalid() from None
    registration = db.session.get(Registration, payload.get("r")) if payload.get("r") else None
    if registration is None:
        raise LinkInvalid()
    if payload.get("t") != _stamp(registration):
        raise LinkExpired()
    return registration


def confirm_guest(token: str, now: dt.datetime | None = None) -> Registration:
    """Confirm the guest registration named by the confirmation link ``token``; return it.

    Raises :class:`LinkInvalid`, :class:`LinkExpired`, or
    :class:`ConfirmationExpired` after 48 hours (the place is then released;
    the caller commits anyway). See :func:`confirm_registration`.
    """
    return confirm_registration(registration_from_token(CONFIRM_PURPOSE, token), now)


def confirm_registration(
    registration: Registration, now: dt.datetime | None = None
) -> Registration:
    """Confirm a guest's e-mail address; return the registration, now confirmed or waitlisted.

    A pending place becomes ``confirmed``; a waitlisted guest stays on the
    waiting list, confirmed for promotion. Confirming twice is harmless. After
    ``pending_until`` (48 hours) raises :class:`ConfirmationExpired`: the place
    is released and given to the waiting list (the caller commits anyway and
    mails ``error.promoted``). A cancelled registration raises :class:`LinkExpired`.
    """
    now = now or utcnow()
    event = registration.event
    lock_event(event)
    db.session.refresh(registration)
    if registration.state == RegistrationState.CANCELLED:
        raise LinkExpired()
    if registration.pending_until is None:
        return registration
    if registration.pending_until <= now:
        raise ConfirmationExpired(fill_locked(event, now))
    registration.pending_until = None
    if registration.state == RegistrationState.PENDING:
        registration.state = RegistrationState.CONFIRMED
        registration.confirmed_at = now
    db.session.flush()
    log.info("guest registration %s confirmed: %s", registration.id, registration.state)
    return registration
