"""Coordinators' pages: triage, bundles, policy notes, answers, and the network-wide overview."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.permissions import coordinated_filter
from community.core.charts import bar_chart
from community.core.documents import DOCX_MIMETYPE, PDF_MIMETYPE
from community.core.extensions import db
from community.core.filters import whole_number
from community.core.text import slugify
from signals import notes, workflow
from signals.errors import SignalError
from signals.forms import (
    AnswerForm,
    BundleForm,
    BundleStateForm,
    CategoriseForm,
    NoteForm,
    PublishForm,
    QuestionForm,
    SignalStateForm,
)
from signals.listing import overview as count_overview
from signals.models import BUNDLE_STATES, LogEntry, PolicyNote, Signal, SignalBundle, State
from signals.permissions import can_manage_bundle, can_triage_signal, is_network_coordinator
from signals.privacy import REFUSED
from signals.views import (
    bp,
    get_bundle_or_404,
    get_note_or_404,
    get_signal_or_404,
    require_coordinator,
)
from signals.views.members import detail_context, privacy_context

BRUSSELS = ZoneInfo("Europe/Brussels")  # a date typed without a time: noon in Brussels


def _triageable():
    """The open signals not in a bundle that the current coordinator may triage."""
    query = (
        select(Signal)
        .options(joinedload(Signal.region))
        .where(Signal.bundle_id.is_(None), Signal.state.in_([State.NEW, State.IN_PROGRESS]))
    )
    query = query.where(coordinated_filter(current_user, Signal.region_id))
    return db.session.scalars(query.order_by(Signal.created_at.desc(), Signal.id.desc())).all()


def _open_bundles():
    bundles = db.session.scalars(
        select(SignalBundle)
        .where(SignalBundle.state != State.CLOSED)
        .order_by(SignalBundle.created_at.desc())
    ).all()
    return list(bundles)


def _triage_page(form=None, status=200, error=None):
    bundles = _open_bundles()
    form = form or BundleForm()
    form.bundle.choices = [("", _("— nieuwe bundel —"))] + [(b.id, b.title) for b in bundles]
    return (
        render_template(
            "signals/triage.html",
            signals=_triageable(),
            bundles=bundles,
            form=form,
            error=error,
            notes=db.session.scalars(select(PolicyNote).order_by(PolicyNote.id.desc())).all(),
        ),
        status,
    )


@bp.route("/signalen/beheer")
def triage():
    require_coordinator()
    return _triage_page()


@bp.route("/signalen/beheer/bundelen", methods=["POST"])
def bundle_signals():
    require_coordinator()
    form = BundleForm()
    form.bundle.choices = [("", "")] + [(b.id, b.title) for b in _open_bundles()]
    ids = [whole_number(v) for v in request.form.getlist("signaal")]
    chosen = db.session.scalars(select(Signal).where(Signal.id.in_([i for i in ids if i]))).all()
    try:
        if not form.validate():
            raise SignalError(_("Kies een bestaande bundel of geef een titel."))
        existing = db.session.get(SignalBundle, form.bundle.data) if form.bundle.data else None
        if existing is not None:
            bundle = workflow.add_to_bundle(existing, list(chosen), current_user)
        else:
            bundle = workflow.create_bundle(list(chosen), current_user, form.title.data or "")
    except REFUSED as error:
        db.session.rollback()
        return _triage_page(form, error.status, error.message)
    db.session.commit()
    flash(_("De signalen zitten in de bundel „%(title)s”.", title=bundle.title), "success")
    return redirect(url_for("signals.bundle", bundle_id=bundle.id), 303)


def _signal_action_page(signal, error, status, **forms):
    context = detail_context(signal)
    context.update(forms)
    return render_template("signals/detail.html", error=error, **context), status


@bp.route("/signalen/<int:signal_id>/vraag", methods=["POST"])
def ask(signal_id):
    signal = get_signal_or_404(signal_id)
    if not can_triage_signal(current_user, signal):
        abort(403)
    form = QuestionForm()
    try:
        if not form.validate():
            raise SignalError(_("Het formulier is verlopen. Probeer opnieuw."))
        workflow.ask_reporter(signal, current_user, form.question.data or "")
    except REFUSED as error:
        db.session.rollback()
        signal = get_signal_or_404(signal_id)
        return _signal_action_page(signal, error.message, error.status, question_form=form)
    db.session.commit()
    flash(_("Je vraag is naar de melder gemaild."), "success")
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)


@bp.route("/signalen/<int:signal_id>/fase", methods=["POST"])
def signal_state(signal_id):
    signal = get_signal_or_404(signal_id)
    if not can_triage_signal(current_user, signal):
        abort(403)
    form = SignalStateForm()
    try:
        if not form.validate():
            raise SignalError(_("Kies een fase."))
        workflow.set_signal_state(
            signal, current_user, State(form.state.data), form.note.data or ""
        )
    except REFUSED as error:
        db.session.rollback()
        signal = get_signal_or_404(signal_id)
        return _signal_action_page(signal, error.message, error.status, state_form=form)
    db.session.commit()
    flash(_("De fase is aangepast."), "success")
    return redirect(url_for("signals.detail", signal_id=signal.id), 303)


def _bundle_page(bundle, status=200, error=None, **forms):
    log_entries = db.session.scalars(
        select(LogEntry).where(LogEntry.bundle_id == bundle.id).order_by(LogEntry.at, LogEntry.id)
    ).all()
    state_form = BundleStateForm()
    if state_form.state.data is None:  # offer the next step first
        steps = list(BUNDLE_STATES)
        state_form.state.data = steps[min(steps.index(State(bundle.state)) + 1, len(steps) - 1)]
    context = {
        "categorise_form": CategoriseForm(obj=bundle),
        "state_form": state_form,
        "publish_form": PublishForm(obj=bundle),
    }
    context.update(forms)
    page = render_template(
        "signals/bundle.html",
        bundle=bundle,
        log_entries=log_entries,
        error=error,
        evidence=notes.evidence([bundle]),
        **context,
    )
    return page, status


@bp.route("/signalen/bundels/<int:bundle_id>")
def bundle(bundle_id):
    return _bundle_page(get_bundle_or_404(bundle_id))


@bp.route("/signalen/bundels/<int:bundle_id>/indelen", methods=["POST"])
def categorise(bundle_id):
    bundle = get_bundle_or_404(bundle_id, manage=True)
    form = CategoriseForm()
    try:
        if not form.validate():
            raise SignalError(_("Kies een van de mogelijkheden uit de lijst."))
        workflow.categorise(
            bundle,
            current_user,
            title=form.title.data or "",
            policy_domain=form.policy_domain.data or None,
            level=form.level.data or None,
        )
    except REFUSED as error:
        db.session.rollback()
        bundle = get_bundle_or_404(bundle_id, manage=True)
        return _bundle_page(bundle, error.status, error.message, categorise_form=form)
    db.session.commit()
    flash(_("De bundel is ingedeeld."), "success")
    return redirect(url_for("signals.bundle", bundle_id=bundle.id), 303)


@bp.route("/signalen/bundels/<int:bundle_id>/fase", methods=["POST"])
def bundle_state(bundle_id):
    bundle = get_bundle_or_404(bundle_id, manage=True)
    form = BundleStateForm()
    try:
        if not form.validate():
            raise SignalError(
                form.passed_on_at.errors[0] if form.passed_on_at.errors else _("Kies een fase.")
            )
        passed_on_at = None
        if form.passed_on_at.data:
            passed_on_at = dt.datetime.combine(form.passed_on_at.data, dt.time(12), BRUSSELS)
        workflow.move_bundle(
            bundle,
            current_user,
            State(form.state.data),
            note=form.note.data or "",
            passed_to=form.passed_to.data or "",
            passed_on_at=passed_on_at,
        )
    except REFUSED as error:
        db.session.rollback()
        bundle = get_bundle_or_404(bundle_id, manage=True)
        return _bundle_page(bundle, error.status, error.message, state_form=form)
    db.session.commit()
    flash(_("De fase is aangepast; wie volgt, krijgt mail."), "success")
    return redirect(url_for("signals.bundle", bundle_id=bundle.id), 303)


@bp.route("/signalen/bundels/<int:bundle_id>/publiceren", methods=["POST"])
def publish(bundle_id):
    bundle = get_bundle_or_404(bundle_id, manage=True)
    form = PublishForm()
    try:
        if not form.validate():
            raise SignalError(_("Het formulier is verlopen. Probeer opnieuw."))
        workflow.publish(
            bundle, current_user, form.summary.data or "", bool(form.is_published.data)
        )
    except REFUSED as error:
        db.session.rollback()
        bundle = get_bundle_or_404(bundle_id, manage=True)
        return _bundle_page(
            bundle, error.status, error.message, publish_form=form, **privacy_context(error)
        )
    db.session.commit()
    flash(_("De publieke samenvatting is bewaard."), "success")
    return redirect(url_for("signals.bundle", bundle_id=bundle.id), 303)


def _manageable_bundles():
    return [b for b in _open_bundles_all() if can_manage_bundle(current_user, b)]


def _open_bundles_all():
    return db.session.scalars(select(SignalBundle).order_by(SignalBundle.created_at.desc())).all()


MAX_ID = 2**31 - 1  # an id beyond any INTEGER column is no bundle (and no query)


def _chosen_bundles(ids) -> list[SignalBundle]:
    wanted = [i for i in ids if isinstance(i, int) and 0 < i <= MAX_ID]
    return list(db.session.scalars(select(SignalBundle).where(SignalBundle.id.in_(wanted))))


def _note_page(form, note=None, status=200, error=None, privacy=None):
    bundles = _manageable_bundles()
    form.bundles.choices = [(b.id, b.title) for b in bundles]
    chosen = _chosen_bundles(form.bundles.data or [])
    suggestions = [
        r.context for b in chosen for s in b.signals for r in s.recognitions if r.context
    ]
    page = render_template(
        "signals/note_form.html",
        form=form,
        note=note,
        error=error,
        suggestions=suggestions,
        **(privacy or {}),
    )
    return page, status


def _save_note(note):
    form = NoteForm(obj=note) if request.method == "GET" and note else NoteForm()
    if request.method == "GET":
        if note is not None:
            form.bundles.data = [b.id for b in note.bundles]
            form.quotes.data = "\n\n".join(note.quotes)
        else:
            form.bundles.data = [whole_number(request.args.get("bundel", "")) or 0]
        return _note_page(form, note)
    form.bundles.choices = [(b.id, b.title) for b in _manageable_bundles()]
    try:
        if not form.validate():
            raise SignalError(_("Kies alleen bundels die je mag beheren."))
        saved = notes.save_note(
            note,
            _chosen_bundles(form.bundles.data or []),
            current_user,
            title=form.title.data or "",
            introduction=form.introduction.data or "",
            recommendations=form.recommendations.data or "",
            quotes=form.quotes.data or "",
        )
    except REFUSED as error:
        db.session.rollback()
        return _note_page(form, note, error.status, error.message, privacy_context(error))
    db.session.commit()
    flash(_("De beleidsnota is bewaard."), "success")
    return redirect(url_for("signals.note", note_id=saved.id), 303)


@bp.route("/signalen/nota/nieuw", methods=["GET", "POST"])
def note_new():
    require_coordinator()
    return _save_note(None)


@bp.route("/signalen/nota/<int:note_id>/bewerken", methods=["GET", "POST"])
def note_edit(note_id):
    return _save_note(get_note_or_404(note_id))


@bp.route("/signalen/nota/<int:note_id>")
def note(note_id):
    note = get_note_or_404(note_id)
    found = notes.evidence(note.bundles)
    chart = notes.region_chart(found) if found.by_region else None
    return render_template("signals/note.html", note=note, evidence=found, chart=chart)


def _download(note: PolicyNote, data: bytes, mimetype: str, extension: str) -> Response:
    name = f"beleidsnota-{slugify(note.title, max_length=60, fallback='signalen')}.{extension}"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/signalen/nota/<int:note_id>.pdf")
def note_pdf(note_id):
    note = get_note_or_404(note_id)
    return _download(note, notes.note_pdf(note), PDF_MIMETYPE, "pdf")


@bp.route("/signalen/nota/<int:note_id>.docx")
def note_docx(note_id):
    note = get_note_or_404(note_id)
    return _download(note, notes.note_docx(note), DOCX_MIMETYPE, "docx")


def _answer_page(form, status=200, error=None, privacy=None):
    form.bundles.choices = [(b.id, b.title) for b in _manageable_bundles()]
    page = render_template("signals/answer_form.html", form=form, error=error, **(privacy or {}))
    return page, status


@bp.route("/signalen/antwoord/nieuw", methods=["GET", "POST"])
def answer_new():
    require_coordinator()
    form = AnswerForm()
    if request.method == "GET":
        form.bundles.data = [whole_number(request.args.get("bundel", "")) or 0]
        return _answer_page(form)
    form.bundles.choices = [(b.id, b.title) for b in _manageable_bundles()]
    if not form.validate():
        return _answer_page(form, 422)
    chosen = _chosen_bundles(form.bundles.data or [])
    try:
        workflow.record_answer(
            chosen,
            current_user,
            answered_by=form.answered_by.data or "",
            received_on=form.received_on.data,
            body=form.body.data or "",
        )
    except REFUSED as error:
        db.session.rollback()
        return _answer_page(form, error.status, error.message, privacy_context(error))
    db.session.commit()
    flash(_("Het antwoord is bewaard; wie de signalen volgt, krijgt mail."), "success")
    return redirect(url_for("signals.bundle", bundle_id=chosen[0].id), 303)


@bp.route("/signalen/overzicht")
def overview():
    require_coordinator()
    if not is_network_coordinator(current_user):
        abort(403)
    counts = count_overview()
    charts = {
        name: bar_chart(title, counts.periods, series, stacked=True)
        for name, title, series in (
            ("region", _("Signalen per regio en kwartaal"), counts.by_region),
            ("theme", _("Signalen per thema en kwartaal"), counts.by_theme),
            ("domain", _("Signalen per beleidsdomein en kwartaal"), counts.by_domain),
        )
        if series
    }
    return render_template("signals/overview.html", counts=counts, charts=charts)
