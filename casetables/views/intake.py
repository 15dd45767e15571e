"""Request, intake and planning of a case table (issue 19): routes on
:data:`casetables.views.bp`.

Every response of the blueprint is ``Cache-Control: private, no-store`` (set in
:mod:`casetables.views`): pages with case content are never cached, by us or a proxy.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from casetables import intake
from casetables.intake_forms import MessageForm, PlanForm, RedirectForm, RequestForm
from casetables.models import CaseRequest, CaseState
from casetables.requests import (
    CaseRefused,
    RequestFields,
    can_read_case,
    read_log,
    table_participants,
)
from casetables.views import bp, case_by_code, case_for_reading
from community.accounts.models import Organisation, Region, User
from community.accounts.permissions import can_read_members_content
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.filters import InvalidFilter, page_arg
from community.core.forms import EmptyForm, option
from events.organising import brussels_to_utc
from regionmap.models import Offer


def _require_member() -> None:
    if not can_read_members_content(current_user):
        abort(403)


def _regions() -> list[Region]:
    return list(
        db.session.scalars(
            select(Region).where(Region.is_network_wide.is_(False)).order_by(Region.position)
        )
    )


# --- the overview ---------------------------------------------------------------------


@bp.route("")
@login_required
def index():
    """What a case table is, my requests, and the intake queue of my regions."""
    _require_member()
    state = request.args.get("status", "").strip()
    if state and state not in {s.value for s in CaseState}:
        abort(400)
    try:
        page_number = page_arg(request.args)
    except InvalidFilter:
        abort(400)
    queue = None
    if current_user.coordinated_regions:
        queue = db.paginate(
            intake.intake_queue(current_user, state or None),
            page=page_number,
            per_page=intake.CASES_PER_PAGE,
            error_out=False,
        )
    return render_template(
        "casetables/index.html",
        mine=intake.my_requests(current_user),
        queue=queue,
        state=state,
        states=list(CaseState),
    )


# --- filing a request -----------------------------------------------------------------


def _request_form() -> RequestForm:
    form = RequestForm()
    form.region_id.choices = [option("", _("Kies…"))] + [option(r.id, r.name) for r in _regions()]
    if not form.is_submitted():
        form.region_id.data = current_user.region_id
        form.urgency.data = "normaal"
    return form


@bp.route("/aanvragen", methods=["GET", "POST"])
@login_required
def new_request():
    """The request form; a refusal of the strict guard answers 422 with the message at the
    field and the typed text kept; nothing is saved."""
    _require_member()
    form = _request_form()
    if not form.is_submitted():
        return render_template("casetables/new_request.html", form=form)
    if not form.validate():
        return render_template("casetables/new_request.html", form=form), 422
    fields = RequestFields(
        region_id=form.region_id.data,
        age_group=form.age_group.data or "",
        school_level=form.school_level.data or "",
        stuck=form.stuck.data or "",
        tried=form.tried.data or "",
        question=form.question.data or "",
        urgency=form.urgency.data or "",
        tried_services=tuple(form.tried_services.data or ()),
    )
    try:
        case = intake.file_case_request(current_user, fields)
    except CaseRefused as refused:
        db.session.rollback()
        target = getattr(form, refused.field or "", None)
        if target is not None:
            target.errors = [refused.message]
        return render_template("casetables/new_request.html", form=form, error=refused), 422
    except DomainError as error:
        db.session.rollback()
        abort(error.status)
    code = case.code
    db.session.commit()
    flash(_("Je aanvraag %(code)s is ontvangen.", code=code), "success")
    return redirect(url_for("casetables.case", code=code))


# --- the case page --------------------------------------------------------------------


def _plan_choices(form: PlanForm, case: CaseRequest) -> None:
    """The members (active, verified) and organisations of the case's region to invite."""
    users = select(User).where(
        User.is_active.is_(True), User.is_verified.is_(True), User.region_id == case.region_id
    )
    form.members.choices = [
        option(u.id, f"{u.display_name} ({u.email})")
        for u in db.session.scalars(users.order_by(User.display_name, User.id))
    ]
    organisations = select(Organisation).where(Organisation.region_id == case.region_id)
    form.organisations.choices = [
        option(o.id, o.name) for o in db.session.scalars(organisations.order_by(Organisation.name))
    ]


def _redirect_form(case: CaseRequest) -> RedirectForm:
    form = RedirectForm()
    form.offer.choices = [option("", _("Kies…"))] + [
        option(o.id, o.title) for o in intake.redirect_offers(case)
    ]
    return form


def _case_page(case: CaseRequest, status: int = 200, **forms):
    """Render the case page for ``case`` (already read and logged by the caller)."""
    is_coordinator = intake.is_case_coordinator(current_user, case)
    event = intake.table_of(case)
    context = {
        "case": case,
        "messages": intake.case_messages(case),
        "is_coordinator": is_coordinator,
        "is_requester": case.requester_id == current_user.id,
        "event": event,
        "participants": table_participants(case),
        "reads": read_log(current_user, case) if is_coordinator else [],
        "offer": db.session.get(Offer, case.redirect_offer_id) if case.redirect_offer_id else None,
        "button": EmptyForm(),
    }
    context["message_form"] = forms.get("message_form") or MessageForm(formdata=None)
    if is_coordinator:
        context["redirect_form"] = forms.get("redirect_form") or _redirect_form(case)
    return render_template("casetables/case.html", **context), status


@bp.route("/<code>")
@login_required
def case(code):
    """The case page: its state and fields, the messages, the table, the read log
    (coordinators only). Logs the read (committed: the rule asks for every read); 404 for
    anyone without access."""
    return _case_page(case_for_reading(code))


def _action_case(code: str) -> CaseRequest:
    """The case for an intake action: 404 without access (nothing logged: no content yet)."""
    found = case_by_code(code)
    if not can_read_case(current_user, found):
        abort(404)
    return found


def _refused_page(code: str, error: DomainError, **forms):
    """After a refused action: roll back, then show the case page (read logged) with the
    status of ``error``; a 403/404 answers bare."""
    db.session.rollback()
    if error.status in (403, 404):
        abort(error.status)
    if error.status == 409:  # no form to show it at: the state moved on
        flash(error.message, "error")
    # the read only (case_for_reading commits it): the refused change was rolled back
    return _case_page(case_for_reading(code), error.status, **forms)


def _message(code: str, write, done: str):
    """A clarification message (``write(case, user, body)``: ask or answer): saved and
    flashed with ``done``, or the case page with the refusal at the field."""
    found = _action_case(code)
    form = MessageForm()
    if not form.validate():
        abort(400)
    try:
        write(found, current_user, form.body.data or "")
    except DomainError as error:
        form.body.errors = [error.message]
        return _refused_page(code, error, message_form=form)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("casetables.case", code=code))


@bp.post("/<code>/verduidelijking")
@login_required
def ask(code):
    """A coordinator of the region asks the requester for clarification."""
    return _message(
        code,
        intake.ask_clarification,
        _("Je vraag is verstuurd. De aanvrager krijgt een mail."),
    )


@bp.post("/<code>/antwoord")
@login_required
def answer(code):
    """The requester answers the coordinators' question."""
    return _message(code, intake.answer_clarification, _("Je antwoord is verstuurd."))


@bp.post("/<code>/aanvaarden")
@login_required
def accept(code):
    """A coordinator of the region accepts the request for a table."""
    found = _action_case(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        intake.accept_case(found, current_user)
    except DomainError as error:
        return _refused_page(code, error)
    db.session.commit()
    flash(_("De aanvraag is aanvaard. Plan nu de casustafel."), "success")
    return redirect(url_for("casetables.case", code=code))


@bp.post("/<code>/doorverwijzen")
@login_required
def redirect_to_offer(code):
    """A coordinator of the region redirects the request to an offer of the regional map."""
    found = _action_case(code)
    form = _redirect_form(found)
    if not form.validate():
        try:
            intake.require_coordinator(current_user, found)
        except DomainError as error:
            abort(error.status)
        form.offer.errors = [intake.OfferUnknown().message]
        return _refused_page(code, intake.OfferUnknown(), redirect_form=form)
    try:
        intake.redirect_case(found, current_user, form.offer.data)
    except DomainError as error:
        form.offer.errors = [error.message]
        return _refused_page(code, error, redirect_form=form)
    db.session.commit()
    flash(_("De aanvraag is doorverwezen. De aanvrager krijgt een mail."), "success")
    return redirect(url_for("casetables.case", code=code))


# --- planning the table ---------------------------------------------------------------


#: Fields of the activity's errors (``events.organising``) → the fields of the plan form.
PLAN_FIELDS = {"starts_at": "starts", "ends_at": "ends", "emails": "emails"}


def _plan_page(found: CaseRequest, form: PlanForm, status: int = 200, error: str | None = None):
    return render_template("casetables/plan.html", case=found, form=form, error=error), status


@bp.route("/<code>/tafel", methods=["GET", "POST"])
@login_required
def plan(code):
    """A coordinator of the region plans the table: date, time, place and the partners to
    invite (members, organisations, addresses)."""
    found = _action_case(code)
    try:
        intake.require_coordinator(current_user, found)
    except DomainError as error:
        abort(error.status)
    form = PlanForm()
    _plan_choices(form, found)
    if found.state not in intake.PLANNABLE:
        if request.method == "POST":
            wrong = intake.WrongState(state=intake.state_label(found.state))
            return _plan_page(found, form, 409, wrong.message)
        return redirect(url_for("casetables.case", code=code))
    if not form.is_submitted():
        return _plan_page(found, form)
    if not form.validate():
        return _plan_page(found, form, 422)
    members = db.session.scalars(select(User).where(User.id.in_(form.members.data or []))).all()
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(form.organisations.data or []))
    ).all()
    day = form.day.data
    assert day is not None  # InputRequired
    try:
        table = intake.TablePlan(
            starts_at=brussels_to_utc(day, form.starts.data, "starts"),
            ends_at=brussels_to_utc(day, form.ends.data, "ends"),
            venue_name=form.venue_name.data or "",
            venue_address=form.venue_address.data or "",
            members=list(members),
            organisations=list(organisations),
            emails=form.addresses,
        )
        intake.plan_table(found, current_user, table)
    except DomainError as error:
        db.session.rollback()
        name = PLAN_FIELDS.get(error.field or "", error.field or "")
        target = getattr(form, name, None)
        if target is not None:
            target.errors = [error.message]
        return _plan_page(found, form, error.status, error.message)
    db.session.commit()
    flash(_("De casustafel is gepland en de uitnodigingen zijn verstuurd."), "success")
    return redirect(url_for("casetables.case", code=code))


# --- counts ---------------------------------------------------------------------------


@bp.route("/cijfers")
@login_required
def statistics():
    """Case requests by region and state: counts only (admins and coordinators)."""
    if not (current_user.is_admin or current_user.coordinated_regions):
        abort(403)
    return render_template(
        "casetables/statistics.html",
        regions=_regions(),
        counts=intake.counts_by_region_and_state(),
        states=list(CaseState),
    )
