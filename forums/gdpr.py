"""What the forums hold about a member, registered with the base's privacy rights.

Export: posts, threads started, subscriptions, notifications, mail preference,
reports made. Deletion: the posts stay readable (the author's account shows as
"verwijderd lid", DESIGN.md "Privacy comes with the domain"); subscriptions,
notifications, read markers, preference and suspensions go; reports and
privacy-guard overrides lose the link to the member.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.db import iso_utc
from community.core.extensions import db
from forums.models import (
    ForumPreference,
    MailMode,
    Notification,
    Post,
    PrivacyOverride,
    Report,
    Subscription,
    Suspension,
    Thread,
    ThreadRead,
)

log = logging.getLogger(__name__)


def _posts(user: User) -> list[dict]:
    posts = db.session.scalars(
        select(Post)
        .where(Post.author_id == user.id)
        .options(joinedload(Post.thread).joinedload(Thread.forum))
        .order_by(Post.id)
    ).all()
    return [
        {
            "forum": p.thread.forum.name,
            "thread": p.thread.title,
            "thread_id": p.thread_id,
            "post_id": p.id,
            "body": p.body,
            "created_at": iso_utc(p.created_at),
            "edited_at": iso_utc(p.edited_at),
            "is_deleted": p.is_deleted,
            "is_hidden": p.is_hidden,
        }
        for p in posts
    ]


def _threads(user: User) -> list[dict]:
    threads = db.session.scalars(
        select(Thread)
        .where(Thread.author_id == user.id)
        .options(joinedload(Thread.forum))
        .order_by(Thread.id)
    ).all()
    return [
        {
            "forum": t.forum.name,
            "title": t.title,
            "thread_id": t.id,
            "created_at": iso_utc(t.created_at),
        }
        for t in threads
    ]


def _subscriptions(user: User) -> list[dict]:
    rows = db.session.scalars(
        select(Subscription)
        .where(Subscription.user_id == user.id)
        .options(
            joinedload(Subscription.thread),
            joinedload(Subscription.category),
            joinedload(Subscription.forum),
        )
        .order_by(Subscription.id)
    ).all()
    result = []
    for s in rows:
        if s.thread is not None:
            kind, name = "thread", s.thread.title
        elif s.category is not None:
            kind, name = "category", s.category.name
        else:
            kind, name = "forum", s.forum.name if s.forum else None
        result.append({"kind": kind, "name": name, "created_at": iso_utc(s.created_at)})
    return result


def _notifications(user: User) -> list[dict]:
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(joinedload(Notification.thread))
        .order_by(Notification.id)
    ).all()
    return [
        {
            "kind": n.kind,
            "thread": n.thread.title,
            "post_id": n.post_id,
            "created_at": iso_utc(n.created_at),
            "read_at": iso_utc(n.read_at),
            "mailed_at": iso_utc(n.mailed_at),
        }
        for n in rows
    ]


def _reports(user: User) -> list[dict]:
    rows = db.session.scalars(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
    ).all()
    return [
        {"post_id": r.post_id, "reason": r.reason, "created_at": iso_utc(r.created_at)}
        for r in rows
    ]


def export_forum_data(user: User) -> dict:
    """Return ``user``'s forum data: posts, threads, subscriptions, notifications, reports."""
    preference = db.session.get(ForumPreference, user.id)
    return {
        "posts": _posts(user),
        "threads": _threads(user),
        "subscriptions": _subscriptions(user),
        "notifications": _notifications(user),
        "reports": _reports(user),
        "mail_mode": str(preference.mail_mode if preference else MailMode.IMMEDIATE),
    }


def erase_forum_data(user: User, now: dt.datetime) -> None:
    """Remove ``user``'s subscriptions, notifications, read markers, preference and suspensions.

    Posts and threads stay, shown under the wiped account's name "verwijderd
    lid". Reports and privacy-guard overrides stay for the moderators without
    the link to ``user``. Flushes.
    """
    for model in (Subscription, Notification, ThreadRead, ForumPreference, Suspension):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(update(Report).where(Report.reporter_id == user.id).values(reporter_id=None))
    db.session.execute(
        update(PrivacyOverride).where(PrivacyOverride.user_id == user.id).values(user_id=None)
    )
    db.session.flush()
    log.info("account %s: forum subscriptions, notifications and markers removed", user.id)
