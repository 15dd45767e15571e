"""What the forums register with the base: sections, rules, search DDL, GDPR, reference data."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Plug the forums into the base (``community.core.features``).

    The newest threads on the home page and an activity's thread on its page; the
    forum rules and the unread count in templates; the full-text search objects the
    models do not describe; posts and subscriptions in a member's data export and
    erasure; the forums per theme in the reference data. Also opens a thread for every
    published activity (``forums.activity`` listens to ``events.signals.event_published``).
    """
    from forums import activity, gdpr, reference, search
    from forums.permissions import TEMPLATE_RULES
    from forums.pii_guard import find_personal_data
    from forums.views import forum_notification_count
    from forums.views.threads import event_section, home_section

    features.add_section("home", "forums/_home_recent.html", home_section, order=20)
    features.add_section("event", "forums/_event_thread.html", event_section, order=10)
    features.add_template_globals(
        **TEMPLATE_RULES, forum_notification_count=forum_notification_count
    )
    features.add_unmodelled(*search.UNMODELLED)
    features.add_export("forums", gdpr.export_forum_data, order=20)
    features.add_erasure("forums", gdpr.erase_forum_data, order=20)
    features.add_reference_data("forums", reference.load_forums)
    features.set_personal_data_guard(find_personal_data)
    activity.connect()
