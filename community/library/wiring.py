"""What the library registers with the base: template rules, file columns, its GDPR parts."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug the library into the base (``community.core.features``).

    Template rules for materials and practices; the columns that hold storage keys
    (a file is removed only when no row refers to it, ``community.core.storage``);
    the materials and practices in a member's data export.
    """
    from community.library import gdpr, materials, practices
    from community.library.models import Material, MaterialVersion, PracticeAttachment

    features.add_template_globals(
        can_view_material=materials.can_view_material,
        can_edit_material=materials.can_edit_material,
        can_upload_material=materials.can_upload_material,
        can_view_practice=practices.can_view_practice,
        can_edit_practice=practices.can_edit_practice,
        can_review_practice=practices.can_review_practice,
        can_submit_practice=practices.can_submit_practice,
    )
    features.add_file_columns(
        lambda: (Material.file_key, MaterialVersion.file_key, PracticeAttachment.file_key)
    )
    features.add_export("materials", gdpr.export_materials, order=1)
    features.add_export("practices", gdpr.export_practices, order=2)
