"""Organiser pages after an activity: the evaluation's questions and summary, its XLSX
export, and all certificates of the activity in one PDF."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from community.core.charts import bar_chart
from community.core.db import utcnow
from community.core.extensions import db
from community.core.forms import EmptyForm
from events.followup import certificates, evaluation, mailing
from events.followup.errors import FollowUpError
from events.views.manage import bp, get_managed_event_or_404

#: Score 1 (red) to 5 (green), so the chart reads like the scale.
SCORE_COLOURS = ("#c23b3b", "#e07a1f", "#b8b8b8", "#8cc084", "#3f7a32")
#: Rows the question form offers beyond the current questions (for new ones).
EXTRA_ROWS = 2


def _rows(questions: list[dict]) -> list[dict]:
    blank = {"key": "", "kind": evaluation.SCORE, "label": ""}
    return [*questions, *([blank] * EXTRA_ROWS)]


@bp.route("/<slug>/evaluatie/vragen", methods=["GET", "POST"])
@login_required
def evaluation_questions(slug):
    """Edit the evaluation's questions (template of the activity type to start from)."""
    event = get_managed_event_or_404(slug)
    form = EmptyForm()
    if not form.validate_on_submit():
        return _questions_page(event, form, evaluation.questions_of(event))
    keys, kinds = request.form.getlist("key"), request.form.getlist("kind")
    labels = request.form.getlist("label")
    rows = list(zip(keys, kinds, labels, strict=False))[: evaluation.MAX_QUESTIONS + EXTRA_ROWS]
    try:
        evaluation.save_questions(event, rows, is_enabled=request.form.get("enabled") == "y")
    except FollowUpError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        shown = [{"key": k, "kind": t, "label": v} for k, t, v in rows if k or v.strip()]
        return _questions_page(event, form, shown, status=error.status)
    db.session.commit()
    flash(_("De evaluatie is bewaard."), "success")
    return redirect(url_for("manage.evaluation_summary", slug=event.slug))


def _questions_page(event, form, questions, status: int | None = None):
    if status is None:
        status = 422 if form.is_submitted() else 200
    return render_template(
        "manage/evaluation_questions.html",
        event=event,
        form=form,
        rows=_rows([q for q in questions if q.get("key") or q.get("label")]),
        label_of=evaluation.label_of,
        default_labels=evaluation.DEFAULT_LABELS,
        is_enabled=evaluation.is_enabled(event),
        answers=evaluation.answer_count(event),
    ), status


@bp.get("/<slug>/evaluatie")
@login_required
def evaluation_summary(slug):
    """The evaluation's results: counts always; charts and answers from 3 answers on."""
    event = get_managed_event_or_404(slug)
    summary = evaluation.summarise(event)
    chart = None
    if summary.is_shown and summary.scores:
        shown = list(reversed(summary.scores))  # a horizontal chart draws from the bottom up
        chart = bar_chart(
            _("Verdeling van de scores per vraag (procent van de antwoorden)"),
            [score.label for score in shown],
            {
                _("score %(n)s", n=n): [
                    round(100 * score.counts[n - 1] / score.answered) if score.answered else None
                    for score in shown
                ]
                for n in evaluation.SCORES
            },
            horizontal=True,
            stacked=True,
            width=960,
            height=140 + 60 * len(shown),
            colors=SCORE_COLOURS,
        )
    return render_template(
        "manage/evaluation.html",
        event=event,
        summary=summary,
        chart=chart,
        minimum=evaluation.MIN_ANSWERS_SHOWN,
        is_enabled=evaluation.is_enabled(event),
        is_open=evaluation.is_open(event, utcnow()),
    )


@bp.get("/<slug>/evaluatie.xlsx")
@login_required
def evaluation_xlsx(slug):
    """The evaluation's results as XLSX; 409 with the reason below 3 answers."""
    event = get_managed_event_or_404(slug)
    try:
        content = evaluation.summary_xlsx(event, evaluation.summarise(event))
    except FollowUpError as error:
        flash(error.message, "error")
        return redirect(url_for("manage.evaluation_summary", slug=event.slug), 303)
    response = Response(content, content_type=evaluation.XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="evaluatie-{event.slug}.xlsx"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<slug>/attesten.pdf")
@login_required
def certificates_pdf(slug):
    """Every certificate of the activity in one PDF (one page each), issuing missing ones;
    409 with the reason when nobody is marked present."""
    event = get_managed_event_or_404(slug)
    issued = certificates.issue_all(event, utcnow())
    if not issued:
        flash(_("Er zijn nog geen deelnemers als aanwezig aangeduid."), "error")
        return redirect(url_for("manage.attendees", slug=event.slug), 303)
    db.session.commit()
    content = certificates.certificates_pdf(issued, mailing.verify_url())
    response = Response(content, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="attesten-{event.slug}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
