"""Matching that ignores accents and case, the same way everywhere (issue 13).

One fold (``community.core.text.fold``) for mentions, the library search and the
good-practice search; the searches compare with a folded copy column kept on write,
so SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from community.accounts.models import User
from community.core.extensions import db
from community.core.text import fold
from community.library.materials import MaterialFields, create_material, search_materials
from community.library.models import Material, MaterialType, Practice, PracticeStatus
from community.library.uploads import check_upload
from forums.posting import mention_handle, mentioned_users
from tests.community.library_files import pdf
from tests.pages_helpers import add
from tests.test_migrations import empty_database, migrations_app  # noqa: F401  (fixtures)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Coördinator", "coordinator"),
        ("ÉLISE", "elise"),
        ("Straße", "strasse"),
        ("Søren Ærø", "soren aero"),
        ("ﬁche", "fiche"),
        ("naïef café", "naief cafe"),
        ("Доклад", "доклад"),
    ],
)
def test_fold_drops_accents_and_case(typed, folded):
    assert fold(typed) == folded


def _titles(query) -> list[str]:
    return [m.title for m in db.session.scalars(query)]


# --- mentions ---------------------------------------------------------------------------


def test_a_mention_without_accents_finds_the_member_with_them(make_user):
    coordinator = make_user(display_name="Coördinator")
    elise = make_user(display_name="Élise Dubois-Leroy")
    make_user(display_name="Coordinatie Team")

    found = mentioned_users("Vraag het aan @coordinator en @ELISE.dubois.leroy.")

    assert sorted(u.id for u in found) == sorted([coordinator.id, elise.id])
    assert mention_handle(coordinator) == "coordinator"
    assert mention_handle(elise) == "elise.dubois.leroy"


def test_a_renamed_member_is_found_by_the_new_name_only(make_user):
    member = make_user(display_name="An Vermeulen")
    member.display_name = "Anaïs Vermeulen"
    db.session.commit()

    assert mentioned_users("@an.vermeulen") == []
    assert mentioned_users("@anais.vermeulen") == [member]
    assert db.session.scalar(select(User.search_name).where(User.id == member.id)) == (
        "anais vermeulen"
    )


# --- the library ------------------------------------------------------------------------


@pytest.fixture
def share(make_user):
    author = make_user()

    def _share(title, body="inhoud", **fields) -> Material:
        values = {"title": title, "type": MaterialType.REPORT, **fields}
        upload = check_upload(pdf(title, body), "a.pdf")
        material = create_material(author, MaterialFields(**values), upload=upload)
        db.session.commit()
        return material

    return _share


def test_library_search_ignores_accents_and_case_in_title_description_and_pdf(app, share):
    share("Coördinatie van zorg")
    share("Verslag", description="Over **naïeve** vragen.")
    share("Nota", body="Een overleg met het CLB over leerlingenbegeleiding in Brussel.")
    share("Iets anders")

    assert _titles(search_materials(None, text="coordinatie")) == ["Coördinatie van zorg"]
    assert _titles(search_materials(None, text="COÖRDINATIE")) == ["Coördinatie van zorg"]
    assert _titles(search_materials(None, text="NAIEVE")) == ["Verslag"]
    assert _titles(search_materials(None, text="clb brüssel")) == ["Nota"]


def test_the_library_page_finds_a_title_with_accents_typed_without(client, share):
    share("Coördinatie van zorg")

    page = client.get("/materiaal?q=coordinatie").get_data(as_text=True)

    assert ">Coördinatie van zorg</a>" in page


def test_an_edited_material_is_found_by_its_new_words(app, share):
    material = share("Verslag")
    material.title = "Verslag over spijbelen"
    material.download_count = 3
    db.session.commit()

    assert _titles(search_materials(None, text="spijbelen")) == ["Verslag over spijbelen"]


# --- good practices ---------------------------------------------------------------------


def test_practice_search_ignores_accents_and_case(client):
    add(
        Practice(
            slug="ouders-betrekken",
            title="Ouders betrekken bij de overgang",
            summary="Een café voor ouders, één keer per maand.",
            status=PracticeStatus.PUBLISHED,
        ),
        Practice(
            slug="time-out",
            title="Time-out",
            summary="Een korte onderbreking.",
            status=PracticeStatus.PUBLISHED,
        ),
    )

    found = client.get("/praktijkvoorbeelden?q=CAFE+een").get_data(as_text=True)

    assert "Ouders betrekken bij de overgang" in found
    assert "Time-out" not in found


# --- the migration ----------------------------------------------------------------------


def test_the_migration_fills_the_folded_copies_of_existing_rows(migrations_app):  # noqa: F811
    upgrade(revision="9ae6dcb22d61")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, display_name, password_hash, locale, job_title, "
                "is_verified, is_active, is_admin, session_token, feed_token, created_at) "
                "VALUES ('c@example.org', 'Coördinator', 'x', 'nl', '', true, true, false, "
                "'t', 'f', CURRENT_TIMESTAMP)"
            )
        )
    upgrade()

    name = db.session.scalar(text("SELECT search_name FROM users"))
    assert name == "coordinator"
    assert [u.display_name for u in mentioned_users("@coordinator")] == ["Coördinator"]
