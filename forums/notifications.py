"""Notifications of new posts: in the site, and by mail at once or in a daily digest."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app, url_for
from flask_babel import force_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.db import utcnow
from community.core.extensions import db
from community.core.i18n import LOCALES
from community.core.mail.outbox import queue_mail
from forums.models import (
    ForumPreference,
    MailMode,
    Notification,
    Post,
    Subscription,
    Thread,
)
from forums.permissions import can_read_forum
from forums.subscriptions import unsubscribe_headers, unsubscribe_url

log = logging.getLogger(__name__)

REPLY = "reply"
MENTION = "mention"
DIGEST_MAX_ITEMS = 50  # posts listed in one digest mail; the rest is on the notifications page


def _absolute(path: str) -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/") + path


def post_url(post: Post) -> str:
    """Return the absolute permanent link of ``post``."""
    return _absolute(url_for("forums.post_link", post_id=post.id))


def _subscribers(thread: Thread) -> dict[int, Subscription]:
    """Return {user id: the closest subscription} for the watchers of ``thread``.

    Thread before category before forum: the unsubscribe link of a mail ends the
    subscription that caused it.
    """
    clauses = [Subscription.thread_id == thread.id, Subscription.forum_id == thread.forum_id]
    if thread.category_id is not None:
        clauses.append(Subscription.category_id == thread.category_id)
    rows = db.session.scalars(
        select(Subscription).where(or_(*clauses)).options(joinedload(Subscription.user))
    ).all()
    rank = {"thread": 0, "category": 1, "forum": 2}

    def level(subscription: Subscription) -> int:
        if subscription.thread_id:
            return rank["thread"]
        return rank["category"] if subscription.category_id else rank["forum"]

    chosen: dict[int, Subscription] = {}
    for subscription in sorted(rows, key=level):
        chosen.setdefault(subscription.user_id, subscription)
    return chosen


def _modes(user_ids: set[int]) -> dict[int, MailMode]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(ForumPreference.user_id, ForumPreference.mail_mode).where(
            ForumPreference.user_id.in_(user_ids)
        )
    )
    modes = {user_id: MailMode(mode) for user_id, mode in rows}
    return {user_id: modes.get(user_id, MailMode.IMMEDIATE) for user_id in user_ids}


def notify_new_post(post: Post, mentioned: list[User]) -> list[Notification]:
    """Notify the watchers of ``post``'s thread and the ``mentioned`` members; return the notices.

    Every recipient who may read the forum (never the author, never an inactive
    account) gets one in-site ``Notification``; "mention" wins over "reply".
    Members who want mail at once get it now through the outbox, with a signed
    one-click unsubscribe link and ``List-Unsubscribe`` headers (RFC 2369,
    RFC 8058); digest readers get it with ``flask send-forum-digest``.
    """
    thread = post.thread
    watchers = _subscribers(thread)
    recipients: dict[int, tuple[User, str, Subscription | None]] = {}
    for user_id, subscription in watchers.items():
        recipients[user_id] = (subscription.user, REPLY, subscription)
    for user in mentioned:
        recipients[user.id] = (user, MENTION, watchers.get(user.id))
    recipients.pop(post.author_id, None)
    modes = _modes(set(recipients))
    now = utcnow()
    notices = []
    for user_id, (user, kind, subscription) in sorted(recipients.items()):
        if not user.is_active or not can_read_forum(user, thread.forum):
            continue
        notice = Notification(user_id=user_id, post=post, thread=thread, kind=kind)
        db.session.add(notice)
        notices.append(notice)
        if modes[user_id] == MailMode.IMMEDIATE and user.is_verified:
            _mail_at_once(user, post, kind, subscription)
            notice.mailed_at = now
    db.session.flush()
    log.info("post %s: %s notifications", post.id, len(notices))
    return notices


def _mail_at_once(user: User, post: Post, kind: str, subscription: Subscription | None) -> None:
    link = unsubscribe_url(user, subscription)
    author = post.author.display_name if post.author else None
    if kind == MENTION:
        subject = _l("%(name)s noemde je in „%(title)s”", name=author, title=post.thread.title)
    else:
        subject = _l("Nieuw bericht in „%(title)s”", title=post.thread.title)
    queue_mail(
        user.email,
        subject,
        "forum_post",
        language=user.locale,
        headers=unsubscribe_headers(link),
        user=user,
        post=post,
        kind=kind,
        author=author,
        post_link=post_url(post),
        unsubscribe_link=link,
        watches_thread=bool(subscription and subscription.thread_id),
    )


def send_digests(now: dt.datetime | None = None) -> int:
    """Mail every digest reader the posts they were not mailed yet; return the number of mails.

    One mail per member, at most ``DIGEST_MAX_ITEMS`` posts (oldest first), with
    a link that ends all forum mail. Marks the notifications as mailed. Meant to
    run daily (cron: ``flask send-forum-digest``); ``now`` is aware UTC.
    """
    now = now or utcnow()
    rows = db.session.scalars(
        select(Notification)
        .join(ForumPreference, ForumPreference.user_id == Notification.user_id)
        .where(
            ForumPreference.mail_mode == MailMode.DIGEST,
            Notification.mailed_at.is_(None),
            Notification.read_at.is_(None),
        )
        .options(
            joinedload(Notification.user),
            joinedload(Notification.post).joinedload(Post.author),
            joinedload(Notification.thread).joinedload(Thread.forum),
        )
        .order_by(Notification.user_id, Notification.id)
    ).all()
    per_user: dict[int, list[Notification]] = {}
    for notice in rows:
        per_user.setdefault(notice.user_id, []).append(notice)
    sent = 0
    for notices in per_user.values():
        user = notices[0].user
        for notice in notices:
            notice.mailed_at = now
        # Only what the reader may still read (one who left the project group, issue 18).
        visible = [
            n for n in notices if n.post.is_visible and can_read_forum(user, n.thread.forum)
        ][:DIGEST_MAX_ITEMS]
        if not visible or not user.is_active or not user.is_verified:
            continue
        link = unsubscribe_url(user, None)
        with force_locale(LOCALES.get(user.locale, LOCALES["nl"])):
            items = [
                {
                    "thread": n.thread.title,
                    "forum": n.thread.forum.name,
                    "author": n.post.author.display_name if n.post.author else None,
                    "kind": n.kind,
                    "excerpt": excerpt(n.post.body),
                    "link": post_url(n.post),
                }
                for n in visible
            ]
        queue_mail(
            user.email,
            lazy_ngettext(
                "Forumoverzicht: %(num)s nieuw bericht",
                "Forumoverzicht: %(num)s nieuwe berichten",
                len(items),
            ),
            "forum_digest",
            language=user.locale,
            headers=unsubscribe_headers(link),
            user=user,
            items=items,
            unsubscribe_link=link,
            notifications_link=_absolute(url_for("forums.notifications")),
        )
        preference = db.session.get(ForumPreference, user.id)
        preference.last_digest_at = now
        sent += 1
    db.session.flush()
    log.info("forum digests queued: %s", sent)
    return sent


def excerpt(body: str, length: int = 300) -> str:
    """Return the first ``length`` characters of a post's Markdown, on one line."""
    text = " ".join((body or "").split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def unread_count(user_id: int) -> int:
    """Return the number of unread in-site notifications of ``user_id``."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def unread_count_query(user_id: int):
    """Return the scalar subquery of :func:`unread_count`, to combine with other reads."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def mark_thread_read(user_id: int, thread_id: int) -> None:
    """Mark the unread notifications of ``user_id`` about ``thread_id`` as read."""
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.thread_id == thread_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def mark_all_read(user_id: int) -> None:
    """Mark every notification of ``user_id`` as read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
