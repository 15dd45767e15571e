"""The weekly "nieuw in de agenda" mail: opt-in per confirmed address, by region, theme, type.

Issue 17, "The agenda ... in people's inbox": a member (whose address is verified) or
anyone who confirms an address by the link in a mail chooses regions, themes and types,
and gets the activities new in the agenda once a week (``flask send-agenda-mail``), with
one-click unsubscribe (RFC 2369 ``List-Unsubscribe`` and RFC 8058 one-click POST, as the
forum digests have). An unconfirmed address is stored nowhere: the choice travels in the
signed confirmation link and becomes a row only when the link is followed.

"New" means: not named to this subscription before. When a subscription is made or its
choice changes, the activities already in the agenda for that choice are recorded as
known (``AgendaMailItem``), so the mails name only what is published afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, insert, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Region, Theme, User
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.mail.outbox import queue_mail
from community.core.tokens import TokenExpired, TokenInvalid, make_token, read_token
from events.calendar.feeds import FeedFilters, public_selection
from events.models import (
    AgendaMailItem,
    AgendaSubscription,
    Event,
    EventStatus,
    EventType,
)

log = logging.getLogger(__name__)

CONFIRM_PURPOSE = "agenda-mail-confirm"
CONFIRM_MAX_AGE = 48 * 3600  # seconds, as a guest's registration
UNSUBSCRIBE_PURPOSE = "agenda-mail-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600
#: A subscription gets at most one mail per this span ("once a week"; a little less than
#: seven days, so a weekly cron that runs a few minutes early still sends).
MAIL_EVERY = dt.timedelta(days=6, hours=12)
#: The most activities one mail names (the soonest); the rest wait for the next week.
MAX_PER_MAIL = 30


class AgendaMailError(DomainError):
    """Base of the agenda mail's errors."""


class InvalidChoice(AgendaMailError):
    """A region, theme or type that does not exist."""

    text = _l("Kies regio's, thema's en soorten uit de lijst.")
    status = 422


class InvalidEmail(AgendaMailError):
    """No plausible e-mail address."""

    text = _l("Vul een geldig e-mailadres in, bijvoorbeeld naam@school.be.")
    status = 422
    field = "email"


class AgendaLinkInvalid(AgendaMailError):
    """A confirmation or unsubscribe link that is forged, damaged or expired."""

    text = _l("Deze link werkt niet (meer). Vraag op de pagina Nieuw in de agenda een nieuwe aan.")
    status = 404


@dataclass(frozen=True)
class AgendaChoice:
    """Chosen regions (slugs), themes (numbers) and types (values); empty: all of that kind."""

    region_slugs: tuple[str, ...] = ()
    theme_numbers: tuple[int, ...] = ()
    types: tuple[str, ...] = ()

    def as_payload(self) -> dict:
        return {"r": list(self.region_slugs), "t": list(self.theme_numbers), "k": list(self.types)}


def read_choice(regions: list[str], themes: list[str], types: list[str]) -> AgendaChoice:
    """Return the choice of the form's values (region slugs, theme numbers, type values).

    Raises :class:`InvalidChoice` when one names no existing region, theme or type
    (at most 20 of each). Duplicates are dropped; the order is the site's.
    """
    if max(len(regions), len(themes), len(types)) > 20:
        raise InvalidChoice()
    known_regions = list(db.session.scalars(select(Region.slug).order_by(Region.position)))
    known_themes = [str(n) for n in db.session.scalars(select(Theme.number).order_by(Theme.number))]
    known_types = [kind.value for kind in EventType]
    for values, known in ((regions, known_regions), (themes, known_themes), (types, known_types)):
        if any(value not in known for value in values):
            raise InvalidChoice()
    return AgendaChoice(
        tuple(slug for slug in known_regions if slug in regions),
        tuple(int(n) for n in known_themes if n in themes),
        tuple(kind for kind in known_types if kind in types),
    )


def choice_of(subscription: AgendaSubscription) -> AgendaChoice:
    """Return the stored choice of ``subscription``."""
    return AgendaChoice(
        tuple(subscription.region_slugs or ()),
        tuple(subscription.theme_numbers or ()),
        tuple(subscription.types or ()),
    )


def criteria(choice: AgendaChoice) -> ColumnElement[bool]:
    """WHERE clause on ``Event``: any chosen region AND any chosen theme AND any chosen type
    (a kind with nothing chosen does not filter), among what the public agenda shows."""
    parts: list[ColumnElement[bool]] = [public_selection(FeedFilters())]
    if choice.region_slugs:
        ids = select(Region.id).where(Region.slug.in_(choice.region_slugs))
        parts.append(Event.region_id.in_(ids))
    if choice.theme_numbers:
        parts.append(Event.themes.any(Theme.number.in_(choice.theme_numbers)))
    if choice.types:
        parts.append(Event.type.in_(choice.types))
    return and_(*parts)


def _upcoming(choice: AgendaChoice, now: dt.datetime) -> ColumnElement[bool]:
    return and_(criteria(choice), Event.status == EventStatus.PUBLISHED, Event.starts_at >= now)


def _remember_current(subscription: AgendaSubscription, now: dt.datetime) -> None:
    """Record the activities now in the agenda for the subscription's choice as known."""
    already = select(AgendaMailItem.event_id).where(
        AgendaMailItem.subscription_id == subscription.id
    )
    rows = select(literal(subscription.id), Event.id).where(
        _upcoming(choice_of(subscription), now), Event.id.not_in(already)
    )
    db.session.execute(insert(AgendaMailItem).from_select(["subscription_id", "event_id"], rows))


def find_subscription(email: str) -> AgendaSubscription | None:
    """Return the subscription of ``email`` (case-insensitive), or None."""
    return db.session.scalar(
        select(AgendaSubscription).where(
            func.lower(AgendaSubscription.email) == email.strip().lower()
        )
    )


def subscribe(
    email: str,
    choice: AgendaChoice,
    now: dt.datetime,
    *,
    user: User | None = None,
    language: str = "nl",
) -> AgendaSubscription:
    """Make or update the subscription of the confirmed address ``email`` (flushes).

    ``user``: the member it belongs to (their verified address). The activities already
    in the agenda for ``choice`` are recorded as known. ``now``: aware UTC.
    """
    subscription = find_subscription(email)
    if subscription is None:
        subscription = AgendaSubscription(email=email.strip(), created_at=now)
        db.session.add(subscription)
    else:
        lock_for_update(subscription)
    subscription.user_id = user.id if user is not None else subscription.user_id
    subscription.language = language
    subscription.region_slugs = list(choice.region_slugs)
    subscription.theme_numbers = list(choice.theme_numbers)
    subscription.types = list(choice.types)
    db.session.flush()
    _remember_current(subscription, now)
    db.session.flush()
    log.info("agenda mail subscription %s saved", subscription.id)
    return subscription


def unsubscribe(subscription: AgendaSubscription) -> None:
    """End ``subscription`` (its known activities go with it; flushes)."""
    db.session.delete(subscription)
    db.session.flush()
    log.info("agenda mail subscription %s ended", subscription.id)


# --- links --------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return current_app.config["BRUGGEN_BASE_URL"].rstrip("/") + path


def confirmation_token(email: str, choice: AgendaChoice, language: str) -> str:
    """Return the signed token of a confirmation link: it carries the address and the choice."""
    return make_token(CONFIRM_PURPOSE, {"e": email.strip(), "l": language, **choice.as_payload()})


def read_confirmation(token: str) -> tuple[str, AgendaChoice, str]:
    """Return (address, choice, language) of a confirmation token.

    Raises :class:`AgendaLinkInvalid` for a forged, damaged or expired token, or a
    choice that no longer exists (a region removed meanwhile).
    """
    try:
        payload = read_token(CONFIRM_PURPOSE, token[:2000], CONFIRM_MAX_AGE)
        email, language = str(payload["e"]), str(payload.get("l") or "nl")
        choice = read_choice(
            [str(v) for v in payload.get("r", [])],
            [str(v) for v in payload.get("t", [])],
            [str(v) for v in payload.get("k", [])],
        )
    except (TokenInvalid, KeyError, TypeError, InvalidChoice) as error:
        raise AgendaLinkInvalid() from error
    return email, choice, language


def unsubscribe_token(subscription: AgendaSubscription) -> str:
    """Return the signed token of ``subscription``'s one-click unsubscribe link."""
    return make_token(UNSUBSCRIBE_PURPOSE, {"s": subscription.id})


def subscription_from_unsubscribe_token(token: str) -> AgendaSubscription | None:
    """Return the subscription an unsubscribe token names, None when it already ended.

    Raises :class:`AgendaLinkInvalid` for a forged, damaged or expired token.
    """
    try:
        payload = read_token(UNSUBSCRIBE_PURPOSE, token[:400], UNSUBSCRIBE_MAX_AGE)
    except (TokenExpired, TokenInvalid) as error:
        raise AgendaLinkInvalid() from error
    subscription_id = payload.get("s")
    if not isinstance(subscription_id, int):
        raise AgendaLinkInvalid()
    return db.session.get(AgendaSubscription, subscription_id)


def unsubscribe_url(subscription: AgendaSubscription) -> str:
    return _absolute(f"/agenda/nieuw-per-mail/uitschrijven/{unsubscribe_token(subscription)}")


def request_confirmation(email: str, choice: AgendaChoice, language: str) -> None:
    """Queue the mail whose link confirms ``email`` for the agenda mail with ``choice``.

    Nothing is stored but the mail (an unconfirmed address is nobody's subscription).
    Raises :class:`InvalidEmail` for an address that cannot be one.
    """
    email = (email or "").strip()
    if len(email) > 254 or "@" not in email or any(c.isspace() for c in email):
        raise InvalidEmail()
    token = confirmation_token(email, choice, language)
    queue_mail(
        email,
        _l("Bevestig: nieuw in de agenda per mail"),
        "agenda_mail_confirm",
        language=language,
        confirm_link=_absolute(f"/agenda/nieuw-per-mail/bevestigen/{token}"),
    )


# --- the weekly mail ------------------------------------------------------------------


def new_events(subscription: AgendaSubscription, now: dt.datetime) -> list[Event]:
    """Return the upcoming activities of ``subscription``'s choice it was not told of, soonest
    first (at most :data:`MAX_PER_MAIL`)."""
    known = select(AgendaMailItem.event_id).where(AgendaMailItem.subscription_id == subscription.id)
    return list(
        db.session.scalars(
            select(Event)
            .where(_upcoming(choice_of(subscription), now), Event.id.not_in(known))
            .options(joinedload(Event.region), selectinload(Event.themes))
            .order_by(Event.starts_at, Event.id)
            .limit(MAX_PER_MAIL)
        ).unique()
    )


def send_agenda_mails(now: dt.datetime) -> int:
    """Queue this week's mail of every subscription due at ``now`` (aware UTC); return how many.

    Due: no mail in the last :data:`MAIL_EVERY`. A subscription with nothing new gets no
    mail (and is looked at again next time). Each mail's activities are recorded as known
    and ``last_sent_at`` set in the same transaction as the queued mail: running the
    command twice sends nothing twice. Only queues and flushes; the caller commits.
    """
    due = db.session.scalars(
        select(AgendaSubscription)
        .where(
            or_(
                AgendaSubscription.last_sent_at.is_(None),
                AgendaSubscription.last_sent_at <= now - MAIL_EVERY,
            )
        )
        .order_by(AgendaSubscription.id)
    ).all()
    sent = 0
    for subscription in due:
        events = new_events(subscription, now)
        if not events:
            continue
        link = unsubscribe_url(subscription)
        queue_mail(
            subscription.email,
            _l("Nieuw in de agenda van de lerende netwerken"),
            "agenda_mail",
            language=subscription.language,
            headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            events=events,
            unsubscribe_link=link,
            manage_link=_absolute("/agenda/nieuw-per-mail"),
        )
        db.session.add_all(
            AgendaMailItem(subscription_id=subscription.id, event_id=event.id) for event in events
        )
        subscription.last_sent_at = now
        sent += 1
    db.session.flush()
    log.info("agenda mail: %d mails queued", sent)
    return sent
