"""Models of the case tables (issue 19): a case request (casusaanvraag) and its read log.

A ``CaseRequest`` is about one young person, pseudonymised: no name, initials, date of
birth, school or address (the strict guard, :mod:`casetables.guard`). Its ``code``
("C-7KQ2-M9") is random, derived from nothing about the person. ``CaseRead`` logs every
read of a case's content (who, when). Times are aware UTC (``community.core.db``).
"""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import Region, User
from community.core.db import Base, utcnow


class SchoolLevel(enum.StrEnum):
    """The school level of the young person (Flemish education structure)."""

    NURSERY = "kleuter"
    PRIMARY = "lager"
    SECONDARY_FIRST = "secundair_1"
    SECONDARY_UPPER = "secundair_2_3"
    SPECIAL = "buitengewoon"
    PART_TIME = "deeltijds"
    NONE = "geen"

    @property
    def label(self) -> str:
        return str(SCHOOL_LEVEL_LABELS[self])


SCHOOL_LEVEL_LABELS = {
    SchoolLevel.NURSERY: _l("kleuteronderwijs"),
    SchoolLevel.PRIMARY: _l("lager onderwijs"),
    SchoolLevel.SECONDARY_FIRST: _l("secundair onderwijs, eerste graad"),
    SchoolLevel.SECONDARY_UPPER: _l("secundair onderwijs, tweede of derde graad"),
    SchoolLevel.SPECIAL: _l("buitengewoon onderwijs"),
    SchoolLevel.PART_TIME: _l("deeltijds leren en werken"),
    SchoolLevel.NONE: _l("niet ingeschreven"),
}


class Urgency(enum.StrEnum):
    """How soon the requester needs the table."""

    NORMAL = "normaal"
    SOON = "snel"
    URGENT = "dringend"

    @property
    def label(self) -> str:
        return str(URGENCY_LABELS[self])


URGENCY_LABELS = {
    Urgency.NORMAL: _l("binnen de maand"),
    Urgency.SOON: _l("binnen twee weken"),
    Urgency.URGENT: _l("binnen de week"),
}


class CaseState(enum.StrEnum):
    """Where a case request stands (issue 19: requested → table planned → closed)."""

    REQUESTED = "requested"
    CLARIFICATION = "clarification"
    ACCEPTED = "accepted"
    REDIRECTED = "redirected"
    PLANNED = "planned"
    CLOSED = "closed"


class CaseRequest(Base):
    """A case request (casusaanvraag) to a region's case table (casustafel, ROTS).

    ``age_group`` is a :class:`signals.models.AgeGroup` value, ``school_level`` a
    :class:`SchoolLevel`, ``tried_services`` the kinds of services that tried (an
    :class:`community.accounts.models.OrganisationType` value each, never names), ``urgency``
    an :class:`Urgency`. The free texts (``stuck``, ``tried``, ``question``) passed the
    strict guard and are erased a set time after closing (``erased_at``); the requester
    is set to NULL when the member deletes the account.
    """

    __tablename__ = "case_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    age_group: Mapped[str] = mapped_column(String(20))
    school_level: Mapped[str] = mapped_column(String(20))
    tried_services: Mapped[str] = mapped_column(String(300), default="")
    stuck: Mapped[str] = mapped_column(Text, default="")
    tried: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(20), default=Urgency.NORMAL.value)
    state: Mapped[str] = mapped_column(String(20), default=CaseState.REQUESTED.value)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]
    erased_at: Mapped[dt.datetime | None]

    requester: Mapped[User | None] = relationship()
    region: Mapped[Region] = relationship()


class CaseRead(Base):
    """One read of a case's content: who (NULL once the reader deleted the account), when."""

    __tablename__ = "case_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_requests.id", ondelete="CASCADE"), index=True
    )
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    reader: Mapped[User | None] = relationship()
