"""Organiser pages (blueprint ``manage``, under /beheer/activiteiten) and the loaders they share.

Routes: ``events`` (the list, create, edit, publish, copy, cancel, delete, open or
close registration), ``programme`` (items and questions), ``attendees`` (the list,
exports, attendance, a message, promotion from the waiting list).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Region
from community.accounts.permissions import can_coordinate, coordinated_region_ids
from community.core.extensions import db
from community.core.forms import EmptyForm
from events.models import Event, Registration
from events.organising import OrganiserError, WrongStatus
from events.permissions import can_manage_event, can_view_event

bp = Blueprint("manage", __name__, url_prefix="/beheer/activiteiten")


# Where a domain error's ``field`` shows in the activity form.
EVENT_FORM_FIELDS = {
    "starts_at": "start_date",
    "ends_at": "end_date",
    "registration_opens_at": "registration_opens_date",
    "registration_closes_at": "registration_closes_date",
}


def coordinators_only(view):
    """Signed-in coordinators and admins; anonymous users go to login, others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_coordinate(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def get_managed_event_or_404(slug: str) -> Event:
    """Return event ``slug`` for its organisers: 404 unknown or invisible, 403 only visible."""
    event = db.session.scalar(
        select(Event)
        .where(Event.slug == slug)
        .options(
            joinedload(Event.region).joinedload(Region.network),
            selectinload(Event.themes),
            selectinload(Event.organisations),
            selectinload(Event.programme),
            selectinload(Event.questions),
        )
    )
    if event is None or not can_view_event(current_user, event):
        abort(404)
    if not can_manage_event(current_user, event):
        abort(403)
    return event


def _registration_of(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def _form_page(template: str, form, status: int | None = None, **context):
    """Render a form page: 200 on GET, 422 when a submitted form was refused."""
    if status is None:
        status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _field_error(form, error: OrganiserError, fields: dict | None = None) -> None:
    """Show ``error`` at its form field, or above the form when it has none."""
    name = (fields or {}).get(error.field, error.field)
    if name and name in form:
        form[name].errors = [*form[name].errors, error.message]
    else:
        form.form_errors.append(error.message)


def _managed_regions() -> list[Region]:
    query = select(Region).order_by(Region.position, Region.name)
    ids = coordinated_region_ids(current_user)
    if ids is not None:
        query = query.where(Region.id.in_(ids))
    return list(db.session.scalars(query))


def _conflict(error: WrongStatus, event: Event):
    """Answer a :class:`WrongStatus` with 409 and the organiser page showing its message."""
    flash(error.message, "error")
    return render_template("manage/event.html", **_event_page(event)), 409


def _event_page(event: Event) -> dict:
    """The organiser page's context: the activity, its counts per state, a button form."""
    counts = dict(
        db.session.execute(
            select(Registration.state, func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.state)
        ).all()
    )
    return {"event": event, "counts": counts, "form": EmptyForm()}


from events.views.manage import (  # noqa: E402, F401  (routes on bp)
    attendees,
    checkin,
    events,
    followup,  # issue 17: evaluation, certificates
    invitations,
    programme,
)
