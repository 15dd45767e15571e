"""The name a downloaded file gets: UTF-8 ``filename*`` plus a readable ASCII ``filename``.

RFC 6266 section 4.3 and RFC 8187; issue 13, "Small things a user hits".
"""

from __future__ import annotations

import pytest

from community.core.storage.local import get_storage
from community.library.models import Material, MaterialType
from community.library.views.materials import ascii_file_name
from tests.pages_helpers import add

PDF = b"%PDF-1.4\n% Bruggen test\n%%EOF\n"


def _material(name: str, slug: str) -> Material:
    key = get_storage().save(PDF)
    return add(
        Material(
            slug=slug,
            title="Verslag",
            type=MaterialType.REPORT,
            file_key=key,
            file_name=name,
            content_type="application/pdf",
            file_size=len(PDF),
        )
    )


def test_a_file_with_only_a_cyrillic_name_downloads_as_bestand_pdf_for_old_clients(client):
    _material("Доклад.pdf", "doklad")

    response = client.get("/materiaal/doklad/download")

    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and response.data == PDF
    assert disposition == (
        'inline; filename="bestand.pdf"; '
        "filename*=UTF-8''%D0%94%D0%BE%D0%BA%D0%BB%D0%B0%D0%B4.pdf"
    )


def test_a_latin_name_keeps_its_letters_without_accents(client):
    _material("Aanbevelingen coördinatoren.pdf", "aanbevelingen")

    disposition = client.get("/materiaal/aanbevelingen/download").headers["Content-Disposition"]

    assert 'filename="Aanbevelingen coordinatoren.pdf"' in disposition
    assert "filename*=UTF-8''Aanbevelingen%20co%C3%B6rdinatoren.pdf" in disposition


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("Доклад.pdf", "bestand.pdf"),
        ("报告", "bestand"),
        (".pdf", "bestand.pdf"),
        ("Σύνοψη 2024.docx", "2024.docx"),
        ("v1.0 definitief", "v1.0 definitief"),
        ('Verslag "juni"\\.pdf', "Verslag juni.pdf"),
        ("Доклад.док", "bestand"),
        ("Coördinatie – één.pptx", "Coordinatie een.pptx"),
    ],
)
def test_the_ascii_fallback_is_readable_and_keeps_the_extension(name, fallback):
    assert ascii_file_name(name) == fallback
