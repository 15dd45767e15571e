"""Who may see which statistics and progress reports (used by views and templates alike)."""

from __future__ import annotations

from community.accounts.permissions import can_coordinate, can_coordinate_in, is_signed_in

from .statistics import Scope


def can_view_statistics(user, scope: Scope | None = None) -> bool:
    """True when ``user`` may see the figures of ``scope`` (None: any statistics at all).

    Rule (issue 18, "Statistics"): admins see every region; a coordinator sees the
    regions they coordinate (``can_coordinate_in``) and may compare them with the whole
    network's totals. Members see no statistics page.
    """
    if not is_signed_in(user) or not can_coordinate(user):
        return False
    if scope is None or scope.is_whole_network:
        return True
    return all(can_coordinate_in(user, region.id) for region in scope.regions)


def default_scope(user) -> Scope:
    """The scope a page opens with: an admin's the whole network, a coordinator's own regions."""
    if user.is_admin or not user.coordinated_regions:
        return Scope()
    return Scope(tuple(user.coordinated_regions))
