"""The project group's final reports: begin one, write around the chapters, PDF and DOCX."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import Region
from community.accounts.permissions import (
    can_contribute_to_project_group,
    is_project_group_member,
)
from community.core.db import utcnow
from community.core.documents import DOCX_MIMETYPE, PDF_MIMETYPE, render_pdf
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.forms import option
from community.core.text import slugify
from reporting import final
from reporting.docx import final_report_docx
from reporting.export import chart_of
from reporting.forms import FinalReportForm, NewFinalReportForm
from reporting.models import FinalReport
from reporting.period import Period, last_school_year, local_today
from reporting.views import bp, download


def _final_or_404(report_id: int, edit: bool = False) -> FinalReport:
    """The final report for a member of the group: 404 for anyone else, 403 to edit for a
    representative (they read and discuss)."""
    if not is_project_group_member(current_user):
        abort(404)
    report = db.get_or_404(FinalReport, report_id)
    if edit and not can_contribute_to_project_group(current_user):
        abort(403)
    return report


@bp.route("/projectgroep/eindrapporten/nieuw", methods=["GET", "POST"])
@login_required
def new_final_report():
    if not can_contribute_to_project_group(current_user):
        abort(403)
    regions = db.session.scalars(
        select(Region).where(Region.is_network_wide.is_(False)).order_by(Region.position)
    ).all()
    form = NewFinalReportForm()
    form.regions.choices = [option(r.id, r.name) for r in regions]
    if request.method == "GET":
        default = last_school_year(local_today(utcnow()))
        form.first.data, form.last.data = default.first, default.last
        form.regions.data = [r.id for r in regions]
    if form.validate_on_submit():
        chosen = [r for r in regions if r.id in (form.regions.data or [])]
        try:
            report = final.begin_final_report(
                form.title.data, Period(form.first.data, form.last.data), chosen, current_user
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
            return render_template("reporting/new_final_report.html", form=form), error.status
        db.session.commit()
        flash(_("Het eindrapport is begonnen."), "success")
        return redirect(url_for("reporting.final_report", report_id=report.id))
    status = 422 if form.is_submitted() else 200
    return render_template("reporting/new_final_report.html", form=form), status


def _page(report: FinalReport, form=None, status: int = 200):
    chapters = final.chapters_of(report)
    if form is None and can_contribute_to_project_group(current_user):
        form = FinalReportForm(
            revision=report.revision,
            title=report.title,
            introduction=report.introduction,
            conclusions=report.conclusions,
        )
        form.chapters.entries = []
        for chapter in report.chapters:
            form.chapters.append_entry(chapter.get("text", ""))
    return render_template(
        "reporting/final_report.html", report=report, chapters=chapters, form=form
    ), status


@bp.get("/projectgroep/eindrapporten/<int:report_id>")
@login_required
def final_report(report_id):
    return _page(_final_or_404(report_id))


@bp.post("/projectgroep/eindrapporten/<int:report_id>")
@login_required
def save_final_report(report_id):
    report = _final_or_404(report_id, edit=True)
    form = FinalReportForm()
    if not form.validate_on_submit() or not (form.revision.data or "").isdigit():
        return _page(report, form, 422)
    try:
        final.save_final_report(
            report,
            title=form.title.data,
            introduction=form.introduction.data,
            conclusions=form.conclusions.data,
            chapter_texts=[e.data or "" for e in form.chapters],
            revision=int(form.revision.data),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(report, form, error.status)
    db.session.commit()
    flash(_("Het eindrapport is bewaard."), "success")
    return redirect(url_for("reporting.final_report", report_id=report.id))


def _charts(chapters):
    return {
        (chapter.key, table.key): chart_of(table)
        for chapter in chapters
        for part in chapter.parts
        if part.statistics is not None
        for table in part.statistics.tables
    }


@bp.get("/projectgroep/eindrapporten/<int:report_id>/eindrapport.pdf")
@login_required
def final_report_pdf(report_id):
    report = _final_or_404(report_id)
    chapters = final.chapters_of(report)
    pdf = render_pdf(
        "documents/final_report.html", report=report, chapters=chapters, charts=_charts(chapters)
    )
    return download(pdf, PDF_MIMETYPE, f"eindrapport-{slugify(report.title, max_length=60)}.pdf")


@bp.get("/projectgroep/eindrapporten/<int:report_id>/eindrapport.docx")
@login_required
def final_report_docx_download(report_id):
    report = _final_or_404(report_id)
    content = final_report_docx(report, final.chapters_of(report))
    name = f"eindrapport-{slugify(report.title, max_length=60)}.docx"
    return download(content, DOCX_MIMETYPE, name)
