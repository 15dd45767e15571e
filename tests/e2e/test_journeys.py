"""Journeys in a real browser (issue 7): what partners and members do, click by click.

Each journey runs in headless Chromium against the app served on 127.0.0.1 on
the demo data; mails arrive at the real test SMTP server. Accounts a journey
needs beyond the demo ones are added through the models with unique addresses,
so the journeys do not depend on each other's order.
"""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import expect

from demo.pdf import material_pdf

from .conftest import MEMBER, add_member, links_in, set_capacity, sign_in


def test_sign_up_verify_from_the_mail_and_log_in(server, new_page):
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Account maken").click()
    page.get_by_label("E-mailadres").fill("nieuw.lid@example.org")
    page.get_by_label("Wachtwoord", exact=True).fill("een lange zin als wachtwoord")
    page.get_by_label("Herhaal het wachtwoord").fill("een lange zin als wachtwoord")
    page.get_by_label("Naam").fill("Nieuw Lid")
    page.get_by_label("Regio").select_option(label="Limburg")
    page.get_by_label("Sector").select_option(index=1)
    page.locator("main form").get_by_role("button", name="Account maken").click()
    # Not signed in yet: the answer is the same as for an address that has an account.
    expect(page.get_by_text("We stuurden een mail naar nieuw.lid@example.org")).to_be_visible()

    mail = server.wait_for_mail("nieuw.lid@example.org")
    link = next(url for url in links_in(mail) if "/bevestigen/" in url)
    page.goto(link)
    confirm = page.get_by_role("button", name="Ja, bevestig mijn e-mailadres")
    if confirm.count():  # the link opens a page with a button (mail scanners change nothing)
        confirm.click()
    expect(page.get_by_text("Je e-mailadres is bevestigd")).to_be_visible()

    sign_in(page, "nieuw.lid@example.org", "een lange zin als wachtwoord")
    page.goto("/account")
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
    expect(page.get_by_text("Nieuw Lid").first).to_be_visible()


def test_member_finds_a_training_through_the_agenda_filters_and_registers(server, new_page):
    add_member(server, "vorming.zoeker@example.org", "Vorming Zoeker")
    page = new_page(width="phone")
    sign_in(page, "vorming.zoeker@example.org")
    page.get_by_role("link", name="Agenda").first.click()
    page.get_by_label("Regio").select_option(label="Oost-Vlaanderen")
    page.get_by_label("Soort activiteit").select_option(value="training")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"regio=oost-vlaanderen.*type=training"))
    results = page.locator("main")
    expect(results.get_by_role("link", name=re.compile("Nieuwe Autoriteit"))).to_be_visible()
    # The filter leaves out trainings of other regions.
    expect(results.get_by_role("link", name=re.compile("psychische kwetsbaarheid"))).to_have_count(
        0
    )
    results.get_by_role("link", name=re.compile("Nieuwe Autoriteit")).first.click()

    page.locator("#inschrijven").get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_text("Je bent ingeschreven voor deze activiteit.")).to_be_visible()
    mail = server.wait_for_mail("vorming.zoeker@example.org", "Nieuwe Autoriteit")
    assert "Nieuwe Autoriteit" in mail["Subject"]
    page.goto("/account/activiteiten")
    expect(page.get_by_text(re.compile("Nieuwe Autoriteit")).first).to_be_visible()


def test_the_next_person_is_waitlisted_and_promoted_when_a_place_frees(server, new_page):
    slug = "netwerkmoment-limburg-welzijn-in-de-kleuterklas"
    set_capacity(server, slug, 2)
    people = ["eerste", "tweede", "derde"]
    pages = {}
    for who in people:
        add_member(server, f"{who}.plaats@example.org", f"{who.title()} Plaats")
        page = new_page()
        sign_in(page, f"{who}.plaats@example.org")
        page.goto(f"/activiteiten/{slug}")
        pages[who] = page
    for who in ("eerste", "tweede"):
        pages[who].locator("#inschrijven").get_by_role("button", name="Inschrijven").click()
        expect(pages[who].get_by_text("Je bent ingeschreven voor deze activiteit.")).to_be_visible()

    third = pages["derde"]
    third.reload()
    expect(third.get_by_text("Volzet").first).to_be_visible()
    third.get_by_role("button", name="Inschrijven op de wachtlijst").click()
    expect(third.get_by_text("Je staat op de wachtlijst voor deze activiteit.")).to_be_visible()

    first = pages["eerste"]
    first.reload()
    first.get_by_role("button", name="Inschrijving annuleren").click()
    expect(first.get_by_role("heading", name="Je inschrijving is geannuleerd")).to_be_visible()

    mail = server.wait_for_mail("derde.plaats@example.org", "plaats vrij")
    assert "Limburg" in mail.get_body(preferencelist=("plain",)).get_content()
    third.reload()
    expect(third.get_by_text("Je bent ingeschreven voor deze activiteit.")).to_be_visible()


def test_subscribe_page_offers_a_feed_that_can_be_fetched(server, new_page):
    page = new_page()
    page.goto("/agenda")
    page.get_by_role("link", name=re.compile("Abonneren", re.IGNORECASE)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abonneren op de agenda")
    page.get_by_label("Regio").select_option(label="Oost-Vlaanderen")
    page.get_by_role("button", name="Toon de link").click()
    url = page.locator("#feed-url").input_value()
    assert url.startswith(server.url)
    webcal = page.get_by_role("link", name=re.compile("Openen in Apple Agenda")).get_attribute(
        "href"
    )
    assert webcal.split("://", 1)[1] == url.split("://", 1)[1]

    # What a calendar program does: fetch the link without the browser's cookies.
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our own server
        assert answer.headers["Content-Type"].startswith("text/calendar")
        body = answer.read().decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR")
    unfolded = body.replace("\r\n ", "")
    assert "Nieuwe Autoriteit" in unfolded
    assert "welzijn in de kleuterklas" not in unfolded  # Limburg


def test_start_a_thread_reply_with_markdown_quote_and_see_the_notification(server, new_page):
    add_member(server, "starter.forum@example.org", "Starter Forum")
    add_member(server, "reageerder.forum@example.org", "Reageerder Forum")
    starter = new_page()
    sign_in(starter, "starter.forum@example.org")
    starter.goto("/forum/thema-2")
    starter.get_by_role("link", name=re.compile("Nieuw gesprek")).first.click()
    starter.get_by_label("Titel").fill("Hoe organiseren jullie het overleg met NAFT?")
    starter.get_by_label("Bericht").fill("Wie heeft er ervaring met een vast overlegmoment?")
    starter.get_by_role("button", name="Gesprek starten").click()
    expect(starter.get_by_role("heading", name=re.compile("overleg met NAFT"))).to_be_visible()
    thread_url = starter.url.split("#")[0]

    replier = new_page(width="phone")
    sign_in(replier, "reageerder.forum@example.org")
    replier.goto(thread_url)
    replier.get_by_label("Bericht").fill("Bij ons werkt **elke maand** een vast moment.")
    replier.get_by_role("button", name="Reactie plaatsen").click()
    expect(replier.locator("strong", has_text="elke maand")).to_be_visible()

    replier.get_by_role("link", name="Citeren").first.click()
    body = replier.get_by_label("Bericht")
    expect(body).to_have_value(re.compile(r"^>.*vast overlegmoment", re.DOTALL))
    body.press("End")
    body.press("Control+End")
    body.type("\n\nDat vroeg ik me ook af.")
    replier.get_by_role("button", name="Reactie plaatsen").click()
    expect(replier.locator("blockquote", has_text="vast overlegmoment").first).to_be_visible()
    expect(replier.get_by_text("Dat vroeg ik me ook af.")).to_be_visible()

    starter.goto("/")
    notifications = starter.get_by_role("link", name=re.compile("Meldingen"))
    expect(notifications.locator(".badge-count")).to_have_text("2")
    notifications.click()
    expect(
        starter.get_by_role("link", name=re.compile("Nieuw bericht van Reageerder Forum")).first
    ).to_be_visible()


def test_upload_a_material_and_download_it(server, new_page, tmp_path):
    pdf = tmp_path / "draaiboek-overleg.pdf"
    pdf.write_bytes(material_pdf("Draaiboek overleg school en CLB"))
    page = new_page()
    sign_in(page, MEMBER)
    page.goto("/materiaal")
    page.locator("main").get_by_role("link", name=re.compile("Materiaal delen|Nieuw")).first.click()
    page.get_by_label("Titel").fill("Draaiboek overleg school en CLB")
    page.get_by_label("Soort").select_option(index=1)
    page.get_by_label("Bestand").set_input_files(str(pdf))
    page.get_by_role("button", name="Bewaren").click()
    expect(page.get_by_text("Het materiaal is gedeeld.")).to_be_visible()
    expect(page.get_by_role("heading", name="Draaiboek overleg school en CLB")).to_be_visible()

    # PDFs open in the browser (inline); fetch what the link serves with the page's cookies.
    href = page.get_by_role("link", name="Downloaden").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "draaiboek-overleg.pdf" in response.headers["content-disposition"]
    assert response.body() == pdf.read_bytes()


def test_switch_to_english_and_back(server, new_page):
    page = new_page(width="phone")
    page.goto("/agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("link", name="Aanmelden")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
