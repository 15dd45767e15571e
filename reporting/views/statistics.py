"""The statistics page of a scope and period, and its XLSX and PDF downloads."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import Region
from community.core.db import utcnow
from community.core.documents import PDF_MIMETYPE, render_pdf
from community.core.extensions import db
from reporting.export import XLSX_CONTENT_TYPE, chart_of, statistics_xlsx
from reporting.period import BadPeriod, Period, last_school_year, local_today, parse_period
from reporting.permissions import can_view_statistics, default_scope
from reporting.statistics import (
    WHOLE_NETWORK,
    Scope,
    Statistics,
    compare_with,
    compute_statistics,
)
from reporting.views import bp, download, get_scope_or_404


def _period() -> Period:
    default = last_school_year(local_today(utcnow()))
    return parse_period(request.args.get("van"), request.args.get("tot"), default)


def _statistics(scope: Scope, period: Period) -> Statistics:
    """The figures of ``scope``; with ``?vergelijk=1`` next to the whole network's."""
    statistics = compute_statistics(scope, period)
    if request.args.get("vergelijk") and not scope.is_whole_network:
        whole = compute_statistics(Scope(), period)
        statistics = compare_with(statistics, whole, _("Vlaanderen en Brussel"))
    return statistics


def _choosable_regions() -> list[Region]:
    regions = db.session.scalars(select(Region).order_by(Region.position)).all()
    return [r for r in regions if can_view_statistics(current_user, Scope((r,)))]


@bp.get("/statistieken")
@login_required
def statistics_index():
    """The form's target: ``?regio=a&regio=b&van=…&tot=…`` to the page of that scope; without
    arguments the page of the user's own regions (an admin's: the whole network)."""
    if not can_view_statistics(current_user):
        abort(403)
    if not request.args:
        return statistics(default_scope(current_user).slug)
    slugs = [s for s in request.args.getlist("regio") if s]
    scope = "+".join(slugs) if slugs else default_scope(current_user).slug
    if WHOLE_NETWORK in slugs:
        scope = WHOLE_NETWORK
    args = {k: request.args[k] for k in ("van", "tot", "vergelijk") if request.args.get(k)}
    return redirect(url_for("reporting.statistics", scope=scope, **args))


@bp.get("/statistieken/<scope>")
@login_required
def statistics(scope):
    chosen = get_scope_or_404(scope)
    context = {"scope": chosen, "regions": _choosable_regions(), "args": request.args}
    try:
        period = _period()
    except BadPeriod as error:
        return render_template("reporting/statistics.html", error=error.message, **context), 400
    figures = _statistics(chosen, period)
    charts = {table.key: chart_of(table) for table in figures.tables}
    return render_template(
        "reporting/statistics.html", statistics=figures, charts=charts, period=period, **context
    )


def _download(content: bytes, content_type: str, scope: Scope, period: Period, ext: str):
    name = f"statistieken-{scope.slug}-{period.first.isoformat()}-{period.last.isoformat()}.{ext}"
    return download(content, content_type, name)


@bp.get("/statistieken/<scope>/cijfers.xlsx")
@login_required
def statistics_xlsx_download(scope):
    chosen = get_scope_or_404(scope)
    try:
        period = _period()
    except BadPeriod as error:
        abort(400, error.message)
    content = statistics_xlsx(_statistics(chosen, period))
    return _download(content, XLSX_CONTENT_TYPE, chosen, period, "xlsx")


@bp.get("/statistieken/<scope>/grafieken.pdf")
@login_required
def statistics_pdf(scope):
    chosen = get_scope_or_404(scope)
    try:
        period = _period()
    except BadPeriod as error:
        abort(400, error.message)
    figures = _statistics(chosen, period)
    charts = {table.key: chart_of(table) for table in figures.tables}
    pdf = render_pdf("documents/statistics.html", statistics=figures, charts=charts)
    return _download(pdf, PDF_MIMETYPE, chosen, period, "pdf")
