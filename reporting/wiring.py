"""What reporting registers with the base: its permission rules for templates."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Export the reporting rules (and the small-cell rule) to every template."""
    from reporting.permissions import can_view_statistics
    from reporting.statistics import shown

    features.add_template_globals(can_view_statistics=can_view_statistics)
    features.add_template_filters(figure=shown)
