"""Participants' pages after an activity: the evaluation, the certificate, its verification.

``/evaluatie/<token>`` (the link in the mail the day after, and in "Mijn activiteiten"),
``/attest/downloaden/<token>`` (the certificate from the mail),
``/account/activiteiten/<id>/attest.pdf`` (from "Mijn activiteiten") and ``/attest``
(the public verification of a code, rate limited per address like other public lookups).

Downloading a certificate issues it when it was not yet (``issue_certificate``): a GET
that may write one row. That row records a fact already true (the participant was marked
present) and is the same whoever asks and however often, so a mail scanner's prefetch
changes nothing anyone would notice (decided exception in
``tests/test_no_state_change_on_get.py``'s sense; the scheduled ``send-follow-up`` issues
most certificates before any link is followed).
"""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from community.core.db import utcnow
from community.core.extensions import db, limiter
from community.core.features import features
from community.core.forms import EmptyForm
from community.core.security import remote_address
from events.followup import certificates, evaluation, mailing
from events.followup.errors import EvaluationClosed, FollowUpError, InvalidAnswer, NotPresent
from events.models import Registration
from events.registration import is_registration_of
from events.views import bp

VERIFICATIONS_PER_ADDRESS = "20 per minute;200 per hour"


def _problem(error: FollowUpError):
    return render_template("events/link_problem.html", message=error.message), error.status


def _pdf(certificate_list, filename: str) -> Response:
    content = certificates.certificates_pdf(certificate_list, mailing.verify_url())
    response = Response(content, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def certificate_response(registration: Registration) -> Response | tuple:
    """Answer with ``registration``'s certificate as a PDF (issued first when needed), or the
    page saying why there is none (403 when the participant is not marked present)."""
    try:
        certificate = certificates.issue_certificate(registration, utcnow())
    except FollowUpError as error:
        db.session.rollback()
        return _problem(error)
    db.session.commit()
    return _pdf([certificate], f"attest-{registration.event.slug}.pdf")


@bp.get("/attest/downloaden/<token>")
def certificate_download(token):
    """The certificate from the link in the mail after the activity (no sign-in needed)."""
    try:
        registration = mailing.registration_from_token(mailing.CERTIFICATE_PURPOSE, token)
    except FollowUpError as error:
        return _problem(error)
    return certificate_response(registration)


@bp.get("/account/activiteiten/<int:registration_id>/attest.pdf")
@login_required
def my_certificate(registration_id):
    """The signed-in participant's certificate of one of their own registrations."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or not is_registration_of(current_user, registration):
        abort(404)
    return certificate_response(registration)


@bp.get("/attest")
@limiter.limit(
    VERIFICATIONS_PER_ADDRESS,
    key_func=remote_address,
    exempt_when=lambda: not request.args.get("code"),
    error_message=_l("Te veel controles van hieruit. Wacht even en probeer het opnieuw."),
)
def verify_certificate():
    """Check a certificate's code (``?code=``): what the certificate shows, or that it is not
    valid (404). Without a code: the form."""
    code = request.args.get("code", "")
    if not code.strip():
        return render_template("events/verify_certificate.html", code="")
    try:
        certificate = certificates.verify(code)
    except FollowUpError as error:
        page = render_template("events/verify_certificate.html", code=code[:40], error=error)
        return page, error.status
    return render_template(
        "events/verify_certificate.html",
        code=certificate.code,
        certificate=certificate,
        period=certificates.certificate_period(certificate),
        type_label=certificates.type_label(certificate),
        duration=certificates.duration_text(certificate.minutes),
    )


def _evaluation_page(registration: Registration, *, status: int = 200, **context):
    event = registration.event
    return render_template(
        "events/evaluation.html",
        event=event,
        questions=evaluation.questions_of(event),
        label_of=evaluation.label_of,
        scores=evaluation.SCORES,
        form=EmptyForm(),
        values=context.pop("values", {}),
        errors=context.pop("errors", {}),
        **context,
    ), status


@bp.route("/evaluatie/<token>", methods=["GET", "POST"])
def evaluate(token):
    """The evaluation form of the link in the mail; POST stores the anonymous answers.

    Open answers with likely personal data are shown again with a warning; sending
    them anyway needs the box "I checked it" (warn, don't block: issue 17's choice,
    documented in ``events.followup.evaluation``).
    """
    try:
        registration = mailing.registration_from_token(mailing.EVALUATION_PURPOSE, token)
        if not certificates.is_present(registration):
            raise NotPresent()
        if evaluation.has_answered(registration):
            return render_template("events/evaluation_done.html", event=registration.event)
        if not evaluation.is_open(registration.event, utcnow()):
            raise EvaluationClosed()
    except FollowUpError as error:
        return _problem(error)
    if request.method == "GET":
        return _evaluation_page(registration)
    if not EmptyForm().validate_on_submit():
        abort(400)
    questions = evaluation.questions_of(registration.event)
    values = {q["key"]: request.form.get(q["key"], "")[:4000] for q in questions}
    try:
        answers = evaluation.parse_answers(questions, values)
    except InvalidAnswer as error:
        return _evaluation_page(
            registration, status=422, values=values, errors={error.field: error.message}
        )
    found = evaluation.personal_data_in(questions, answers, features().personal_data_guard)
    if found and request.form.get("checked") != "y":
        return _evaluation_page(registration, status=422, values=values, personal=found)
    try:
        evaluation.submit_evaluation(registration, answers, utcnow())
    except FollowUpError as error:
        db.session.rollback()
        return _problem(error)
    db.session.commit()
    flash(_("Bedankt! Je evaluatie is anoniem bewaard."), "success")
    return render_template("events/evaluation_done.html", event=registration.event)
