"""Who may do what with signals and bundles; used by views and templates alike.

Rules (issue 16, "Rules"): signals are members-only; a coordinator triages the
signals of a region they coordinate (``can_coordinate_in``, the rule of issue 13:
admins everywhere, the network-wide coordinators the signals of the network-wide
pseudo-region). A bundle may hold signals of several regions (the same signal raised
in several regions is one bundle): each coordinator adds the signals of their own
region to it, and it may be edited by an admin and by any coordinator of a region that
has a signal in it (or of the region it was made in). Admins and the network-wide
coordinators (the project group) see the overview of all regions. The reporter's
name: coordinators who may triage the signal or manage its bundle, the reporter, and
members only when the reporter agreed; never the public.
"""

from __future__ import annotations

from community.accounts.permissions import (
    can_coordinate_in,
    can_read_members_content,
    is_signed_in,
)
from signals.models import Signal, SignalBundle, State


def can_read_signals(user) -> bool:
    """True for members (verified accounts): signals are members-only."""
    return can_read_members_content(user)


def is_network_coordinator(user) -> bool:
    """True for admins and coordinators of the network-wide pseudo-region: they see the
    overview of all regions (issue 16, "Admins and the project group see all regions")."""
    if not is_signed_in(user):
        return False
    return user.is_admin or any(r.is_network_wide for r in user.coordinated_regions)


def can_triage_signal(user, signal: Signal) -> bool:
    """True when ``user`` may triage ``signal``: ask for more, categorise, bundle, close."""
    return can_coordinate_in(user, signal.region_id)


def can_manage_bundle(user, bundle: SignalBundle) -> bool:
    """True when ``user`` may edit ``bundle``: see the module's rule for cross-region bundles."""
    if not (is_signed_in(user) and (user.is_admin or user.is_coordinator)):
        return False
    regions = {signal.region_id for signal in bundle.signals}
    if bundle.region_id is not None:
        regions.add(bundle.region_id)
    return any(can_coordinate_in(user, region_id) for region_id in regions)


def can_see_reporter(user, signal: Signal) -> bool:
    """True when ``user`` may see who reported ``signal`` (issue 16, "Rules")."""
    if not can_read_signals(user):
        return False
    if user.id == signal.reporter_id or signal.is_name_shared:
        return True
    if can_triage_signal(user, signal):
        return True
    return signal.bundle is not None and can_manage_bundle(user, signal.bundle)


def can_withdraw(user, signal: Signal) -> bool:
    """True for the reporter while the signal is not yet bundled (nor closed)."""
    return (
        is_signed_in(user)
        and user.id == signal.reporter_id
        and signal.state in (State.NEW, State.IN_PROGRESS)
    )


def can_edit_signal(user, signal: Signal) -> bool:
    """True for the reporter while the signal is not yet bundled, and for its triagers."""
    return can_withdraw(user, signal) or (signal.is_open and can_triage_signal(user, signal))


TEMPLATE_RULES = {
    "can_read_signals": can_read_signals,
    "can_triage_signal": can_triage_signal,
    "can_manage_bundle": can_manage_bundle,
    "can_see_reporter": can_see_reporter,
    "can_withdraw_signal": can_withdraw,
    "can_edit_signal": can_edit_signal,
    "is_network_coordinator": is_network_coordinator,
}


def can_manage_note(user, note) -> bool:
    """True when ``user`` may manage one of the bundles of policy note ``note``."""
    return any(can_manage_bundle(user, bundle) for bundle in note.bundles)


TEMPLATE_RULES["can_manage_note"] = can_manage_note
