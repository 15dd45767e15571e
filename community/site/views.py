"""The site's own pages: home, the regions and a region's page (blueprint ``site``).

They show what the base knows (regions, networks, the library) and, in between, the
sections the feature packages registered (``community.core.features``): the upcoming
activities of ``events``, the newest threads of ``forums``. So this part sits above
accounts and the library and never imports ``events`` or ``forums``.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Network, Region
from community.accounts.permissions import audience_of
from community.core.extensions import db
from community.core.fragments import render_shared
from community.core.pagecache.middleware import cached_page
from community.core.pagecache.versions import SCOPES
from community.library.materials import visible_materials_filter
from community.library.models import Material, Practice, PracticeStatus
from community.library.views import material_options

bp = Blueprint("site", __name__)

NEWEST_MATERIALS = 5
REGION_LIST_LIMIT = 10


def _newest_materials(*criteria, limit: int):
    query = (
        select(Material)
        .where(visible_materials_filter(current_user), *criteria)
        .options(*material_options())
        .order_by(Material.created_at.desc(), Material.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


def _all_regions():
    query = (
        select(Region)
        .options(joinedload(Region.network).joinedload(Network.lead_organisation))
        .order_by(Region.position, Region.name)
    )
    return db.session.scalars(query).all()


@bp.get("/")
@cached_page(*SCOPES)  # its sections show activities, forum threads and materials
def home():
    # Every section is the same for everyone of the visitor's audience (issue 14).
    return render_shared(
        "site/home.html", SCOPES, _home_context, audience=audience_of(current_user)
    )


def _home_context() -> dict:
    materials = _newest_materials(limit=NEWEST_MATERIALS)
    return {"materials": materials, "regions": _all_regions()}


@bp.get("/regios")
@cached_page("site")
def regions():
    return render_template("site/regions.html", regions=_all_regions())


@bp.get("/regio/<slug>")
@cached_page(*SCOPES)  # as the home page, for one region
def region(slug):
    query = (
        select(Region)
        .where(Region.slug == slug)
        .options(joinedload(Region.network).joinedload(Network.lead_organisation))
    )
    region = db.first_or_404(query)
    practices = db.session.scalars(
        select(Practice)
        .where(Practice.region_id == region.id, Practice.status == PracticeStatus.PUBLISHED)
        .options(selectinload(Practice.themes))
        .order_by(Practice.title)
    ).all()
    materials = _newest_materials(Material.region_id == region.id, limit=REGION_LIST_LIMIT)
    return render_template(
        "site/region.html", region=region, practices=practices, materials=materials
    )
