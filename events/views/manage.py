"""Organiser tools for coordinators: create, edit, publish, cancel activities; attendees."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Organisation, Region, Sector, Theme
from community.accounts.permissions import can_coordinate, coordinated_region_ids
from community.core.db import utcnow
from community.core.extensions import db
from community.core.filters import InvalidFilter, choice_arg
from community.core.forms import EmptyForm
from events import notifications
from events import organising as organiser
from events import registration as seats
from events.models import (
    Event,
    EventQuestion,
    EventType,
    Invitation,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
    Registration,
    RegistrationState,
    Visibility,
)
from events.organising import (
    AttendeeFilters,
    EventDetails,
    OrganiserError,
    ProgrammeItemDetails,
    QuestionDetails,
    WrongStatus,
    brussels_to_utc,
    export,
    to_brussels,
)
from events.organising.forms import (
    AttendanceForm,
    CancelForm,
    CopyForm,
    EventForm,
    MailForm,
    ProgrammeItemForm,
    PromoteForm,
    QuestionForm,
    fill_event_choices,
    parse_emails,
)
from events.permissions import can_manage_event, can_view_event, managed_events_filter

bp = Blueprint("manage", __name__, url_prefix="/beheer/activiteiten")

# Where a domain error's ``field`` shows in the activity form.
EVENT_FORM_FIELDS = {
    "starts_at": "start_date",
    "ends_at": "end_date",
    "registration_opens_at": "registration_opens_date",
    "registration_closes_at": "registration_closes_date",
}


# --- helpers ---------------------------------------------------------------------


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


def _local_parts(value: dt.datetime | None) -> tuple[dt.date | None, dt.time | None]:
    if value is None:
        return None, None
    local = to_brussels(value)
    return local.date(), local.time()


def _event_form_data(event: Event) -> dict:
    """The activity form's values for ``event``, in Brussels local time."""
    start_date, start_time = _local_parts(event.starts_at)
    end_date, end_time = _local_parts(event.ends_at)
    if event.is_all_day:
        end_date, start_time, end_time = end_date - dt.timedelta(days=1), None, None
    opens_date, opens_time = _local_parts(event.registration_opens_at)
    closes_date, closes_time = _local_parts(event.registration_closes_at)
    invited = db.session.scalars(
        select(Invitation.email).where(Invitation.event_id == event.id).order_by(Invitation.id)
    )
    return {
        "title": event.title,
        "slug": event.slug,
        "type": event.type,
        "themes": [t.id for t in event.themes],
        "region": event.region_id,
        "organisations": [o.id for o in event.organisations],
        "summary": event.summary,
        "description": event.description,
        "start_date": start_date,
        "start_time": start_time,
        "end_date": end_date,
        "end_time": end_time,
        "is_all_day": event.is_all_day,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "is_online": event.is_online,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "registration_opens_date": opens_date,
        "registration_opens_time": opens_time,
        "registration_closes_date": closes_date,
        "registration_closes_time": closes_time,
        "visibility": event.visibility,
        "invited_emails": "\n".join(invited),
    }


def _optional_moment(day, time, field: str) -> dt.datetime | None:
    return None if day is None else brussels_to_utc(day, time, field)


def _event_details(form: EventForm) -> EventDetails:
    """Read a validated activity form; raises ``NonexistentLocalTime`` for a time in the DST gap."""
    if form.is_all_day.data:
        starts_at = brussels_to_utc(form.start_date.data, None, "start_date")
        ends_at = brussels_to_utc(form.end_date.data + dt.timedelta(days=1), None, "end_date")
    else:
        starts_at = brussels_to_utc(form.start_date.data, form.start_time.data, "start_time")
        ends_at = brussels_to_utc(form.end_date.data, form.end_time.data, "end_time")
    themes = db.session.scalars(select(Theme).where(Theme.id.in_(form.themes.data))).all()
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(form.organisations.data or []))
    ).all()
    return EventDetails(
        title=form.title.data.strip(),
        type=EventType(form.type.data),
        region=db.session.get(Region, form.region.data),
        themes=list(themes),
        organisations=list(organisations),
        summary=form.summary.data or "",
        description=form.description.data or "",
        starts_at=starts_at,
        ends_at=ends_at,
        is_all_day=form.is_all_day.data,
        venue_name=(form.venue_name.data or "").strip(),
        venue_address=(form.venue_address.data or "").strip(),
        is_online=form.is_online.data,
        online_url=(form.online_url.data or "").strip(),
        capacity=form.capacity.data,
        registration_opens_at=_optional_moment(
            form.registration_opens_date.data,
            form.registration_opens_time.data,
            "registration_opens_time",
        ),
        registration_closes_at=_optional_moment(
            form.registration_closes_date.data,
            form.registration_closes_time.data,
            "registration_closes_time",
        ),
        visibility=Visibility(form.visibility.data),
        invited_emails=parse_emails(form.invited_emails.data or ""),
    )


def _conflict(error: WrongStatus, event: Event):
    """Answer a :class:`WrongStatus` with 409 and the organiser page showing its message."""
    flash(error.message, "error")
    return render_template("manage/event.html", **_event_page(event)), 409


def _event_page(event: Event) -> dict:
    counts = dict(
        db.session.execute(
            select(Registration.state, func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.state)
        ).all()
    )
    return {"event": event, "counts": counts, "form": EmptyForm()}


# --- overview ---------------------------------------------------------------------


@bp.get("")
@coordinators_only
def index():
    events = db.session.scalars(
        select(Event)
        .where(managed_events_filter(current_user))
        .options(joinedload(Event.region), selectinload(Event.themes))
        .order_by(Event.starts_at.desc(), Event.id)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    if events:
        rows = db.session.execute(
            select(Registration.event_id, Registration.state, func.count())
            .where(Registration.event_id.in_([e.id for e in events]))
            .group_by(Registration.event_id, Registration.state)
        )
        for event_id, state, number in rows:
            counts.setdefault(event_id, {})[state] = number
    now = utcnow()
    upcoming = sorted((e for e in events if e.ends_at >= now), key=lambda e: e.starts_at)
    past = [e for e in events if e.ends_at < now]
    return render_template("manage/index.html", upcoming=upcoming, past=past, counts=counts)


# --- create and edit ----------------------------------------------------------------


@bp.route("/nieuw", methods=["GET", "POST"])
@coordinators_only
def new():
    form = EventForm()
    fill_event_choices(form, _managed_regions())
    if not form.validate_on_submit():
        return _form_page("manage/new.html", form)
    try:
        event = organiser.create_event(_event_details(form), slug=form.slug.data)
    except OrganiserError as error:
        _field_error(form, error, EVENT_FORM_FIELDS)
        return _form_page("manage/new.html", form)
    db.session.commit()
    flash(_("De activiteit „%(title)s” is bewaard als ontwerp.", title=event.title), "success")
    return redirect(url_for("manage.event", slug=event.slug))


@bp.get("/<slug>")
@login_required
def event(slug):
    event = get_managed_event_or_404(slug)
    return render_template("manage/event.html", **_event_page(event))


@bp.route("/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def edit(slug):
    event = get_managed_event_or_404(slug)
    form = EventForm(data=_event_form_data(event))
    fill_event_choices(form, _managed_regions())
    if not form.validate_on_submit():
        return _form_page("manage/edit.html", form, event=event)
    try:
        result = organiser.update_event(event, _event_details(form), slug=form.slug.data)
    except OrganiserError as error:
        db.session.rollback()
        _field_error(form, error, EVENT_FORM_FIELDS)
        return _form_page("manage/edit.html", form, event=event)
    db.session.commit()
    flash(_("De activiteit is bewaard."), "success")
    if result.participants_notified:
        flash(_("Het uur of de plaats veranderde: de ingeschrevenen krijgen een mail."), "info")
    if result.promoted:
        flash(
            ngettext(
                "%(num)s persoon van de wachtlijst kreeg een plaats.",
                "%(num)s personen van de wachtlijst kregen een plaats.",
                len(result.promoted),
            ),
            "info",
        )
    return redirect(url_for("manage.event", slug=event.slug))


# --- life cycle -------------------------------------------------------------------------


@bp.post("/<slug>/publiceren")
@login_required
def publish(slug):
    event = get_managed_event_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        organiser.publish_event(event)
    except WrongStatus as error:
        return _conflict(error, event)
    db.session.commit()
    flash(_("De activiteit is gepubliceerd en staat in de agenda."), "success")
    return redirect(url_for("manage.event", slug=event.slug))


@bp.route("/<slug>/annuleren", methods=["GET", "POST"])
@login_required
def cancel(slug):
    event = get_managed_event_or_404(slug)
    form = CancelForm()
    if not form.validate_on_submit():
        return _form_page("manage/cancel.html", form, event=event)
    try:
        organiser.cancel_event(event, form.message.data.strip())
    except WrongStatus as error:
        form.form_errors.append(error.message)
        return _form_page("manage/cancel.html", form, status=409, event=event)
    db.session.commit()
    flash(_("De activiteit is geannuleerd; de ingeschrevenen krijgen een mail."), "success")
    return redirect(url_for("manage.event", slug=event.slug))


@bp.post("/<slug>/verwijderen")
@login_required
def delete(slug):
    event = get_managed_event_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    title = event.title
    try:
        organiser.delete_event(event)
    except WrongStatus as error:
        return _conflict(error, event)
    db.session.commit()
    flash(_("Het ontwerp „%(title)s” is verwijderd.", title=title), "success")
    return redirect(url_for("manage.index"))


@bp.route("/<slug>/kopieren", methods=["GET", "POST"])
@login_required
def copy(slug):
    event = get_managed_event_or_404(slug)
    form = CopyForm()
    if not form.validate_on_submit():
        return _form_page("manage/copy.html", form, event=event)
    try:
        new_event = organiser.copy_event(
            event, days=form.days, title=(form.title.data or "").strip()
        )
    except OrganiserError as error:
        db.session.rollback()
        form.amount.errors = [*form.amount.errors, error.message]
        return _form_page("manage/copy.html", form, event=event)
    db.session.commit()
    flash(_("De kopie is bewaard als ontwerp. Kijk ze na en publiceer ze."), "success")
    return redirect(url_for("manage.edit", slug=new_event.slug))


@bp.post("/<slug>/inschrijvingen-sluiten")
@login_required
def close_registration(slug):
    event = get_managed_event_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    organiser.close_registration(event)
    db.session.commit()
    flash(_("De inschrijvingen zijn gesloten."), "success")
    return redirect(url_for("manage.event", slug=event.slug))


@bp.post("/<slug>/inschrijvingen-heropenen")
@login_required
def reopen_registration(slug):
    event = get_managed_event_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        organiser.reopen_registration(event)
    except WrongStatus as error:
        return _conflict(error, event)
    db.session.commit()
    flash(_("De inschrijvingen zijn weer open."), "success")
    return redirect(url_for("manage.event", slug=event.slug))


# --- programme ---------------------------------------------------------------------------


def _item_of(event: Event, item_id: int) -> ProgrammeItem:
    item = next((i for i in event.programme if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def _item_details(form: ProgrammeItemForm) -> ProgrammeItemDetails:
    capacity = form.capacity.data
    return ProgrammeItemDetails(
        starts_at=brussels_to_utc(form.day.data, form.start_time.data, "start_time"),
        ends_at=brussels_to_utc(form.day.data, form.end_time.data, "end_time"),
        title=form.title.data.strip(),
        kind=ProgrammeItemKind(form.kind.data),
        speakers=(form.speakers.data or "").strip(),
        room=(form.room.data or "").strip(),
        description=form.description.data or "",
        capacity=capacity,
    )


def _item_form(event: Event, item: ProgrammeItem | None) -> ProgrammeItemForm:
    if item is None:
        return ProgrammeItemForm(data={"day": to_brussels(event.starts_at).date()})
    start, end = to_brussels(item.starts_at), to_brussels(item.ends_at)
    data = {
        "day": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "title": item.title,
        "kind": item.kind,
        "speakers": item.speakers,
        "room": item.room,
        "description": item.description,
        "capacity": item.capacity,
    }
    return ProgrammeItemForm(data=data)


def _save_item(event: Event, item: ProgrammeItem | None, template: str):
    form = _item_form(event, item)
    if not form.validate_on_submit():
        return _form_page(template, form, event=event, item=item, delete_form=EmptyForm())
    try:
        organiser.save_programme_item(event, _item_details(form), item)
    except OrganiserError as error:
        db.session.rollback()
        _field_error(form, error)
        return _form_page(template, form, event=event, item=item, delete_form=EmptyForm())
    db.session.commit()
    flash(_("Het programma is bewaard."), "success")
    return redirect(url_for("manage.programme", slug=event.slug))


@bp.route("/<slug>/programma", methods=["GET", "POST"])
@login_required
def programme(slug):
    return _save_item(get_managed_event_or_404(slug), None, "manage/programme.html")


@bp.route("/<slug>/programma/<int:item_id>", methods=["GET", "POST"])
@login_required
def programme_item(slug, item_id):
    event = get_managed_event_or_404(slug)
    return _save_item(event, _item_of(event, item_id), "manage/programme_item.html")


@bp.post("/<slug>/programma/<int:item_id>/verwijderen")
@login_required
def delete_programme_item(slug, item_id):
    event = get_managed_event_or_404(slug)
    item = _item_of(event, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    organiser.delete_programme_item(item)
    db.session.commit()
    flash(_("Het programmaonderdeel is verwijderd."), "success")
    return redirect(url_for("manage.programme", slug=event.slug))


# --- questions ---------------------------------------------------------------------------


def _question_of(event: Event, question_id: int) -> EventQuestion:
    question = next((q for q in event.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


def _save_question(event: Event, question: EventQuestion | None, template: str):
    data = {}
    if question is not None:
        data = {
            "label": question.label,
            "kind": question.kind,
            "choices": "\n".join(question.choices or []),
            "is_required": question.is_required,
            "position": question.position,
        }
    form = QuestionForm(data=data)
    context = {"event": event, "question": question, "delete_form": EmptyForm()}
    if not form.validate_on_submit():
        return _form_page(template, form, **context)
    details = QuestionDetails(
        label=form.label.data.strip(),
        kind=QuestionKind(form.kind.data),
        choices=(form.choices.data or "").splitlines(),
        is_required=form.is_required.data,
        position=form.position.data,
    )
    try:
        organiser.save_question(event, details, question)
    except OrganiserError as error:
        db.session.rollback()
        _field_error(form, error)
        return _form_page(template, form, **context)
    db.session.commit()
    flash(_("De vraag is bewaard."), "success")
    return redirect(url_for("manage.questions", slug=event.slug))


@bp.route("/<slug>/vragen", methods=["GET", "POST"])
@login_required
def questions(slug):
    return _save_question(get_managed_event_or_404(slug), None, "manage/questions.html")


@bp.route("/<slug>/vragen/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(slug, question_id):
    event = get_managed_event_or_404(slug)
    return _save_question(event, _question_of(event, question_id), "manage/question.html")


@bp.post("/<slug>/vragen/<int:question_id>/verwijderen")
@login_required
def delete_question(slug, question_id):
    event = get_managed_event_or_404(slug)
    question = _question_of(event, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    organiser.delete_question(question)
    db.session.commit()
    flash(_("De vraag is verwijderd."), "success")
    return redirect(url_for("manage.questions", slug=event.slug))


# --- attendees ---------------------------------------------------------------------------


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
    content = export.to_xlsx(header, rows, event.title)
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
