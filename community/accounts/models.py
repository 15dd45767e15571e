"""Models of accounts: sectors, regions, themes, organisations, networks, users and roles."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from community.core.db import Base, keep_folded_copy, utcnow


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


class ProjectGroupRole(enum.StrEnum):
    """A place in the coordinators' project group (projectgroep) given to an account.

    Coordinators and admins belong to the group by their role; an admin gives others
    a place: a ``member`` takes part like a coordinator, a ``representative`` of a
    funding administration (Opgroeien, Onderwijs) reads and discusses (issue 18).
    """

    MEMBER = "member"
    REPRESENTATIVE = "representative"

    @property
    def label(self) -> str:
        return str(PROJECT_GROUP_ROLE_LABELS[self])


PROJECT_GROUP_ROLE_LABELS = {
    ProjectGroupRole.MEMBER: _l("lid van de projectgroep"),
    ProjectGroupRole.REPRESENTATIVE: _l(
        "vertegenwoordiger van een administratie (lezen en meepraten)"
    ),
}


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


class OrganisationType(enum.StrEnum):
    """The type of an organisation on the regional map (issue 15, "organisations by type")."""

    SCHOOL = "school"
    CLB = "clb"
    PEDAGOGICAL_SUPPORT = "pbd"
    SUPPORT_NETWORK = "ondersteuningsnetwerk"
    YOUTH_CARE = "jeugdhulpaanbieder"
    NAFT = "naft"
    CAW = "caw"
    MENTAL_HEALTH = "ggz"
    LOCAL_GOVERNMENT = "lokaal_bestuur"
    WORK = "werkactor"
    GOVERNMENT = "overheid"
    OTHER = "andere"

    @property
    def label(self) -> str:
        return str(ORGANISATION_TYPE_LABELS[self])


ORGANISATION_TYPE_LABELS = {
    OrganisationType.SCHOOL: _l("school"),
    OrganisationType.CLB: _l("CLB"),
    OrganisationType.PEDAGOGICAL_SUPPORT: _l("pedagogische begeleidingsdienst"),
    OrganisationType.SUPPORT_NETWORK: _l("ondersteuningsnetwerk"),
    OrganisationType.YOUTH_CARE: _l("jeugdhulpaanbieder"),
    OrganisationType.NAFT: _l("NAFT-aanbieder"),
    OrganisationType.CAW: _l("CAW"),
    OrganisationType.MENTAL_HEALTH: _l("GGZ-dienst"),
    OrganisationType.LOCAL_GOVERNMENT: _l("lokaal bestuur"),
    OrganisationType.WORK: _l("werkactor"),
    OrganisationType.GOVERNMENT: _l("overheid"),
    OrganisationType.OTHER: _l("andere"),
}


class Organisation(Base):
    """A school, CLB, youth-care provider, government body... with its sector and region.

    The regional map (issue 15) adds its type, a practical address (of the organisation,
    never of a person), a website, whether it is shown publicly, which of its fields a
    coordinator marked internal (``internal_fields``: names of columns shown to
    coordinators only), when it was last checked (a date) and whether it is retired.
    """

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(100), default="")
    sector: Mapped[Sector] = mapped_column(String(30))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    organisation_type: Mapped[str] = mapped_column(
        String(30), default=OrganisationType.OTHER.value, server_default="andere"
    )
    street_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="", server_default="")
    municipality: Mapped[str] = mapped_column(String(100), default="", server_default="")
    website: Mapped[str] = mapped_column(String(500), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    is_public: Mapped[bool] = mapped_column(default=True, server_default="1")
    is_retired: Mapped[bool] = mapped_column(default=False, server_default="0")
    internal_fields: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    last_checked_on: Mapped[dt.date | None]

    region: Mapped[Region | None] = relationship()

    @property
    def type_label(self) -> str:
        """The Dutch label of the organisation's type (``andere`` when unknown)."""
        try:
            return OrganisationType(self.organisation_type).label
        except ValueError:
            return OrganisationType.OTHER.label

    @property
    def sector_label(self) -> str:
        """The Dutch label of the organisation's sector (the stored value when unknown)."""
        return Sector(self.sector).label if self.sector in SECTOR_VALUES else str(self.sector)

    def is_internal(self, name: str) -> bool:
        """True when the coordinator marked the field ``name`` internal (coordinators only)."""
        return name in (self.internal_fields or [])


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
    # ``fold(display_name)``, kept on every write (``keep_folded_copy``): mentions find
    # "@coordinator" in "Coördinator" on SQLite and PostgreSQL alike.
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sector: Mapped[Sector | None] = mapped_column(String(30))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    is_verified: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # A place in the project group besides the coordinators' and admins' (ProjectGroupRole).
    project_group_role: Mapped[ProjectGroupRole | None] = mapped_column(String(20))
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
keep_folded_copy(User, "search_name", ("display_name",))
