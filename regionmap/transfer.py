"""Spreadsheets in and out: import offer or organisations (preview, then one unit of work),
and export the same columns.

Import (issue 15): a coordinator uploads CSV or XLSX; :func:`preview_import` reads every
row and says what would happen to it (``create``, ``change``, ``same`` or ``refused``
with the reason), writing nothing; :func:`commit_import` runs the same reading again and
writes every acceptable row in the caller's one transaction (the view commits once, or
rolls back: nothing half-written). A row is matched to an existing record by its
``code`` (the offer's slug) or else by name and region (an organisation: by name).
Rows of a region the coordinator does not keep are refused.

The open data (HSDS) is in :mod:`regionmap.hsds`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from community.accounts.models import (
    SECTOR_VALUES,
    Organisation,
    OrganisationType,
    Region,
    Sector,
    Theme,
)
from community.accounts.permissions import can_coordinate_in
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.locks import lock_for_update
from community.core.text import clean_text, one_line
from regionmap.catalogue import (
    OfferFields,
    OfferRefused,
    PersonalDataInRecord,
    check_offer_fields,
    create_offer,
    update_offer,
)
from regionmap.models import AccessRoute, Offer, OfferKind, OfferStatus
from regionmap.organisations import OrganisationFields, apply_organisation

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
MAX_CELL = 5_000

OFFER_COLUMNS = (
    "code",
    "naam",
    "soort",
    "regio",
    "gemeente",
    "thema",
    "leeftijd_van",
    "leeftijd_tot",
    "beschrijving",
    "doelgroep",
    "sector",
    "toegang",
    "aanbieders",
    "doorverwijzen",
    "contact_organisatie",
    "contact_adres",
    "contact_email",
    "contact_telefoon",
    "website",
    "wachttijd",
    "capaciteit",
    "laatst_nagekeken",
)

ORGANISATION_COLUMNS = (
    "naam",
    "regio",
    "sector",
    "type",
    "straat",
    "postcode",
    "gemeente",
    "website",
    "email",
    "telefoon",
    "publiek",
)


class SpreadsheetRefused(DomainError):
    """The uploaded file cannot be read as a spreadsheet of the expected columns."""

    status = 422
    field = "file"


@dataclass
class RowOutcome:
    """What happens to one row: ``action`` create/change/same/refused, with the reason."""

    number: int  # the row number in the sheet (the header is row 1)
    name: str
    action: str
    reason: Reason | str = ""
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    """Every row's outcome, and the counts per action."""

    rows: list[RowOutcome]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


# --- reading -------------------------------------------------------------------------


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """Return the rows of a CSV or XLSX file as dicts keyed by lower-case header.

    CSV: UTF-8 (with or without BOM) or else Windows-1252, ``;`` or ``,`` separated.
    XLSX: the first sheet. Raises :class:`SpreadsheetRefused` for an empty, too large or
    unreadable file, or more than :data:`MAX_ROWS` rows.
    """
    if not data:
        raise SpreadsheetRefused(_l("Kies een bestand (CSV of XLSX)."))
    if len(data) > MAX_BYTES:
        raise SpreadsheetRefused(_l("Het bestand is te groot (hoogstens 2 MB)."))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        table = _xlsx_rows(data)
    elif name.endswith(".csv") or name.endswith(".txt") or not name:
        table = _csv_rows(data)
    else:
        raise SpreadsheetRefused(_l("Alleen CSV- of XLSX-bestanden kunnen worden ingelezen."))
    if not table:
        raise SpreadsheetRefused(_l("Het bestand bevat geen rijen."))
    header = [(one_line(str(h or "")) or "").lower()[:40] for h in table[0]]
    rows: list[dict[str, str]] = []
    for values in table[1:]:
        cells = ["" if v is None or isinstance(v, _Formula) else _cell(v) for v in values]
        formulas = [
            header[i] for i, v in enumerate(values) if isinstance(v, _Formula) and i < len(header)
        ]
        if not any(cells) and not formulas:
            rows.append({})  # keep row numbers; an empty row is skipped later
            continue
        row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        if formulas:
            row[FORMULA_KEY] = ", ".join(h for h in formulas if h) or "?"
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise SpreadsheetRefused(
            _l("Het bestand heeft te veel rijen (hoogstens %(n)s).", n=MAX_ROWS)
        )
    return rows


def _cell(value) -> str:
    """A cell as text: dates ISO 8601, whole numbers without ".0", control characters out
    (``clean_text``: PostgreSQL refuses a NUL), at most 5,000 characters."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value)).strip()[:MAX_CELL]


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise SpreadsheetRefused(_l("Dit bestand is geen CSV-tekstbestand."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise SpreadsheetRefused(_l("Het CSV-bestand kan niet gelezen worden.")) from None


#: Key in a row for the columns whose cell holds a formula without a computed value.
FORMULA_KEY = "\x00formula"


class _Formula:
    """A cell holding a formula whose value the file does not carry (a file written by a
    program that does not compute, not saved by Excel or LibreOffice): not read as empty."""


def _first_sheet_values(data: bytes, *, data_only: bool) -> list[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    rows = []
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _xlsx_rows(data: bytes) -> list[list]:
    """The first sheet's values; a formula cell gives its value as last computed and
    saved, or :class:`_Formula` when the file holds none."""
    try:
        rows = _first_sheet_values(data, data_only=True)
        if any(value is None for row in rows for value in row):
            formulas = _first_sheet_values(data, data_only=False)
            for row, written in zip(rows, formulas, strict=False):
                for i, value in enumerate(row):
                    text = written[i] if i < len(written) else None
                    if value is None and isinstance(text, str) and text.startswith("="):
                        row[i] = _Formula()
        return rows
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetRefused(_l("Het XLSX-bestand kan niet gelezen worden.")) from None


# --- values --------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, message) -> None:
        super().__init__("row refused")
        self.message = message  # a lazy string: shown in the language of the page


class Reason:
    """Why a row is refused, in the language of the moment it is shown (a lazy message)."""

    def __init__(self, source) -> None:
        self.source = source

    def __str__(self) -> str:
        source = self.source
        return source.message if isinstance(source, DomainError) else str(source)

    def __bool__(self) -> bool:
        return True


def _refuse_formulas(row: dict[str, str]) -> None:
    """Refuse a row with a formula cell that carries no value (:class:`_Formula`), naming
    its columns, instead of reading the cell as empty."""
    if FORMULA_KEY in row:
        raise _RowError(
            _l(
                "Kolom %(columns)s bevat een formule zonder berekende waarde. Open het bestand "
                "in Excel of LibreOffice en bewaar het opnieuw, of plak de waarden in plaats "
                "van de formule.",
                columns=row[FORMULA_KEY],
            )
        )


def _choice(value: str, members: Iterable, what) -> str:
    """The member of ``members`` whose value or Dutch label is ``value`` (any case)."""
    wanted = value.strip().lower()
    with force_locale("nl"):  # spreadsheets use the Dutch labels, whatever the page's language
        for member in members:
            if wanted in (member.value.lower(), member.label.lower()):
                return member.value
    raise _RowError(_l("%(what)s „%(value)s” is onbekend.", what=what, value=value))


def _age(value: str, what) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 3:
        raise _RowError(
            _l("%(what)s „%(value)s” is geen leeftijd in jaren.", what=what, value=value)
        )
    return int(value)


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _RowError(_l("De datum „%(value)s” is geen datum JJJJ-MM-DD.", value=value)) from None


@dataclass
class _Lookup:
    regions: dict[str, Region]
    themes: dict[int, Theme]
    organisations: dict[str, Organisation]

    @classmethod
    def load(cls) -> _Lookup:
        regions: dict[str, Region] = {}
        for region in db.session.scalars(select(Region)):
            regions[region.slug.lower()] = region
            regions[region.name.lower()] = region
        themes = {t.number: t for t in db.session.scalars(select(Theme))}
        organisations = {o.name.lower(): o for o in db.session.scalars(select(Organisation))}
        return cls(regions, themes, organisations)

    def region(self, value: str, default: Region | None) -> Region:
        value = value.strip().lower()
        if not value:
            if default is None:
                raise _RowError(_l("De regio ontbreekt."))
            return default
        region = self.regions.get(value)
        if region is None:
            raise _RowError(_l("De regio „%(value)s” is onbekend.", value=value))
        return region

    def organisation(self, name: str) -> Organisation:
        organisation = self.organisations.get(name.strip().lower())
        if organisation is None:
            raise _RowError(
                _l(
                    "De organisatie „%(name)s” is onbekend; importeer eerst de organisaties.",
                    name=name.strip(),
                )
            )
        return organisation


def _offer_fields(
    row: dict[str, str], lookup: _Lookup, default_region: Region | None
) -> OfferFields:
    g = lambda name: (row.get(name) or "").strip()  # noqa: E731
    themes = []
    for part in g("thema").replace(";", ",").split(","):
        part = part.strip().lower().removeprefix("thema").strip()
        if not part:
            continue
        if part in ("beide", "both"):
            themes = list(lookup.themes.values())
            break
        if not part.isdigit() or int(part) not in lookup.themes:
            raise _RowError(_l("Het thema „%(value)s” is onbekend.", value=part))
        themes.append(lookup.themes[int(part)])
    routes = [
        _choice(p, AccessRoute, _l("De toegangsweg"))
        for p in g("toegang").replace(";", ",").split(",")
        if p.strip()
    ]
    providers = [lookup.organisation(p) for p in g("aanbieders").split(";") if p.strip()]
    contact = lookup.organisation(g("contact_organisatie")) if g("contact_organisatie") else None
    return OfferFields(
        title=g("naam"),
        region=lookup.region(g("regio"), default_region),
        kind=_choice(g("soort"), OfferKind, _l("De soort"))
        if g("soort")
        else OfferKind.OTHER.value,
        description=g("beschrijving"),
        target_group=g("doelgroep"),
        age_min=_age(g("leeftijd_van"), _l("De leeftijd")),
        age_max=_age(g("leeftijd_tot"), _l("De leeftijd")),
        themes=sorted(set(themes), key=lambda t: t.number),
        municipality=g("gemeente"),
        provider_sector=_choice(g("sector"), Sector, _l("De sector")) if g("sector") else None,
        access_routes=routes,
        providers=providers,
        how_to_refer=g("doorverwijzen"),
        contact_organisation=contact,
        contact_address=g("contact_adres"),
        contact_email=g("contact_email"),
        contact_phone=g("contact_telefoon"),
        website=g("website"),
        waiting_time=g("wachttijd"),
        capacity=g("capaciteit"),
        last_checked_on=_date(g("laatst_nagekeken")),
    )


def _offer_changes(offer: Offer, fields: OfferFields) -> list[str]:
    simple = {
        "naam": (offer.title, one_line(fields.title)),
        "soort": (offer.kind, fields.kind),
        "gemeente": (offer.municipality, one_line(fields.municipality)),
        "beschrijving": (offer.description, fields.description),
        "doelgroep": (offer.target_group, fields.target_group),
        "leeftijd_van": (offer.age_min, fields.age_min),
        "leeftijd_tot": (offer.age_max, fields.age_max),
        "sector": (offer.provider_sector, fields.provider_sector),
        "toegang": (sorted(offer.access_routes or []), sorted(fields.access_routes)),
        "thema": ([t.id for t in offer.themes], [t.id for t in fields.themes]),
        "aanbieders": (
            sorted(o.id for o in offer.providers),
            sorted({o.id for o in fields.providers}),
        ),
        "doorverwijzen": (offer.how_to_refer, fields.how_to_refer),
        "contact_organisatie": (
            offer.contact_organisation_id,
            fields.contact_organisation.id if fields.contact_organisation else None,
        ),
        "contact_adres": (offer.contact_address, fields.contact_address),
        "contact_email": (offer.contact_email, fields.contact_email),
        "contact_telefoon": (offer.contact_phone, fields.contact_phone),
        "website": (offer.website, fields.website),
        "wachttijd": (offer.waiting_time, fields.waiting_time),
        "capaciteit": (offer.capacity, fields.capacity),
    }
    return [name for name, (old, new) in simple.items() if (old or None) != (new or None)]


def _find_offer(row: dict[str, str], fields: OfferFields) -> Offer | None:
    code = (row.get("code") or "").strip()
    if code:
        found = db.session.scalar(select(Offer).where(Offer.slug == code))
        if found is None:
            raise _RowError(_l("Er is geen aanbod met code „%(code)s”.", code=code))
        return found
    assert fields.region is not None
    return db.session.scalar(
        select(Offer)
        .where(
            func.lower(Offer.title) == one_line(fields.title).lower(),
            Offer.region_id == fields.region.id,
            Offer.status != OfferStatus.PROPOSED,
        )
        .options(selectinload(Offer.themes), selectinload(Offer.providers))
        .limit(1)
    )


def _run_offers(rows, user, default_region, *, write: bool) -> ImportPreview:
    lookup = _Lookup.load()
    outcomes = []
    seen: set[tuple[int, str]] = set()
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        name = one_line(row.get("naam") or "") or ""
        try:
            _refuse_formulas(row)
            fields = _offer_fields(row, lookup, default_region)
            check_offer_fields(fields)
            assert fields.region is not None
            if not can_coordinate_in(user, fields.region.id):
                raise _RowError(
                    _l(
                        "Je houdt het aanbod van regio %(region)s niet bij.",
                        region=fields.region.name,
                    )
                )
            key = (fields.region.id, name.lower())
            if key in seen:
                raise _RowError(_l("Deze rij herhaalt een eerdere rij (zelfde naam en regio)."))
            seen.add(key)
            existing = _find_offer(row, fields)
            if existing is not None and not can_coordinate_in(user, existing.region_id):
                raise _RowError(_l("Dat aanbod hoort bij een regio die je niet bijhoudt."))
        except _RowError as error:
            outcomes.append(RowOutcome(number, name, "refused", Reason(error.message)))
            continue
        except (OfferRefused, PersonalDataInRecord) as error:
            outcomes.append(RowOutcome(number, name, "refused", Reason(error)))
            continue
        if existing is None:
            outcomes.append(RowOutcome(number, name, "create"))
            if write:
                create_offer(fields, by=user)
        else:
            changes = _offer_changes(existing, fields)
            outcomes.append(
                RowOutcome(number, name, "change" if changes else "same", changes=changes)
            )
            if write and changes:
                update_offer(existing, fields)
    return ImportPreview(outcomes)


def _organisation_fields(row, lookup: _Lookup, default_region) -> OrganisationFields:
    g = lambda name: (row.get(name) or "").strip()  # noqa: E731
    public = g("publiek").lower()
    if public and public not in ("ja", "nee", "yes", "no", "1", "0", "true", "false"):
        raise _RowError(_l("„publiek” is ja of nee, niet „%(value)s”.", value=g("publiek")))
    return OrganisationFields(
        name=g("naam"),
        region=lookup.region(g("regio"), default_region),
        sector=_choice(g("sector"), Sector, _l("De sector")) if g("sector") else "",
        organisation_type=(
            _choice(g("type"), OrganisationType, _l("Het type"))
            if g("type")
            else OrganisationType.OTHER.value
        ),
        street_address=g("straat"),
        postal_code=g("postcode"),
        municipality=g("gemeente"),
        website=g("website"),
        contact_email=g("email"),
        contact_phone=g("telefoon"),
        is_public=public not in ("nee", "no", "0", "false"),
    )


def _run_organisations(rows, user, default_region, *, write: bool) -> ImportPreview:
    lookup = _Lookup.load()
    outcomes = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        name = one_line(row.get("naam") or "") or ""
        try:
            _refuse_formulas(row)
            fields = _organisation_fields(row, lookup, default_region)
            if fields.sector not in SECTOR_VALUES:
                raise _RowError(_l("De sector ontbreekt."))
            assert fields.region is not None
            if not can_coordinate_in(user, fields.region.id):
                raise _RowError(
                    _l(
                        "Je houdt de organisaties van regio %(region)s niet bij.",
                        region=fields.region.name,
                    )
                )
            if name.lower() in seen:
                raise _RowError(_l("Deze rij herhaalt een eerdere rij (zelfde naam)."))
            seen.add(name.lower())
            existing = lookup.organisations.get(name.lower())
            if existing is not None and not can_coordinate_in(user, existing.region_id):
                raise _RowError(_l("Die organisatie hoort bij een regio die je niet bijhoudt."))
            target = existing or Organisation()
            if write:
                apply_organisation(target, fields)
                lookup.organisations[name.lower()] = target
            else:
                from regionmap.organisations import check_organisation_fields

                check_organisation_fields(fields, existing)
        except _RowError as error:
            outcomes.append(RowOutcome(number, name, "refused", Reason(error.message)))
            continue
        except (OfferRefused, PersonalDataInRecord) as error:
            outcomes.append(RowOutcome(number, name, "refused", Reason(error)))
            continue
        outcomes.append(RowOutcome(number, name, "create" if existing is None else "change"))
    return ImportPreview(outcomes)


def preview_import(
    what: str, data: bytes, filename: str, user, region: Region | None
) -> ImportPreview:
    """Return what importing the file would do to each row; writes nothing.

    ``what`` is "aanbod" or "organisaties"; ``region`` is the default for rows without
    one. Raises :class:`SpreadsheetRefused` for a file that cannot be read.
    """
    rows = read_rows(data, filename)
    runner = _run_offers if what == "aanbod" else _run_organisations
    return runner(rows, user, region, write=False)


def commit_import(
    what: str, data: bytes, filename: str, user, region: Region | None
) -> ImportPreview:
    """Write every acceptable row (as :func:`preview_import` decides) in the current unit of
    work and return the outcomes; the caller commits once, or rolls back on an error.

    Refused rows are skipped (the preview named them); the rows are read and checked again,
    so a record changed since the preview is judged as it is now.
    """
    rows = read_rows(data, filename)
    _lock_regions(rows, region)
    runner = _run_offers if what == "aanbod" else _run_organisations
    return runner(rows, user, region, write=True)


def _lock_regions(rows: list[dict[str, str]], default: Region | None) -> None:
    """Take the row locks of the regions the rows name, in id order: two imports into one
    region take turns, so the second finds what the first created (no duplicates)."""
    wanted = {(row.get("regio") or "").strip().lower() for row in rows if row}
    regions = {
        r.id: r
        for r in db.session.scalars(select(Region))
        if r.slug.lower() in wanted or r.name.lower() in wanted
    }
    if default is not None and "" in wanted:
        regions[default.id] = default
    for region_id in sorted(regions):
        lock_for_update(regions[region_id])


# --- export ------------------------------------------------------------------------


def offer_rows(offers: Iterable[Offer]) -> list[list[str]]:
    """The rows (header first) of the import format for ``offers`` (importable again)."""
    rows: list[list[str]] = [list(OFFER_COLUMNS)]
    for o in offers:
        rows.append(
            [
                o.slug,
                o.title,
                o.kind,
                o.region.slug,
                o.municipality,
                ",".join(str(t.number) for t in o.themes),
                "" if o.age_min is None else str(o.age_min),
                "" if o.age_max is None else str(o.age_max),
                o.description,
                o.target_group,
                o.provider_sector or "",
                ",".join(o.access_routes or []),
                ";".join(p.name for p in o.providers),
                o.how_to_refer,
                o.contact_organisation.name if o.contact_organisation else "",
                o.contact_address,
                o.contact_email,
                o.contact_phone,
                o.website,
                o.waiting_time,
                o.capacity,
                o.last_checked_on.isoformat() if o.last_checked_on else "",
            ]
        )
    return rows


def organisation_rows(organisations: Iterable[Organisation]) -> list[list[str]]:
    """The rows (header first) of the import format for ``organisations``."""
    rows: list[list[str]] = [list(ORGANISATION_COLUMNS)]
    for o in organisations:
        rows.append(
            [
                o.name,
                o.region.slug if o.region else "",
                o.sector,
                o.organisation_type,
                o.street_address,
                o.postal_code,
                o.municipality,
                o.website,
                o.contact_email,
                o.contact_phone,
                "ja" if o.is_public else "nee",
            ]
        )
    return rows


def safe_cell(value: str) -> str:
    """Neutralise a cell a spreadsheet program would run as a formula (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Return ``rows`` as a UTF-8 CSV (with BOM, ``;``-separated: Excel in Flanders)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        writer.writerow([safe_cell(str(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list[str]], title: str) -> bytes:
    """Return ``rows`` as an XLSX workbook with one sheet ``title``."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append([safe_cell(str(v)) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
