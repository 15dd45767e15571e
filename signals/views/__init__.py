"""Views of the signal function: the blueprint ``signals`` and the loaders its modules share.

Routes: ``members`` (list, report, my signals, a signal, recognise, follow, withdraw,
link), ``coordination`` (triage, bundles, policy notes, answers, the overview) and
``public`` (what the networks passed on, for everyone).
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Region, Theme
from community.accounts.permissions import can_coordinate
from community.core.extensions import db, login_manager
from signals.models import PolicyNote, Recognition, Signal, SignalBundle
from signals.permissions import can_manage_bundle, can_read_signals, can_see_reporter

bp = Blueprint("signals", __name__)

SIGNALS_PER_PAGE = 25


def require_member() -> None:
    """Login redirect for visitors, 403 for accounts whose e-mail is not verified."""
    if can_read_signals(current_user):
        return
    if current_user.is_authenticated:
        abort(403, _("Bevestig eerst je e-mailadres om de signalen te lezen."))
    abort(login_manager.unauthorized())


def require_coordinator() -> None:
    """Login redirect for visitors, 403 for anyone who coordinates no region."""
    require_member()
    if not can_coordinate(current_user):
        abort(403)


def get_signal_or_404(signal_id: int) -> Signal:
    """Return signal ``signal_id`` for a member; 404 when unknown, login/403 as above."""
    require_member()
    return db.first_or_404(
        select(Signal)
        .where(Signal.id == signal_id)
        .options(
            joinedload(Signal.region),
            joinedload(Signal.reporter),
            joinedload(Signal.bundle),
            selectinload(Signal.themes),
            selectinload(Signal.recognitions).joinedload(Recognition.user),
            selectinload(Signal.recognitions).joinedload(Recognition.region),
            selectinload(Signal.links),
        )
    )


def get_bundle_or_404(bundle_id: int, manage: bool = False) -> SignalBundle:
    """Return bundle ``bundle_id`` for a member (``manage``: 403 unless they may edit it)."""
    require_member()
    bundle = db.first_or_404(
        select(SignalBundle)
        .where(SignalBundle.id == bundle_id)
        .options(
            selectinload(SignalBundle.signals).joinedload(Signal.region),
            selectinload(SignalBundle.signals).selectinload(Signal.recognitions),
        )
    )
    if manage and not can_manage_bundle(current_user, bundle):
        abort(403)
    return bundle


def get_note_or_404(note_id: int) -> PolicyNote:
    """Return policy note ``note_id``; 403 unless the user may manage one of its bundles."""
    require_coordinator()
    note = db.first_or_404(select(PolicyNote).where(PolicyNote.id == note_id))
    if not any(can_manage_bundle(current_user, bundle) for bundle in note.bundles):
        abort(403)
    return note


def regions_and_themes() -> tuple[list[Region], list[Theme]]:
    """All regions (by position) and themes (by number), for forms and filters."""
    regions = list(db.session.scalars(select(Region).order_by(Region.position)))
    themes = list(db.session.scalars(select(Theme).order_by(Theme.number)))
    return regions, themes


def reporter_name(signal: Signal) -> str:
    """The reporter's name as the current user may see it (issue 16, "Rules")."""
    if can_see_reporter(current_user, signal):
        return signal.reporter.display_name
    return _("een lid")


from signals.views import coordination, members, public  # noqa: E402, F401  (routes on bp)
