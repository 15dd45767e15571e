"""The benchmark's seeder (bench/seed.py) at a tiny scale, so it cannot rot unnoticed (issue 8)."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.seed import POSTS_PER_PAGE, scaled, seed
from bench.seed import count_rows as seeded_rows
from community.core.extensions import db
from community.core.markup import render_markdown
from community.core.storage.local import get_storage
from events.models import Event, EventStatus, Registration
from forums.models import Post, Thread

SCALE = 0.01


def test_seeder_fills_an_empty_database_with_the_scaled_counts(app):
    facts = seed(SCALE, progress=False)

    wanted = scaled(SCALE)
    counts = seeded_rows()
    assert counts["events"] == wanted["events"] == facts.counts["events"]
    assert counts["registrations"] == wanted["registrations"] == facts.counts["registrations"]
    assert counts["members"] == wanted["members"]
    assert counts["materials"] == wanted["materials"]
    assert counts["forums"] == 3
    assert counts["threads"] == wanted["threads"]
    # The big thread plus 1 to 8 posts in every other thread.
    others = wanted["threads"] - 1
    assert (
        wanted["big_thread_posts"] + others
        <= counts["posts"]
        <= wanted["big_thread_posts"] + 8 * others
    )
    assert counts["posts"] == facts.counts["posts"]
    big = db.session.get(Thread, facts.big_thread_id)
    assert big.post_count == wanted["big_thread_posts"]
    assert (
        db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == big.id))
        == (wanted["big_thread_posts"])
    )
    # Posts carry the HTML the app's own renderer makes of their Markdown.
    post = db.session.scalars(select(Post).where(Post.thread_id == big.id).limit(1)).one()
    assert len(post.body) >= 380
    assert post.body_html == render_markdown(post.body)
    # No two registrations of one activity share an e-mail address (the unique index).
    assert (
        db.session.scalar(
            select(func.count()).select_from(
                select(Registration.event_id, func.lower(Registration.email))
                .group_by(Registration.event_id, func.lower(Registration.email))
                .having(func.count() > 1)
                .subquery()
            )
        )
        == 0
    )
    # What the benchmark drives exists: activities open to the member, a real file.
    assert len(facts.register_slugs) >= 5
    activity = db.session.scalar(select(Event).where(Event.slug == facts.activity_slug))
    assert activity.status == EventStatus.PUBLISHED


def test_the_big_threads_pages_render_for_the_signed_in_member(app, client):
    facts = seed(SCALE, progress=False)
    pages = facts.big_thread_pages
    assert pages == -(-scaled(SCALE)["big_thread_posts"] // POSTS_PER_PAGE)
    assert pages >= 3

    response = client.post_form(
        "/aanmelden", {"email": facts.member_email, "password": facts.member_password}
    )
    assert response.status_code == 302

    url = f"/forum/{facts.forum_slug}/{facts.big_thread_id}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.get_data(as_text=True).count('class="post card') == POSTS_PER_PAGE
    last = client.get(f"{url}?pagina={pages}")
    assert last.status_code == 200
    left = scaled(SCALE)["big_thread_posts"] - (pages - 1) * POSTS_PER_PAGE
    assert last.get_data(as_text=True).count('class="post card') == left
    assert client.get(f"{url}?pagina={pages + 1}").status_code == 404


def test_the_seeded_download_is_a_real_file_and_the_activity_page_takes_registrations(app, client):
    facts = seed(SCALE, progress=False)

    download = client.get(f"/materiaal/{facts.download_slug}/download")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.get_data().startswith(b"%PDF")
    assert get_storage().exists(get_storage().key_for(download.get_data()))

    client.post_form("/aanmelden", {"email": facts.member_email, "password": facts.member_password})
    slug = facts.register_slugs[0]
    response = client.post_form(f"/activiteiten/{slug}/inschrijven", {"submit": "Inschrijven"})
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    mine = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.email == facts.member_email
        )
    )
    assert mine == 1


def test_the_seeded_coordinator_opens_the_statistics_of_the_benchmarks_region(app, client):
    """``make bench`` measures the statistics page as this coordinator (issue 18)."""
    facts = seed(SCALE, progress=False)
    response = client.post_form(
        "/aanmelden", {"email": facts.coordinator_email, "password": facts.member_password}
    )
    assert response.status_code == 302
    page = client.get(f"/statistieken/{facts.region_slug}")
    assert page.status_code == 200
    assert "Activiteiten per soort en thema" in page.get_data(as_text=True)


def test_seeder_fills_the_offer_catalogue_and_the_fts_index(app, client):
    """The regional map's catalogue (issue 15) is seeded and found by its words."""
    from regionmap.catalogue import OfferFilter, search_offers
    from regionmap.models import Offer

    facts = seed(SCALE, progress=False)
    assert db.session.scalar(select(func.count(Offer.id))) == scaled(SCALE)["offers"]
    assert facts.counts["offers"] == scaled(SCALE)["offers"]
    assert search_offers(OfferFilter(text="aanbod")).total > 0
    assert client.get("/aanbod?regio=west-vlaanderen&soort=naft&leeftijd=14").status_code == 200
