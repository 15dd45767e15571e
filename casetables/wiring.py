"""What the case tables register with the base: their GDPR export and erasure parts."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug the case tables into the base (``community.core.features``): a member's own
    case requests by code in the data export, their unlinking on erasure, and the
    erasure of closed cases' texts in ``flask purge`` (``CASE_RETENTION_DAYS``)."""
    from casetables import gdpr, models  # noqa: F401  (the tables join the metadata)
    from casetables.retention import DEFAULT_RETENTION_DAYS, purge_case_texts

    features.add_export("casetables", gdpr.export_case_data, order=40)
    features.add_erasure("casetables", gdpr.erase_case_data, order=40)
    features.add_purge(
        "case_texts",
        purge_case_texts,
        setting="CASE_RETENTION_DAYS",
        default_days=DEFAULT_RETENTION_DAYS,
    )
