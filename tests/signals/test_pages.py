"""The signal pages: members-only lists, reporting on a phone, recognising, triage by region,
bundles, policy notes as PDF and DOCX, answers by mail, the public page and its cache."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from sqlalchemy import func, select

from community.accounts.models import Sector
from community.core.extensions import db
from signals import reporting, workflow
from signals.models import PolicyNote, Recognition, Signal, SignalBundle, State
from tests.pages_helpers import sign_in


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _bundle(network, make_signal, *regions, title="Geen dagbesteding na uitsluiting"):
    signals = [make_signal(r) for r in regions or (network.west,)]
    bundle = workflow.create_bundle(signals, network.admin, title)
    db.session.commit()
    return bundle


def test_signals_are_for_members_only(client, network, make_user):
    assert client.get("/signalen").headers["Location"].startswith("/aanmelden")
    sign_in(client, make_user(is_verified=False))
    response = client.get("/signalen")
    assert response.status_code == 403
    assert "Bevestig eerst je e-mailadres" in response.text


def test_a_member_reports_a_signal_with_the_three_required_fields(client, network, make_user):
    member = make_user(region=network.west)
    sign_in(client, member)
    form = client.get("/signalen/nieuw")
    assert form.status_code == 200
    assert "Schrijf niets waarmee een kind of gezin herkenbaar is" in form.text

    response = client.post_form(
        "/signalen/nieuw",
        {
            "title": "Uitgesloten 15-jarigen zonder dagbesteding",
            "description": "Na een definitieve uitsluiting zitten ze weken thuis.",
            "region": str(network.west.id),
        },
    )

    assert response.status_code == 303
    signal = db.session.scalars(select(Signal)).one()
    assert response.headers["Location"] == f"/signalen/{signal.id}"
    page = client.get(response.headers["Location"])
    assert "Uitgesloten 15-jarigen zonder dagbesteding" in page.text
    assert "Bedankt: je signaal is gemeld" in page.text
    mine = client.get("/signalen/mijn")
    assert "Uitgesloten 15-jarigen" in mine.text and "nieuw" in mine.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "description": "x"}, "Vul dit veld in: Wat loopt vast?"),
        ({"title": "x" * 201, "description": "x"}, "Wat loopt vast? is te lang"),
        ({"title": "Wachtlijst", "description": "x", "region": "999"}, "Kies een van de"),
        ({"title": "Wachtlijst", "description": "x", "age_group": "baby"}, "Kies een van de"),
        ({"title": "Wachtlijst", "description": "x", "sectors": ["ruimtevaart"]}, "Kies alleen"),
    ],
)
def test_bad_input_shows_a_dutch_message_and_stores_nothing(
    client, network, make_user, data, message
):
    sign_in(client, make_user())
    data = {"region": str(network.west.id), **data}
    response = client.post_form("/signalen/nieuw", data)
    assert response.status_code == 422
    assert message in response.text
    assert _count(Signal) == 0


def test_personal_data_is_marked_and_nothing_is_stored_until_the_text_is_changed(
    client, network, make_user
):
    sign_in(client, make_user())
    data = {
        "title": "Wachtlijst",
        "description": "Bel de moeder op 0472 12 34 56: ze wacht al een jaar.",
        "region": str(network.west.id),
    }
    response = client.post_form("/signalen/nieuw", data)
    assert response.status_code == 422
    assert "persoonsgegevens" in response.text and "<mark" in response.text
    assert _count(Signal) == 0


def test_a_member_recognises_a_signal_once_and_a_double_shows_a_message(
    client, network, make_signal, make_user
):
    signal = make_signal(network.west)
    sign_in(client, make_user(region=network.east, sector=Sector.WELFARE))
    url = f"/signalen/{signal.id}/herkennen"

    first = client.post_form(url, {"context": "Ook in Oost-Vlaanderen."})
    second = client.post_form(url, {"context": "Nog eens."})

    assert first.status_code == 303
    assert second.status_code == 409 and "Je herkende dit signaal al." in second.text
    page = client.get(f"/signalen/{signal.id}")
    assert (
        "„Ook in Oost-Vlaanderen.”" in page.text
        and "Oost-Vlaanderen, welzijn/jeugdhulp" in page.text
    )
    assert _count(Recognition) == 1


def test_the_reporters_name_shows_to_members_only_when_agreed(
    client, network, make_signal, make_user
):
    reporter = make_user(display_name="Sofie Leraar", region=network.west)
    signal = make_signal(network.west, reporter=reporter)
    sign_in(client, make_user())
    assert "Sofie Leraar" not in client.get(f"/signalen/{signal.id}").text
    sign_in(client, network.west_coordinator)
    assert "Sofie Leraar" in client.get(f"/signalen/{signal.id}").text


def test_the_list_filters_and_searches(client, network, make_signal, make_user):
    make_signal(network.west, title="Wachtlijst schoolexterne begeleiding")
    make_signal(network.east, title="Geen plaats in NAFT")
    sign_in(client, make_user())

    assert "Geen plaats in NAFT" in client.get("/signalen?q=naft").text
    assert "Wachtlijst" not in client.get("/signalen?q=naft").text
    by_region = client.get("/signalen?regio=west-vlaanderen").text
    assert "Wachtlijst" in by_region and "NAFT" not in by_region
    bad = client.get("/signalen?regio=mars")
    assert bad.status_code == 400 and "Ongeldige filter" in bad.text


def test_a_coordinator_of_another_region_cannot_triage(client, network, make_signal):
    signal = make_signal(network.west)
    sign_in(client, network.east_coordinator)
    response = client.post_form(f"/signalen/{signal.id}/vraag", {"question": "Hoe vaak?"})
    assert response.status_code == 403
    assert "Hoe vaak" not in client.get("/signalen/beheer").text


def test_the_coordinator_asks_the_reporter_by_mail(client, mailbox, network, make_signal):
    signal = make_signal(network.west)
    sign_in(client, network.west_coordinator)

    response = client.post_form(
        f"/signalen/{signal.id}/vraag", {"question": "Over hoeveel jongeren gaat het?"}
    )

    assert response.status_code == 303
    assert [m["X-Envelope-To"] for m in mailbox] == [signal.reporter.email]
    assert mailbox[0]["Reply-To"] == network.west_coordinator.email
    assert "Over hoeveel jongeren gaat het?" in mailbox[0].get_body(("plain",)).get_content()
    db.session.refresh(signal)
    assert signal.state == State.IN_PROGRESS


def test_an_admin_bundles_signals_of_three_regions(client, network, make_signal):
    signals = [make_signal(r) for r in (network.west, network.east, network.limburg)]
    sign_in(client, network.admin)
    response = client.post_form(
        "/signalen/beheer/bundelen",
        {"signaal": [str(s.id) for s in signals], "title": "Geen dagbesteding", "bundle": ""},
    )
    assert response.status_code == 303
    bundle = db.session.scalars(select(SignalBundle)).one()
    assert sorted(s.id for s in bundle.signals) == sorted(s.id for s in signals)
    page = client.get(response.headers["Location"])
    assert "West-Vlaanderen, Oost-Vlaanderen, Limburg" in page.text


def test_followers_get_mail_when_the_bundle_moves_and_when_the_answer_arrives(
    client, mailbox, network, make_signal, make_user
):
    bundle = _bundle(network, make_signal, network.west)
    signal = bundle.signals[0]
    follower = make_user(region=network.east, locale="en")
    reporting.recognise(signal, follower, "Ook hier.")
    db.session.commit()
    sign_in(client, network.west_coordinator)

    moved = client.post_form(
        f"/signalen/bundels/{bundle.id}/fase",
        {"state": "passed_on", "passed_to": "Kabinet Onderwijs", "passed_on_at": "", "note": ""},
    )
    assert moved.status_code == 303
    passed = [
        m["X-Envelope-To"]
        for m in mailbox  # the reporter also gets the earlier "bundled" mail
        if any(
            words in m.get_body(("plain",)).get_content()
            for words in ("doorgegeven aan het beleid", "passed on to policy")
        )
    ]
    assert sorted(passed) == sorted([signal.reporter.email, follower.email])
    english = next(m for m in mailbox if m["X-Envelope-To"] == follower.email)
    assert "passed on to policy" in english.get_body(("plain",)).get_content()
    mailbox.clear()

    answered = client.post_form(
        "/signalen/antwoord/nieuw",
        {
            "bundles": [str(bundle.id)],
            "answered_by": "Kabinet Onderwijs",
            "received_on": dt.date.today().isoformat(),
            "body": "We starten een pilootproject rond dagbesteding.",
        },
    )
    assert answered.status_code == 303
    reporter_mail = next(m for m in mailbox if m["X-Envelope-To"] == signal.reporter.email)
    text = reporter_mail.get_body(("plain",)).get_content()
    assert "Er kwam een antwoord op het signaal." in text
    assert "We starten een pilootproject rond dagbesteding." in text
    db.session.refresh(bundle)
    assert bundle.state == State.ANSWERED


def test_a_bad_answer_date_is_refused_in_dutch(client, network, make_signal):
    bundle = _bundle(network, make_signal)
    sign_in(client, network.west_coordinator)
    response = client.post_form(
        "/signalen/antwoord/nieuw",
        {"bundles": [str(bundle.id)], "answered_by": "X", "received_on": "gisteren", "body": "Y"},
    )
    assert response.status_code == 422 and "Geef een geldige datum" in response.text


def test_a_policy_note_exports_as_pdf_and_docx(client, network, make_signal):
    bundle = _bundle(network, make_signal, network.west, network.east)
    sign_in(client, network.west_coordinator)
    response = client.post_form(
        "/signalen/nota/nieuw",
        {
            "bundles": [str(bundle.id)],
            "title": "Dagbesteding voor uitgesloten jongeren",
            "introduction": "Twee regio's melden hetzelfde.",
            "quotes": "Ze zitten weken thuis.\n\nNiemand is bevoegd.",
            "recommendations": "Voorzie een dagbesteding vanaf dag één.",
        },
    )
    assert response.status_code == 303
    note = db.session.scalars(select(PolicyNote)).one()
    assert note.quotes == ["Ze zitten weken thuis.", "Niemand is bevoegd."]

    pdf = client.get(f"/signalen/nota/{note.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.mimetype == "application/pdf"
    docx = client.get(f"/signalen/nota/{note.id}.docx")
    assert docx.status_code == 200
    document = zipfile.ZipFile(io.BytesIO(docx.data)).read("word/document.xml").decode()
    assert "Dagbesteding voor uitgesloten jongeren" in document
    assert "Niemand is bevoegd." in document and "Oost-Vlaanderen" in document


def test_another_regions_coordinator_does_not_get_the_note(
    client, network, make_signal, make_region, make_user
):
    bundle = _bundle(network, make_signal, network.west)
    sign_in(client, network.west_coordinator)
    client.post_form(
        "/signalen/nota/nieuw",
        {"bundles": [str(bundle.id)], "title": "Nota", "recommendations": "Doe iets."},
    )
    note = db.session.scalars(select(PolicyNote)).one()
    sign_in(client, network.east_coordinator)
    assert client.get(f"/signalen/nota/{note.id}.pdf").status_code == 403


def test_the_public_page_shows_only_what_was_published_and_no_signal(
    client, network, make_signal, make_user
):
    reporter = make_user(display_name="Sofie Leraar", region=network.west)
    published = _bundle(network, make_signal, network.west, title="Wachtlijsten jeugdhulp")
    published.signals[0].reporter = reporter
    _bundle(network, make_signal, network.east, title="Niet gepubliceerd")
    workflow.publish(published, network.west_coordinator, "Jongeren wachten te lang.", True)
    db.session.commit()

    page = client.get("/signalen/doorgegeven")

    assert page.status_code == 200
    assert "Wachtlijsten jeugdhulp" in page.text and "Jongeren wachten te lang." in page.text
    assert "Niet gepubliceerd" not in page.text
    assert published.signals[0].title not in page.text and "Sofie Leraar" not in page.text
    again = client.get("/signalen/doorgegeven")
    assert again.headers.get("X-Page-Cache") == "hit"


def test_publishing_invalidates_the_cached_public_page(client, network, make_signal):
    bundle = _bundle(network, make_signal, network.west, title="Wachtlijsten")
    client.get("/signalen/doorgegeven")
    workflow.publish(bundle, network.west_coordinator, "Samenvatting.", True)
    db.session.commit()
    assert "Wachtlijsten" in client.get("/signalen/doorgegeven").text


def test_the_overview_is_for_admins_and_network_coordinators(client, network, make_signal):
    make_signal(network.west, themes=[])
    sign_in(client, network.west_coordinator)
    assert client.get("/signalen/overzicht").status_code == 403
    sign_in(client, network.admin)
    page = client.get("/signalen/overzicht")
    assert page.status_code == 200 and "West-Vlaanderen" in page.text
    assert 'src="data:image/svg+xml;base64,' in page.text


def test_linking_a_forum_thread_and_a_bad_address(client, network, make_signal, make_event):
    signal = make_signal(network.west)
    event = make_event(region=network.west, title="Netwerkmoment West")
    sign_in(client, signal.reporter)
    ok = client.post_form(
        f"/signalen/{signal.id}/koppelen",
        {"address": f"http://bruggen.test/activiteiten/{event.slug}"},
    )
    assert ok.status_code == 303
    assert "Netwerkmoment West" in client.get(f"/signalen/{signal.id}").text
    bad = client.post_form(f"/signalen/{signal.id}/koppelen", {"address": "https://example.org/x"})
    assert bad.status_code == 422 and "Plak het adres" in bad.text


def test_a_coordinator_adds_their_regions_signal_to_the_bundle_of_two_other_regions(
    client, network, make_signal
):
    bundle = _bundle(network, make_signal, network.east, network.limburg, title="NAFT vol")
    mine = make_signal(network.west)
    sign_in(client, network.west_coordinator)
    triage = client.get("/signalen/beheer")
    assert mine.title in triage.text and "NAFT vol" in triage.text

    response = client.post_form(
        "/signalen/beheer/bundelen",
        {"signaal": [str(mine.id)], "title": "", "bundle": str(bundle.id)},
    )

    assert response.status_code == 303
    db.session.refresh(mine)
    assert mine.bundle_id == bundle.id
    page = client.get(f"/signalen/bundels/{bundle.id}")
    assert "West-Vlaanderen, Oost-Vlaanderen, Limburg" in page.text


def test_a_coordinator_cannot_put_another_regions_signal_in_a_bundle(client, network, make_signal):
    theirs = make_signal(network.east)
    sign_in(client, network.west_coordinator)
    response = client.post_form(
        "/signalen/beheer/bundelen",
        {"signaal": [str(theirs.id)], "title": "Mijn bundel", "bundle": ""},
    )
    assert response.status_code == 403 and "Dit mag je niet" in response.text
    assert _count(SignalBundle) == 0
