"""What the case tables register with the base: their GDPR export and erasure parts."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug the case tables into the base (``community.core.features``): a member's own
    case requests by code in the data export, and their unlinking on erasure."""
    from casetables import gdpr, models  # noqa: F401  (the tables join the metadata)

    features.add_export("casetables", gdpr.export_case_data, order=40)
    features.add_erasure("casetables", gdpr.erase_case_data, order=40)
