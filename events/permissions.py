"""Who may see and manage an activity; used by views and exported to templates."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

from community.accounts.permissions import (
    can_coordinate_in,
    can_read_members_content,
    coordinated_filter,
    is_project_group_member,
    is_signed_in,
)
from events.models import Event, EventStatus, EventType, Visibility

# Statuses anyone allowed by the visibility may see; drafts are for the organisers.
SHOWN_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def _coordinates(user, region_id: int | None) -> bool:
    """True when ``user`` coordinates the region ``region_id`` itself (an admin no more
    than anyone else)."""
    return is_signed_in(user) and any(r.id == region_id for r in user.coordinated_regions)


def can_manage_event(user, event: Event) -> bool:
    """True for admins and coordinators of the event's region (drafts, invite-only, editing).

    The region rule is ``can_coordinate_in`` (issue 13): an activity of the
    network-wide pseudo-region is managed by that pseudo-region's coordinators. A case
    consultation (a case table, issue 19: "nobody else, admins included") only by the
    coordinators of its own region: its invitations decide who reads the case.
    """
    if event.type == EventType.CASE_CONSULTATION:
        return _coordinates(user, event.region_id)
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
        return or_(Event.type != EventType.CASE_CONSULTATION, managed_events_filter(user))
    visibilities = [Visibility.PUBLIC]
    if can_read_members_content(user):
        visibilities.append(Visibility.MEMBERS)
    if is_project_group_member(user):
        visibilities.append(Visibility.PROJECT_GROUP)
    shown = and_(Event.status.in_(SHOWN_STATUSES), Event.visibility.in_(visibilities))
    return or_(shown, managed_events_filter(user))


def managed_events_filter(user) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the events ``user`` manages (as can_manage_event)."""
    own = [region.id for region in user.coordinated_regions] if is_signed_in(user) else []
    case_tables = and_(Event.type == EventType.CASE_CONSULTATION, Event.region_id.in_(own))
    return or_(
        and_(Event.type != EventType.CASE_CONSULTATION, coordinated_filter(user, Event.region_id)),
        case_tables,
    )


TEMPLATE_RULES = {"can_view_event": can_view_event, "can_manage_event": can_manage_event}
