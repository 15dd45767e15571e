"""Organisations and consultation bodies on the map: rules, writing a record, retiring it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.accounts.models import SECTOR_VALUES, Organisation, OrganisationType, Region
from community.accounts.permissions import can_coordinate_in
from community.core.extensions import db
from community.core.text import one_line
from community.library.materials import unique_slug
from community.library.uploads import UploadRefused, check_web_link
from regionmap.catalogue import OfferRefused, guard_text, today_in_brussels
from regionmap.models import BodySector, ConsultationBody

log = logging.getLogger(__name__)

#: Organisation fields a coordinator may mark internal.
ORGANISATION_INTERNAL_FIELDS = ("contact_email", "contact_phone", "street_address")


def can_keep_organisation(user, organisation: Organisation) -> bool:
    """True for admins and the coordinators of the organisation's region."""
    return can_coordinate_in(user, organisation.region_id)


def can_keep_body(user, body: ConsultationBody) -> bool:
    """True for admins and the coordinators of the consultation body's region."""
    return can_coordinate_in(user, body.region_id)


def can_view_organisation(user, organisation: Organisation) -> bool:
    """Public, not-retired organisations for all; the others for those who keep them."""
    if organisation.is_public and not organisation.is_retired:
        return True
    return can_keep_organisation(user, organisation)


@dataclass(frozen=True)
class OrganisationFields:
    """The fields of an organisation on the map."""

    name: str
    region: Region | None
    sector: str
    organisation_type: str = OrganisationType.OTHER.value
    street_address: str = ""
    postal_code: str = ""
    municipality: str = ""
    website: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    note: str = ""
    is_public: bool = True
    internal_fields: Sequence[str] = ()


def _website(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return check_web_link(value)
    except UploadRefused:
        raise OfferRefused(
            _l("De website is geen webadres dat begint met https:// of http://."), field="website"
        ) from None


def check_organisation_fields(fields: OrganisationFields, current: Organisation | None) -> None:
    """Raise :class:`OfferRefused` for the first bad field (name unique, known sector/type)."""
    name = one_line(fields.name or "")
    if not name:
        raise OfferRefused(_l("Geef de naam van de organisatie."), field="name")
    if len(name) > 200:
        raise OfferRefused(_l("De naam is te lang (hoogstens 200 tekens)."), field="name")
    if fields.region is None:
        raise OfferRefused(_l("Kies de regio van de organisatie."), field="region")
    if fields.sector not in SECTOR_VALUES:
        raise OfferRefused(_l("Kies een sector uit de lijst."), field="sector")
    if fields.organisation_type not in {t.value for t in OrganisationType}:
        raise OfferRefused(_l("Kies een type organisatie uit de lijst."), field="organisation_type")
    if any(n not in ORGANISATION_INTERNAL_FIELDS for n in fields.internal_fields):
        raise OfferRefused(_l("Kies interne velden uit de lijst."), field="internal_fields")
    limits = {
        "street_address": 200,
        "postal_code": 10,
        "municipality": 100,
        "website": 500,
        "contact_email": 254,
        "contact_phone": 40,
        "note": 3000,
    }
    for field_name, limit in limits.items():
        if len(getattr(fields, field_name) or "") > limit:
            raise OfferRefused(_l("Hoogstens %(max)d tekens.", max=limit), field=field_name)
    same = db.session.scalar(
        select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    )
    if same is not None and (current is None or same != current.id):
        raise OfferRefused(_l("Er is al een organisatie met die naam."), field="name")
    guard_text("note", fields.note)


def apply_organisation(organisation: Organisation, fields: OrganisationFields) -> None:
    """Check ``fields`` and write them onto ``organisation`` (checked today). Flushes."""
    check_organisation_fields(fields, organisation if organisation.id else None)
    organisation.name = one_line(fields.name)
    organisation.region = fields.region
    organisation.sector = fields.sector  # type: ignore[assignment]
    organisation.organisation_type = fields.organisation_type
    organisation.street_address = one_line(fields.street_address)
    organisation.postal_code = one_line(fields.postal_code)[:10]
    organisation.municipality = one_line(fields.municipality)
    organisation.website = _website(fields.website)
    organisation.contact_email = fields.contact_email.strip()
    organisation.contact_phone = one_line(fields.contact_phone)
    organisation.note = fields.note.strip()
    organisation.is_public = fields.is_public
    organisation.internal_fields = sorted(set(fields.internal_fields))
    organisation.last_checked_on = today_in_brussels()
    if organisation.id is None:
        db.session.add(organisation)
    db.session.flush()
    log.info("organisation %s saved", organisation.id)


def set_organisation_retired(organisation: Organisation, retired: bool) -> None:
    """Retire (or reinstate) ``organisation``: a retired one is no longer listed. Flushes."""
    organisation.is_retired = retired
    db.session.flush()


@dataclass(frozen=True)
class BodyFields:
    """The fields of a consultation body (overlegforum)."""

    name: str
    region: Region | None
    sector: str = BodySector.BOTH.value
    description: str = ""
    website: str = ""
    members: Sequence[Organisation] = ()


def apply_body(body: ConsultationBody, fields: BodyFields) -> None:
    """Check ``fields`` and write them onto ``body`` (a new one gets a slug). Flushes.

    Raises :class:`OfferRefused` or ``PersonalDataInRecord`` for a bad field.
    """
    name = one_line(fields.name or "")
    if not name or len(name) > 200:
        raise OfferRefused(
            _l("Geef het overlegforum een naam (hoogstens 200 tekens)."), field="name"
        )
    if fields.region is None:
        raise OfferRefused(_l("Kies de regio van het overlegforum."), field="region")
    if fields.sector not in {s.value for s in BodySector}:
        raise OfferRefused(_l("Kies een sector uit de lijst."), field="sector")
    if len(fields.description or "") > 3000 or len(fields.website or "") > 500:
        field_name = "website" if len(fields.website or "") > 500 else "description"
        raise OfferRefused(
            _l("Hoogstens %(max)d tekens.", max=3000 if field_name == "description" else 500),
            field=field_name,
        )
    guard_text("description", fields.description)
    if body.id is None:
        body.slug = unique_slug(ConsultationBody, name)
        db.session.add(body)
    body.name = name
    body.region = fields.region
    body.sector = fields.sector
    body.description = fields.description.strip()
    body.website = _website(fields.website)
    body.members = list(dict.fromkeys(fields.members))
    body.last_checked_on = today_in_brussels()
    db.session.flush()
    log.info("consultation body %s saved", body.slug)


def set_body_retired(body: ConsultationBody, retired: bool) -> None:
    """Retire (or reinstate) a consultation body. Flushes."""
    body.is_retired = retired
    db.session.flush()
