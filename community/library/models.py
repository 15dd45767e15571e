"""Models of the library: materials (files and links, with versions and tags) and good practices."""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import SECTOR_VALUES, Organisation, Region, Sector, Theme, User
from community.core.db import Base, keep_folded_copy, utcnow


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
    # Shared with the project group only (issue 18): then never public, whatever is_public says.
    is_project_group: Mapped[bool] = mapped_column(default=False, server_default="0")
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
    # ``fold`` of title, description and file text, kept on every write: the search
    # matches folded words against it (``keep_folded_copy``).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

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
    # ``fold`` of title, summary and approach, kept on every write, for the search.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

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


keep_folded_copy(Material, "search_text", ("title", "description", "file_text"))
keep_folded_copy(Practice, "search_text", ("title", "summary", "approach"))
