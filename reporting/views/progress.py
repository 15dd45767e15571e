"""Progress reports: the list, a new report, a report (draft form or read-only), submit, PDF,
and the admin's template."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import Region
from community.core.db import utcnow
from community.core.documents import PDF_MIMETYPE, render_pdf
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.forms import EmptyForm, option
from reporting import progress
from reporting.export import chart_of
from reporting.forms import NewProgressReportForm, ProgressReportForm, TemplateForm
from reporting.models import ProgressReport
from reporting.period import Period, last_school_year, local_today
from reporting.views import bp, download


def _report_or_404(report_id: int) -> ProgressReport:
    """The report for the current user: 404 unknown or unreadable."""
    report = db.session.get(ProgressReport, report_id)
    if report is None or not progress.can_view_progress_report(current_user, report):
        abort(404)
    return report


def _editable_or_403(report_id: int) -> ProgressReport:
    report = _report_or_404(report_id)
    if not progress.can_draft_progress_report(current_user, report.region_id):
        abort(403)
    return report


@bp.get("/voortgangsrapporten")
@login_required
def progress_reports():
    if not progress.can_view_progress_reports(current_user):
        abort(403)
    reports = db.session.scalars(
        select(ProgressReport)
        .where(progress.reports_visible_filter(current_user))
        .options(joinedload(ProgressReport.region))
        .join(Region, Region.id == ProgressReport.region_id)
        .order_by(ProgressReport.period_first.desc(), Region.position)
    ).all()
    return render_template("reporting/progress_reports.html", reports=reports)


def _draftable_regions() -> list[Region]:
    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    return [r for r in regions if progress.can_draft_progress_report(current_user, r.id)]


@bp.route("/voortgangsrapporten/nieuw", methods=["GET", "POST"])
@login_required
def new_progress_report():
    regions = _draftable_regions()
    if not regions:
        abort(403)
    form = NewProgressReportForm()
    form.region.choices = [option(r.id, r.name) for r in regions]
    if request.method == "GET":
        default = last_school_year(local_today(utcnow()))
        form.first.data, form.last.data = default.first, default.last
    if form.validate_on_submit():
        region = next(r for r in regions if r.id == form.region.data)
        try:
            report = progress.begin_report(
                region, Period(form.first.data, form.last.data), current_user
            )
        except progress.ReportExists as error:
            form.form_errors.append(error.message)
            return render_template("reporting/new_progress_report.html", form=form), 409
        db.session.commit()
        flash(
            _("Het voortgangsrapport is begonnen. Het blijft een ontwerp tot je het indient."),
            "success",
        )
        return redirect(url_for("reporting.progress_report", report_id=report.id))
    status = 422 if form.is_submitted() else 200
    return render_template("reporting/new_progress_report.html", form=form), status


def _report_page(report: ProgressReport, form=None, status: int = 200):
    statistics = progress.figures_of(report)
    if form is None and not report.is_submitted:
        form = ProgressReportForm(revision=report.revision)
        form.texts.entries = []
        for section in report.sections:
            form.texts.append_entry(section["text"])
    editable = not report.is_submitted and progress.can_draft_progress_report(
        current_user, report.region_id
    )
    return (
        render_template(
            "reporting/progress_report.html",
            report=report,
            form=form if editable else None,
            submit_form=EmptyForm(),
            statistics=statistics,
            charts={t.key: chart_of(t) for t in statistics.tables},
            section_title=progress.section_title,
        ),
        status,
    )


@bp.get("/voortgangsrapporten/<int:report_id>")
@login_required
def progress_report(report_id):
    return _report_page(_report_or_404(report_id))


@bp.post("/voortgangsrapporten/<int:report_id>")
@login_required
def save_progress_report(report_id):
    report = _editable_or_403(report_id)
    form = ProgressReportForm()
    if not form.validate_on_submit() or not (form.revision.data or "").isdigit():
        return _report_page(report, form, 422)
    try:
        progress.save_report(report, [e.data or "" for e in form.texts], int(form.revision.data))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _report_page(report, form, error.status)
    db.session.commit()
    flash(_("Het voortgangsrapport is bewaard."), "success")
    return redirect(url_for("reporting.progress_report", report_id=report.id))


@bp.post("/voortgangsrapporten/<int:report_id>/indienen")
@login_required
def submit_progress_report(report_id):
    report = _editable_or_403(report_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        progress.submit_report(report, current_user)
    except progress.ReportSubmitted as error:
        flash(error.message, "error")
        return _report_page(report, status=409)
    db.session.commit()
    flash(_("Het voortgangsrapport is ingediend bij de projectgroep."), "success")
    return redirect(url_for("reporting.progress_report", report_id=report.id))


@bp.get("/voortgangsrapporten/<int:report_id>/rapport.pdf")
@login_required
def progress_report_pdf(report_id):
    report = _report_or_404(report_id)
    statistics = progress.figures_of(report)
    pdf = render_pdf(
        "documents/progress_report.html",
        report=report,
        statistics=statistics,
        charts={t.key: chart_of(t) for t in statistics.tables},
        section_title=progress.section_title,
    )
    name = f"voortgangsrapport-{report.region.slug}-{report.period_first}-{report.period_last}.pdf"
    return download(pdf, PDF_MIMETYPE, name)


@bp.route("/beheer/voortgangsrapport-sjabloon", methods=["GET", "POST"])
@login_required
def progress_template():
    if not progress.can_edit_template(current_user):
        abort(403)
    form = TemplateForm()
    if request.method == "GET":
        form.sections.entries = []
        for title, guidance in [*progress.template_sections(), ("", "")]:
            form.sections.append_entry({"title": title, "guidance": guidance})
    if form.validate_on_submit():
        sections = [(e.form.title.data or "", e.form.guidance.data or "") for e in form.sections]
        try:
            progress.set_template(sections)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
            return render_template("reporting/progress_template.html", form=form), error.status
        db.session.commit()
        flash(_("Het sjabloon van de voortgangsrapporten is bewaard."), "success")
        return redirect(url_for("reporting.progress_template"))
    status = 422 if form.is_submitted() else 200
    return render_template("reporting/progress_template.html", form=form), status
