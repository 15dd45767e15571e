"""Organiser errors: each names the form field at fault and carries its Dutch message.

Declarative (``community.core.errors.DomainError``): ``text`` with ``%(name)s``
placeholders, ``field``; the views show ``error.message``. Rules: issue 3, "Bad input".
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l

from community.core.errors import DomainError

SLUG_MAX = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class OrganiserError(DomainError):
    """Base of the organiser errors; ``field`` names the input at fault (or None)."""


class NonexistentLocalTime(OrganiserError):
    """A local date and time that does not exist in Europe/Brussels.

    On the last Sunday of March the clocks jump from 02:00 to 03:00, so e.g.
    28 March 2027 02:30 never happens there (EU Directive 2000/84/EC, art. 2).
    """

    text = _l(
        "%(date)s om %(time)s bestaat niet in Brussel: die nacht springt de klok "
        "van 02:00 naar 03:00 (zomeruur). Kies een ander uur."
    )

    def __init__(self, value: dt.datetime, field: str | None = None) -> None:
        super().__init__(date=value.strftime("%d-%m-%Y"), time=value.strftime("%H:%M"))
        self.value = value
        self.field = field


class InvalidPeriod(OrganiserError):
    """The end of an activity (or programme item) is not after its start."""

    field = "ends_at"
    text = _l("Het einde moet na het begin liggen.")


class InvalidRegistrationPeriod(OrganiserError):
    """Registration closes before it opens."""

    field = "registration_closes_at"
    text = _l("De inschrijvingen kunnen niet sluiten voor ze openen.")


class VenueMissing(OrganiserError):
    """An activity on location without a venue name."""

    field = "venue_name"
    text = _l("Vul de locatie in, of duid aan dat de activiteit online is.")


class CapacityBelowTaken(OrganiserError):
    """The new capacity is lower than the places already taken (confirmed or held)."""

    field = "capacity"
    text = _l(
        "Er zijn al %(taken)s plaatsen ingenomen; de capaciteit kan niet lager zijn. "
        "Annuleer eerst inschrijvingen als er minder plaatsen moeten zijn."
    )

    def __init__(self, capacity: int, taken: int) -> None:
        super().__init__(capacity=capacity, taken=taken)


class SlugInvalid(OrganiserError):
    """A chosen web address (slug) with other characters than a-z, 0-9 and hyphens."""

    field = "slug"
    text = _l(
        "Een webadres bestaat uit kleine letters, cijfers en koppeltekens "
        "(bijvoorbeeld netwerkmoment-gent-2027), hoogstens %(max)s tekens."
    )

    def __init__(self) -> None:
        super().__init__(max=SLUG_MAX)


class SlugTaken(OrganiserError):
    """Another activity already has this web address (slug)."""

    field = "slug"
    text = _l(
        "Het webadres „%(slug)s” is al in gebruik door een andere activiteit. "
        "Kies een ander of laat het veld leeg."
    )

    def __init__(self, slug: str) -> None:
        super().__init__(slug=slug)


class SlugLocked(OrganiserError):
    """The web address of a published activity stays stable (links and calendars use it)."""

    field = "slug"
    text = _l(
        "Het webadres van een gepubliceerde activiteit verandert niet meer: "
        "links en agenda's van deelnemers gebruiken het."
    )


class WrongStatus(OrganiserError):
    """The action does not fit the activity's status (HTTP 409 in the views)."""

    status = 409


class ProgrammeItemError(OrganiserError):
    """A programme item that does not fit its activity; ``field`` names the input."""

    def __init__(self, text, field: str | None = None) -> None:
        super().__init__(text)
        self.field = field


class QuestionError(ProgrammeItemError):
    """A registration question that cannot be saved as given."""
