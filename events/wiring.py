"""What events registers with the base: sections, template rules, a library filter, GDPR parts."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug activities into the base (``community.core.features``).

    Upcoming activities on the home and region pages, the activities a material
    belongs to on its page, the library's "activiteit" filter, the event rules in
    templates, and registrations in a member's data export, erasure and the purge of
    guest registrations (``GUEST_RETENTION_DAYS``, default 365).
    """
    from events import gdpr
    from events.calendar.feeds import FeedFilters
    from events.display import event_period
    from events.followup import gdpr as followup_gdpr
    from events.permissions import TEMPLATE_RULES
    from events.views import materials, public

    features.add_section("home", "events/_home_upcoming.html", public.home_section, order=10)
    features.add_section("region", "events/_region_events.html", public.region_section, order=10)
    features.add_section("material", "events/_material_events.html", materials.material_section)
    features.add_material_filter(materials.ACTIVITY_FILTER)
    features.add_template_globals(**TEMPLATE_RULES, feed_filters_of=FeedFilters.of)
    features.add_template_filters(event_period=event_period)
    features.add_export("registrations", gdpr.export_registrations, order=10)
    features.add_export("invitations", gdpr.export_invitations, order=11)
    features.add_erasure("registrations", gdpr.erase_registrations, order=10)
    # issue 17: before the registrations are anonymised, which hides which rows are whose
    features.add_export("follow_up", followup_gdpr.export_follow_up, order=11)
    features.add_erasure("follow_up", followup_gdpr.erase_follow_up, order=5)
    features.add_purge(
        "certificates",
        followup_gdpr.purge_certificates,
        setting="CERTIFICATE_RETENTION_DAYS",
        default_days=3 * 365,
    )
    features.add_purge(
        "evaluation_markers",
        followup_gdpr.purge_evaluation_markers,
        setting="GUEST_RETENTION_DAYS",
        default_days=365,
    )
    features.add_purge(
        "guest_registrations",
        gdpr.purge_guest_registrations,
        setting="GUEST_RETENTION_DAYS",
        default_days=365,
    )
    features.add_purge(
        "guest_invitations",
        gdpr.purge_guest_invitations,
        setting="GUEST_RETENTION_DAYS",
        default_days=365,
    )
