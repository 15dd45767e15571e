"""Models of the regional map: offer (aanbod), consultation bodies, regional analyses."""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import SECTOR_VALUES, Organisation, Region, Sector, Theme, User
from community.core.db import Base, utcnow


class OfferKind(enum.StrEnum):
    """The kinds of offer partners refer to (issue 15, "kind of offer")."""

    SCHOOL_EXTERNAL = "schoolextern"
    NAFT = "naft"
    DAY_PROGRAMME = "dagbesteding"
    TIME_OUT = "time_out"
    PATHWAY = "trajectbegeleiding"
    OUTFLOW = "uitstroombegeleiding"
    MENTAL_HEALTH = "psychische_kwetsbaarheid"
    REPORTING_POINT = "meldpunt"
    TRAINING = "vorming"
    SUPPORT = "ondersteuning"
    OTHER = "andere"

    @property
    def label(self) -> str:
        return str(OFFER_KIND_LABELS[self])


OFFER_KIND_LABELS = {
    OfferKind.SCHOOL_EXTERNAL: _l("schoolextern aanbod"),
    OfferKind.NAFT: _l("NAFT"),
    OfferKind.DAY_PROGRAMME: _l("alternatieve dagbesteding"),
    OfferKind.TIME_OUT: _l("time-out"),
    OfferKind.PATHWAY: _l("trajectbegeleiding"),
    OfferKind.OUTFLOW: _l("uitstroombegeleiding"),
    OfferKind.MENTAL_HEALTH: _l("psychische kwetsbaarheid"),
    OfferKind.REPORTING_POINT: _l("meldpunt"),
    OfferKind.TRAINING: _l("vorming/training"),
    OfferKind.SUPPORT: _l("ondersteuning van scholen"),
    OfferKind.OTHER: _l("ander aanbod"),
}


class AccessRoute(enum.StrEnum):
    """How a pupil or a professional reaches an offer (issue 15, "access route")."""

    DIRECT = "direct"
    CLB = "clb"
    REPORTING_POINT = "meldpunt"
    SCHOOL = "school"
    ITP = "itp"

    @property
    def label(self) -> str:
        return str(ACCESS_ROUTE_LABELS[self])


ACCESS_ROUTE_LABELS = {
    AccessRoute.DIRECT: _l("rechtstreeks"),
    AccessRoute.CLB: _l("via het CLB"),
    AccessRoute.REPORTING_POINT: _l("via een meldpunt"),
    AccessRoute.SCHOOL: _l("via de school"),
    AccessRoute.ITP: _l("via de Intersectorale Toegangspoort"),
}

ACCESS_ROUTE_VALUES = frozenset(route.value for route in AccessRoute)


class OfferStatus(enum.StrEnum):
    """Where an offer record is: proposed by a provider, published, or retired."""

    PROPOSED = "proposed"
    PUBLISHED = "published"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return str(OFFER_STATUS_LABELS[self])


OFFER_STATUS_LABELS = {
    OfferStatus.PROPOSED: _l("voorgesteld"),
    OfferStatus.PUBLISHED: _l("gepubliceerd"),
    OfferStatus.RETIRED: _l("stopgezet"),
}


class BodySector(enum.StrEnum):
    """The sector(s) a consultation body belongs to."""

    YOUTH_CARE = "jeugdhulp"
    EDUCATION = "onderwijs"
    BOTH = "beide"

    @property
    def label(self) -> str:
        return str(BODY_SECTOR_LABELS[self])


BODY_SECTOR_LABELS = {
    BodySector.YOUTH_CARE: _l("jeugdhulp"),
    BodySector.EDUCATION: _l("onderwijs"),
    BodySector.BOTH: _l("jeugdhulp en onderwijs"),
}


offer_themes = Table(
    "offer_themes",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

offer_providers = Table(
    "offer_providers",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)

consultation_members = Table(
    "consultation_members",
    Base.metadata,
    Column(
        "consultation_body_id",
        ForeignKey("consultation_bodies.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


#: Offer fields a coordinator may mark internal (shown to the region's coordinators only).
OFFER_INTERNAL_FIELDS = ("contact_email", "contact_phone", "waiting_time", "capacity")


class Offer(Base):
    """One offer (aanbod) partners can refer to: what, for whom, who provides it, how to refer.

    ``age_min``/``age_max`` are ages in whole years (inclusive; None: no bound).
    ``last_checked_on`` is the date (Europe/Brussels) a coordinator last confirmed the
    record; a published record not checked for 12 months is flagged for review. The
    practical contact is an organisation's, never a child's or family's data. A
    provider's proposal is ``proposed`` until a coordinator of the region publishes it;
    a correction proposal points at the record it corrects (``corrects_id``).
    """

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default=OfferKind.OTHER.value)
    description: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    age_min: Mapped[int | None]
    age_max: Mapped[int | None]
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(100), default="")
    provider_sector: Mapped[str | None] = mapped_column(String(30))
    access_routes: Mapped[list[str]] = mapped_column(JSON, default=list)
    how_to_refer: Mapped[str] = mapped_column(Text, default="")
    contact_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    contact_address: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    waiting_time: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[str] = mapped_column(String(200), default="")
    last_checked_on: Mapped[dt.date | None]
    status: Mapped[str] = mapped_column(String(20), default=OfferStatus.PUBLISHED.value, index=True)
    internal_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    internal_note: Mapped[str] = mapped_column(Text, default="")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=offer_themes, order_by=Theme.number)
    providers: Mapped[list[Organisation]] = relationship(
        secondary=offer_providers, order_by=Organisation.name
    )
    contact_organisation: Mapped[Organisation | None] = relationship()
    proposed_by: Mapped[User | None] = relationship()
    corrects: Mapped[Offer | None] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        try:
            return OfferKind(self.kind).label
        except ValueError:
            return OfferKind.OTHER.label

    @property
    def status_label(self) -> str:
        return OfferStatus(self.status).label

    @property
    def access_route_labels(self) -> list[str]:
        return [AccessRoute(v).label for v in self.access_routes or [] if v in ACCESS_ROUTE_VALUES]

    @property
    def sector_label(self) -> str:
        value = self.provider_sector
        return Sector(value).label if value in SECTOR_VALUES else ""

    @property
    def age_label(self) -> str:
        """ "12–18 jaar", "vanaf 12 jaar", "tot 12 jaar" or "" (no bounds)."""
        if self.age_min is not None and self.age_max is not None:
            return str(_l("%(low)s–%(high)s jaar", low=self.age_min, high=self.age_max))
        if self.age_min is not None:
            return str(_l("vanaf %(low)s jaar", low=self.age_min))
        if self.age_max is not None:
            return str(_l("tot %(high)s jaar", high=self.age_max))
        return ""

    def is_internal(self, name: str) -> bool:
        """True when the coordinator marked the field ``name`` internal."""
        return name in (self.internal_fields or [])


class ConsultationBody(Base):
    """An existing network or consultation body (overlegforum) of a region and its members."""

    __tablename__ = "consultation_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), default=BodySector.BOTH.value)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    is_retired: Mapped[bool] = mapped_column(default=False)
    last_checked_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship()
    members: Mapped[list[Organisation]] = relationship(
        secondary=consultation_members, order_by=Organisation.name
    )

    @property
    def sector_label(self) -> str:
        try:
            return BodySector(self.sector).label
        except ValueError:
            return BodySector.BOTH.label


class PointKind(enum.StrEnum):
    """The parts of an analysis (the kernkwadrant): strengths, gaps, needs, demand and supply."""

    STRENGTH = "sterkte"
    GAP = "leemte"
    NEED = "nood"
    MATCH = "vraag_aanbod"

    @property
    def label(self) -> str:
        return str(POINT_KIND_LABELS[self])


POINT_KIND_LABELS = {
    PointKind.STRENGTH: _l("Sterktes"),
    PointKind.GAP: _l("Leemtes"),
    PointKind.NEED: _l("Noden"),
    PointKind.MATCH: _l("Hoe vraag en aanbod elkaar vinden"),
}


class ActionStatus(enum.StrEnum):
    """The status of an action or recommendation of an analysis."""

    OPEN = "open"
    BUSY = "bezig"
    DONE = "klaar"

    @property
    def label(self) -> str:
        return str(ACTION_STATUS_LABELS[self])


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("open"),
    ActionStatus.BUSY: _l("bezig"),
    ActionStatus.DONE: _l("afgerond"),
}


class RegionalAnalysis(Base):
    """One dated version of a region's analysis (omgevingsanalyse) for a theme and a period.

    Saving an analysis adds a new version (``version`` counts from 1 per region × theme ×
    period); earlier versions stay readable. ``theme_id`` None: both themes.
    """

    __tablename__ = "regional_analyses"
    __table_args__ = (UniqueConstraint("region_id", "theme_id", "period", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    period: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    summary: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship()
    theme: Mapped[Theme | None] = relationship()
    author: Mapped[User | None] = relationship()
    points: Mapped[list[AnalysisPoint]] = relationship(
        back_populates="analysis", order_by="AnalysisPoint.position", cascade="all, delete-orphan"
    )
    actions: Mapped[list[AnalysisAction]] = relationship(
        back_populates="analysis", order_by="AnalysisAction.position", cascade="all, delete-orphan"
    )

    def points_of(self, kind: str) -> list[AnalysisPoint]:
        return [p for p in self.points if p.kind == kind]


class AnalysisPoint(Base):
    """One point of an analysis (a strength, a gap, a need, a remark on demand and supply).

    ``offer_slugs``, ``practice_slugs`` and ``event_slugs`` name what it rests on. A gap's
    id is stable: a signal can link to ``/omgevingsanalyse/<analysis id>#punt-<id>``.
    """

    __tablename__ = "analysis_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("regional_analyses.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    offer_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    practice_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    event_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)

    analysis: Mapped[RegionalAnalysis] = relationship(back_populates="points")


class AnalysisAction(Base):
    """An action or recommendation following from an analysis, with its owner and status."""

    __tablename__ = "analysis_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("regional_analyses.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN.value)
    position: Mapped[int] = mapped_column(default=0)

    analysis: Mapped[RegionalAnalysis] = relationship(back_populates="actions")

    @property
    def status_label(self) -> str:
        try:
            return ActionStatus(self.status).label
        except ValueError:
            return ActionStatus.OPEN.label


class DirectoryEntry(Base):
    """A member's opt-in listing in the member directory (ledenlijst), signed-in members only.

    Nobody is listed without ``is_listed``; organisation, sector and region come from the
    member's profile; ``expertise`` holds short tags ("spijbelen", "NAFT", "+12"). The
    directory never shows an e-mail address: contact goes through the platform's mail.
    """

    __tablename__ = "directory_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True
    )
    is_listed: Mapped[bool] = mapped_column(default=False)
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    about: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
