"""The offer catalogue: rules, writing a record, proposals and review, search with facets.

Rules (issue 15): offer records are public once published, except the fields a
coordinator marks internal; coordinators keep the records of their own region
(``can_coordinate_in``); verified members (providers) propose a record or a correction,
which a coordinator of the region publishes or sends back (the pattern of
``community.library.practices``); a published record not checked for 12 months is
flagged for review. Free text never names a child or family (``forums.pii_guard``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import SECTOR_VALUES, Organisation, Region, Theme, User
from community.accounts.permissions import can_coordinate_in, can_post, coordinated_filter
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.mail.outbox import queue_mail
from community.core.text import one_line
from community.library.materials import unique_slug
from community.library.uploads import UploadRefused, check_web_link
from forums.pii_guard import find_personal_data, finding_kinds
from regionmap.models import (
    ACCESS_ROUTE_VALUES,
    OFFER_INTERNAL_FIELDS,
    OFFER_STATUS_LABELS,
    Offer,
    OfferKind,
    OfferStatus,
    offer_themes,
)
from regionmap.search import offer_match, search_terms

log = logging.getLogger(__name__)

BRUSSELS = ZoneInfo("Europe/Brussels")
RESULTS_PER_PAGE = 20
#: A published record not checked for this long is flagged for review (issue 15).
CHECK_INTERVAL = dt.timedelta(days=365)
MAX_AGE = 30
MAX_PROVIDERS = 20

#: The longest text each field takes (its column's size; the free texts a sensible size).
_LIMITS = {
    "description": 5000,
    "target_group": 2000,
    "how_to_refer": 2000,
    "municipality": 100,
    "contact_address": 300,
    "contact_email": 254,
    "contact_phone": 40,
    "website": 500,
    "waiting_time": 200,
    "capacity": 200,
    "internal_note": 2000,
}

#: The free-text fields the privacy guard reads (DESIGN.md, "Privacy comes with the domain").
GUARDED_FIELDS = (
    "title",
    "description",
    "target_group",
    "how_to_refer",
    "waiting_time",
    "capacity",
)


class OfferRefused(DomainError):
    """A field of an offer record is not acceptable; ``field`` names it."""

    status = 422


class PersonalDataInRecord(DomainError):
    """Free text of a map record seems to name a person (privacy guard)."""

    text = _l(
        "Dit veld lijkt persoonsgegevens te bevatten (%(kinds)s). Het regionale overzicht "
        "noemt nooit een kind of gezin: laat namen, geboortedata, adressen, telefoonnummers "
        "en e-mailadressen van personen weg."
    )
    status = 422


class OfferStateError(DomainError):
    """The record is not in a state that allows this step."""

    text = _l("Dit aanbod is %(state)s; die stap kan nu niet.")
    status = 409


class ProposalGone(DomainError):
    """Another coordinator handled the proposal at the same moment."""

    text = _l("Dit voorstel werd intussen al behandeld.")
    status = 409


def _lock_proposal(proposal: Offer) -> None:
    """Take the proposal's row lock (two reviewers take turns); raise :class:`ProposalGone`
    when the other reviewer removed it, :class:`OfferStateError` when it is no proposal."""
    offer_id = proposal.id
    lock_for_update(proposal)
    status = db.session.scalar(select(Offer.status).where(Offer.id == offer_id))
    if status is None:
        raise ProposalGone()
    if status != OfferStatus.PROPOSED:
        raise OfferStateError(state=OFFER_STATUS_LABELS[OfferStatus(status)])


_KIND_NAMES = {
    "national_number": _l("rijksregisternummer"),
    "phone": _l("telefoonnummer"),
    "email": _l("e-mailadres"),
    "birth_date": _l("geboortedatum"),
    "address": _l("adres"),
}


class _KindNames:
    """The kinds of personal data found, named in the language of the moment it is shown."""

    def __init__(self, kinds: list[str]) -> None:
        self.kinds = kinds

    def __str__(self) -> str:
        return ", ".join(str(_KIND_NAMES[kind]) for kind in self.kinds)


def guard_text(name: str, value: str) -> None:
    """Raise :class:`PersonalDataInRecord` (``field`` = ``name``) when ``value`` seems to hold
    personal data (``forums.pii_guard.find_personal_data``)."""
    findings = find_personal_data(value or "")
    if findings:
        error = PersonalDataInRecord(kinds=_KindNames(finding_kinds(findings)))
        error.field = name
        raise error


# --- permissions -------------------------------------------------------------------


def can_keep_offer(user, offer: Offer) -> bool:
    """True for admins and coordinators of the offer's region (edit, retire, review)."""
    return can_coordinate_in(user, offer.region_id)


def can_view_offer(user, offer: Offer) -> bool:
    """Published and retired records for all; a proposal for its proposer and the reviewers."""
    if offer.status != OfferStatus.PROPOSED:
        return True
    if user is not None and getattr(user, "id", None) == offer.proposed_by_id:
        return True
    return can_keep_offer(user, offer)


def can_propose_offer(user) -> bool:
    """True for verified members: a provider proposes a record or a correction."""
    return can_post(user)


def can_see_field(user, offer: Offer, name: str) -> bool:
    """True when ``name`` is public, or ``user`` keeps the record (internal fields)."""
    return not offer.is_internal(name) or can_keep_offer(user, offer)


def kept_offers_filter(user) -> ColumnElement[bool]:
    """WHERE clause: the offers ``user`` keeps (by the region rule of ``coordinated_filter``)."""
    return coordinated_filter(user, Offer.region_id)


# --- the record ------------------------------------------------------------------


@dataclass(frozen=True)
class OfferFields:
    """The fields of an offer record, as a form or a spreadsheet row gives them."""

    title: str
    region: Region | None
    kind: str = OfferKind.OTHER.value
    description: str = ""
    target_group: str = ""
    age_min: int | None = None
    age_max: int | None = None
    themes: Sequence[Theme] = ()
    municipality: str = ""
    provider_sector: str | None = None
    access_routes: Sequence[str] = ()
    providers: Sequence[Organisation] = ()
    how_to_refer: str = ""
    contact_organisation: Organisation | None = None
    contact_address: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""
    waiting_time: str = ""
    capacity: str = ""
    last_checked_on: dt.date | None = None
    internal_fields: Sequence[str] = ()
    internal_note: str = ""
    extra: dict = field(default_factory=dict)


def check_offer_fields(fields: OfferFields) -> None:
    """Raise :class:`OfferRefused` or :class:`PersonalDataInRecord` for the first bad field.

    Title and region are required; the kind, sector and access routes must be known
    values; ages are whole years 0–30 with the lower bound not above the upper; the
    website must be http(s); the free texts pass the privacy guard.
    """
    if not one_line(fields.title or ""):
        raise OfferRefused(_l("Geef het aanbod een naam."), field="title")
    if len(fields.title) > 200:
        raise OfferRefused(_l("De naam is te lang (hoogstens 200 tekens)."), field="title")
    if fields.region is None:
        raise OfferRefused(_l("Kies de regio van het aanbod."), field="region")
    if fields.kind not in {k.value for k in OfferKind}:
        raise OfferRefused(_l("Kies een soort aanbod uit de lijst."), field="kind")
    if fields.provider_sector and fields.provider_sector not in SECTOR_VALUES:
        raise OfferRefused(_l("Kies een sector uit de lijst."), field="provider_sector")
    if any(route not in ACCESS_ROUTE_VALUES for route in fields.access_routes):
        raise OfferRefused(_l("Kies toegangswegen uit de lijst."), field="access_routes")
    for name in ("age_min", "age_max"):
        value = getattr(fields, name)
        if value is not None and not 0 <= value <= MAX_AGE:
            raise OfferRefused(
                _l("Een leeftijd ligt tussen 0 en %(max)s jaar.", max=MAX_AGE), field=name
            )
    low, high = fields.age_min, fields.age_max
    if low is not None and high is not None and low > high:
        raise OfferRefused(_l("De minimumleeftijd ligt boven de maximumleeftijd."), field="age_min")
    if fields.website:
        try:
            check_web_link(fields.website)
        except UploadRefused:
            raise OfferRefused(
                _l("De website is geen webadres dat begint met https:// of http://."),
                field="website",
            ) from None
    for name, limit in _LIMITS.items():
        if len(getattr(fields, name) or "") > limit:
            raise OfferRefused(_l("Hoogstens %(max)d tekens.", max=limit), field=name)
    if any(name not in OFFER_INTERNAL_FIELDS for name in fields.internal_fields):
        raise OfferRefused(_l("Kies interne velden uit de lijst."), field="internal_fields")
    for name in GUARDED_FIELDS:
        guard_text(name, getattr(fields, name))


def _apply(offer: Offer, fields: OfferFields) -> None:
    check_offer_fields(fields)
    offer.title = one_line(fields.title)
    offer.region = fields.region  # type: ignore[assignment]
    offer.kind = fields.kind
    offer.description = fields.description.strip()
    offer.target_group = fields.target_group.strip()
    offer.age_min, offer.age_max = fields.age_min, fields.age_max
    offer.themes = list(fields.themes)
    offer.municipality = one_line(fields.municipality)
    offer.provider_sector = fields.provider_sector or None
    offer.access_routes = [r for r in ACCESS_ROUTE_VALUES if r in set(fields.access_routes)]
    offer.access_routes.sort()
    offer.providers = list(dict.fromkeys(fields.providers))[:MAX_PROVIDERS]
    offer.how_to_refer = fields.how_to_refer.strip()
    offer.contact_organisation = fields.contact_organisation
    offer.contact_address = one_line(fields.contact_address)
    offer.contact_email = fields.contact_email.strip()
    offer.contact_phone = one_line(fields.contact_phone)
    offer.website = fields.website.strip()
    offer.waiting_time = one_line(fields.waiting_time)
    offer.capacity = one_line(fields.capacity)
    offer.internal_fields = sorted(set(fields.internal_fields))
    offer.internal_note = fields.internal_note.strip()


def today_in_brussels(now: dt.datetime | None = None) -> dt.date:
    """Return today's date in Europe/Brussels (``now``: an aware datetime, default the clock)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(BRUSSELS).date()


def create_offer(fields: OfferFields, *, by: User | None) -> Offer:
    """Add a published offer kept by a coordinator, checked today; return it (flushed).

    Raises :class:`OfferRefused` / :class:`PersonalDataInRecord` for a bad field.
    """
    offer = Offer(slug=unique_slug(Offer, fields.title or "aanbod"), status=OfferStatus.PUBLISHED)
    _apply(offer, fields)
    offer.last_checked_on = fields.last_checked_on or today_in_brussels()
    db.session.add(offer)
    db.session.flush()
    log.info("offer %s added by user %s", offer.slug, by.id if by else None)
    return offer


def update_offer(offer: Offer, fields: OfferFields) -> None:
    """Change ``offer``'s record (permission is the caller's); it counts as checked today.

    Takes the row lock first, so two saves at once apply in turn. Raises as
    :func:`create_offer`.
    """
    lock_for_update(offer)
    _apply(offer, fields)
    offer.last_checked_on = fields.last_checked_on or today_in_brussels()
    db.session.flush()
    log.info("offer %s edited", offer.slug)


def mark_checked(offer: Offer, today: dt.date | None = None) -> None:
    """Record that a coordinator confirmed ``offer`` is still right (today, Brussels)."""
    offer.last_checked_on = today or today_in_brussels()
    db.session.flush()


def retire_offer(offer: Offer) -> None:
    """Retire a published offer (no longer listed). Raises :class:`OfferStateError`."""
    if offer.status != OfferStatus.PUBLISHED:
        raise OfferStateError(state=OFFER_STATUS_LABELS[OfferStatus(offer.status)])
    offer.status = OfferStatus.RETIRED
    db.session.flush()
    log.info("offer %s retired", offer.slug)


def reinstate_offer(offer: Offer) -> None:
    """Publish a retired offer again. Raises :class:`OfferStateError`."""
    if offer.status != OfferStatus.RETIRED:
        raise OfferStateError(state=OFFER_STATUS_LABELS[OfferStatus(offer.status)])
    offer.status = OfferStatus.PUBLISHED
    db.session.flush()


# --- proposals (the practices' review workflow) ------------------------------------


def propose_offer(fields: OfferFields, proposer: User, corrects: Offer | None = None) -> Offer:
    """Add a provider's proposal (a new record, or a correction of ``corrects``); flushed.

    The proposal is ``proposed`` and listed for the coordinators of its region until one
    publishes it (:func:`accept_proposal`) or sends it back. Internal fields are not the
    proposer's to set. Raises as :func:`create_offer`.
    """
    fields_public = OfferFields(**{**fields.__dict__, "internal_fields": (), "internal_note": ""})
    offer = Offer(
        slug=unique_slug(Offer, fields.title or "aanbod"),
        status=OfferStatus.PROPOSED,
        proposed_by=proposer,
        corrects=corrects,
    )
    _apply(offer, fields_public)
    db.session.add(offer)
    db.session.flush()
    log.info("offer %s proposed by user %s", offer.slug, proposer.id)
    return offer


_COPIED = (
    "title",
    "region_id",
    "kind",
    "description",
    "target_group",
    "age_min",
    "age_max",
    "municipality",
    "provider_sector",
    "access_routes",
    "how_to_refer",
    "contact_organisation_id",
    "contact_address",
    "contact_email",
    "contact_phone",
    "website",
    "waiting_time",
    "capacity",
)


def accept_proposal(proposal: Offer, reviewer: User, today: dt.date | None = None) -> Offer:
    """Publish ``proposal``; a correction is copied onto the record it corrects and removed.

    Returns the published record (the proposal itself, or the corrected record). Raises
    :class:`OfferStateError` when ``proposal`` is not a proposal, :class:`ProposalGone`
    when another reviewer handled it at the same moment (the two take turns on its row).
    """
    _lock_proposal(proposal)
    today = today or today_in_brussels()
    target = proposal.corrects
    if target is None:
        proposal.status = OfferStatus.PUBLISHED
        proposal.last_checked_on = today
        db.session.flush()
        _mail_proposer(proposal, proposal, "")
        log.info("offer proposal %s published by user %s", proposal.slug, reviewer.id)
        return proposal
    lock_for_update(target)
    for name in _COPIED:
        setattr(target, name, getattr(proposal, name))
    target.themes = list(proposal.themes)
    target.providers = list(proposal.providers)
    target.last_checked_on = today
    _mail_proposer(proposal, target, "")
    db.session.delete(proposal)
    db.session.flush()
    log.info("correction of offer %s accepted by user %s", target.slug, reviewer.id)
    return target


def reject_proposal(proposal: Offer, reviewer: User, note: str) -> None:
    """Refuse ``proposal`` with a (required) ``note``: it is removed; the note is logged.

    Raises :class:`OfferStateError` when it is not a proposal or the note is empty.
    """
    if not (note or "").strip():
        raise OfferStateError(_l("Schrijf de indiener waarom het voorstel niet doorgaat."))
    _lock_proposal(proposal)
    proposal.review_note = note.strip()
    _mail_proposer(proposal, None, proposal.review_note)
    db.session.delete(proposal)
    db.session.flush()
    log.info("offer proposal %s refused by user %s", proposal.slug, reviewer.id)


def _mail_proposer(proposal: Offer, published: Offer | None, note: str) -> None:
    """Tell the proposer (in their language) that ``proposal`` was published or refused."""
    proposer = proposal.proposed_by
    if proposer is None or not proposer.is_active:
        return
    path = ""
    if published is not None:
        path = current_app.url_map.bind("localhost").build(
            "regionmap.offer", {"slug": published.slug}
        )
    queue_mail(
        proposer.email,
        _l("Je voorstel voor het aanbod: %(title)s", title=proposal.title),
        "offer_reviewed",
        language=proposer.locale,
        user=proposer,
        title=proposal.title,
        published=published is not None,
        note=note,
        path=path,
    )


def pending_proposals(user) -> list[Offer]:
    """The proposals ``user`` reviews (their regions), oldest first, with what they correct."""
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.status == OfferStatus.PROPOSED, kept_offers_filter(user))
            .options(joinedload(Offer.region), joinedload(Offer.corrects))
            .order_by(Offer.created_at, Offer.id)
        )
    )


def stale_offers(user, today: dt.date | None = None) -> list[Offer]:
    """Published offers of ``user``'s regions not checked for 12 months (or never), oldest first.

    ``today`` is a date in Europe/Brussels (default: today).
    """
    limit = (today or today_in_brussels()) - CHECK_INTERVAL
    return list(
        db.session.scalars(
            select(Offer)
            .where(
                Offer.status == OfferStatus.PUBLISHED,
                kept_offers_filter(user),
                or_(Offer.last_checked_on.is_(None), Offer.last_checked_on <= limit),
            )
            .options(joinedload(Offer.region))
            .order_by(Offer.last_checked_on.is_not(None), Offer.last_checked_on, Offer.title)
        )
    )


def is_stale(offer: Offer, today: dt.date | None = None) -> bool:
    """True when ``offer`` was not checked for 12 months (or never)."""
    if offer.last_checked_on is None:
        return True
    return offer.last_checked_on <= (today or today_in_brussels()) - CHECK_INTERVAL


# --- search ------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferFilter:
    """What a visitor asks the catalogue: words and facets (None: any)."""

    text: str = ""
    region: Region | None = None
    municipality: str = ""
    theme: Theme | None = None
    age: int | None = None
    kind: str | None = None
    sector: str | None = None
    access_route: str | None = None

    @property
    def is_set(self) -> bool:
        return any(
            (self.text, self.region, self.municipality, self.theme, self.kind, self.sector)
        ) or (self.age is not None or self.access_route is not None)


@dataclass
class CataloguePage:
    """One page of offers (``offers``), the total and the facet counts of all matches."""

    offers: list[Offer]
    total: int
    page: int
    pages: int
    facets: dict[str, Counter] = field(default_factory=dict)


def offer_options():
    """Loader options that show a list of offers in a constant number of queries."""
    return (
        joinedload(Offer.region),
        selectinload(Offer.themes),
        selectinload(Offer.providers),
    )


def _criteria(wanted: OfferFilter) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = [Offer.status == OfferStatus.PUBLISHED]
    match = offer_match(search_terms(wanted.text))
    if match is not None:
        criteria.append(match)
    if wanted.region is not None:
        criteria.append(Offer.region_id == wanted.region.id)
    if wanted.municipality:
        criteria.append(func.lower(Offer.municipality) == wanted.municipality.lower())
    if wanted.theme is not None:
        criteria.append(Offer.themes.any(Theme.id == wanted.theme.id))
    if wanted.age is not None:
        criteria.append(or_(Offer.age_min.is_(None), Offer.age_min <= wanted.age))
        criteria.append(or_(Offer.age_max.is_(None), Offer.age_max >= wanted.age))
    if wanted.kind:
        criteria.append(Offer.kind == wanted.kind)
    if wanted.sector:
        criteria.append(Offer.provider_sector == wanted.sector)
    if wanted.access_route:
        criteria.append(cast(Offer.access_routes, String).contains(f'"{wanted.access_route}"'))
    return criteria


def search_offers(wanted: OfferFilter, page: int = 1) -> CataloguePage:
    """Return the published offers matching ``wanted``, page ``page`` (from 1), by title.

    Words are matched by the full-text search (:mod:`regionmap.search`); facets count
    all matches per region, municipality, kind, sector, access route and theme. The
    number of queries does not grow with the catalogue (five, plus the loaders').
    """
    criteria = _criteria(wanted)
    rows = db.session.execute(
        select(
            Offer.id,
            Offer.region_id,
            Offer.municipality,
            Offer.kind,
            Offer.provider_sector,
            Offer.access_routes,
        ).where(and_(*criteria))
    ).all()
    facets: dict[str, Counter] = {
        "region": Counter(row.region_id for row in rows),
        "municipality": Counter(row.municipality for row in rows if row.municipality),
        "kind": Counter(row.kind for row in rows),
        "sector": Counter(row.provider_sector for row in rows if row.provider_sector),
        "access_route": Counter(r for row in rows for r in row.access_routes or []),
    }
    ids = select(Offer.id).where(and_(*criteria))
    facets["theme"] = Counter(
        dict(
            db.session.execute(
                select(offer_themes.c.theme_id, func.count())
                .where(offer_themes.c.offer_id.in_(ids))
                .group_by(offer_themes.c.theme_id)
            ).all()
        )
    )
    total = len(rows)
    pages = max(1, -(-total // RESULTS_PER_PAGE))
    page = min(max(1, page), pages)
    offers = list(
        db.session.scalars(
            select(Offer)
            .where(and_(*criteria))
            .options(*offer_options())
            .order_by(Offer.title, Offer.id)
            .limit(RESULTS_PER_PAGE)
            .offset((page - 1) * RESULTS_PER_PAGE)
        )
    )
    return CataloguePage(offers, total, page, pages, facets)
