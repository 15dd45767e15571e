"""Issue 17 in a real browser: the day after an activity participants evaluate it and download
their certificate, the organiser reads the summary; a partner's website shows the embedded
West-Vlaanderen agenda."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import re
import threading
import uuid
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from pypdf import PdfReader

from community.core.extensions import db

from .conftest import COORDINATOR, add_member, links_in, sign_in

BRUSSELS = ZoneInfo("Europe/Brussels")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _activity_of_yesterday(server, people: list[tuple[str, str, bool]], member_email: str) -> str:
    """A West-Vlaanderen training that ended yesterday; ``people`` (name, address, present)
    registered as guests, and the member ``member_email`` present; returns its slug."""
    from sqlalchemy import select

    from community.accounts.models import Region, User
    from events.models import (
        Event,
        EventStatus,
        EventType,
        ProgrammeItem,
        Registration,
        RegistrationState,
    )

    with server.app.app_context():
        region = db.session.scalar(select(Region).filter_by(slug="west-vlaanderen"))
        day = dt.datetime.now(BRUSSELS).date() - dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time(13, 0), tzinfo=BRUSSELS).astimezone(dt.UTC)
        slug = f"vorming-e2e-{uuid.uuid4().hex[:8]}"
        event = Event(
            slug=slug,
            title="Vorming: signalen van schooluitval vroeg herkennen",
            type=EventType.TRAINING,
            region=region,
            network=region.network,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            status=EventStatus.PUBLISHED,
            venue_name="Provinciehuis Boeverbos",
            venue_address="Koning Leopold III-laan 41, 8200 Brugge",
        )
        event.programme = [
            ProgrammeItem(
                title="Lezing", starts_at=start, ends_at=start + dt.timedelta(hours=1, minutes=30)
            ),
            ProgrammeItem(
                title="Workshop",
                kind="workshop",
                starts_at=start + dt.timedelta(hours=2),
                ends_at=start + dt.timedelta(hours=3),
            ),
        ]
        member = db.session.scalar(select(User).filter_by(email=member_email))
        rows = [(member.display_name, member.email, True, member), *[(*p, None) for p in people]]
        for name, email, present, user in rows:
            db.session.add(
                Registration(
                    event=event,
                    user=user,
                    name=name,
                    email=email,
                    state=RegistrationState.CONFIRMED,
                    attended=present,
                    organisation_name="CLB Brugge",
                )
            )
        db.session.commit()
        return slug


def _the_day_after(server) -> None:
    """What cron does the next morning: ``flask send-follow-up``."""
    from community.core.mail.outbox import deliver_outbox
    from events.followup.mailing import send_follow_up

    with server.app.app_context():
        send_follow_up(dt.datetime.now(dt.UTC))
        db.session.commit()
        deliver_outbox()


def _answer(page, link: str, content: str, take_away: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluatie")
    page.get_by_role("radiogroup", name="De inhoud van de activiteit").get_by_label(content).check()
    for question in (
        "De bruikbaarheid voor mijn praktijk",
        "De organisatie (uitnodiging, locatie, timing)",
        "De sprekers en begeleiders",
    ):
        page.get_by_role("radiogroup", name=question).get_by_label("4").check()
    page.get_by_label(re.compile("Wat neem je mee naar je praktijk")).fill(take_away)
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.get_by_text("Bedankt! Je evaluatie is anoniem bewaard.")).to_be_visible()


def test_participants_evaluate_and_download_certificates_the_organiser_reads_the_summary(
    server, new_page
):
    tag = uuid.uuid4().hex[:6]
    member_email = f"leerkracht-{tag}@example.org"
    add_member(server, member_email, "Leerkracht Brugge")
    guests = [
        ("Zorgcoördinator Kortrijk", f"zorg-{tag}@example.org", True),
        ("Directeur Oostende", f"directie-{tag}@example.org", True),
        ("Niet gekomen", f"weg-{tag}@example.org", False),
    ]
    slug = _activity_of_yesterday(server, guests, member_email)
    _the_day_after(server)

    assert server.mails_to(f"weg-{tag}@example.org") == [], "no mail to who did not come"
    page = new_page(width="phone")
    for (name, email, _present), (score, text) in zip(
        guests[:2], [("5", "Het stappenplan."), ("3", "Contact met het CLB.")], strict=True
    ):
        mail = server.wait_for_mail(email, "Bedankt voor je komst")
        links = links_in(mail)
        _answer(page, next(link for link in links if "/evaluatie/" in link), score, text)
        certificate = page.request.get(
            next(link for link in links if "/attest/downloaden/" in link)
        )
        assert certificate.headers["content-type"] == "application/pdf"
        text_of_pdf = pdf_text(certificate.body())
        assert name in text_of_pdf and "Attest van deelname" in text_of_pdf
        assert "2 uur en 30 minuten" in text_of_pdf

    # The member finds both in "Mijn activiteiten".
    member = new_page(width="desktop")
    sign_in(member, member_email)
    member.goto("/account/activiteiten")
    member.get_by_role("link", name="Evaluatie invullen").first.click()
    _answer(member, member.url, "4", "Meer overleg met de school.")
    member.goto("/account/activiteiten")
    with member.expect_download() as download:
        member.get_by_role("link", name="Attest van deelname (PDF)").first.click()
    certificate_text = pdf_text(open(download.value.path(), "rb").read())  # noqa: SIM115
    assert "Leerkracht Brugge" in certificate_text
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", certificate_text).group(0)

    # Anyone checks the code on the public page.
    checker = new_page()
    checker.goto("/attest")
    checker.get_by_label("Verificatiecode").fill(code.lower().replace("-", " "))
    checker.get_by_role("button", name="Controleren").click()
    expect(checker.get_by_role("heading", name="Dit attest is echt")).to_be_visible()
    expect(checker.get_by_text("Leerkracht Brugge")).to_be_visible()

    # The organiser reads the summary: three answers, so charts and the open answers.
    organiser = new_page(width="desktop", user=COORDINATOR)
    organiser.goto(f"/beheer/activiteiten/{slug}")
    organiser.get_by_role("link", name="Evaluatie en attesten").click()
    expect(organiser.get_by_text("3 van 3 aanwezigen")).to_be_visible()
    expect(organiser.get_by_role("img", name=re.compile("Verdeling van de scores"))).to_be_visible()
    expect(
        organiser.get_by_role("row", name=re.compile("De inhoud van de activiteit"))
    ).to_contain_text("4.0")
    expect(organiser.get_by_text("Contact met het CLB.")).to_be_visible()
    assert "Zorgcoördinator" not in organiser.locator("main").inner_text(), "anonymous"
    with organiser.expect_download() as all_certificates:
        organiser.get_by_role("link", name=re.compile("Alle attesten")).click()
    pages = PdfReader(all_certificates.value.path()).pages
    assert len(pages) == 3


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output stays readable
        pass


def test_a_partner_website_shows_the_embedded_west_vlaanderen_agenda(server, new_page, tmp_path):
    page = new_page()
    page.goto("/agenda/abonneren")
    page.get_by_label("Regio").select_option(label="West-Vlaanderen")
    page.get_by_role("button", name="Toon de link").click()
    snippet = page.get_by_label("Code om in te sluiten").input_value()
    blocked = f'<iframe src="{server.url}/agenda" title="Gewone agenda"></iframe>'
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>CLB Brugge</title>"
        f"</head><body><h1>Vormingen in onze regio</h1>{snippet}{blocked}</body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    partner = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{partner.server_port}/index.html")
        agenda = page.frame_locator("iframe[title^='Bruggen']")
        link = agenda.get_by_role("link", name=re.compile("Netwerkmoment West-Vlaanderen"))
        expect(link).to_be_visible()
        assert link.get_attribute("target") == "_blank"
        expect(agenda.get_by_text("Nieuwe Autoriteit")).to_have_count(0)  # Oost-Vlaanderen
        # Every other page refuses to be framed (frame-ancestors 'none'): Chromium shows its
        # error page in that frame instead of the agenda.
        urls = [frame.url for frame in page.frames]
        assert "chrome-error://chromewebdata/" in urls, urls
        assert not any(url.endswith("/agenda") for url in urls), urls
    finally:
        partner.shutdown()
