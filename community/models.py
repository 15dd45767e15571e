"""Models of the community package: regions, themes, organisations, networks, users."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from community.db import Base, utcnow


class Sector(enum.StrEnum):
    """The sectors partners work in (DESIGN.md, "Domain words")."""

    EDUCATION = "onderwijs"
    WELFARE = "welzijn"
    MENTAL_HEALTH = "ggz"
    WORK = "werk"
    LOCAL_GOVERNMENT = "lokaal_bestuur"
    JUSTICE = "justitie"
    GOVERNMENT = "overheid"

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS[self])


SECTOR_LABELS = {
    Sector.EDUCATION: _l("onderwijs"),
    Sector.WELFARE: _l("welzijn/jeugdhulp"),
    Sector.MENTAL_HEALTH: _l("geestelijke gezondheidszorg"),
    Sector.WORK: _l("werk"),
    Sector.LOCAL_GOVERNMENT: _l("lokaal bestuur"),
    Sector.JUSTICE: _l("justitie/politie"),
    Sector.GOVERNMENT: _l("overheid"),
}

SECTOR_VALUES = frozenset(sector.value for sector in Sector)

LANGUAGES = {"nl": "Nederlands", "en": "English"}

user_themes = Table(
    "user_themes",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

coordinator_regions = Table(
    "coordinator_regions",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class Region(Base):
    """A province, Brussel, or the network-wide pseudo-region "Vlaanderen en Brussel"."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    is_network_wide: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    network: Mapped[Network | None] = relationship(back_populates="region", uselist=False)

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


# The themes' names as the networks use them (DESIGN.md, "Domain words"; demo/content.yaml),
# stored in Dutch in ``Theme.name``. For display they go through gettext, keyed on the
# stored Dutch name (case and spacing aside), so no translated column is needed; a name
# that is not listed (an admin renamed the theme) is shown as stored.
THEME_NAMES = {
    "Kleuter- en basisonderwijs": _l("Kleuter- en basisonderwijs"),
    "Secundair onderwijs en (her)oriëntering naar school of werk": _l(
        "Secundair onderwijs en (her)oriëntering naar school of werk"
    ),
}
_THEME_NAME_KEYS = {name.casefold(): label for name, label in THEME_NAMES.items()}


class Theme(Base):
    """Theme 1 (kindergarten and primary, under 12) or theme 2 (secondary, 12+)."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short: Mapped[str] = mapped_column(String(20))
    focus: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<Theme {self.number}>"

    @property
    def display_name(self) -> str:
        """The theme's name in the current language (see :data:`THEME_NAMES`); a name that is
        not a known one as stored."""
        label = _THEME_NAME_KEYS.get(" ".join(self.name.split()).casefold())
        return str(label) if label is not None else self.name

    @property
    def label(self) -> str:
        """ "Thema 1: Kleuter- en basisonderwijs" in the current language (form choices)."""
        return str(_l("Thema %(number)s: %(name)s", number=self.number, name=self.display_name))


class Organisation(Base):
    """A school, CLB, youth-care provider, government body... with its sector and region."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(100), default="")
    sector: Mapped[Sector] = mapped_column(String(30))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    region: Mapped[Region | None] = relationship()


class Network(Base):
    """The learning network (lerend netwerk) of one region, run by its coordinators."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    lead_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    region: Mapped[Region] = relationship(back_populates="network")
    lead_organisation: Mapped[Organisation | None] = relationship()


class User(UserMixin, Base):
    """A person with an account: a member, possibly coordinator of regions, possibly admin.

    Roles (DESIGN.md, "Who uses it"): every account is a *member*; a *coordinator*
    is scoped to the regions in ``coordinated_regions``; ``is_admin`` gives
    everything. An unverified account may register for public events but not
    post; an inactive (deactivated) account cannot log in, its content stays.
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sector: Mapped[Sector | None] = mapped_column(String(30))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    is_verified: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Part of the id Flask-Login keeps in sessions and remember-me cookies; a new
    # value (password change or reset, deactivation) ends every existing session.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    # Secret part of the personal calendar feed's URL (issue 4); a new value revokes the old link.
    feed_token: Mapped[str] = mapped_column(
        String(43), unique=True, index=True, default=lambda: secrets.token_urlsafe(32)
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]

    region: Mapped[Region | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=user_themes, order_by=Theme.number)
    coordinated_regions: Mapped[list[Region]] = relationship(
        secondary=coordinator_regions, order_by=Region.position
    )

    def set_password(self, password: str) -> None:
        """Hash ``password`` and keep only the hash.

        The method is config ``PASSWORD_HASH_METHOD``: scrypt (Werkzeug's default KDF)
        unless a test app asks for a cheap one.
        """
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Return True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Return the Flask-Login id "<id>.<session_token>" kept in sessions and cookies."""
        return f"{self.id}.{self.session_token}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this account."""
        self.session_token = secrets.token_hex(16)

    def regenerate_feed_token(self) -> str:
        """Give the personal calendar feed a new secret URL and return the new token.

        The old URL answers 404 from the next request on (issue 4, "Feeds").
        """
        self.feed_token = secrets.token_urlsafe(32)
        return self.feed_token

    @property
    def is_coordinator(self) -> bool:
        """True when the user coordinates at least one region."""
        return bool(self.coordinated_regions)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


# E-mail addresses are unique regardless of case: Ann@Example.org is ann@example.org.
Index("uq_users_email_lower", func.lower(User.email), unique=True)


class MaterialType(enum.StrEnum):
    """Kinds of shared material (DESIGN.md, "Domain words")."""

    PRESENTATION = "presentation"
    REPORT = "report"
    METHOD = "method"
    VISION = "vision"
    RECOMMENDATIONS = "recommendations"
    PRACTICE = "practice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(MATERIAL_TYPE_LABELS[self])


MATERIAL_TYPE_LABELS = {
    MaterialType.PRESENTATION: _l("presentatie"),
    MaterialType.REPORT: _l("rapport"),
    MaterialType.METHOD: _l("methodiek"),
    MaterialType.VISION: _l("visietekst"),
    MaterialType.RECOMMENDATIONS: _l("aanbevelingen"),
    MaterialType.PRACTICE: _l("praktijk"),
    MaterialType.OTHER: _l("ander"),
}

material_themes = Table(
    "material_themes",
    Base.metadata,
    Column("material_id", ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

material_tag_links = Table(
    "material_tag_links",
    Base.metadata,
    Column("material_id", ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("material_tags.id", ondelete="CASCADE"), primary_key=True),
)

practice_themes = Table(
    "practice_themes",
    Base.metadata,
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Material(Base):
    """A shared file or link: presentation, report, method, vision text, recommendations.

    A file lives in the upload storage under ``file_key`` (a content-derived
    name made by the server); ``file_name`` is the cleaned original name, given
    back only in ``Content-Disposition``. A material has either a file or a ``url``.
    """

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[MaterialType] = mapped_column(String(30))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    licence: Mapped[str] = mapped_column(String(60), default="CC BY 4.0")
    is_public: Mapped[bool] = mapped_column(default=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    file_key: Mapped[str | None] = mapped_column(String(80))
    file_name: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(String(500))
    download_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)  # newest first
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Text of the current file (PDF only), extracted once on upload, for the search.
    file_text: Mapped[str] = mapped_column(Text, default="")

    region: Mapped[Region | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=material_themes, order_by=Theme.number)
    uploader: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    tags: Mapped[list[MaterialTag]] = relationship(
        secondary=material_tag_links, order_by="MaterialTag.slug"
    )
    versions: Mapped[list[MaterialVersion]] = relationship(
        back_populates="material",
        order_by="MaterialVersion.number.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def type_label(self) -> str:
        return MaterialType(self.type).label

    @property
    def licence_label(self) -> str:
        return str(LICENCE_LABELS.get(self.licence, self.licence))


class Licence(enum.StrEnum):
    """Licences a material may carry (issue 6, "Materials")."""

    CC_BY = "CC BY 4.0"
    CC_BY_NC = "CC BY-NC 4.0"
    ALL_RIGHTS_RESERVED = "alle rechten voorbehouden"


LICENCE_LABELS = {
    Licence.CC_BY: _l("CC BY 4.0 (hergebruik met naamsvermelding)"),
    Licence.CC_BY_NC: _l("CC BY-NC 4.0 (hergebruik met naamsvermelding, niet commercieel)"),
    Licence.ALL_RIGHTS_RESERVED: _l("alle rechten voorbehouden"),
}


class MaterialTag(Base):
    """A free keyword on materials ("spijbelen", "NAFT"); ``slug`` is its lowercase form."""

    __tablename__ = "material_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))

    def __repr__(self) -> str:
        return f"<MaterialTag {self.slug}>"


class MaterialVersion(Base):
    """One uploaded file of a material; the newest is the material's current file.

    ``file_key`` names the file in the upload storage (made by the server from
    the content); ``file_name`` is the cleaned original name, shown and sent in
    ``Content-Disposition`` only; ``text`` is the PDF text extracted on upload.
    """

    __tablename__ = "material_versions"
    __table_args__ = (UniqueConstraint("material_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    file_key: Mapped[str] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    material: Mapped[Material] = relationship(back_populates="versions")
    uploader: Mapped[User | None] = relationship()


class PracticeStatus(enum.StrEnum):
    """Where a good practice is in its review (issue 6, "Good practices")."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return str(PRACTICE_STATUS_LABELS[self])


PRACTICE_STATUS_LABELS = {
    PracticeStatus.DRAFT: _l("ontwerp"),
    PracticeStatus.IN_REVIEW: _l("ter beoordeling"),
    PracticeStatus.PUBLISHED: _l("gepubliceerd"),
    PracticeStatus.ARCHIVED: _l("gearchiveerd"),
}


class Practice(Base):
    """A structured good-practice record (praktijkvoorbeeld) of a network.

    Members submit a record (``draft`` → ``in_review``); coordinators of its
    region publish it or send it back with a ``review_note``; a published
    record can be archived. Only published records are shown to everyone.
    The contact is an organisation and its address, never a person's private
    data. Records made without a status (the demo, older rows) are published.
    """

    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    partners: Mapped[list] = mapped_column(JSON, default=list)
    target_group: Mapped[str] = mapped_column(Text, default="")
    approach: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    contact_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[PracticeStatus] = mapped_column(String(20), default=PracticeStatus.PUBLISHED)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    age_group: Mapped[str] = mapped_column(String(100), default="")
    partner_sectors: Mapped[list] = mapped_column(JSON, default=list)
    needs: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_address: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_website: Mapped[str] = mapped_column(String(500), default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[dt.datetime | None]
    reviewed_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=practice_themes, order_by=Theme.number)
    contact_organisation: Mapped[Organisation | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    attachments: Mapped[list[PracticeAttachment]] = relationship(
        back_populates="practice",
        order_by="PracticeAttachment.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def status_label(self) -> str:
        return PracticeStatus(self.status).label

    @property
    def sector_labels(self) -> list[str]:
        values = self.partner_sectors or []
        return [Sector(value).label for value in values if value in SECTOR_VALUES]


class PracticeAttachment(Base):
    """A file attached to a good practice, stored like a material's file (content-derived key)."""

    __tablename__ = "practice_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    file_key: Mapped[str] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(default=0)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="attachments")
    uploader: Mapped[User | None] = relationship()


class OutboxMessage(Base):
    """One e-mail waiting in (or sent from) the outbox; sent over SMTP with retries."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"filename": ..., "mimetype": ..., "content": base64 of the bytes}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
