"""Watching threads, categories and whole forums; mail preference; signed unsubscribe links."""

from __future__ import annotations

import logging

from flask import current_app, url_for
from sqlalchemy import select

from community.accounts.models import User
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.tokens import TokenInvalid, make_token, read_token
from forums.models import Category, Forum, ForumPreference, MailMode, Subscription, Thread

log = logging.getLogger(__name__)

UNSUBSCRIBE_PURPOSE = "forum-unsubscribe"
# An unsubscribe link in a mail keeps working for a year (RFC 8058 asks links to last).
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600  # seconds


def _target_clause(thread: Thread | None, category: Category | None, forum: Forum | None):
    if sum(target is not None for target in (thread, category, forum)) != 1:
        raise ValueError("watch exactly one of thread, category or forum")
    return (
        Subscription.thread_id == thread.id if thread else Subscription.thread_id.is_(None),
        Subscription.category_id == category.id if category else Subscription.category_id.is_(None),
        Subscription.forum_id == forum.id if forum else Subscription.forum_id.is_(None),
    )


def find_subscription(
    user: User,
    *,
    thread: Thread | None = None,
    category: Category | None = None,
    forum: Forum | None = None,
) -> Subscription | None:
    """Return ``user``'s subscription to exactly one of ``thread``, ``category`` or ``forum``."""
    return db.session.scalar(
        select(Subscription).where(
            Subscription.user_id == user.id, *_target_clause(thread, category, forum)
        )
    )


def subscribe(
    user: User,
    *,
    thread: Thread | None = None,
    category: Category | None = None,
    forum: Forum | None = None,
) -> Subscription:
    """Make ``user`` watch exactly one of ``thread``, ``category`` or ``forum`` (a theme).

    Idempotent: returns the existing subscription when there is one. Takes ``user``'s
    row lock first, so the button pressed twice at once makes one subscription.
    """
    lock_for_update(user)
    existing = find_subscription(user, thread=thread, category=category, forum=forum)
    if existing is not None:
        return existing
    subscription = Subscription(
        user_id=user.id,
        thread_id=thread.id if thread else None,
        category_id=category.id if category else None,
        forum_id=forum.id if forum else None,
    )
    db.session.add(subscription)
    db.session.flush()
    log.info("user %s watches subscription %s", user.id, subscription.id)
    return subscription


def stop_watching(
    user: User,
    *,
    thread: Thread | None = None,
    category: Category | None = None,
    forum: Forum | None = None,
) -> bool:
    """End ``user``'s subscription to exactly one of ``thread``, ``category`` or ``forum``.

    Returns False when there was none (already ended: the button pressed twice). Takes
    ``user``'s row lock first.
    """
    lock_for_update(user)
    existing = find_subscription(user, thread=thread, category=category, forum=forum)
    if existing is None:
        return False
    unsubscribe(existing)
    return True


def unsubscribe(subscription: Subscription) -> None:
    """Stop the subscription (deletes it)."""
    log.info("subscription %s of user %s ended", subscription.id, subscription.user_id)
    db.session.delete(subscription)
    db.session.flush()


def mail_mode(user: User) -> MailMode:
    """Return how ``user`` wants forum mail: at once (default), a daily digest, or none."""
    preference = db.session.get(ForumPreference, user.id)
    return MailMode(preference.mail_mode) if preference else MailMode.IMMEDIATE


def set_mail_mode(user: User, mode: MailMode) -> None:
    """Store ``mode`` as ``user``'s forum mail preference (takes ``user``'s row lock first)."""
    lock_for_update(user)
    preference = db.session.get(ForumPreference, user.id)
    if preference is None:
        preference = ForumPreference(user_id=user.id)
        db.session.add(preference)
    preference.mail_mode = MailMode(mode)
    db.session.flush()
    log.info("forum mail mode of user %s: %s", user.id, mode)


def unsubscribe_token(user: User, subscription: Subscription | None) -> str:
    """Return a signed token that ends ``subscription``, or all forum mail when None."""
    payload = {"u": user.id, "s": subscription.id if subscription else None}
    return make_token(UNSUBSCRIBE_PURPOSE, payload)


def unsubscribe_url(user: User, subscription: Subscription | None) -> str:
    """Return the absolute one-click unsubscribe link for a mail (see ``unsubscribe_token``)."""
    base = current_app.config["BRUGGEN_BASE_URL"].rstrip("/")
    path = url_for("forums.unsubscribe", token=unsubscribe_token(user, subscription))
    return base + path


def unsubscribe_headers(url: str) -> dict:
    """Return the ``List-Unsubscribe`` headers for a mail: RFC 2369 and one-click RFC 8058."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def read_unsubscribe_token(token: str) -> tuple[User, int | None]:
    """Return the member and the subscription id (None: all forum mail) of a token.

    Raises ``community.core.tokens.TokenExpired`` after ``UNSUBSCRIBE_MAX_AGE`` and
    ``TokenInvalid`` for a forged or damaged token or an unknown member.
    """
    payload = read_token(UNSUBSCRIBE_PURPOSE, token, UNSUBSCRIBE_MAX_AGE)
    user_id, subscription_id = payload.get("u"), payload.get("s")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not (subscription_id is None or isinstance(subscription_id, int)):
        raise TokenInvalid(UNSUBSCRIBE_PURPOSE)
    return user, subscription_id


def apply_unsubscribe(user: User, subscription_id: int | None) -> bool:
    """End subscription ``subscription_id`` of ``user``, or all forum mail when None.

    Returns False when the subscription no longer exists (already unsubscribed). Takes
    ``user``'s row lock first: mail clients that follow the link twice at once are fine.
    """
    lock_for_update(user)
    if subscription_id is None:
        set_mail_mode(user, MailMode.NONE)
        return True
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != user.id:
        return False
    unsubscribe(subscription)
    return True
