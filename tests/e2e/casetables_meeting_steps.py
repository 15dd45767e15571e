"""Issue 19 in a real browser, the second half's steps: the meeting, the outcome, the signal,
90 days on.

Starting from a planned case of West-Vlaanderen with three partners who accepted the
invitation (``casetables_intake_steps.py`` plans it through the pages), the partners
write their notes on a 390 px phone, the coordinator records an agreement for each, each
partner confirms theirs from the link in the mail, the coordinator closes the case with "no
fitting offer" and finds the signal in /signalen; then, with the clock moved 90 days on and
the purge run as ``flask purge`` would, the notes are gone from the case and the anonymous
outcome still shows in /statistieken. The whole journey: ``test_casetables_journey.py``.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect
from sqlalchemy import select

from community.core.extensions import db

from .conftest import COORDINATOR, DEMO_PASSWORD, links_in, screenshot
from .test_accessibility import axe_violations, describe

PARTNERS = (
    ("partner.jeugdhulp@example.org", "Jana Jeugdhulp"),
    ("partner.naft@example.org", "Nico Naft"),
    ("partner.caw@example.org", "Cato Caw"),
)
NOTE = "Vanuit onze dienst: wachtlijst van drie maanden, wel ambulante begeleiding mogelijk."
REQUESTER = "aanvrager.clb@example.org"
GAP = "Geen passend aanbod: alternatieve dagbesteding"


def seed_planned_case(server, tag: str = "") -> str:
    """A planned case of West-Vlaanderen: filed by a CLB worker, its table an invite-only
    activity in two days that the three partners accepted. Returns the case code."""
    from casetables.requests import RequestFields, file_request
    from community.accounts.models import Region, User
    from events.models import Event, EventStatus, EventType, Invitation, Visibility

    with server.app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "west-vlaanderen"))
        people = []
        for email, name in ((REQUESTER, "Ann Aanvrager"), *PARTNERS):
            user = User(
                email=email.replace("@", f"{tag}@"),
                display_name=name,
                is_verified=True,
                locale="nl",
                region=region,
            )
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            people.append(user)
        db.session.flush()
        case = file_request(
            people[0],
            RequestFields(
                region_id=region.id,
                age_group="12-15",
                school_level="secundair_1",
                stuck="Spijbelt al weken, thuis veel spanning.",
                tried="CLB-gesprekken en contextbegeleiding.",
                question="Welk aanbod houdt de jongere verbonden met school?",
            ),
        )
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
        event = Event(
            slug=f"casustafel-e2e{tag}",
            title="Casustafel ROTS",
            type=EventType.CASE_CONSULTATION,
            region=region,
            network=region.network,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            status=EventStatus.PUBLISHED,
            visibility=Visibility.INVITE_ONLY,
            venue_name="CLB Brugge",
        )
        db.session.add(event)
        db.session.flush()
        for partner in people[1:]:
            db.session.add(
                Invitation(
                    event_id=event.id,
                    email=partner.email,
                    name=partner.display_name,
                    user_id=partner.id,
                    status="accepted",
                    sent_at=start - dt.timedelta(days=3),
                    responded_at=start - dt.timedelta(days=2),
                )
            )
        case.event_id, case.table_at, case.state = event.id, start, "planned"
        db.session.commit()
        return case.code


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def partners_write_notes(new_page, code: str, axe_source: str, tag: str = "") -> None:
    """Each partner writes their note on a 390 px phone; the first is stopped by a name."""
    for n, (email, _name) in enumerate(PARTNERS):
        phone = new_page(width="phone", user=email.replace("@", f"{tag}@"), init_script=axe_source)
        phone.goto(f"/casustafel/{code}/verslag")
        expect(phone.get_by_role("heading", name="Verslag van de casustafel")).to_be_visible()
        if n == 0:  # the strict guard: a name is stopped at the field, the text stays
            phone.get_by_label("Notitie", exact=True).fill("Jan Peeters komt niet meer.")
            phone.get_by_role("button", name="Notitie bewaren").click()
            expect(phone.locator("#body-error")).to_contain_text("naam")
            expect(phone.get_by_label("Notitie", exact=True)).to_have_value(
                "Jan Peeters komt niet meer."
            )
        phone.get_by_label("Notitie", exact=True).fill(f"{NOTE} (partner {n + 1})")
        phone.get_by_role("button", name="Notitie bewaren").click()
        expect(phone.get_by_text("De notitie is bewaard.")).to_be_visible()
        expect(
            phone.locator(".case-notes").get_by_text(f"{NOTE} (partner {n + 1})")
        ).to_be_visible()
        assert _fits(phone)
        if n == 0:
            assert not (violations := axe_violations(phone)), describe(violations)
            screenshot(phone, "casustafel-verslag", "phone")


def coordinator_records_agreements(new_page, code: str) -> None:
    """The coordinator records one agreement per partner, due in two weeks."""
    page = new_page(user=COORDINATOR)
    page.goto(f"/casustafel/{code}/verslag")
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    for _email, name in PARTNERS:
        page.get_by_label("Wie").select_option(label=name)
        page.get_by_label("Doet wat").fill("Plant een intake met de jongere.")
        page.get_by_label("Tegen wanneer").fill(due)
        page.get_by_role("button", name="Afspraak bewaren").click()
        expect(page.get_by_text("De afspraak is bewaard")).to_be_visible()
    expect(page.get_by_text("nog niet bevestigd")).to_have_count(3)


def partners_confirm_by_mail(server, new_page, code: str, tag: str = "") -> None:
    """Each partner opens the link of "Je hebt een update over casus C-…" and confirms."""
    for email, _name in PARTNERS:
        address = email.replace("@", f"{tag}@")
        mail = server.wait_for_mail(address, f"update over casus {code}")
        body = mail.get_body(preferencelist=("plain",)).get_content()
        assert "intake" not in body and "Spijbelt" not in body  # nothing of the case
        link = next(url for url in links_in(mail) if code in url)
        page = new_page(width="phone", user=address)
        page.goto(link)
        page.get_by_role("button", name="Ik bevestig deze afspraak").click()
        expect(page.get_by_text("Je bevestigde de afspraak.")).to_be_visible()
        assert _fits(page)


def coordinator_closes_without_fitting_offer(new_page, code: str, axe_source: str):
    """The coordinator closes the case with "geen passend aanbod" (alternatieve dagbesteding)
    and finds the signal among the signals; returns the coordinator's page."""
    page = new_page(user=COORDINATOR, init_script=axe_source)
    page.goto(f"/casustafel/{code}/verslag")
    expect(page.get_by_text("bevestigd op")).to_have_count(3)
    page.get_by_role("link", name="Casus afsluiten").click()
    assert not (violations := axe_violations(page)), describe(violations)
    page.get_by_label("Uitkomst").select_option(label="geen passend aanbod")
    page.get_by_label("Soort aanbod").select_option(label="alternatieve dagbesteding")
    page.get_by_role("button", name="Casus afsluiten").click()
    expect(page.get_by_text("De casus is afgesloten")).to_be_visible()
    page.goto("/signalen")
    expect(page.get_by_text(GAP).first).to_be_visible()
    page.get_by_text(GAP).first.click()
    expect(page.get_by_text("bevat niets uit de casus zelf")).to_be_visible()
    expect(page.get_by_text("Spijbelt")).to_have_count(0)
    return page


def ninety_days_later(server, page, code: str) -> None:
    """The clock moved 90 days and a minute on: the purge of ``flask purge`` runs; the notes
    are gone from the case, the anonymous outcome remains in the statistics."""
    from community.core.db import utcnow
    from community.gdpr.rights import purge

    with server.app.app_context():
        counts = purge(utcnow() + dt.timedelta(days=90, minutes=1), server.app.config)
        db.session.commit()
    assert counts["case_texts"] >= 1
    page.goto(f"/casustafel/{code}/verslag")
    expect(page.get_by_text("Nog geen notities.")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.get_by_text("Deze casus is afgesloten: geen passend aanbod.")).to_be_visible()
    page.get_by_role("link", name="Naar de opvolging").click()
    expect(page.get_by_role("heading", name=f"Opvolging van casus {code}")).to_be_visible()
    assert not (violations := axe_violations(page)), describe(violations)
    today = dt.date.today()
    period = f"?van={(today - dt.timedelta(days=30)).isoformat()}&tot={today.isoformat()}"
    page.goto("/statistieken/west-vlaanderen" + period)
    expect(page.get_by_role("row", name=re.compile(r"^alternatieve dagbesteding "))).to_be_visible()
    expect(page.get_by_text("Casustafels: uitkomst per soort aanbod")).to_be_visible()
