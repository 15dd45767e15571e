"""The project group's page: its forum, materials, meetings, reports and members."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from community.accounts.permissions import is_project_group_member
from reporting.project_group import group_space
from reporting.views import bp


@bp.get("/projectgroep")
@login_required
def project_group():
    if not is_project_group_member(current_user):
        abort(403)
    return render_template("reporting/project_group.html", **group_space())
