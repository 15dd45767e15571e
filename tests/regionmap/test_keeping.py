"""Keeping the map: coordinators of the region edit and retire, providers propose (issue 15)."""

from __future__ import annotations

from sqlalchemy import func, select

from community.accounts.models import Organisation
from community.core.extensions import db
from regionmap.models import ConsultationBody, Offer, OfferStatus


def offer_form(region, **overrides) -> dict:
    data = {
        "title": "Time-out Oostende",
        "kind": "time_out",
        "region": str(region.id),
        "municipality": "Oostende",
        "age_min": "12",
        "age_max": "16",
        "description": "Een korte time-out buiten de school.",
        "target_group": "Leerlingen secundair onderwijs.",
        "access_routes": ["clb"],
        "how_to_refer": "Via het CLB van de school.",
        "waiting_time": "3 weken",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_coordinator_adds_a_published_offer_of_their_region(client, sign_in_as, coordinator, west):
    sign_in_as(coordinator)
    response = client.post_form("/aanbod/nieuw", offer_form(west))
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert offer.status == OfferStatus.PUBLISHED and offer.last_checked_on is not None
    assert offer.access_routes == ["clb"]
    assert "Time-out Oostende" in client.get("/aanbod?regio=west-vlaanderen").get_data(as_text=True)


def test_a_coordinator_cannot_choose_another_region(client, sign_in_as, coordinator, antwerp):
    sign_in_as(coordinator)
    response = client.post_form("/aanbod/nieuw", offer_form(antwerp))
    assert response.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in response.get_data(as_text=True)
    assert count(Offer) == 0


def test_a_bad_form_shows_the_message_and_stores_nothing(client, sign_in_as, coordinator, west):
    sign_in_as(coordinator)
    response = client.post_form(
        "/aanbod/nieuw",
        offer_form(west, target_group="Mail gerust naar mama.peeters@gmail.com"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "persoonsgegevens" in page
    assert count(Offer) == 0


def test_another_region_s_coordinator_gets_403(
    client, sign_in_as, other_coordinator, make_offer, west
):
    offer = make_offer(title="NAFT Brugge")
    sign_in_as(other_coordinator)
    assert client.get(f"/aanbod/{offer.slug}/bewerken").status_code == 403
    assert client.post_form(f"/aanbod/{offer.slug}/stopzetten", {}).status_code == 403
    response = client.post_form(f"/aanbod/{offer.slug}/bewerken", offer_form(west, title="X"))
    assert response.status_code == 403
    db.session.refresh(offer)
    assert offer.title == "NAFT Brugge" and offer.status == OfferStatus.PUBLISHED


def test_coordinator_retires_and_reinstates(client, sign_in_as, coordinator, make_offer):
    offer = make_offer()
    sign_in_as(coordinator)
    assert client.post_form(f"/aanbod/{offer.slug}/stopzetten", {}).status_code == 302
    db.session.refresh(offer)
    assert offer.status == OfferStatus.RETIRED
    client.post_form(f"/aanbod/{offer.slug}/stopzetten", {})
    db.session.refresh(offer)
    assert offer.status == OfferStatus.PUBLISHED


def test_a_provider_proposes_and_the_coordinator_publishes(
    client, sign_in_as, make_user, coordinator, west, mailbox
):
    provider = make_user(region=west)
    sign_in_as(provider)
    response = client.post_form("/aanbod/nieuw", offer_form(west, title="Nieuw aanbod"))
    assert response.status_code == 302
    proposal = db.session.scalar(select(Offer))
    assert proposal.status == OfferStatus.PROPOSED and proposal.proposed_by_id == provider.id
    assert "Nieuw aanbod" not in client.get("/aanbod").get_data(as_text=True)

    sign_in_as(coordinator)
    assert "Nieuw aanbod" in client.get("/aanbod/beheer").get_data(as_text=True)
    response = client.post_form(f"/aanbod/{proposal.slug}/beoordelen", {"publish": "y"})
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == OfferStatus.PUBLISHED


def test_a_correction_is_copied_onto_the_record_when_accepted(
    client, sign_in_as, make_user, coordinator, make_offer, west
):
    offer = make_offer(title="NAFT Brugge", waiting_time="2 weken")
    provider = make_user(region=west)
    sign_in_as(provider)
    response = client.post_form(
        f"/aanbod/{offer.slug}/correctie",
        offer_form(west, title="NAFT Brugge", kind="naft", waiting_time="5 weken"),
    )
    assert response.status_code == 302
    correction = db.session.scalar(select(Offer).where(Offer.corrects_id == offer.id))
    assert correction.status == OfferStatus.PROPOSED

    sign_in_as(coordinator)
    client.post_form(f"/aanbod/{correction.slug}/beoordelen", {"publish": "y"})
    db.session.expire_all()
    assert count(Offer) == 1
    assert db.session.get(Offer, offer.id).waiting_time == "5 weken"


def test_refusing_a_proposal_needs_a_note(client, sign_in_as, make_user, coordinator, west):
    from regionmap.catalogue import OfferFields, propose_offer

    proposal = propose_offer(OfferFields(title="Voorstel", region=west), make_user())
    db.session.commit()
    sign_in_as(coordinator)
    response = client.post_form(f"/aanbod/{proposal.slug}/beoordelen", {"refuse": "y"})
    assert response.status_code == 409
    assert "waarom" in response.get_data(as_text=True)
    response = client.post_form(
        f"/aanbod/{proposal.slug}/beoordelen", {"refuse": "y", "note": "Bestaat al."}
    )
    assert response.status_code == 302
    assert count(Offer) == 0


def test_the_keeping_page_lists_stale_records_and_marks_them_checked(
    client, sign_in_as, coordinator, make_offer
):
    import datetime as dt

    offer = make_offer(title="Lang niet bekeken", last_checked_on=dt.date(2020, 1, 1))
    sign_in_as(coordinator)
    assert "Lang niet bekeken" in client.get("/aanbod/beheer").get_data(as_text=True)
    client.post_form(f"/aanbod/{offer.slug}/nagekeken", {"next_page": "beheer"})
    assert "Lang niet bekeken" not in client.get("/aanbod/beheer").get_data(as_text=True)


def test_coordinator_keeps_organisations_and_bodies_of_their_region(
    client, sign_in_as, coordinator, other_coordinator, west, provider
):
    sign_in_as(coordinator)
    response = client.post_form(
        "/organisaties/nieuw",
        {
            "name": "CLB Brugge",
            "region": str(west.id),
            "sector": "onderwijs",
            "organisation_type": "clb",
            "municipality": "Brugge",
            "is_public": "y",
        },
    )
    assert response.status_code == 302
    clb = db.session.scalar(select(Organisation).where(Organisation.name == "CLB Brugge"))
    response = client.post_form(
        "/overlegfora/nieuw",
        {
            "name": "Overleg spijbelen Brugge",
            "region": str(west.id),
            "sector": "beide",
            "members": [str(clb.id), str(provider.id)],
        },
    )
    assert response.status_code == 302
    body = db.session.scalar(select(ConsultationBody))
    assert {o.name for o in body.members} == {"CLB Brugge", "NAFT-aanbieder Brugge"}
    page = client.get("/overlegfora?regio=west-vlaanderen").get_data(as_text=True)
    assert "Overleg spijbelen Brugge" in page and "CLB Brugge" in page

    sign_in_as(other_coordinator)
    assert client.get(f"/organisaties/{clb.id}/bewerken").status_code == 403
    assert client.get(f"/overlegfora/{body.slug}/bewerken").status_code == 403


def test_organisation_name_must_be_unique(client, sign_in_as, coordinator, west, provider):
    sign_in_as(coordinator)
    response = client.post_form(
        "/organisaties/nieuw",
        {
            "name": "naft-aanbieder brugge",
            "region": str(west.id),
            "sector": "welzijn",
            "organisation_type": "naft",
        },
    )
    assert response.status_code == 422
    assert "Er is al een organisatie met die naam." in response.get_data(as_text=True)


def test_organisation_page_shows_offer_events_and_practices(
    client, provider, make_offer, make_event, west
):
    from community.library.models import Practice, PracticeStatus

    make_offer(title="NAFT Brugge", providers=[provider])
    event = make_event(title="Netwerkmoment West", region=west)
    event.organisations = [provider]
    db.session.add(
        Practice(
            slug="spijbelplan",
            title="Spijbelplan",
            region=west,
            status=PracticeStatus.PUBLISHED,
            contact_organisation=provider,
        )
    )
    db.session.commit()
    page = client.get(f"/organisaties/{provider.id}").get_data(as_text=True)
    assert "NAFT Brugge" in page and "Netwerkmoment West" in page and "Spijbelplan" in page


def test_region_page_names_the_tandem_and_links_the_map(client, make_user, west, make_offer):
    make_user("coordinator", regions=[west], display_name="An Jeugdhulp", job_title="coördinator")
    make_user("coordinator", regions=[west], display_name="Bert Onderwijs")
    make_offer()
    page = client.get("/regio/west-vlaanderen").get_data(as_text=True)
    assert "An Jeugdhulp" in page and "Bert Onderwijs" in page
    assert "1 aanbod in deze regio" in page
