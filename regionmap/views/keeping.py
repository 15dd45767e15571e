"""Keeping the catalogue: coordinators add, edit, retire and check offer, review proposals;
providers (verified members) propose a record or a correction."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import Organisation, Region, Theme
from community.accounts.permissions import can_coordinate
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.forms import EmptyForm
from regionmap.catalogue import (
    OfferFields,
    accept_proposal,
    can_keep_offer,
    can_propose_offer,
    create_offer,
    mark_checked,
    pending_proposals,
    propose_offer,
    reinstate_offer,
    reject_proposal,
    retire_offer,
    stale_offers,
    update_offer,
)
from regionmap.forms import OfferForm, ProposalReviewForm, fill_offer_choices
from regionmap.models import Offer, OfferStatus
from regionmap.views import all_regions, bp, get_offer_or_404, kept_regions, refuse_at, render_form


def offer_fields(form: OfferForm) -> OfferFields:
    """Return the fields of a validated :class:`OfferForm`."""

    def text(f) -> str:
        return (f.data or "").strip()

    def rows(model, ids):
        if not ids:
            return []
        return list(db.session.scalars(select(model).where(model.id.in_(ids))))

    return OfferFields(
        title=text(form.title),
        region=db.session.get(Region, form.region.data) if form.region.data else None,
        kind=form.kind.data,
        description=text(form.description),
        target_group=text(form.target_group),
        age_min=form.age_min.data,
        age_max=form.age_max.data,
        themes=sorted(rows(Theme, form.themes.data), key=lambda t: t.number),
        municipality=text(form.municipality),
        provider_sector=form.provider_sector.data or None,
        access_routes=list(form.access_routes.data or []),
        providers=rows(Organisation, form.providers.data),
        how_to_refer=text(form.how_to_refer),
        contact_organisation=(
            db.session.get(Organisation, form.contact_organisation.data)
            if form.contact_organisation.data
            else None
        ),
        contact_address=text(form.contact_address),
        contact_email=text(form.contact_email),
        contact_phone=text(form.contact_phone),
        website=text(form.website),
        waiting_time=text(form.waiting_time),
        capacity=text(form.capacity),
        internal_fields=list(form.internal_fields.data or []),
        internal_note=text(form.internal_note),
    )


def _fill_form(form: OfferForm, offer: Offer) -> None:
    form.process(obj=offer)
    form.region.data = offer.region_id
    form.themes.data = [t.id for t in offer.themes]
    form.providers.data = [o.id for o in offer.providers]
    form.contact_organisation.data = offer.contact_organisation_id
    form.access_routes.data = list(offer.access_routes or [])
    form.internal_fields.data = list(offer.internal_fields or [])


@bp.get("/aanbod/beheer")
@login_required
def keep():
    if not can_coordinate(current_user):
        abort(403)
    return render_template(
        "regionmap/keep.html",
        proposals=pending_proposals(current_user),
        stale=stale_offers(current_user),
        regions=kept_regions(current_user),
        action_form=EmptyForm(),
    )


@bp.route("/aanbod/nieuw", methods=["GET", "POST"])
@login_required
def offer_new():
    """A coordinator adds a published record; a verified member proposes one."""
    if not can_propose_offer(current_user):
        abort(403)
    keeps = kept_regions(current_user)
    form = OfferForm()
    fill_offer_choices(form, keeps or all_regions())
    if request.method == "GET" and keeps and len(keeps) == 1:
        form.region.data = keeps[0].id
    if form.validate_on_submit():
        try:
            fields = offer_fields(form)
            if fields.region is not None and any(r.id == fields.region.id for r in keeps):
                offer = create_offer(fields, by=current_user)
                message = _("Het aanbod is toegevoegd.")
            else:
                offer = propose_offer(fields, current_user)
                message = _("Je voorstel is ingediend. De coördinatoren van de regio bekijken het.")
        except DomainError as error:
            refuse_at(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("regionmap.offer", slug=offer.slug))
    return render_form("regionmap/offer_form.html", form, offer=None, proposal=not keeps)


@bp.route("/aanbod/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def offer_edit(slug):
    offer = get_offer_or_404(slug)
    if not can_keep_offer(current_user, offer):
        abort(403)
    form = OfferForm()
    fill_offer_choices(form, kept_regions(current_user))
    if request.method == "GET":
        _fill_form(form, offer)
    if form.validate_on_submit():
        try:
            update_offer(offer, offer_fields(form))
        except DomainError as error:
            refuse_at(form, error)
        else:
            db.session.commit()
            flash(_("Het aanbod is bewaard."), "success")
            return redirect(url_for("regionmap.offer", slug=offer.slug))
    return render_form("regionmap/offer_form.html", form, offer=offer, proposal=False)


@bp.route("/aanbod/<slug>/correctie", methods=["GET", "POST"])
@login_required
def offer_correction(slug):
    """A provider proposes a correction of a published record; a coordinator reviews it."""
    offer = get_offer_or_404(slug)
    if not can_propose_offer(current_user) or offer.status != OfferStatus.PUBLISHED:
        abort(403)
    form = OfferForm()
    fill_offer_choices(form, [offer.region])
    if request.method == "GET":
        _fill_form(form, offer)
    if form.validate_on_submit():
        try:
            proposal = propose_offer(offer_fields(form), current_user, corrects=offer)
        except DomainError as error:
            refuse_at(form, error)
        else:
            db.session.commit()
            flash(
                _("Je correctie is ingediend. De coördinatoren van de regio bekijken ze."),
                "success",
            )
            return redirect(url_for("regionmap.offer", slug=proposal.slug))
    return render_form("regionmap/offer_form.html", form, offer=offer, proposal=True)


def _keep_or_403(slug: str) -> Offer:
    offer = get_offer_or_404(slug)
    if not can_keep_offer(current_user, offer):
        abort(403)
    return offer


@bp.post("/aanbod/<slug>/stopzetten")
@login_required
def offer_retire(slug):
    offer = _keep_or_403(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        reinstate_offer(offer) if offer.status == OfferStatus.RETIRED else retire_offer(offer)
    except DomainError as error:
        return render_template("errors/409.html", message=error.message), error.status
    db.session.commit()
    flash(_("Het aanbod is bijgewerkt."), "success")
    return redirect(url_for("regionmap.offer", slug=offer.slug))


@bp.post("/aanbod/<slug>/nagekeken")
@login_required
def offer_checked(slug):
    offer = _keep_or_403(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    mark_checked(offer)
    db.session.commit()
    flash(_("Het aanbod is gemarkeerd als nagekeken."), "success")
    if request.form.get("next_page") == "beheer":
        return redirect(url_for("regionmap.keep"))
    return redirect(url_for("regionmap.offer", slug=offer.slug))


@bp.post("/aanbod/<slug>/beoordelen")
@login_required
def offer_review(slug):
    proposal = _keep_or_403(slug)
    form = ProposalReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.refuse.data:
            reject_proposal(proposal, current_user, form.note.data or "")
            target = None
        else:
            target = accept_proposal(proposal, current_user)
    except DomainError as error:
        db.session.rollback()
        return render_template("errors/409.html", message=error.message), error.status
    db.session.commit()
    if target is None:
        flash(_("Het voorstel is geweigerd."), "success")
        return redirect(url_for("regionmap.keep"))
    flash(_("Het voorstel is gepubliceerd."), "success")
    return redirect(url_for("regionmap.offer", slug=target.slug))
