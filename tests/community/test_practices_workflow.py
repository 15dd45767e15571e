"""Good practices: members submit, coordinators of the region publish or send back, overview."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from community.core.extensions import db
from community.library.models import Practice, PracticeAttachment, PracticeStatus
from community.library.practices import (
    PracticeFields,
    PracticeStateError,
    create_practice,
    practice_counts,
    publish_practice,
    send_back_practice,
    submit_practice,
)
from tests.community.library_files import HTML_AS_PDF, pdf
from tests.pages_helpers import sign_in


@pytest.fixture
def region(make_region):
    return make_region(slug="antwerpen", name="Antwerpen")


@pytest.fixture
def author(make_user, region):
    return make_user(region=region, display_name="Ann", locale="nl")


@pytest.fixture
def coordinator(make_user, region):
    return make_user("coordinator", regions=[region])


def practice_form(where, theme=None, **overrides) -> dict:
    data = {
        "title": "Spijbelactieplan",
        "region": str(where.id),
        "themes": [str(theme.id)] if theme else [],
        "summary": "Een integrale aanpak van spijbelen.",
        "age_group": "12 tot 18 jaar",
        "target_group": "Jongeren die vaak spijbelen.",
        "partners": "school\nCLB\npolitie",
        "partner_sectors": ["onderwijs", "justitie"],
        "approach": "Gedeelde verantwoordelijkheid.",
        "results": "Minder spijbelen.",
        "needs": "Een trekker per school.",
        "contact_name": "Provincie Antwerpen",
        "contact_address": "Koningin Elisabethlei 22, 2018 Antwerpen",
        "contact_email": "info@example.org",
        "contact_website": "https://example.org",
        "links": "https://example.org/plan\nhttp://example.org/verslag",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_member_submits_a_practice_that_only_author_and_reviewers_see(
    client, author, coordinator, region, make_theme, make_user
):
    sign_in(client, author)
    response = client.post_form(
        "/praktijkvoorbeelden/nieuw",
        practice_form(region, make_theme(2), submit_for_review="Indienen ter beoordeling"),
    )

    practice = db.session.scalar(select(Practice))
    assert response.status_code == 302
    assert practice.status == PracticeStatus.IN_REVIEW and practice.author == author
    assert practice.partners == ["school", "CLB", "politie"]
    assert practice.partner_sectors == ["onderwijs", "justitie"]
    assert practice.links == ["https://example.org/plan", "http://example.org/verslag"]
    page = client.get(f"/praktijkvoorbeelden/{practice.slug}").get_data(as_text=True)
    assert "ter beoordeling" in page and "12 tot 18 jaar" in page
    assert "Koningin Elisabethlei 22" in page
    sign_in(client, make_user())
    assert client.get(f"/praktijkvoorbeelden/{practice.slug}").status_code == 404
    assert "Spijbelactieplan" not in client.get("/praktijkvoorbeelden").get_data(as_text=True)
    sign_in(client, coordinator)
    listing = client.get("/praktijkvoorbeelden").get_data(as_text=True)
    assert "Ontwerpen en ter beoordeling" in listing and "Spijbelactieplan" in listing


def test_coordinator_publishes_with_a_note_that_reaches_the_author(
    client, author, coordinator, region, mailbox
):
    practice = create_practice(author, PracticeFields(title="KANS", region=region, summary="x"))
    submit_practice(practice)
    db.session.commit()
    sign_in(client, coordinator)

    response = client.post_form(
        f"/praktijkvoorbeelden/{practice.slug}/beoordelen",
        {"note": "Mooi uitgewerkt, dank je!", "publish": "Publiceren"},
    )

    assert response.status_code == 302
    db.session.refresh(practice)
    assert practice.status == PracticeStatus.PUBLISHED and practice.reviewed_by == coordinator
    assert practice.published_at is not None
    [message] = mailbox
    assert message["To"] == author.email
    assert message["Subject"] == "Je praktijkvoorbeeld is gepubliceerd"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Mooi uitgewerkt, dank je!" in body and f"/praktijkvoorbeelden/{practice.slug}" in body
    assert "KANS" in client.get("/praktijkvoorbeelden").get_data(as_text=True)


def test_coordinator_sends_back_only_with_a_note(client, author, coordinator, region, mailbox):
    practice = create_practice(author, PracticeFields(title="KANS", region=region))
    submit_practice(practice)
    db.session.commit()
    sign_in(client, coordinator)

    empty = client.post_form(
        f"/praktijkvoorbeelden/{practice.slug}/beoordelen", {"note": "", "send_back": "x"}
    )
    with_note = client.post_form(
        f"/praktijkvoorbeelden/{practice.slug}/beoordelen",
        {"note": "Voeg de resultaten toe.", "send_back": "x"},
    )

    assert empty.status_code == 409
    assert "Schrijf de indiener wat er nog moet veranderen." in empty.get_data(as_text=True)
    assert with_note.status_code == 302
    db.session.refresh(practice)
    assert practice.status == PracticeStatus.DRAFT
    [message] = mailbox
    assert "Voeg de resultaten toe." in message.get_body(("plain",)).get_content()


def test_coordinator_of_another_region_may_not_review(
    client, author, region, make_user, make_region
):
    practice = create_practice(author, PracticeFields(title="KANS", region=region))
    submit_practice(practice)
    db.session.commit()
    sign_in(client, make_user("coordinator", regions=[make_region()]))

    response = client.post_form(
        f"/praktijkvoorbeelden/{practice.slug}/beoordelen", {"publish": "x"}
    )

    assert response.status_code in (403, 404)
    db.session.refresh(practice)
    assert practice.status == PracticeStatus.IN_REVIEW


def test_states_follow_the_workflow(app, author, coordinator, region):
    practice = create_practice(author, PracticeFields(title="KANS", region=region))
    with pytest.raises(PracticeStateError):
        send_back_practice(practice, coordinator, "te vroeg")
    submit_practice(practice)
    with pytest.raises(PracticeStateError):
        submit_practice(practice)
    publish_practice(practice, coordinator)
    with pytest.raises(PracticeStateError):
        publish_practice(practice, coordinator)


def test_coordinator_archives_a_published_practice(client, author, coordinator, region):
    practice = create_practice(author, PracticeFields(title="KANS", region=region))
    publish_practice(practice, coordinator)
    db.session.commit()
    sign_in(client, coordinator)

    response = client.post_form(f"/praktijkvoorbeelden/{practice.slug}/archiveren")
    again = client.post_form(f"/praktijkvoorbeelden/{practice.slug}/archiveren")

    assert response.status_code == 302
    db.session.refresh(practice)
    assert practice.status == PracticeStatus.ARCHIVED
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"links": "javascript:alert(1)"}, "Koppeling 1 is geen webadres"),
        ({"links": "https://ok.org\ndata:text/html,x"}, "Koppeling 2 is geen webadres"),
        ({"contact_website": "ftp://example.org"}, "begint met https://"),
        ({"contact_email": "geen-adres"}, "Dit is geen geldig e-mailadres."),
        ({"title": ""}, "Geef de praktijk een naam."),
        ({"region": ""}, "Kies de regio van de praktijk."),
    ],
)
def test_bad_practice_input_is_refused_and_nothing_is_stored(
    client, author, region, overrides, message
):
    sign_in(client, author)

    response = client.post_form("/praktijkvoorbeelden/nieuw", practice_form(region, **overrides))

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Practice) == 0


def test_an_attachment_is_checked_like_any_upload(app, client, author, region):
    sign_in(client, author)
    data = practice_form(region)

    refused = client.post_form(
        "/praktijkvoorbeelden/nieuw",
        {**data, "attachment": (io.BytesIO(HTML_AS_PDF), "plan.pdf")},
        content_type="multipart/form-data",
    )
    accepted = client.post_form(
        "/praktijkvoorbeelden/nieuw",
        {**data, "attachment": (io.BytesIO(pdf("Plan")), "../plan.pdf")},
        content_type="multipart/form-data",
    )

    assert refused.status_code == 422
    assert "Dit soort bestand kan je hier niet delen" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    [attachment] = db.session.scalars(select(PracticeAttachment)).all()
    assert attachment.file_name == "plan.pdf"
    practice = attachment.practice
    download = client.get(f"/praktijkvoorbeelden/{practice.slug}/bijlagen/{attachment.id}")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data == pdf("Plan")
    client.get("/afmelden")
    with client.session_transaction() as session:
        session.clear()
    hidden = client.get(f"/praktijkvoorbeelden/{practice.slug}/bijlagen/{attachment.id}")
    assert hidden.status_code == 404  # a draft's attachment is not for visitors


def test_overview_counts_published_practices_per_region_and_theme(
    client, author, coordinator, region, make_theme, make_region
):
    one, two = make_theme(1), make_theme(2)
    other = make_region(slug="limburg", name="Limburg")
    for title, where, themes in [
        ("A", region, [two]),
        ("B", region, [one, two]),
        ("C", other, [two]),
    ]:
        practice = create_practice(author, PracticeFields(title=title, region=where, themes=themes))
        publish_practice(practice, coordinator)
    create_practice(author, PracticeFields(title="Ontwerp", region=region, themes=[one]))
    db.session.commit()

    counts = practice_counts()
    page = client.get("/praktijkvoorbeelden").get_data(as_text=True)

    assert counts[(region.id, two.id)] == 2
    assert counts[(region.id, one.id)] == 1
    assert counts[(other.id, two.id)] == 1
    assert 'href="/praktijkvoorbeelden?regio=antwerpen&amp;thema=2">2</a>' in page
    filtered = client.get("/praktijkvoorbeelden?regio=antwerpen&thema=1").get_data(as_text=True)
    assert ">B</a>" in filtered and ">A</a>" not in filtered


def test_practices_filter_by_sector_and_refuse_unknown_values(client, author, coordinator, region):
    for title, sectors in [("Met politie", ["justitie"]), ("Zonder", ["onderwijs"])]:
        practice = create_practice(
            author, PracticeFields(title=title, region=region, partner_sectors=sectors)
        )
        publish_practice(practice, coordinator)
    db.session.commit()

    page = client.get("/praktijkvoorbeelden?sector=justitie").get_data(as_text=True)
    bad = client.get("/praktijkvoorbeelden?sector=ruimtevaart")

    assert "Met politie" in page and "Zonder</a>" not in page
    assert bad.status_code == 400
