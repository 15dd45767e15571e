"""The public catalogue as open data: the Open Referral Human Services Data Specification (HSDS).

The tables and field names of HSDS 3.0 (``schema/simple/schema.csv`` of
github.com/openreferral/specification): ``organization``, ``service``, ``location``,
``address``, ``service_at_location``; and ``eligibility`` as in HSDS 2, kept next to the
3.0 ``service.minimum_age``/``maximum_age``/``eligibility_description``. Ids are UUIDs
derived from our ids (uuid5), so they are stable between exports. Only published offers
and public organisations; fields a coordinator marked internal are left empty.
"""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.accounts.models import Organisation
from community.core.extensions import db
from regionmap.models import Offer, OfferStatus
from regionmap.transfer import safe_cell

_NAMESPACE = uuid.UUID("6f1c7a52-5d4b-4c38-9a55-0b8f3d2e9a11")


def hsds_id(kind: str, number: int) -> str:
    """A stable UUID for our record ``kind`` ``number`` (uuid5 in Bruggen's namespace)."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{number}"))


HSDS_TABLES = {
    "organizations": ("id", "name", "description", "email", "website"),
    "services": (
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
    ),
    "locations": ("id", "organization_id", "location_type", "name"),
    "addresses": (
        "id",
        "location_id",
        "address_1",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ),
    "service_at_locations": ("id", "service_id", "location_id"),
    "eligibility": ("id", "service_id", "eligibility", "minimum_age", "maximum_age"),
}


def _public(record, name: str) -> str:
    return "" if record.is_internal(name) else (getattr(record, name) or "")


def hsds_tables() -> dict[str, list[dict]]:
    """The public catalogue as HSDS tables: ``{table: [row dict, ...]}``.

    Only published offers and public, not retired organisations; fields a coordinator
    marked internal are left empty. Two queries plus the loaders, whatever the size.
    """
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.is_public.is_(True), Organisation.is_retired.is_(False))
        .order_by(Organisation.id)
    ).all()
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.status == OfferStatus.PUBLISHED)
        .options(selectinload(Offer.providers), selectinload(Offer.themes))
        .order_by(Offer.id)
    ).all()
    public_ids = {o.id for o in organisations}
    tables: dict[str, list[dict]] = {name: [] for name in HSDS_TABLES}
    for o in organisations:
        org_id = hsds_id("organisation", o.id)
        tables["organizations"].append(
            {
                "id": org_id,
                "name": o.name,
                "description": o.note or o.type_label,
                "email": _public(o, "contact_email"),
                "website": o.website,
            }
        )
        if o.municipality or o.street_address:
            location_id = hsds_id("organisation-location", o.id)
            tables["locations"].append(
                {
                    "id": location_id,
                    "organization_id": org_id,
                    "location_type": "physical",
                    "name": o.name,
                }
            )
            tables["addresses"].append(
                {
                    "id": hsds_id("organisation-address", o.id),
                    "location_id": location_id,
                    "address_1": _public(o, "street_address"),
                    "city": o.municipality,
                    "region": o.region.name if o.region else "",
                    "state_province": o.region.name if o.region else "",
                    "postal_code": o.postal_code,
                    "country": "BE",
                    "address_type": "physical",
                }
            )
    for s in offers:
        service_id = hsds_id("offer", s.id)
        provider = next((p for p in s.providers if p.id in public_ids), None)
        eligibility = "; ".join(x for x in (s.target_group, s.age_label) if x)
        tables["services"].append(
            {
                "id": service_id,
                "organization_id": hsds_id("organisation", provider.id) if provider else "",
                "name": s.title,
                "description": s.description,
                "url": s.website,
                "email": _public(s, "contact_email"),
                "status": "active",
                "application_process": s.how_to_refer,
                "eligibility_description": s.target_group,
                "minimum_age": s.age_min,
                "maximum_age": s.age_max,
                "assured_date": s.last_checked_on.isoformat() if s.last_checked_on else "",
            }
        )
        tables["eligibility"].append(
            {
                "id": hsds_id("offer-eligibility", s.id),
                "service_id": service_id,
                "eligibility": eligibility,
                "minimum_age": s.age_min,
                "maximum_age": s.age_max,
            }
        )
        if provider is not None and (provider.municipality or provider.street_address):
            tables["service_at_locations"].append(
                {
                    "id": hsds_id("offer-location", s.id),
                    "service_id": service_id,
                    "location_id": hsds_id("organisation-location", provider.id),
                }
            )
    return tables


def hsds_csv(table: str) -> bytes:
    """One HSDS table as CSV (comma-separated, UTF-8, the HSDS field names as header).

    Raises ``KeyError`` for a table name not in :data:`HSDS_TABLES`.
    """
    columns = HSDS_TABLES[table]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in hsds_tables()[table]:
        writer.writerow(
            {k: safe_cell("" if row.get(k) is None else str(row.get(k))) for k in columns}
        )
    return out.getvalue().encode("utf-8")
