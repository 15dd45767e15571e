"""Organiser pages of an activity's programme items and registration questions."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from community.core.extensions import db
from community.core.forms import EmptyForm
from events import organising as organiser
from events.models import (
    Event,
    EventQuestion,
    ProgrammeItem,
    ProgrammeItemKind,
    QuestionKind,
)
from events.organising import (
    OrganiserError,
    ProgrammeItemDetails,
    QuestionDetails,
    brussels_to_utc,
    to_brussels,
)
from events.organising.forms import (
    ProgrammeItemForm,
    QuestionForm,
)
from events.views.manage import _field_error, _form_page, bp, get_managed_event_or_404


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
