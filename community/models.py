"""Models of the community package: regions, themes, organisations, networks, users."""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, func
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
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]

    region: Mapped[Region | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=user_themes, order_by=Theme.number)
    coordinated_regions: Mapped[list[Region]] = relationship(
        secondary=coordinator_regions, order_by=Region.position
    )

    def set_password(self, password: str) -> None:
        """Hash ``password`` with scrypt (Werkzeug's default KDF) and keep only the hash."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Return True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

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
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=material_themes, order_by=Theme.number)
    uploader: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def type_label(self) -> str:
        return MaterialType(self.type).label


class Practice(Base):
    """A structured good-practice record (praktijkvoorbeeld) of a network."""

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

    region: Mapped[Region | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=practice_themes, order_by=Theme.number)
    contact_organisation: Mapped[Organisation | None] = relationship()


class OutboxMessage(Base):
    """One e-mail waiting in (or sent from) the outbox; sent over SMTP with retries."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
