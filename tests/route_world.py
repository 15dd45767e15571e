"""A small world where every route's URL resolves: regions, the six roles, content of each kind.

Used by the authorisation matrix, the no-state-change-on-GET walk and the CSRF
sweep (issue 7, "Security"). Users get a cheap password hash and are signed in
through the session, so building the world many times stays fast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from werkzeug.security import generate_password_hash

from casetables.models import CaseRequest
from community.accounts.models import Network, Organisation, Region, Sector, Theme, User
from community.core.db import utcnow
from community.core.extensions import db
from community.core.mail.models import OutboxMessage
from community.core.storage.hooks import store_file
from community.library.models import (
    Material,
    MaterialType,
    MaterialVersion,
    Practice,
    PracticeAttachment,
    PracticeStatus,
)
from events.models import (
    Event,
    EventMaterial,
    EventQuestion,
    EventStatus,
    EventType,
    Invitation,
    ProgrammeItem,
    ProgrammeItemKind,
    Registration,
    RegistrationState,
    Visibility,
)
from forums.models import Category, Forum, Notification, Post, Report, Subscription, Thread
from regionmap.models import ConsultationBody, DirectoryEntry, Offer, RegionalAnalysis
from reporting.models import FinalReport, ProgressReport
from signals.models import PolicyNote, Signal, SignalBundle, State
from tests.pages_helpers import sign_in

ROLES = ("anonymous", "unverified", "member", "other_coordinator", "coordinator", "admin")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_HASH = generate_password_hash("wereld-wachtwoord", method="pbkdf2:sha256:1000")


@dataclass
class World:
    """Everything a route's URL may name, and one user per role (None for anonymous)."""

    region: Region
    other_region: Region
    users: dict[str, User | None]
    author: User
    event: Event
    item: ProgrammeItem
    question: EventQuestion
    guest: Registration
    confirmed: Registration
    waiting: Registration
    forum: Forum
    category: Category
    thread: Thread
    post: Post
    report: Report
    subscription: Subscription
    material: Material
    practice: Practice
    attachment: PracticeAttachment
    extra: dict = field(default_factory=dict)


def _user(email: str, name: str, region: Region, **values) -> User:
    user = User(
        email=email,
        display_name=name,
        password_hash=_HASH,
        region=region,
        locale="nl",
        is_verified=values.pop("is_verified", True),
        **values,
    )
    db.session.add(user)
    return user


def build_world() -> World:
    """Create the world in the empty test database (committed) and return it."""
    now = utcnow().replace(second=0, microsecond=0)
    theme = Theme(number=1, name="Kleuter- en basisonderwijs", short="thema 1")
    region = Region(slug="noord", name="Noord", position=1)
    other = Region(slug="zuid", name="Zuid", position=2)
    network_wide = Region(slug="vlaanderen", name="Vlaanderen", position=3, is_network_wide=True)
    db.session.add_all(
        [
            theme,
            Network(region=region, name="Lerend netwerk Noord"),
            Network(region=other, name="Lerend netwerk Zuid"),
        ]
    )
    organisation = Organisation(name="CLB Noord", sector=Sector.EDUCATION, region=region)
    db.session.add(organisation)
    users = {
        "anonymous": None,
        "unverified": _user("nieuw@example.org", "Nieuw Lid", region, is_verified=False),
        "member": _user("lid@example.org", "Gewoon Lid", region, organisation=organisation),
        "other_coordinator": _user(
            "zuid@example.org", "Coördinator Zuid", other, coordinated_regions=[other]
        ),
        "coordinator": _user(
            "noord@example.org", "Coördinator Noord", region, coordinated_regions=[region]
        ),
        "admin": _user("beheer@example.org", "Beheerder", region, is_admin=True),
        # Not one of ROLES: coordinates the network-wide pseudo-region (tests/test_region_scope.py).
        "network_coordinator": _user(
            "vlaanderen@example.org",
            "Coördinator Vlaanderen",
            network_wide,
            coordinated_regions=[network_wide],
        ),
    }
    author = _user("auteur@example.org", "Auteur", region, organisation=organisation)

    starts = now + dt.timedelta(days=10)
    event = Event(
        slug="netwerkmoment-noord",
        title="Netwerkmoment Noord",
        type=EventType.NETWORK_MEETING,
        region=region,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        status=EventStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        capacity=1,
        venue_name="Zaal",
        themes=[theme],
    )
    item = ProgrammeItem(
        event=event,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        title="Workshop",
        kind=ProgrammeItemKind.WORKSHOP,
        capacity=10,
    )
    question = EventQuestion(event=event, label="Dieetwensen?", position=1)
    confirmed = Registration(
        event=event,
        user=author,
        name=author.display_name,
        email=author.email,
        state=RegistrationState.CONFIRMED,
        created_at=now - dt.timedelta(hours=3),
        confirmed_at=now,
    )
    guest = Registration(
        event=event,
        name="Gast",
        email="gast@example.org",
        state=RegistrationState.WAITLISTED,
        created_at=now - dt.timedelta(hours=2),
        pending_until=now + dt.timedelta(hours=40),
    )
    waiting = Registration(
        event=event,
        name="Wachtende",
        email="wacht@example.org",
        state=RegistrationState.WAITLISTED,
        created_at=now - dt.timedelta(hours=1),
    )
    db.session.add_all([event, item, question, confirmed, guest, waiting])

    forum = Forum(slug="thema-1", name="Thema 1", theme=theme, position=1)
    category = Category(forum=forum, name="Vragen", slug="vragen", position=1)
    thread = Thread(
        forum=forum,
        category=category,
        title="Spijbelen in de lagere school",
        slug="spijbelen",
        author=author,
        last_poster=author,
        region=region,
        post_count=2,
        last_post_at=now,
    )
    post = Post(thread=thread, author=author, body="Eerste.", body_html="<p>Eerste.</p>")
    second = Post(thread=thread, author=author, body="Tweede.", body_html="<p>Tweede.</p>")
    subscription = Subscription(user=author, thread=thread)
    db.session.add_all([forum, category, thread, post, second, subscription])
    db.session.flush()
    report = Report(post_id=second.id, reporter_id=author.id, reason="Nakijken")
    notice = Notification(user=users["member"], post=second, thread=thread, kind="reply")
    db.session.add_all([report, notice])

    key = store_file(db.session, PDF)
    material = Material(
        slug="presentatie-noord",
        title="Presentatie Noord",
        type=MaterialType.PRESENTATION,
        region=region,
        uploader=author,
        organisation=organisation,
        file_key=key,
        file_name="presentatie.pdf",
        content_type="application/pdf",
        file_size=len(PDF),
        themes=[theme],
    )
    material.versions.append(
        MaterialVersion(
            number=1,
            file_key=key,
            file_name="presentatie.pdf",
            content_type="application/pdf",
            size=len(PDF),
            uploader=author,
        )
    )
    db.session.add(material)
    db.session.add(EventMaterial(event=event, material=material))
    practice = Practice(
        slug="naft-noord",
        title="NAFT in Noord",
        region=region,
        author=author,
        status=PracticeStatus.PUBLISHED,
        summary="Korte trajecten.",
        themes=[theme],
    )
    attachment = PracticeAttachment(
        file_key=key, file_name="bijlage.pdf", content_type="application/pdf", size=len(PDF)
    )
    practice.attachments.append(attachment)
    db.session.add(practice)
    failed_mail = OutboxMessage(  # for the admin page of failed mails
        recipient="gast@example.org", subject="Mislukt", body_text="-", failed_at=now, attempts=8
    )
    db.session.add(failed_mail)
    # The signal function (issue 16): an open signal and a bundle (with a policy note) of the
    # region, both reported by the author.
    signal = Signal(title="Wachtlijst", description="Lang.", region=region, reporter=author)
    bundled = Signal(
        title="Geen dagbesteding", description="Thuis.", region=region, reporter=author
    )
    bundle = SignalBundle(title="Dagbesteding", state=State.BUNDLED, signals=[bundled])
    bundled.state = State.BUNDLED
    note = PolicyNote(title="Nota", recommendations="Doe iets.", bundles=[bundle])
    db.session.add_all([signal, bundled, bundle, note])
    # Reporting (issue 18): a draft progress report of the region, a final report.
    progress_report = ProgressReport(
        region=region,
        period_first=dt.date(2025, 9, 1),
        period_last=dt.date(2026, 8, 31),
        sections=[{"title": "Wat werd gedaan", "guidance": "", "text": ""}],
    )
    final_report = FinalReport(
        title="Eindrapport",
        period_first=dt.date(2025, 9, 1),
        period_last=dt.date(2026, 8, 31),
        chapters=[{"key": region.slug, "title": region.name, "region_id": None, "text": ""}],
    )
    db.session.add_all([progress_report, final_report])
    invitation = Invitation(  # issue 17: an invitation mailed and not yet answered
        event=event, email="genodigde@example.org", name="Genodigde", sent_at=now
    )
    db.session.add(invitation)
    offer = Offer(slug="naft-aanbod-noord", title="NAFT Noord", region=region, kind="naft")
    body = ConsultationBody(slug="overleg-noord", name="Overleg Noord", region=region)
    analysis = RegionalAnalysis(region=region, period="2026-2027", version=1, summary="Kort.")
    listed = DirectoryEntry(user=author, is_listed=True, expertise=["spijbelen"])
    db.session.add_all([offer, body, analysis, listed])
    # Case tables (issue 19): a request of the region by the author, not yet taken in.
    case = CaseRequest(
        code="C-NRD2-K7",
        requester=author,
        region=region,
        age_group="12-15",
        school_level="secundair_1",
        tried_services="clb",
        stuck="Spijbelt sinds de herfst.",
        tried="Gesprekken op school.",
        question="Welk aanbod past?",
    )
    db.session.add(case)
    # ... and a planned case with the author at its table (the meeting's routes).
    case_table, agreement = _case_table(region, author, now)
    db.session.commit()
    return World(
        region=region,
        other_region=other,
        users=users,
        author=author,
        event=event,
        item=item,
        question=question,
        guest=guest,
        confirmed=confirmed,
        waiting=waiting,
        forum=forum,
        category=category,
        thread=thread,
        post=post,
        report=report,
        subscription=subscription,
        material=material,
        practice=practice,
        attachment=attachment,
        extra={
            "network_wide": network_wide,
            "failed_mail": failed_mail,
            "signals": [signal, bundled],
            "bundle": bundle,
            "note": note,
            "progress_report": progress_report,
            "final_report": final_report,
            "invitation": invitation,
            "offer": offer,
            "body": body,
            "analysis": analysis,
            "organisation": organisation,
            "case": case,
            "case_table": case_table,
            "case_agreement": agreement,
        },
    )


#: The case tables' routes about a planned table: their URLs name the world's planned case.
MEETING_ENDPOINTS = {
    "casetables.notes",
    "casetables.add_agreement",
    "casetables.confirm_agreement",
    "casetables.close",
    "casetables.follow_up",
}


def _case_table(region: Region, participant: User, now: dt.datetime):
    """Issue 19: a planned case of ``region`` filed by a member not among the roles, its
    table an invite-only activity whose invitation ``participant`` accepted, and an agreement
    for ``participant`` not yet confirmed. Returns the case and the agreement (flushed)."""
    from casetables.models import CaseAgreement, CaseRequest

    requester = _user("aanvrager@example.org", "Aanvrager CLB", region)
    starts = now + dt.timedelta(days=5)
    table = Event(
        slug="casustafel-noord",
        title="Casusoverleg Noord",
        type=EventType.CASE_CONSULTATION,
        region=region,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=EventStatus.PUBLISHED,
        visibility=Visibility.INVITE_ONLY,
        venue_name="CLB Noord",
    )
    db.session.add(table)
    db.session.flush()
    db.session.add(
        Invitation(
            event_id=table.id,
            email=participant.email,
            name=participant.display_name,
            user_id=participant.id,
            status="accepted",
            sent_at=now,
            responded_at=now,
        )
    )
    case = CaseRequest(
        code="C-WRLD-22",
        requester=requester,
        region=region,
        age_group="12-15",
        school_level="secundair_1",
        stuck="Spijbelt vaak.",
        tried="CLB-gesprekken.",
        question="Welk aanbod past?",
        state="planned",
        event_id=table.id,
        table_at=starts,
    )
    db.session.add(case)
    db.session.flush()
    agreement = CaseAgreement(case_id=case.id, partner_id=participant.id, what="Belt de dienst.")
    db.session.add(agreement)
    db.session.flush()
    return case, agreement


def move_world_to(world: World, region: Region | None) -> None:
    """Give the world's region-bound objects ``region`` (None: no region where one may be
    missing; an activity always has one, so it goes to the network-wide region), committed.

    The objects: the activity, the thread, the material, the practice and the author (the
    member whose posts are moderated and who may be suspended), the progress report
    (which, like the activity, always has a region), and the regional map's offer,
    consultation body and organisation.
    """
    network_wide = world.extra["network_wide"]
    world.event.region = region or network_wide
    world.extra["progress_report"].region = region or network_wide
    for thing in (world.thread, world.material, world.practice, world.author):
        thing.region = region
    for signal in world.extra["signals"]:  # a signal always has a region, as an activity
        signal.region = region or network_wide
    # The regional map's (issue 15): an offer and a consultation body always have a region.
    world.extra["organisation"].region = region
    world.extra["offer"].region = region or network_wide
    world.extra["body"].region = region or network_wide
    # A case (issue 19) always has a region, as its table (an activity) does.
    world.extra["case"].region = region or network_wide
    world.extra["case_table"].region = region or network_wide
    db.session.commit()


def act_as(client, world: World, role: str) -> None:
    """Make ``client`` a browser of ``role``: signed out for "anonymous", else signed in."""
    with client.session_transaction() as session:
        session.clear()
    user = world.users[role]
    if user is not None:
        sign_in(client, user)


def _tokens(world: World) -> dict[str, str]:
    from community.accounts import auth
    from events import invitations
    from events import registration as seats
    from forums.subscriptions import unsubscribe_token

    return {
        "accounts.verify": auth.verification_token(world.users["unverified"]),
        "accounts.reset_password": auth.reset_token(world.author),
        "events.confirm_registration": seats.confirmation_token(world.guest),
        "events.cancel_registration": seats.cancel_token(world.confirmed),
        "forums.unsubscribe": unsubscribe_token(world.author, world.subscription),
        "events.personal_feed": getattr(world.author, "feed_token", None),
        "events.invitation": invitations.invitation_token(world.extra["invitation"]),
        **_follow_up_tokens(world),
    }


def _follow_up_tokens(world: World) -> dict[str, str]:
    """Issue 17's links in mails: the world's confirmed participant (not marked present), an
    agenda-mail confirmation, and the unsubscribe link of a subscription that is gone."""
    from community.core.tokens import make_token
    from events import agenda_mail
    from events.followup import mailing

    return {
        "events.certificate_download": mailing.certificate_token(world.confirmed),
        "events.evaluate": mailing.evaluation_token(world.confirmed),
        "events.agenda_mail_confirm": agenda_mail.confirmation_token(
            "nieuw@example.org", agenda_mail.AgendaChoice(), "nl"
        ),
        "events.agenda_mail_unsubscribe": make_token(agenda_mail.UNSUBSCRIBE_PURPOSE, {"s": 0}),
    }


def url_args(endpoint: str, world: World) -> dict:
    """Return the URL arguments that make ``endpoint`` name an object of ``world``.

    Raises ``KeyError`` for a URL argument this function does not know yet.
    """
    event, thread, post = world.event, world.thread, world.post
    tokens = _tokens(world)
    if endpoint in tokens:
        return {"token": tokens[endpoint]}
    special = {
        "events.filtered_feed": {"filters": f"{world.region.slug}/thema-1"},
        "forums.thread": {"forum_slug": world.forum.slug, "thread_id": thread.id},
        "forums.first_unread": {"forum_slug": world.forum.slug, "thread_id": thread.id},
        "forums.reply": {"forum_slug": world.forum.slug, "thread_id": thread.id},
        "forums.set_public": {"slug": world.forum.slug, "visibility": "openbaar"},
        "forums.toggle_thread": {"thread_id": thread.id, "action": "vastzetten"},
        "forums.watch": {"kind": "gesprek", "target_id": str(thread.id), "action": "volgen"},
        "forums.suspend_member": {"user_id": world.author.id},
        "forums.category_edit": {"slug": world.forum.slug, "category_id": world.category.id},
        "forums.category_remove": {"slug": world.forum.slug, "category_id": world.category.id},
        "forums.resolve_report": {"report_id": world.report.id},
        "accounts.admin_user": {"user_id": world.author.id},
        "accounts.admin_activate": {"user_id": world.author.id},
        "accounts.admin_deactivate": {"user_id": world.author.id},
        "accounts.admin_mail_retry": {"message_id": world.extra["failed_mail"].id},
        "site.region": {"slug": world.region.slug},
        "library.material_version_download": {"slug": world.material.slug, "number": 1},
        "library.practice_attachment": {
            "slug": world.practice.slug,
            "attachment_id": world.attachment.id,
        },
        "library.practice_attachment_remove": {
            "slug": world.practice.slug,
            "attachment_id": world.attachment.id,
        },
        "manage.attendance": {"slug": event.slug, "registration_id": world.confirmed.id},
        "manage.promote": {"slug": event.slug, "registration_id": world.waiting.id},
        "manage.check_in": {"slug": event.slug, "registration_id": world.confirmed.id},
        "manage.remind_invitation": {
            "slug": event.slug,
            "invitation_id": world.extra["invitation"].id,
        },
        "manage.withdraw_invitation": {
            "slug": event.slug,
            "invitation_id": world.extra["invitation"].id,
        },
        "manage.programme_item": {"slug": event.slug, "item_id": world.item.id},
        "manage.delete_programme_item": {"slug": event.slug, "item_id": world.item.id},
        "manage.question": {"slug": event.slug, "question_id": world.question.id},
        "manage.delete_question": {"slug": event.slug, "question_id": world.question.id},
        "events.my_certificate": {"registration_id": world.confirmed.id},
        "signals.follow": {"signal_id": world.extra["signals"][0].id, "action": "volgen"},
        "reporting.statistics": {"scope": event.region.slug},
        "reporting.statistics_xlsx_download": {"scope": event.region.slug},
        "reporting.statistics_pdf": {"scope": event.region.slug},
    }
    if endpoint in special:
        return special[endpoint]
    if endpoint.startswith("reporting.") and "final" in endpoint:
        return {"report_id": world.extra["final_report"].id}
    if endpoint.startswith("reporting."):
        return {"report_id": world.extra["progress_report"].id}
    if endpoint.startswith("regionmap."):
        return _regionmap_args(endpoint, world)
    package = endpoint.split(".")[0]
    slugs = {
        "events": event.slug,
        "manage": event.slug,
        "forums": world.forum.slug,
    }
    if endpoint.startswith("library.material"):
        slugs["library"] = world.material.slug
    elif endpoint.startswith("library.practice"):
        slugs["library"] = world.practice.slug
    return {
        "slug": slugs.get(package),
        "post_id": post.id,
        "thread_id": thread.id,
        "user_id": world.author.id,
        "signal_id": world.extra["signals"][0].id,
        "bundle_id": world.extra["bundle"].id,
        "note_id": world.extra["note"].id,
        "code": (
            world.extra["case_table"] if endpoint in MEETING_ENDPOINTS else world.extra["case"]
        ).code,
        "agreement_id": world.extra["case_agreement"].id,
    }


def _regionmap_args(endpoint: str, world: World) -> dict:
    """URL arguments of the regional map's routes (issue 15): its offer, body, analysis."""
    extra = world.extra
    slug = extra["body"].slug if endpoint.startswith("regionmap.body") else extra["offer"].slug
    return {
        "slug": slug,
        "organisation_id": extra["organisation"].id,
        "analysis_id": extra["analysis"].id,
        "extension": "csv",
        "table": "services",
        "user_id": world.author.id,  # listed in the member directory
    }


def build_url(app, endpoint: str, world: World) -> str:
    """Return the path of ``endpoint`` for ``world`` (only the arguments its rule has)."""
    from flask import url_for

    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = url_args(endpoint, world)
    arguments = {name: values[name] for name in rule.arguments}
    missing = [name for name, value in arguments.items() if value is None]
    if missing:
        raise KeyError(f"{endpoint}: no value for {missing} in tests/route_world.py")
    with app.test_request_context():
        return url_for(endpoint, **arguments)


def routes(app) -> list[tuple[str, str]]:
    """Every (endpoint, method) of the app except static files, HEAD and OPTIONS, sorted."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method))
    return sorted(found)


def snapshot(ignore: dict[str, set[str]] | None = None) -> dict[str, tuple[int, str]]:
    """Return {table: (row count, sha256 of all rows)} of the database, in primary-key order.

    ``ignore`` names columns per table left out of the checksum ("*" leaves out the
    whole table). Compare two snapshots to see which tables a request changed.
    """
    import hashlib

    from sqlalchemy import select

    ignore = ignore or {}
    result = {}
    for table in db.metadata.sorted_tables:
        skipped = ignore.get(table.name, set())
        if "*" in skipped:
            continue
        columns = [c for c in table.columns if c.name not in skipped]
        order = list(table.primary_key.columns) or columns
        rows = db.session.execute(select(*columns).order_by(*order)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        result[table.name] = (len(rows), digest)
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    """Return the names of the tables whose count or checksum differ between two snapshots."""
    return sorted(name for name in before if before[name] != after.get(name))
