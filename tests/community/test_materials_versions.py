"""Versions, editing and removing materials; files and rows written and removed together."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.core.extensions import db
from community.core.storage.local import get_storage
from community.library.materials import (
    MaterialFields,
    add_material_version,
    can_edit_material,
    create_material,
    remove_material,
)
from community.library.models import Material, MaterialType, MaterialVersion
from community.library.uploads import check_upload
from tests.community.library_files import HTML_AS_PDF, pdf
from tests.pages_helpers import sign_in


@pytest.fixture
def region(make_region):
    return make_region(slug="limburg", name="Limburg")


@pytest.fixture
def owner(make_user, region):
    return make_user(region=region)


def new_material(owner, data: bytes, title: str = "Verslag netwerkmoment", **kw) -> Material:
    fields = MaterialFields(title=title, type=MaterialType.REPORT, region=owner.region)
    material = create_material(owner, fields, upload=check_upload(data, "verslag.pdf"), **kw)
    db.session.commit()
    return material


def files(app) -> set[str]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def post_version(client, slug, data: bytes, name: str, note: str = ""):
    return client.post_form(
        f"/materiaal/{slug}/versies",
        {"file": (io.BytesIO(data), name), "note": note},
        content_type="multipart/form-data",
    )


# --- versions ------------------------------------------------------------------------------


def test_a_new_version_keeps_the_previous_ones_listed_and_downloadable(app, client, owner):
    first, second = pdf("Verslag", "eerste versie"), pdf("Verslag", "tweede versie kansen")
    material = new_material(owner, first)
    sign_in(client, owner)

    response = post_version(client, material.slug, second, "verslag-v2.pdf", note="cijfers erbij")

    assert response.status_code == 302
    db.session.expire_all()
    material = db.session.get(Material, material.id)
    assert [v.number for v in material.versions] == [2, 1]
    assert material.file_key == get_storage().key_for(second)
    assert material.file_name == "verslag-v2.pdf" and "kansen" in material.file_text
    assert files(app) == {get_storage().key_for(first), get_storage().key_for(second)}
    page = client.get(f"/materiaal/{material.slug}").get_data(as_text=True)
    assert "Versie 1" in page and "Versie 2" in page and "cijfers erbij" in page
    assert client.get(f"/materiaal/{material.slug}/versies/1").data == first
    assert client.get(f"/materiaal/{material.slug}/download").data == second
    assert client.get(f"/materiaal/{material.slug}/versies/9").status_code == 404


def test_a_disguised_new_version_is_refused_and_nothing_changes(app, client, owner):
    material = new_material(owner, pdf("Verslag"))
    sign_in(client, owner)
    before = files(app)

    response = post_version(client, material.slug, HTML_AS_PDF, "verslag.pdf")

    assert response.status_code == 422
    assert "Dit soort bestand kan je hier niet delen" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MaterialVersion)) == 1
    assert files(app) == before


# --- who may edit ------------------------------------------------------------------------------


def test_uploader_region_coordinators_and_admins_may_edit_others_not(
    app, client, owner, make_user, make_region, region
):
    material = new_material(owner, pdf())
    coordinator = make_user("coordinator", regions=[region])
    elsewhere = make_user("coordinator", regions=[make_region()])
    admin = make_user("admin")
    stranger = make_user()

    assert can_edit_material(owner, material)
    assert can_edit_material(coordinator, material)
    assert can_edit_material(admin, material)
    assert not can_edit_material(elsewhere, material)
    assert not can_edit_material(stranger, material)
    sign_in(client, stranger)
    assert client.get(f"/materiaal/{material.slug}/bewerken").status_code == 403
    assert post_version(client, material.slug, pdf("x"), "x.pdf").status_code == 403
    assert client.post_form(f"/materiaal/{material.slug}/verwijderen").status_code == 403
    assert "Materiaal verwijderen" not in client.get(f"/materiaal/{material.slug}").get_data(
        as_text=True
    )
    sign_in(client, coordinator)
    assert "Materiaal verwijderen" in client.get(f"/materiaal/{material.slug}").get_data(
        as_text=True
    )


def test_coordinator_edits_the_fields(client, owner, make_user, region):
    material = new_material(owner, pdf())
    sign_in(client, make_user("coordinator", regions=[region]))

    response = client.post_form(
        f"/materiaal/{material.slug}/bewerken",
        {
            "title": "Verslag (herwerkt)",
            "description": "**Nieuw**",
            "type": "method",
            "region": str(region.id),
            "tags": "NAFT",
            "language": "nl",
            "licence": "CC BY-NC 4.0",
            "visibility": "members",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    material = db.session.get(Material, material.id)
    assert material.title == "Verslag (herwerkt)" and material.type == "method"
    assert material.description_html == "<p><strong>Nieuw</strong></p>"
    assert not material.is_public and material.licence == "CC BY-NC 4.0"
    assert [t.slug for t in material.tags] == ["naft"]


# --- files and rows together ------------------------------------------------------------------


def test_removing_a_material_removes_its_files_once_no_version_refers_to_them(app, client, owner):
    shared = pdf("Gedeeld")
    keep = new_material(owner, shared, title="Ook dit bestand")
    material = new_material(owner, shared, title="Tweemaal")
    add_material_version(material, owner, check_upload(pdf("Eigen"), "eigen.pdf"))
    db.session.commit()
    own_key = material.file_key
    sign_in(client, owner)

    response = client.post_form(f"/materiaal/{material.slug}/verwijderen")

    assert response.status_code == 302
    assert files(app) == {keep.file_key}
    assert own_key not in files(app)
    assert db.session.scalar(select(func.count()).select_from(MaterialVersion)) == 1
    remove_material(db.session.get(Material, keep.id))
    assert files(app) == {keep.file_key}  # not before the commit
    db.session.commit()
    assert files(app) == set()


def test_a_failed_flush_leaves_neither_row_nor_file(app, owner):
    new_material(owner, pdf("Eerste"), slug="verslag")
    before = files(app)
    data = pdf("Tweede")

    with pytest.raises(IntegrityError):
        new_material(owner, data, slug="verslag")  # the slug is taken: UNIQUE violation
    db.session.rollback()

    assert files(app) == before
    assert not get_storage().exists(get_storage().key_for(data))
    assert db.session.scalar(select(func.count()).select_from(Material)) == 1


def test_a_failed_flush_keeps_a_file_another_material_refers_to(app, owner):
    data = pdf("Gedeeld")
    first = new_material(owner, data, slug="eerste")

    with pytest.raises(IntegrityError):
        new_material(owner, data, slug="eerste")
    db.session.rollback()

    assert get_storage().exists(first.file_key)
