"""Posts rendered once for every member who neither wrote nor moderates them (forums.fragments)."""

from __future__ import annotations

import re

import pytest

from community.core.extensions import db
from forums import fragments
from forums.models import Post
from tests.forums.conftest import sign_in, thread_url


@pytest.fixture(autouse=True)
def _empty_fragments():
    fragments.forget_all()
    yield
    fragments.forget_all()


def _posts(html: str) -> list[str]:
    return re.findall(r'<li class="post card[^"]*" id="bericht-\d+">(.*?)</li>', html, re.S)


def test_a_kept_post_reads_exactly_as_a_fresh_one(app, client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum(), posts=3)
    sign_in(client, make_user())
    first = client.get(thread_url(thread)).text
    kept = client.get(thread_url(thread)).text
    fragments.forget_all()
    fresh = client.get(thread_url(thread)).text
    assert _posts(kept) == _posts(first) == _posts(fresh)
    assert len(_posts(kept)) == 3
    assert "Citeren" in _posts(kept)[0] and "Melden" in _posts(kept)[0]


def test_the_author_and_a_moderator_never_get_a_readers_copy(
    app, make_forum, make_thread, make_user, make_region
):
    author = make_user()
    thread = make_thread(make_forum(), posts=1, author=author)
    reader, admin = app.test_client(), app.test_client()
    sign_in(reader, make_user())
    assert "Bewerken" not in reader.get(thread_url(thread)).text  # kept now
    as_author = app.test_client()
    sign_in(as_author, author)
    own = as_author.get(thread_url(thread)).text
    assert "Bewerken" in own and "Verwijderen" in own and "Melden" not in own.split("<ol")[1]
    sign_in(admin, make_user("admin"))
    moderated = admin.get(thread_url(thread)).text
    assert "Verbergen" in moderated
    # and the reader's copy never got the author's or the moderator's links
    again = reader.get(thread_url(thread)).text
    assert (
        "Bewerken" not in again
        and "Verbergen" not in again
        and "csrf_token" not in (_posts(again)[0])
    )


def test_an_edit_a_rename_or_a_lock_shows_at_once(app, client, make_forum, make_thread, make_user):
    author = make_user(display_name="Eerste Naam")
    thread = make_thread(make_forum(), posts=1, author=author)
    sign_in(client, make_user())
    assert "Eerste Naam" in client.get(thread_url(thread)).text
    post = db.session.query(Post).filter_by(thread_id=thread.id).one()
    post.body_html = "<p>Nieuwe tekst.</p>"
    author.display_name = "Tweede Naam"
    db.session.commit()
    page = client.get(thread_url(thread)).text
    assert "Nieuwe tekst." in page and "Tweede Naam" in page and "Eerste Naam" not in page
    thread.is_locked = True
    db.session.commit()
    assert "Citeren" not in _posts(client.get(thread_url(thread)).text)[0]


def test_each_language_keeps_its_own_copy(app, client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum(), posts=1)
    dutch, english = make_user(), make_user(locale="en")
    sign_in(client, dutch)
    assert "Citeren" in client.get(thread_url(thread)).text
    other = app.test_client()
    sign_in(other, english)
    page = other.get(thread_url(thread)).text
    assert "Citeren" not in page and "Quote" in page
