"""The regional map's section on a region's page: the tandem, the offer, the analyses."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.accounts.models import Region, User, coordinator_regions
from community.core.extensions import db
from regionmap.analysis import latest_analyses
from regionmap.models import ConsultationBody, Offer, OfferStatus


def region_section(region: Region, **_page) -> dict:
    """Return the context of ``regionmap/_region_map.html`` for ``region``.

    ``tandem``: the active coordinators of the region (the youth-care and the
    Samen-tegen-Schooluitval coordinator), with their organisation; their contact is
    the network's address (never a personal one on a public page). ``offer_count`` and
    ``body_count`` count the published offer and the consultation bodies; ``analyses``
    are the region's newest analyses. A fixed number of queries.
    """
    tandem = db.session.scalars(
        select(User)
        .join(coordinator_regions, coordinator_regions.c.user_id == User.id)
        .where(coordinator_regions.c.region_id == region.id, User.is_active.is_(True))
        .options(joinedload(User.organisation))
        .order_by(User.display_name)
    ).all()
    offer_count = db.session.scalar(
        select(func.count())
        .select_from(Offer)
        .where(Offer.region_id == region.id, Offer.status == OfferStatus.PUBLISHED)
    )
    body_count = db.session.scalar(
        select(func.count())
        .select_from(ConsultationBody)
        .where(ConsultationBody.region_id == region.id, ConsultationBody.is_retired.is_(False))
    )
    return {
        "region": region,
        "tandem": tandem,
        "offer_count": offer_count,
        "body_count": body_count,
        "analyses": latest_analyses(region.id),
    }
