"""Upload checks without a request: type from the content, cleaned names, links, PDF text."""

from __future__ import annotations

import pytest

from community.library.uploads import (
    MAX_NAME_LENGTH,
    UploadRefused,
    check_upload,
    check_web_link,
    clean_filename,
    detect_kind,
    extract_pdf_text,
)
from tests.community.library_files import (
    HTML_AS_PDF,
    SVG_WITH_ONLOAD,
    jpeg,
    odf,
    ooxml,
    pdf,
    plain_zip,
    png,
)


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (pdf(), "agenda.pdf", "application/pdf"),
        (png(), "logo.png", "image/png"),
        (jpeg(), "foto.jpg", "image/jpeg"),
        (jpeg(), "foto.jpeg", "image/jpeg"),
        (
            ooxml("docx"),
            "verslag.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            ooxml("xlsx"),
            "cijfers.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            ooxml("pptx"),
            "slides.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (odf("odt"), "tekst.odt", "application/vnd.oasis.opendocument.text"),
        (odf("ods"), "rekenblad.ods", "application/vnd.oasis.opendocument.spreadsheet"),
        (odf("odp"), "presentatie.odp", "application/vnd.oasis.opendocument.presentation"),
    ],
)
def test_allowed_kinds_are_recognised_by_their_content(data, name, mime):
    checked = check_upload(data, name)

    assert checked.kind.mime == mime
    assert checked.name == name
    assert checked.size == len(data)


@pytest.mark.parametrize(
    "data",
    [
        HTML_AS_PDF,
        SVG_WITH_ONLOAD,
        b"#!/bin/sh\nrm -rf ~\n",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
        plain_zip(),
        ooxml("docm"),
        odf("odt", mimetype="application/x-shockwave-flash"),
        b"%!PS-Adobe-3.0\n",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    ],
    ids=["html", "svg", "script", "exe", "elf", "zip", "docm", "odf-bad-mimetype", "ps", "gif"],
)
def test_other_kinds_are_refused_whatever_their_name(data):
    assert detect_kind(data) is None
    with pytest.raises(UploadRefused) as refused:
        check_upload(data, "agenda.pdf")

    assert "Dit soort bestand kan je hier niet delen" in str(refused.value.message)


def test_a_pdf_name_on_html_is_refused_as_not_allowed():
    # shared/cases K3: agenda.pdf whose bytes are HTML, however the browser labels it.
    with pytest.raises(UploadRefused) as refused:
        check_upload(HTML_AS_PDF, "agenda.pdf")

    assert "Toegelaten zijn: PDF" in str(refused.value.message)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [(png(), "agenda.pdf", "PNG"), (pdf(), "slides.pptx", "PDF"), (pdf(), "logo.svg", "PDF")],
)
def test_a_name_that_disagrees_with_the_content_is_refused(data, name, kind):
    with pytest.raises(UploadRefused) as refused:
        check_upload(data, name)

    message = str(refused.value.message)
    assert "past niet bij de inhoud" in message and f"het is een {kind}-bestand" in message


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused) as refused:
        check_upload(b"", "leeg.pdf")

    assert str(refused.value.message) == "Het bestand is leeg. Kies een bestand met inhoud."


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("../../templates/base.pdf", "base.pdf"),
        ("..\\..\\win.pdf", "win.pdf"),
        ("/etc/passwd", "passwd.pdf"),
        ("C:\\Users\\an\\Verslag.pdf", "Verslag.pdf"),
        (".", "bestand.pdf"),
        ("....", "bestand.pdf"),
        ("", "bestand.pdf"),
        (None, "bestand.pdf"),
        (".pdf", "bestand.pdf"),
        ("rap\x00port.pdf", "rapport.pdf"),
        ("line\nbreak\r.pdf", "linebreak.pdf"),
        ("gpj\u202e.pdf", "gpj.pdf"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("  .verborgen.pdf  ", "verborgen.pdf"),
        ("Aanbevelingen coördinatoren.pdf", "Aanbevelingen coördinatoren.pdf"),
        ("rapport.PDF", "rapport.pdf"),
    ],
)
def test_clean_filename_keeps_no_path_and_no_control_characters(given, cleaned):
    assert clean_filename(given, "pdf") == cleaned


def test_clean_filename_cuts_a_long_name_keeping_the_extension():
    name = clean_filename("a" * 300 + ".pdf", "pdf")

    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith("a.pdf")


def test_a_name_without_extension_gets_the_detected_one():
    assert check_upload(pdf(), "/etc/passwd").name == "passwd.pdf"
    assert check_upload(png(), ".").name == "bestand.png"
    assert check_upload(jpeg(), "foto.JPEG").name == "foto.jpeg"
    assert check_upload(jpeg(), "foto").name == "foto.jpg"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://ftp.example.org/rapport.pdf",
        "file:///etc/passwd",
        "//example.org/zonder-schema",
        "/materiaal",
        "https://",
        "https://example.org/met spatie",
        "",
    ],
)
def test_a_link_that_is_not_http_or_https_is_refused(url):
    with pytest.raises(UploadRefused) as refused:
        check_web_link(url)

    assert refused.value.field == "url"
    assert "begint met https://" in str(refused.value.message)


def test_an_http_or_https_link_is_accepted():
    assert check_web_link("  https://www.onderwijs.vlaanderen.be/leerrecht ") == (
        "https://www.onderwijs.vlaanderen.be/leerrecht"
    )
    assert check_web_link("http://example.org") == "http://example.org"


def test_pdf_text_is_extracted_for_the_search():
    text = extract_pdf_text(pdf("Aanbevelingen voor beleid", "Spijbelen en leerrecht."))

    assert "Aanbevelingen voor beleid" in text
    assert "leerrecht" in text


def test_a_damaged_pdf_gives_no_text_and_no_error():
    assert extract_pdf_text(b"%PDF-1.7\n this is not really a pdf") == ""
