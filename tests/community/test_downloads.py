"""Download counts off the request path (issue 14): no write per download, exact figures."""

from __future__ import annotations

import pytest

from community.core.extensions import db
from community.library.downloads import tally
from community.library.models import Material, MaterialType
from tests.community.test_pages import PDF
from tests.pages_helpers import add

REDIS_URL = "redis://127.0.0.1:6379/12"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def pdf_material(app):
    from community.core.storage.local import get_storage

    key = get_storage().save(PDF)
    return add(
        Material(
            slug="leerrecht",
            title="Leerrecht",
            type=MaterialType.REPORT,
            file_key=key,
            file_name="leerrecht.pdf",
            content_type="application/pdf",
        )
    )


def _writes(queries) -> list[str]:
    return [q for q in queries if q.lstrip().upper().startswith(WRITES)]


def test_a_download_reads_one_row_and_writes_nothing(client, pdf_material, count_queries):
    with count_queries() as queries:
        response = client.get("/materiaal/leerrecht/download")

    assert response.status_code == 200 and response.data == PDF
    assert _writes(queries) == []
    assert len(queries) == 1, queries
    assert tally().pending(pdf_material.id) == 1


def test_the_material_page_counts_every_download_so_far(client, pdf_material):
    for _ in range(3):
        client.get("/materiaal/leerrecht/download")

    page = client.get("/materiaal/leerrecht").get_data(as_text=True)

    assert "<dt>Downloads</dt><dd>3</dd>" in page
    db.session.refresh(pdf_material)
    assert pdf_material.download_count == 3 and tally().pending(pdf_material.id) == 0


def test_counts_are_written_in_one_batch_after_the_interval(
    app, client, pdf_material, count_queries
):
    """After DOWNLOAD_FLUSH_SECONDS the next response writes the tally, after it was sent."""
    app.config["DOWNLOAD_FLUSH_SECONDS"] = 0
    app.extensions.pop("bruggen_downloads")  # read the setting again
    link = add(Material(slug="link", title="Link", type=MaterialType.REPORT, url="https://a.be/"))

    client.get("/materiaal/link/download")
    with count_queries() as queries:
        client.get("/materiaal/leerrecht/download")

    assert len(_writes(queries)) == 1  # one executemany for both materials
    db.session.refresh(pdf_material)
    db.session.refresh(link)
    assert (pdf_material.download_count, link.download_count) == (1, 1)
    assert tally().pending(pdf_material.id) == 0


def test_with_redis_every_process_counts_into_one_tally(make_app, pdf_material):
    """Two app instances (two processes) sharing Redis: each sees the other's downloads,
    one flush writes them all, and nothing is counted twice."""
    first, second = make_app(REDIS_URL=REDIS_URL), make_app(REDIS_URL=REDIS_URL)
    tally(first).discard()
    try:
        first.test_client().get("/materiaal/leerrecht/download")
        second.test_client().get("/materiaal/leerrecht/download")
        with first.app_context():
            assert tally(first).local == {} and tally(first).pending(pdf_material.id) == 2
            assert tally(second).pending(pdf_material.id) == 2
            assert tally(second).flush() == 2
            assert tally(first).flush() == 0
        db.session.refresh(pdf_material)
        assert pdf_material.download_count == 2
    finally:
        tally(first).discard()
