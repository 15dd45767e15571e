"""Public pages of the base package: home and regions; materials and practices in their modules.

The library views live in ``community.material_views`` and
``community.practice_views``; they add their routes to this blueprint.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Network, Region
from community.core.extensions import db
from community.core.filters import InvalidFilter, invalid_filter_response
from community.core.pagecache.middleware import SCOPES, cached_page
from community.library.materials import (
    can_edit_material,
    can_upload_material,
    can_view_material,
    visible_materials_filter,
)
from community.library.models import Material, Practice, PracticeStatus
from community.library.practices import (
    can_edit_practice,
    can_review_practice,
    can_submit_practice,
    can_view_practice,
)

bp = Blueprint("community", __name__)

NEWEST_MATERIALS = 5
REGION_LIST_LIMIT = 10


@bp.record_once
def _setup(state) -> None:
    """Export the library rules to templates and answer unknown filter values with a 400."""
    state.app.jinja_env.globals.update(
        can_view_material=can_view_material,
        can_edit_material=can_edit_material,
        can_upload_material=can_upload_material,
        can_view_practice=can_view_practice,
        can_edit_practice=can_edit_practice,
        can_review_practice=can_review_practice,
        can_submit_practice=can_submit_practice,
    )
    state.app.register_error_handler(InvalidFilter, invalid_filter_response)


def material_options():
    """Loader options for what a material list shows (fixed number of queries)."""
    return (
        selectinload(Material.themes),
        selectinload(Material.tags),
        joinedload(Material.region),
        joinedload(Material.organisation),
    )


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
    materials = _newest_materials(limit=NEWEST_MATERIALS)
    return render_template("community/home.html", materials=materials, regions=_all_regions())


@bp.get("/regios")
@cached_page("site")
def regions():
    return render_template("community/regions.html", regions=_all_regions())


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
        "community/region.html", region=region, practices=practices, materials=materials
    )


# The library's routes register on ``bp`` when these modules are imported.
from community.library.views import materials as _materials  # noqa: E402, F401
from community.library.views import practices as _practices  # noqa: E402, F401
