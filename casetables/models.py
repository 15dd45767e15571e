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


class Outcome(enum.StrEnum):
    """How a case was closed (issue 19, "Outcome")."""

    OFFER_FOUND = "offer_found"
    CUSTOM = "custom"
    NO_FIT = "no_fit"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.OFFER_FOUND: _l("aanbod gevonden"),
    Outcome.CUSTOM: _l("maatwerk afgesproken"),
    Outcome.NO_FIT: _l("geen passend aanbod"),
}


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
    # Intake (issue 19): accepted, or redirected to an offer of the regional map.
    accepted_at: Mapped[dt.datetime | None]
    redirect_offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL")
    )
    # The table: an invite-only activity; who accepted its invitation takes part.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    table_at: Mapped[dt.datetime | None]  # copied from the activity: time to a table stays
    # Outcome: anonymous (kept after erasure) except ``outcome_note`` (erased).
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL")
    )
    outcome_offer_kind: Mapped[str | None] = mapped_column(String(30))  # an OfferKind value
    outcome_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id", ondelete="SET NULL"))
    # Follow-up: a check-in date (Europe/Brussels calendar day) and one line back.
    follow_up_on: Mapped[dt.date | None]
    follow_up_sent_at: Mapped[dt.datetime | None]  # the check-in mail went out (once)
    follow_up_report: Mapped[str] = mapped_column(String(300), default="", server_default="")
    follow_up_reported_at: Mapped[dt.datetime | None]

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


class CaseMessage(Base):
    """A question for clarification from a coordinator, or the requester's answer
    (issue 19, "Intake"). Shown inside Bruggen only; the mail says "you have an update on
    case C-…". ``body`` passed the strict guard and is erased with the case's texts."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_requests.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class CaseNote(Base):
    """Meeting notes of a table for one partner (issue 19, "Meeting notes"): what was
    said from ``organisation_id``'s side (or the participant ``partner_id``'s). Visible to
    the table's participants, the requester and the region's coordinators; ``body`` passed
    the strict guard and is erased with the case's texts."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_requests.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime | None]

    partner: Mapped[User | None] = relationship(foreign_keys=[partner_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class CaseAgreement(Base):
    """An agreement of a table: who (``partner_id``) does what by when (``due_on``, a
    Europe/Brussels calendar day). The partner confirms it (``confirmed_at``). ``what``
    passed the strict guard and is erased with the case's texts."""

    __tablename__ = "case_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case_requests.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]

    partner: Mapped[User | None] = relationship(foreign_keys=[partner_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
