"""Organiser tools: create, edit, publish, copy, cancel and delete activities; programme, questions.

Functions here never touch ``request``, ``session`` or ``flash``; they add and
flush (the view commits once) and raise :class:`OrganiserError` subclasses,
whose ``message`` the view shows. Times are aware UTC datetimes; the local
time organisers type is Europe/Brussels (DESIGN.md, "Who uses it").
Rules come from issue 3, "Organiser tools" and "Bad input".

The package: errors, times (Brussels local time), events (the life cycle),
programme (items and questions), attendees (the list, attendance, messages),
export (CSV and XLSX of the attendees) and forms (the organiser forms; neither
re-exported here).
"""

from __future__ import annotations

from events.organising.attendees import (
    AttendeeFilters,
    attendees,
    counts_by,
    mail_participants,
    mark_attendance,
    organisation_names,
)
from events.organising.errors import (
    SLUG_MAX,
    SLUG_PATTERN,
    CapacityBelowTaken,
    InvalidPeriod,
    InvalidRegistrationPeriod,
    NonexistentLocalTime,
    OrganiserError,
    ProgrammeItemError,
    QuestionError,
    SlugInvalid,
    SlugLocked,
    SlugTaken,
    VenueMissing,
    WrongStatus,
)
from events.organising.events import (
    PLACE_FIELDS,
    TIME_FIELDS,
    EventDetails,
    EventUpdate,
    cancel_event,
    close_registration,
    copy_event,
    create_event,
    delete_event,
    publish_event,
    reopen_registration,
    slugify,
    unique_slug,
    update_event,
)
from events.organising.programme import (
    ProgrammeItemDetails,
    QuestionDetails,
    delete_programme_item,
    delete_question,
    save_programme_item,
    save_question,
)
from events.organising.times import BRUSSELS, brussels_to_utc, to_brussels

__all__ = [
    "SLUG_MAX",
    "SLUG_PATTERN",
    "OrganiserError",
    "NonexistentLocalTime",
    "InvalidPeriod",
    "InvalidRegistrationPeriod",
    "VenueMissing",
    "CapacityBelowTaken",
    "SlugInvalid",
    "SlugTaken",
    "SlugLocked",
    "WrongStatus",
    "ProgrammeItemError",
    "QuestionError",
    "BRUSSELS",
    "brussels_to_utc",
    "to_brussels",
    "slugify",
    "unique_slug",
    "EventDetails",
    "TIME_FIELDS",
    "PLACE_FIELDS",
    "create_event",
    "EventUpdate",
    "update_event",
    "publish_event",
    "cancel_event",
    "delete_event",
    "copy_event",
    "close_registration",
    "reopen_registration",
    "ProgrammeItemDetails",
    "save_programme_item",
    "delete_programme_item",
    "QuestionDetails",
    "save_question",
    "delete_question",
    "AttendeeFilters",
    "attendees",
    "organisation_names",
    "counts_by",
    "mark_attendance",
    "mail_participants",
]
