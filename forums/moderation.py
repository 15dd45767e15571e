"""Moderation: threads (pin, lock, move, rename), posts, reports, suspensions, categories.

Every moderator action is written to ``ModerationLog`` (issue 5, "Moderators'
actions are logged"). Functions add and flush; the view commits. Who may act is
decided by ``forums.permissions.can_moderate_thread`` before these are called.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.text import fold, one_line
from community.core.text import slugify as text_slugify
from forums.models import (
    Category,
    Forum,
    ModerationLog,
    Post,
    Report,
    Subscription,
    Suspension,
    Thread,
)

log = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 300
MAX_SUSPENSION_DAYS = 365


class ModerationError(ValueError):
    """A moderation request that cannot be carried out; ``message`` is shown to the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def log_action(
    moderator: User,
    action: str,
    *,
    thread: Thread | None = None,
    post: Post | None = None,
    target: User | None = None,
    detail: str = "",
) -> ModerationLog:
    """Add a ``ModerationLog`` row for ``action`` by ``moderator`` and return it."""
    entry = ModerationLog(
        moderator_id=moderator.id,
        action=action,
        thread_id=thread.id if thread else (post.thread_id if post else None),
        post_id=post.id if post else None,
        target_user_id=target.id if target else None,
        detail=detail,
    )
    db.session.add(entry)
    log.info("moderation %s by user %s", action, moderator.id)
    return entry


def set_pinned(thread: Thread, moderator: User, pinned: bool) -> None:
    """Pin (``pinned`` True) or unpin ``thread``: pinned threads list first in their forum."""
    thread.is_pinned = pinned
    log_action(moderator, "pin" if pinned else "unpin", thread=thread)
    db.session.flush()


def set_locked(thread: Thread, moderator: User, locked: bool) -> None:
    """Lock ``thread`` (no more replies except by moderators) or unlock it."""
    thread.is_locked = locked
    log_action(moderator, "lock" if locked else "unlock", thread=thread)
    db.session.flush()


def rename_thread(thread: Thread, moderator: User, title: str) -> None:
    """Give ``thread`` the new ``title``; ``ModerationError`` when empty or too long."""
    title = one_line(title or "")
    if not title:
        raise ModerationError(_l("Geef het gesprek een titel."))
    if len(title) > MAX_TITLE_LENGTH:
        raise ModerationError(_l("Een titel is hoogstens 300 tekens lang."))
    old = thread.title
    thread.title = title
    log_action(moderator, "rename", thread=thread, detail=f"{old} → {title}")
    db.session.flush()


def move_thread(
    thread: Thread, moderator: User, forum: Forum, category: Category | None = None
) -> None:
    """Move ``thread`` to ``forum`` (and ``category`` of that forum, or none).

    Raises ``ModerationError`` when the category belongs to another forum.
    """
    if category is not None and category.forum_id != forum.id:
        raise ModerationError(_l("Die categorie hoort niet bij het gekozen forum."))
    detail = f"{thread.forum.name} → {forum.name}"
    if category is not None:
        detail += f" / {category.name}"
    thread.forum = forum
    thread.category = category
    log_action(moderator, "move", thread=thread, detail=detail)
    db.session.flush()


def hide_post(post: Post, moderator: User, reason: str) -> None:
    """Hide ``post`` from readers with ``reason`` (required); open reports on it are resolved."""
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_l("Geef een reden op waarom je dit bericht verbergt."))
    post.is_hidden = True
    post.hidden_reason = reason[:2000]
    log_action(moderator, "hide", post=post, target=post.author, detail=reason)
    _resolve_reports_of(post, moderator)
    db.session.flush()


def restore_post(post: Post, moderator: User, reason: str = "") -> None:
    """Show a hidden ``post`` again."""
    post.is_hidden = False
    post.hidden_reason = ""
    log_action(moderator, "restore", post=post, target=post.author, detail=reason.strip())
    db.session.flush()


def report_post(post: Post, reporter: User, reason: str) -> Report:
    """Put ``post`` in the moderation queue with the ``reason`` of ``reporter``.

    Raises ``ModerationError`` for an empty reason or when ``reporter`` already
    has an open report on this post (no duplicates in the queue).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_l("Geef aan waarom je dit bericht meldt."))
    existing = db.session.scalar(
        select(Report.id).where(
            Report.post_id == post.id,
            Report.reporter_id == reporter.id,
            Report.resolved_at.is_(None),
        )
    )
    if existing:
        raise ModerationError(_l("Je hebt dit bericht al gemeld; een moderator bekijkt het."))
    report = Report(post_id=post.id, reporter_id=reporter.id, reason=reason[:2000])
    db.session.add(report)
    db.session.flush()
    log.info("post %s reported by user %s", post.id, reporter.id)
    return report


def resolve_report(report: Report, moderator: User) -> None:
    """Close ``report`` without hiding the post (the moderator found it acceptable)."""
    report.resolved_at = utcnow()
    report.resolved_by_id = moderator.id
    log_action(moderator, "resolve_report", post=report.post, detail=report.reason)
    db.session.flush()


def _resolve_reports_of(post: Post, moderator: User) -> None:
    reports = db.session.scalars(
        select(Report).where(Report.post_id == post.id, Report.resolved_at.is_(None))
    )
    for report in reports:
        report.resolved_at = utcnow()
        report.resolved_by_id = moderator.id


def suspend_member(member: User, moderator: User, days: int, reason: str) -> Suspension:
    """Stop ``member`` from posting for ``days`` days (1–365) from now; return the suspension.

    Raises ``ModerationError`` for a period outside 1–365 days, an empty
    reason, or a moderator suspending themselves or an admin.
    """
    reason = (reason or "").strip()
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ModerationError(_l("Een schorsing duurt minstens 1 en hoogstens 365 dagen."))
    if not reason:
        raise ModerationError(_l("Geef een reden op voor de schorsing."))
    if member.id == moderator.id or member.is_admin:
        raise ModerationError(_l("Dit lid kan je niet schorsen."))
    now = utcnow()
    suspension = Suspension(
        user_id=member.id,
        moderator_id=moderator.id,
        reason=reason[:2000],
        created_at=now,
        ends_at=now + dt.timedelta(days=days),
    )
    db.session.add(suspension)
    log_action(moderator, "suspend", target=member, detail=f"{days} dagen: {reason}")
    db.session.flush()
    _forget_cached_suspension(member.id)
    return suspension


def lift_suspensions(member: User, moderator: User) -> int:
    """End every running suspension of ``member`` now; return how many were running."""
    now = utcnow()
    running = db.session.scalars(
        select(Suspension).where(Suspension.user_id == member.id, Suspension.ends_at > now)
    ).all()
    for suspension in running:
        suspension.ends_at = now
    if running:
        log_action(moderator, "lift_suspension", target=member)
    db.session.flush()
    _forget_cached_suspension(member.id)
    return len(running)


def _cache() -> dict | None:
    if not has_request_context():
        return None
    return request.environ.setdefault("bruggen.forum_suspensions", {})


def _forget_cached_suspension(user_id: int) -> None:
    cache = _cache()
    if cache is not None:
        cache.pop(user_id, None)


def remember_suspension(user_id: int, ends_at: dt.datetime | None) -> None:
    """Keep the suspension end of ``user_id`` found by another query for this request."""
    cache = _cache()
    if cache is not None:
        cache[user_id] = ends_at


def suspension_ends_at(user_id: int, now: dt.datetime) -> dt.datetime | None:
    """Return when the suspension of ``user_id`` running at ``now`` ends (aware UTC), or None.

    Within a request the answer is looked up once per user (for the current time).
    """
    cache = _cache()
    if cache is not None and user_id in cache:
        ends_at = cache[user_id]
        return ends_at if ends_at is not None and ends_at > now else None
    ends_at = db.session.scalar(
        select(Suspension.ends_at)
        .where(Suspension.user_id == user_id, Suspension.ends_at > now)
        .order_by(Suspension.ends_at.desc())
        .limit(1)
    )
    if cache is not None:
        cache[user_id] = ends_at
    return ends_at


# --- categories ---------------------------------------------------------------------------


class CategoryNameTaken(DomainError):
    """The forum has a category of that name already (accents and case ignored)."""

    text = _l("Dit forum heeft al een categorie met die naam.")
    field = "name"


def _check_name_free(forum: Forum, name: str, keep: Category | None = None) -> None:
    taken = {fold(c.name) for c in forum.categories if c is not keep}
    if fold(name) in taken:
        raise CategoryNameTaken()


def _free_slug(forum: Forum, name: str) -> str:
    """A slug of ``name`` that no category of ``forum`` has (``-2``, ``-3``... when needed)."""
    base = text_slugify(name, max_length=110, fallback="categorie")
    slugs = {c.slug for c in forum.categories}
    slug, n = base, 2
    while slug in slugs:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_category(forum: Forum, moderator: User, name: str, description: str = "") -> Category:
    """Add a category ``name`` at the end of ``forum``'s categories and return it (flushes).

    Raises :class:`CategoryNameTaken` when the forum has that name already, accents and
    case ignored ("Signalen" is "signalen").
    """
    name = " ".join(name.split())
    _check_name_free(forum, name)
    position = max((c.position for c in forum.categories), default=0) + 1
    category = Category(
        forum=forum,
        name=name,
        slug=_free_slug(forum, name),
        description=description.strip(),
        position=position,
    )
    db.session.add(category)
    log_action(moderator, "add_category", detail=f"{forum.name}: {name}")
    db.session.flush()
    return category


def rename_category(category: Category, moderator: User, name: str, description: str) -> None:
    """Give ``category`` a new ``name`` and ``description`` (flushes).

    The slug stays: it is the category's address (``?categorie=vragen``) in links already
    sent in mails and bookmarked, as a published activity keeps its slug. Raises
    :class:`CategoryNameTaken` when another category of the forum has that name.
    """
    name = " ".join(name.split())
    _check_name_free(category.forum, name, keep=category)
    old = category.name
    category.name = name
    category.description = description.strip()
    detail = (
        f"{category.forum.name}: {old} → {name}"
        if old != name
        else f"{category.forum.name}: {name}"
    )
    log_action(moderator, "rename_category", detail=detail)
    db.session.flush()


def remove_category(category: Category, moderator: User) -> int:
    """Remove ``category``; its threads stay in the forum without a category. Returns their number.

    Subscriptions to the category go with it (their members still get what they follow
    otherwise: the forum, their threads). Done here rather than left to the foreign keys'
    ON DELETE, which SQLite does not apply unless told to on every connection.
    """
    forum = category.forum
    moved = db.session.execute(
        update(Thread).where(Thread.category_id == category.id).values(category_id=None)
    ).rowcount
    db.session.execute(delete(Subscription).where(Subscription.category_id == category.id))
    forum.categories.remove(category)
    db.session.delete(category)
    log_action(moderator, "remove_category", detail=f"{forum.name}: {category.name} ({moved})")
    db.session.flush()
    log.info("category %s removed, %s threads uncategorised", category.id, moved)
    return moved
