"""Organiser pages of an activity's attendees: list, exports, attendance, a message, promotion."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.accounts.models import Sector
from community.core.db import utcnow
from community.core.extensions import db
from community.core.filters import InvalidFilter, choice_arg
from events import notifications
from events import organising as organiser
from events import registration as seats
from events.models import (
    Event,
    RegistrationState,
)
from events.organising import (
    AttendeeFilters,
    WrongStatus,
    export,
)
from events.organising.forms import (
    AttendanceForm,
    MailForm,
    PromoteForm,
)
from events.views.manage import (
    _conflict,
    _form_page,
    _registration_of,
    bp,
    get_managed_event_or_404,
)


def _attendee_filters(event: Event) -> AttendeeFilters:
    """Read ``status``, ``sector``, ``organisatie`` and ``workshop``; ``InvalidFilter`` → 400."""
    args = request.args
    organisation = args.get("organisatie", "").strip() or None
    if organisation is not None and organisation not in organiser.organisation_names(event):
        raise InvalidFilter("organisatie", organisation)
    workshop = args.get("workshop", "").strip() or None
    workshop_ids = {str(i.id): i.id for i in event.programme if i.kind == "workshop"}
    if workshop is not None and workshop not in workshop_ids:
        raise InvalidFilter("workshop", workshop)
    return AttendeeFilters(
        state=choice_arg(args, "status", RegistrationState),
        sector=choice_arg(args, "sector", Sector),
        organisation=organisation,
        workshop_id=workshop_ids.get(workshop) if workshop else None,
    )


@bp.get("/<slug>/deelnemers")
@login_required
def attendees(slug):
    event = get_managed_event_or_404(slug)
    filters = _attendee_filters(event)
    registrations = organiser.attendees(event, filters)
    return render_template(
        "manage/attendees.html",
        event=event,
        filters=filters,
        registrations=registrations,
        by_sector=organiser.counts_by(registrations, "sector"),
        by_organisation=organiser.counts_by(registrations, "organisation_name"),
        organisations=organiser.organisation_names(event),
        states=list(RegistrationState),
        sectors=list(Sector),
        export=export,
        attendance_form=AttendanceForm(),
        promote_form=PromoteForm(),
        can_mark_attendance=event.starts_at <= utcnow(),
        attendance=export.attendance_table(event) if event.starts_at <= utcnow() else None,
    )


def _download(event: Event, extension: str, content_type: str, content: bytes) -> Response:
    name = f"deelnemers-{event.slug}.{extension}"
    # content_type, not mimetype: werkzeug adds "; charset=utf-8" to a text/* mimetype
    # even when it already names one (twice in the header).
    response = Response(content, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<slug>/deelnemers.csv")
@login_required
def export_csv(slug):
    event = get_managed_event_or_404(slug)
    header, rows = export.attendee_table(
        event, organiser.attendees(event, _attendee_filters(event))
    )
    return _download(event, "csv", export.CSV_CONTENT_TYPE, export.to_csv(header, rows))


@bp.get("/<slug>/deelnemers.xlsx")
@login_required
def export_xlsx(slug):
    event = get_managed_event_or_404(slug)
    header, rows = export.attendee_table(
        event, organiser.attendees(event, _attendee_filters(event))
    )
    extra = []
    if event.starts_at <= utcnow():
        extra.append((_("Aanwezigheid"), *export.attendance_table(event)))
    content = export.to_xlsx(header, rows, event.title, extra_sheets=extra)
    return _download(event, "xlsx", export.XLSX_CONTENT_TYPE, content)


@bp.post("/<slug>/deelnemers/<int:registration_id>/aanwezigheid")
@login_required
def attendance(slug, registration_id):
    event = get_managed_event_or_404(slug)
    registration = _registration_of(event, registration_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        organiser.mark_attendance(registration, form.value)
    except WrongStatus as error:
        return _conflict(error, event)
    db.session.commit()
    flash(_("De aanwezigheid van %(name)s is bewaard.", name=registration.name), "success")
    return redirect(url_for("manage.attendees", slug=event.slug))


@bp.route("/<slug>/mail", methods=["GET", "POST"])
@login_required
def mail(slug):
    event = get_managed_event_or_404(slug)
    form = MailForm()
    if not form.validate_on_submit():
        return _form_page("manage/mail.html", form, event=event)
    sent = organiser.mail_participants(
        event, form.subject.data.strip(), form.body.data, sender=current_user
    )
    db.session.commit()
    flash(
        ngettext(
            "Je bericht is verstuurd naar %(num)s deelnemer.",
            "Je bericht is verstuurd naar %(num)s deelnemers.",
            sent,
        ),
        "success",
    )
    return redirect(url_for("manage.event", slug=event.slug))


@bp.post("/<slug>/deelnemers/<int:registration_id>/plaats-geven")
@login_required
def promote(slug, registration_id):
    event = get_managed_event_or_404(slug)
    registration = _registration_of(event, registration_id)
    form = PromoteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        seats.promote(registration, force=form.force.data)
    except seats.EventFull:
        db.session.rollback()
        context = {"event": event, "registration": registration, "taken": seats.seats_taken(event)}
        return render_template("manage/promote.html", form=PromoteForm(force=True), **context), 409
    except seats.NotWaitlisted as error:
        db.session.rollback()
        return _conflict(WrongStatus(error.message), event)
    notifications.notify_promoted(registration)
    db.session.commit()
    flash(_("%(name)s kreeg een plaats en krijgt een mail.", name=registration.name), "success")
    taken = seats.seats_taken(event)
    if event.capacity is not None and taken > event.capacity:
        flash(
            _(
                "Let op: er zijn nu %(taken)s deelnemers voor %(capacity)s plaatsen.",
                taken=taken,
                capacity=event.capacity,
            ),
            "error",
        )
    return redirect(url_for("manage.attendees", slug=event.slug))
