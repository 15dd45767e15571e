"""Who sees a case (issue 19, "Access"), the read log, and where a case never shows:
mails, the agenda feeds, search, the activity's public page, the forum digest and agenda
mail, another member's data export. Bad input and a double submit at once, on both
databases (``TEST_DATABASE_URL``)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from casetables.intake import TablePlan, plan_table
from casetables.models import CaseMessage, CaseRead, CaseRequest
from community.core.extensions import db
from community.core.mail.outbox import deliver_outbox
from events import invitations
from events.models import Event, Invitation
from tests.casetables.conftest import QUESTION, STUCK, TRIED
from tests.casetables.test_intake import assert_no_case_text, form_data
from tests.pages_helpers import sign_in


def planned(table, make_case, **overrides) -> tuple[CaseRequest, Event]:
    """A case with its table in a week; the three partners invited, the first accepted."""
    case = make_case(**overrides)
    starts = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(days=7)
    event = plan_table(
        case,
        table.coordinator,
        TablePlan(
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            venue_name="CLB West",
            members=table.partners,
        ),
    )
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.email == table.partners[0].email)
    )
    invitations.accept(invitation)
    db.session.commit()
    return case, event


def reads(case) -> int:
    """The reads of ``case`` that were committed (what a request left only flushed is gone)."""
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(CaseRead).where(CaseRead.case_id == case.id)
    )


def test_only_requester_coordinators_and_accepted_partners_see_the_case(client, table, make_case):
    case, _ = planned(table, make_case)
    allowed = [table.requester, table.coordinator, table.partners[0]]
    refused = [
        table.other_coordinator,
        table.admin,
        table.member,
        table.partners[1],  # invited, not answered
    ]
    for user in allowed:
        sign_in(client, user)
        response = client.get(f"/casustafel/{case.code}")
        assert response.status_code == 200, user.email
        assert STUCK in response.text
        assert response.headers["Cache-Control"] == "private, no-store"
    before = reads(case)
    for user in refused:
        sign_in(client, user)
        response = client.get(f"/casustafel/{case.code}")
        assert response.status_code == 404, user.email
        assert STUCK not in response.text
        for action in ("verduidelijking", "aanvaarden", "doorverwijzen", "tafel", "antwoord"):
            assert client.post_form(f"/casustafel/{case.code}/{action}").status_code == 404
    assert reads(case) == before  # a refused look is no read
    client.get("/aanmelden")  # signed out below
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/casustafel/{case.code}").status_code == 302
    assert client.get("/casustafel/C-ZZZZ-ZZ").status_code == 302


def test_the_requester_and_partners_cannot_take_intake_actions(client, table, make_case):
    case = make_case()
    sign_in(client, table.requester)
    for action in ("verduidelijking", "aanvaarden", "doorverwijzen", "tafel"):
        assert client.post_form(f"/casustafel/{case.code}/{action}").status_code == 403, action
    assert client.get(f"/casustafel/{case.code}/tafel").status_code == 403


def test_every_read_is_logged_and_the_log_is_shown_to_coordinators_only(client, table, make_case):
    case, _ = planned(table, make_case)
    sign_in(client, table.partners[0])
    client.get(f"/casustafel/{case.code}")
    sign_in(client, table.requester)
    requester_page = client.get(f"/casustafel/{case.code}")
    assert reads(case) == 2
    sign_in(client, table.coordinator)
    coordinator_page = client.get(f"/casustafel/{case.code}")

    assert reads(case) == 3
    assert "Wie las deze casus" not in requester_page.text
    assert "Wie las deze casus" in coordinator_page.text
    assert "3 keer gelezen" in coordinator_page.text
    assert table.partners[0].display_name in coordinator_page.text
    logged = db.session.scalars(select(CaseRead).order_by(CaseRead.id)).all()
    assert [r.reader_id for r in logged] == [
        table.partners[0].id,
        table.requester.id,
        table.coordinator.id,
    ]


def test_nothing_of_a_case_in_feeds_search_the_activity_page_digests_or_exports(
    client, table, make_case, mailbox
):
    from events.agenda_mail import send_agenda_mails
    from forums.notifications import send_digests

    case, event = planned(table, make_case)
    sign_in(client, table.partners[0])  # accepted: the activity is theirs too
    pages = [
        client.get("/agenda.ics"),
        client.get("/agenda.json"),
        client.get(f"/agenda/persoonlijk/{table.partners[0].feed_token}.ics"),
        client.get(f"/activiteiten/{event.slug}"),
        client.get("/mijn-activiteiten"),
    ]
    for word in ("spijbelt", "herfstvakantie", "casustafel"):  # the query itself is echoed
        found = client.get(f"/forum/zoeken?q={word}").get_data(as_text=True)
        assert STUCK not in found and TRIED not in found and case.code not in found
    sign_in(client, table.member)
    pages.append(client.get("/account/gegevens.json"))
    sign_in(client, table.requester)
    own_export = client.get("/account/gegevens.json")
    for response in pages:
        assert response.status_code in (200, 404), response.request.path
        assert_no_case_text(response.get_data(as_text=True))
    assert case.code not in pages[-1].get_data(as_text=True)  # another member's export
    own = own_export.get_data(as_text=True)
    assert case.code in own  # the requester's own: the code, never the text
    assert_no_case_text(own)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    send_digests(now)
    send_agenda_mails(now)
    db.session.commit()
    assert deliver_outbox()[1] == 0
    assert mailbox
    for message in mailbox:
        for part in message.walk():
            if part.get_content_maintype() == "text":
                assert_no_case_text(part.get_content())
            if part.get_content_type() == "text/calendar":
                assert_no_case_text(part.get_payload(decode=True).decode())


def test_control_characters_never_reach_the_database_nor_answer_5xx(client, table, make_case):
    """community.core.input_guard: in a path 404, in a query 400, in a typed field removed
    (pasted text carries invisible ones); PostgreSQL would refuse a NUL with a 500."""
    case = make_case()
    sign_in(client, table.coordinator)
    assert client.get("/casustafel/C-\x00ZZ").status_code == 404
    assert client.get("/casustafel?status=requested\x00").status_code == 400
    asked = client.post_form(
        f"/casustafel/{case.code}/verduidelijking", {"body": "Welke\x00 hulp\x1b liep al?"}
    )
    assert asked.status_code == 302
    sign_in(client, table.requester)
    filed = client.post_form("/casustafel/aanvragen", form_data(table, stuck="Spijbelt\x00 veel."))
    assert filed.status_code == 302
    db.session.expire_all()
    texts = [c.stuck for c in db.session.scalars(select(CaseRequest).order_by(CaseRequest.id))]
    assert texts == [STUCK, "Spijbelt veel."]
    assert db.session.scalar(select(CaseMessage.body)) == "Welke hulp liep al?"


BAD = ["\x00", "-1", "9" * 30, "\xff\u200b", "abc", "2026-02-30", "25:61", "x" * 5000]


@pytest.mark.parametrize("bad", BAD)
def test_bad_values_in_the_intake_forms_answer_4xx_and_change_nothing(
    client, table, make_case, bad
):
    """The coordinators' forms (which the fuzz crawl, reading as admin, cannot reach)."""
    from tests.casetables.test_intake import plan_data

    case = make_case()
    sign_in(client, table.coordinator)
    sent = [
        client.post_form(f"/casustafel/{case.code}/doorverwijzen", {"offer": bad}),
        client.post_form(f"/casustafel/{case.code}/verduidelijking", {"body": bad * 2}),
    ]
    for name in ("day", "starts", "ends", "members", "organisations", "emails", "venue_name"):
        sent.append(
            client.post_form(f"/casustafel/{case.code}/tafel", plan_data(table, **{name: bad}))
        )
    statuses = [r.status_code for r in sent]
    assert all(s < 500 for s in statuses), statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Event)) <= 1
    assert db.session.get(CaseRequest, case.id).state in ("requested", "clarification", "planned")


@pytest.mark.real_commits
def test_two_submits_at_once_file_one_case(app, table):
    """Two identical POSTs released together (a double click): one case, both redirected to
    it. On PostgreSQL the requester's row lock makes the second wait for the first."""
    browsers = [app.test_client(), app.test_client()]
    posts = []
    for browser in browsers:
        sign_in(browser, table.requester)
        data = {**form_data(table), "csrf_token": browser.csrf_token()}
        posts.append(lambda b=browser, d=data: b.post("/casustafel/aanvragen", data=d))
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = posts[n]()
        except BaseException as error:  # noqa: BLE001 - reported below
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = [getattr(r, "status_code", r) for r in results]
    assert statuses == [302, 302], statuses
    assert results[0].headers["Location"] == results[1].headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CaseRequest)) == 1
    assert STUCK and TRIED and QUESTION  # the texts filed once


def test_an_admin_can_neither_manage_nor_list_a_case_table_nor_invite_themselves(
    client, table, make_case
):
    """Found by trying the product: an admin opened the table's invitations page, invited
    themselves, accepted and read the case. Issue 19: "nobody else, admins included" — a case
    consultation is managed by the coordinators of its own region only, and does not show in
    an admin's lists."""
    case, event = planned(table, make_case)
    sign_in(client, table.admin)
    invitations_page = f"/beheer/activiteiten/{event.slug}/uitnodigingen"
    assert client.get(invitations_page).status_code == 404
    refused = client.post_form(invitations_page, {"emails": table.admin.email})
    assert refused.status_code == 404
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.email == table.admin.email)
        )
        == 0
    )
    assert client.get(f"/activiteiten/{event.slug}").status_code == 404
    for listing in ("/", "/agenda?type=case_consultation", f"/regio/{table.region.slug}"):
        assert event.title not in client.get(listing).text, listing
    assert client.get(f"/casustafel/{case.code}").status_code == 404

    sign_in(client, table.coordinator)  # the region's coordinator still manages it
    assert client.get(invitations_page).status_code == 200
    assert event.title in client.get("/agenda?type=case_consultation").text


@pytest.mark.parametrize("page", ["", "/verslag", "/afsluiten", "/opvolging"])
def test_every_page_with_case_content_logs_its_read(client, table, make_case, page):
    """Found by trying the product: the notes, close and follow-up pages read the case but
    their read was only flushed, never committed, so the log missed them."""
    case, _ = planned(table, make_case)
    sign_in(client, table.coordinator)
    before = reads(case)
    assert client.get(f"/casustafel/{case.code}{page}").status_code == 200
    assert reads(case) == before + 1
