"""Who may see and manage an activity; used by views and exported to templates."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from community.accounts.permissions import can_coordinate, can_read_members_content, is_signed_in
from events.models import Event, EventStatus, Visibility

# Statuses anyone allowed by the visibility may see; drafts are for the organisers.
SHOWN_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def _coordinates_region(user, region_id: int) -> bool:
    if not is_signed_in(user):
        return False
    return user.is_admin or any(r.id == region_id for r in user.coordinated_regions)


def can_manage_event(user, event: Event) -> bool:
    """True for admins and coordinators of the event's region (drafts, invite-only, editing)."""
    return _coordinates_region(user, event.region_id)


def can_view_event(user, event: Event) -> bool:
    """True when ``user`` may see ``event``.

    Published and cancelled activities: ``public`` for everyone, ``members``
    for signed-in accounts. Drafts and ``invite_only`` activities only for
    the coordinators of the activity's region and admins (issue 2, "Pages").
    """
    if can_manage_event(user, event):
        return True
    if event.status not in SHOWN_STATUSES:
        return False
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
    shown = and_(Event.status.in_(SHOWN_STATUSES), Event.visibility.in_(visibilities))
    managed = false()
    if can_coordinate(user):
        managed = Event.region_id.in_([r.id for r in user.coordinated_regions])
    return or_(shown, managed)


def managed_events_filter(user) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the events ``user`` manages (all for admins)."""
    if is_signed_in(user) and user.is_admin:
        return true()
    if not can_coordinate(user):
        return false()
    return Event.region_id.in_([r.id for r in user.coordinated_regions])


TEMPLATE_RULES = {"can_view_event": can_view_event, "can_manage_event": can_manage_event}
