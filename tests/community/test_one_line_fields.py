"""Single-line text that ends up in a mail header is one line (issue 13, item 10): display
names and thread titles (activity titles and the organiser's subject: tests/events)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.core.extensions import db
from community.core.text import one_line
from forums.models import Thread
from tests.pages_helpers import sign_in
from tests.route_world import build_world


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Ann\r\nBcc: x@example.org", "Ann Bcc: x@example.org"),
        ("  Ann \t Peeters  ", "Ann Peeters"),
        ("Ann\u2028Peeters\x85Jr", "Ann Peeters Jr"),  # Unicode line separator, NEL
        ("Ann\x00\x1b[1mPeeters", "Ann[1mPeeters"),
        ("Coördinator Zuid", "Coördinator Zuid"),
        ("\r\n\t", ""),
        (None, None),
    ],
)
def test_one_line(given, kept):
    assert one_line(given) == kept


def test_a_display_name_with_a_line_break_is_stored_as_one_line(client, signup_data):
    response = client.post_form(
        "/registreren", signup_data(display_name="Ann\r\nBcc: iedereen@example.org")
    )

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ann@example.org"))
    assert user.display_name == "Ann Bcc: iedereen@example.org"


def test_a_display_name_of_only_white_space_is_refused(client, signup_data, user_count):
    response = client.post_form("/registreren", signup_data(display_name="\r\n \t"))

    assert response.status_code == 422
    assert "Vul je naam in." in response.text
    assert user_count() == 0


def test_the_profile_keeps_the_name_on_one_line(client, make_user, make_region, make_theme):
    region, theme = make_region(), make_theme(1)
    user = make_user()
    sign_in(client, user)
    data = {
        "display_name": "Sara\nClaes",
        "region": str(region.id),
        "organisation": "",
        "sector": "welzijn",
        "job_title": "",
        "themes": [str(theme.id)],
        "language": "nl",
    }

    assert client.post_form("/account", data).status_code == 302

    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Sara Claes"


def test_a_moderator_renames_a_thread_to_one_line(app, client):
    world = build_world()
    sign_in(client, world.users["coordinator"])

    response = client.post_form(
        f"/forum/gesprek/{world.thread.id}/hernoemen", {"title": "Spijbelen\r\n\x00op school"}
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Thread, world.thread.id).title == "Spijbelen op school"
