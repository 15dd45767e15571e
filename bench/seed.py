"""Seed a large, realistic data set with bulk Core inserts, for the benchmark (issue 8).

Scale 1 is: 2,000 activities across the regions, themes and types; 20,000
registrations; the 3 forums of the demo with 300 threads, one of them of 2,000
posts; 1,000 materials (two real PDF files in the upload folder); 2,000 members.
Every count is multiplied by the scale (0.01 for the test, 4 and 16 for the
growth table). Reference data (regions, themes, networks, forums and their
categories) come from ``demo/content.yaml``.

Rows are written with ``executemany`` (one ``INSERT`` per table and batch), with
explicit ids, into an empty database whose schema exists (``flask db upgrade``,
or ``db.create_all()`` in the tests). Post and description HTML is made by the
app's own ``community.core.markup.render_markdown``, exactly as the app stores it.
The same scale and day give the same data (a seeded random generator), but for
the members' secret tokens.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import click
from sqlalchemy import Integer, Table, func, insert, select, text

from community.accounts.models import (
    Network,
    Organisation,
    Region,
    Sector,
    Theme,
    User,
    coordinator_regions,
    user_themes,
)
from community.core.extensions import db
from community.core.markup import render_markdown
from community.core.storage.local import get_storage
from community.core.text import fold
from community.library.models import (
    Material,
    MaterialTag,
    MaterialType,
    MaterialVersion,
    material_tag_links,
    material_themes,
)
from community.library.uploads import extract_pdf_text
from demo.pdf import material_pdf
from demo.seed import BRUSSELS, load_content, local_to_utc, slugify
from events.models import (
    Event,
    EventMaterial,
    EventStatus,
    EventType,
    ProgrammeItem,
    ProgrammeItemKind,
    Registration,
    RegistrationState,
    Visibility,
    event_organisations,
    event_themes,
)
from forums.models import Category, Forum, Post, Thread
from regionmap.models import Offer, OfferKind, offer_providers, offer_themes

# Counts at scale 1 (issue 8).
BASE_COUNTS = {
    "events": 2_000,
    "registrations": 20_000,
    "threads": 300,
    "big_thread_posts": 2_000,
    "materials": 1_000,
    "members": 2_000,
    "organisations": 60,
    "offers": 1_000,  # the regional map's catalogue (issue 15)
}

# The member the benchmark signs in as (id 1); every seeded account has this password.
MEMBER_EMAIL = "bench.lid@example.org"
MEMBER_PASSWORD = "bench-lid-wachtwoord-2026"

BATCH = 5_000  # rows per executemany
ALIKE_FIRST = 4  # activities of one kind first in SeedFacts.register_slugs
POSTS_PER_PAGE = 20  # forums.views.POSTS_PER_PAGE
# Activities lie from this many days ago to this many days ahead, evenly spread.
DAYS_BACK, DAYS_AHEAD = 300, 400

TOPICS = [
    "leerrecht en spijbelen",
    "vroegtijdig schoolverlaten",
    "NAFT en time-out",
    "schoolextern aanbod",
    "uitstroombegeleiding",
    "alternatieve dagbesteding",
    "welzijn op school",
    "ouders als partner",
    "zorgcontinuüm op school",
    "1gezin1plan en Samen1Plan",
    "heroriëntering naar werk",
    "dreigende uitsluiting",
    "kleuterparticipatie",
    "mentaal welzijn van jongeren",
    "samenwerking CLB en jeugdhulp",
    "ROTS en casusoverleg",
]
EVENT_TITLE = {
    EventType.NETWORK_MEETING: "Netwerkmoment",
    EventType.INSPIRATION_DAY: "Inspiratiedag",
    EventType.TRAINING: "Vorming",
    EventType.STUDY_DAY: "Studiedag",
    EventType.DIALOGUE: "Online dialoogmoment",
    EventType.INFO_SESSION: "Infosessie",
    EventType.CASE_CONSULTATION: "Casusoverleg",
}
OPEN_TYPES = [t for t in EventType if t != EventType.CASE_CONSULTATION]
MATERIAL_TITLE = {
    MaterialType.PRESENTATION: "Presentatie",
    MaterialType.REPORT: "Rapport",
    MaterialType.METHOD: "Methodiek",
    MaterialType.VISION: "Visietekst",
    MaterialType.RECOMMENDATIONS: "Aanbevelingen",
    MaterialType.PRACTICE: "Praktijk",
    MaterialType.OTHER: "Materiaal",
}
FIRST_NAMES = [
    "An", "Bart", "Charlotte", "Dirk", "Els", "Fatima", "Geert", "Hanne", "Ilse", "Jeroen",
    "Katrien", "Lotte", "Mohamed", "Nele", "Ouassima", "Pieter", "Rik", "Sofie", "Tom", "Yasmina",
]  # fmt: skip
LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Dubois", "Lambert", "Dupont", "Aerts", "El Amrani", "Vermeulen",
]  # fmt: skip
ORGANISATION_KINDS = [
    ("CLB", Sector.EDUCATION),
    ("Basisschool", Sector.EDUCATION),
    ("Secundaire school", Sector.EDUCATION),
    ("Ondersteuningsnetwerk", Sector.EDUCATION),
    ("Jeugdhulpaanbieder", Sector.WELFARE),
    ("NAFT-aanbieder", Sector.WELFARE),
    ("CAW", Sector.WELFARE),
    ("Centrum geestelijke gezondheidszorg", Sector.MENTAL_HEALTH),
    ("Lokaal bestuur", Sector.LOCAL_GOVERNMENT),
    ("VDAB-partner", Sector.WORK),
]
PLACES = ["Brugge", "Gent", "Antwerpen", "Hasselt", "Leuven", "Brussel", "Kortrijk", "Aalst"]
JOB_TITLES = ["leerkracht", "CLB-medewerker", "zorgcoördinator", "begeleider", "directeur", ""]
TAG_NAMES = [
    "spijbelen", "NAFT", "leerrecht", "ouders", "kleuters", "secundair", "welzijn",
    "samenwerking", "beleid", "methodiek", "onderzoek", "lokaal bestuur", "time-out",
    "heroriëntering", "werk", "mentaal welzijn", "zorgteam", "signalen", "ROTS", "tolk",
]  # fmt: skip

SENTENCES = [
    "Bij ons werkt een **vroeg overleg** met ouders, school en CLB goed, nog voor er sprake "
    "is van een tuchtmaatregel.",
    "We merken dat het zorgteam daar veel tijd in steekt, maar het loont.",
    "Heeft iemand ervaring met een brugfiguur als de thuistaal anders is?",
    "In onze regio loopt een *time-outtraject* van zes weken met een NAFT-partner.",
    "De leerling blijft ingeschreven en we houden elke week contact met de klastitularis.",
    "Zie ook de visietekst van het lerend netwerk: https://www.example.org/visietekst.",
    "Wat ons hielp: één aanspreekpunt per school, en afspraken die op papier staan.",
    "Het signaal voor beleid is duidelijk: er zijn te weinig plaatsen in het schoolexterne aanbod.",
    "We bespreken dit opnieuw op het volgende netwerkmoment.",
    "Voor kleuters werkt een warme overdracht naar de lagere school het best.",
    "Wie nodigt de ouders uit: de school, het CLB of een welzijnspartner?",
    "Bedankt voor het delen, dit nemen we mee naar ons zorgteam.",
]
LIST_ITEMS = [
    "een vast overlegmoment per maand",
    "een gedeeld plan (Samen1Plan)",
    "een tolk of brugfiguur",
    "terugkoppeling naar de leerkracht",
    "een contactpersoon bij de jeugdhulp",
    "opvolging na de terugkeer",
]


@dataclass
class SeedFacts:
    """What the benchmark needs to know about a seeded database.

    ``counts``: rows per kind. ``activity_slug``: an upcoming public activity with
    a programme, materials, a thread and many registrations. ``register_slugs``:
    upcoming activities open for registration where the member (``member_email``,
    ``member_password``) has none; the first four are alike (public, without
    programme, with a capacity less than half taken). ``download_slug``: a public material whose
    file (a real PDF in the upload folder) can be downloaded.
    """

    scale: float
    counts: dict[str, int]
    member_email: str
    member_password: str
    activity_slug: str
    register_slugs: list[str]
    forum_slug: str
    big_thread_id: int
    big_thread_pages: int
    download_slug: str
    region_slug: str = "west-vlaanderen"
    theme_number: int = 2
    # A coordinator of ``region_slug`` (member 2: the first region's first coordinator, see
    # ``members``), for the statistics page (issue 18); the same password as the member's.
    coordinator_email: str = "lid2@example.org"


def scaled(scale: float) -> dict[str, int]:
    """Return :data:`BASE_COUNTS` times ``scale``, each at least what the seeder needs."""
    minimum = {"events": 12, "registrations": 20, "threads": 3, "big_thread_posts": 41}
    minimum |= {"materials": 4, "members": 12, "organisations": 8, "offers": 12}
    return {key: max(minimum[key], round(n * scale)) for key, n in BASE_COUNTS.items()}


@cache
def _rendered(body: str) -> str:
    return render_markdown(body)


@cache
def _post_bodies(n: int = 300) -> tuple[str, ...]:
    """Return ``n`` different Markdown posts of about 400 characters (paragraphs, lists, links)."""
    rng = random.Random("bruggen-bench-posts")
    bodies = []
    for number in range(n):
        parts = [" ".join(rng.sample(SENTENCES, 2))]
        if number % 3 == 0:
            parts.append("\n".join(f"- {item}" for item in rng.sample(LIST_ITEMS, 3)))
        parts.append(" ".join(rng.sample(SENTENCES, 1 + number % 2)))
        body = "\n\n".join(parts)
        while len(body) < 380:
            body += " " + rng.choice(SENTENCES)
        bodies.append(f"{body}\n\n(bericht {number + 1})\n")
    return tuple(bodies)


@cache
def _description(topic: str, variant: int) -> str:
    """Return Markdown activity description ``variant`` (0-9) about ``topic``, ~600 characters."""
    rng = random.Random(f"{topic}-{variant}")
    items = "\n".join(f"- {item}" for item in rng.sample(LIST_ITEMS, 3))
    return (
        f"Op deze activiteit gaan we aan de slag rond **{topic}**. Partners uit onderwijs, "
        "welzijn en lokaal bestuur delen wat werkt en wat vastloopt.\n\n"
        f"Wat je meeneemt:\n\n{items}\n\n" + " ".join(rng.sample(SENTENCES, 3)) + "\n"
    )


@cache
def _pdf(title: str, pages: int) -> tuple[bytes, str]:
    """Return a real PDF of about ``pages`` pages and the text the app extracts from it."""
    data = material_pdf(title, "", " ".join(SENTENCES * (2 * pages)))
    return data, extract_pdf_text(data)


def _batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Writer:
    """Inserts rows in batches and moves the progress bar."""

    def __init__(self, bar) -> None:
        self.bar = bar
        self.counts: dict[str, int] = {}

    def insert(self, table: Table, rows: Iterable[dict]) -> int:
        written = 0
        for batch in _batches(rows):
            db.session.execute(insert(table), batch)
            written += len(batch)
            self.bar.update(len(batch))
        self.counts[table.name] = self.counts.get(table.name, 0) + written
        return written


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def seed(
    scale: float = 1.0,
    *,
    now: dt.datetime | None = None,
    progress: bool = True,
    label: str | None = None,
) -> SeedFacts:
    """Fill the (empty, migrated) database of the current app with ``scale`` times the data.

    ``now`` (aware UTC, default the current time) anchors the dates: activities
    from 300 days before to 400 days after it. Two real PDF files are written
    to the app's upload folder. Commits at the end and returns :class:`SeedFacts`.
    Raises ``RuntimeError`` when the database already holds activities or users.
    With ``progress``, a ``click.progressbar`` shows the rows written.
    """
    if db.session.scalar(select(func.count(User.id))) or db.session.scalar(
        select(func.count(Event.id))
    ):
        raise RuntimeError("bench seed: the database is not empty")
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    counts = scaled(scale)
    rng = random.Random(f"bruggen-bench-{scale}")
    total = _expected_rows(counts)
    bar = (
        click.progressbar(length=total, label=label or f"Seeding {scale:g}x", show_pos=True)
        if progress
        else _NoBar()
    )
    with bar:
        facts = _Seeder(counts, scale, now, rng, _Writer(bar)).run()
    db.session.commit()
    return facts


def _expected_rows(counts: dict[str, int]) -> int:
    """An estimate of the rows written, for the progress bar's length."""
    e, m, t = counts["events"], counts["members"], counts["threads"]
    return (
        e + e * 4 // 3 + e + e // 4 * 3 + e // 8 * 2  # events, themes, organisers, programmes
        + counts["registrations"]
        + m + m * 4 // 3  # members and their themes
        + t + counts["big_thread_posts"] + (t - 1) * 9 // 2
        + counts["materials"] * 55 // 12  # materials, versions, themes, tags, activities
        + counts["offers"] * 3  # offers, their themes and providers
    )  # fmt: skip


class _Seeder:
    def __init__(self, counts, scale, now, rng, writer: _Writer) -> None:
        self.n = counts
        self.scale = scale
        self.now = now
        self.rng = rng
        self.w = writer
        self.content = load_content()

    # --- reference data --------------------------------------------------------------

    def reference(self) -> None:
        content = self.content
        regions = [
            {
                "id": position,
                "slug": data["slug"],
                "name": data["name"],
                "is_network_wide": bool(data.get("network_wide")),
                "position": position,
            }
            for position, data in enumerate(content["regions"], start=1)
        ]
        self.w.insert(Region.__table__, regions)
        self.region_ids = {row["slug"]: row["id"] for row in regions}
        self.regions = regions
        themes = [
            {
                "id": data["number"],
                "number": data["number"],
                "name": data["name"],
                "short": data["short"],
                "focus": data.get("focus", ""),
            }
            for data in content["themes"]
        ]
        self.w.insert(Theme.__table__, themes)
        self.theme_ids = {row["number"]: row["id"] for row in themes}
        organisations = []
        for n in range(1, self.n["organisations"] + 1):
            kind, sector = ORGANISATION_KINDS[n % len(ORGANISATION_KINDS)]
            region = regions[n % len(regions)]
            organisations.append(
                {
                    "id": n,
                    "name": f"{kind} {PLACES[n % len(PLACES)]} {n}",
                    "kind": kind,
                    "sector": sector,
                    "region_id": region["id"],
                    "note": "",
                }
            )
        self.organisations = organisations
        self.w.insert(Organisation.__table__, organisations)
        networks = [
            {
                "id": n,
                "region_id": self.region_ids[data["region"]],
                "name": data["name"],
                "contact_email": f"lerendnetwerk.{data['region']}@example.org",
                "lead_organisation_id": None,
            }
            for n, data in enumerate(content["networks"], start=1)
        ]
        self.w.insert(Network.__table__, networks)
        self.network_of_region = {row["region_id"]: row["id"] for row in networks}
        forums = []
        for position, data in enumerate(content["forums"], start=1):
            theme = data["theme"]
            forums.append(
                {
                    "id": position,
                    "slug": data["slug"],
                    "name": data["name"],
                    "description": data.get("description", ""),
                    "theme_id": self.theme_ids.get(theme) if isinstance(theme, int) else None,
                    "is_public": False,
                    "position": position,
                }
            )
        self.forums = forums
        self.w.insert(Forum.__table__, forums)
        categories = []
        for forum in forums:
            for position, data in enumerate(content["forum_categories"], start=1):
                categories.append(
                    {
                        "id": len(categories) + 1,
                        "forum_id": forum["id"],
                        "name": data["name"],
                        "slug": data["slug"],
                        "description": data.get("description", ""),
                        "position": position,
                    }
                )
        self.categories_of = {
            forum["id"]: [c["id"] for c in categories if c["forum_id"] == forum["id"]]
            for forum in forums
        }
        self.w.insert(Category.__table__, categories)

    # --- members -----------------------------------------------------------------------

    def members(self) -> None:
        probe = User(email=MEMBER_EMAIL, display_name="x")
        probe.set_password(MEMBER_PASSWORD)  # scrypt once; every account shares the hash
        password_hash = probe.password_hash
        rng = self.rng
        rows = []
        for n in range(1, self.n["members"] + 1):
            organisation = self.organisations[n % len(self.organisations)]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            member = n == 1
            rows.append(
                {
                    "id": n,
                    "email": MEMBER_EMAIL if member else f"lid{n}@example.org",
                    "display_name": "Bench Lid" if member else f"{first} {last}",
                    "search_name": fold("Bench Lid" if member else f"{first} {last}"),
                    "password_hash": password_hash,
                    "locale": "nl",
                    "region_id": self.region_ids["west-vlaanderen"]
                    if member
                    else organisation["region_id"],
                    "organisation_id": organisation["id"],
                    "sector": organisation["sector"],
                    "job_title": rng.choice(JOB_TITLES),
                    "is_verified": member or n % 25 != 0,
                    "is_active": member or n % 200 != 0,
                    "is_admin": False,
                    "session_token": secrets.token_hex(16),
                    "feed_token": secrets.token_urlsafe(32),
                    "created_at": self.now - dt.timedelta(days=700 - n * 690 // self.n["members"]),
                    "last_login_at": None,
                }
            )
        self.members_rows = rows
        self.w.insert(User.__table__, rows)
        themes = []
        for row in rows:
            numbers = [1, 2] if row["id"] % 3 == 0 else [1 + row["id"] % 2]
            themes += [{"user_id": row["id"], "theme_id": self.theme_ids[t]} for t in numbers]
        self.w.insert(user_themes, themes)
        # Two coordinators per region (members 2, 3, ...), never the benchmark's member.
        coordinators = [
            {"user_id": 2 + 2 * index + k, "region_id": region["id"]}
            for index, region in enumerate(self.regions)
            for k in range(2)
            if 2 + 2 * index + k <= self.n["members"]
        ]
        self.coordinator_ids = {row["user_id"] for row in coordinators}
        self.w.insert(coordinator_regions, coordinators)

    # --- activities ----------------------------------------------------------------------

    def events(self) -> None:
        rng, now, count = self.rng, self.now, self.n["events"]
        today = now.astimezone(BRUSSELS).date()
        rows, themes, organisers, programme = [], [], [], []
        first_upcoming = None
        for index in range(count):
            n = index + 1
            offset = -DAYS_BACK + (DAYS_BACK + DAYS_AHEAD) * (index + 0.5) / count
            day = today + dt.timedelta(days=int(offset))
            region = self.regions[index % len(self.regions)]
            kind = rng.choice(OPEN_TYPES)
            visibility, status = Visibility.PUBLIC, EventStatus.PUBLISHED
            if n % 50 == 0:
                kind, visibility = EventType.CASE_CONSULTATION, Visibility.INVITE_ONLY
            elif n % 10 == 0:
                visibility = Visibility.MEMBERS
            if n % 60 == 7:
                status = EventStatus.DRAFT
            elif n % 40 == 3:
                status = EventStatus.CANCELLED
            topic = TOPICS[rng.randrange(len(TOPICS))]
            title = f"{EVENT_TITLE[kind]} {topic} – {region['name']}"
            is_all_day = kind == EventType.INSPIRATION_DAY and n % 4 == 0
            at = ("09:00", "13:30", "19:30")[n % 3]
            starts_at = local_to_utc(day, "00:00" if is_all_day else at)
            hours = 24 if is_all_day else rng.choice([2, 3, 4, 7])
            ends_at = starts_at + dt.timedelta(hours=hours)
            created_at = min(starts_at - dt.timedelta(days=60), now - dt.timedelta(days=1))
            summary = f"{EVENT_TITLE[kind]} over {topic} voor partners uit onderwijs en welzijn."
            description = _description(topic, n % 10)
            online = kind == EventType.DIALOGUE
            slug = f"{slugify(title, 140)}-{n}"
            upcoming = starts_at > now + dt.timedelta(days=2)
            showcase = first_upcoming is None and upcoming and status == EventStatus.PUBLISHED
            if showcase:
                first_upcoming = index
                kind, visibility = EventType.INSPIRATION_DAY, Visibility.PUBLIC
                is_all_day, starts_at = False, local_to_utc(day, "09:00")
                ends_at = starts_at + dt.timedelta(hours=7)
                title = f"Inspiratiedag {topic} – Vlaanderen en Brussel"
                slug = f"{slugify(title, 140)}-{n}"
            capacity = None if n % 3 == 0 else rng.choice([20, 30, 40, 60, 100, 150])
            if showcase:
                capacity = 150
            rows.append(
                {
                    "id": n,
                    "slug": slug,
                    "title": title,
                    "type": kind,
                    "region_id": region["id"],
                    "network_id": self.network_of_region.get(region["id"]),
                    "summary": summary,
                    "description": description,
                    "description_html": _rendered(description),
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "is_all_day": is_all_day,
                    "venue_name": "" if online else f"Zaal {n % 5 + 1}, {PLACES[n % 8]}",
                    "venue_address": "" if online else f"Stationsstraat {n % 90 + 1}, 8000 Brugge",
                    "is_online": online,
                    "online_url": f"https://meet.example.org/bruggen/{n}" if online else "",
                    "capacity": capacity,
                    "registration_opens_at": None,
                    "registration_closes_at": None,
                    "visibility": visibility,
                    "status": status,
                    "revision": n % 3,
                    "is_registration_closed": False,
                    "cancelled_at": created_at + dt.timedelta(days=5)
                    if status == EventStatus.CANCELLED
                    else None,
                    "cancellation_message": "Afgelast wegens ziekte van de spreker."
                    if status == EventStatus.CANCELLED
                    else "",
                    "seats_version": 0,
                    "created_at": created_at,
                    "updated_at": created_at + dt.timedelta(days=1),
                }
            )
            numbers = {0: [1], 1: [2], 2: [1, 2]}[n % 3] if not showcase else [1, 2]
            themes += [{"event_id": n, "theme_id": self.theme_ids[t]} for t in numbers]
            organisers.append(
                {
                    "event_id": n,
                    "organisation_id": self.organisations[n % len(self.organisations)]["id"],
                }
            )
            if n % 4 == 0 or showcase:
                programme += self._programme(n, starts_at, workshops=showcase or n % 8 == 0)
        self.events_rows = rows
        self.showcase = rows[first_upcoming if first_upcoming is not None else -1]
        for number, row in enumerate(programme, start=1):
            row["id"] = number
        self.event_links = (themes, organisers, programme)

    def write_events(self) -> None:
        """Insert the activities (with their seat versions known) and what hangs on them."""
        themes, organisers, programme = self.event_links
        self.w.insert(Event.__table__, self.events_rows)
        self.w.insert(event_themes, themes)
        self.w.insert(event_organisations, organisers)
        self.w.insert(ProgrammeItem.__table__, programme)

    def _programme(self, event_id: int, start: dt.datetime, workshops: bool) -> list[dict]:
        minutes = dt.timedelta(minutes=1)
        parts = [
            (0, 45, "Welkom en inleiding", ProgrammeItemKind.TALK, None),
            (45, 60, "Sofagesprek met partners uit het netwerk", ProgrammeItemKind.PANEL, None),
            (105, 15, "Pauze", ProgrammeItemKind.BREAK, None),
        ]
        if workshops:
            parts += [
                (120, 60, "Workshop A: vroeg signaleren", ProgrammeItemKind.WORKSHOP, 25),
                (120, 60, "Workshop B: ouders betrekken", ProgrammeItemKind.WORKSHOP, 25),
            ]
        return [
            {
                "event_id": event_id,
                "position": position,
                "starts_at": start + begin * minutes,
                "ends_at": start + (begin + length) * minutes,
                "title": title,
                "kind": kind,
                "speakers": "Sprekers uit het lerend netwerk"
                if kind != ProgrammeItemKind.BREAK
                else "",
                "room": "Grote zaal",
                "description": "",
                "capacity": capacity,
            }
            for position, (begin, length, title, kind, capacity) in enumerate(parts, start=1)
        ]

    # --- registrations -------------------------------------------------------------------

    def registrations(self) -> None:
        rng = self.rng
        total = self.n["registrations"]
        members = [row for row in self.members_rows[1:] if row["is_active"]]  # not the bench member
        guests = max(50, 3 * len(members))
        eligible = [
            row
            for row in self.events_rows
            if row["status"] != EventStatus.DRAFT and row is not self.showcase
        ]
        showcase = min(140, total // 4)
        weights = [rng.paretovariate(1.6) for _ in eligible]
        per_event: dict[int, int] = {self.showcase["id"]: showcase}
        for row in rng.choices(eligible, weights, k=total - showcase):
            per_event[row["id"]] = per_event.get(row["id"], 0) + 1
        by_id = {row["id"]: row for row in self.events_rows}
        limit = len(members) + guests
        self.per_event = per_event
        for event_id, wanted in per_event.items():
            per_event[event_id] = min(wanted, limit)
            # Every registration change bumped the activity's seat version (events.registration).
            by_id[event_id]["seats_version"] = per_event[event_id]
        self.write_events()

        def rows() -> Iterator[dict]:
            number = 0
            for event_id, wanted in sorted(per_event.items()):
                event = by_id[event_id]
                from_members = min(len(members), round(wanted * 0.7))
                people = [
                    (m["display_name"], m["email"], m) for m in rng.sample(members, from_members)
                ]
                for g in rng.sample(range(guests), wanted - from_members):
                    people.append((f"Gast {g}", f"gast{g}@example.org", None))
                held = 0
                for k, (name, email, member) in enumerate(people):
                    number += 1
                    created_at = event["created_at"] + dt.timedelta(minutes=10 * (k + 1))
                    if rng.random() < 0.04:
                        state = RegistrationState.CANCELLED
                    elif event["capacity"] is not None and held >= event["capacity"]:
                        state = RegistrationState.WAITLISTED
                    else:
                        state, held = RegistrationState.CONFIRMED, held + 1
                    organisation = self.organisations[number % len(self.organisations)]
                    yield {
                        "id": number,
                        "event_id": event_id,
                        "user_id": member["id"] if member else None,
                        "registered_by_id": member["id"] if member else None,
                        "name": name,
                        "email": email,
                        "organisation_id": member["organisation_id"] if member else None,
                        "organisation_name": "" if member else organisation["name"],
                        "sector": (member or organisation)["sector"],
                        "job_title": "",
                        "state": state,
                        "answers": {},
                        "is_listed": number % 4 == 0,
                        "language": "nl",
                        "attended": None,
                        "created_at": created_at,
                        "pending_until": None,
                        "confirmed_at": created_at
                        if state == RegistrationState.CONFIRMED
                        else None,
                        "cancelled_at": created_at + dt.timedelta(days=1)
                        if state == RegistrationState.CANCELLED
                        else None,
                        "reminder_sent_at": None,
                    }

        self.registration_total = self.w.insert(Registration.__table__, rows())

    # --- forums --------------------------------------------------------------------------

    def forums_and_posts(self) -> None:
        rng, now = self.rng, self.now
        bodies = _post_bodies()
        members = [row for row in self.members_rows if row["is_verified"] and row["is_active"]]
        linkable = [
            row
            for row in self.events_rows
            if row["status"] == EventStatus.PUBLISHED
            and row["visibility"] != Visibility.INVITE_ONLY
            and row is not self.showcase
        ]
        threads, posts = [], []
        big_posts = self.n["big_thread_posts"]
        for index in range(self.n["threads"]):
            n = index + 1
            big = index == 0
            forum = self.forums[index % len(self.forums)]
            author = rng.choice(members)
            event = None
            if n == 2:
                event = self.showcase
            elif n % 3 == 0 and linkable:
                event = linkable[(n // 3) % len(linkable)]
            topic = TOPICS[index % len(TOPICS)]
            title = (
                "Spijbelen in het eerste jaar secundair: wat werkt bij jullie?"
                if big
                else event["title"]
                if event
                else f"Vraag uit de praktijk over {topic} ({n})"
            )
            post_count = big_posts if big else 1 + rng.randrange(8)
            if big:
                created_at = now - dt.timedelta(days=200)
                step = (dt.timedelta(days=200) - dt.timedelta(hours=1)) / big_posts
            else:
                created_at = now - dt.timedelta(days=700 * (index + 1) / self.n["threads"])
                step = dt.timedelta(hours=5)
            last_author = author
            for k in range(post_count):
                poster = author if k == 0 else rng.choice(members)
                body = bodies[(index * 7 + k) % len(bodies)]
                posts.append(
                    {
                        "thread_id": n,
                        "author_id": poster["id"],
                        "body": body,
                        "body_html": _rendered(body),
                        "created_at": created_at + step * k,
                        "edited_at": None,
                        "is_deleted": False,
                        "is_hidden": k % 97 == 96,
                        "hidden_reason": "Verborgen door een moderator." if k % 97 == 96 else "",
                    }
                )
                last_author = poster
            threads.append(
                {
                    "id": n,
                    "forum_id": forum["id"],
                    "title": title,
                    "slug": slugify(title, 160),
                    "author_id": author["id"],
                    "region_id": author["region_id"] if index % 2 else None,
                    "event_id": event["id"] if event else None,
                    "is_pinned": index % 50 == 1,
                    "is_locked": index % 70 == 5,
                    "post_count": post_count,
                    "created_at": created_at,
                    "last_post_at": created_at + step * (post_count - 1),
                    "last_poster_id": last_author["id"],
                    "category_id": self.categories_of[forum["id"]][
                        index % len(self.categories_of[forum["id"]])
                    ],
                }
            )
        for number, row in enumerate(posts, start=1):
            row["id"] = number
        self.big_thread = threads[0]
        self.big_forum = self.forums[0]
        self.w.insert(Thread.__table__, threads)
        self.w.insert(Post.__table__, posts)

    # --- materials -----------------------------------------------------------------------

    def offers(self) -> None:
        """The regional map's catalogue: published offers over the regions, kinds and ages."""
        kinds = [kind.value for kind in OfferKind]
        routes = [["clb"], ["clb", "school"], ["direct"], ["meldpunt"], ["itp", "clb"]]
        rows, themes, providers = [], [], []
        provinces = [r for r in self.regions if not r["is_network_wide"]]
        for n in range(1, self.n["offers"] + 1):
            region = provinces[n % len(provinces)]
            topic = TOPICS[n % len(TOPICS)]
            low = (3, 6, 12, 12, 16)[n % 5]
            rows.append(
                {
                    "id": n,
                    "slug": f"aanbod-{n}",
                    "title": f"{kinds[n % len(kinds)].replace('_', ' ').capitalize()} {topic} {n}",
                    "kind": kinds[n % len(kinds)],
                    "description": f"Aanbod rond {topic} in {region['name']}.",
                    "target_group": "Leerlingen en hun school.",
                    "age_min": low,
                    "age_max": low + 6,
                    "region_id": region["id"],
                    "municipality": PLACES[n % len(PLACES)],
                    "provider_sector": None,
                    "access_routes": routes[n % len(routes)],
                    "how_to_refer": "Via het CLB.",
                    "status": "published",
                    "last_checked_on": (self.now - dt.timedelta(days=n % 500)).date(),
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
            themes.append({"offer_id": n, "theme_id": self.theme_ids[1 if low < 12 else 2]})
            organisation = self.organisations[n % len(self.organisations)]
            providers.append({"offer_id": n, "organisation_id": organisation["id"]})
        self.w.insert(Offer.__table__, rows)
        self.w.insert(offer_themes, themes)
        self.w.insert(offer_providers, providers)

    def materials(self) -> None:
        rng, now = self.rng, self.now
        storage = get_storage()
        files = []
        for data, text_ in (
            _pdf("Presentatie inspiratiedag: samen tegen schooluitval", 8),
            _pdf("Methodiek vroeg overleg", 1),
        ):
            files.append({"key": storage.save(data), "size": len(data), "text": text_})
        tags = [
            {"id": n, "slug": slugify(name, 60), "name": name}
            for n, name in enumerate(TAG_NAMES, start=1)
        ]
        self.w.insert(MaterialTag.__table__, tags)
        types = list(MaterialType)
        rows, versions, themes, tag_links, links = [], [], [], [], []
        past = [
            row
            for row in self.events_rows
            if row["ends_at"] < now and row["status"] == EventStatus.PUBLISHED
        ]
        count = self.n["materials"]
        for index in range(count):
            n = index + 1
            has_file = n % 2 == 1
            file = files[0] if n == 1 else files[1]
            topic = TOPICS[index % len(TOPICS)]
            kind = types[index % len(types)]
            title = f"{MATERIAL_TITLE[kind]} {topic} ({n})"
            slug = slugify(title)
            description = f"Materiaal over **{topic}** uit het lerend netwerk. " + " ".join(
                rng.sample(SENTENCES, 1)
            )
            created_at = now - dt.timedelta(days=720 * (count - index) / count)
            region = self.regions[index % len(self.regions)]
            uploader = self.members_rows[1 + index % (len(self.members_rows) - 1)]
            rows.append(
                {
                    "id": n,
                    "slug": slug,
                    "title": title,
                    "description": description,
                    "description_html": _rendered(description),
                    "type": kind,
                    "region_id": region["id"],
                    "language": "nl",
                    "licence": "CC BY 4.0",
                    "is_public": n == 1 or n % 5 != 0,
                    "uploader_id": uploader["id"],
                    "organisation_id": uploader["organisation_id"],
                    "file_key": file["key"] if has_file else None,
                    "file_name": f"{slug}.pdf" if has_file else None,
                    "content_type": "application/pdf" if has_file else None,
                    "file_size": file["size"] if has_file else None,
                    "url": None if has_file else f"https://www.example.org/materiaal/{n}",
                    "download_count": rng.randrange(200),
                    "created_at": created_at,
                    "updated_at": created_at,
                    "file_text": file["text"] if has_file else "",
                    # Core inserts skip the ORM hook that keeps the folded copy.
                    "search_text": fold(
                        "\n".join((title, description, file["text"] if has_file else ""))
                    ),
                }
            )
            if has_file:
                versions.append(
                    {
                        "id": len(versions) + 1,
                        "material_id": n,
                        "number": 1,
                        "file_key": file["key"],
                        "file_name": f"{slug}.pdf",
                        "content_type": "application/pdf",
                        "size": file["size"],
                        "text": file["text"],
                        "note": "",
                        "uploader_id": uploader["id"],
                        "uploaded_at": created_at,
                    }
                )
            numbers = {0: [1], 1: [2], 2: [1, 2]}[n % 3]
            themes += [{"material_id": n, "theme_id": self.theme_ids[t]} for t in numbers]
            for tag in rng.sample(tags, n % 4):
                tag_links.append({"material_id": n, "tag_id": tag["id"]})
            if n <= 4:
                links.append({"event_id": self.showcase["id"], "material_id": n})
            elif n % 4 == 0 and past:
                links.append({"event_id": past[n % len(past)]["id"], "material_id": n})
        self.materials_rows = rows
        self.w.insert(Material.__table__, rows)
        self.w.insert(MaterialVersion.__table__, versions)
        self.w.insert(material_themes, themes)
        self.w.insert(material_tag_links, tag_links)
        for row in links:
            row["programme_item_id"] = None
        self.w.insert(EventMaterial.__table__, links)

    # --- all -----------------------------------------------------------------------------

    def run(self) -> SeedFacts:
        self.reference()
        self.members()
        self.events()
        self.registrations()
        self.forums_and_posts()
        self.materials()
        self.offers()
        _reset_sequences()
        registered = {self.showcase["id"]}
        soon = self.now + dt.timedelta(days=2)
        open_rows = [
            row
            for row in self.events_rows
            if row["status"] == EventStatus.PUBLISHED
            and row["visibility"] in (Visibility.PUBLIC, Visibility.MEMBERS)
            and row["starts_at"] > soon
            and row["id"] not in registered
        ]
        # First a few alike (public, capped and far from full, no programme), so that
        # measurements of one registration compare the same work at every scale; then the rest.
        with_programme = {row["event_id"] for row in self.event_links[2]}
        alike = [
            row
            for row in open_rows
            if row["visibility"] == Visibility.PUBLIC
            and row["capacity"] is not None
            and row["id"] not in with_programme
            and self.per_event.get(row["id"], 0) < row["capacity"] // 2
        ][:ALIKE_FIRST]
        register_slugs = [row["slug"] for row in alike]
        register_slugs += [row["slug"] for row in open_rows if row not in alike]
        counts = {
            "events": len(self.events_rows),
            "registrations": self.registration_total,
            "forums": len(self.forums),
            "threads": self.n["threads"],
            "posts": self.w.counts.get("posts", 0),
            "big_thread_posts": self.n["big_thread_posts"],
            "materials": len(self.materials_rows),
            "members": len(self.members_rows),
            "offers": self.n["offers"],
        }
        return SeedFacts(
            scale=self.scale,
            counts=counts,
            member_email=MEMBER_EMAIL,
            member_password=MEMBER_PASSWORD,
            activity_slug=self.showcase["slug"],
            register_slugs=register_slugs,
            forum_slug=self.big_forum["slug"],
            big_thread_id=self.big_thread["id"],
            big_thread_pages=-(-self.n["big_thread_posts"] // POSTS_PER_PAGE),
            download_slug=self.materials_rows[0]["slug"],
        )


def _reset_sequences() -> None:
    """On PostgreSQL, move each id sequence past the explicit ids the seeder wrote."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key or not isinstance(column.type, Integer):
            continue  # no sequence: no id, or a random text id (an anonymous evaluation's)
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


def count_rows() -> dict[str, int]:
    """Return the number of rows per seeded kind in the current app's database."""
    kinds: dict[str, Callable] = {
        "events": Event.id,
        "registrations": Registration.id,
        "forums": Forum.id,
        "threads": Thread.id,
        "posts": Post.id,
        "materials": Material.id,
        "members": User.id,
    }
    return {kind: db.session.scalar(select(func.count(column))) for kind, column in kinds.items()}
