"""A mention in a post links to the member: their posts in the forum (issue 13).

Bruggen has no member profile page; the forum search by author lists what the forum
can show of a member, in the forums the reader may read.
"""

from __future__ import annotations

from sqlalchemy import select

from community.core.extensions import db
from forums.models import Post
from tests.forums.conftest import reply_url, sign_in, thread_url


def test_a_mention_in_a_reply_links_to_the_members_posts(
    client, make_forum, make_thread, make_user
):
    forum = make_forum()
    coordinator = make_user(display_name="Coördinator")
    thread = make_thread(forum, author=coordinator)
    sign_in(client, make_user())

    client.post_form(
        reply_url(thread),
        {"body": "Vraag het @coordinator of @niemand, en niet `@coordinator` in code."},
    )
    page = client.get(thread_url(thread)).text

    link = (
        f'<a href="/forum/zoeken?auteur={coordinator.id}" rel="nofollow noopener noreferrer ugc">'
    )
    assert f"{link}@coordinator</a> of @niemand" in page
    assert "<code>@coordinator</code>" in page
    body_html = db.session.scalars(select(Post.body_html).order_by(Post.id.desc())).first()
    assert body_html.count("/forum/zoeken?auteur=") == 1


def test_the_link_lists_the_posts_of_that_member_the_reader_may_read(
    client, make_forum, make_thread, make_user
):
    open_forum, closed_forum = make_forum(is_public=True), make_forum()
    ann, bert = make_user(display_name="Ann Peeters"), make_user()
    make_thread(open_forum, author=ann, title="Spijbelen in het eerste jaar")
    make_thread(closed_forum, author=ann, title="Besloten overleg")
    make_thread(open_forum, author=bert, title="Iets van Bert")
    url = f"/forum/zoeken?auteur={ann.id}"

    anonymous = client.get(url)
    sign_in(client, make_user())
    member = client.get(url)

    assert anonymous.status_code == 200
    assert "Berichten van Ann Peeters" in anonymous.text
    assert "Spijbelen in het eerste jaar" in anonymous.text
    assert "Besloten overleg" not in anonymous.text
    assert "Iets van Bert" not in anonymous.text
    assert "Spijbelen in het eerste jaar" in member.text and "Besloten overleg" in member.text
    assert "2 resultaten" in member.text


def test_a_link_to_a_member_who_is_gone_finds_nothing_and_a_bad_value_is_refused(client):
    gone = client.get("/forum/zoeken?auteur=987654")
    bad = client.get("/forum/zoeken?auteur=abc")

    assert gone.status_code == 200
    assert "Berichten van een voormalig lid" in gone.text and "0 resultaten" in gone.text
    assert bad.status_code == 400
