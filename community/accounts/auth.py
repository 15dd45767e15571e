"""Account domain logic: sign-up, login checks, tokens for mail links, passwords, roles.

Functions here never touch ``request``, ``session`` or ``flash``; they only
``add``/``flush`` to the database session (the view commits once) and raise the
errors below, which the views turn into a message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from community.accounts.models import (
    LANGUAGES,
    Organisation,
    ProjectGroupRole,
    Region,
    Sector,
    Theme,
    User,
)
from community.core.db import utcnow
from community.core.extensions import db, login_manager
from community.core.locks import lock_for_update
from community.core.pagecache.versions import NOT_A_CHANGE_OF_PAGES
from community.core.tokens import TokenExpired, TokenInvalid, make_token, read_token

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10  # issue 2: "Passwords ... at least 10 characters"

VERIFY_PURPOSE = "verify-email"
RESET_PURPOSE = "reset-password"

# Checked when an e-mail address is unknown, so a failed login takes as long
# for an unknown address as for a wrong password (no account enumeration by timing).
_DUMMY_HASH = generate_password_hash("bruggen-no-such-account", method="scrypt")

__all__ = [
    "AccountError",
    "AccountInactive",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidEmail",
    "PasswordTooShort",
    "SelfLockout",
    "TokenExpired",
    "TokenInvalid",
    "WrongPassword",
]


class AccountError(Exception):
    """Base of the account errors."""


class EmailTaken(AccountError):
    """An account with this e-mail address (in any letter case) already exists: ``user``."""

    def __init__(self, user: User) -> None:
        super().__init__(user.id)
        self.user = user


class InvalidEmail(AccountError):
    """The e-mail address is not syntactically valid."""


class InvalidCredentials(AccountError):
    """Unknown e-mail address or wrong password (deliberately indistinguishable)."""


class AccountInactive(AccountError):
    """The account was deactivated by an admin and cannot sign in."""


class WrongPassword(AccountError):
    """The current password given to confirm a change is wrong."""


class PasswordTooShort(AccountError):
    """The new password is shorter than ``MIN_PASSWORD_LENGTH`` characters."""


class SelfLockout(AccountError):
    """An admin tried to deactivate their own account or drop their own admin role."""


# --- e-mail addresses -------------------------------------------------------


def normalise_email(email: str) -> str:
    """Return ``email`` normalised by ``email_validator`` (domain lower-cased, Unicode NFC).

    The local part keeps its case; uniqueness is checked case-insensitively
    (``lower(email)`` index on ``users``). Raises ``InvalidEmail``.
    Deliverability (DNS) is not checked: sign-up must work offline.
    """
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from exc


def find_user_by_email(email: str) -> User | None:
    """Return the account with ``email``, compared case-insensitively, or None."""
    email = email.strip()
    if not email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _check_password_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(MIN_PASSWORD_LENGTH)


# --- sign-up and login ------------------------------------------------------


def sign_up(
    email: str,
    display_name: str,
    password: str,
    *,
    region: Region | None = None,
    organisation: Organisation | None = None,
    sector: Sector | str | None = None,
    job_title: str = "",
    themes: Iterable[Theme] = (),
    locale: str = "nl",
) -> User:
    """Create an unverified member account and return it (flushed, so it has an id).

    Raises ``InvalidEmail`` for a malformed address, ``PasswordTooShort``, and
    ``EmailTaken`` (with the existing account) when the address exists in any
    letter case (``Ann@Example.org`` is ``ann@example.org``; issue 2, "Bad
    input"). An existing address costs the same work as a new one (the password
    is hashed all the same), so the answer takes as long and tells nothing
    (issue 13, "No account enumeration at sign-up"). The caller sends the
    verification mail (or tells the owner of the existing account) and commits.
    """
    email = normalise_email(email)
    _check_password_length(password)
    existing = find_user_by_email(email)
    if existing is not None:
        generate_password_hash(password, method="scrypt")  # as long as a new account takes
        raise EmailTaken(existing)
    user = User(
        email=email,
        display_name=display_name.strip(),
        region=region,
        organisation=organisation,
        sector=Sector(sector) if sector else None,
        job_title=job_title.strip(),
        locale=locale if locale in LANGUAGES else "nl",
        is_verified=False,
        is_active=True,
        is_admin=False,
    )
    user.set_password(password)
    user.themes = list(themes)
    db.session.add(user)
    db.session.flush()
    log.info("account %s signed up (unverified)", user.id)
    return user


def authenticate(email: str, password: str) -> User:
    """Return the account whose e-mail is ``email`` (any case) and whose password is ``password``.

    Raises ``InvalidCredentials`` for an unknown address or a wrong password
    (same error, same time, so accounts cannot be enumerated) and
    ``AccountInactive`` when the password is right but an admin deactivated
    the account (issue 2: "it can no longer log in").
    """
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise InvalidCredentials()
    if not user.check_password(password):
        raise InvalidCredentials()
    if not user.is_active:
        raise AccountInactive(user.id)
    return user


def record_login(user: User) -> None:
    """Set ``user.last_login_at`` to now (aware UTC), in the caller's transaction.

    A sign-in changes no page: the UPDATE raises no version of the page cache
    (``community.core.pagecache.versions.NOT_A_CHANGE_OF_PAGES``), else every login would make every
    cached public page render again.
    """
    now = utcnow()
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(last_login_at=now)
        .execution_options(**NOT_A_CHANGE_OF_PAGES)
    )
    set_committed_value(user, "last_login_at", now)
    log.info("account %s signed in", user.id)


def sign_out_everywhere(user: User) -> None:
    """End every session and remember-me cookie of ``user``, on every device, in the caller's
    transaction.

    Issue 13, "Logout ends the session": signing out gives the account a new
    ``session_token``, so a session or remember-me cookie copied before (or still on
    another device) no longer signs anyone in. Signed cookies cannot be recalled one by
    one; the token is per account, so signing out on one device signs out all of them
    (as a password change does). Like a sign-in, it changes no page
    (``NOT_A_CHANGE_OF_PAGES``).
    """
    token = secrets.token_hex(16)
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_token=token)
        .execution_options(**NOT_A_CHANGE_OF_PAGES)
    )
    set_committed_value(user, "session_token", token)
    log.info("account %s signed out everywhere", user.id)


# --- e-mail verification ----------------------------------------------------


def _user_in(payload: dict) -> User | None:
    user_id = payload.get("user")
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def _email_fingerprint(user: User) -> str:
    # Links in mails are signed, not encrypted: carry a digest, never the address.
    return hashlib.sha256(user.email.lower().encode()).hexdigest()[:16]


def verification_token(user: User) -> str:
    """Return a signed token proving ownership of ``user``'s current e-mail address.

    The token carries a digest of the address, so it stops working if the address changes.
    Its age is checked against ``VERIFY_TOKEN_MAX_AGE`` (seconds) when read.
    """
    return make_token(VERIFY_PURPOSE, {"user": user.id, "email": _email_fingerprint(user)})


def user_for_verification_token(token: str, max_age: int | None = None) -> User:
    """Return the account a verification ``token`` names, without changing anything.

    ``max_age`` in seconds defaults to config ``VERIFY_TOKEN_MAX_AGE``. Raises
    ``TokenExpired`` for an authentic but too old token, ``TokenInvalid`` for a
    forged one or one whose account or address no longer exists.
    """
    if max_age is None:
        max_age = current_app.config["VERIFY_TOKEN_MAX_AGE"]
    payload = read_token(VERIFY_PURPOSE, token, max_age)
    user = _user_in(payload)
    if user is None or payload.get("email") != _email_fingerprint(user):
        raise TokenInvalid(VERIFY_PURPOSE)
    return user


def verify_email(token: str, max_age: int | None = None) -> User:
    """Mark the account named by ``token`` as verified and return it.

    Raises what :func:`user_for_verification_token` raises. Verifying an
    already verified account is harmless and returns it.
    """
    user = user_for_verification_token(token, max_age)
    if not user.is_verified:
        user.is_verified = True
        log.info("account %s verified its e-mail address", user.id)
    return user


# --- passwords --------------------------------------------------------------


def _password_fingerprint(user: User) -> str:
    # A digest of the current hash: the reset link dies once the password changes.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    """Return a signed password-reset token for ``user``.

    The payload holds a fingerprint of the current password hash, so a link
    works once: after the password is set, the fingerprint no longer matches.
    Its age is checked against ``RESET_TOKEN_MAX_AGE`` (seconds) when read.
    """
    return make_token(RESET_PURPOSE, {"user": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str, max_age: int | None = None) -> User:
    """Return the active account a reset ``token`` is valid for, without changing anything.

    ``max_age`` in seconds defaults to config ``RESET_TOKEN_MAX_AGE``. Raises
    ``TokenExpired`` (too old) or ``TokenInvalid`` (forged, already used,
    unknown or deactivated account).
    """
    if max_age is None:
        max_age = current_app.config["RESET_TOKEN_MAX_AGE"]
    payload = read_token(RESET_PURPOSE, token, max_age)
    user = _user_in(payload)
    if user is None or not user.is_active or payload.get("pw") != _password_fingerprint(user):
        raise TokenInvalid(RESET_PURPOSE)
    return user


def reset_password(token: str, new_password: str, max_age: int | None = None) -> User:
    """Set a new password for the account of a reset ``token`` and return the account.

    Raises what :func:`user_for_reset_token` raises, and ``PasswordTooShort``.
    Following the link proves the address, so the account becomes verified.
    """
    user = user_for_reset_token(token, max_age)
    _check_password_length(new_password)
    user.set_password(new_password)
    user.end_sessions()
    user.is_verified = True
    log.info("account %s reset its password", user.id)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace ``user``'s password after checking ``current_password``.

    Raises ``WrongPassword`` when the current password is wrong and
    ``PasswordTooShort`` for a new password under ``MIN_PASSWORD_LENGTH``.
    Outstanding reset links stop working (their fingerprint changes).
    """
    if not user.check_password(current_password):
        raise WrongPassword(user.id)
    _check_password_length(new_password)
    user.set_password(new_password)
    user.end_sessions()
    log.info("account %s changed its password", user.id)


# --- profile, language, roles ----------------------------------------------


def update_profile(
    user: User,
    *,
    display_name: str,
    region: Region | None,
    organisation: Organisation | None,
    sector: Sector | str | None,
    job_title: str,
    themes: Iterable[Theme],
    locale: str,
) -> None:
    """Replace ``user``'s profile fields and preferred language ("nl" or "en").

    Takes ``user``'s row lock first: a form sent twice at once saves twice, in turn.
    """
    lock_for_update(user)
    user.display_name = display_name.strip()
    user.region = region
    user.organisation = organisation
    user.sector = Sector(sector) if sector else None
    user.job_title = job_title.strip()
    user.themes = list(themes)
    set_language(user, locale)
    log.info("account %s updated its profile", user.id)


def set_language(user: User, language: str) -> None:
    """Store ``language`` ("nl" or "en") as ``user``'s preferred language.

    Raises ``ValueError`` for a language Bruggen does not offer.
    """
    if language not in LANGUAGES:
        raise ValueError(language)
    user.locale = language


def set_active(user: User, is_active: bool, *, actor: User | None = None) -> None:
    """Activate or deactivate ``user``; a deactivated account cannot sign in, its content stays.

    Existing sessions end at their next request (the user loader refuses
    inactive accounts). Raises ``SelfLockout`` when ``actor`` deactivates
    their own account. Rule: issue 2, "an admin can deactivate an account".
    """
    if not is_active and actor is not None and actor.id == user.id:
        raise SelfLockout(user.id)
    if user.is_active != is_active:
        user.is_active = is_active
        user.end_sessions()
        log.info(
            "account %s %s by %s",
            user.id,
            "activated" if is_active else "deactivated",
            actor.id if actor else "system",
        )


def set_roles(
    user: User,
    is_admin: bool,
    regions: Iterable[Region],
    *,
    actor: User | None = None,
    project_group_role: ProjectGroupRole | None = None,
) -> None:
    """Make ``user`` admin or not, and coordinator of exactly ``regions`` (empty: member),
    with ``project_group_role`` (None: no place of their own in the project group).

    Raises ``SelfLockout`` when ``actor`` removes their own admin role, so the
    site never loses its last admin by accident. Takes ``user``'s row lock first.
    """
    lock_for_update(user)
    if not is_admin and actor is not None and actor.id == user.id and user.is_admin:
        raise SelfLockout(user.id)
    user.is_admin = is_admin
    user.coordinated_regions = list(regions)
    user.project_group_role = project_group_role
    log.info(
        "account %s roles set: admin=%s, regions=%s, project group=%s by %s",
        user.id,
        is_admin,
        [r.id for r in user.coordinated_regions],
        project_group_role,
        actor.id if actor else "system",
    )


# --- Flask-Login -------------------------------------------------------------


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the active user of a session id "<id>.<session_token>" (``User.get_id``).

    None (signed out) for a deactivated account, or when the account's session
    token changed since the session began (password changed or reset).
    """
    user_id, _, token = session_id.partition(".")
    if not user_id.isdigit() or len(user_id) > 18 or not token:
        return None
    # One query for the user and their roles (issue 14): nearly every page asks what the
    # member coordinates (menus, permission checks), which would be a second query.
    user = db.session.get(User, int(user_id), options=[joinedload(User.coordinated_regions)])
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(user.session_token, token):
        return None
    return user


def init_app(app: Flask) -> None:
    """Configure Flask-Login: the login page and its Dutch message."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Meld je aan om deze pagina te zien.")
    login_manager.login_message_category = "info"
