"""The project group's closed space: its forum, materials, meetings and reports are for its
members only, and leak nowhere: pages, search, feeds, the page cache, the home page,
notifications and digests, another member's data export (issue 18)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import url_for
from sqlalchemy import select

from community.accounts.models import ProjectGroupRole
from community.core.db import utcnow
from community.core.extensions import db, limiter
from community.core.mail.models import OutboxMessage
from community.library.models import Material, MaterialType
from events.models import Event, EventStatus, EventType, Visibility
from forums.models import Forum, Notification, Post, Thread
from forums.notifications import send_digests
from reporting.models import ReportStatus
from reporting.project_group import load_group_forum
from tests.route_world import act_as, build_url, build_world, routes

SECRET = "geheim-pg"


def _group_content(world) -> dict:
    """The group's forum with a thread, a material, a meeting, a submitted report and a
    final report, every one carrying the word "geheim-pg"."""
    load_group_forum()
    forum = db.session.scalar(select(Forum).where(Forum.is_project_group.is_(True)))
    coordinator = world.users["coordinator"]
    now = utcnow().replace(microsecond=0)
    thread = Thread(
        forum=forum,
        title="Geheim-PG afstemming",
        slug="geheim-pg-afstemming",
        author=coordinator,
        last_poster=coordinator,
        post_count=1,
        last_post_at=now,
    )
    post = Post(
        thread=thread,
        author=coordinator,
        body="Geheim-PG bericht.",
        body_html="<p>Geheim-PG bericht.</p>",
    )
    material = Material(
        slug="geheim-pg-nota",
        title="Geheim-PG nota",
        type=MaterialType.REPORT,
        url="https://example.org/geheim-pg",
        is_public=False,
        is_project_group=True,
        uploader=coordinator,
    )
    meeting = Event(
        slug="geheim-pg-vergadering",
        title="Geheim-PG vergadering",
        type=EventType.NETWORK_MEETING,
        region=world.region,
        starts_at=now + dt.timedelta(days=5),
        ends_at=now + dt.timedelta(days=5, hours=2),
        status=EventStatus.PUBLISHED,
        visibility=Visibility.PROJECT_GROUP,
    )
    report = world.extra["progress_report"]
    report.sections = [{"title": "Wat werd gedaan", "guidance": "", "text": "Geheim-PG rapport."}]
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    final = world.extra["final_report"]
    final.title = "Geheim-PG eindrapport"
    db.session.add_all([thread, post, material, meeting])
    db.session.commit()
    return {
        "forum": forum,
        "thread": thread,
        "post": post,
        "material": material,
        "meeting": meeting,
        "report": report,
        "final": final,
    }


def _group_urls(app, content) -> list[str]:
    with app.test_request_context():
        return [
            url_for("forums.forum", slug=content["forum"].slug),
            url_for(
                "forums.thread", forum_slug=content["forum"].slug, thread_id=content["thread"].id
            ),
            url_for("forums.post_link", post_id=content["post"].id),
            url_for("library.material", slug=content["material"].slug),
            url_for("library.material_download", slug=content["material"].slug),
            url_for("events.detail", slug=content["meeting"].slug),
            url_for("events.ics", slug=content["meeting"].slug),
            url_for("reporting.progress_report", report_id=content["report"].id),
            url_for("reporting.progress_report_pdf", report_id=content["report"].id),
            url_for("reporting.final_report", report_id=content["final"].id),
            url_for("reporting.final_report_docx_download", report_id=content["final"].id),
            url_for("reporting.project_group"),
        ]


SEARCHES = [
    "/forum/zoeken?q=geheim",
    "/materiaal?q=geheim",
    "/agenda",
    "/agenda/archief",
    "/agenda.ics",
    "/forum",
    "/",
    "/regio/noord",
]


@pytest.mark.parametrize("role", ["anonymous", "unverified", "member"])
def test_a_non_member_finds_no_trace_of_the_group_anywhere(app, client, role):
    world = build_world()
    content = _group_content(world)
    act_as(client, world, role)
    leaks, opened = [], []
    urls = [build_url(app, endpoint, world) for endpoint, method in routes(app) if method == "GET"]
    for url in [*urls, *SEARCHES, *SEARCHES]:  # twice: the second from the page cache
        limiter.reset()
        response = client.get(url)
        if SECRET in response.get_data(as_text=True).casefold():
            leaks.append(url)
    for url in _group_urls(app, content):
        limiter.reset()
        response = client.get(url)
        # A refusal may name the address asked for (a login link); never a title or text.
        text = response.get_data(as_text=True).casefold()
        if response.status_code == 200 or f"{SECRET} " in text:
            opened.append(f"{url} {response.status_code}")
    assert leaks == []
    assert opened == []


def test_the_page_cache_serves_no_members_view_to_a_visitor(app, client):
    world = build_world()
    _group_content(world)
    act_as(client, world, "coordinator")
    assert SECRET in client.get("/forum").get_data(as_text=True).casefold()
    act_as(client, world, "anonymous")
    for _ in range(2):
        assert SECRET not in client.get("/forum").get_data(as_text=True).casefold()


def test_members_of_the_group_see_its_space(app, client, make_user):
    world = build_world()
    content = _group_content(world)
    representative = world.users["member"]
    representative.project_group_role = ProjectGroupRole.REPRESENTATIVE
    db.session.commit()
    for role in ("coordinator", "other_coordinator", "member"):
        act_as(client, world, role)
        for url in _group_urls(app, content):
            limiter.reset()
            response = client.get(url)
            # 302: a post's link goes to its thread, a link material's download to the link.
            assert response.status_code in (200, 302), (role, url)
        page = client.get("/projectgroep").get_data(as_text=True)
        assert "Geheim-PG afstemming" in page and "Geheim-PG nota" in page
        assert "Geheim-PG vergadering" in page
    # The representative reads and discusses: no new final report, no group material.
    act_as(client, world, "member")
    assert client.get("/projectgroep/eindrapporten/nieuw").status_code == 403
    form = client.get("/materiaal/nieuw").get_data(as_text=True)
    assert 'value="project_group"' not in form


def test_the_home_page_never_lists_the_groups_threads(app, client):
    world = build_world()
    _group_content(world)
    act_as(client, world, "coordinator")
    assert "Geheim-PG afstemming" not in client.get("/").get_data(as_text=True)


def test_a_mention_in_the_group_forum_reaches_no_outsider(app, client):
    world = build_world()
    content = _group_content(world)
    act_as(client, world, "coordinator")
    with app.test_request_context():
        url = url_for("forums.reply", forum_slug="projectgroep", thread_id=content["thread"].id)
    response = client.post_form(url, {"body": "Zie ook @gewoon.lid en @coordinator.zuid."})
    assert response.status_code in (302, 303)
    member = world.users["member"]
    other = world.users["other_coordinator"]
    notified = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.thread_id == content["thread"].id)
        )
    )
    assert member.id not in notified
    assert other.id in notified  # a member of the group is told
    assert not db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == member.email)
    ).all()


def test_a_digest_leaves_out_what_its_reader_may_no_longer_read(app, client):
    from forums.models import ForumPreference, MailMode

    world = build_world()
    content = _group_content(world)
    former = world.users["member"]
    former.project_group_role = ProjectGroupRole.MEMBER
    db.session.add(ForumPreference(user_id=former.id, mail_mode=MailMode.DIGEST))
    db.session.add(
        Notification(user=former, post=content["post"], thread=content["thread"], kind="mention")
    )
    former.project_group_role = None  # left the group since
    db.session.commit()
    with app.test_request_context():
        send_digests()
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == former.email)
    ).all()
    assert all(SECRET not in (m.body_text or "").casefold() for m in mails)


def test_another_members_export_holds_nothing_of_the_group(app, client):
    world = build_world()
    _group_content(world)
    act_as(client, world, "member")
    with app.test_request_context():
        url = url_for("gdpr.export")
    export = client.get(url)
    assert export.status_code == 200
    body = export.get_data(as_text=True)
    assert SECRET not in body.casefold()
    json.loads(body)  # the export itself, not an error page


def test_an_admin_gives_and_takes_a_place_in_the_group(client, make_user, sign_in_as):
    admin = make_user("admin")
    representative = make_user()
    sign_in_as(admin)
    url = f"/beheer/gebruikers/{representative.id}"
    response = client.post_form(url, {"project_group_role": "representative"})
    assert response.status_code == 302
    db.session.refresh(representative)
    assert representative.project_group_role == ProjectGroupRole.REPRESENTATIVE
    bad = client.post_form(url, {"project_group_role": "voorzitter"})
    assert bad.status_code == 422
    assert "Kies een van de mogelijkheden uit de lijst." in bad.get_data(as_text=True)
    db.session.refresh(representative)
    assert representative.project_group_role == ProjectGroupRole.REPRESENTATIVE
    client.post_form(url, {"project_group_role": ""})
    db.session.refresh(representative)
    assert representative.project_group_role is None


def test_a_deleted_account_leaves_the_group(app, make_user):
    from community.gdpr.rights import delete_account
    from tests.conftest import PASSWORD

    member = make_user(project_group_role=ProjectGroupRole.MEMBER)
    delete_account(member, PASSWORD)
    db.session.commit()
    assert member.project_group_role is None
