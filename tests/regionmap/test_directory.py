"""The member directory: opt-in, members only, contact through the platform, GDPR (issue 15)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from community.accounts.models import Organisation, Sector
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from regionmap.models import DirectoryEntry


def test_nobody_is_listed_without_opting_in(client, sign_in_as, make_user, west):
    quiet = make_user(region=west, display_name="Niet Vermeld")
    reader = make_user(region=west)
    sign_in_as(reader)
    assert "Niet Vermeld" not in client.get("/leden").get_data(as_text=True)

    sign_in_as(quiet)
    response = client.post_form(
        "/leden/mijn-vermelding", {"is_listed": "y", "expertise": "spijbelen, NAFT, +12"}
    )
    assert response.status_code == 302
    sign_in_as(reader)
    page = client.get("/leden?expertise=naft").get_data(as_text=True)
    assert "Niet Vermeld" in page and "spijbelen" in page
    assert quiet.email not in page  # never an address


def test_the_directory_filters_by_region_sector_and_expertise(
    client, sign_in_as, make_user, west, antwerp
):
    clb = Organisation(name="CLB Brugge", sector=Sector.EDUCATION, region=west)
    db.session.add(clb)
    ann = make_user(region=west, display_name="Ann", sector=Sector.EDUCATION, organisation=clb)
    bart = make_user(region=antwerp, display_name="Bart", sector=Sector.WELFARE)
    for user, tags in ((ann, ["spijbelen"]), (bart, ["NAFT"])):
        db.session.add(DirectoryEntry(user_id=user.id, is_listed=True, expertise=tags))
    db.session.commit()
    sign_in_as(ann)

    def names(query: str) -> list[str]:
        page = client.get(f"/leden?{query}").get_data(as_text=True)
        return [name for name in ("Ann", "Bart") if f"<strong>{name}</strong>" in page]

    assert names("") == ["Ann", "Bart"]
    assert names("regio=antwerpen") == ["Bart"]
    assert names("sector=onderwijs") == ["Ann"]
    assert names("expertise=SPIJBELEN") == ["Ann"]
    assert names("q=brugge") == ["Ann"]
    assert names("expertise=%25") == []  # a wildcard is a character, not "anything"
    assert client.get("/leden?regio=nergens").status_code == 400


def test_an_expertise_tag_with_accents_is_found(client, sign_in_as, make_user, west):
    """Tags beyond ASCII are stored as JSON escapes; the filter still finds them."""
    ann = make_user(region=west, display_name="Ann")
    bart = make_user(region=west, display_name="Bart")
    for user, tags in ((ann, ["Leerrecht één", "NAFT"]), (bart, ["oriëntering"])):
        db.session.add(DirectoryEntry(user_id=user.id, is_listed=True, expertise=tags))
    db.session.commit()
    sign_in_as(ann)

    def names(tag: str) -> list[str]:
        page = client.get("/leden", query_string={"expertise": tag}).get_data(as_text=True)
        return [name for name in ("Ann", "Bart") if f"<strong>{name}</strong>" in page]

    assert names("Leerrecht één") == ["Ann"]
    assert names("leerrecht één") == ["Ann"]
    assert names("oriëntering") == ["Bart"]
    assert names("oriënt") == []  # a tag, not a part of one


def test_unverified_and_signed_out_visitors_cannot_see_it(client, sign_in_as, make_user):
    assert client.get("/leden").status_code == 302
    sign_in_as(make_user(is_verified=False))
    assert client.get("/leden").status_code == 403


def test_contact_goes_through_the_platform_mail_with_a_reply_to(
    client, sign_in_as, make_user, west, mailbox
):
    listed = make_user(region=west, display_name="Ann", email="ann@example.org", locale="en")
    db.session.add(DirectoryEntry(user_id=listed.id, is_listed=True))
    db.session.commit()
    writer = make_user(region=west, display_name="Bert", email="bert@example.org")
    sign_in_as(writer)

    form = client.get(f"/leden/{listed.id}/contact").get_data(as_text=True)
    assert "ann@example.org" not in form
    response = client.post_form(
        f"/leden/{listed.id}/contact",
        {"subject": "Spijbelen bij +12", "message": "Hoe pakken jullie dit aan in Brugge?"},
    )
    assert response.status_code == 302
    [message] = mailbox
    assert message["To"] == "ann@example.org"
    assert message["Reply-To"] == "bert@example.org"
    assert "Bert" in message["Subject"]
    assert "Hoe pakken jullie dit aan in Brugge?" in message.get_body(("plain",)).get_content()


def test_a_message_naming_a_child_is_refused_and_nothing_is_sent(
    client, sign_in_as, make_user, west
):
    listed = make_user(region=west)
    db.session.add(DirectoryEntry(user_id=listed.id, is_listed=True))
    db.session.commit()
    sign_in_as(make_user(region=west))
    response = client.post_form(
        f"/leden/{listed.id}/contact",
        {"subject": "Vraag", "message": "Het gaat om Emma, geboren 03/04/2013, 0472 12 34 56."},
    )
    assert response.status_code == 422
    assert "persoonsgegevens" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_an_unlisted_member_cannot_be_written(client, sign_in_as, make_user, west):
    hidden = make_user(region=west)
    db.session.add(DirectoryEntry(user_id=hidden.id, is_listed=False))
    db.session.commit()
    sign_in_as(make_user(region=west))
    assert client.get(f"/leden/{hidden.id}/contact").status_code == 404


def test_the_entry_is_in_the_data_export_and_goes_with_the_account(
    client, sign_in_as, make_user, west
):
    from community.gdpr.rights import delete_account
    from tests.conftest import PASSWORD

    member = make_user(region=west)
    sign_in_as(member)
    client.post_form("/leden/mijn-vermelding", {"is_listed": "y", "expertise": "NAFT"})
    data = json.loads(client.get("/account/gegevens.json").get_data(as_text=True))
    assert data["member_directory"] == {"is_listed": True, "expertise": ["NAFT"], "about": ""}

    delete_account(member, PASSWORD)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(DirectoryEntry)) == 0
