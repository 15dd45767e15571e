"""What the GDPR part registers with the base: the purge of sent mails."""

from __future__ import annotations

from community.core.features import Features


def register(features: Features) -> None:
    """Sent mails leave the outbox after ``MAIL_RETENTION_DAYS`` (default 90) in ``flask purge``."""
    from community.gdpr.rights import purge_sent_mail

    features.add_purge("sent_mail", purge_sent_mail, setting="MAIL_RETENTION_DAYS", default_days=90)
