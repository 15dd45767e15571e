"""The library's part of a member's data export (GDPR art. 15, 20): materials and practices.

Registered with the base in ``community.library.wiring``; materials and practices
stay after an account is deleted, shown under "verwijderd lid" (issue 7).
"""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import User
from community.core.db import iso_utc
from community.core.extensions import db
from community.library.models import Material, MaterialVersion, Practice


def export_materials(user: User) -> list[dict]:
    """The materials ``user`` uploaded (or uploaded a version of), oldest first."""
    uploaded = select(MaterialVersion.material_id).where(MaterialVersion.uploader_id == user.id)
    materials = db.session.scalars(
        select(Material)
        .where((Material.uploader_id == user.id) | Material.id.in_(uploaded))
        .order_by(Material.created_at, Material.id)
    ).all()
    return [
        {
            "title": m.title,
            "slug": m.slug,
            "type": str(m.type),
            "description": m.description,
            "file_name": m.file_name,
            "url": m.url,
            "licence": m.licence,
            "is_public": m.is_public,
            "created_at": iso_utc(m.created_at),
        }
        for m in materials
    ]


def export_practices(user: User) -> list[dict]:
    """The practices ``user`` wrote, in order of creation."""
    practices = db.session.scalars(
        select(Practice).where(Practice.author_id == user.id).order_by(Practice.id)
    ).all()
    return [
        {
            "title": p.title,
            "slug": p.slug,
            "status": str(p.status),
            "summary": p.summary,
            "approach": p.approach,
            "results": p.results,
            "contact_name": p.contact_name,
            "contact_email": p.contact_email,
            "created_at": iso_utc(p.created_at),
        }
        for p in practices
    ]
