"""Views of the regional map: the blueprint ``regionmap`` and the loaders its pages share.

``catalogue`` (the offer catalogue and an offer), ``keeping`` (coordinators and
providers keep the records), ``organisations`` (organisations and consultation bodies),
``transfer`` (import, export, open data) and ``analysis`` (regional analyses and the
Flanders overview) add their routes to :data:`bp`.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Organisation, Region
from community.accounts.permissions import is_signed_in
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.filters import InvalidFilter, invalid_filter_response
from regionmap.catalogue import can_view_offer
from regionmap.models import ConsultationBody, Offer

bp = Blueprint("regionmap", __name__)


@bp.errorhandler(InvalidFilter)
def _invalid_filter(error: InvalidFilter):
    return invalid_filter_response(error)


def get_offer_or_404(slug: str) -> Offer:
    """Return the offer ``slug`` with what its page shows; 404 when unknown or not visible."""
    offer = db.session.scalar(
        select(Offer)
        .where(Offer.slug == slug)
        .options(
            joinedload(Offer.region),
            joinedload(Offer.contact_organisation),
            selectinload(Offer.themes),
            selectinload(Offer.providers),
        )
    )
    if offer is None or not can_view_offer(current_user, offer):
        abort(404)
    return offer


def get_organisation_or_404(organisation_id: int) -> Organisation:
    """Return the organisation ``organisation_id``; 404 when unknown."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def get_body_or_404(slug: str) -> ConsultationBody:
    """Return the consultation body ``slug``; 404 when unknown."""
    return db.first_or_404(select(ConsultationBody).where(ConsultationBody.slug == slug))


def kept_regions(user) -> list[Region]:
    """The regions ``user`` keeps the map of: all for an admin, else those they coordinate."""
    if not is_signed_in(user):
        return []
    query = select(Region).order_by(Region.position, Region.name)
    regions = list(db.session.scalars(query))
    if user.is_admin:
        return regions
    own = {r.id for r in user.coordinated_regions}
    if any(r.is_network_wide for r in user.coordinated_regions):
        return [r for r in regions if r.id in own or r.is_network_wide]
    return [r for r in regions if r.id in own]


def all_regions() -> list[Region]:
    """Every region in display order."""
    return list(db.session.scalars(select(Region).order_by(Region.position, Region.name)))


def refuse_at(form, error: DomainError, default_field: str = "title") -> None:
    """Undo what the request added and show ``error`` at its field of ``form`` (or flash it)."""
    db.session.rollback()
    target = getattr(form, error.field or default_field, None)
    if target is None:
        flash(error.message, "error")
        return
    target.errors = [*target.errors, error.message]


def render_form(template: str, form, **context):
    """Render a form page: 422 when the form has errors, else 200."""
    return render_template(template, form=form, **context), (422 if form.errors else 200)


from regionmap.views import (  # noqa: E402, F401  (routes on bp)
    analysis,
    catalogue,
    keeping,
    members,
    organisations,
    transfer,
)
