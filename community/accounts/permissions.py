"""Permission rules, used by views and exported to templates under the same names."""

from __future__ import annotations

from community.accounts.models import Region, User


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


TEMPLATE_RULES = {
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
