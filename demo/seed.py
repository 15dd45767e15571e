"""Load the demo content (``demo/content.yaml``) into the database, idempotently."""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select

from community.accounts.models import Network, Organisation, Region, Sector, Theme, User
from community.accounts.reference import load_reference_data
from community.core.extensions import db
from community.core.markup import render_markdown
from community.core.storage.local import get_storage
from community.core.text import slugify as text_slugify
from community.library.materials import tags_from_text
from community.library.models import (
    Material,
    MaterialType,
    MaterialVersion,
    Practice,
    PracticeStatus,
)
from community.library.uploads import extract_pdf_text
from demo.casetables import seed_casetables
from demo.invitations import seed_invitations
from demo.pdf import material_pdf
from demo.regionmap import seed_regionmap
from demo.reporting import seed_reporting
from demo.signals import seed_signals
from events.models import (
    Event,
    EventMaterial,
    EventStatus,
    EventType,
    ProgrammeItem,
    ProgrammeItemKind,
    Visibility,
)
from forums.activity import open_event_thread
from forums.models import Category, Forum, Post, Thread

logger = logging.getLogger(__name__)

CONTENT_FILE = Path(__file__).with_name("content.yaml")
BRUSSELS = ZoneInfo("Europe/Brussels")

# The one password of every demo account; printed by ``flask seed-demo``.
DEMO_PASSWORD = "bruggen-demo-2026"

# Time of day (Europe/Brussels) at which the demo forum threads were opened.
THREAD_TIME = "10:15"

COUNT_KEYS = (
    "regions",
    "themes",
    "organisations",
    "networks",
    "accounts",
    "events",
    "programme_items",
    "practices",
    "materials",
    "event_materials",
    "forums",
    "forum_categories",
    "threads",
    "posts",
)

ROLE_LABELS = {"admin": "beheerder", "coordinator": "coördinator", "member": "lid"}

# Keywords of the demo materials (issue 6: tags), by material key.
MATERIAL_TAGS = {
    "onderzoek-bruggen": "onderzoek, samenwerking",
    "praktijk-aalst": "lokaal bestuur, samenwerking",
    "praktijk-railz": "externaliserend gedrag",
    "aanbevelingen": "beleid, samenwerking",
    "visietekst-basis": "beleid, kleuters",
    "projectoproep": "beleid",
}


@cache
def load_content() -> dict:
    """Return the demo content of ``demo/content.yaml`` as plain Python data."""
    return yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))


def demo_accounts() -> list[dict]:
    """Return the demo logins: dicts with ``email``, ``display``, ``role`` and ``role_label``."""
    content = load_content()
    region_names = {region["slug"]: region["name"] for region in content["regions"]}
    accounts = []
    for account in content["accounts"]:
        label = ROLE_LABELS[account["role"]]
        if account.get("region"):
            label += f", {region_names[account['region']]}"
        accounts.append({**account, "role_label": label})
    return accounts


def slugify(text: str, max_length: int = 120) -> str:
    """Return a lowercase ASCII slug of ``text``: words joined by ``-``, at most ``max_length``.

    Accents are dropped ("Coördinator" -> "coordinator"), every run of other
    characters becomes one hyphen; the result is cut at a word boundary.
    """
    return text_slugify(text, max_length=max_length)


def local_to_utc(day: dt.date, hhmm: str) -> dt.datetime:
    """Return local time ``hhmm`` ("HH:MM", Europe/Brussels) on ``day`` as aware UTC."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    local = dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=BRUSSELS)
    return local.astimezone(dt.UTC)


class _Seeder:
    """One run of the demo loader: looks rows up by natural key and adds what is missing."""

    def __init__(self, content: dict, today: dt.date) -> None:
        self.content = content
        self.today = today
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.regions: dict[str, Region] = {}
        self.themes: dict[int, Theme] = {}
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.events: dict[str, Event] = {}
        self.materials: dict[str, Material] = {}
        self.forums: dict[str, Forum] = {}

    def _added(self, kind: str, obj) -> None:
        db.session.add(obj)
        self.counts[kind] += 1

    def run(self) -> dict:
        # The reference data first, as ``flask load-reference-data`` loads it in production:
        # the regions, themes, networks and forums below are then found, not made.
        for kind, added in load_reference_data().items():
            self.counts[kind] = self.counts.get(kind, 0) + added
        self.seed_regions()
        self.seed_themes()
        self.seed_organisations()
        self.seed_networks()
        self.seed_accounts()
        self.seed_events()
        self.seed_materials()
        self.seed_programmes()
        self.seed_event_materials()
        self.seed_practices()
        self.seed_forums()
        self.seed_forum_categories()
        self.seed_threads()
        self.seed_event_threads()
        seed_invitations(self.content, self.events, self.counts)  # issue 17
        db.session.flush()
        self.counts.update(seed_signals(self.users, self.today))  # issue 16: demo/signals.py
        return self.counts

    # --- community -----------------------------------------------------------

    def seed_regions(self) -> None:
        for position, data in enumerate(self.content["regions"], start=1):
            region = db.session.scalar(select(Region).filter_by(slug=data["slug"]))
            if region is None:
                region = Region(
                    slug=data["slug"],
                    name=data["name"],
                    is_network_wide=bool(data.get("network_wide")),
                    position=position,
                )
                self._added("regions", region)
            self.regions[data["slug"]] = region

    def seed_themes(self) -> None:
        for data in self.content["themes"]:
            theme = db.session.scalar(select(Theme).filter_by(number=data["number"]))
            if theme is None:
                theme = Theme(
                    number=data["number"],
                    name=data["name"],
                    short=data["short"],
                    focus=data.get("focus", ""),
                )
                self._added("themes", theme)
            self.themes[data["number"]] = theme

    def seed_organisations(self) -> None:
        for data in self.content["organisations"]:
            organisation = db.session.scalar(select(Organisation).filter_by(name=data["name"]))
            if organisation is None:
                organisation = Organisation(
                    name=data["name"],
                    sector=Sector(data["sector"]),
                    region=self.regions[data["region"]],
                    note=data.get("note", ""),
                )
                self._added("organisations", organisation)
            self.organisations[data["name"]] = organisation

    def seed_networks(self) -> None:
        for data in self.content["networks"]:
            region = self.regions[data["region"]]
            db.session.flush()
            network = db.session.scalar(select(Network).filter_by(region_id=region.id))
            if network is None:
                network = Network(region=region, name=data["name"])
                self._added("networks", network)
            # What the reference data leaves to the admin, filled in for the demo.
            if not network.contact_email:
                network.contact_email = f"lerendnetwerk.{region.slug}@example.org"
            if network.lead_organisation is None and data.get("lead"):
                network.lead_organisation = self.organisations[data["lead"]]

    def seed_accounts(self) -> None:
        for data in self.content["accounts"]:
            email = data["email"]
            user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
            if user is None:
                organisation = self.organisations.get(data.get("organisation"))
                region = self.regions.get(data.get("region"))
                sector = data.get("sector") or (organisation.sector if organisation else None)
                user = User(
                    email=email,
                    display_name=data["display"],
                    locale="nl",
                    region=region,
                    organisation=organisation,
                    sector=Sector(sector) if sector else None,
                    is_verified=True,
                    is_active=True,
                    is_admin=data["role"] == "admin",
                )
                user.set_password(DEMO_PASSWORD)
                if data["role"] == "coordinator":
                    user.coordinated_regions = [region]
                self._added("accounts", user)
            self.users[email] = user

    # --- events --------------------------------------------------------------

    def seed_events(self) -> None:
        for data in self.content["events"]:
            slug = slugify(data["title"], 160)
            event = db.session.scalar(select(Event).filter_by(slug=slug))
            if event is None:
                region = self.regions[data["region"]]
                starts_at = local_to_utc(self.today + dt.timedelta(days=data["days"]), data["at"])
                venue = data.get("venue") or {}
                summary = data.get("summary", "")
                is_online = bool(data.get("online"))
                event = Event(
                    slug=slug,
                    title=data["title"],
                    type=EventType(data["type"]),
                    region=region,
                    network=region.network,
                    summary=summary,
                    description=summary,
                    description_html=render_markdown(summary),
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=data["duration"]),
                    venue_name=venue.get("name", ""),
                    venue_address=venue.get("address", ""),
                    is_online=is_online,
                    online_url=f"https://meet.example.org/bruggen/{slug}" if is_online else "",
                    capacity=data.get("capacity"),
                    visibility=(
                        Visibility.INVITE_ONLY if data.get("invite_only") else Visibility.PUBLIC
                    ),
                    status=EventStatus.PUBLISHED,
                )
                event.themes = [self.themes[number] for number in data.get("themes", [])]
                event.organisations = [
                    self.organisations[name] for name in data.get("organisers", [])
                ]
                self._added("events", event)
            self.events[data["key"]] = event

    def seed_programmes(self) -> None:
        """Add the programme items (and their materials) of events that have none yet."""
        for data in self.content["events"]:
            items = data.get("programme")
            if not items:
                continue
            event = self.events[data["key"]]
            db.session.flush()
            existing = db.session.scalars(select(ProgrammeItem).filter_by(event_id=event.id)).all()
            by_position = {item.position: item for item in existing}
            day = event.starts_at.astimezone(BRUSSELS).date()
            for position, item_data in enumerate(items, start=1):
                item = by_position.get(position)
                if item is None:
                    starts_at = local_to_utc(day, item_data["at"])
                    item = ProgrammeItem(
                        event=event,
                        position=position,
                        starts_at=starts_at,
                        ends_at=starts_at + dt.timedelta(minutes=item_data["minutes"]),
                        title=item_data["title"],
                        kind=ProgrammeItemKind(item_data.get("kind", "talk")),
                        speakers=item_data.get("who", ""),
                    )
                    self._added("programme_items", item)
                    db.session.flush()
                for key in item_data.get("materials", []):
                    self._link_material(event, self.materials[key], item)

    def _link_material(
        self, event: Event, material: Material, item: ProgrammeItem | None = None
    ) -> None:
        db.session.flush()
        link = db.session.get(EventMaterial, (event.id, material.id))
        if link is None:
            link = EventMaterial(
                event_id=event.id,
                material_id=material.id,
                programme_item_id=item.id if item else None,
            )
            self._added("event_materials", link)

    # --- materials and practices -----------------------------------------------

    def seed_materials(self) -> None:
        storage = get_storage()
        for data in self.content["materials"]:
            title = data["title"]
            event = self.events.get(data.get("event"))
            # No dates in the file: the same content gives the same bytes on any day.
            subtitle = event.title if event else ""
            pdf = material_pdf(title, subtitle, data.get("what", ""))
            slug = slugify(title)
            material = db.session.scalar(select(Material).filter_by(slug=slug))
            if material is None:
                description = data.get("what") or (
                    f"Materiaal bij de {event.title}." if event else ""
                )
                themes = data.get("themes")
                material = Material(
                    slug=slug,
                    title=title,
                    description=description,
                    description_html=render_markdown(description),
                    type=MaterialType(data["type"]),
                    region=self.regions[data["region"]],
                )
                material.versions = [
                    MaterialVersion(
                        number=1,
                        file_key=storage.save(pdf),
                        file_name=f"{title}.pdf",
                        content_type="application/pdf",
                        size=len(pdf),
                        text=extract_pdf_text(pdf),
                    )
                ]
                version = material.versions[0]
                material.file_key, material.file_name = version.file_key, version.file_name
                material.content_type, material.file_size = version.content_type, version.size
                material.file_text = version.text
                material.tags = tags_from_text(MATERIAL_TAGS.get(data["key"], ""))
                if event is not None:
                    material.created_at = material.updated_at = event.ends_at
                    version.uploaded_at = event.ends_at
                material.themes = (
                    [self.themes[number] for number in themes]
                    if themes is not None
                    else list(event.themes if event else [])
                )
                self._added("materials", material)
            elif material.file_key and not storage.exists(material.file_key):
                storage.save(pdf)  # the upload folder was emptied: put the file back
            self.materials[data["key"]] = material

    def seed_event_materials(self) -> None:
        """Link each material to its activity (programme items link their own first)."""
        for data in self.content["materials"]:
            if data.get("event"):
                self._link_material(self.events[data["event"]], self.materials[data["key"]])

    def seed_practices(self) -> None:
        for data in self.content["practices"]:
            slug = slugify(data["title"])
            practice = db.session.scalar(select(Practice).filter_by(slug=slug))
            if practice is None:
                practice = Practice(
                    slug=slug,
                    title=data["title"],
                    region=self.regions[data["region"]],
                    summary=data.get("what", ""),
                    partners=list(data.get("partners", [])),
                    status=PracticeStatus.PUBLISHED,
                )
                practice.themes = [self.themes[number] for number in data.get("themes", [])]
                self._added("practices", practice)

    # --- forums ----------------------------------------------------------------

    def seed_forums(self) -> None:
        for position, data in enumerate(self.content["forums"], start=1):
            forum = db.session.scalar(select(Forum).filter_by(slug=data["slug"]))
            if forum is None:
                forum = Forum(
                    slug=data["slug"],
                    name=data["name"],
                    description=data.get("description", ""),
                    theme=self.themes.get(data["theme"]),
                    is_public=False,  # members only (issue 5); titles show on /forum
                    position=position,
                )
                self._added("forums", forum)
            self.forums[str(data["theme"])] = forum

    def seed_forum_categories(self) -> None:
        """Give every forum the categories of ``forum_categories`` (issue 5)."""
        self.categories: dict[tuple[int, str], Category] = {}
        db.session.flush()
        for forum in self.forums.values():
            for position, data in enumerate(self.content["forum_categories"], start=1):
                category = db.session.scalar(
                    select(Category).filter_by(forum_id=forum.id, slug=data["slug"])
                )
                if category is None:
                    category = Category(
                        forum=forum,
                        slug=data["slug"],
                        name=data["name"],
                        description=data.get("description", ""),
                        position=position,
                    )
                    self._added("forum_categories", category)
                self.categories[(forum.id, data["slug"])] = category

    def seed_event_threads(self) -> None:
        """Open the discussion thread of every published activity that has none (issue 5)."""
        for event in self.events.values():
            db.session.flush()
            exists = db.session.scalar(select(Thread.id).where(Thread.event_id == event.id))
            if exists is None and event.status == EventStatus.PUBLISHED:
                thread = open_event_thread(event)
                if thread is not None:
                    # The demo activities were published before the demo conversations began.
                    published = local_to_utc(self.today - dt.timedelta(days=20), THREAD_TIME)
                    thread.created_at = thread.last_post_at = published
                    self.counts["threads"] += 1

    def seed_threads(self) -> None:
        for data in self.content["forum_threads"]:
            forum = self.forums[str(data["theme"])]
            slug = slugify(data["title"], 160)
            db.session.flush()
            thread = db.session.scalar(select(Thread).filter_by(forum_id=forum.id, slug=slug))
            if thread is not None:
                continue
            author = self.users[data["author"]]
            posted_at = local_to_utc(self.today - dt.timedelta(days=data["days"]), THREAD_TIME)
            thread = Thread(
                forum=forum,
                title=data["title"],
                slug=slug,
                author=author,
                region=author.region,
                category=self.categories.get((forum.id, data.get("category"))),
                post_count=1,
                created_at=posted_at,
                last_post_at=posted_at,
                last_poster=author,
            )
            self._added("threads", thread)
            body = data["body"].strip() + "\n"
            post = Post(
                thread=thread,
                author=author,
                body=body,
                body_html=render_markdown(body),
                created_at=posted_at,
            )
            self._added("posts", post)


def seed_demo(today: dt.date | None = None) -> dict:
    """Add the missing demo content to the session and flush; return counts of what was added.

    ``today`` (default: today in Europe/Brussels) anchors the activity dates of
    ``content.yaml`` (``days`` offsets, ``at`` local times, stored as aware UTC).
    Rows are looked up by natural key (slug, e-mail, name, number), so a second
    run adds nothing and every count is 0. The caller commits.
    """
    if today is None:
        today = dt.datetime.now(BRUSSELS).date()
    counts = _Seeder(load_content(), today).run()
    from demo.followup import seed_follow_up  # issue 17 (it imports this module)

    counts.update(seed_follow_up(load_content()))
    counts.update(seed_reporting(today))  # the project group and progress reports (issue 18)
    counts.update(seed_regionmap(today))  # the regional map (issue 15)
    counts.update(seed_casetables(today))  # case requests (issue 19), after the map
    logger.info("demo content seeded: %s", counts)
    return counts
