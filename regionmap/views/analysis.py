"""Regional analyses: a version, writing a new one, the Flanders overview (table, map, chart)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Region, Theme
from community.accounts.permissions import can_coordinate
from community.core.charts import bar_chart
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.filters import whole_number
from community.core.forms import option
from community.core.pagecache.middleware import cached_page
from community.library.models import Practice
from events.models import Event
from regionmap.analysis import (
    AnalysisFields,
    as_fields_text,
    can_write_analysis,
    flanders_overview,
    save_analysis,
    versions_of,
)
from regionmap.forms import AnalysisForm, fill_region_choices
from regionmap.map import province_map
from regionmap.models import (
    POINT_KIND_LABELS,
    Offer,
    OfferKind,
    PointKind,
    RegionalAnalysis,
)
from regionmap.views import all_regions, bp, kept_regions, refuse_at, render_form


@bp.get("/omgevingsanalyse")
@cached_page("site")
def overview():
    regions = [r for r in all_regions() if not r.is_network_wide]
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    data = flanders_overview()
    chart = bar_chart(
        _("Aanbod per regio"),
        [r.name for r in regions],
        {
            kind.label: [
                sum(c.get(kind.value, 0) for (rid, _t), c in data.offer.items() if rid == r.id)
                for r in regions
            ]
            for kind in (
                OfferKind.NAFT,
                OfferKind.SCHOOL_EXTERNAL,
                OfferKind.DAY_PROGRAMME,
                OfferKind.PATHWAY,
            )
        },
    )
    return render_template(
        "regionmap/overview.html",
        regions=regions,
        themes=themes,
        data=data,
        chart=chart,
        kinds=list(OfferKind),
        map_svg=province_map(regions, data.totals, data.gaps),
    )


@bp.get("/omgevingsanalyse/<int:analysis_id>")
@cached_page("site", "library", "events")  # its points link practices and activities
def analysis(analysis_id):
    item = db.first_or_404(
        select(RegionalAnalysis)
        .where(RegionalAnalysis.id == analysis_id)
        .options(
            joinedload(RegionalAnalysis.region),
            joinedload(RegionalAnalysis.theme),
            selectinload(RegionalAnalysis.points),
            selectinload(RegionalAnalysis.actions),
        )
    )
    slugs: dict[str, set[str]] = {"offers": set(), "practices": set(), "events": set()}
    for point in item.points:
        slugs["offers"].update(point.offer_slugs or [])
        slugs["practices"].update(point.practice_slugs or [])
        slugs["events"].update(point.event_slugs or [])
    linked = {
        "offers": {
            o.slug: o
            for o in db.session.scalars(select(Offer).where(Offer.slug.in_(slugs["offers"])))
        },
        "practices": {
            p.slug: p
            for p in db.session.scalars(
                select(Practice).where(Practice.slug.in_(slugs["practices"]))
            )
        },
        "events": {
            e.slug: e
            for e in db.session.scalars(select(Event).where(Event.slug.in_(slugs["events"])))
        },
    }
    return render_template(
        "regionmap/analysis.html",
        analysis=item,
        versions=versions_of(item),
        kinds=[(k.value, POINT_KIND_LABELS[k]) for k in PointKind],
        linked=linked,
        can_write=can_write_analysis(current_user, item.region_id),
    )


@bp.route("/omgevingsanalyse/nieuw", methods=["GET", "POST"])
@login_required
def analysis_new():
    if not can_coordinate(current_user):
        abort(403)
    form = AnalysisForm()
    fill_region_choices(form.region, kept_regions(current_user))
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    form.theme.choices = [option("", _("Beide thema's"))] + [option(t.id, t.label) for t in themes]
    if request.method == "GET":
        start = whole_number(request.args.get("vanaf", ""))
        earlier = db.session.get(RegionalAnalysis, start) if start else None
        if earlier is not None and can_write_analysis(current_user, earlier.region_id):
            form.process(data={**as_fields_text(earlier), "period": earlier.period})
            form.region.data, form.theme.data = earlier.region_id, earlier.theme_id
    if form.validate_on_submit():
        region = db.session.get(Region, form.region.data) if form.region.data else None
        fields = AnalysisFields(
            region=region,
            theme=db.session.get(Theme, form.theme.data) if form.theme.data else None,
            period=form.period.data or "",
            summary=form.summary.data or "",
            strengths=form.strengths.data or "",
            gaps=form.gaps.data or "",
            needs=form.needs.data or "",
            matches=form.matches.data or "",
            actions=form.actions.data or "",
        )
        try:
            item = save_analysis(fields, current_user)
        except DomainError as error:
            refuse_at(form, error, default_field="period")
        else:
            db.session.commit()
            flash(_("De nieuwe versie van de analyse is bewaard."), "success")
            return redirect(url_for("regionmap.analysis", analysis_id=item.id))
    return render_form("regionmap/analysis_form.html", form)
