"""Sharing material through the form: safe uploads, links, downloads, and refused bad input."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from community.library.models import Material, MaterialVersion
from tests.community.library_files import HTML_AS_PDF, SVG_WITH_ONLOAD, pdf, png
from tests.pages_helpers import sign_in

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def member(make_user, make_region):
    region = make_region(slug="oost-vlaanderen", name="Oost-Vlaanderen")
    return make_user(region=region)


@pytest.fixture
def signed_in(client, member):
    sign_in(client, member)
    return member


def form(region=None, **overrides) -> dict:
    data = {
        "title": "Aanbevelingen coördinatoren",
        "description": "Wat we leerden. <script>alert(1)</script>",
        "type": "recommendations",
        "region": str(region.id) if region else "",
        "tags": "beleid, Samenwerking",
        "language": "nl",
        "licence": "CC BY 4.0",
        "visibility": "public",
        "url": "",
    }
    data.update(overrides)
    return data


def share(client, data: bytes | None = None, name: str = "rapport.pdf", **fields):
    payload = form(**fields)
    if data is not None:
        payload["file"] = (io.BytesIO(data), name, "application/pdf")
    return client.post_form("/materiaal/nieuw", payload, content_type="multipart/form-data")


def upload_root(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def stored_files(app) -> list[Path]:
    root = upload_root(app)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Material)),
        db.session.scalar(select(func.count()).select_from(MaterialVersion)),
    )


# --- sharing ---------------------------------------------------------------------------


def test_member_shares_a_pdf_stored_under_its_content_key(app, client, signed_in):
    data = pdf("Aanbevelingen voor beleid en praktijk", "Over leerrecht en spijbelen.")

    response = share(client, data, name="Aanbevelingen coördinatoren.pdf", region=signed_in.region)

    material = db.session.scalar(select(Material))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/materiaal/{material.slug}"
    key = hashlib.sha256(data).hexdigest()
    assert material.file_key == key
    assert stored_files(app) == [upload_root(app) / key[:2] / key]
    assert material.file_name == "Aanbevelingen coördinatoren.pdf"
    assert material.content_type == "application/pdf" and material.file_size == len(data)
    assert "leerrecht" in material.file_text
    assert [t.name for t in material.tags] == ["beleid", "Samenwerking"]
    assert material.uploader == signed_in and material.region == signed_in.region
    assert "<script>" not in material.description_html
    [version] = material.versions
    assert (version.number, version.file_key, version.uploader) == (1, key, signed_in)


def test_download_gives_back_the_original_name_intact_and_is_never_sniffed(client, signed_in):
    data = pdf("Aanbevelingen")
    share(client, data, name="Aanbevelingen coördinatoren.pdf")
    material = db.session.scalar(select(Material))

    response = client.get(f"/materiaal/{material.slug}/download")

    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''Aanbevelingen%20co%C3%B6rdinatoren.pdf" in disposition
    assert 'filename="Aanbevelingen coordinatoren.pdf"' in disposition


def test_office_files_are_downloaded_as_attachment(client, signed_in):
    from tests.community.library_files import ooxml

    share(client, ooxml("pptx"), name="slides.pptx", type="presentation")
    material = db.session.scalar(select(Material))

    response = client.get(f"/materiaal/{material.slug}/download")

    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    )
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_stored_html_type_is_never_served_as_html(client, make_user):
    # Even a row that claims text/html (e.g. written by an older version) is sent as bytes.
    from community.core.storage.local import get_storage

    key = get_storage().save(HTML_AS_PDF)
    db.session.add(
        Material(
            slug="oud",
            title="Oud",
            type="other",
            file_key=key,
            file_name="agenda.html",
            content_type="text/html",
        )
    )
    db.session.commit()

    response = client.get("/materiaal/oud/download")

    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_member_shares_a_link(client, signed_in):
    response = share(client, url="https://www.onderwijs.vlaanderen.be/leerrecht")

    material = db.session.scalar(select(Material))
    assert response.status_code == 302
    assert material.url == "https://www.onderwijs.vlaanderen.be/leerrecht"
    assert material.file_key is None and material.versions == []
    download = client.get(f"/materiaal/{material.slug}/download")
    assert download.headers["Location"] == "https://www.onderwijs.vlaanderen.be/leerrecht"


def test_members_only_material_is_hidden_from_visitors(client, signed_in):
    share(client, pdf("Interne nota"), visibility="members")
    material = db.session.scalar(select(Material))
    client.get("/afmelden")
    with client.session_transaction() as session:
        session.clear()

    response = client.get(f"/materiaal/{material.slug}/download")

    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_the_form_is_for_verified_members_only(client, make_user):
    assert "/aanmelden" in client.get("/materiaal/nieuw").headers["Location"]
    sign_in(client, make_user(is_verified=False))

    response = share(client, pdf())

    assert response.status_code == 403
    assert rows() == (0, 0)


def test_the_form_shows_for_a_member(client, signed_in):
    html = client.get("/materiaal/nieuw").get_data(as_text=True)

    assert 'enctype="multipart/form-data"' in html
    assert "CC BY-NC 4.0" in html and "alle rechten voorbehouden" in html


# --- bad input ---------------------------------------------------------------------------

BAD_FILES = [
    pytest.param(b"", "leeg.pdf", "Het bestand is leeg.", id="empty"),
    pytest.param(HTML_AS_PDF, "agenda.pdf", "Dit soort bestand kan je hier niet delen", id="html"),
    pytest.param(SVG_WITH_ONLOAD, "logo.svg", "Dit soort bestand kan je hier niet delen", id="svg"),
    pytest.param(png(), "agenda.pdf", "past niet bij de inhoud", id="png-as-pdf"),
    pytest.param(pdf(), "../../templates/base.html", "past niet bij de inhoud", id="dotdot"),
    pytest.param(pdf(), "..\\..\\win.ini", "past niet bij de inhoud", id="backslashes"),
    pytest.param(pdf(), "rapport.pdf\x00.html", "past niet bij de inhoud", id="nul-byte"),
]


@pytest.mark.parametrize(("data", "name", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    app, client, signed_in, data, name, message
):
    response = share(client, data, name=name)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert rows() == (0, 0)
    assert stored_files(app) == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://x.org/a",
    ],
)
def test_a_link_that_is_not_http_is_refused(app, client, signed_in, url):
    response = share(client, url=url)

    assert response.status_code == 422
    assert "begint met https:// of http://" in response.get_data(as_text=True)
    assert rows() == (0, 0)


@pytest.mark.parametrize(
    ("with_file", "url"), [(False, ""), (True, "https://example.org")], ids=["neither", "both"]
)
def test_a_material_needs_a_file_or_a_link_not_both(app, client, signed_in, with_file, url):
    response = share(client, pdf() if with_file else None, url=url)

    assert response.status_code == 422
    assert "Kies een bestand of geef een webkoppeling (niet allebei)." in response.get_data(
        as_text=True
    )
    assert rows() == (0, 0)
    assert stored_files(app) == []


def test_an_invalid_form_is_shown_again_with_dutch_messages(app, client, signed_in):
    response = share(client, pdf(), title="", licence="MIT", visibility="iedereen")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Geef een titel." in html
    assert "Kies een van de mogelijkheden uit de lijst." in html
    assert rows() == (0, 0) and stored_files(app) == []


def test_a_long_file_name_is_cut_keeping_its_extension(client, signed_in):
    share(client, pdf(), name="x" * 300 + ".pdf")

    material = db.session.scalar(select(Material))
    assert len(material.file_name) == 150 and material.file_name.endswith("x.pdf")


# --- size ---------------------------------------------------------------------------


class CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes (or endless) that counts what the server reads."""

    def __init__(self, size: int | None) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = len(buffer) if self.size is None else min(len(buffer), self.size - self.read_bytes)
        buffer[:left] = b"a" * left
        self.read_bytes += left
        return left


def test_an_oversize_upload_gets_413_in_dutch_and_nothing_is_stored(app, client, signed_in):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024

    response = share(client, pdf("Groot", "x" * 80_000), name="groot.pdf")

    assert response.status_code == 413
    assert "Het bestand is te groot: je kan hoogstens 0.1 MB opladen." in response.get_data(
        as_text=True
    )
    assert rows() == (0, 0) and stored_files(app) == []


def raw_post(client, path: str, body: io.RawIOBase, length: int | None):
    """POST ``body`` as multipart data, with ``length`` as Content-Length or none (chunked)."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    environ = EnvironBuilder(
        path=path, method="POST", content_type="multipart/form-data; boundary=grens"
    ).get_environ()
    environ["wsgi.input"] = io.BufferedReader(body)
    environ.pop("CONTENT_LENGTH", None)
    if length is None:
        environ["wsgi.input_terminated"] = True  # what servers set for a chunked body
    else:
        environ["CONTENT_LENGTH"] = str(length)
    return client.open(Request(environ))


def test_an_oversize_body_is_refused_before_it_is_read(app, client, signed_in):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    body = CountingStream(50 * 1024 * 1024)

    response = raw_post(client, "/materiaal/nieuw", body, length=body.size)

    assert response.status_code == 413
    assert "Het bestand is te groot" in response.get_data(as_text=True)
    assert body.read_bytes == 0
    assert rows() == (0, 0)


def test_a_streamed_body_without_length_stops_being_read_at_the_limit(app, client, signed_in):
    limit = 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = limit
    body = CountingStream(None)  # endless, like a chunked upload that never ends
    start = b'--grens\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'

    response = raw_post(client, "/materiaal/nieuw", _Prefixed(start, body), length=None)

    assert response.status_code == 413
    assert body.read_bytes <= limit + 256 * 1024
    assert rows() == (0, 0) and stored_files(app) == []


class _Prefixed(io.RawIOBase):
    def __init__(self, prefix: bytes, rest: io.RawIOBase) -> None:
        self.prefix = prefix
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        return self.rest.readinto(buffer)


# --- K4: the user's file name never becomes a path -----------------------------------------


def _snapshot(root: Path, skip: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and not p.resolve().is_relative_to(skip.resolve())
    }


def test_file_names_with_paths_create_change_or_remove_nothing_outside_the_upload_folder(
    app, client, signed_in, tmp_path
):
    uploads = upload_root(app)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text("sentinel")
    (tmp_path / "win.ini").write_text("[sentinel]")
    outside = {
        "tmp": _snapshot(tmp_path, uploads),
        "base.html": (PROJECT / "templates" / "base.html").read_bytes(),
        "passwd": Path("/etc/passwd").read_bytes(),
    }
    names = ["../../templates/base.html", "..\\..\\win.ini", "/etc/passwd", ".", ""]

    statuses = {
        name: share(client, pdf(f"K4 {i}"), name=name).status_code for i, name in enumerate(names)
    }

    assert statuses == {
        "../../templates/base.html": 422,
        "..\\..\\win.ini": 422,
        "/etc/passwd": 302,
        ".": 302,
        "": 422,
    }
    materials = db.session.scalars(select(Material).order_by(Material.id)).all()
    assert [m.file_name for m in materials] == ["passwd.pdf", "bestand.pdf"]
    for path in stored_files(app):
        assert path.resolve().is_relative_to(uploads.resolve())
        assert path.name in {m.file_key for m in materials}
    for material in materials:
        assert client.post_form(f"/materiaal/{material.slug}/verwijderen").status_code == 302
    assert stored_files(app) == []
    assert _snapshot(tmp_path, uploads) == outside["tmp"]
    assert (PROJECT / "templates" / "base.html").read_bytes() == outside["base.html"]
    assert Path("/etc/passwd").read_bytes() == outside["passwd"]
