"""Coordinators and signals: triage, bundle, categorise, move through the states, publish,
record the answer. Every step is logged (who, when, what) and followers are mailed.

Rules (issue 16): a coordinator triages the signals of their own region
(``signals.permissions``); a bundle holds signals of one or more regions and keeps every
reporter and recognition; a bundle moves forward through :data:`BUNDLE_STATES` (it may go
back one step to mend a mistake, never skip one) and is closed, never deleted. Domain
functions add and flush; the view commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import lazy_gettext as _l

from community.accounts.models import User
from community.core.db import utcnow
from community.core.extensions import db
from community.core.text import one_line
from signals.errors import (
    MissingField,
    NotAllowed,
    NothingChosen,
    NotOpen,
    TooLong,
    UnknownChoice,
    WrongDate,
)
from signals.models import (
    BUNDLE_STATES,
    STATE_LABELS,
    Answer,
    Level,
    PolicyDomain,
    Signal,
    SignalBundle,
    State,
)
from signals.notifications import (
    ask_reporter_mail,
    notify_bundle_followers,
    notify_signal_followers,
)
from signals.permissions import can_manage_bundle, can_triage_signal
from signals.privacy import guard
from signals.reporting import log_step

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_TEXT = 10_000

STATE_NEWS = {
    State.IN_PROGRESS: _l("De coördinatoren nemen het signaal in behandeling."),
    State.BUNDLED: _l("Het signaal is gebundeld met gelijkaardige signalen."),
    State.PASSED_ON: _l("Het signaal is doorgegeven aan het beleid."),
    State.ANSWERED: _l("Er kwam een antwoord op het signaal."),
    State.CLOSED: _l("Het signaal is afgesloten."),
    State.NEW: _l("Het signaal staat opnieuw op nieuw."),
}

ACTION_LABELS = {
    "reported": _l("gemeld"),
    "edited": _l("aangepast"),
    "withdrawn": _l("ingetrokken door de melder"),
    "asked": _l("meer uitleg gevraagd aan de melder"),
    "state": _l("fase gewijzigd"),
    "bundled": _l("gebundeld"),
    "categorised": _l("ingedeeld"),
    "published": _l("samenvatting gepubliceerd"),
    "unpublished": _l("samenvatting niet meer gepubliceerd"),
    "answered": _l("antwoord ontvangen"),
    "note": _l("beleidsnota opgesteld"),
    # issue 19: another case table found no fitting offer of this kind (casetables.outcome)
    "case_table": _l("nog een casustafel vond geen passend aanbod"),
}


def _line(value: str | None, label, limit: int, required: bool = True, name: str = "") -> str:
    value = one_line(value or "") or ""
    if required and not value:
        raise MissingField(label=label, field=name or None)
    if len(value) > limit:
        raise TooLong(label=label, limit=limit, field=name or None)
    return value


def _body(value: str | None, label, limit: int = MAX_TEXT, required: bool = False, name="") -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise MissingField(label=label, field=name or None)
    if len(value) > limit:
        raise TooLong(label=label, limit=limit, field=name or None)
    return value


def ask_reporter(signal: Signal, coordinator: User, question: str) -> None:
    """Mail ``coordinator``'s ``question`` to the reporter of ``signal`` and log the step.

    The question itself is not shown in the log (it goes to the reporter only). Raises
    ``NotAllowed`` (403), ``NotOpen`` (409), ``MissingField``/``TooLong``/
    ``PersonalDataFound`` (422).
    """
    if not can_triage_signal(coordinator, signal):
        raise NotAllowed()
    if not signal.is_open:
        raise NotOpen(state=STATE_LABELS[State(signal.state)])
    question = _body(question, _l("Vraag"), 2000, required=True, name="question")
    guard({"question": question})
    ask_reporter_mail(signal, coordinator, question)
    if signal.state == State.NEW:
        signal.state = State.IN_PROGRESS
    log_step(actor=coordinator, action="asked", signal=signal, state=signal.state)
    db.session.flush()


def set_signal_state(signal: Signal, coordinator: User, state: State, note: str = "") -> Signal:
    """Move a signal not (yet) in a bundle to "in progress", "closed" or back to "new".

    Raises ``NotAllowed`` (403), ``NotOpen`` (409; bundled signals follow their bundle),
    ``UnknownChoice`` (422).
    """
    if not can_triage_signal(coordinator, signal):
        raise NotAllowed()
    if state not in (State.NEW, State.IN_PROGRESS, State.CLOSED):
        raise UnknownChoice(field="state")
    if signal.bundle_id is not None or not signal.is_open:
        raise NotOpen(state=STATE_LABELS[State(signal.state)])
    note = _body(note, _l("Toelichting"), 2000, name="note")
    guard({"note": note})
    signal.state = state
    signal.updated_at = utcnow()
    log_step(actor=coordinator, action="state", signal=signal, state=state, note=note)
    notify_signal_followers(signal, STATE_NEWS[state], note)
    db.session.flush()
    return signal


def create_bundle(signals: list[Signal], coordinator: User, title: str) -> SignalBundle:
    """Merge ``signals`` into a new bundle (state "bundled"); every reporter and recognition
    stays with its signal. Returns the bundle.

    The bundle's region is the coordinator's first province (None for an admin or a
    network-wide coordinator). Raises ``NothingChosen``/``MissingField``/``TooLong`` (422),
    ``NotAllowed`` (403: a signal the coordinator may not triage), ``NotOpen`` (409).
    """
    if not signals:
        raise NothingChosen()
    title = _line(title, _l("Titel van de bundel"), MAX_TITLE, name="title")
    guard({"title": title})
    regions = [r for r in coordinator.coordinated_regions if not r.is_network_wide]
    bundle = SignalBundle(
        title=title,
        state=State.BUNDLED,
        region_id=regions[0].id if regions and not coordinator.is_admin else None,
        created_by_id=coordinator.id,
        created_at=utcnow(),
    )
    db.session.add(bundle)
    db.session.flush()
    log_step(actor=coordinator, action="bundled", bundle=bundle, state=State.BUNDLED)
    add_to_bundle(bundle, signals, coordinator)
    log.info("bundle %s made of signals %s", bundle.id, [s.id for s in signals])
    return bundle


def add_to_bundle(bundle: SignalBundle, signals: list[Signal], coordinator: User) -> SignalBundle:
    """Add ``signals`` to ``bundle``: they take its state; their followers are told.

    A coordinator adds the signals they may triage (their own region) to any bundle that
    is not closed: that is how a signal of their region joins the bundle of the same
    signal raised elsewhere. Raises ``NothingChosen`` (422), ``NotAllowed`` (403),
    ``NotOpen`` (409).
    """
    if not signals:
        raise NothingChosen()
    if bundle.state == State.CLOSED:
        raise NotOpen(state=STATE_LABELS[State(bundle.state)])
    for signal in signals:
        if not can_triage_signal(coordinator, signal):
            raise NotAllowed()
        if not signal.is_open or (signal.bundle_id and signal.bundle_id != bundle.id):
            raise NotOpen(state=STATE_LABELS[State(signal.state)])
    for signal in signals:
        if signal.bundle_id == bundle.id:
            continue
        signal.bundle = bundle
        signal.state = bundle.state
        signal.updated_at = utcnow()
        log_step(actor=coordinator, action="bundled", signal=signal, state=bundle.state)
        notify_signal_followers(signal, STATE_NEWS[State.BUNDLED])
    db.session.flush()
    return bundle


def categorise(
    bundle: SignalBundle,
    coordinator: User,
    *,
    title: str,
    policy_domain: PolicyDomain | None,
    level: Level | None,
) -> SignalBundle:
    """Set ``bundle``'s title, policy domain and level. Raises ``NotAllowed`` (403), 422s."""
    if not can_manage_bundle(coordinator, bundle):
        raise NotAllowed()
    bundle.title = _line(title, _l("Titel van de bundel"), MAX_TITLE, name="title")
    guard({"title": bundle.title})
    bundle.policy_domain = policy_domain
    bundle.level = level
    log_step(actor=coordinator, action="categorised", bundle=bundle)
    db.session.flush()
    return bundle


def move_bundle(
    bundle: SignalBundle,
    coordinator: User,
    state: State,
    *,
    note: str = "",
    passed_to: str = "",
    passed_on_at: dt.datetime | None = None,
) -> SignalBundle:
    """Move ``bundle`` (and its signals) to ``state``, log it and mail the followers.

    A bundle moves one step forward, or back one step to mend a mistake, or is closed
    from any state. "passed on" needs ``passed_to`` (to whom) and takes ``passed_on_at``
    (aware; default now; not in the future). Raises ``NotAllowed`` (403), ``NotOpen``
    (409: a skipped step, a closed bundle), ``MissingField``/``WrongDate``/
    ``PersonalDataFound`` (422).
    """
    if not can_manage_bundle(coordinator, bundle):
        raise NotAllowed()
    if state not in BUNDLE_STATES:
        raise UnknownChoice(field="state")
    current = BUNDLE_STATES.index(bundle.state)
    wanted = BUNDLE_STATES.index(state)
    if bundle.state == State.CLOSED or (state != State.CLOSED and abs(wanted - current) != 1):
        raise NotOpen(state=STATE_LABELS[State(bundle.state)])
    note = _body(note, _l("Toelichting voor wie volgt"), 2000, name="note")
    guard({"note": note})
    now = utcnow()
    if state == State.PASSED_ON:
        bundle.passed_to = _line(passed_to, _l("Doorgegeven aan"), 200, name="passed_to")
        when = passed_on_at or now
        if when > now + dt.timedelta(minutes=5):
            raise WrongDate(field="passed_on_at")
        bundle.passed_on_at = when
    bundle.state = state
    bundle.closed_at = now if state == State.CLOSED else None
    for signal in bundle.signals:
        if signal.state != State.WITHDRAWN:
            signal.state = state
            signal.updated_at = now
    log_step(actor=coordinator, action="state", bundle=bundle, state=state, note=note)
    notify_bundle_followers(bundle, STATE_NEWS[state], note)
    db.session.flush()
    log.info("bundle %s moved to %s by user %s", bundle.id, state, coordinator.id)
    return bundle


def publish(bundle: SignalBundle, coordinator: User, summary: str, is_published: bool) -> None:
    """Publish (or take back) ``bundle``'s summary on the public page; the signals stay
    members-only. Raises ``NotAllowed`` (403), ``MissingField`` (422: publishing without a
    summary), ``PersonalDataFound`` (422, no tick: the public page leaves the networks)."""
    if not can_manage_bundle(coordinator, bundle):
        raise NotAllowed()
    summary = _body(summary, _l("Publieke samenvatting"), 3000, required=is_published)
    guard({"summary": summary})
    bundle.summary = summary
    if is_published and not bundle.is_published:
        bundle.published_at = utcnow()
    bundle.is_published = is_published
    log_step(
        actor=coordinator, action="published" if is_published else "unpublished", bundle=bundle
    )
    db.session.flush()


def record_answer(
    bundles: list[SignalBundle],
    coordinator: User,
    *,
    answered_by: str,
    received_on: dt.date | None,
    body: str,
) -> Answer:
    """Record the answer of a government or service to ``bundles`` and tell the followers.

    Each bundle passed on moves to "answer received". ``received_on`` is a Brussels date,
    not in the future. Raises ``NothingChosen``/``MissingField``/``WrongDate`` (422),
    ``NotAllowed`` (403), ``PersonalDataFound`` (422).
    """
    if not bundles:
        raise NothingChosen()
    for bundle in bundles:
        if not can_manage_bundle(coordinator, bundle):
            raise NotAllowed()
    answered_by = _line(answered_by, _l("Van wie"), 200, name="answered_by")
    body = _body(body, _l("Antwoord"), required=True, name="body")
    if received_on is None or received_on > utcnow().date() + dt.timedelta(days=1):
        raise WrongDate(field="received_on")
    guard({"body": body})
    answer = Answer(
        answered_by=answered_by,
        received_on=received_on,
        body=body,
        recorded_by_id=coordinator.id,
        created_at=utcnow(),
    )
    answer.bundles = list(bundles)
    db.session.add(answer)
    db.session.flush()
    for bundle in bundles:
        if bundle.state == State.PASSED_ON:
            bundle.state = State.ANSWERED
            for signal in bundle.signals:
                if signal.state != State.WITHDRAWN:
                    signal.state = State.ANSWERED
        log_step(actor=coordinator, action="answered", bundle=bundle, state=bundle.state)
        notify_bundle_followers(bundle, STATE_NEWS[State.ANSWERED], f"{answered_by}:\n\n{body}")
    db.session.flush()
    return answer
