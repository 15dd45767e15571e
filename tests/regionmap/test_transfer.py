"""Import with preview, export, and the HSDS open data of the catalogue (issue 15)."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from community.core.extensions import db
from regionmap.models import Offer
from regionmap.transfer import OFFER_COLUMNS

BAD_ROWS = {
    # row index (0-based among data rows) -> (what is wrong, the message shown)
    17: ({"soort": "ruimtevaart"}, "De soort „ruimtevaart” is onbekend."),
    40: ({"leeftijd_van": "veertien"}, "is geen leeftijd in jaren"),
    88: ({"regio": "antwerpen"}, "Je houdt het aanbod van regio Antwerpen niet bij."),
    120: ({"doelgroep": "Bv. Jonas (15), 0475 12 34 56"}, "persoonsgegevens"),
    150: ({"aanbieders": "Onbekende vzw"}, "De organisatie „Onbekende vzw” is onbekend"),
    199: ({"naam": ""}, "Geef het aanbod een naam."),
}


def spreadsheet_rows(n: int = 200, bad: bool = True) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        row = {
            "naam": f"Aanbod {i:03d}",
            "soort": "naft" if i % 2 else "schoolextern aanbod",
            "regio": "west-vlaanderen",
            "gemeente": "Brugge" if i % 3 else "Kortrijk",
            "thema": "2",
            "leeftijd_van": "12",
            "leeftijd_tot": "18",
            "beschrijving": "Begeleiding van jongeren die dreigen af te haken.",
            "toegang": "clb, school",
            "aanbieders": "NAFT-aanbieder Brugge",
            "laatst_nagekeken": "2026-09-01",
        }
        if bad and i in BAD_ROWS:
            row.update(BAD_ROWS[i][0])
        rows.append(row)
    return rows


def csv_file(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(OFFER_COLUMNS), delimiter=";")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(OFFER_COLUMNS))
    for row in rows:
        sheet.append([row.get(c, "") for c in OFFER_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def offers() -> int:
    return db.session.scalar(select(func.count()).select_from(Offer))


def upload(client, data: bytes, name: str, what: str = "aanbod", region=""):
    return client.post_form(
        "/kaart/import",
        {"what": what, "region": region, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def commit_token(page: str) -> str:
    import html
    import re

    return html.unescape(
        re.search(r'name="token" required type="hidden" value="([^"]*)"', page).group(1)
    )


def test_a_200_row_spreadsheet_is_previewed_then_committed_in_one_go(
    client, sign_in_as, coordinator, provider, antwerp, themes
):
    sign_in_as(coordinator)
    response = upload(client, csv_file(spreadsheet_rows()), "aanbod.csv")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert offers() == 0  # the preview writes nothing
    assert "194 nieuw, 0 gewijzigd, 0 ongewijzigd, 6 geweigerd" in page
    for _change, message in BAD_ROWS.values():
        assert message in page

    response = client.post_form("/kaart/import/bevestigen", {"token": commit_token(page)})
    assert response.status_code == 302
    assert offers() == 194
    naft = db.session.scalar(select(Offer).where(Offer.title == "Aanbod 001"))
    assert naft.kind == "naft" and naft.access_routes == ["clb", "school"]
    assert [p.name for p in naft.providers] == ["NAFT-aanbieder Brugge"]
    assert [t.number for t in naft.themes] == [2]


def test_the_fixed_rows_are_added_when_the_file_is_imported_again(
    client, sign_in_as, coordinator, provider, antwerp, themes
):
    sign_in_as(coordinator)
    page = upload(client, csv_file(spreadsheet_rows()), "aanbod.csv").get_data(as_text=True)
    client.post_form("/kaart/import/bevestigen", {"token": commit_token(page)})

    fixed = spreadsheet_rows(bad=False)
    fixed[199]["naam"] = "Aanbod 199"
    fixed[3]["gemeente"] = "Oostende"  # one changed row
    fixed[88]["regio"] = "antwerpen"  # not this coordinator's region: still refused
    page = upload(client, xlsx_file(fixed), "aanbod.xlsx").get_data(as_text=True)
    assert "5 nieuw, 1 gewijzigd, 193 ongewijzigd, 1 geweigerd" in page  # Antwerpen stays refused
    client.post_form("/kaart/import/bevestigen", {"token": commit_token(page)})

    assert offers() == 199
    assert db.session.scalar(select(Offer.municipality).where(Offer.title == "Aanbod 003")) == (
        "Oostende"
    )


def test_a_formula_cell_without_a_value_is_refused_by_name_not_read_as_empty(
    client, sign_in_as, coordinator, provider, themes
):
    """A file written by a program that does not compute (openpyxl, a script) holds
    "=A2" with no value: the row is refused naming the column and saying what to do,
    instead of "give it a name" (found by trying the product). Saved values are read."""
    rows = spreadsheet_rows(bad=False)[:3]
    rows[1]["naam"] = '=CONCAT("Aanbod ", "X")'
    sign_in_as(coordinator)
    page = upload(client, xlsx_file(rows), "aanbod.xlsx").get_data(as_text=True)
    assert "2 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 geweigerd" in page
    assert "Kolom naam bevat een formule zonder berekende waarde" in page
    assert offers() == 0


def test_an_unreadable_file_is_refused_with_a_message(client, sign_in_as, coordinator, west):
    sign_in_as(coordinator)
    for data, name, message in [
        (b"", "leeg.csv", "Kies een bestand (CSV of XLSX)."),
        (b"\x00\x01\x02binary", "data.csv", "Dit bestand is geen CSV-tekstbestand."),
        (b"PK\x03\x04 not a zip", "kapot.xlsx", "Het XLSX-bestand kan niet gelezen worden."),
        (b"naam\nx", "foto.jpg", "Alleen CSV- of XLSX-bestanden kunnen worden ingelezen."),
    ]:
        response = upload(client, data, name)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True)
    assert offers() == 0


def test_overlong_and_control_characters_in_cells_are_refused_or_removed(
    client, sign_in_as, coordinator, west
):
    sign_in_as(coordinator)
    data = (
        "naam;regio;soort;gemeente\n"
        f"Te lang;west-vlaanderen;naft;{'x' * 150}\n"
        "Met\x07bel;west-vlaanderen;naft;Brugge\n"
    ).encode()
    page = upload(client, data, "a.csv").get_data(as_text=True)
    assert "Hoogstens 100 tekens." in page and "1 nieuw" in page
    client.post_form("/kaart/import/bevestigen", {"token": commit_token(page)})
    assert db.session.scalars(select(Offer.title)).all() == ["Metbel"]
    nul = upload(client, b"naam;regio\nMet\x00nul;west-vlaanderen\n", "b.csv")
    assert nul.status_code == 422
    assert "Dit bestand is geen CSV-tekstbestand." in nul.get_data(as_text=True)


def test_a_tampered_commit_is_refused_and_writes_nothing(client, sign_in_as, coordinator, west):
    sign_in_as(coordinator)
    for token in ["niet-json", json.dumps({"what": "aanbod", "data": "@@@"}), "[]"]:
        response = client.post_form("/kaart/import/bevestigen", {"token": token})
        assert response.status_code == 422
        assert "kies het bestand opnieuw" in response.get_data(as_text=True)
    assert offers() == 0


def test_the_commit_judges_the_rows_again_for_the_importing_coordinator(
    client, sign_in_as, coordinator, other_coordinator, provider
):
    sign_in_as(coordinator)
    page = upload(client, csv_file(spreadsheet_rows(5, bad=False)), "a.csv").get_data(as_text=True)
    sign_in_as(other_coordinator)  # the token does not carry a permission
    client.post_form("/kaart/import/bevestigen", {"token": commit_token(page)})
    assert offers() == 0


def test_organisations_import(client, sign_in_as, coordinator, west):
    sign_in_as(coordinator)
    data = (
        b"naam;regio;sector;type;gemeente;publiek\n"
        b"CLB Brugge;west-vlaanderen;onderwijs;CLB;Brugge;ja\n"
        b"Zonder sector;west-vlaanderen;;school;Ieper;ja\n"
    )
    page = upload(client, data, "org.csv", what="organisaties").get_data(as_text=True)
    assert "1 nieuw" in page and "De sector ontbreekt." in page
    client.post_form("/kaart/import/bevestigen", {"token": commit_token(page)})
    listing = client.get("/organisaties?regio=west-vlaanderen").get_data(as_text=True)
    assert "CLB Brugge" in listing and "Zonder sector" not in listing


def test_export_is_importable_again_and_neutralises_formulas(
    client, sign_in_as, coordinator, make_offer, provider
):
    make_offer(title="=HYPERLINK(1)", providers=[provider])
    sign_in_as(coordinator)
    response = client.get("/kaart/export/aanbod.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(OFFER_COLUMNS)
    assert rows[1][1] == "'=HYPERLINK(1)"
    text = client.get("/kaart/export/aanbod.csv").data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("code;naam;soort")


def test_hsds_open_data_has_the_public_catalogue_without_internal_fields(
    client, make_offer, provider
):
    make_offer(
        title="NAFT Brugge",
        providers=[provider],
        contact_email="naft@example.org",
        internal_fields=["contact_email"],
        target_group="Leerlingen die dreigen af te haken",
    )
    data = client.get("/open-data/hsds.json").get_json()
    service = data["services"][0]
    assert service["name"] == "NAFT Brugge"
    assert service["email"] == "" and service["minimum_age"] == 12
    assert service["organization_id"] == data["organizations"][0]["id"]
    assert data["eligibility"][0]["service_id"] == service["id"]
    assert data["addresses"][0]["city"] == "Brugge"
    assert data["service_at_locations"][0]["location_id"] == data["locations"][0]["id"]

    table = client.get("/open-data/hsds/services.csv").get_data(as_text=True)
    assert table.splitlines()[0].startswith("id,organization_id,name,description,url,email")
    assert "naft@example.org" not in table
    assert client.get("/open-data/hsds/geheim.csv").status_code == 404


def test_csv_downloads_name_their_charset_once(
    client, sign_in_as, coordinator, make_offer, provider
):
    """``mimetype=`` with a charset made Werkzeug add a second one:
    ``text/csv; charset=utf-8; charset=utf-8`` (RFC 9110 8.3.1: one parameter of a name)."""
    make_offer(title="NAFT Brugge", providers=[provider])
    assert client.get("/open-data/hsds/services.csv").content_type == "text/csv; charset=utf-8"
    sign_in_as(coordinator)
    for path in ("/kaart/export/aanbod.csv", "/kaart/export/organisaties.csv"):
        assert client.get(path).content_type == "text/csv; charset=utf-8"
