"""Control characters at the edge (issue 13, item 9): 404 in a path, 400 in a query, removed
from form text. On PostgreSQL a NUL that reached a query answered 500; run these there too."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from community.core.extensions import db
from community.core.input_guard import clean_text
from forums.models import Post
from tests.pages_helpers import sign_in
from tests.route_world import build_world

NUL_PATHS = [
    "/activiteiten/netwerkmoment%00",
    "/activiteiten/%00.ics",
    "/regio/noord%00zuid",
    "/forum/thema%00-1",
    "/materiaal/presentatie%00",
    "/praktijkvoorbeelden/naft%00",
    "/agenda/noord%00/vormingen.ics",
    "/inschrijving/annuleren/abc%00def",
    "/activiteiten/tab%09in-het-midden",
    "/activiteiten/escape%1B%5B31m",
]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_control_character_in_the_path_is_not_found(client, make_event, path):
    make_event(slug="netwerkmoment")

    assert client.get(path).status_code == 404


QUERIES = [
    "/agenda?regio=noord%00",
    "/agenda/archief?thema=%001",
    "/materiaal?q=spijbelen%00",
    "/praktijkvoorbeelden?q=%01naft",
    "/forum/zoeken?q=leerrecht%7F",
    "/agenda.ics?type=vormingen%00",
    "/agenda/abonneren?regio=%00",
    "/forum/zoeken?%00=1",  # a parameter name (a cached page drops names it does not read)
    "/aanmelden?next=/agenda%0D%0ASet-Cookie:x",
]


@pytest.mark.parametrize("url", QUERIES)
def test_a_control_character_in_the_query_is_a_bad_request_with_a_message(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "onzichtbaar stuurteken" in response.text


def test_the_message_speaks_the_visitors_language(client):
    response = client.get("/agenda?regio=%00", headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert "invisible control character" in response.text


@pytest.fixture
def reply_url(app, client) -> str:
    """The reply form of a thread, for a member who is signed in."""
    world = build_world()
    sign_in(client, world.users["member"])
    return f"/forum/{world.forum.slug}/{world.thread.id}/reageren"


def _newest_post() -> str:
    return db.session.scalars(select(Post.body).order_by(Post.id.desc())).first()


def test_a_nul_in_a_reply_is_removed_and_the_rest_is_kept(client, reply_url):
    response = client.post_form(reply_url, {"body": "Bij ons\x00 werkt een vast\x01 overleg.\x7f"})

    assert response.status_code == 303
    assert _newest_post() == "Bij ons werkt een vast overleg."


def test_a_control_character_in_a_field_name_does_not_reach_the_view(client, reply_url):
    response = client.post_form(reply_url, {"bo\x00dy": "Wie\x00 weet raad?"})

    assert response.status_code == 303  # the field's name, cleaned, is "body" again
    assert _newest_post() == "Wie weet raad?"


def test_invalid_utf8_in_a_form_is_stored_as_valid_text(client, reply_url):
    body = b"csrf_token=" + client.csrf_token().encode() + b"&body=caf%E9+%FF%00en+thee"

    response = client.post(reply_url, data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 303
    stored = _newest_post()
    # Werkzeug keeps bytes that are not UTF-8 percent-encoded ("caf%E9"): valid text.
    assert stored.startswith("caf") and stored.endswith("en thee") and "\x00" not in stored


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        ("regel een\x0bregel twee", "regel een\nregel twee"),  # Word's manual line break
        ("blad een\x0cblad twee", "blad een\nblad twee"),  # Word's page break
        ("oud\x85nieuw", "oud\nnieuw"),  # NEL of old encodings
        ("tab\tCR\rLF\n", "tab\tCR\rLF\n"),  # what multi-line text needs stays
        ("\x00\x01\x1b[31mrood\x1b[0m\x7f\x9b", "[31mrood[0m"),
        ("gewone tekst, één café", "gewone tekst, één café"),
    ],
)
def test_clean_text_keeps_line_breaks_and_drops_other_controls(pasted, kept):
    assert clean_text(pasted) == kept


def test_a_nul_in_an_uploaded_file_name_is_removed(app, client, make_user, make_theme):
    from community.library.models import Material

    make_theme(1)
    sign_in(client, make_user())
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    response = client.post_form(
        "/materiaal/nieuw",
        {
            "title": "Slides\x00 van de dag",
            "type": "presentation",
            "description": "Wat we toonden.",
            "language": "nl",
            "licence": "CC BY 4.0",
            "visibility": "public",
            "file": (io.BytesIO(pdf), "slides\x00.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code in (302, 303), response.text[response.text.find("<main") :][:3000]
    material = db.session.scalars(select(Material)).one()
    assert material.title == "Slides van de dag"
    assert "\x00" not in material.file_name
