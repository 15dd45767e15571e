"""Views of the library: the blueprint ``library`` and the loaders its pages share.

``materials`` (the materials list, a material, upload, versions, download) and
``practices`` (good practices and their review) add their routes to :data:`bp`.
"""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy.orm import joinedload, selectinload

from community.library.models import Material

bp = Blueprint("library", __name__)


def material_options():
    """Loader options for what a material list shows (fixed number of queries)."""
    return (
        selectinload(Material.themes),
        selectinload(Material.tags),
        joinedload(Material.region),
        joinedload(Material.organisation),
    )


from community.library.views import materials, practices  # noqa: E402, F401  (routes on bp)
