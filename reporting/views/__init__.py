"""Pages of reporting (blueprint ``reporting``): statistics, and the loaders its routes share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from reporting.permissions import can_view_statistics
from reporting.statistics import Scope, scope_of

bp = Blueprint("reporting", __name__)


def get_scope_or_404(slug: str) -> Scope:
    """Return the scope ``slug`` names for the current user: 404 unknown, 403 not theirs."""
    scope = scope_of(slug)
    if scope is None:
        abort(404)
    if not can_view_statistics(current_user, scope):
        abort(403)
    return scope


from reporting.views import statistics  # noqa: E402, F401
