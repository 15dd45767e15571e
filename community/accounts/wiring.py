"""What accounts register with the base (``community.core.features``): its template rules."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Export the account permission rules to every template under their own names."""
    from community.accounts.permissions import TEMPLATE_RULES

    features.add_template_globals(**TEMPLATE_RULES)
