"""Models of the events package: activities and their programme."""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    event,
    false,
    func,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship
from sqlalchemy.orm.attributes import get_history

from community.accounts.models import Network, Organisation, Region, Theme, User
from community.core.db import Base, utcnow
from community.library.models import Material


class EventType(enum.StrEnum):
    """Kinds of activity (DESIGN.md, "Domain words")."""

    NETWORK_MEETING = "network_meeting"
    INSPIRATION_DAY = "inspiration_day"
    TRAINING = "training"
    STUDY_DAY = "study_day"
    DIALOGUE = "dialogue"
    INFO_SESSION = "info_session"
    CASE_CONSULTATION = "case_consultation"

    @property
    def label(self) -> str:
        return str(EVENT_TYPE_LABELS[self][0])

    @property
    def plural(self) -> str:
        return str(EVENT_TYPE_LABELS[self][1])


EVENT_TYPE_LABELS = {
    EventType.NETWORK_MEETING: (_l("netwerkmoment"), _l("netwerkmomenten")),
    EventType.INSPIRATION_DAY: (_l("inspiratiedag"), _l("inspiratiedagen")),
    EventType.TRAINING: (_l("vorming"), _l("vormingen")),
    EventType.STUDY_DAY: (_l("studiedag"), _l("studiedagen")),
    EventType.DIALOGUE: (_l("online dialoogmoment"), _l("online dialoogmomenten")),
    EventType.INFO_SESSION: (_l("infosessie"), _l("infosessies")),
    EventType.CASE_CONSULTATION: (_l("casusoverleg"), _l("casusoverleggen")),
}


class Visibility(enum.StrEnum):
    """Who may see an activity."""

    PUBLIC = "public"
    MEMBERS = "members"
    INVITE_ONLY = "invite_only"
    # A meeting of the coordinators' project group: its members only (issue 18).
    PROJECT_GROUP = "project_group"


class EventStatus(enum.StrEnum):
    """Life cycle of an activity."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class ProgrammeItemKind(enum.StrEnum):
    """Kinds of programme item."""

    TALK = "talk"
    WORKSHOP = "workshop"
    PANEL = "panel"
    BREAK = "break"

    @property
    def label(self) -> str:
        return str(PROGRAMME_KIND_LABELS[self])


PROGRAMME_KIND_LABELS = {
    ProgrammeItemKind.TALK: _l("lezing"),
    ProgrammeItemKind.WORKSHOP: _l("workshop"),
    ProgrammeItemKind.PANEL: _l("sofagesprek"),
    ProgrammeItemKind.BREAK: _l("pauze"),
}

event_themes = Table(
    "event_themes",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)

event_organisations = Table(
    "event_organisations",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Event(Base):
    """One dated activity (activiteit) of a learning network.

    ``starts_at``/``ends_at`` are aware UTC datetimes; an all-day activity
    (``is_all_day``) starts at local midnight of its first day and ends at
    local midnight after its last day (Europe/Brussels). ``revision`` grows when
    time, place or status change; calendar output uses it as SEQUENCE.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    type: Mapped[EventType] = mapped_column(String(30))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)  # agenda order
    ends_at: Mapped[dt.datetime] = mapped_column(index=True)  # upcoming or past
    is_all_day: Mapped[bool] = mapped_column(default=False)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    is_online: Mapped[bool] = mapped_column(default=False)
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[dt.datetime | None]
    registration_closes_at: Mapped[dt.datetime | None]
    visibility: Mapped[Visibility] = mapped_column(String(20), default=Visibility.PUBLIC)
    status: Mapped[EventStatus] = mapped_column(String(20), default=EventStatus.DRAFT)
    revision: Mapped[int] = mapped_column(default=0)
    is_registration_closed: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[dt.datetime | None]
    cancellation_message: Mapped[str] = mapped_column(Text, default="")
    # Bumped by every registration change; the UPDATE that bumps it takes the row's
    # write lock (PostgreSQL) or the database's (SQLite) before seats are counted.
    seats_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()
    network: Mapped[Network | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=event_themes, order_by=Theme.number)
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=event_organisations, order_by=Organisation.name
    )
    questions: Mapped[list[EventQuestion]] = relationship(
        back_populates="event", order_by="EventQuestion.position", cascade="all, delete-orphan"
    )
    registrations: WriteOnlyMapped[Registration] = relationship(
        viewonly=True, order_by="(Registration.created_at, Registration.id)"
    )
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="event",
        order_by="(ProgrammeItem.starts_at, ProgrammeItem.position)",
        cascade="all, delete-orphan",
    )

    @property
    def type_label(self) -> str:
        return EventType(self.type).label

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class ProgrammeItem(Base):
    """A timed part of an activity: talk, workshop, panel (sofagesprek) or break."""

    __tablename__ = "programme_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ProgrammeItemKind] = mapped_column(String(20), default=ProgrammeItemKind.TALK)
    speakers: Mapped[str] = mapped_column(Text, default="")
    room: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="programme")
    materials: Mapped[list[Material]] = relationship(
        secondary="event_materials",
        primaryjoin="ProgrammeItem.id == EventMaterial.programme_item_id",
        secondaryjoin="EventMaterial.material_id == Material.id",
        viewonly=True,
        order_by=Material.title,
    )

    @property
    def kind_label(self) -> str:
        return ProgrammeItemKind(self.kind).label


class EventMaterial(Base):
    """Links a material to the activity, and optionally the programme item, it belongs to."""

    __tablename__ = "event_materials"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True
    )
    programme_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_items.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    material: Mapped[Material] = relationship()


class RegistrationState(enum.StrEnum):
    """State of a registration (DESIGN.md: confirmed, waitlisted, cancelled).

    ``pending``: a guest's place, held for 48 hours until the guest confirms
    by the link in the mail (issue 3, "Registration"); it counts against the
    capacity while it is held.
    """

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(Base):
    """A person's place at an activity (inschrijving), of a signed-in user or of a guest.

    Arrival order is ``(created_at, id)``; the waiting list is served in that
    order. ``name``, ``email``, ``organisation_name``, ``sector`` and
    ``job_title`` are copied at registration (prefilled from the profile for
    users), so the attendee list stays right when a profile changes.
    One registration per e-mail per activity (case-insensitive); registering
    again after cancelling reuses the row.
    """

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(30), default="")
    job_title: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[RegistrationState] = mapped_column(String(20), active_history=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    is_listed: Mapped[bool] = mapped_column(default=False)
    # Language of the mails to this person ("nl", "en"): the user's locale, or the
    # language of the guest's request.
    language: Mapped[str] = mapped_column(String(5), default="nl")
    attended: Mapped[bool | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    pending_until: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    reminder_sent_at: Mapped[dt.datetime | None]
    # Check-in on the day (issue 17): when the organiser marked the person present.
    checked_in_at: Mapped[dt.datetime | None]
    # A walk-in: registered at the door by the organiser on the day (issue 17).
    is_walk_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    # How often ``state`` changed, counting the first state as one; only grows (kept up
    # by the flush hooks below). The person's feed SEQUENCE is built from it.
    state_changes: Mapped[int] = mapped_column(default=1, server_default="1")

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    organisation: Mapped[Organisation | None] = relationship()
    workshop_choices: Mapped[list[WorkshopChoice]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    @classmethod
    def has_mail_address(cls) -> ColumnElement[bool]:
        """SQL: the registration has a real e-mail address, not the stand-in of a walk-in
        who gave none (``events.organising.checkin``: no "@", never mailed). Every query
        that picks registrations to mail (changes, reminders, follow-up, group mail) uses
        it."""
        return cls.email.contains("@")


@event.listens_for(Registration, "before_update")
def _count_state_change(mapper, connection, registration: Registration) -> None:
    """Raise ``state_changes`` when this flush writes another ``state`` than the row had.

    A hook rather than a line in each domain function, so that no way of changing a
    state (registering, promoting, confirming, cancelling, an expired hold, an
    organiser's action) can forget it. Every change runs under the activity's lock
    (``events.registration.lock_event``), so counting in Python loses no update.
    """
    history = get_history(registration, "state")  # old value loaded: active_history
    if history.added and list(history.added) != list(history.deleted):
        registration.state_changes = (registration.state_changes or 0) + 1


Index(
    "uq_registrations_event_email",
    Registration.event_id,
    func.lower(Registration.email),
    unique=True,
)


class WorkshopChoice(Base):
    """A registration's place in one capped parallel workshop (a programme item)."""

    __tablename__ = "workshop_choices"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    programme_item_id: Mapped[int] = mapped_column(
        ForeignKey("programme_items.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[RegistrationState] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="workshop_choices")
    programme_item: Mapped[ProgrammeItem] = relationship()


class QuestionKind(enum.StrEnum):
    """Kinds of registration question a coordinator can add."""

    TEXT = "text"
    CHOICE = "choice"
    CHOICES = "choices"
    YES_NO = "yes_no"


class EventQuestion(Base):
    """A question on an activity's registration form (dietary needs, accessibility...)."""

    __tablename__ = "event_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[QuestionKind] = mapped_column(String(20), default=QuestionKind.TEXT)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="questions")


class InvitationStatus(enum.StrEnum):
    """Where an invitation stands (issue 17, "Invitations with RSVP")."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(INVITATION_STATUS_LABELS[self])


INVITATION_STATUS_LABELS = {
    InvitationStatus.INVITED: _l("nog geen antwoord"),
    InvitationStatus.ACCEPTED: _l("aanvaard"),
    InvitationStatus.DECLINED: _l("afgeslagen"),
    InvitationStatus.WITHDRAWN: _l("ingetrokken"),
}


class Invitation(Base):
    """An invitation (uitnodiging) to an activity, with an RSVP, to one e-mail address.

    For ``invite_only`` activities (a ROTS case consultation, a project-group meeting)
    the invitation is the permission to register; for open ones it is a personal
    "we'd love you there". ``user_id``: the invited member (or the account of the
    address); ``organisation_id``: the organisation through which they were invited.
    ``sent_at`` is None for an address only listed on the activity form (no mail yet).
    ``created_at`` is the moment of the (last) invitation: the links in its mail name
    it, so withdrawing and inviting again makes old links stop working.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    status: Mapped[InvitationStatus] = mapped_column(
        String(20), default=InvitationStatus.INVITED, server_default="invited"
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    language: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    responded_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    registration: Mapped[Registration | None] = relationship()

    @property
    def status_label(self) -> str:
        return InvitationStatus(self.status).label


Index(
    "uq_invitations_event_email",
    Invitation.event_id,
    func.lower(Invitation.email),
    unique=True,
)


# --- follow-up after an activity: evaluations and attendance certificates (issue 17) -----


class EvaluationForm(Base):
    """An activity's evaluation form (evaluatie): its questions, edited by the organiser.

    Without a row an activity uses the template of its type
    (``events.followup.evaluation.template_questions``); the row is written when the
    organiser saves the form or the first answer comes in, and from then on the
    questions stay as they were answered. ``questions`` is a list of
    ``{"key": str, "kind": "score" | "text", "label": str}``.
    """

    __tablename__ = "evaluation_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


class EvaluationRequest(Base):
    """One present participant's part in an activity's evaluation: mailed, reminded, answered.

    Only this row knows a person took part; it says *whether* the person answered
    (so nobody answers twice), never *what*: the answers are an :class:`Evaluation`
    without any link to a person or a time (issue 17, "Evaluation").
    """

    __tablename__ = "evaluation_requests"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    mailed_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    has_answered: Mapped[bool] = mapped_column(default=False)

    registration: Mapped[Registration] = relationship()


class Evaluation(Base):
    """A participant's anonymous answers on an activity's evaluation form (evaluatie).

    No person, no registration and no time: the key is random (not a sequence, whose
    order could be matched with who answered when). ``answers`` maps a question's key
    to a score 1-5 (int) or a text (str); unanswered questions are left out.
    """

    __tablename__ = "evaluations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)


class Certificate(Base):
    """An attendance certificate (attest) of a participant marked present, with its code.

    What the certificate shows is copied when it is issued (name, activity, dates,
    minutes, organiser), so the PDF and the public verification page always show the
    same. ``code`` is random (``events.followup.certificates.new_code``), not derived
    from the person. A certificate is valid while its registration is marked present.
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    event_title: Mapped[str] = mapped_column(String(300))
    event_type: Mapped[str] = mapped_column(String(30))
    event_starts_at: Mapped[dt.datetime]
    event_ends_at: Mapped[dt.datetime]
    is_all_day: Mapped[bool] = mapped_column(default=False)
    minutes: Mapped[int | None]
    venue: Mapped[str] = mapped_column(String(300), default="")
    organiser: Mapped[str] = mapped_column(String(300), default="")
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()
    event: Mapped[Event] = relationship()


class AgendaSubscription(Base):
    """An opt-in to the weekly "nieuw in de agenda" mail, for a confirmed e-mail address.

    ``region_slugs``, ``theme_numbers`` and ``types`` are the chosen filters (an empty
    list: all). A row exists only once the address is confirmed (a member's verified
    address, or the link in a confirmation mail). ``last_sent_at`` (aware UTC) is the
    last weekly mail; :class:`AgendaMailItem` rows say which activities it already named.
    """

    __tablename__ = "agenda_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    region_slugs: Mapped[list] = mapped_column(JSON, default=list)
    theme_numbers: Mapped[list] = mapped_column(JSON, default=list)
    types: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[dt.datetime | None]

    user: Mapped[User | None] = relationship()


Index(
    "uq_agenda_subscriptions_email",
    func.lower(AgendaSubscription.email),
    unique=True,
)


class AgendaMailItem(Base):
    """An activity an agenda subscription already knows of (named in a mail, or there
    when it subscribed), so a weekly mail names each activity once."""

    __tablename__ = "agenda_mail_items"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
