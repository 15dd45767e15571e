"""Check-in at the door on the day (issue 17): the list, one tap present/undo, walk-ins, counts.

Every action is a plain form POST that redirects back (no JavaScript needed); with
``static/js/checkin.js`` the same POST is sent with ``Accept: application/json`` and
answered with the new state and counts, so the page does not reload.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.extensions import db
from events.models import Event, Registration
from events.organising import checkin
from events.organising.door_forms import CheckInForm, WalkInForm
from events.views.manage import _registration_of, bp, get_managed_event_or_404

MAX_SEARCH = 100  # characters of the search box that count


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _counts_json(event: Event, status: int = 200, **extra):
    counts = checkin.door_counts(event)
    payload = {"present": counts.present, "expected": counts.expected, **extra}
    return jsonify(payload), status


def _page(event: Event, walk_in: WalkInForm | None = None, status: int = 200):
    search = request.args.get("zoek", "")[:MAX_SEARCH]
    return (
        render_template(
            "manage/checkin.html",
            event=event,
            search=search,
            people=checkin.door_list(event, search),
            counts=checkin.door_counts(event),
            is_open=checkin.door_open(event),
            form=CheckInForm(),
            walk_in=walk_in or WalkInForm(formdata=None),
        ),
        status,
    )


@bp.get("/<slug>/onthaal")
@login_required
def check_in_page(slug):
    return _page(get_managed_event_or_404(slug))


@bp.get("/<slug>/onthaal/stand")
@login_required
def check_in_counts(slug):
    """The counts and who is present, for the page to stay live with several tablets."""
    event = get_managed_event_or_404(slug)
    present = [r.id for r in checkin.door_list(event) if r.attended is True]
    response, status = _counts_json(event, present_ids=present)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.post("/<slug>/onthaal/<int:registration_id>")
@login_required
def check_in(slug, registration_id):
    event = get_managed_event_or_404(slug)
    registration: Registration = _registration_of(event, registration_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify({"error": _("Kies aanwezig of niet.")}), 400
        abort(400)
    try:
        checkin.check_in(registration, form.present.data == "1")
    except checkin.WrongStatus as error:
        db.session.rollback()
        if _wants_json():
            return _counts_json(event, error.status, error=error.message)
        flash(error.message, "error")
        return _page(event, status=error.status)
    db.session.commit()
    if _wants_json():
        return _counts_json(event, id=registration.id, attended=registration.attended is True)
    message = _("%(name)s is aanwezig.", name=registration.name)
    if registration.attended is not True:
        message = _("%(name)s is niet langer aanwezig gemeld.", name=registration.name)
    flash(message, "success")
    return redirect(
        url_for("manage.check_in_page", slug=event.slug, zoek=request.args.get("zoek") or None)
    )


@bp.post("/<slug>/onthaal/inloper")
@login_required
def walk_in(slug):
    event = get_managed_event_or_404(slug)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _page(event, form, 422)
    try:
        registration = checkin.add_walk_in(
            event,
            name=form.name.data,
            email=form.email.data or "",
            organisation_name=form.organisation.data or "",
            by=current_user,
        )
    except checkin.WrongStatus as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(event, form, error.status)
    except checkin.AlreadyOnTheList as error:
        db.session.rollback()
        form.email.errors = [*form.email.errors, error.message]
        return _page(event, form, error.status)
    db.session.commit()
    flash(_("%(name)s is toegevoegd en aanwezig gemeld.", name=registration.name), "success")
    return redirect(url_for("manage.check_in_page", slug=event.slug))
