"""Models of the signal function: signals, recognitions, follows, bundles, log, notes, answers.

Nothing here is ever deleted by the application (issue 16, "Rules"): a signal is
withdrawn or closed, a bundle closed. Times are aware UTC (``community.core.db``).
"""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import Region, Sector, Theme, User
from community.core.db import Base, utcnow


class State(enum.StrEnum):
    """Where a signal or a bundle stands (issue 16: new → in progress → bundled → passed on
    → answer received → closed; a signal may also be withdrawn by its reporter)."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    BUNDLED = "bundled"
    PASSED_ON = "passed_on"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    State.NEW: _l("nieuw"),
    State.IN_PROGRESS: _l("in behandeling"),
    State.BUNDLED: _l("gebundeld"),
    State.PASSED_ON: _l("doorgegeven"),
    State.ANSWERED: _l("antwoord ontvangen"),
    State.CLOSED: _l("afgesloten"),
    State.WITHDRAWN: _l("ingetrokken"),
}

#: The states a bundle moves through, in order (a bundle is never "withdrawn").
BUNDLE_STATES = (
    State.NEW,
    State.IN_PROGRESS,
    State.BUNDLED,
    State.PASSED_ON,
    State.ANSWERED,
    State.CLOSED,
)


class AgeGroup(enum.StrEnum):
    """For whom: the age group of the children or young people a signal is about."""

    TODDLERS = "kleuters"
    PRIMARY = "lager"
    EARLY_TEENS = "12-15"
    TEENS = "15-18"
    YOUNG_ADULTS = "18-25"

    @property
    def label(self) -> str:
        return str(AGE_LABELS[self])


AGE_LABELS = {
    AgeGroup.TODDLERS: _l("kleuters (2,5–6 jaar)"),
    AgeGroup.PRIMARY: _l("lagere school (6–12 jaar)"),
    AgeGroup.EARLY_TEENS: _l("12–15 jaar"),
    AgeGroup.TEENS: _l("15–18 jaar"),
    AgeGroup.YOUNG_ADULTS: _l("jongvolwassenen (18–25 jaar)"),
}


class Frequency(enum.StrEnum):
    """How often the reporter meets the problem."""

    ONCE = "eenmalig"
    SOMETIMES = "soms"
    MONTHLY = "maandelijks"
    WEEKLY = "wekelijks"

    @property
    def label(self) -> str:
        return str(FREQUENCY_LABELS[self])


FREQUENCY_LABELS = {
    Frequency.ONCE: _l("één keer"),
    Frequency.SOMETIMES: _l("enkele keren per jaar"),
    Frequency.MONTHLY: _l("elke maand"),
    Frequency.WEEKLY: _l("elke week of vaker"),
}


class Level(enum.StrEnum):
    """The level of government a bundle is for."""

    LOCAL = "lokaal"
    PROVINCIAL = "provinciaal"
    FLEMISH = "vlaams"
    FEDERAL = "federaal"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


LEVEL_LABELS = {
    Level.LOCAL: _l("lokaal"),
    Level.PROVINCIAL: _l("provinciaal"),
    Level.FLEMISH: _l("Vlaams"),
    Level.FEDERAL: _l("federaal"),
}


class PolicyDomain(enum.StrEnum):
    """The policy domain a bundle belongs to."""

    EDUCATION = "onderwijs"
    YOUTH_CARE = "jeugdhulp"
    WELFARE = "welzijn"
    HEALTH = "gezondheid"
    WORK = "werk"
    JUSTICE = "justitie"

    @property
    def label(self) -> str:
        return str(DOMAIN_LABELS[self])


DOMAIN_LABELS = {
    PolicyDomain.EDUCATION: _l("onderwijs"),
    PolicyDomain.YOUTH_CARE: _l("jeugdhulp"),
    PolicyDomain.WELFARE: _l("welzijn en armoede"),
    PolicyDomain.HEALTH: _l("gezondheid en GGZ"),
    PolicyDomain.WORK: _l("werk"),
    PolicyDomain.JUSTICE: _l("justitie"),
}


def label_of(kind: type[enum.StrEnum], value: str | None) -> str:
    """The label of ``value`` as a member of ``kind`` (columns hold the plain value); "" for
    None."""
    return kind(value).label if value else ""  # type: ignore[attr-defined]


signal_themes = Table(
    "signal_themes",
    Base.metadata,
    Column("signal_id", ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

policy_note_bundles = Table(
    "policy_note_bundles",
    Base.metadata,
    Column("note_id", ForeignKey("policy_notes.id", ondelete="CASCADE"), primary_key=True),
    Column("bundle_id", ForeignKey("signal_bundles.id", ondelete="CASCADE"), primary_key=True),
)

answer_bundles = Table(
    "signal_answer_bundles",
    Base.metadata,
    Column("answer_id", ForeignKey("signal_answers.id", ondelete="CASCADE"), primary_key=True),
    Column("bundle_id", ForeignKey("signal_bundles.id", ondelete="CASCADE"), primary_key=True),
)


class SignalBundle(Base):
    """A bundle (bundel): signals a coordinator merged, categorised and passes on.

    ``region_id`` is the region of the coordinator who made it (None: network-wide); the
    regions of its signals may be several (the same signal raised in several regions is
    one bundle). ``summary`` and ``is_published`` make the public page.
    """

    __tablename__ = "signal_bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[State] = mapped_column(String(20), default=State.BUNDLED)
    policy_domain: Mapped[PolicyDomain | None] = mapped_column(String(20))
    level: Mapped[Level | None] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    passed_to: Mapped[str] = mapped_column(String(200), default="")
    passed_on_at: Mapped[dt.datetime | None]
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]

    region: Mapped[Region | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    signals: Mapped[list[Signal]] = relationship(back_populates="bundle", order_by="Signal.id")
    answers: Mapped[list[Answer]] = relationship(
        secondary=answer_bundles, back_populates="bundles", order_by="Answer.received_on"
    )
    notes: Mapped[list[PolicyNote]] = relationship(
        secondary=policy_note_bundles, back_populates="bundles", order_by="PolicyNote.id"
    )

    @property
    def state_label(self) -> str:
        return label_of(State, self.state)

    @property
    def domain_label(self) -> str:
        return label_of(PolicyDomain, self.policy_domain)

    @property
    def level_label(self) -> str:
        return label_of(Level, self.level)

    @property
    def regions(self) -> list[Region]:
        """The distinct regions of the bundle's signals, in their order."""
        seen: dict[int, Region] = {}
        for signal in self.signals:
            seen.setdefault(signal.region_id, signal.region)
        return sorted(seen.values(), key=lambda r: r.position)


class Signal(Base):
    """A signal (signaal): what keeps getting stuck, reported by a member for the networks.

    Members-only; the reporter's name shows to members only when ``is_name_shared``.
    ``sectors`` is a comma-bounded list of :class:`Sector` values (",onderwijs,welzijn,"),
    so a filter is one LIKE on either database.
    """

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    age_group: Mapped[AgeGroup | None] = mapped_column(String(20))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(100), default="")
    sectors: Mapped[str] = mapped_column(String(200), default="")
    services: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[Frequency | None] = mapped_column(String(20))
    tried: Mapped[str] = mapped_column(Text, default="")
    would_help: Mapped[str] = mapped_column(Text, default="")
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_name_shared: Mapped[bool] = mapped_column(default=False)
    state: Mapped[State] = mapped_column(String(20), default=State.NEW, index=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("signal_bundles.id"), index=True)
    recognition_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime | None]

    region: Mapped[Region] = relationship()
    reporter: Mapped[User] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=signal_themes, order_by=Theme.number)
    bundle: Mapped[SignalBundle | None] = relationship(back_populates="signals")
    recognitions: Mapped[list[Recognition]] = relationship(
        back_populates="signal", order_by="Recognition.id"
    )
    links: Mapped[list[SignalLink]] = relationship(order_by="SignalLink.id")

    @property
    def state_label(self) -> str:
        return label_of(State, self.state)

    @property
    def age_label(self) -> str:
        return label_of(AgeGroup, self.age_group)

    @property
    def frequency_label(self) -> str:
        return label_of(Frequency, self.frequency)

    @property
    def sector_list(self) -> list[Sector]:
        return [Sector(value) for value in self.sectors.split(",") if value]

    @property
    def is_open(self) -> bool:
        """True while the signal may still change (not closed nor withdrawn)."""
        return self.state not in (State.CLOSED, State.WITHDRAWN)


class Recognition(Base):
    """ "Ik herken dit": one per member per signal, with a line from their region or sector."""

    __tablename__ = "signal_recognitions"
    __table_args__ = (UniqueConstraint("signal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    context: Mapped[str] = mapped_column(String(300), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    sector: Mapped[Sector | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    signal: Mapped[Signal] = relationship(back_populates="recognitions")
    user: Mapped[User] = relationship()
    region: Mapped[Region | None] = relationship()


class SignalFollow(Base):
    """A member follows a signal: mail when its state changes or an answer arrives."""

    __tablename__ = "signal_follows"
    __table_args__ = (UniqueConstraint("signal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    signal: Mapped[Signal] = relationship()
    user: Mapped[User] = relationship()


class LogEntry(Base):
    """One dated step in the life of a signal or a bundle: who, when, what (followers see it).

    ``action`` is a code (:data:`signals.workflow.ACTION_LABELS`), ``note`` the coordinator's
    words for the followers; ``state`` the state reached, if the step changed it.
    """

    __tablename__ = "signal_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"), index=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("signal_bundles.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    state: Mapped[State | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()

    @property
    def state_label(self) -> str:
        return label_of(State, self.state)


class LinkKind(enum.StrEnum):
    """What a signal may be linked to."""

    THREAD = "gesprek"
    EVENT = "activiteit"
    PRACTICE = "praktijkvoorbeeld"
    GAP = "leemte"  # a point of a regional analysis (issue 16: "a gap in the regional analysis")


class SignalLink(Base):
    """A link from a signal to a forum thread, an activity, a practice or a point (a gap) of a
    regional analysis (``regionmap``): one target each."""

    __tablename__ = "signal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(String(20))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    analysis_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("analysis_points.id", ondelete="CASCADE"), index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PolicyNote(Base):
    """A policy note (beleidsnota) made from one or more bundles, kept with them.

    ``quotes`` is a list of ``{"text", "region", "sector"}``: anonymised quotes chosen by
    the coordinator, checked by the personal-data guard.
    """

    __tablename__ = "policy_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    quotes: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime | None]

    created_by: Mapped[User | None] = relationship()
    bundles: Mapped[list[SignalBundle]] = relationship(
        secondary=policy_note_bundles, back_populates="notes", order_by="SignalBundle.id"
    )


class Answer(Base):
    """The answer (antwoord) of a government or service to one or more bundles."""

    __tablename__ = "signal_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    answered_by: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[dt.date]
    body: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()
    bundles: Mapped[list[SignalBundle]] = relationship(
        secondary=answer_bundles, back_populates="answers"
    )
