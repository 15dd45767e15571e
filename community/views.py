"""Public pages of the base package: home, regions, materials, practices."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.extensions import db, login_manager
from community.filters import (
    InvalidFilter,
    choice_arg,
    invalid_filter_response,
    region_arg,
    theme_arg,
)
from community.materials import (
    can_view_material,
    is_inline,
    record_download,
    visible_materials_filter,
)
from community.models import Material, MaterialType, Network, Practice, Region, Theme
from community.storage import get_storage

bp = Blueprint("community", __name__)

NEWEST_MATERIALS = 5
REGION_LIST_LIMIT = 10


@bp.record_once
def _setup(state) -> None:
    """Export the material rule to templates and answer unknown filter values with a 400."""
    state.app.jinja_env.globals.update(can_view_material=can_view_material)
    state.app.register_error_handler(InvalidFilter, invalid_filter_response)


def _material_options():
    return (
        selectinload(Material.themes),
        joinedload(Material.region),
        joinedload(Material.organisation),
    )


def _newest_materials(*criteria, limit: int):
    query = (
        select(Material)
        .where(visible_materials_filter(current_user), *criteria)
        .options(*_material_options())
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


def get_material_or_404(slug: str) -> Material:
    """Return the material ``slug``; 404 when unknown, login redirect when members-only."""
    query = select(Material).where(Material.slug == slug).options(*_material_options())
    material = db.first_or_404(query)
    if not can_view_material(current_user, material):
        abort(login_manager.unauthorized())
    return material


@bp.get("/")
def home():
    materials = _newest_materials(limit=NEWEST_MATERIALS)
    return render_template("community/home.html", materials=materials, regions=_all_regions())


@bp.get("/regios")
def regions():
    return render_template("community/regions.html", regions=_all_regions())


@bp.get("/regio/<slug>")
def region(slug):
    query = (
        select(Region)
        .where(Region.slug == slug)
        .options(joinedload(Region.network).joinedload(Network.lead_organisation))
    )
    region = db.first_or_404(query)
    practices = db.session.scalars(
        select(Practice)
        .where(Practice.region_id == region.id)
        .options(selectinload(Practice.themes))
        .order_by(Practice.title)
    ).all()
    materials = _newest_materials(Material.region_id == region.id, limit=REGION_LIST_LIMIT)
    return render_template(
        "community/region.html", region=region, practices=practices, materials=materials
    )


@bp.get("/materiaal")
def materials():
    region = region_arg(request.args)
    theme = theme_arg(request.args)
    kind = choice_arg(request.args, "type", MaterialType)
    criteria = []
    if region is not None:
        criteria.append(Material.region_id == region.id)
    if theme is not None:
        criteria.append(Material.themes.any(Theme.id == theme.id))
    if kind is not None:
        criteria.append(Material.type == kind)
    query = (
        select(Material)
        .where(visible_materials_filter(current_user), *criteria)
        .options(*_material_options())
        .order_by(Material.created_at.desc(), Material.id.desc())
    )
    return render_template(
        "community/materials.html",
        materials=db.session.scalars(query).all(),
        filters={"regio": region, "thema": theme, "type": kind},
        regions=db.session.scalars(select(Region).order_by(Region.position)).all(),
        themes=db.session.scalars(select(Theme).order_by(Theme.number)).all(),
        types=list(MaterialType),
    )


@bp.get("/materiaal/<slug>")
def material(slug):
    return render_template("community/material.html", material=get_material_or_404(slug))


@bp.get("/materiaal/<slug>/download")
def material_download(slug):
    material = get_material_or_404(slug)
    if not material.file_key:
        if not (material.url or "").startswith(("https://", "http://")):
            abort(404)
        record_download(material)
        db.session.commit()
        return redirect(material.url)
    path = get_storage().path(material.file_key)
    if not path.is_file():
        abort(404)
    record_download(material)
    db.session.commit()
    response = send_file(
        path,
        mimetype=material.content_type or "application/octet-stream",
        download_name=material.file_name or material.slug,
        as_attachment=not is_inline(material),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/praktijkvoorbeelden")
def practices():
    query = (
        select(Practice)
        .options(selectinload(Practice.themes), joinedload(Practice.region))
        .order_by(Practice.title)
    )
    return render_template("community/practices.html", practices=db.session.scalars(query).all())


@bp.get("/praktijkvoorbeelden/<slug>")
def practice(slug):
    query = (
        select(Practice)
        .where(Practice.slug == slug)
        .options(
            selectinload(Practice.themes),
            joinedload(Practice.region),
            joinedload(Practice.contact_organisation),
        )
    )
    return render_template("community/practice.html", practice=db.first_or_404(query))
