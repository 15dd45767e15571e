"""Members and signals: report, edit, withdraw, recognise ("ik herken dit"), follow, link.

Domain functions add and flush; the view commits once. They raise ``SignalError``
subclasses (``signals.errors``) and ``PersonalDataFound`` (``signals.privacy``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import Region, Sector, Theme, User
from community.accounts.permissions import can_read_members_content
from community.core.db import utcnow
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.text import one_line
from signals.errors import (
    AlreadyRecognised,
    CannotWithdraw,
    MissingField,
    NotAllowed,
    NotAMember,
    NotOpen,
    OwnSignal,
    TooLong,
    UnknownChoice,
)
from signals.models import (
    STATE_LABELS,
    AgeGroup,
    Frequency,
    LinkKind,
    LogEntry,
    Recognition,
    Signal,
    SignalFollow,
    SignalLink,
    State,
)
from signals.permissions import can_edit_signal, can_withdraw
from signals.privacy import guard

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_TEXT = 5_000
MAX_LINE = 300
MAX_MUNICIPALITY = 100

LABELS = {
    "title": _l("Wat loopt vast?"),
    "description": _l("Beschrijving"),
    "services": _l("Welke diensten of voorzieningen"),
    "tried": _l("Wat werd al geprobeerd"),
    "would_help": _l("Wat zou helpen"),
    "municipality": _l("Gemeente"),
    "context": _l("Jouw aanvulling"),
}


@dataclass
class SignalInput:
    """What a member fills in for a signal; only ``title``, ``description`` and ``region`` are
    required (a short form on a phone, issue 16 "Done when")."""

    title: str
    description: str
    region: Region | None
    themes: list[Theme] = field(default_factory=list)
    age_group: AgeGroup | None = None
    municipality: str = ""
    sectors: list[Sector] = field(default_factory=list)
    services: str = ""
    frequency: Frequency | None = None
    tried: str = ""
    would_help: str = ""
    is_name_shared: bool = False


def _text(name: str, value: str | None, limit: int, required: bool = False) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if limit <= MAX_LINE:
        value = one_line(value) or ""
    if required and not value:
        raise MissingField(label=LABELS[name], field=name)
    if len(value) > limit:
        raise TooLong(label=LABELS[name], limit=limit, field=name)
    return value


def _clean(data: SignalInput) -> dict:
    if data.region is None:
        raise UnknownChoice(field="region")
    values = {
        "title": _text("title", data.title, MAX_TITLE, required=True),
        "description": _text("description", data.description, MAX_TEXT, required=True),
        "municipality": _text("municipality", data.municipality, MAX_MUNICIPALITY),
        "services": _text("services", data.services, MAX_TEXT),
        "tried": _text("tried", data.tried, MAX_TEXT),
        "would_help": _text("would_help", data.would_help, MAX_TEXT),
    }
    return values


def _apply(signal: Signal, data: SignalInput, values: dict) -> None:
    for name, value in values.items():
        setattr(signal, name, value)
    signal.region = data.region  # type: ignore[assignment]
    signal.themes = list(data.themes)
    signal.age_group = data.age_group
    signal.frequency = data.frequency
    sectors = [s.value for s in Sector if s in set(data.sectors)]
    signal.sectors = f",{','.join(sectors)}," if sectors else ""
    signal.is_name_shared = data.is_name_shared


def log_step(
    *,
    actor: User | None,
    action: str,
    signal: Signal | None = None,
    bundle=None,
    state: State | None = None,
    note: str = "",
) -> LogEntry:
    """Add a dated entry (who, when, what) to the log of ``signal`` or ``bundle``; return it."""
    entry = LogEntry(
        signal_id=signal.id if signal is not None else None,
        bundle_id=bundle.id if bundle is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action,
        state=state,
        note=note,
        at=utcnow(),
    )
    db.session.add(entry)
    return entry


#: A second identical report by the same member within this time is the same report.
RESUBMIT_WINDOW = dt.timedelta(minutes=10)


def report_signal(reporter: User, data: SignalInput, *, privacy_confirmed: bool = False) -> Signal:
    """Save a new signal by ``reporter`` (state "new"), who then follows it; return it.

    A double submit (the same title and description by the same reporter within
    ``RESUBMIT_WINDOW``, also two at once: the reporter's row is locked first) returns the
    signal saved the first time instead of a second one, which would count the problem twice.

    Raises ``NotAMember`` (403), ``MissingField``/``TooLong``/``UnknownChoice`` (422) and
    ``PersonalDataFound`` (422) unless ``privacy_confirmed``.
    """
    if not can_read_members_content(reporter):
        raise NotAMember()
    values = _clean(data)
    guard({k: v for k, v in values.items() if k != "municipality"}, privacy_confirmed)
    lock_for_update(reporter)
    same = db.session.scalar(
        select(Signal)
        .where(
            Signal.reporter_id == reporter.id,
            Signal.title == values["title"],
            Signal.description == values["description"],
            Signal.created_at >= utcnow() - RESUBMIT_WINDOW,
        )
        .order_by(Signal.id)
        .limit(1)
    )
    if same is not None:
        log.info("signal %s submitted again by user %s: kept once", same.id, reporter.id)
        return same
    signal = Signal(reporter=reporter, state=State.NEW, created_at=utcnow())
    _apply(signal, data, values)
    db.session.add(signal)
    db.session.flush()
    db.session.add(SignalFollow(signal_id=signal.id, user_id=reporter.id))
    log_step(actor=reporter, action="reported", signal=signal, state=State.NEW)
    db.session.flush()
    log.info("signal %s reported by user %s in region %s", signal.id, reporter.id, signal.region_id)
    return signal


def edit_signal(
    signal: Signal, editor: User, data: SignalInput, *, privacy_confirmed: bool = False
) -> Signal:
    """Change ``signal``'s fields; the reporter before bundling, a triaging coordinator while open.

    Raises ``NotAllowed`` (403), the input errors of :func:`report_signal`.
    """
    if not can_edit_signal(editor, signal):
        raise NotAllowed()
    values = _clean(data)
    guard({k: v for k, v in values.items() if k != "municipality"}, privacy_confirmed)
    if editor.id != signal.reporter_id:
        data.is_name_shared = signal.is_name_shared  # the reporter's choice alone
    _apply(signal, data, values)
    signal.updated_at = utcnow()
    log_step(actor=editor, action="edited", signal=signal)
    db.session.flush()
    return signal


def withdraw_signal(signal: Signal, user: User) -> Signal:
    """The reporter withdraws ``signal`` before it is bundled; it stays, state "withdrawn".

    Raises ``CannotWithdraw`` (409) for anyone else or once bundled.
    """
    if not can_withdraw(user, signal):
        raise CannotWithdraw()
    signal.state = State.WITHDRAWN
    signal.updated_at = utcnow()
    log_step(actor=user, action="withdrawn", signal=signal, state=State.WITHDRAWN)
    db.session.flush()
    log.info("signal %s withdrawn by its reporter", signal.id)
    return signal


def recognise(
    signal: Signal, user: User, context: str = "", *, privacy_confirmed: bool = False
) -> Recognition:
    """Add ``user``'s recognition ("ik herken dit") of ``signal`` with a line of context.

    The recognition carries the member's region and sector; the member then follows the
    signal. One per member per signal: the unique rule of the table decides between two
    requests at once. Raises ``NotAMember`` (403), ``OwnSignal``/``AlreadyRecognised``/
    ``NotOpen`` (409), ``TooLong`` and ``PersonalDataFound`` (422).
    """
    if not can_read_members_content(user):
        raise NotAMember()
    if signal.reporter_id == user.id:
        raise OwnSignal()
    if not signal.is_open:
        raise NotOpen(state=STATE_LABELS[State(signal.state)])
    context = _text("context", context, MAX_LINE)
    guard({"context": context}, privacy_confirmed)
    recognition = Recognition(
        signal_id=signal.id,
        user_id=user.id,
        context=context,
        region_id=user.region_id,
        sector=user.sector,
        created_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(recognition)
            db.session.flush()
    except IntegrityError:
        raise AlreadyRecognised() from None
    db.session.execute(
        update(Signal)
        .where(Signal.id == signal.id)
        .values(recognition_count=Signal.recognition_count + 1)
    )
    follow(signal, user)
    log.info("signal %s recognised by user %s", signal.id, user.id)
    return recognition


def follow(signal: Signal, user: User) -> SignalFollow:
    """Make ``user`` follow ``signal`` (once); return the follow. Raises ``NotAMember``."""
    if not can_read_members_content(user):
        raise NotAMember()
    existing = db.session.scalar(
        select(SignalFollow).where(
            SignalFollow.signal_id == signal.id, SignalFollow.user_id == user.id
        )
    )
    if existing is not None:
        return existing
    following = SignalFollow(signal_id=signal.id, user_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(following)
            db.session.flush()
    except IntegrityError:  # the same member, twice at once: one follow is enough
        return db.session.scalars(
            select(SignalFollow).where(
                SignalFollow.signal_id == signal.id, SignalFollow.user_id == user.id
            )
        ).one()
    return following


def unfollow(signal: Signal, user: User) -> None:
    """Stop ``user`` following ``signal`` (nothing when they did not)."""
    db.session.execute(
        delete(SignalFollow).where(
            SignalFollow.signal_id == signal.id, SignalFollow.user_id == user.id
        )
    )


def is_following(signal: Signal, user: User) -> bool:
    """True when ``user`` follows ``signal``."""
    return (
        db.session.scalar(
            select(SignalFollow.id).where(
                SignalFollow.signal_id == signal.id, SignalFollow.user_id == user.id
            )
        )
        is not None
    )


def signals_linked_to_points(point_ids: list[int]) -> dict[int, list[Signal]]:
    """The signals linked to each of the analysis points ``point_ids`` ({point id: signals,
    oldest first}); withdrawn signals left out. One query. The caller checks the reader may
    see signals (``can_read_signals``: members only)."""
    if not point_ids:
        return {}
    rows = db.session.execute(
        select(SignalLink.analysis_point_id, Signal)
        .join(Signal, Signal.id == SignalLink.signal_id)
        .where(
            SignalLink.analysis_point_id.in_(point_ids),
            Signal.state != State.WITHDRAWN,
        )
        .order_by(Signal.created_at, Signal.id)
    ).all()
    found: dict[int, list[Signal]] = {}
    for point_id, signal in rows:
        if point_id is not None:
            found.setdefault(point_id, []).append(signal)
    return found


def add_link(signal: Signal, user: User, kind: LinkKind, target) -> SignalLink:
    """Link ``signal`` to ``target`` (a thread, an activity, a practice or a point of a
    regional analysis, ``regionmap.models.AnalysisPoint``); return the link.

    The reporter and the signal's triagers link; an existing link is returned as is.
    Raises ``NotAllowed`` (403) or ``NotOpen`` (409).
    """
    if not (user.id == signal.reporter_id or can_edit_signal(user, signal)):
        raise NotAllowed()
    if not signal.is_open:
        raise NotOpen(state=STATE_LABELS[State(signal.state)])
    column = {
        LinkKind.THREAD: "thread_id",
        LinkKind.EVENT: "event_id",
        LinkKind.PRACTICE: "practice_id",
        LinkKind.GAP: "analysis_point_id",
    }[kind]
    for link in signal.links:
        if link.kind == kind and getattr(link, column) == target.id:
            return link
    link = SignalLink(signal_id=signal.id, kind=kind, added_by_id=user.id, **{column: target.id})
    db.session.add(link)
    signal.links.append(link)
    db.session.flush()
    return link
