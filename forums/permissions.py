"""Who may read, write in and moderate the forums; used by views and exported to templates."""

from __future__ import annotations

import datetime as dt

from community.accounts.models import User
from community.accounts.permissions import (
    can_coordinate_in,
    can_post,
    can_read_members_content,
    is_project_group_member,
    is_signed_in,
    project_group_filter,
)
from community.core.db import utcnow
from forums.models import Forum, Post, Thread


def can_read_forum(user, forum: Forum) -> bool:
    """True when ``user`` may read the threads of ``forum``: public forums for all, else members.

    The forum index (names and thread titles) is public; reading posts is not
    (issue 2, "Pages"); an admin may make a forum readable without login (issue 5).
    """
    if forum.is_project_group:  # the project group's closed forum (issue 18)
        return is_project_group_member(user)
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

    Rule (issue 5, "coordinators for their theme/region, admins everywhere", made
    strict by issue 13): admins moderate everything; a coordinator moderates the
    threads of the regions they coordinate (``Thread.region``, chosen when the
    thread is started or taken from its activity). The theme follows from the
    forum, so a coordinator's region covers both theme forums. A thread without
    a region, or of the network-wide pseudo-region "Vlaanderen en Brussel",
    belongs to the whole network: the coordinators of that pseudo-region
    moderate it (``can_coordinate_in``), not those of one province.
    """
    return can_coordinate_in(user, thread.region_id)


def can_moderate(user) -> bool:
    """True for admins and coordinators: the moderation queue (reports of their regions)."""
    return is_signed_in(user) and (user.is_admin or bool(user.coordinated_regions))


def can_suspend(user, member: User | None) -> bool:
    """True when ``user`` may stop ``member`` from posting (a forum suspension).

    A suspension holds in every forum, so it is decided by the member's own
    region (``User.region``, from their profile), not by the thread the post
    was in: admins, and the coordinators of the member's region (issue 13). A
    member who named no region, or the network-wide one, is for the
    coordinators of the network-wide pseudo-region. Suspending oneself or an
    admin is refused by ``moderation.suspend_member`` with a message.
    """
    return member is not None and can_coordinate_in(user, member.region_id)


def can_manage_categories(user, forum: Forum) -> bool:
    """True when ``user`` may add and rename the categories of ``forum``.

    A forum is one theme for every region, so it belongs to the whole network:
    admins and the coordinators of the network-wide pseudo-region (issue 13).
    """
    return can_coordinate_in(user, None)


def visible_forums_filter(user):
    """WHERE clause on ``Forum``: the forums whose existence ``user`` may know of (all but the
    project group's closed forum, which only its members see; issue 18)."""
    return project_group_filter(user, Forum.is_project_group)


def can_make_public(user, forum: Forum) -> bool:
    """True for admins: only they make a forum readable without login (issue 5); never the
    project group's closed forum (issue 18)."""
    return is_signed_in(user) and user.is_admin and not forum.is_project_group


TEMPLATE_RULES = {
    "can_read_forum": can_read_forum,
    "can_reply": can_reply,
    "can_start_thread": can_start_thread,
    "can_edit_post": can_edit_post,
    "can_moderate_thread": can_moderate_thread,
    "can_moderate": can_moderate,
    "can_suspend": can_suspend,
    "can_manage_categories": can_manage_categories,
    "can_make_public": can_make_public,
}
