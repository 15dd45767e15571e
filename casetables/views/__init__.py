"""Views of the case tables (issue 19): the blueprint ``casetables`` and the loaders its
modules share.

Routes: ``intake`` (the request form, my requests, the region's intake queue, the case
page with its messages and read log, clarification, accept, redirect, planning the
table with invitations, the admins' counts) and ``meeting`` (meeting notes per partner,
agreements and their confirmation, closing with an outcome, the follow-up).

Every view that shows a case's content loads it with :func:`case_for_reading`, which
logs the read (who, when) and answers 404 to anyone without access, so that a case's
existence is not revealed to others.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import select

from casetables.models import CaseRequest
from casetables.requests import CaseNotVisible, read_case
from community.core.extensions import db

bp = Blueprint("casetables", __name__, url_prefix="/casustafel")


@bp.after_request
def never_cached(response):
    """Every page of the case tables is private and never stored (issue 19: nothing of a
    case in the page cache, a proxy or the browser's back-forward cache on a shared PC)."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def case_by_code(code: str) -> CaseRequest:
    """The case with ``code`` (such as "C-7KQ2-M9", upper case), or 404. Logs nothing, checks no
    access: for the caller that checks access itself before showing anything."""
    case = db.session.scalar(select(CaseRequest).where(CaseRequest.code == code.upper()[:12]))
    if case is None:
        abort(404)
    return case


def case_for_reading(code: str) -> CaseRequest:
    """The case with ``code`` for the signed-in member, its read logged
    (:func:`casetables.requests.read_case`) and committed at once, so that the log holds
    every read whatever the view does next (a GET commits nothing else; a refused POST
    rolls back only its own change); 404 when it does not exist or the member may not
    read it (the same answer, so its existence stays hidden)."""
    case = case_by_code(code)
    try:
        found = read_case(current_user, case)
    except CaseNotVisible:
        abort(404)
    db.session.commit()
    return found


from casetables.views import intake, meeting  # noqa: E402, F401  (the routes join bp)
