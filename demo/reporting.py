"""Demo content of reporting: the project group with its meetings, a conversation, a group-only
material, attendance at the inspiration day, two submitted progress reports (West-Vlaanderen,
Brussel) written from the seeds' content, and the final report built from them (issue 18)."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from sqlalchemy import func, select

from community.accounts.models import Organisation, ProjectGroupRole, Region, User
from community.core.extensions import db
from community.core.markup import render_markdown
from community.core.storage.local import get_storage
from community.library.models import Material, MaterialType, MaterialVersion
from community.library.uploads import extract_pdf_text
from demo.pdf import material_pdf
from events.models import Event, EventStatus, EventType, Registration, RegistrationState, Visibility
from forums.models import Category, Forum, Post, Thread
from reporting.final import ACROSS
from reporting.models import FinalReport, ProgressReport, ReportStatus
from reporting.period import last_school_year
from reporting.progress import DEFAULT_SECTIONS
from reporting.project_group import load_group_forum
from reporting.statistics import Scope, compute_statistics, to_dict

#: The two representatives of the funding administrations (read-and-discuss members);
#: persons by their role, never by name, like the accounts of content.yaml.
REPRESENTATIVES = (
    (
        "vertegenwoordiger.opgroeien@example.org",
        "Vertegenwoordiger Opgroeien (demo)",
        "Agentschap Opgroeien",
    ),
    (
        "vertegenwoordiger.onderwijs@example.org",
        "Vertegenwoordiger Onderwijs (demo)",
        "Departement Onderwijs en Vorming",
    ),
)

#: The project group's meetings: (days from today, local time, minutes, title, summary).
MEETINGS = (
    (
        -150,
        "13:30",
        120,
        "Projectgroep: terugblik op de inspiratiedag",
        "De coördinatoren en de vertegenwoordigers van Opgroeien en Onderwijs blikken terug op "
        "de inspiratiedag „Onderwijs – Opgroeien: een gedeeld verhaal” en leggen de "
        "voortgangsrapporten van het schooljaar vast.",
    ),
    (
        45,
        "13:30",
        150,
        "Projectgroep: voorbereiding van de studiedag over conclusies en aanbevelingen",
        "Afstemming over het eindrapport met conclusies en aanbevelingen en over het programma "
        "van de afsluitende studiedag.",
    ),
)

#: The two submitted progress reports, section texts in the template's order.
REPORTS = {
    "west-vlaanderen": (
        "Het lerend netwerk (trekker vzw AURA) bracht scholen, CLB's, jeugdhulp en "
        "NAFT-aanbieders samen rond de plaats van NAFT in de regio, hield het ROTS-casusoverleg "
        "draaiende en stelde de samenwerking voor met een pitch van de tandem op de "
        "inspiratiedag „Onderwijs – Opgroeien: een gedeeld verhaal”.",
        "De praktijk „Uitstroombegeleiding: de school verlaten zonder kwalificatie?”: een "
        "afrondend, toekomstgericht gesprek met jongeren die dreigen ongekwalificeerd uit te "
        "stromen, samen met scholen, CLB en werkactoren.",
        "NAFT-trajecten komen vaak laat: scholen kennen het aanbod onvoldoende en de "
        "doorverwijzing verloopt via veel schakels.",
        "Een netwerkmoment over vroeger en gerichter inzetten van NAFT; de uitstroombegeleiding "
        "verbreden naar meer scholen.",
        "Afstemming met Onderwijs over de financiering van NAFT-trajecten na het projectjaar.",
    ),
    "brussel": (
        "De rondetafel van KANS – Centraal Meldpunt Brussel bracht ouders, school en CLB samen; "
        "de tandem pitchte op de inspiratiedag, waar ook het project Railz voorgesteld werd.",
        "De vier bruggen van KANS: leerling en aanbod, de rondetafel, de trajectaanbieders "
        "onderling, en werkveld en beleid.",
        "Het aanbod in Brussel is versnipperd over Vlaamse en Franstalige partners; scholen "
        "vinden de weg niet altijd.",
        "De rondetafels voortzetten en de resultaten inbrengen in de studiedag over conclusies "
        "en aanbevelingen.",
        "Een gedeelde aanbeveling over toeleiding naar het schoolexterne aanbod in Brussel.",
    ),
}


def _local(day: dt.date, hhmm: str) -> dt.datetime:
    from demo.seed import local_to_utc

    return local_to_utc(day, hhmm)


def _representatives(counts: dict) -> None:
    from demo.seed import DEMO_PASSWORD

    for email, name, organisation_name in REPRESENTATIVES:
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
            continue
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.name == organisation_name)
        )
        user = User(
            email=email,
            display_name=name,
            locale="nl",
            organisation=organisation,
            sector=organisation.sector if organisation else None,
            is_verified=True,
            is_active=True,
            project_group_role=ProjectGroupRole.REPRESENTATIVE,
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        counts["project_group_members"] += 1


def _meetings(today: dt.date, wide: Region, counts: dict) -> None:
    from demo.seed import slugify

    for days, at, minutes, title, summary in MEETINGS:
        slug = slugify(title, 160)
        if db.session.scalar(select(Event.id).where(Event.slug == slug)):
            continue
        starts_at = _local(today + dt.timedelta(days=days), at)
        db.session.add(
            Event(
                slug=slug,
                title=title,
                type=EventType.NETWORK_MEETING,
                region=wide,
                network=wide.network,
                summary=summary,
                description=summary,
                description_html=render_markdown(summary),
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=minutes),
                is_online=True,
                online_url=f"https://meet.example.org/bruggen/{slug}",
                visibility=Visibility.PROJECT_GROUP,
                status=EventStatus.PUBLISHED,
            )
        )
        counts["project_group_meetings"] += 1


def _conversation(today: dt.date, counts: dict) -> None:
    forum = db.session.scalar(select(Forum).where(Forum.is_project_group.is_(True)))
    title = "Eindrapport: welke aanbevelingen nemen we mee naar de studiedag?"
    if forum is None or db.session.scalar(select(Thread.id).where(Thread.title == title)):
        return
    category = db.session.scalar(select(Category).filter_by(forum_id=forum.id, slug="afstemming"))
    if category is None:
        category = Category(forum=forum, slug="afstemming", name="Afstemming", position=1)
        db.session.add(category)
    author = db.session.scalar(select(User).where(User.email == "coordinator.wvl@example.org"))
    written = _local(today - dt.timedelta(days=12), "10:15")
    body = (
        "De aanbevelingen van de coördinatoren van de inspiratiedag zijn ons vertrekpunt. "
        "Vullen jullie per regio aan met wat het voortgangsrapport oplevert?"
    )
    thread = Thread(
        forum=forum,
        category=category,
        title=title,
        slug="eindrapport-aanbevelingen",
        author=author,
        last_poster=author,
        post_count=1,
        created_at=written,
        last_post_at=written,
    )
    post = Post(
        thread=thread, author=author, body=body, body_html=render_markdown(body), created_at=written
    )
    db.session.add_all([thread, post])
    counts["project_group_threads"] += 1


def _material(counts: dict) -> None:
    """A working draft for the group only, a PDF made like the other demo materials'."""
    title = "Werkversie eindrapport: conclusies en aanbevelingen"
    description = "Werkversie voor de projectgroep, op weg naar de studiedag."
    pdf = material_pdf(title, "Projectgroep", description)
    slug = "werkversie-eindrapport-conclusies-en-aanbevelingen"
    storage = get_storage()
    material = db.session.scalar(select(Material).where(Material.slug == slug))
    if material is not None:
        if material.file_key and not storage.exists(material.file_key):
            storage.save(pdf)  # the upload folder was emptied: put the file back
        return
    key = storage.save(pdf)
    version = MaterialVersion(
        number=1,
        file_key=key,
        file_name=f"{title}.pdf",
        content_type="application/pdf",
        size=len(pdf),
        text=extract_pdf_text(pdf),
    )
    db.session.add(
        Material(
            slug=slug,
            title=title,
            description=description,
            description_html=render_markdown(description),
            type=MaterialType.RECOMMENDATIONS,
            is_public=False,
            is_project_group=True,
            versions=[version],
            file_key=key,
            file_name=version.file_name,
            content_type=version.content_type,
            file_size=version.size,
            file_text=version.text,
        )
    )
    counts["project_group_materials"] += 1


def _attendance(counts: dict) -> None:
    """The demo's members and coordinators took part in the inspiration day."""
    day = db.session.scalar(select(Event).where(Event.title.like("Inspiratiedag Onderwijs%")))
    if day is None:
        return
    people = db.session.scalars(
        select(User).where(User.email.like("%@example.org"), User.is_admin.is_(False))
    ).all()
    for user in people:
        known = db.session.scalar(
            select(Registration.id).where(
                Registration.event_id == day.id, func.lower(Registration.email) == user.email
            )
        )
        if known:
            continue
        db.session.add(
            Registration(
                event=day,
                user=user,
                name=user.display_name,
                email=user.email,
                organisation=user.organisation,
                organisation_name=user.organisation.name if user.organisation else "",
                sector=str(user.sector) if user.sector else "",
                state=RegistrationState.CONFIRMED,
                confirmed_at=day.starts_at - dt.timedelta(days=20),
                attended=True,
            )
        )
        counts["registrations"] += 1


def _reports(today: dt.date, counts: dict) -> None:
    period = last_school_year(today)
    for slug, texts in REPORTS.items():
        region = db.session.scalar(select(Region).where(Region.slug == slug))
        if region is None or db.session.scalar(
            select(ProgressReport.id).where(
                ProgressReport.region_id == region.id,
                ProgressReport.period_first == period.first,
            )
        ):
            continue
        coordinator = next(iter(region_coordinators(region)), None)
        db.session.flush()
        with force_locale("nl_BE"):  # the figures' labels, as a Dutch-speaking submitter's
            figures = to_dict(compute_statistics(Scope((region,)), period))
        report = ProgressReport(
            region=region,
            period_first=period.first,
            period_last=period.last,
            sections=[
                {"title": title, "guidance": guidance, "text": text}
                for (title, guidance), text in zip(DEFAULT_SECTIONS, texts, strict=True)
            ],
            status=ReportStatus.SUBMITTED,
            figures=figures,
            created_by=coordinator,
            submitted_by=coordinator,
            submitted_at=_local(period.last + dt.timedelta(days=20), "16:00"),
        )
        db.session.add(report)
        counts["progress_reports"] += 1


FINAL_TITLE = "Lerende netwerken jeugdhulp – onderwijs: conclusies en aanbevelingen"


def _final_report(today: dt.date, counts: dict) -> None:
    """The group's final report in the making, from the two regions' reports; its text
    from the study day on conclusions and recommendations."""
    if db.session.scalar(select(FinalReport.id).where(FinalReport.title == FINAL_TITLE)):
        return
    regions = db.session.scalars(
        select(Region).where(Region.slug.in_(REPORTS)).order_by(Region.position)
    ).all()
    period = last_school_year(today)
    chapters = [{"key": ACROSS, "title": "Over de regio's heen", "region_id": None, "text": ""}]
    chapters += [{"key": r.slug, "title": r.name, "region_id": r.id, "text": ""} for r in regions]
    db.session.add(
        FinalReport(
            title=FINAL_TITLE,
            period_first=period.first,
            period_last=period.last,
            introduction=(
                "De coördinatoren stellen hun rapport voor op de afsluitende studiedag, met "
                "conclusies en aanbevelingen voor een duurzame verankering van de lerende "
                "netwerken."
            ),
            chapters=chapters,
        )
    )
    counts["final_reports"] += 1


def region_coordinators(region: Region) -> list[User]:
    return [u for u in db.session.scalars(select(User)) if region in u.coordinated_regions]


def seed_reporting(today: dt.date) -> dict[str, int]:
    """Add what is missing of the reporting demo (found by natural key: a second run adds
    nothing); return counts per kind. ``today``: the local date the demo is anchored on.
    Flushes; the caller commits."""
    counts = dict.fromkeys(
        (
            "project_group_members",
            "project_group_meetings",
            "project_group_threads",
            "project_group_materials",
            "registrations",
            "progress_reports",
            "final_reports",
        ),
        0,
    )
    load_group_forum()
    wide = db.session.scalar(select(Region).where(Region.is_network_wide.is_(True)))
    _representatives(counts)
    if wide is not None:
        _meetings(today, wide, counts)
    _conversation(today, counts)
    _material(counts)
    _attendance(counts)
    db.session.flush()
    _reports(today, counts)
    _final_report(today, counts)
    db.session.flush()
    return counts
