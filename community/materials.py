"""Materials and good practices: who may see a material, and counting downloads."""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement, true, update

from community.extensions import db
from community.models import Material
from community.permissions import can_read_members_content

log = logging.getLogger(__name__)

# Shown in the browser rather than downloaded (all other files are attachments).
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")


def can_view_material(user, material: Material) -> bool:
    """True when ``user`` may see ``material``: public ones for all, the rest for members."""
    return material.is_public or can_read_members_content(user)


def visible_materials_filter(user) -> ColumnElement[bool]:
    """Return a WHERE clause selecting the materials ``user`` may see (see can_view_material)."""
    if can_read_members_content(user):
        return true()
    return Material.is_public.is_(True)


def is_inline(material: Material) -> bool:
    """True when the file is a PDF or an image, shown in the browser instead of saved."""
    return (material.content_type or "").split(";")[0].strip().lower() in INLINE_TYPES


def record_download(material: Material) -> None:
    """Add one to ``material.download_count`` in the database (atomic; the caller commits)."""
    db.session.execute(
        update(Material)
        .where(Material.id == material.id)
        .values(download_count=Material.download_count + 1)
    )
    log.info("material %s downloaded", material.slug)
