"""Registration for activities: places, waiting list, guests, workshops, questions (issue 3).

Rules (issue 3, "Registration"):

- A signed-in user's registration is ``confirmed`` at once, or ``waitlisted``
  when the activity is full. A guest's is ``pending``: the place is held for
  48 hours (it counts against the capacity) until the guest confirms by the
  link in the mail. A guest on a full activity is ``waitlisted`` and must
  confirm too. ``pending_until`` is set while a guest has not confirmed the
  e-mail address; past it the registration is cancelled and its place freed.
- A colleague (``registered_by``) may register others of the same organisation;
  those are confirmed or waitlisted at once, each gets their own mails.
- The waiting list is served in arrival order, ``(created_at, id)``.
- No overbooking, ever: every function that gives or frees places first takes
  the activity's lock (:func:`lock_event`) and then counts and writes in the same
  transaction, so two requests never both see the last free place.

Every function only adds and flushes; the caller commits (and so releases the
lock). Mails are not sent here: callers use :mod:`events.notifications`
(``notify_registered``, ``notify_promoted``) on what these functions return.

The package: errors (each with its message and status), availability (open? places
taken and left), seats (the lock, waiting list, promotion, cancellation), register
(registering with answers and workshops), links (the signed links in mails),
forms (the registration form; not re-exported here), ownership (which registrations and
invitations are an account's: by its id, or by its address once verified). What the views and other
packages use is imported here; modules inside import each other directly.
"""

from __future__ import annotations

from events.registration.availability import (
    HOLDING,
    PENDING_HOLD,
    Availability,
    availability,
    closed_reason,
    free_places_filter,
    registration_open,
    seats_left,
    seats_taken,
    seats_taken_by_event,
    waitlist_count,
    workshop_seats_taken,
)
from events.registration.errors import (
    CLOSED_MESSAGES,
    AlreadyRegistered,
    CancellationClosed,
    ClosedReason,
    ConfirmationExpired,
    EventFull,
    InvalidAnswers,
    LinkExpired,
    LinkInvalid,
    NotInvited,
    NotSameOrganisation,
    NotWaitlisted,
    RegistrationClosed,
    RegistrationError,
)
from events.registration.links import (
    CANCEL_PURPOSE,
    CONFIRM_PURPOSE,
    LINK_MAX_AGE,
    cancel_token,
    confirm_guest,
    confirm_registration,
    confirmation_token,
    registration_from_token,
)
from events.registration.ownership import (
    invitations_of,
    is_registration_of,
    registrations_of,
    verified_account_of,
)
from events.registration.register import (
    MAX_TEXT_ANSWER,
    NO,
    YES,
    GuestDetails,
    register,
    register_group,
    validate_answers,
    workshops_of,
)
from events.registration.seats import (
    cancel,
    fill_free_seats,
    lock_event,
    promote,
    release_expired_places,
)

__all__ = [
    "RegistrationError",
    "ClosedReason",
    "CLOSED_MESSAGES",
    "RegistrationClosed",
    "AlreadyRegistered",
    "NotInvited",
    "NotSameOrganisation",
    "InvalidAnswers",
    "EventFull",
    "NotWaitlisted",
    "CancellationClosed",
    "ConfirmationExpired",
    "LinkInvalid",
    "LinkExpired",
    "PENDING_HOLD",
    "HOLDING",
    "closed_reason",
    "registration_open",
    "seats_taken",
    "seats_taken_by_event",
    "seats_left",
    "waitlist_count",
    "workshop_seats_taken",
    "Availability",
    "availability",
    "free_places_filter",
    "lock_event",
    "cancel",
    "promote",
    "fill_free_seats",
    "release_expired_places",
    "MAX_TEXT_ANSWER",
    "GuestDetails",
    "YES",
    "NO",
    "validate_answers",
    "workshops_of",
    "register",
    "register_group",
    "CONFIRM_PURPOSE",
    "CANCEL_PURPOSE",
    "LINK_MAX_AGE",
    "confirmation_token",
    "cancel_token",
    "registration_from_token",
    "confirm_guest",
    "confirm_registration",
    "registrations_of",
    "is_registration_of",
    "invitations_of",
    "verified_account_of",
]
