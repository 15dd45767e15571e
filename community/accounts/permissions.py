"""Permission rules, used by views and exported to templates under the same names."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from community.accounts.models import Region, User
from community.core.extensions import db


def is_signed_in(user) -> bool:
    """True for an authenticated, active account."""
    return bool(user and user.is_authenticated and user.is_active)


def can_post(user) -> bool:
    """True when ``user`` may write in the forums: signed in with a verified e-mail.

    Rule: issue 2, "Unverified members may register for public events but not post".
    """
    return is_signed_in(user) and user.is_verified


def can_coordinate(user, region: Region | None = None) -> bool:
    """True when ``user`` is admin, or coordinator of ``region`` (of any region when None)."""
    if not is_signed_in(user):
        return False
    if user.is_admin:
        return True
    if region is None:
        return user.is_coordinator
    return any(r.id == region.id for r in user.coordinated_regions)


def can_coordinate_in(user, region_id: int | None) -> bool:
    """True when ``user`` may manage or moderate an object of region ``region_id``.

    Rule (issue 13, "Region scope of coordinators"): admins everywhere; a
    coordinator only the objects of a region they coordinate. An object of the
    network-wide pseudo-region "Vlaanderen en Brussel", or of no region at all
    (a forum of a theme, a thread or material not tied to one region, a member
    who named none), belongs to the whole network: it is for the coordinators of
    the network-wide pseudo-region, not for those of one province.

    The region of an object is its own ``region_id``: an activity's, a thread's,
    a material's, a practice's, and for a member the region of their profile
    (``User.region_id``). Used by every ``can_*`` rule of a management or
    moderation action, so views and templates agree; see
    :func:`coordinated_filter` for the same rule as a WHERE clause.
    """
    if not is_signed_in(user):
        return False
    if user.is_admin:
        return True
    regions = user.coordinated_regions
    if any(region.id == region_id for region in regions):
        return True
    if not any(region.is_network_wide for region in regions):
        return False
    if region_id is None:
        return True
    region = db.session.get(Region, region_id)  # in the identity map after the first lookup
    return region is not None and region.is_network_wide


def coordinated_filter(user, region_id_column) -> ColumnElement[bool]:
    """Return a WHERE clause on ``region_id_column``: the objects ``user`` may manage.

    The same rule as :func:`can_coordinate_in`: everything for an admin, nothing
    for a member, for a coordinator the regions they coordinate and, when one of
    them is the network-wide pseudo-region, the objects of no region or of a
    network-wide one.
    """
    if not is_signed_in(user):
        return false()
    if user.is_admin:
        return true()
    regions = user.coordinated_regions
    if not regions:
        return false()
    clause = region_id_column.in_([region.id for region in regions])
    if any(region.is_network_wide for region in regions):
        wide = select(Region.id).where(Region.is_network_wide.is_(True))
        clause = or_(clause, region_id_column.is_(None), region_id_column.in_(wide))
    return clause


def can_administer(user) -> bool:
    """True for admins: accounts, roles, regions, site settings."""
    return is_signed_in(user) and user.is_admin


def can_read_members_content(user) -> bool:
    """True for members: signed-in, active accounts with a verified e-mail address.

    DESIGN.md, "Who uses it": a member is a partner with a *verified* account.
    Members-only activities, materials and the forums are for members; an
    unverified account may only register for public activities (issue 2).
    """
    return is_signed_in(user) and user.is_verified


def is_project_group_member(user) -> bool:
    """True when ``user`` belongs to the coordinators' project group (projectgroep).

    Rule (issue 18, "The project group's closed space"): the coordinators, the admins,
    and the accounts an admin gave a ``project_group_role`` (members, and representatives
    of the funding administrations, who read and discuss); always a verified, active
    account. Everything of the group (its forum, materials, meetings, reports) is for
    them only.
    """
    if not can_read_members_content(user):
        return False
    return bool(user.is_admin or user.is_coordinator or user.project_group_role)


def can_contribute_to_project_group(user) -> bool:
    """True when ``user`` may add to the group's space (materials, meetings): a member of
    the group who is not only a representative (those read and discuss)."""
    if not is_project_group_member(user):
        return False
    return bool(user.is_admin or user.is_coordinator or user.project_group_role == "member")


def project_group_filter(user, flag_column) -> ColumnElement[bool]:
    """A WHERE clause on the boolean ``flag_column`` ("belongs to the project group"):
    everything for a member of the group, only what is not the group's for anyone else."""
    if is_project_group_member(user):
        return true()
    return flag_column.is_(False)


def audience_of(user) -> str:
    """Return the *audience* of ``user``: a short text naming everything about them that
    decides what a shared listing shows (community.core.fragments, issue 14).

    Two visitors with the same audience see the same activities, materials, forums and
    threads in every listing: the rules above (:func:`can_read_members_content`,
    :func:`coordinated_filter`, :func:`is_project_group_member`, the admin's view of
    everything) read nothing else. "anonymous" for visitors who are not signed in
    (or whose account is deactivated); otherwise "member" or "unverified", then
    "admin", the ids of the regions they coordinate and their project-group role when
    they have one: ``"member;coordinates:2,7"``. Never their id or name: a listing that
    shows something of one person's own must not be shared (render it whole).
    """
    if not is_signed_in(user):
        return "anonymous"
    parts = ["member" if user.is_verified else "unverified"]
    if user.is_admin:
        parts.append("admin")
    regions = sorted(region.id for region in user.coordinated_regions)
    if regions:
        parts.append("coordinates:" + ",".join(str(region_id) for region_id in regions))
    if user.project_group_role:
        parts.append(f"group:{user.project_group_role}")
    return ";".join(parts)


TEMPLATE_RULES = {
    "is_project_group_member": is_project_group_member,
    "can_contribute_to_project_group": can_contribute_to_project_group,
    "can_post": can_post,
    "can_coordinate": can_coordinate,
    "can_administer": can_administer,
    "can_read_members_content": can_read_members_content,
}


def coordinated_region_ids(user: User) -> set[int] | None:
    """Return the ids of regions ``user`` coordinates, or None for an admin (all regions)."""
    if user.is_admin:
        return None
    return {r.id for r in user.coordinated_regions}
