"""The public offer catalogue: search with facets, and an offer's page."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from community.accounts.filters import region_arg, theme_arg
from community.accounts.models import Sector, Theme
from community.core.extensions import db
from community.core.filters import InvalidFilter, choice_arg, page_arg, whole_number
from community.core.forms import EmptyForm
from community.core.pagecache.middleware import cached_page
from regionmap.catalogue import (
    OfferFilter,
    can_keep_offer,
    can_propose_offer,
    can_see_field,
    is_stale,
    search_offers,
)
from regionmap.forms import ProposalReviewForm
from regionmap.models import AccessRoute, OfferKind
from regionmap.views import all_regions, bp, get_offer_or_404

CATALOGUE_PARAMS = (
    "q",
    "regio",
    "gemeente",
    "thema",
    "leeftijd",
    "soort",
    "sector",
    "toegang",
    "pagina",
)


def offer_filter(args) -> OfferFilter:
    """Return the catalogue's filter from the query arguments; ``InvalidFilter`` when unknown."""
    age_text = args.get("leeftijd", "").strip()
    age = None
    if age_text:
        age = whole_number(age_text, max_digits=2)
        if age is None:
            raise InvalidFilter("leeftijd", age_text[:20])
    kind = choice_arg(args, "soort", OfferKind)
    sector = choice_arg(args, "sector", Sector)
    route = choice_arg(args, "toegang", AccessRoute)
    return OfferFilter(
        text=" ".join(args.get("q", "").split())[:200],
        region=region_arg(args),
        municipality=" ".join(args.get("gemeente", "").split())[:100],
        theme=theme_arg(args),
        age=age,
        kind=kind.value if kind else None,
        sector=sector.value if sector else None,
        access_route=route.value if route else None,
    )


@bp.get("/aanbod")
@cached_page("site", params=CATALOGUE_PARAMS)
def catalogue():
    wanted = offer_filter(request.args)
    result = search_offers(wanted, page_arg(request.args))
    args = {k: v for k, v in request.args.items() if k in CATALOGUE_PARAMS and k != "pagina" and v}
    return render_template(
        "regionmap/catalogue.html",
        result=result,
        wanted=wanted,
        args=args,
        regions=all_regions(),
        themes=db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        kinds=list(OfferKind),
        sectors=list(Sector),
        routes=list(AccessRoute),
        can_propose=can_propose_offer(current_user),
    )


@bp.get("/aanbod/<slug>")
@cached_page("site")
def offer(slug):
    offer = get_offer_or_404(slug)
    visible = {
        name: can_see_field(current_user, offer, name)
        for name in ("contact_email", "contact_phone", "waiting_time", "capacity")
    }
    return render_template(
        "regionmap/offer.html",
        offer=offer,
        visible=visible,
        can_keep=can_keep_offer(current_user, offer),
        can_propose=can_propose_offer(current_user),
        stale=is_stale(offer),
        review_form=ProposalReviewForm(),
        action_form=EmptyForm(),
    )
