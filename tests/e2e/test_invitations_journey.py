"""Issue 17 in a real browser: invitations answered by mail link, check-in at the door.

An organiser invites three people (one without an account), two accept by the link in
their mail, one declines; on the day the organiser checks people in on a 768 px tablet
(one tap, no page reload), searches, adds a walk-in, and the page also works at 390 px
with nothing wider than the screen.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from community.core.extensions import db

from .conftest import COORDINATOR, DEMO_PASSWORD, links_in, screenshot
from .test_accessibility import axe_violations, describe

GUEST = "gast.zonder.account@example.org"


def _seed(server, tag: str = "") -> tuple[str, list[int]]:
    """An invite-only case consultation of West-Vlaanderen in three days, two members there."""
    from community.accounts.models import Region, User
    from events.models import Event, EventStatus, EventType, Visibility

    with server.app.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "west-vlaanderen"))
        ids = []
        for email, name in (
            (f"aanvaardt.lid{tag}@example.org", "Aline Aanvaardt"),
            (f"weigert.lid{tag}@example.org", "Wout Weigert"),
        ):
            user = User(
                email=email, display_name=name, is_verified=True, locale="nl", region=region
            )
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            ids.append(user.id)
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
        event = Event(
            slug=f"casusoverleg-rots-wvl-e2e{tag}",
            title="Casusoverleg ROTS West-Vlaanderen",
            type=EventType.CASE_CONSULTATION,
            region=region,
            network=region.network,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            status=EventStatus.PUBLISHED,
            visibility=Visibility.INVITE_ONLY,
            venue_name="CLB Brugge",
            venue_address="Magdalenastraat 1, 8200 Brugge",
            capacity=10,
        )
        db.session.add(event)
        db.session.commit()
        return event.slug, ids


def _move_to_today(server, slug: str) -> None:
    """The day comes: the activity started ten minutes ago (the clock moved)."""
    from events.models import Event

    with server.app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.starts_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)
        event.ends_at = event.starts_at + dt.timedelta(hours=2)
        db.session.commit()


def _answer_link(mail, answer: str) -> str:
    return next(url for url in links_in(mail) if f"antwoord={answer}" in url)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.both_databases
def test_invite_three_two_accept_one_declines_then_check_in_on_a_tablet(
    server, new_page, axe_source
):
    slug, (accepting_id, declining_id) = _seed(server)
    organiser = new_page(width="desktop", user=COORDINATOR)
    organiser.goto(f"/beheer/activiteiten/{slug}")
    organiser.get_by_role("link", name="Uitnodigingen").click()
    organiser.get_by_label("Leden", exact=True).select_option(
        [str(accepting_id), str(declining_id)]
    )
    organiser.get_by_label("E-mailadressen van mensen zonder account").fill(GUEST)
    organiser.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(organiser.get_by_text("3 uitnodigingen verstuurd.")).to_be_visible()
    expect(organiser.get_by_text("Nog geen antwoord: 3")).to_be_visible()

    # The guest without an account: the link opens the invite-only activity, then a name.
    guest_mail = server.wait_for_mail(GUEST, "Uitnodiging")
    assert "method=REQUEST" in " ".join(
        " ".join(dict(p.raw_items()).get("Content-Type", "").split()) for p in guest_mail.walk()
    )
    guest = new_page(width="phone", init_script=axe_source)
    guest.goto(_answer_link(guest_mail, "ja"))
    expect(guest.get_by_role("heading", name="Casusoverleg ROTS West-Vlaanderen")).to_be_visible()
    assert not (violations := axe_violations(guest)), describe(violations)
    screenshot(guest, "uitnodiging", "phone")
    guest.get_by_label("Naam", exact=True).fill("Greet Gast")
    guest.get_by_label("Organisatie (niet verplicht)").fill("NAFT-aanbieder Brugge")
    guest.get_by_role("button", name="Ja, ik kom").click()
    expect(guest.get_by_text("Bedankt! Je bent ingeschreven.")).to_be_visible()
    assert server.wait_for_mail(GUEST, "Inschrijving bevestigd")

    # The member accepts by the link, without signing in.
    member = new_page()
    member.goto(
        _answer_link(server.wait_for_mail("aanvaardt.lid@example.org", "Uitnodiging"), "ja")
    )
    member.get_by_role("button", name="Ja, ik kom").click()
    expect(member.get_by_text("Je hebt aanvaard: je bent ingeschreven")).to_be_visible()

    # The other member declines.
    other = new_page()
    other.goto(_answer_link(server.wait_for_mail("weigert.lid@example.org", "Uitnodiging"), "nee"))
    other.get_by_role("button", name="Nee, ik kan niet").click()
    expect(other.get_by_text("Je hebt laten weten dat je niet komt.")).to_be_visible()

    organiser.reload()
    expect(organiser.get_by_text("Aanvaard: 2")).to_be_visible()
    expect(organiser.get_by_text("Afgeslagen: 1")).to_be_visible()
    expect(organiser.get_by_text("Nog geen antwoord: 0")).to_be_visible()
    screenshot(organiser, "uitnodigingen", "desktop")

    # On the day, at the door, on a 768 px tablet.
    _move_to_today(server, slug)
    tablet = new_page(width="tablet", user=COORDINATOR, init_script=axe_source)
    tablet.goto(f"/beheer/activiteiten/{slug}/onthaal")
    counts = tablet.locator("#checkin-counts")
    expect(counts).to_contain_text("0 / 2")
    tablet.evaluate("window.__sameDocument = true")
    tablet.get_by_label("Zoek een naam of organisatie").fill("greet")
    expect(tablet.locator("#checkin-list li:visible")).to_have_count(1)
    tablet.get_by_role("button", name=re.compile(r"^Aanwezig\s*: Greet Gast")).click()
    expect(counts).to_contain_text("1 / 2")
    expect(
        tablet.get_by_role("button", name=re.compile(r"^Ongedaan maken\s*: Greet Gast"))
    ).to_be_visible()
    assert tablet.evaluate("window.__sameDocument === true")  # one POST, no page reload
    assert _fits(tablet)
    assert not (violations := axe_violations(tablet)), describe(violations)
    screenshot(tablet, "onthaal", "tablet")

    tablet.get_by_label("Zoek een naam of organisatie").fill("")
    tablet.get_by_label("Naam", exact=True).fill("Ward Inloper")
    tablet.get_by_label("Organisatie (niet verplicht)").fill("CAW Noord-West-Vlaanderen")
    tablet.get_by_role("button", name="Toevoegen als aanwezig").click()
    expect(tablet.get_by_text("Ward Inloper is toegevoegd en aanwezig gemeld.")).to_be_visible()
    expect(tablet.locator("#checkin-counts")).to_contain_text("2 / 3")
    assert _fits(tablet)
    screenshot(tablet, "onthaal-inloper", "tablet")

    phone = new_page(width="phone", user=COORDINATOR)
    phone.goto(f"/beheer/activiteiten/{slug}/onthaal")
    expect(phone.locator("#checkin-counts")).to_contain_text("2 / 3")
    phone.get_by_role("button", name=re.compile(r"^Aanwezig\s*: Aline Aanvaardt")).click()
    expect(phone.locator("#checkin-counts")).to_contain_text("3 / 3")
    assert _fits(phone)
    screenshot(phone, "onthaal", "phone")

    # The organiser's list afterwards: attendance per organisation.
    organiser.goto(f"/beheer/activiteiten/{slug}/deelnemers")
    expect(organiser.get_by_role("heading", name="Aanwezigheid per organisatie")).to_be_visible()


def test_the_invitation_list_fits_a_phone(server, new_page):
    """At 390 px the list of invitees scrolls inside its box; before, the hidden labels of
    its buttons ("Nu mailen <address>", position: absolute) escaped the scroll box and made
    the whole page wider than the screen."""
    from events.invitations import invite
    from events.models import Event

    slug, ids = _seed(server, tag="-telefoon")  # the journey's world may be there already
    with server.app.app_context():
        from community.accounts.models import User

        event = db.session.scalar(select(Event).where(Event.slug == slug))
        members = [db.session.get(User, i) for i in ids]
        organiser = db.session.scalar(select(User).where(User.email == COORDINATOR))
        invite(
            event,
            invited_by=organiser,
            members=members,
            emails=["een.heel.lang.adres.zonder.account@gast.example"],
        )
        db.session.commit()
    phone = new_page(width="phone", user=COORDINATOR)
    phone.goto(f"/beheer/activiteiten/{slug}/uitnodigingen")
    expect(phone.get_by_role("heading", name="Genodigden")).to_be_visible()
    assert _fits(phone)
