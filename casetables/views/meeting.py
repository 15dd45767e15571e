"""Meeting notes, agreements, outcome and follow-up of a case table (issue 19): routes
on :data:`casetables.views.bp`.

Every page with case content loads the case with :func:`casetables.views.case_for_reading`
(the read is logged; 404 to anyone without access) and is sent ``private, no-store``. A POST
checks access without logging a read (:func:`_case_for_acting`); the page it redirects to
logs it. Refused texts come back in the form with the reason at the field (422).
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from casetables.follow_up import MAX_REPORT, report_back
from casetables.meeting import (
    MAX_AGREEMENT,
    MAX_NOTE,
    add_agreement,
    agreements_of,
    confirm_agreement,
    is_case_coordinator,
    note_partners,
    notes_of,
    save_note,
)
from casetables.models import OUTCOME_LABELS, CaseAgreement, CaseRequest, CaseState, Outcome
from casetables.outcome import OutcomeFields, close_case, closing_offers
from casetables.requests import can_read_case, read_case, table_participants
from casetables.views import bp, case_by_code, case_for_reading
from community.core.db import utcnow
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.forms import (
    ChoiceField,
    EmptyForm,
    ReadableParseErrors,
    option,
    optional_int,
    optional_str,
)
from regionmap.models import OFFER_KIND_LABELS, OfferKind


class NoteForm(FlaskForm):
    """One partner's note of the table."""

    partner_id = ChoiceField(
        _l("Notitie van"),
        coerce=optional_int,
        validators=[InputRequired(message=_l("Kies van wie de notitie is."))],
    )
    body = TextAreaField(
        _l("Notitie"),
        render_kw={"rows": 6, "maxlength": MAX_NOTE},
        validators=[InputRequired(message=_l("Vul dit veld in."))],
    )


class AgreementForm(ReadableParseErrors, FlaskForm):
    """An agreement: who does what by when."""

    partner_id = ChoiceField(
        _l("Wie"),
        id="agreement_partner_id",  # the note form on the same page has a partner_id too
        coerce=optional_int,
        validators=[InputRequired(message=_l("Kies een partner die aan tafel zit."))],
    )
    what = StringField(
        _l("Doet wat"),
        render_kw={"maxlength": MAX_AGREEMENT},
        validators=[InputRequired(message=_l("Vul dit veld in."))],
    )
    due_on = DateField(_l("Tegen wanneer"), validators=[Optional()], format="%Y-%m-%d")


def _kind_choices(empty):
    return [option("", empty)] + [option(k.value, label) for k, label in OFFER_KIND_LABELS.items()]


class CloseForm(ReadableParseErrors, FlaskForm):
    """Close the case with an outcome."""

    outcome = ChoiceField(
        _l("Uitkomst"),
        coerce=optional_str,
        choices=[option("", _l("Kies een uitkomst"))]
        + [option(o.value, label) for o, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(message=_l("Kies een uitkomst."))],
    )
    offer_id = ChoiceField(_l("Gevonden aanbod (bij „aanbod gevonden”)"), coerce=optional_int)
    kind = ChoiceField(
        _l("Soort aanbod (bij maatwerk: de soort steun; zonder passend aanbod: wat ontbreekt)"),
        coerce=optional_str,
        choices=_kind_choices(_l("Kies een soort aanbod")),
    )
    note = TextAreaField(
        _l("Het maatwerk in een paar zinnen (bij maatwerk)"), render_kw={"rows": 3}
    )
    follow_up_on = DateField(_l("Opvolging op"), validators=[Optional()], format="%Y-%m-%d")


class FollowUpForm(FlaskForm):
    """The requester's one line back."""

    line = StringField(
        _l("Hoe loopt het nu? (één regel)"),
        render_kw={"maxlength": MAX_REPORT},
        validators=[InputRequired(message=_l("Vul dit veld in."))],
    )


def _private(page: str, status: int = 200):
    """A response with case content: never stored by a browser or a cache."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _case_for_acting(code: str) -> CaseRequest:
    """The case with ``code`` when the signed-in member may read it (404 otherwise), for a
    POST: its read is logged by the page the POST redirects to."""
    case = case_by_code(code)
    if not can_read_case(current_user, case):
        abort(404)
    return case


def _shown_again(case: CaseRequest) -> None:
    """A POST that shows the case's page again (a refused form) shows its content: log that
    read as a GET through :func:`case_for_reading` would, and keep only it (what was
    refused was rolled back before)."""
    if request.method == "POST":
        read_case(current_user, case)
        db.session.commit()


def _refused(form: FlaskForm, error: DomainError) -> None:
    """Put ``error``'s message at its field in ``form`` (or nowhere when it names none)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*getattr(field, "errors", []), error.message]


def _notes_page(case: CaseRequest, note_form=None, agreement_form=None, status=200, error=""):
    _shown_again(case)
    partners = note_partners(case, current_user) if case.state == CaseState.PLANNED else []
    notes = notes_of(case)
    if note_form is None:
        note_form = NoteForm()
        own = next((n for n in notes if n.partner_id == current_user.id), None)
        note_form.partner_id.data = current_user.id if partners else None
        note_form.body.data = own.body if own else ""
    note_form.partner_id.choices = [option(p.id, p.display_name) for p in partners]
    participants = table_participants(case)
    is_coordinator = is_case_coordinator(current_user, case)
    if agreement_form is None:
        agreement_form = AgreementForm(formdata=None)
    agreement_form.partner_id.choices = [option("", _("Kies een partner"))] + [
        option(p.id, p.display_name) for p in participants
    ]
    page = render_template(
        "casetables/notes.html",
        case=case,
        notes=notes,
        agreements=agreements_of(case),
        participants=participants,
        note_form=note_form if partners else None,
        agreement_form=agreement_form
        if is_coordinator and case.state == CaseState.PLANNED
        else None,
        confirm_form=EmptyForm(formdata=None),
        is_coordinator=is_coordinator,
        error=error,
    )
    return _private(page, status)


@bp.route("/<code>/verslag", methods=["GET", "POST"])
@login_required
def notes(code: str):
    """The table's notes per partner and its agreements; POST saves a partner's note."""
    if request.method == "GET":
        return _notes_page(case_for_reading(code))
    case = _case_for_acting(code)
    form = NoteForm()
    form.partner_id.choices = [
        option(p.id, p.display_name) for p in note_partners(case, current_user)
    ]
    if case.state != CaseState.PLANNED:
        return _notes_page(case, status=409, error=_("Er is geen geplande casustafel open."))
    if not form.validate():
        return _notes_page(case, note_form=form, status=422)
    try:
        save_note(case, current_user, form.partner_id.data, form.body.data or "", utcnow())
    except DomainError as error:
        db.session.rollback()
        _refused(form, error)
        return _notes_page(case, note_form=form, status=error.status, error=error.message)
    db.session.commit()
    flash(_("De notitie is bewaard."), "success")
    return redirect(url_for("casetables.notes", code=case.code), 303)


@bp.route("/<code>/verslag/afspraken", methods=["POST"], endpoint="add_agreement")
@login_required
def add_agreement_view(code: str):
    """The region's coordinator records an agreement: who does what by when."""
    case = _case_for_acting(code)
    if not is_case_coordinator(current_user, case):
        abort(403)
    form = AgreementForm()
    form.partner_id.choices = [option(p.id, p.display_name) for p in table_participants(case)]
    if case.state != CaseState.PLANNED:
        return _notes_page(case, status=409, error=_("Er is geen geplande casustafel open."))
    if not form.validate():
        return _notes_page(case, agreement_form=form, status=422)
    try:
        add_agreement(
            case,
            current_user,
            form.partner_id.data,
            form.what.data or "",
            form.due_on.data,
            utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        _refused(form, error)
        return _notes_page(case, agreement_form=form, status=error.status, error=error.message)
    db.session.commit()
    flash(_("De afspraak is bewaard; de partner kreeg een bericht."), "success")
    return redirect(url_for("casetables.notes", code=case.code), 303)


@bp.route(
    "/<code>/afspraken/<int:agreement_id>/bevestigen",
    methods=["POST"],
    endpoint="confirm_agreement",
)
@login_required
def confirm_agreement_view(code: str, agreement_id: int):
    """The partner confirms their own agreement (once; a second time changes nothing)."""
    case = _case_for_acting(code)
    agreement = db.session.get(CaseAgreement, agreement_id)
    if agreement is None or agreement.case_id != case.id:
        abort(404)
    if not EmptyForm().validate():
        abort(400)
    try:
        confirm_agreement(agreement, current_user, utcnow())
    except DomainError as error:
        db.session.rollback()
        abort(error.status, error.message)
    db.session.commit()
    flash(_("Je bevestigde de afspraak."), "success")
    if request.form.get("back") == "case":  # the button on the case page's panel
        return redirect(url_for("casetables.case", code=case.code), 303)
    return redirect(url_for("casetables.notes", code=case.code), 303)


def _offer_choices(case: CaseRequest, form: CloseForm) -> None:
    form.offer_id.choices = [option("", _("Kies een aanbod"))] + [
        option(o.id, f"{o.title} ({o.region.name})") for o in closing_offers(case)
    ]


def _close_page(case: CaseRequest, form: CloseForm, status: int = 200, error: str = ""):
    _shown_again(case)
    _offer_choices(case, form)
    page = render_template("casetables/close.html", case=case, form=form, error=error)
    return _private(page, status)


@bp.route("/<code>/afsluiten", methods=["GET", "POST"])
@login_required
def close(code: str):
    """The region's coordinator closes a planned case with an outcome and a check-in day."""
    if request.method == "GET":
        case = case_for_reading(code)
        if not is_case_coordinator(current_user, case):
            abort(403)
        return _close_page(case, CloseForm(formdata=None))
    case = _case_for_acting(code)
    if not is_case_coordinator(current_user, case):
        abort(403)
    form = CloseForm()
    _offer_choices(case, form)
    if case.state != CaseState.PLANNED:
        return _close_page(case, form, 409, _("Deze casus is niet (meer) af te sluiten."))
    if not form.validate():
        return _close_page(case, form, 422)
    fields = OutcomeFields(
        outcome=form.outcome.data,
        offer_id=form.offer_id.data,
        kind=form.kind.data,
        note=form.note.data or "",
        follow_up_on=form.follow_up_on.data,
    )
    try:
        close_case(case, current_user, fields, utcnow())
    except DomainError as error:
        db.session.rollback()
        _refused(form, error)
        return _close_page(case, form, error.status, error.message)
    db.session.commit()
    if case.outcome == Outcome.NO_FIT:
        flash(_("De casus is afgesloten; het ontbrekende aanbod staat bij de signalen."), "success")
    else:
        flash(_("De casus is afgesloten."), "success")
    return redirect(url_for("casetables.notes", code=case.code), 303)


def _follow_up_page(case: CaseRequest, form: FollowUpForm | None, status=200, error=""):
    is_requester = case.requester_id is not None and case.requester_id == current_user.id
    can_report = is_requester and case.state == CaseState.CLOSED and case.erased_at is None
    _shown_again(case)
    page = render_template(
        "casetables/follow_up.html",
        case=case,
        form=(form or FollowUpForm(formdata=None)) if can_report else None,
        error=error,
    )
    return _private(page, status)


@bp.route("/<code>/opvolging", methods=["GET", "POST"])
@login_required
def follow_up(code: str):
    """The requester reports back in one line after the check-in day; others read it."""
    if request.method == "GET":
        case = case_for_reading(code)
        form = FollowUpForm(formdata=None)
        form.line.data = case.follow_up_report
        return _follow_up_page(case, form)
    case = _case_for_acting(code)
    form = FollowUpForm()
    if case.requester_id != current_user.id:
        abort(403)
    if case.state != CaseState.CLOSED or case.erased_at is not None:
        return _follow_up_page(case, form, 409, _("De opvolging kan nu niet ingevuld worden."))
    if not form.validate():
        return _follow_up_page(case, form, 422)
    try:
        report_back(case, current_user, form.line.data or "", utcnow())
    except DomainError as error:
        db.session.rollback()
        _refused(form, error)
        return _follow_up_page(case, form, error.status, error.message)
    db.session.commit()
    flash(_("Bedankt: je opvolging is bewaard."), "success")
    return redirect(url_for("casetables.follow_up", code=case.code), 303)


def outcome_label(case: CaseRequest) -> str:
    """The outcome of ``case`` in words ("geen passend aanbod"), or "" while it is open."""
    return Outcome(case.outcome).label if case.outcome else ""


def meeting_summary(case: CaseRequest | None, user) -> dict | None:
    """What the case page's meeting panel shows ``user`` of ``case`` (counts, the user's own
    agreements still to confirm, the kind of offer), or None for a user who may not read the
    case (the panel then shows nothing). Reads only: the case page logged the read."""
    if case is None or not can_read_case(user, case):
        return None
    agreements = agreements_of(case)
    return {
        "note_count": len(notes_of(case)),
        "agreement_count": len(agreements),
        "confirmed_count": sum(1 for a in agreements if a.confirmed_at is not None),
        "mine": [a for a in agreements if a.partner_id == user.id and a.confirmed_at is None],
        "kind_label": OFFER_KIND_LABELS[OfferKind(case.outcome_offer_kind)]
        if case.outcome_offer_kind in {k.value for k in OfferKind}
        else "",
        "is_coordinator": is_case_coordinator(user, case),
    }
