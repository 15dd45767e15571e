"""Who may read, write in and moderate the forums; used by views and exported to templates."""

from __future__ import annotations

import datetime as dt

from community.accounts.permissions import can_post, can_read_members_content, is_signed_in
from community.core.db import utcnow
from forums.models import Forum, Post, Thread


def can_read_forum(user, forum: Forum) -> bool:
    """True when ``user`` may read the threads of ``forum``: public forums for all, else members.

    The forum index (names and thread titles) is public; reading posts is not
    (issue 2, "Pages"); an admin may make a forum readable without login (issue 5).
    """
    return forum.is_public or can_read_members_content(user)


def is_suspended(user, now: dt.datetime | None = None) -> bool:
    """True when ``user`` has a forum suspension running at ``now`` (aware UTC, default now).

    See ``forums.moderation.suspension_ends_at``; within a request the answer
    for the current time is looked up once.
    """
    from forums.moderation import suspension_ends_at

    if not is_signed_in(user):
        return False
    return suspension_ends_at(user.id, now or utcnow()) is not None


def can_reply(user, thread: Thread) -> bool:
    """True when ``user`` may post in ``thread``: verified e-mail, not suspended, not locked.

    Moderators may still post in a locked thread (to explain why it was locked).
    """
    if not can_post(user) or not can_read_forum(user, thread.forum):
        return False
    if thread.is_locked and not can_moderate_thread(user, thread):
        return False
    return not is_suspended(user)


def can_start_thread(user, forum: Forum) -> bool:
    """True when ``user`` may open a thread in ``forum``: verified e-mail and not suspended."""
    return can_post(user) and can_read_forum(user, forum) and not is_suspended(user)


def can_edit_post(user, post: Post) -> bool:
    """True when ``user`` wrote ``post`` and it is neither deleted nor hidden by a moderator.

    A suspended author sees the edit link but is refused on saving (``posting.edit_post``).
    """
    return (
        can_post(user) and post.author_id == user.id and not post.is_deleted and not post.is_hidden
    )


def can_moderate_thread(user, thread: Thread) -> bool:
    """True when ``user`` may pin, lock, move and rename ``thread`` and hide its posts.

    Rule (issue 5, "coordinators for their theme/region, admins everywhere"):
    admins moderate everything. A coordinator moderates the threads of the
    regions they coordinate. A thread without a region, or with the network-wide
    pseudo-region "Vlaanderen en Brussel", belongs to every network: any
    coordinator moderates it. Coordinators are region-scoped in the data model
    (``User.coordinated_regions``); the theme follows from the forum, so a
    coordinator's region covers both theme forums.
    """
    if not is_signed_in(user):
        return False
    if user.is_admin:
        return True
    regions = user.coordinated_regions
    if not regions:
        return False
    if thread.region_id is None or (thread.region is not None and thread.region.is_network_wide):
        return True
    return any(region.id == thread.region_id for region in regions)


def can_moderate(user) -> bool:
    """True for admins and coordinators: the moderation queue, categories, suspensions."""
    return is_signed_in(user) and (user.is_admin or bool(user.coordinated_regions))


def can_manage_categories(user, forum: Forum) -> bool:
    """True when ``user`` may add and rename the categories of ``forum``: coordinators, admins."""
    return can_moderate(user)


def can_make_public(user, forum: Forum) -> bool:
    """True for admins: only they make a forum readable without login (issue 5)."""
    return is_signed_in(user) and user.is_admin


TEMPLATE_RULES = {
    "can_read_forum": can_read_forum,
    "can_reply": can_reply,
    "can_start_thread": can_start_thread,
    "can_edit_post": can_edit_post,
    "can_moderate_thread": can_moderate_thread,
    "can_moderate": can_moderate,
    "can_manage_categories": can_manage_categories,
    "can_make_public": can_make_public,
}
