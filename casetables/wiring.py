"""What the case tables register with the base: their GDPR export and erasure parts."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug the case tables into the base (``community.core.features``): a member's own
    case requests by code in the data export, their unlinking on erasure, and the
    erasure of closed cases' texts in ``flask purge`` (``CASE_RETENTION_DAYS``)."""
    from casetables import gdpr, models  # noqa: F401  (the tables join the metadata)
    from casetables.retention import DEFAULT_RETENTION_DAYS, purge_case_texts

    features.add_template_globals(**_template_helpers())
    features.add_export("casetables", gdpr.export_case_data, order=40)
    features.add_erasure("casetables", gdpr.erase_case_data, order=40)
    features.add_purge(
        "case_texts",
        purge_case_texts,
        setting="CASE_RETENTION_DAYS",
        default_days=DEFAULT_RETENTION_DAYS,
    )


def _template_helpers() -> dict:
    """Labels, the menu rule and the meeting panel's summary the case tables' templates
    use (base.html's menu too)."""
    from casetables.intake import state_label
    from casetables.models import SchoolLevel, Urgency
    from casetables.views.meeting import meeting_summary, outcome_label
    from community.accounts.models import OrganisationType
    from community.accounts.permissions import can_read_members_content
    from signals.models import AgeGroup

    def _label(kind):
        def label(value: str | None) -> str:
            try:
                return kind(value).label
            except ValueError:
                return value or ""

        return label

    def service_labels(values: str) -> str:
        return ", ".join(_label(OrganisationType)(v) for v in values.split(",") if v)

    return {
        "can_use_case_tables": can_read_members_content,
        "case_state_label": state_label,
        "case_age_label": _label(AgeGroup),
        "case_school_level_label": _label(SchoolLevel),
        "case_urgency_label": _label(Urgency),
        "case_service_labels": service_labels,
        # the case page's meeting panel
        "case_meeting_summary": meeting_summary,
        "case_outcome_label": outcome_label,
    }
