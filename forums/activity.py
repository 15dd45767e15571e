"""A discussion thread for every published activity, linked both ways (issue 5, "Structure")."""

from __future__ import annotations

import logging

from sqlalchemy import select

from community.core.extensions import db
from events.models import Event, Visibility
from events.signals import event_published
from forums.models import Forum, Thread
from forums.posting import slugify

log = logging.getLogger(__name__)


def forum_for_event(event: Event) -> Forum | None:
    """Return the forum of an activity's theme; the general forum for both or no theme.

    Returns None when that forum does not exist.
    """
    themes = list(event.themes)
    if len(themes) == 1:
        query = select(Forum).where(Forum.theme_id == themes[0].id)
    else:
        query = select(Forum).where(Forum.theme_id.is_(None))
    query = query.where(Forum.is_project_group.is_(False))  # never the group's closed forum
    return db.session.scalars(query.order_by(Forum.position, Forum.id)).first()


def open_event_thread(event: Event) -> Thread | None:
    """Return the discussion thread of ``event``, opening it when it has none.

    The thread carries the activity's title, region (none for the network-wide
    region) and publication time; its page links to the activity and the
    activity page links to it (the forums "event" section). Invite-only
    activities (casusoverleg, ROTS) get no thread: they discuss individual
    cases, which have no place in a forum; nor do the project group's meetings
    (issue 18: nothing of the group in the open forums). Returns None then, or when no forum
    fits. Adds and flushes; the caller commits.
    """
    if event.visibility in (Visibility.INVITE_ONLY, Visibility.PROJECT_GROUP):
        return None
    db.session.flush()
    existing = db.session.scalar(select(Thread).where(Thread.event_id == event.id))
    if existing is not None:
        return existing
    forum = forum_for_event(event)
    if forum is None:
        log.warning("no forum for the thread of event %s", event.id)
        return None
    region = event.region if event.region and not event.region.is_network_wide else None
    thread = Thread(
        forum=forum,
        title=event.title,
        slug=slugify(event.title),
        region=region,
        event_id=event.id,
        post_count=0,
    )
    db.session.add(thread)
    db.session.flush()
    log.info("thread %s opened for event %s", thread.id, event.id)
    return thread


def _on_event_published(sender: Event, **extra) -> None:
    open_event_thread(sender)


def connect() -> None:
    """Listen to ``events.signals.event_published`` (idempotent; a strong reference)."""
    event_published.connect(_on_event_published, weak=False)
