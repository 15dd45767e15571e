"""Pages of reporting (blueprint ``reporting``): statistics, and the loaders its routes share."""

from __future__ import annotations

from flask import Blueprint, Response, abort
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


def download(content: bytes, content_type: str, name: str) -> Response:
    """A download of ``content`` named ``name``, never kept by a shared cache."""
    response = Response(content, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


from reporting.views import final, progress, project_group, statistics  # noqa: E402, F401
