"""Who may see and manage an activity; used by views and exported to templates."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from community.accounts.permissions import (
    can_coordinate_in,
    can_read_members_content,
    coordinated_filter,
    is_project_group_member,
    is_signed_in,
)
from events.models import Event, EventStatus, Visibility

# Statuses anyone allowed by the visibility may see; drafts are for the organisers.
SHOWN_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def can_manage_event(user, event: Event) -> bool:
    """True for admins and coordinators of the event's region (drafts, invite-only, editing).

    The region rule is ``can_coordinate_in`` (issue 13): an activity of the
    network-wide pseudo-region is managed by that pseudo-region's coordinators.
    """
    return can_coordinate_in(user, event.region_id)


def can_view_event(user, event: Event) -> bool:
    """True when ``user`` may see ``event``.

    Published and cancelled activities: ``public`` for everyone, ``members``
    for signed-in accounts. Drafts and ``invite_only`` activities only for
    the coordinators of the activity's region and admins (issue 2, "Pages");
    ``project_group`` meetings for the members of the project group (issue 18).
    """
    if can_manage_event(user, event):
        return True
    if event.status not in SHOWN_STATUSES:
        return False
    if event.visibility == Visibility.PROJECT_GROUP:  # a meeting of the project group
        return is_project_group_member(user)
    if event.visibility == Visibility.PUBLIC:
        return True
    return event.visibility == Visibility.MEMBERS and can_read_members_content(user)


def visible_events_filter(user) -> ColumnElement[bool]:
    """Return a WHERE clause on ``Event`` selecting what ``user`` may see (as can_view_event)."""
    if is_signed_in(user) and user.is_admin:
        return true()
    visibilities = [Visibility.PUBLIC]
    if can_read_members_content(user):
        visibilities.append(Visibility.MEMBERS)
    if is_project_group_member(user):
        visibilities.append(Visibility.PROJECT_GROUP)
    shown = and_(Event.status.in_(SHOWN_STATUSES), Event.visibility.in_(visibilities))
    return or_(shown, managed_events_filter(user))


def managed_events_filter(user) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the events ``user`` manages (as can_manage_event)."""
    return coordinated_filter(user, Event.region_id)


TEMPLATE_RULES = {"can_view_event": can_view_event, "can_manage_event": can_manage_event}
