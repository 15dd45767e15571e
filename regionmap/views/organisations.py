"""Organisations and consultation bodies: public lists and pages, coordinators keep them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.filters import region_arg
from community.accounts.models import Organisation, OrganisationType, Region, Sector
from community.accounts.permissions import can_coordinate
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.filters import choice_arg
from community.core.forms import EmptyForm
from community.core.pagecache.middleware import cached_page
from community.library.models import Practice, PracticeStatus
from events.models import Event, EventStatus, Visibility, event_organisations
from regionmap.forms import BodyForm, OrganisationForm, fill_member_choices, fill_region_choices
from regionmap.models import BodySector, ConsultationBody, Offer, OfferStatus, consultation_members
from regionmap.organisations import (
    BodyFields,
    OrganisationFields,
    apply_body,
    apply_organisation,
    can_keep_body,
    can_keep_organisation,
    can_view_organisation,
    set_body_retired,
    set_organisation_retired,
)
from regionmap.views import (
    all_regions,
    bp,
    get_body_or_404,
    get_organisation_or_404,
    kept_regions,
    refuse_at,
    render_form,
)


@bp.get("/organisaties")
@cached_page("site", params=("regio", "sector", "type"))
def organisations():
    region = region_arg(request.args)
    sector = choice_arg(request.args, "sector", Sector)
    kind = choice_arg(request.args, "type", OrganisationType)
    query = select(Organisation).where(
        Organisation.is_public.is_(True), Organisation.is_retired.is_(False)
    )
    if region is not None:
        query = query.where(Organisation.region_id == region.id)
    if sector is not None:
        query = query.where(Organisation.sector == sector.value)
    if kind is not None:
        query = query.where(Organisation.organisation_type == kind.value)
    listed = db.session.scalars(
        query.options(joinedload(Organisation.region)).order_by(Organisation.name)
    ).all()
    return render_template(
        "regionmap/organisations.html",
        organisations=listed,
        filters={"regio": region, "sector": sector, "type": kind},
        regions=all_regions(),
        sectors=list(Sector),
        types=list(OrganisationType),
    )


@bp.get("/organisaties/<int:organisation_id>")
@cached_page("site", "events", "library")
def organisation(organisation_id):
    organisation = get_organisation_or_404(organisation_id)
    if not can_view_organisation(current_user, organisation):
        abort(404)
    offers = db.session.scalars(
        select(Offer)
        .where(
            Offer.status == OfferStatus.PUBLISHED,
            Offer.providers.any(Organisation.id == organisation.id),
        )
        .options(joinedload(Offer.region))
        .order_by(Offer.title)
    ).all()
    events = db.session.scalars(
        select(Event)
        .join(event_organisations, event_organisations.c.event_id == Event.id)
        .where(
            event_organisations.c.organisation_id == organisation.id,
            Event.status == EventStatus.PUBLISHED,
            Event.visibility == Visibility.PUBLIC,
        )
        .order_by(Event.starts_at.desc())
        .limit(20)
    ).all()
    practices = db.session.scalars(
        select(Practice)
        .where(
            Practice.contact_organisation_id == organisation.id,
            Practice.status == PracticeStatus.PUBLISHED,
        )
        .order_by(Practice.title)
    ).all()
    bodies = db.session.scalars(
        select(ConsultationBody)
        .join(consultation_members)
        .where(
            consultation_members.c.organisation_id == organisation.id,
            ConsultationBody.is_retired.is_(False),
        )
        .order_by(ConsultationBody.name)
    ).all()
    return render_template(
        "regionmap/organisation.html",
        organisation=organisation,
        offers=offers,
        events=events,
        practices=practices,
        bodies=bodies,
        can_keep=can_keep_organisation(current_user, organisation),
        action_form=EmptyForm(),
    )


def organisation_fields(form: OrganisationForm) -> OrganisationFields:
    """Return the fields of a validated :class:`OrganisationForm`."""

    def text(f) -> str:
        return (f.data or "").strip()

    return OrganisationFields(
        name=text(form.name),
        region=db.session.get(Region, form.region.data) if form.region.data else None,
        sector=form.sector.data,
        organisation_type=form.organisation_type.data,
        street_address=text(form.street_address),
        postal_code=text(form.postal_code),
        municipality=text(form.municipality),
        website=text(form.website),
        contact_email=text(form.contact_email),
        contact_phone=text(form.contact_phone),
        note=text(form.note),
        is_public=bool(form.is_public.data),
        internal_fields=list(form.internal_fields.data or []),
    )


def _save_organisation(organisation: Organisation, form: OrganisationForm):
    if form.validate_on_submit():
        try:
            apply_organisation(organisation, organisation_fields(form))
        except DomainError as error:
            refuse_at(form, error, default_field="name")
        else:
            db.session.commit()
            flash(_("De organisatie is bewaard."), "success")
            return redirect(url_for("regionmap.organisation", organisation_id=organisation.id))
    return render_form(
        "regionmap/organisation_form.html",
        form,
        organisation=organisation if organisation.id else None,
    )


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@login_required
def organisation_new():
    if not can_coordinate(current_user):
        abort(403)
    form = OrganisationForm()
    fill_region_choices(form.region, kept_regions(current_user))
    return _save_organisation(Organisation(), form)


@bp.route("/organisaties/<int:organisation_id>/bewerken", methods=["GET", "POST"])
@login_required
def organisation_edit(organisation_id):
    organisation = get_organisation_or_404(organisation_id)
    if not can_keep_organisation(current_user, organisation):
        abort(403)
    form = OrganisationForm()
    fill_region_choices(form.region, kept_regions(current_user))
    if request.method == "GET":
        form.process(obj=organisation)
        form.region.data = organisation.region_id
        form.internal_fields.data = list(organisation.internal_fields or [])
    return _save_organisation(organisation, form)


@bp.post("/organisaties/<int:organisation_id>/stopzetten")
@login_required
def organisation_retire(organisation_id):
    organisation = get_organisation_or_404(organisation_id)
    if not can_keep_organisation(current_user, organisation):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    set_organisation_retired(organisation, not organisation.is_retired)
    db.session.commit()
    flash(_("De organisatie is bijgewerkt."), "success")
    return redirect(url_for("regionmap.organisation", organisation_id=organisation.id))


# --- consultation bodies -----------------------------------------------------------


@bp.get("/overlegfora")
@cached_page("site", params=("regio", "sector"))
def bodies():
    region = region_arg(request.args)
    sector = choice_arg(request.args, "sector", BodySector)
    query = select(ConsultationBody).where(ConsultationBody.is_retired.is_(False))
    if region is not None:
        query = query.where(ConsultationBody.region_id == region.id)
    if sector is not None:
        query = query.where(ConsultationBody.sector == sector.value)
    listed = db.session.scalars(
        query.options(
            joinedload(ConsultationBody.region), selectinload(ConsultationBody.members)
        ).order_by(ConsultationBody.name)
    ).all()
    return render_template(
        "regionmap/bodies.html",
        bodies=listed,
        filters={"regio": region, "sector": sector},
        regions=all_regions(),
        sectors=list(BodySector),
        action_form=EmptyForm(),
    )


def _save_body(body: ConsultationBody, form: BodyForm):
    if form.validate_on_submit():
        members = []
        if form.members.data:
            members = list(
                db.session.scalars(
                    select(Organisation).where(Organisation.id.in_(form.members.data))
                )
            )
        fields = BodyFields(
            name=(form.name.data or "").strip(),
            region=db.session.get(Region, form.region.data) if form.region.data else None,
            sector=form.sector.data,
            description=(form.description.data or "").strip(),
            website=(form.website.data or "").strip(),
            members=members,
        )
        try:
            apply_body(body, fields)
        except DomainError as error:
            refuse_at(form, error, default_field="name")
        else:
            db.session.commit()
            flash(_("Het overlegforum is bewaard."), "success")
            return redirect(
                url_for("regionmap.bodies", regio=body.region.slug) + f"#forum-{body.slug}"
            )
    return render_form("regionmap/body_form.html", form, body=body if body.id else None)


@bp.route("/overlegfora/nieuw", methods=["GET", "POST"])
@login_required
def body_new():
    if not can_coordinate(current_user):
        abort(403)
    form = BodyForm()
    fill_region_choices(form.region, kept_regions(current_user))
    fill_member_choices(form)
    return _save_body(ConsultationBody(), form)


@bp.route("/overlegfora/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def body_edit(slug):
    body = get_body_or_404(slug)
    if not can_keep_body(current_user, body):
        abort(403)
    form = BodyForm()
    fill_region_choices(form.region, kept_regions(current_user))
    fill_member_choices(form)
    if request.method == "GET":
        form.process(obj=body)
        form.region.data = body.region_id
        form.members.data = [o.id for o in body.members]
    return _save_body(body, form)


@bp.post("/overlegfora/<slug>/stopzetten")
@login_required
def body_retire(slug):
    body = get_body_or_404(slug)
    if not can_keep_body(current_user, body):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    set_body_retired(body, not body.is_retired)
    db.session.commit()
    flash(_("Het overlegforum is bijgewerkt."), "success")
    return redirect(url_for("regionmap.bodies", regio=body.region.slug))
