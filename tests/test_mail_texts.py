"""Every text mail keeps its lines, over the real SMTP server (and the guest mail's HTML is whole).

The app renders all templates with ``trim_blocks``: a newline right after a block tag
is dropped, and Jinja drops the last newline of an included file. Without care a
line runs into the next ("Meer informatie: http://…In de bijlage…"). Each test here
sends one kind of mail the way the app sends it and checks that known lines arrive as
lines of their own; :func:`test_every_text_mail_template_is_checked_here` keeps the
list complete.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import template_rendered
from sqlalchemy import select

from community.accounts.models import Organisation, Sector
from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox
from community.library.practices import PracticeFields, create_practice, publish_practice
from events import notifications as notify
from events import registration as reg
from events.organising import EventDetails, cancel_event, update_event
from events.registration import GuestDetails
from forums.models import Forum, ForumPreference, MailMode, Thread
from forums.posting import mention_handle
from forums.subscriptions import subscribe
from tests.conftest import links_in
from tests.pages_helpers import add, sign_in

BASE = "http://bruggen.test"
EMAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
# Parts included by other mails, never sent on their own.
PARTIALS = {"registration_facts", "registration_cancel"}
URL = re.compile(r"https?://\S+")
CANCEL_LINE = (
    "Kun je niet (meer) komen? Annuleer je inschrijving met deze link, dan gaat je plaats "
    "naar iemand op de wachtlijst:"
)

# The templates the tests below send; the test at the end compares it with the folder.
CHECKED = {
    "registration_confirmed",
    "registration_pending",
    "registration_waitlisted",
    "registration_promoted",
    "event_changed",
    "event_cancelled",
    "event_reminder",
    "organiser_message",
    "forum_post",
    "forum_digest",
    "verify",
    "reset_password",
    "account_exists",
    "practice_reviewed",
    "signal_update",
    "signal_question",
    "invitation",
    "invitation_reminder",
    "invitation_withdrawn",
    "invitation_cancelled",
    "workshop_place",
    "member_contact",
    "offer_reviewed",
}
CHECKED |= {"follow_up", "follow_up_reminder", "agenda_mail", "agenda_mail_confirm"}  # issue 17
CHECKED |= {"case_update"}  # issue 19: code and link only


@pytest.fixture
def rendered(app) -> list[str]:
    """Names of the mail templates rendered during the test ("registration_pending", ...)."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        if template.name.startswith("email/") and template.name.endswith(".txt"):
            names.append(template.name.removeprefix("email/").removesuffix(".txt"))

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def send() -> None:
    db.session.commit()
    assert deliver_outbox()[1] == 0


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def lines_of(message) -> list[str]:
    """The lines of the text part, after checking that no two lines ran together."""
    body = text_of(message)
    for line in body.splitlines():
        for url in URL.findall(line):
            assert line.endswith(url), f"text runs on after a link: {line!r}"
        assert not re.search(r"[a-z.:)][A-Z]", URL.sub("", line)), f"lines run together: {line!r}"
    return body.splitlines()


def assert_lines(message, *expected: str) -> list[str]:
    lines = lines_of(message)
    for line in expected:
        assert line in lines, f"{line!r} is not a line of:\n{text_of(message)}"
    return lines


def facts(event) -> list[str]:
    return [
        f"Activiteit: {event.title}",
        f"Waar: {event.venue_name}, {event.venue_address}",
        f"Meer informatie: {BASE}/activiteiten/{event.slug}",
    ]


def follows(lines: list[str], first: str, then: str) -> None:
    """``then`` is the line right after ``first``."""
    assert lines[lines.index(first) + 1] == then, (first, then, lines)


# --- registrations --------------------------------------------------------------------


def test_confirmation_mail_has_its_lines(make_event, make_user, mailbox, rendered):
    event = make_event(title="Vorming leerrecht", capacity=5)
    member = make_user(display_name="Ann")
    notify.notify_registered(reg.register(event, user=member))
    send()

    (message,) = mailbox
    assert rendered == ["registration_confirmed"]
    cancel_link = next(link for link in links_in(message) if "/inschrijving/annuleren/" in link)
    when = next(line for line in text_of(message).splitlines() if line.startswith("Wanneer: "))
    assert text_of(message).replace("\r\n", "\n").rstrip("\n") == "\n".join(
        [
            "Dag Ann,",
            "",
            "Je bent ingeschreven voor deze activiteit.",
            "",
            "Activiteit: Vorming leerrecht",
            when,
            "Waar: Zaal, Straat 1, 9000 Gent",
            f"Meer informatie: {BASE}/activiteiten/{event.slug}",
            "",
            "In de bijlage vind je de activiteit voor je agenda.",
            "",
            CANCEL_LINE,
            cancel_link,
            "",
            "Bruggen",
            BASE,
        ]
    )


def test_confirmation_for_a_colleague_names_who_registered(
    make_event, make_user, mailbox, rendered
):
    event = make_event(capacity=5)
    school = add(Organisation(name="Basisschool De Brug", sector=Sector.EDUCATION))
    ann = make_user(display_name="Ann Peeters", organisation_id=school.id)
    colleague = GuestDetails(name="Bert", email="bert@example.org")
    registrations = reg.register_group(event, registered_by=ann, guests=[colleague])
    for registration in registrations:
        notify.notify_registered(registration)
    send()

    message = next(m for m in mailbox if m["X-Envelope-To"] == "bert@example.org")
    lines = assert_lines(message, *facts(event))
    follows(lines, "Je bent ingeschreven voor deze activiteit.", "Ann Peeters schreef je in.")
    follows(lines, "Ann Peeters schreef je in.", "")


def test_guest_confirmation_mail_has_its_lines_and_a_whole_html_part(
    client, make_event, mailbox, rendered
):
    event = make_event(is_online=True, online_url="https://meet.example.org/x", capacity=5)
    data = {
        "guest_name": "Lies Janssens",
        "guest_email": "lies@example.org",
        "guest_organisation": "CLB Leuven",
        "guest_sector": "onderwijs",
        "guest_job_title": "psycholoog",
    }

    response = client.post_form(f"/activiteiten/{event.slug}/inschrijven", data)

    assert response.status_code == 302
    (message,) = mailbox
    assert rendered == ["registration_pending"]
    waiting_for_link = (
        "Waar: online (de link naar de vergadering krijg je zodra je inschrijving bevestigd is)"
    )
    lines = assert_lines(
        message,
        "We houden een plaats voor je vrij. Bevestig je inschrijving, anders vervalt ze.",
        "Bevestig binnen 48 uur met deze link:",
        waiting_for_link,
        f"Meer informatie: {BASE}/activiteiten/{event.slug}",
        CANCEL_LINE,
        "Heb je je niet ingeschreven? Dan mag je deze mail negeren: zonder bevestiging vervalt "
        "de inschrijving.",
        "Bruggen",
    )
    assert lines[lines.index("Bevestig binnen 48 uur met deze link:") + 1].startswith(
        f"{BASE}/inschrijving/bevestigen/"
    )
    follows(lines, f"Meer informatie: {BASE}/activiteiten/{event.slug}", "")
    assert "meet.example.org" not in text_of(message)

    html = html_of(message)
    text = visible_text(html)
    assert "Heb je je niet ingeschreven? Dan mag je deze mail negeren: zonder bevestiging " in text
    assert text.endswith(f"vervalt de inschrijving. Bruggen {BASE}")
    assert "online (de link naar de vergadering krijg je zodra je inschrijving bevestigd is)" in (
        text
    )
    assert "meet.example.org" not in html
    assert balanced(html)


def test_guest_on_the_waiting_list_and_then_promoted_gets_the_lines_in_english(
    make_event, make_user, mailbox, rendered
):
    event = make_event(capacity=1)
    taken = reg.register(event, user=make_user())
    guest = reg.register(
        event, guest=GuestDetails(name="Sam", email="sam@example.org", language="en")
    )
    notify.notify_registered(guest)
    send()
    waiting = assert_lines(
        mailbox[0],
        "The activity is full. Confirm your email address and you'll be put on the waiting list.",
        "Confirm within 48 hours using this link:",
        f"More information: {BASE}/activiteiten/{event.slug}",
    )
    follows(waiting, f"More information: {BASE}/activiteiten/{event.slug}", "")
    mailbox.clear()

    for promoted in reg.cancel(taken):
        notify.notify_promoted(promoted)
    send()

    (message,) = mailbox
    assert rendered == ["registration_pending", "registration_pending"]
    lines = assert_lines(
        message,
        "Good news: a place has become available for this activity.",
        "Confirm within 48 hours using this link:",
        f"More information: {BASE}/activiteiten/{event.slug}",
    )
    follows(lines, f"More information: {BASE}/activiteiten/{event.slug}", "")
    assert visible_text(html_of(message)).endswith(f"Bruggen {BASE}")


def test_waiting_list_and_promotion_mails_have_their_lines(
    make_event, make_user, mailbox, rendered
):
    event = make_event(capacity=1)
    first, second = make_user(), make_user(display_name="Wim")
    taken = reg.register(event, user=first)
    waiting = reg.register(event, user=second)
    notify.notify_registered(waiting)
    send()
    lines = assert_lines(mailbox[0], *facts(event), CANCEL_LINE)
    follows(lines, facts(event)[-1], "")
    mailbox.clear()

    for promoted in reg.cancel(taken):
        notify.notify_promoted(promoted)
    send()

    (message,) = mailbox
    assert rendered == ["registration_waitlisted", "registration_promoted"]
    lines = assert_lines(
        message,
        "Goed nieuws: er is een plaats vrijgekomen. Je bent nu ingeschreven voor deze activiteit.",
        *facts(event),
        "In de bijlage vind je de activiteit voor je agenda.",
        CANCEL_LINE,
    )
    follows(lines, facts(event)[-1], "")


# --- activities -------------------------------------------------------------------------


def test_change_cancellation_and_reminder_mails_have_their_lines(
    make_event, make_user, mailbox, rendered
):
    event = make_event(capacity=5)
    member = make_user()
    reg.register(event, user=member)
    db.session.commit()

    later = replace(
        EventDetails.of(event),
        starts_at=event.starts_at + dt.timedelta(hours=1),
        ends_at=event.ends_at + dt.timedelta(hours=1),
    )
    update_event(event, later)
    send()
    changed = assert_lines(
        mailbox[-1],
        "Het uur of de plaats van deze activiteit is gewijzigd. Dit zijn de nieuwe gegevens:",
        *facts(event),
        "In de bijlage vind je de bijgewerkte activiteit voor je agenda.",
        CANCEL_LINE,
    )
    follows(changed, facts(event)[-1], "")

    assert notify.send_reminders(event.starts_at - dt.timedelta(days=1)) == 1
    send()
    reminded = assert_lines(
        mailbox[-1], *facts(event), "In de bijlage vind je de activiteit voor je agenda."
    )
    follows(reminded, facts(event)[-1], "")

    cancel_event(event, "De spreker is ziek.\nWe plannen een nieuwe datum.")
    send()
    cancelled = assert_lines(
        mailbox[-1],
        "Deze activiteit gaat niet door: ze is geannuleerd.",
        "Bericht van de organisatoren:",
        "De spreker is ziek.",
        "We plannen een nieuwe datum.",
        *facts(event),
        "Bruggen",
    )
    follows(cancelled, "We plannen een nieuwe datum.", "")
    follows(cancelled, facts(event)[-1], "")
    assert rendered == ["event_changed", "event_reminder", "event_cancelled"]


def test_organiser_message_has_its_lines(client, make_event, make_user, mailbox, rendered):
    event = make_event(capacity=5)
    reg.register(event, user=make_user())
    db.session.commit()
    sign_in(client, make_user(role="coordinator", regions=[event.region]))

    response = client.post_form(
        f"/beheer/activiteiten/{event.slug}/mail",
        {"subject": "Praktisch", "body": "Neem je laptop mee.\nParking achteraan."},
    )

    assert response.status_code == 302
    (message,) = mailbox
    assert rendered == ["organiser_message"]
    lines = assert_lines(
        message,
        "Neem je laptop mee.",
        "Parking achteraan.",
        f"{BASE}/activiteiten/{event.slug}",
        "Kun je toch niet komen? Annuleer je inschrijving met deze link:",
    )
    follows(lines, "Neem je laptop mee.", "Parking achteraan.")


# --- forums -----------------------------------------------------------------------------


def _post(client, user, url: str, data: dict) -> None:
    sign_in(client, user)
    response = client.post_form(url, data)
    assert response.status_code == 303, response.get_data(as_text=True)


def test_forum_mails_have_their_lines(client, runner, make_user, mailbox, rendered):
    forum = add(Forum(slug="overgang", name="Overgang", position=1))
    watcher, mentioned = make_user(display_name="Els Maes"), make_user(display_name="An Peeters")
    reader = make_user()
    add(ForumPreference(user_id=reader.id, mail_mode=MailMode.DIGEST))
    _post(client, make_user(), "/forum/overgang/nieuw", {"title": "NAFT", "body": "Hoe?"})
    thread = db.session.scalar(select(Thread).where(Thread.forum_id == forum.id))
    subscribe(watcher, thread=thread)
    subscribe(reader, thread=thread)
    db.session.commit()
    mailbox.clear()
    rendered.clear()

    reply = f"/forum/overgang/{thread.id}/reageren"
    body = f"Wij doen dat zo, @{mention_handle(mentioned)}."
    _post(client, make_user(display_name="Bart"), reply, {"body": body})

    by_recipient = {m["X-Envelope-To"]: m for m in mailbox}
    watched = assert_lines(
        by_recipient[watcher.email], "Bart schreef een nieuw bericht in „NAFT”:", body, "Bruggen"
    )
    follows(watched, "Bart schreef een nieuw bericht in „NAFT”:", "")
    follows(watched, body, "")
    assert any(line.startswith(f"Lees en reageer: {BASE}/forum/bericht/") for line in watched)
    assert any(line.startswith("Geen mail meer hierover? Schrijf je uit: ") for line in watched)
    named = assert_lines(by_recipient[mentioned.email], "Bart noemde je in het gesprek „NAFT”:")
    follows(named, "Bart noemde je in het gesprek „NAFT”:", "")
    mailbox.clear()

    result = runner.invoke(args=["send-forum-digest"])

    assert result.exit_code == 0, result.output
    (digest,) = mailbox
    lines = assert_lines(digest, "- NAFT (Overgang)")
    item = lines.index("- NAFT (Overgang)")
    assert lines[item + 1] == f"  Bart: {body}"
    assert lines[item + 2].startswith(f"  {BASE}/forum/bericht/")
    assert lines[item + 3] == ""
    assert lines[item + 4].startswith(f"Al je meldingen: {BASE}/")
    assert rendered.count("forum_post") == len(by_recipient) >= 2
    assert rendered[-1] == "forum_digest"


# --- accounts and practices ------------------------------------------------------------


def test_account_mails_have_their_lines(client, make_user, mailbox, rendered):
    newcomer = make_user(is_verified=False, display_name="Nieuw Lid")
    sign_in(client, newcomer)

    assert client.post_form("/account/bevestigingsmail").status_code == 302
    verify = assert_lines(
        mailbox[-1],
        "Dag Nieuw Lid,",
        "Welkom bij Bruggen, het platform van de lerende netwerken jeugdhulp – onderwijs.",
        "Bevestig je e-mailadres met deze link:",
    )
    follows(verify, "Bevestig je e-mailadres met deze link:", "")

    client.get("/afmelden")
    client.post_form("/wachtwoord-vergeten", {"email": newcomer.email})
    reset = assert_lines(
        mailbox[-1], "Je vroeg een nieuw wachtwoord voor Bruggen. Kies het via deze link:"
    )
    assert any(line.startswith(f"{BASE}/wachtwoord-herstellen/") for line in reset)
    assert rendered == ["verify", "reset_password"]


def test_account_exists_mail_has_its_lines(client, make_user, make_region, mailbox, rendered):
    owner = make_user(display_name="Ann Peeters", email="ann@example.org")
    region = make_region()
    password = "een-lang-wachtwoord"
    data = {"email": "ann@example.org", "display_name": "Ann", "password": password}
    data.update(password_repeat=password, region=str(region.id), sector="onderwijs")

    assert client.post_form("/registreren", {**data, "language": "nl"}).status_code == 302
    send()

    (message,) = mailbox
    assert rendered == ["account_exists"]
    lines = assert_lines(
        message,
        f"Dag {owner.display_name},",
        "Iemand probeerde een account voor Bruggen te maken met dit e-mailadres. "
        "Je hebt er al een.",
        "Was jij dat? Meld je dan aan:",
        f"{BASE}/aanmelden",
        "Weet je je wachtwoord niet meer? Kies een nieuw via deze link:",
    )
    follows(lines, "Was jij dat? Meld je dan aan:", "")
    follows(lines, f"{BASE}/aanmelden", "")
    reset = lines.index("Weet je je wachtwoord niet meer? Kies een nieuw via deze link:")
    assert lines[reset + 2].startswith(f"{BASE}/wachtwoord-herstellen/")
    assert "Aanmelden" in html_of(message)


def test_practice_review_mail_has_its_lines(make_user, make_region, mailbox, rendered):
    author = make_user(display_name="Auteur")
    practice = create_practice(author, PracticeFields(title="KANS", region=make_region()))

    publish_practice(practice, make_user(), note="Mooi werk.\nDank je.")
    send()

    (message,) = mailbox
    assert rendered == ["practice_reviewed"]
    lines = assert_lines(
        message,
        "Je praktijkvoorbeeld „KANS” is gepubliceerd op Bruggen.",
        "Hun bericht:",
        "Mooi werk.",
        "Dank je.",
        "Bruggen",
    )
    follows(lines, "Je praktijkvoorbeeld „KANS” is gepubliceerd op Bruggen.", "")


# --- invitations and workshop places (issue 17) -------------------------------------------


def test_invitation_reminder_and_withdrawal_mails_have_their_lines(
    make_event, make_user, mailbox, rendered
):
    from events import invitations

    event = make_event(title="Casusoverleg ROTS", capacity=5)
    organiser = make_user("admin", display_name="Coördinator Noord")
    invitations.invite(event, invited_by=organiser, emails=["gast@example.org"])
    send()
    (message,) = mailbox
    lines = assert_lines(
        message,
        "Dag,",
        "Coördinator Noord nodigt je uit voor deze activiteit.",
        *facts(event),
        "Kom je? Laat het weten met een van deze links (aanmelden is niet nodig):",
    )
    yes = next(line for line in lines if line.startswith("Ja, ik kom: "))
    assert yes.startswith(f"Ja, ik kom: {BASE}/uitnodiging/") and yes.endswith("?antwoord=ja")
    no = next(line for line in lines if line.startswith("Nee, ik kan niet: "))
    assert no.endswith("?antwoord=nee")
    follows(lines, f"Meer informatie: {BASE}/activiteiten/{event.slug}", "")

    mailbox.clear()
    invitation = invitations.live_invitation_of(event, "gast@example.org")
    invitations.remind(invitation)
    send()
    assert_lines(
        mailbox[0],
        "We kregen nog geen antwoord op onze uitnodiging voor deze activiteit. "
        "Laat je weten of je komt?",
        *facts(event),
    )

    mailbox.clear()
    invitations.withdraw(invitation)
    send()
    lines = assert_lines(mailbox[0], "Activiteit: Casusoverleg ROTS", "Bruggen")
    assert any(line.startswith("De organisator heeft je uitnodiging") for line in lines)
    assert rendered == ["invitation", "invitation_reminder", "invitation_withdrawn"]


def test_a_mail_about_an_activity_without_a_place_has_no_empty_where_line(
    make_event, make_user, mailbox, rendered
):
    """A case table or project-group meeting planned before its room is known: the
    invitation says what and when, and no "Waar:" line with nothing after it (found by
    trying the product)."""
    from events import invitations

    event = make_event(
        title="Casusoverleg zonder zaal", capacity=5, venue_name="", venue_address=""
    )
    organiser = make_user("admin", display_name="Coördinator Noord")
    invitations.invite(event, invited_by=organiser, emails=["gast@example.org"])
    send()
    (message,) = mailbox
    lines = assert_lines(message, "Activiteit: Casusoverleg zonder zaal")
    assert not [line for line in lines if line.startswith("Waar")], lines
    when = next(line for line in lines if line.startswith("Wanneer: "))
    follows(lines, when, f"Meer informatie: {BASE}/activiteiten/{event.slug}")
    assert "Waar:" not in html_of(message)


def test_cancellation_mail_to_an_unanswered_invitee_has_its_lines(
    make_event, make_user, mailbox, rendered
):
    from events import invitations

    event = make_event(title="Projectgroep", capacity=5)
    invitations.invite(event, invited_by=make_user("admin"), emails=["stil@example.org"])
    send()
    mailbox.clear()
    rendered.clear()
    cancel_event(event, "Verplaatst naar het voorjaar.")
    send()
    (message,) = mailbox
    assert rendered == ["invitation_cancelled"]
    lines = assert_lines(
        message,
        "Je werd uitgenodigd voor deze activiteit, maar ze gaat niet door: ze is geannuleerd.",
        "Bericht van de organisatoren:",
        "Verplaatst naar het voorjaar.",
        *facts(event),
        "In de bijlage vind je de geannuleerde activiteit, zodat je agenda ze kan schrappen.",
    )
    follows(lines, "Verplaatst naar het voorjaar.", "")


def test_workshop_place_mail_has_its_lines(make_event, make_user, mailbox, rendered):
    from events.models import ProgrammeItem, ProgrammeItemKind

    event = make_event(title="Inspiratiedag", capacity=5)
    workshop = ProgrammeItem(
        event=event,
        starts_at=event.starts_at,
        ends_at=event.starts_at + dt.timedelta(hours=1),
        title="Workshop spijbelen",
        kind=ProgrammeItemKind.WORKSHOP,
        capacity=1,
        room="Zaal 3",
    )
    add(workshop)
    first = reg.register(event, user=make_user(), workshop_ids=[workshop.id])
    reg.register(event, user=make_user(display_name="Bert"), workshop_ids=[workshop.id])
    send()
    reg.cancel(first)
    send()

    (message,) = mailbox
    assert rendered == ["workshop_place"]
    lines = assert_lines(
        message,
        "Dag Bert,",
        "Goed nieuws: er kwam een plaats vrij in de workshop „Workshop spijbelen”. "
        "Je stond op de wachtlijst en hebt die plaats nu.",
        *facts(event),
        CANCEL_LINE,
    )
    assert any(line.startswith("Wanneer: ") and line.endswith(" · Zaal 3") for line in lines)


def test_member_directory_message_has_its_lines(make_user, mailbox, rendered):
    from regionmap.directory import contact_member
    from regionmap.models import DirectoryEntry

    listed = make_user(display_name="Ann")
    entry = DirectoryEntry(user_id=listed.id, is_listed=True)
    add(entry)
    contact_member(make_user(display_name="Bert"), entry, "NAFT", "Hoe doen jullie dit?\nDank je.")
    send()

    (message,) = mailbox
    assert rendered == ["member_contact"]
    lines = assert_lines(
        message,
        "Bert schreef je via de ledenlijst van Bruggen:",
        "Onderwerp: NAFT",
        "Hoe doen jullie dit?",
        "Dank je.",
        "Antwoord gewoon op deze mail: ze gaat naar Bert.",
        "Bruggen",
    )
    follows(lines, "Onderwerp: NAFT", "")


def test_offer_proposal_mails_have_their_lines(make_user, make_region, mailbox, rendered):
    from regionmap.catalogue import OfferFields, propose_offer, reject_proposal

    region = make_region()
    proposal = propose_offer(OfferFields(title="NAFT Brugge", region=region), make_user())
    reject_proposal(proposal, make_user(), "Bestaat al.\nZie NAFT West.")
    send()

    (message,) = mailbox
    assert rendered == ["offer_reviewed"]
    lines = assert_lines(
        message,
        "De coördinatoren namen je voorstel „NAFT Brugge” niet op in het aanbod.",
        "Hun bericht:",
        "Bestaat al.",
        "Zie NAFT West.",
        "Bruggen",
    )
    follows(lines, "Hun bericht:", "")


def test_case_update_mail_has_its_lines_and_nothing_of_the_case(
    make_user, make_region, mailbox, rendered
):
    from casetables.intake import file_case_request
    from casetables.requests import RequestFields

    region = make_region()
    requester = make_user(display_name="Ann", region=region)
    case = file_case_request(
        requester,
        RequestFields(
            region_id=region.id,
            age_group="12-15",
            school_level="secundair_1",
            stuck="Spijbelt sinds de herfstvakantie.",
            tried="Gesprekken op school.",
            question="Welk aanbod past?",
        ),
    )
    send()

    (message,) = mailbox
    assert rendered == ["case_update"]
    lines = assert_lines(
        message,
        "Dag Ann,",
        f"Je aanvraag voor een casustafel {case.code} is ontvangen.",
        "Om de jongere te beschermen staat er in deze mail niets over de casus zelf.",
        "Bruggen",
    )
    follows(
        lines,
        f"Je aanvraag voor een casustafel {case.code} is ontvangen.",
        f"Lees de casus na het aanmelden in Bruggen: {BASE}/casustafel/{case.code}",
    )
    assert "herfstvakantie" not in text_of(message)


def test_case_update_mail_has_its_lines_and_only_the_code(
    make_user, make_region, mailbox, rendered
):
    from casetables.meeting import notify_case_update
    from casetables.requests import RequestFields, file_request

    case = file_request(
        make_user(),
        RequestFields(
            region_id=make_region().id,
            age_group="12-15",
            school_level="secundair_1",
            stuck="Spijbelt vaak.",
            tried="Gesprekken.",
            question="Wat past?",
        ),
    )
    notify_case_update(case, [make_user(display_name="Ann")], "casetables.notes")
    send()

    (message,) = mailbox
    assert rendered == ["case_update"]
    assert message["Subject"] == f"Je hebt een update over casus {case.code}"
    lines = assert_lines(
        message,
        "Dag Ann,",
        f"Er is nieuws over casus {case.code}.",
        f"Lees de casus na het aanmelden in Bruggen: {BASE}/casustafel/{case.code}/verslag",
        "Bruggen",
    )
    assert not any("Spijbelt" in line or "Wat past" in line for line in lines)


def test_every_text_mail_template_is_checked_here():
    on_disk = {path.stem for path in EMAIL_TEMPLATES.glob("*.txt")} - PARTIALS
    assert on_disk == CHECKED


# --- HTML helpers -----------------------------------------------------------------------


class _Text(HTMLParser):
    VOID = {"br", "meta", "img", "hr", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.open: list[str] = []
        self.mismatched = False

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.mismatched = True

    def handle_data(self, data):
        self.parts.append(data)


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def visible_text(html: str) -> str:
    """The text of ``html`` with runs of white space made one space."""
    return " ".join("".join(_parse(html).parts).split())


def balanced(html: str) -> bool:
    """True when every element opened is closed, in order."""
    parser = _parse(html)
    return not parser.mismatched and parser.open == []


# --- issue 17: the mail after an activity, the agenda mail --------------------------------


def test_follow_up_mail_and_reminder_have_their_lines(make_event, mailbox, rendered):
    from events.followup import mailing
    from tests.events.followup_helpers import participant, took_place

    event = took_place(make_event, title="Vorming leerrecht")
    participant(event, name="Ann Peeters", email="ann@example.org")
    now = dt.datetime.now(dt.UTC)
    mailing.send_follow_up(now)
    mailing.send_follow_up(now + mailing.REMIND_AFTER + dt.timedelta(minutes=1))
    send()

    first, reminder = mailbox
    assert rendered == ["follow_up", "follow_up_reminder"]
    lines = assert_lines(
        first,
        "Dag Ann Peeters,",
        f"Bedankt dat je er was op „Vorming leerrecht” ({event_period_nl(event)}).",
        "Bruggen",
        BASE,
    )
    assert any(line.startswith(f"Evaluatie invullen: {BASE}/evaluatie/") for line in lines)
    follows(lines, f"Bedankt dat je er was op „Vorming leerrecht” ({event_period_nl(event)}).", "")
    assert any(
        line.startswith("Je attest van deelname (PDF) kun je hier downloaden: ") for line in lines
    )
    follows(lines, "Dag Ann Peeters,", "")
    reminder_lines = assert_lines(reminder, "Dag Ann Peeters,", "Dit is de enige herinnering.")
    follows(reminder_lines, "Dit is de enige herinnering.", "")
    assert "Evaluatie invullen" in html_of(first)


def test_agenda_mail_and_its_confirmation_have_their_lines(make_event, mailbox, rendered):
    from events import agenda_mail

    agenda_mail.request_confirmation("an@example.org", agenda_mail.AgendaChoice(), "nl")
    now = dt.datetime.now(dt.UTC)
    agenda_mail.subscribe("ben@example.org", agenda_mail.AgendaChoice(), now)
    event = make_event(title="Netwerkmoment NAFT")
    agenda_mail.send_agenda_mails(now)
    send()

    confirm, weekly = mailbox
    assert rendered == ["agenda_mail_confirm", "agenda_mail"]
    confirm_lines = assert_lines(confirm, "Dag,", "Bruggen")
    link_line = next(line for line in confirm_lines if "/agenda/nieuw-per-mail/bevestigen/" in line)
    assert link_line.startswith(BASE)
    lines = assert_lines(
        weekly,
        "Nieuw in de agenda van de lerende netwerken:",
        "- Netwerkmoment NAFT",
        f"  {BASE}/activiteiten/{event.slug}",
        f"Je keuze aanpassen: {BASE}/agenda/nieuw-per-mail",
    )
    after_title = lines[lines.index("- Netwerkmoment NAFT") + 1]
    assert after_title.startswith("  ") and "netwerkmoment · " in after_title, after_title
    assert any(
        line.startswith("Geen mail meer over nieuwe activiteiten? Schrijf je uit: ")
        for line in lines
    )


def event_period_nl(event) -> str:
    from flask_babel import force_locale

    from events.display import event_period

    with force_locale("nl_BE"):
        return event_period(event)


# --- the signal function (issue 16) -------------------------------------------------------


def _signal(make_user, make_region):
    from signals import reporting

    region = make_region()
    reporter = make_user(display_name="Melder", region=region)
    data = reporting.SignalInput(title="Wachtlijst", description="Lang.", region=region)
    return reporting.report_signal(reporter, data)


def test_signal_update_mail_has_its_lines(make_user, make_region, mailbox, rendered):
    from signals import workflow

    signal = _signal(make_user, make_region)
    bundle = workflow.create_bundle([signal], make_user("admin"), "Wachtlijsten")
    send()
    mailbox.clear()
    rendered.clear()

    workflow.move_bundle(
        bundle, make_user("admin"), "passed_on", passed_to="Kabinet", note="Per brief.\nDank."
    )
    send()

    (message,) = mailbox
    assert rendered == ["signal_update"]
    lines = assert_lines(
        message,
        "Je volgt het signaal „Wachtlijsten”.",
        "Het signaal is doorgegeven aan het beleid.",
        "Per brief.",
        "Dank.",
        "Bruggen",
    )
    follows(
        lines, "Je volgt het signaal „Wachtlijsten”.", "Het signaal is doorgegeven aan het beleid."
    )


def test_signal_question_mail_has_its_lines(make_user, make_region, mailbox, rendered):
    from signals import workflow

    signal = _signal(make_user, make_region)
    send()
    rendered.clear()

    workflow.ask_reporter(signal, make_user("admin", display_name="Coördinator"), "Hoe vaak?")
    send()

    (message,) = mailbox
    assert rendered == ["signal_question"]
    lines = assert_lines(
        message,
        "Coördinator, coördinator, heeft een vraag over je signaal „Wachtlijst”:",
        "Hoe vaak?",
        "Bruggen",
    )
    follows(lines, "Coördinator, coördinator, heeft een vraag over je signaal „Wachtlijst”:", "")
