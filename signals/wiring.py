"""What the signal function registers with the base: template rules and filters, GDPR parts."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug the signal function into the base (``community.core.features``).

    The permission rules and two label helpers in templates; a member's signals,
    recognitions and follows in the data export, and their erasure.
    """
    from community.accounts.models import Sector
    from signals import gdpr
    from signals.permissions import TEMPLATE_RULES, can_read_signals
    from signals.reporting import signals_linked_to_points
    from signals.workflow import ACTION_LABELS

    def action_label(action: str) -> str:
        return str(ACTION_LABELS.get(action, action))

    def sector_label(value: str | None) -> str:
        return Sector(value).label if value else ""

    def signals_of_points(user, point_ids: list[int]) -> dict:
        """{analysis point id: linked signals} for a reader who may see signals (members);
        empty for anyone else, so an anonymous (page-cached) page never holds any."""
        return signals_linked_to_points(point_ids) if can_read_signals(user) else {}

    features.add_template_globals(
        **TEMPLATE_RULES, action_label=action_label, signals_of_points=signals_of_points
    )
    features.add_template_filters(sector_label=sector_label)
    features.add_export("signals", gdpr.export_signal_data, order=30)
    features.add_erasure("signals", gdpr.erase_signal_data, order=30)
