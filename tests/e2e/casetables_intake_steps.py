"""Issue 19 in a real browser, the first half's steps: request, intake, planning, access.

A CLB worker on a 390 px phone files a case request and is stopped when typing a birth
date (the message at the field, the text kept), fixes it and files; the coordinator of
West-Vlaanderen opens the request from the mail, plans the table with three partners, who
accept by the link in their invitation mail and then, signed in, read the request. A
member who was not invited gets 404.

Steps (functions) that leave the state behind in :class:`Journey`; the whole journey is
``test_casetables_journey.py``, which continues with ``casetables_meeting_steps.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from playwright.sync_api import expect
from sqlalchemy import select

from community.core.extensions import db

from .casetables_meeting_steps import PARTNERS
from .conftest import COORDINATOR, DEMO_PASSWORD, MEMBER, links_in, screenshot
from .test_accessibility import axe_violations, describe

STUCK = (
    "Een leerling van de tweede graad komt sinds de kerstvakantie niet meer naar school; "
    "thuis is er veel spanning."
)
TRIED = "Gesprekken met het CLB, contextbegeleiding door de jeugdhulp, een time-out."
QUESTION = "Welk aanbod helpt de leerling terug naar school of naar een traject?"


@dataclass
class Journey:
    """What the steps leave behind: the case's code, the table's activity, who accepted."""

    code: str = ""
    event_slug: str = ""
    partners: list[str] = field(default_factory=list)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def seed_partners(server) -> list[str]:
    """Three verified members of West-Vlaanderen, the partners of the table (idempotent)."""
    from community.accounts.models import Region, User

    with server.app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "west-vlaanderen"))
        for email, name in PARTNERS:
            if db.session.scalar(select(User.id).where(User.email == email)) is None:
                user = User(
                    email=email, display_name=name, is_verified=True, locale="nl", region=region
                )
                user.set_password(DEMO_PASSWORD)
                db.session.add(user)
        db.session.commit()
    return [email for email, _ in PARTNERS]


def request_filed(server, new_page, axe_source, journey: Journey) -> Journey:
    """Step 1: the CLB worker files the request on a phone, stopped once by a birth date."""
    phone = new_page(width="phone", user=MEMBER, init_script=axe_source)
    phone.goto("/casustafel")
    phone.get_by_role("link", name="Casustafel aanvragen").first.click()
    expect(phone.get_by_role("heading", name="Waarom geen namen?")).to_be_visible()
    phone.get_by_label("Regio").select_option(label="West-Vlaanderen")
    phone.get_by_label("Leeftijdsgroep").select_option("15-18")
    phone.get_by_label("Onderwijsniveau").select_option("secundair_2_3")
    with_birth_date = STUCK + " Geboren op 14/02/2010."
    phone.get_by_label("Wat loopt vast?").fill(with_birth_date)
    phone.get_by_label("Wat werd al geprobeerd?").fill(TRIED)
    phone.get_by_label("CLB", exact=True).check()
    phone.get_by_label("Je vraag aan de casustafel").fill(QUESTION)
    phone.get_by_label("Hoe dringend?").select_option("snel")
    assert _fits(phone)
    assert not (violations := axe_violations(phone)), describe(violations)
    screenshot(phone, "casustafel-aanvragen", "phone")
    phone.get_by_role("button", name="Aanvraag indienen").click()

    error = phone.locator("#stuck-error")
    expect(error).to_contain_text("geboortedatum")
    expect(phone.get_by_label("Wat loopt vast?")).to_have_value(with_birth_date)
    expect(phone.get_by_label("Wat loopt vast?")).to_have_attribute("aria-invalid", "true")
    assert _fits(phone)
    screenshot(phone, "casustafel-geboortedatum", "phone")

    phone.get_by_label("Wat loopt vast?").fill(STUCK)
    phone.get_by_role("button", name="Aanvraag indienen").click()
    heading = phone.get_by_role("heading", name=re.compile(r"^Casus C-"))
    expect(heading).to_be_visible()
    journey.code = heading.inner_text().split()[-1]
    expect(phone.get_by_text(STUCK)).to_be_visible()
    assert _fits(phone)
    assert not (violations := axe_violations(phone)), describe(violations)
    screenshot(phone, "casus", "phone")
    mail = server.wait_for_mail(MEMBER, f"Je aanvraag {journey.code} is ontvangen")
    assert "kerstvakantie" not in mail.get_body(preferencelist=("plain",)).get_content()
    return journey


def table_planned(server, new_page, journey: Journey) -> Journey:
    """Step 2: the coordinator opens the request from the mail and plans the table with the
    three partners (members of the region), who get an invitation with answer links."""
    from community.accounts.models import User

    mail = server.wait_for_mail(COORDINATOR, f"Nieuwe casusaanvraag {journey.code}")
    link = next(url for url in links_in(mail) if journey.code in url)
    coordinator = new_page(width="desktop", user=COORDINATOR)
    coordinator.goto(link)
    expect(coordinator.get_by_text(STUCK)).to_be_visible()
    coordinator.get_by_role("link", name="Casustafel plannen").click()
    with server.app.app_context():
        ids = [
            str(db.session.scalar(select(User.id).where(User.email == email)))
            for email in journey.partners
        ]
    day = dt.date.today() + dt.timedelta(days=10)
    coordinator.get_by_label("Datum").fill(day.isoformat())
    coordinator.get_by_label("Beginuur").fill("14:00")
    coordinator.get_by_label("Einduur").fill("16:00")
    coordinator.get_by_label("Plaats", exact=True).fill("CLB Brugge, zaal 2")
    coordinator.get_by_label("Leden", exact=True).select_option(ids)
    coordinator.get_by_role("button", name="Plannen en uitnodigen").click()
    expect(
        coordinator.get_by_text("De casustafel is gepland en de uitnodigingen zijn verstuurd.")
    ).to_be_visible()
    expect(coordinator.get_by_text("casustafel gepland")).to_be_visible()
    screenshot(coordinator, "casus-gepland", "desktop")
    from casetables.models import CaseRequest
    from events.models import Event

    with server.app.app_context():
        case = db.session.scalar(select(CaseRequest).where(CaseRequest.code == journey.code))
        journey.event_slug = db.session.get(Event, case.event_id).slug
    return journey


def partners_accepted(server, new_page, journey: Journey) -> Journey:
    """Step 3: each partner accepts by the link in the mail, signs in and reads the request."""
    for email in journey.partners:
        mail = server.wait_for_mail(email, f"Casustafel {journey.code}")
        body = mail.get_body(preferencelist=("plain",)).get_content()
        assert "kerstvakantie" not in body and "CLB" not in mail["Subject"]
        accept = next(url for url in links_in(mail) if "antwoord=ja" in url)
        partner = new_page(width="phone")
        partner.goto(accept)
        partner.get_by_role("button", name="Ja, ik kom").click()
        expect(partner.get_by_text("Je hebt aanvaard: je bent ingeschreven")).to_be_visible()
        signed_in = new_page(width="phone", user=email)
        signed_in.goto(f"/casustafel/{journey.code}")
        expect(signed_in.get_by_text(STUCK)).to_be_visible()
        expect(signed_in.get_by_text(QUESTION)).to_be_visible()
    return journey
