"""Organiser pages of activities: list, create, edit, publish, copy, cancel, delete."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Organisation, Region, Theme
from community.core.db import utcnow
from community.core.extensions import db
from community.core.forms import EmptyForm
from events import organising as organiser
from events.models import (
    Event,
    EventType,
    Invitation,
    InvitationStatus,
    Registration,
    Visibility,
)
from events.organising import (
    EventDetails,
    OrganiserError,
    WrongStatus,
    brussels_to_utc,
    to_brussels,
)
from events.organising.forms import (
    CancelForm,
    CopyForm,
    EventForm,
    fill_event_choices,
    parse_emails,
)
from events.permissions import managed_events_filter
from events.views.manage import (
    EVENT_FORM_FIELDS,
    _conflict,
    _event_page,
    _field_error,
    _form_page,
    _managed_regions,
    bp,
    coordinators_only,
    get_managed_event_or_404,
)


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
        select(Invitation.email)
        .where(Invitation.event_id == event.id, Invitation.status != InvitationStatus.WITHDRAWN)
        .order_by(Invitation.id)
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
