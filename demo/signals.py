"""Demo signals (issue 16): signals from the seeds, recognised across regions, two bundles,
one passed on with an answer and published, through the domain functions of ``signals``."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import delete, func, or_, select

from community.accounts.models import Region, Sector, Theme, User
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from signals import reporting, workflow
from signals.models import (
    AgeGroup,
    Frequency,
    Level,
    LogEntry,
    PolicyDomain,
    Signal,
    SignalBundle,
    State,
)

SIGNALS_FILE = Path(__file__).with_name("signals.yaml")


@cache
def load_signals() -> dict:
    """The demo signals and bundles of ``demo/signals.yaml``."""
    with SIGNALS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _ago(today: dt.date, days: int) -> dt.datetime:
    """9:30 UTC ``days`` before ``today``, never later than now (a demo seeded for a later
    day still records dates the domain accepts)."""
    moment = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(9, 30), dt.UTC)
    return min(moment, dt.datetime.now(dt.UTC))


def seed_signals(users: dict[str, User], today: dt.date) -> dict[str, int]:
    """Add the demo signals, recognitions and bundles that are missing (found by title).

    ``users`` maps the demo e-mail addresses to their accounts; ``today`` anchors the
    ``days`` offsets. Returns how many signals, recognitions and bundles were added; the
    caller commits.
    """
    content = load_signals()
    counts = {"signals": 0, "recognitions": 0, "signal_bundles": 0}
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    themes = {t.number: t for t in db.session.scalars(select(Theme))}
    admin = next(u for u in users.values() if u.is_admin)
    made: dict[str, Signal] = {}
    last_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    for data in content["signals"]:
        signal = db.session.scalar(select(Signal).where(Signal.title == data["title"]))
        if signal is None:
            signal = reporting.report_signal(
                users[data["reporter"]],
                reporting.SignalInput(
                    title=data["title"],
                    description=data["description"].strip(),
                    region=regions[data["region"]],
                    themes=[themes[n] for n in data["themes"]],
                    age_group=AgeGroup(data["age_group"]),
                    sectors=[Sector(s) for s in data["sectors"]],
                    services=data["services"],
                    frequency=Frequency(data["frequency"]),
                    tried=data["tried"],
                    would_help=data["would_help"],
                    is_name_shared=data["share_name"],
                ),
            )
            signal.created_at = _ago(today, data["days"])
            log = select(LogEntry).where(LogEntry.signal_id == signal.id)
            for entry in db.session.scalars(log):
                entry.at = signal.created_at
            counts["signals"] += 1
            for n, seen in enumerate(data["recognised_by"], start=1):
                recognition = reporting.recognise(signal, users[seen["email"]], seen["context"])
                recognition.created_at = _ago(today, data["days"] - n)
                counts["recognitions"] += 1
        made[data["key"]] = signal
    db.session.flush()
    for data in content["bundles"]:
        if db.session.scalar(select(SignalBundle.id).where(SignalBundle.title == data["title"])):
            continue
        bundle = workflow.create_bundle([made[k] for k in data["signals"]], admin, data["title"])
        workflow.categorise(
            bundle,
            admin,
            title=data["title"],
            policy_domain=PolicyDomain(data["policy_domain"]),
            level=Level(data["level"]),
        )
        counts["signal_bundles"] += 1
        if "passed_to" not in data:
            continue
        workflow.move_bundle(
            bundle,
            admin,
            State.PASSED_ON,
            passed_to=data["passed_to"],
            passed_on_at=_ago(today, data["passed_days"]),
        )
        answer = data["answer"]
        workflow.record_answer(
            [bundle],
            admin,
            answered_by=answer["by"],
            received_on=_ago(today, answer["days"]).date(),
            body=answer["body"].strip(),
        )
        workflow.publish(bundle, admin, data["summary"].strip(), True)
        # The steps happened over weeks, not at the moment of seeding.
        when = {
            "bundled": _ago(today, data["passed_days"] + 7),
            "categorised": _ago(today, data["passed_days"] + 7),
            "state": bundle.passed_on_at,
            "answered": _ago(today, answer["days"]),
            "published": _ago(today, answer["days"] - 1),
        }
        db.session.flush()
        steps = select(LogEntry).where(
            or_(
                LogEntry.bundle_id == bundle.id,
                LogEntry.signal_id.in_([s.id for s in bundle.signals])
                & (LogEntry.action != "reported"),
            )
        )
        for entry in db.session.scalars(steps):
            entry.at = when.get(entry.action, entry.at)
        bundle.published_at = when["published"]
    db.session.flush()
    # The demo tells nobody: the mails the steps queued for the followers are dropped.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    return counts
