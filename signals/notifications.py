"""Mail about signals, through the outbox (never SMTP in a request): followers and reporters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.accounts.models import User
from community.core.extensions import db
from community.core.mail.outbox import queue_mail
from signals.models import Signal, SignalBundle, SignalFollow


def followers(signals: list[Signal]) -> list[User]:
    """The active members following any of ``signals``, each once, by id."""
    ids = [s.id for s in signals]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(SignalFollow, SignalFollow.user_id == User.id)
            .where(SignalFollow.signal_id.in_(ids), User.is_active.is_(True))
            .distinct()
            .order_by(User.id)
        )
    )


def notify_bundle_followers(bundle: SignalBundle, what, note: str = "") -> int:
    """Queue a mail to every follower of ``bundle``'s signals about ``what`` happened.

    ``what`` is a lazy Dutch sentence (``_l``: rendered in each recipient's language).
    Returns how many mails were queued.
    """
    people = followers(list(bundle.signals))
    path = f"/signalen/bundels/{bundle.id}"  # signals.bundle (no request needed)
    for person in people:
        queue_mail(
            person.email,
            _l("Nieuws over het signaal „%(title)s”", title=bundle.title),
            "signal_update",
            language=person.locale,
            user=person,
            title=bundle.title,
            what=what,
            note=note,
            path=path,
        )
    return len(people)


def notify_signal_followers(signal: Signal, what, note: str = "") -> int:
    """Queue a mail to every follower of ``signal`` (one not in a bundle); returns how many."""
    people = followers([signal])
    path = f"/signalen/{signal.id}"  # signals.detail
    for person in people:
        queue_mail(
            person.email,
            _l("Nieuws over het signaal „%(title)s”", title=signal.title),
            "signal_update",
            language=person.locale,
            user=person,
            title=signal.title,
            what=what,
            note=note,
            path=path,
        )
    return len(people)


def ask_reporter_mail(signal: Signal, coordinator: User, question: str) -> None:
    """Queue the coordinator's question about ``signal`` to its reporter (Reply-To: them)."""
    reporter = signal.reporter
    queue_mail(
        reporter.email,
        _l("Een vraag over je signaal „%(title)s”", title=signal.title),
        "signal_question",
        language=reporter.locale,
        headers={"Reply-To": coordinator.email},
        user=reporter,
        coordinator=coordinator,
        signal=signal,
        question=question,
        path=f"/signalen/{signal.id}",
    )
