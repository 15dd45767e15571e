"""Writing in the forums: replies, new threads, preview, quotes, edits, deletes and bad input."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from community.core.extensions import db
from forums.models import Category, Post, PostRevision, PrivacyOverride, Subscription, Thread
from forums.moderation import suspend_member
from tests.forums.conftest import reply_url, sign_in, thread_url
from tests.pages_helpers import add


def _posts(thread) -> list[Post]:
    db.session.expire_all()
    return db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id)
    ).all()


def test_member_replies_and_lands_on_the_new_post_and_watches_the_thread(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum(), posts=1)
    member = make_user(display_name="Sara Claes")
    sign_in(client, member)

    response = client.post_form(reply_url(thread), {"body": "Bij ons werkt een **vast** overleg."})

    post = _posts(thread)[-1]
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/forum/bericht/{post.id}")
    assert post.body_html == "<p>Bij ons werkt een <strong>vast</strong> overleg.</p>"
    assert db.session.get(Thread, thread.id).post_count == 2
    assert db.session.get(Thread, thread.id).last_poster_id == member.id
    assert db.session.scalar(
        select(Subscription).where(
            Subscription.user_id == member.id, Subscription.thread_id == thread.id
        )
    )
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Je reactie staat online." in page.get_data(as_text=True)


def test_member_starts_a_thread_in_a_category_with_a_region(
    client, make_forum, make_user, make_region
):
    forum = make_forum()
    category = add(Category(forum=forum, name="Goede praktijken", slug="goede-praktijken"))
    region = make_region(name="Limburg")
    member = make_user()
    sign_in(client, member)

    response = client.post_form(
        f"/forum/{forum.slug}/nieuw",
        {
            "title": "Schoolnabije jeugdhulp",
            "category": str(category.id),
            "region": str(region.id),
            "body": "Wie heeft ervaring?",
        },
    )

    thread = db.session.scalar(select(Thread).where(Thread.title == "Schoolnabije jeugdhulp"))
    assert response.status_code == 303
    assert thread.category_id == category.id and thread.region_id == region.id
    assert thread.post_count == 1 and thread.author_id == member.id
    listing = client.get(f"/forum/{forum.slug}?categorie=goede-praktijken&regio={region.slug}")
    assert "Schoolnabije jeugdhulp" in listing.get_data(as_text=True)
    assert client.get(f"/forum/{forum.slug}?categorie=bestaat-niet").status_code == 400


def test_preview_shows_the_rendered_text_and_saves_nothing(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())
    sign_in(client, make_user())

    response = client.post_form(reply_url(thread), {"body": "Een *voorbeeld*", "preview": "1"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<em>voorbeeld</em>" in html and "Dit is nog niet geplaatst." in html
    assert "Een *voorbeeld*</textarea>" in html
    assert len(_posts(thread)) == 1


def test_quoting_a_post_fills_the_reply_with_a_markdown_quote(
    client, make_forum, make_thread, make_user
):
    author = make_user(display_name="Jan Peeters")
    thread = make_thread(make_forum(), author=author)
    first = _posts(thread)[0]
    sign_in(client, make_user())

    html = client.get(f"{reply_url(thread)}?citeer={first.id}").get_data(as_text=True)

    assert "&gt; **Jan Peeters** schreef:\n&gt;\n&gt; Bericht 1." in html


def test_author_edits_a_post_readers_see_bewerkt_moderators_see_the_old_text(
    client, make_forum, make_thread, make_user
):
    author = make_user()
    thread = make_thread(make_forum(), author=author)
    post = _posts(thread)[0]
    sign_in(client, author)

    response = client.post_form(f"/forum/bericht/{post.id}/bewerken", {"body": "Nieuwe tekst."})

    assert response.status_code == 303
    post = _posts(thread)[0]
    assert post.body == "Nieuwe tekst." and post.edited_at is not None
    revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id))
    assert revision.body == "Bericht 1." and revision.editor_id == author.id
    page = client.get(thread_url(thread)).get_data(as_text=True)
    assert "bewerkt" in page and "versies" not in page
    assert client.get(f"/forum/bericht/{post.id}/versies").status_code == 403
    sign_in(client, make_user("admin"))
    history = client.get(f"/forum/bericht/{post.id}/versies").get_data(as_text=True)
    assert "Bericht 1." in history and "Nieuwe tekst." in history


def test_editing_another_members_post_is_forbidden(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum())
    post = _posts(thread)[0]
    sign_in(client, make_user())

    assert client.get(f"/forum/bericht/{post.id}/bewerken").status_code == 403
    response = client.post_form(f"/forum/bericht/{post.id}/bewerken", {"body": "Gekaapt"})

    assert response.status_code == 403
    assert _posts(thread)[0].body == "Bericht 1."
    assert client.post_form(f"/forum/bericht/{post.id}/verwijderen").status_code == 403


def test_deleted_post_shows_as_removed_and_replies_stay(client, make_forum, make_thread, make_user):
    author = make_user()
    thread = make_thread(make_forum(), posts=2, author=author)
    first = _posts(thread)[0]
    sign_in(client, author)

    response = client.post_form(f"/forum/bericht/{first.id}/verwijderen")

    assert response.status_code == 303
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "Dit bericht is verwijderd." in html
    assert "<p>Bericht 1.</p>" not in html and "<p>Bericht 2.</p>" in html
    assert len(_posts(thread)) == 2


def test_empty_post_is_refused_with_a_message(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum())
    sign_in(client, make_user())

    response = client.post_form(reply_url(thread), {"body": "   \n  "})

    assert response.status_code == 422
    assert "Je bericht is leeg. Schrijf eerst iets." in response.get_data(as_text=True)
    assert len(_posts(thread)) == 1


def test_post_over_20000_characters_is_refused_and_the_text_kept(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())
    sign_in(client, make_user())
    body = "lang " * 4001  # 20,005 characters

    response = client.post_form(reply_url(thread), {"body": body})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Je bericht is te lang: hoogstens 20.000 tekens." in html
    assert body.strip() in html
    assert len(_posts(thread)) == 1


def test_locked_thread_takes_no_reply_but_the_text_comes_back(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum(), is_locked=True)
    sign_in(client, make_user())

    response = client.post_form(reply_url(thread), {"body": "Toch nog iets kwijt."})

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Dit gesprek is gesloten" in html and "Toch nog iets kwijt.</textarea>" in html
    assert len(_posts(thread)) == 1


def test_suspended_member_cannot_post_until_the_suspension_ends(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())
    member, admin = make_user(), make_user("admin")
    suspend_member(member, admin, 3, "Herhaaldelijk persoonsgegevens gedeeld.")
    db.session.commit()
    sign_in(client, member)

    response = client.post_form(reply_url(thread), {"body": "Mag ik nog iets zeggen?"})
    page = client.get(thread_url(thread)).get_data(as_text=True)

    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Je bent tijdelijk geschorst" in html and "Mag ik nog iets zeggen?" in html
    assert "Je bent geschorst tot" in page
    assert len(_posts(thread)) == 1


def test_unverified_member_cannot_post(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum())
    sign_in(client, make_user(is_verified=False))

    response = client.post_form(reply_url(thread), {"body": "Hallo"})
    page = client.get(thread_url(thread)).get_data(as_text=True)

    assert response.status_code == 403
    assert "Bevestig eerst je e-mailadres" in response.get_data(as_text=True)
    assert "Bevestig eerst je e-mailadres om de forums te lezen" in page
    assert len(_posts(thread)) == 1


def test_unverified_account_cannot_read_a_members_forum(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum())
    sign_in(client, make_user(is_verified=False))

    response = client.get(thread_url(thread))

    assert response.status_code == 403
    assert "Bevestig eerst je e-mailadres om de forums te lezen" in response.text


def test_anonymous_visitor_is_sent_to_login_to_reply(client, make_forum, make_thread):
    thread = make_thread(make_forum(is_public=True))

    response = client.post_form(reply_url(thread), {"body": "Hallo"})

    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]
    assert "Meld je aan om te reageren." in client.get(thread_url(thread)).get_data(as_text=True)


def test_sixth_post_within_a_minute_is_refused_with_429_and_the_text_kept(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())
    sign_in(client, make_user())
    for n in range(5):
        response = client.post_form(reply_url(thread), {"body": f"Bericht nummer {n}"})
        assert response.status_code == 303

    response = client.post_form(reply_url(thread), {"body": "Nog eentje, snel."})

    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Je plaatste al 5 berichten in de voorbije minuut" in html
    assert "Nog eentje, snel.</textarea>" in html
    assert len(_posts(thread)) == 6
    # Another member is not affected by this member's pace.
    sign_in(client, make_user())
    assert client.post_form(reply_url(thread), {"body": "Ik wel."}).status_code == 303


def test_previews_and_refused_posts_do_not_count_towards_the_rate_limit(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum())
    sign_in(client, make_user())
    for _ in range(6):
        client.post_form(reply_url(thread), {"body": "Voorbeeld", "preview": "1"})
        client.post_form(reply_url(thread), {"body": ""})

    assert client.post_form(reply_url(thread), {"body": "Echt bericht"}).status_code == 303


def test_permanent_link_lands_on_the_right_page_with_its_anchor(
    client, make_forum, make_thread, make_user
):
    thread = make_thread(make_forum(), posts=45)
    posts = _posts(thread)
    sign_in(client, make_user())

    first = client.get(f"/forum/bericht/{posts[0].id}")
    twenty_first = client.get(f"/forum/bericht/{posts[20].id}")
    last = client.get(f"/forum/bericht/{posts[44].id}")

    assert first.headers["Location"] == f"{thread_url(thread)}#bericht-{posts[0].id}"
    assert twenty_first.headers["Location"] == (
        f"{thread_url(thread)}?pagina=2#bericht-{posts[20].id}"
    )
    assert last.headers["Location"].endswith(f"?pagina=3#bericht-{posts[44].id}")
    assert client.get("/forum/bericht/999999").status_code == 404


def test_permanent_link_of_a_members_forum_needs_login(client, make_forum, make_thread):
    thread = make_thread(make_forum())

    response = client.get(f"/forum/bericht/{_posts(thread)[0].id}")

    assert response.status_code == 302 and "/aanmelden" in response.headers["Location"]


def test_first_unread_points_past_what_the_member_saw(client, make_forum, make_thread, make_user):
    forum = make_forum()
    thread = make_thread(forum, posts=25)
    member = make_user()
    sign_in(client, member)
    client.get(thread_url(thread))  # sees posts 1-20
    newest = [
        add(Post(thread_id=thread.id, author=member, body="Nieuw", body_html="<p>Nieuw</p>"))
        for _ in range(1)
    ][0]
    posts = _posts(thread)
    thread = db.session.get(Thread, thread.id)
    thread.last_post_at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    db.session.commit()

    listing = client.get(f"/forum/{forum.slug}").get_data(as_text=True)
    page_one = client.get(thread_url(thread)).get_data(as_text=True)

    expected = f"{thread_url(thread)}?pagina=2#bericht-{posts[20].id}"
    assert f'href="{expected}"' in listing and "eerste ongelezen" in listing
    assert f'href="{expected}"' in page_one
    client.get(thread_url(thread) + "?pagina=2")
    assert "eerste ongelezen" not in client.get(f"/forum/{forum.slug}").get_data(as_text=True)
    assert newest.id == posts[-1].id
    redirect = client.get(f"{thread_url(thread)}/ongelezen")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith("#reageren")


def test_thread_title_is_required_and_text_kept(client, make_forum, make_user):
    forum = make_forum()
    sign_in(client, make_user())

    response = client.post_form(f"/forum/{forum.slug}/nieuw", {"title": " ", "body": "Inhoud"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Geef het gesprek een titel." in html and "Inhoud</textarea>" in html
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_privacy_rule_is_shown_next_to_every_text_box(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum())
    sign_in(client, make_user())
    rule = "Schrijf niets waarmee een kind of gezin herkenbaar is"

    assert rule in client.get(thread_url(thread)).get_data(as_text=True)
    assert rule in client.get(reply_url(thread)).get_data(as_text=True)
    new_page = client.get(f"/forum/{thread.forum.slug}/nieuw").get_data(as_text=True)
    assert new_page.count(rule) == 2  # title and body


def test_no_override_is_logged_for_a_clean_post(client, make_forum, make_thread, make_user):
    thread = make_thread(make_forum())
    sign_in(client, make_user())

    client.post_form(reply_url(thread), {"body": "We waren met 15 deelnemers om 14:30."})

    assert len(_posts(thread)) == 2
    assert db.session.scalar(select(func.count(PrivacyOverride.id))) == 0
