"""Which registrations and invitations belong to an account: by its id, or by its verified address.

Rule (issue 13, "Registrations belong to a verified person"): a registration is an
account's when it was made with the account (``Registration.user_id``), or when it
was made with the account's e-mail address (any letter case) *and* the account has
verified that address. An invitation is an account's when it is addressed to the
account's verified address. Until the address is verified, anyone could have typed
it at sign-up; a guest's registrations and invitations stay the guest's. Once it is
verified, the account holder has shown they read that mailbox, which is what a guest
shows by confirming a registration: from then on the account sees, cancels and
exports the registrations made with that address as a guest.

Every place that links registrations or invitations to an account uses these
functions: "Mijn activiteiten", an activity's page, the personal calendar feed, the
data export and the erasure of an account, and registering (a guest registration is
linked to the account of its address only when that address is verified).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, func, or_, select

from community.accounts.models import User
from community.core.extensions import db
from events.models import Invitation, Registration


def registrations_of(user: User) -> ColumnElement[bool]:
    """WHERE clause on ``Registration``: the registrations that are ``user``'s (see above)."""
    by_account = Registration.user_id == user.id
    if not user.is_verified:
        return by_account
    return or_(by_account, func.lower(Registration.email) == user.email.lower())


def is_registration_of(user: User, registration: Registration) -> bool:
    """True when ``registration`` is ``user``'s: the same rule as :func:`registrations_of`."""
    if registration.user_id is not None and registration.user_id == user.id:
        return True
    return user.is_verified and registration.email.lower() == user.email.lower()


def invitations_of(user: User) -> ColumnElement[bool]:
    """WHERE clause on ``Invitation``: those to ``user``'s address, once it is verified."""
    if not user.is_verified:
        return false()
    return func.lower(Invitation.email) == user.email.lower()


def verified_account_of(email: str) -> User | None:
    """Return the account whose verified address is ``email`` (any case), or None.

    A guest registration made with this address is linked to that account; an
    account that has not verified the address gets nothing that others typed.
    """
    return db.session.scalar(
        select(User).where(
            func.lower(User.email) == email.strip().lower(), User.is_verified.is_(True)
        )
    )
