"""Accessibility (issue 7): axe-core on every main page, and what axe cannot see.

WCAG 2.1 AA is what Flemish public bodies require. axe-core runs in the page
(injected by the test, never from a CDN) at phone and desktop width, signed out
and signed in; a violation of impact "serious" or "critical" of a WCAG 2.0/2.1
A or AA rule fails the test. Each page is also kept as a screenshot
(tests/e2e/screenshots/, a CI artefact, not committed).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.core.extensions import db

from .conftest import COORDINATOR, DEMO_PASSWORD, MEMBER, WIDTHS, add_member, screenshot

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="session")
def urls(server) -> dict[str, str]:
    """Paths of the main pages, looked up in the demo data (name → path)."""
    from community.accounts.models import Organisation, Region
    from community.library.models import Material, Practice
    from events.models import Event
    from forums.models import Forum, Thread
    from regionmap.models import RegionalAnalysis
    from signals.models import Signal, SignalBundle

    with server.app.app_context():
        training = db.session.scalar(
            select(Event).where(Event.title.like("Vorming: Nieuwe Autoriteit%"))
        )
        wvl_event = db.session.scalar(select(Event).where(Event.title.like("Netwerkmoment West%")))
        forum = db.session.scalar(select(Forum).where(Forum.slug == "thema-2"))
        thread = db.session.scalar(
            select(Thread).where(Thread.forum_id == forum.id).order_by(Thread.id)
        )
        material = db.session.scalar(select(Material).order_by(Material.id))
        invitation = _invitation(wvl_event)
        practice = db.session.scalar(select(Practice).order_by(Practice.id))
        signal = db.session.scalar(select(Signal).order_by(Signal.id))
        bundle = db.session.scalar(select(SignalBundle).order_by(SignalBundle.id))
        from reporting.models import ProgressReport

        report = db.session.scalar(select(ProgressReport).order_by(ProgressReport.id))
        from reporting.models import FinalReport

        final = db.session.scalar(select(FinalReport).order_by(FinalReport.id))
        from .casetables_meeting_steps import seed_planned_case

        case_code = seed_planned_case(server, tag="-axe")
        aura = db.session.scalar(select(Organisation).where(Organisation.name == "vzw AURA"))
        analysis = db.session.scalar(
            select(RegionalAnalysis)
            .join(RegionalAnalysis.region)
            .where(Region.slug == "west-vlaanderen")
        )
        return {
            "home": "/",
            "agenda": "/agenda",
            "archief": "/agenda/archief",
            "abonneren": "/agenda/abonneren",
            "activiteit": f"/activiteiten/{training.slug}",
            "regio": "/regio/oost-vlaanderen",
            "regios": "/regios",
            "forum-index": "/forum",
            "forum": f"/forum/{forum.slug}",
            "gesprek": f"/forum/{forum.slug}/{thread.id}",
            "materiaal": "/materiaal",
            "materiaal-detail": f"/materiaal/{material.slug}",
            "praktijken": "/praktijkvoorbeelden",
            "praktijk": f"/praktijkvoorbeelden/{practice.slug}",
            "aanmelden": "/aanmelden",
            "registreren": "/registreren",
            # signed in only
            "account": "/account",
            "mijn-activiteiten": "/account/activiteiten",
            "meldingen": "/forum/meldingen",
            "nieuw-gesprek": f"/forum/{forum.slug}/nieuw",
            "materiaal-nieuw": "/materiaal/nieuw",
            "coordinatie": "/beheer/activiteiten",
            "coordinatie-activiteit": f"/beheer/activiteiten/{wvl_event.slug}",
            "coordinatie-bewerken": f"/beheer/activiteiten/{wvl_event.slug}/bewerken",
            "coordinatie-deelnemers": f"/beheer/activiteiten/{wvl_event.slug}/deelnemers",
            "coordinatie-programma": f"/beheer/activiteiten/{wvl_event.slug}/programma",
            "coordinatie-nieuw": "/beheer/activiteiten/nieuw",
            "coordinatie-uitnodigingen": f"/beheer/activiteiten/{wvl_event.slug}/uitnodigingen",
            "coordinatie-onthaal": f"/beheer/activiteiten/{wvl_event.slug}/onthaal",
            "uitnodiging": f"/uitnodiging/{invitation}",
            "moderatie": "/forum/moderatie",
            # the signal function (issue 16)
            "signalen-doorgegeven": "/signalen/doorgegeven",
            "signalen": "/signalen",
            "signaal-melden": "/signalen/nieuw",
            "signaal": f"/signalen/{signal.id}",
            "mijn-signalen": "/signalen/mijn",
            "bundel": f"/signalen/bundels/{bundle.id}",
            "signalen-beheer": "/signalen/beheer",
            "beleidsnota-nieuw": f"/signalen/nota/nieuw?bundel={bundle.id}",
            "antwoord-nieuw": f"/signalen/antwoord/nieuw?bundel={bundle.id}",
            # reporting (issue 18)
            "statistieken": "/statistieken",
            "voortgangsrapporten": "/voortgangsrapporten",
            "voortgangsrapport": f"/voortgangsrapporten/{report.id}",
            "voortgangsrapport-nieuw": "/voortgangsrapporten/nieuw",
            "projectgroep": "/projectgroep",
            "eindrapport-nieuw": "/projectgroep/eindrapporten/nieuw",
            "eindrapport": f"/projectgroep/eindrapporten/{final.id}",
            # the regional map (issue 15)
            "aanbod": "/aanbod",
            "aanbod-gefilterd": "/aanbod?regio=west-vlaanderen&soort=naft",
            "aanbod-detail": "/aanbod/naft-west-vlaanderen",
            "organisaties": "/organisaties",
            "organisatie": f"/organisaties/{aura.id}",
            "overlegfora": "/overlegfora",
            "omgevingsanalyse": "/omgevingsanalyse",
            "analyse": f"/omgevingsanalyse/{analysis.id}",
            "open-data": "/open-data",
            "kaart-bijhouden": "/aanbod/beheer",
            "leden": "/leden",
            "mijn-vermelding": "/leden/mijn-vermelding",
            "aanbod-bewerken": "/aanbod/naft-west-vlaanderen/bewerken",
            "aanbod-nieuw": "/aanbod/nieuw",
            "kaart-import": "/kaart/import",
            "analyse-nieuw": f"/omgevingsanalyse/nieuw?vanaf={analysis.id}",
            # case tables (issue 19): the demo's requests by the CLB worker, in West-Vlaanderen
            "casustafel": "/casustafel",
            "casustafel-aanvragen": "/casustafel/aanvragen",
            "casus": "/casustafel/C-DEMX-K7",
            "casus-gepland": "/casustafel/C-DEMX-P4",
            "casustafel-plannen": "/casustafel/C-DEMX-K7/tafel",
            "casustafel-cijfers": "/casustafel/cijfers",
            # the case tables' meeting (issue 19): a planned case of West-Vlaanderen
            "casustafel-verslag": f"/casustafel/{case_code}/verslag",
            "casustafel-afsluiten": f"/casustafel/{case_code}/afsluiten",
            "casustafel-opvolging": f"/casustafel/{case_code}/opvolging",
        }


def _invitation(event) -> str:
    """Invite an address to ``event`` (issue 17) and return its answer link's token."""
    from events import invitations
    from events.models import Invitation

    invitation = Invitation(
        event=event, email="axe.genodigde@example.org", sent_at=event.created_at
    )
    db.session.add(invitation)
    db.session.commit()
    return invitations.invitation_token(invitation)


PUBLIC_PAGES = [
    "home",
    "agenda",
    "archief",
    "abonneren",
    "activiteit",
    "regio",
    "regios",
    "forum-index",
    "forum",
    "gesprek",
    "materiaal",
    "materiaal-detail",
    "praktijken",
    "praktijk",
    "aanmelden",
    "registreren",
    "signalen-doorgegeven",
    "uitnodiging",
    "aanbod",
    "aanbod-gefilterd",
    "aanbod-detail",
    "organisaties",
    "organisatie",
    "overlegfora",
    "omgevingsanalyse",
    "analyse",
    "open-data",
]
MEMBER_PAGES = [p for p in PUBLIC_PAGES if p not in ("aanmelden", "registreren")] + [
    "account",
    "mijn-activiteiten",
    "meldingen",
    "nieuw-gesprek",
    "materiaal-nieuw",
    "signalen",
    "signaal-melden",
    "signaal",
    "mijn-signalen",
    "bundel",
    "leden",
    "mijn-vermelding",
    "casustafel",
    "casustafel-aanvragen",
    "casus",
    "casus-gepland",
]
COORDINATOR_PAGES = [
    "coordinatie",
    "coordinatie-activiteit",
    "coordinatie-bewerken",
    "coordinatie-deelnemers",
    "coordinatie-programma",
    "coordinatie-nieuw",
    "coordinatie-uitnodigingen",
    "coordinatie-onthaal",
    "moderatie",
    "signalen-beheer",
    "bundel",
    "beleidsnota-nieuw",
    "antwoord-nieuw",
    "statistieken",
    "voortgangsrapporten",
    "voortgangsrapport",
    "voortgangsrapport-nieuw",
    "projectgroep",
    "eindrapport-nieuw",
    "eindrapport",
    "kaart-bijhouden",
    "aanbod-bewerken",
    "aanbod-nieuw",
    "kaart-import",
    "analyse-nieuw",
    "casustafel",
    "casus",
    "casustafel-plannen",
    "casustafel-cijfers",
    "casustafel-verslag",
    "casustafel-afsluiten",
    "casustafel-opvolging",
]


def axe_violations(page) -> list[dict]:
    """Run axe (already injected by the context's init script); return blocking violations."""
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} → {targets}")
    return "\n".join(lines)


def check_pages(new_page, urls, axe_source, names, user, label):
    failures = {}
    for width in WIDTHS:
        page = new_page(width=width, user=user, init_script=axe_source)
        for name in names:
            response = page.goto(urls[name])
            assert response.status == 200, f"{name} ({urls[name]}): HTTP {response.status}"
            screenshot(page, f"{label}-{name}", width)
            violations = axe_violations(page)
            if violations:
                failures[f"{name} @ {width}"] = describe(violations)
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())


def test_public_pages_have_no_serious_axe_violations_signed_out(new_page, urls, axe_source):
    check_pages(new_page, urls, axe_source, PUBLIC_PAGES, None, "afgemeld")


def test_member_pages_have_no_serious_axe_violations_signed_in(new_page, urls, axe_source):
    check_pages(new_page, urls, axe_source, MEMBER_PAGES, MEMBER, "lid")


def test_coordinator_pages_have_no_serious_axe_violations(new_page, urls, axe_source):
    check_pages(new_page, urls, axe_source, COORDINATOR_PAGES, COORDINATOR, "coordinator")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(new_page):
    page = new_page()
    page.goto("/agenda")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # The next Tab lands inside main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_a_focused_link_has_a_visible_outline(new_page):
    page = new_page()
    page.goto("/")
    link = page.locator("main a").first
    link.focus()
    style = link.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
    )
    assert style["style"] != "none"
    assert style["width"] >= 2


def _unlabelled_fields(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button')
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML.slice(0, 120))"""
    )


def test_every_form_field_has_a_label(new_page, urls):
    signed_out = new_page()
    for name in ("aanmelden", "registreren", "agenda", "activiteit", "materiaal"):
        signed_out.goto(urls[name])
        assert _unlabelled_fields(signed_out) == [], name
    coordinator = new_page(user=COORDINATOR)
    for name in ("account", "nieuw-gesprek", "materiaal-nieuw", "coordinatie-bewerken", "gesprek"):
        coordinator.goto(urls[name])
        assert _unlabelled_fields(coordinator) == [], name


def test_errors_are_tied_to_their_field(new_page):
    page = new_page()
    page.goto("/registreren")
    page.get_by_label("E-mailadres").fill("geen-adres")
    page.locator("main form").get_by_role("button", name="Account maken").click()
    page.get_by_role("alert").first.wait_for()
    email = page.get_by_label("E-mailadres")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby").split()
    error_ids = [i for i in described if i.endswith("-error")]
    assert error_ids, described
    error_text = page.locator(f"#{error_ids[0]}").inner_text()
    assert error_text.strip()
    # Every field shown with an error is marked invalid and points at its message.
    for field in page.locator(
        ".field.has-error input:not([type=checkbox]):not([type=radio])"
    ).all():
        assert field.get_attribute("aria-invalid") == "true"
        assert any(i.endswith("-error") for i in field.get_attribute("aria-describedby").split())


def test_a_radio_groups_error_is_tied_to_its_fieldset(new_page, axe_source):
    """Issue 13: screen readers announce a group's description on entering the group."""
    page = new_page(user=MEMBER, init_script=axe_source)
    page.goto("/materiaal/nieuw")
    page.get_by_label("Titel").fill("Verslag")
    page.evaluate("document.querySelectorAll('[name=language]').forEach(r => r.checked = false)")
    page.locator("main form").get_by_role("button", name="Bewaren").click()
    page.get_by_role("alert").first.wait_for()

    group = page.get_by_role("radiogroup", name="Taal")
    assert group.get_attribute("aria-invalid") == "true"
    [error_id] = group.get_attribute("aria-describedby").split()
    assert page.locator(f"#{error_id}").inner_text().strip() == "Kies een taal."
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_page_language_follows_the_chosen_language(new_page):
    page = new_page()
    page.goto("/agenda")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/agenda")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_url("**/agenda")
    assert page.locator("html").get_attribute("lang") == "nl"


FOCUSED_NAME = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '';
    const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
    return (label || el.getAttribute('aria-label') || (el.tagName === 'INPUT' ? el.value : '')
            || el.textContent || '').trim().replace(/\\s+/g, ' ');
}"""


def tab_to(page, name: str, within: str = "body", limit: int = 300) -> None:
    """Press Tab until the focused element inside ``within`` is called ``name`` (keyboard only)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        inside = page.evaluate("sel => !!document.activeElement.closest(sel)", within)
        if inside and focused == name:
            return
        seen.append(focused)
    raise AssertionError(f"{name!r} not reached with Tab in {within}; passed {seen[-15:]}")


def keyboard_sign_in(page, email: str) -> None:
    page.goto("/aanmelden")
    tab_to(page, "E-mailadres", within="main")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("Je bent aangemeld").wait_for()


def test_registration_journey_with_the_keyboard_alone(server, new_page):
    add_member(server, "toetsenbord.inschrijving@example.org", "Toetsenbord Inschrijving")
    page = new_page(width="phone")
    keyboard_sign_in(page, "toetsenbord.inschrijving@example.org")
    # From the home page through the main menu to the agenda.
    tab_to(page, "Agenda", within="header")
    page.keyboard.press("Enter")
    page.wait_for_url("**/agenda")
    # The filters: choose the type with the arrow keys, tick a box with Space, Enter to filter.
    tab_to(page, "Soort activiteit", within="main")
    page.keyboard.type("Infosessie")
    tab_to(page, "Enkel met vrije plaatsen", within="main")
    page.keyboard.press("Space")
    assert page.locator("#f-vrij").is_checked()
    tab_to(page, "Filteren", within="main")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"type=info_session.*vrij=1"))
    tab_to(page, "Infosessie: schoolextern aanbod voor het basisonderwijs", within="main")
    page.keyboard.press("Enter")
    page.wait_for_url("**/activiteiten/**")
    tab_to(page, "Inschrijven", within="#inschrijven form")
    page.keyboard.press("Enter")
    page.get_by_text("Je bent ingeschreven voor deze activiteit.").wait_for()


def test_posting_journey_with_the_keyboard_alone(server, new_page, urls):
    add_member(server, "toetsenbord.forum@example.org", "Toetsenbord Forum")
    page = new_page()
    keyboard_sign_in(page, "toetsenbord.forum@example.org")
    page.goto(urls["forum"])
    tab_to(page, "Nieuw gesprek", within="main")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nieuw")
    tab_to(page, "Titel", within="main")
    page.keyboard.type("Een vraag getypt met het toetsenbord")
    tab_to(page, "Bericht", within="main")
    page.keyboard.type("Werkt *alles* ook zonder muis?")
    tab_to(page, "Gesprek starten", within="main")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Een vraag getypt met het toetsenbord").wait_for()
    # And a reply in the same thread.
    tab_to(page, "Bericht", within="#reageren")
    page.keyboard.type("Ja, ook **een reactie**.")
    tab_to(page, "Reactie plaatsen", within="#reageren")
    page.keyboard.press("Space")
    page.locator("strong", has_text="een reactie").wait_for()


# --- issue 17: certificates, evaluation, embedded agenda, agenda mail ---------------------

BXL_COORDINATOR = "coordinator.bxl@example.org"


@pytest.fixture(scope="session")
def follow_up_urls(server) -> dict[str, str]:
    """Paths of issue 17's pages in the demo: the Brussels network moment that took place,
    with present participants, certificates and three anonymous answers."""
    from community.accounts.models import User
    from events.followup.mailing import evaluation_token
    from events.models import Certificate, Event, Registration

    with server.app.app_context(), server.app.test_request_context():
        event = db.session.scalar(select(Event).where(Event.title.like("Netwerkmoment Brussel%")))
        certificate = db.session.scalar(select(Certificate).where(Certificate.event_id == event.id))
        member = db.session.scalar(select(User).where(User.email == MEMBER))
        registration = db.session.scalar(
            select(Registration).where(
                Registration.event_id == event.id, Registration.user_id == member.id
            )
        )
        return {
            "attest": "/attest",
            "attest-geldig": f"/attest?code={certificate.code}",
            "ingebed": "/agenda/ingebed?regio=west-vlaanderen",
            "nieuw-per-mail": "/agenda/nieuw-per-mail",
            "evaluatie": f"/evaluatie/{evaluation_token(registration)}",
            "mijn-activiteiten": "/account/activiteiten",
            "evaluatie-resultaten": f"/beheer/activiteiten/{event.slug}/evaluatie",
            "evaluatie-vragen": f"/beheer/activiteiten/{event.slug}/evaluatie/vragen",
        }


def test_follow_up_and_agenda_pages_have_no_serious_axe_violations(
    new_page, follow_up_urls, axe_source
):
    public = ["attest", "attest-geldig", "ingebed", "nieuw-per-mail", "evaluatie"]
    check_pages(new_page, follow_up_urls, axe_source, public, None, "afgemeld")
    member = ["nieuw-per-mail", "mijn-activiteiten"]
    check_pages(new_page, follow_up_urls, axe_source, member, MEMBER, "lid")
    organiser = ["evaluatie-resultaten", "evaluatie-vragen"]
    check_pages(new_page, follow_up_urls, axe_source, organiser, BXL_COORDINATOR, "coordinator")
