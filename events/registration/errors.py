"""Registration errors: each carries its Dutch message and the HTTP status a view answers with."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from community.core.errors import DomainError


class RegistrationError(DomainError):
    """Base of the registration domain errors; ``message`` is Dutch (translated), ``status``
    the HTTP status a view answers with."""

    status = 409
    text = _l("Deze inschrijving kan niet.")


class ClosedReason(enum.StrEnum):
    """Why registration for an activity is closed."""

    NOT_PUBLISHED = "not_published"
    CANCELLED = "cancelled"
    CLOSED_EARLY = "closed_early"
    NOT_YET_OPEN = "not_yet_open"
    DEADLINE_PASSED = "deadline_passed"
    STARTED = "started"

    @property
    def message(self) -> str:
        return str(CLOSED_MESSAGES[self])


CLOSED_MESSAGES = {
    ClosedReason.NOT_PUBLISHED: _l("Deze activiteit is nog niet gepubliceerd."),
    ClosedReason.CANCELLED: _l("Deze activiteit is geannuleerd: inschrijven kan niet meer."),
    ClosedReason.CLOSED_EARLY: _l("De inschrijvingen voor deze activiteit zijn afgesloten."),
    ClosedReason.NOT_YET_OPEN: _l("De inschrijvingen voor deze activiteit zijn nog niet open."),
    ClosedReason.DEADLINE_PASSED: _l(
        "De uiterste inschrijvingsdatum voor deze activiteit is voorbij."
    ),
    ClosedReason.STARTED: _l(
        "Deze activiteit is al begonnen of voorbij: inschrijven kan niet meer."
    ),
}


class RegistrationClosed(RegistrationError):
    """Registration is closed; ``reason`` says why (deadline, start, cancelled...)."""

    status = 409

    def __init__(self, reason: ClosedReason) -> None:
        self.reason = reason
        super().__init__(CLOSED_MESSAGES[reason])


class AlreadyRegistered(RegistrationError):
    """This e-mail address (case-insensitive) already has a live registration for the activity."""

    status = 409
    text = _l(
        "Met dit e-mailadres is al iemand ingeschreven voor deze activiteit. "
        "Wil je je inschrijving aanpassen? Annuleer ze dan eerst via de link in je mail."
    )


class NotInvited(RegistrationError):
    """An ``invite_only`` activity and no invitation for this e-mail address."""

    status = 403
    text = _l(
        "Deze activiteit is enkel op uitnodiging. Voor dit e-mailadres is er geen uitnodiging."
    )


class NotSameOrganisation(RegistrationError):
    """A colleague tried to register others without an organisation on their own profile."""

    status = 422
    text = _l(
        "Je kunt enkel collega's van je eigen organisatie inschrijven. "
        "Vul eerst je organisatie in op je profiel."
    )


class InvalidAnswers(RegistrationError):
    """Answers to the activity's questions (or workshop choices) are missing or invalid.

    ``errors`` maps the question id (``str``) or ``"workshops"`` to a Dutch message
    (a lazy string: ``str()`` it in the recipient's locale).
    """

    status = 422
    text = _l("Sommige vragen zijn niet (goed) beantwoord.")

    def __init__(self, errors: dict) -> None:
        self.errors = errors
        super().__init__()


class EventFull(RegistrationError):
    """No free place (only raised by :func:`promote` without ``force``)."""

    status = 409
    text = _l("Er is geen vrije plaats meer voor deze activiteit.")


class NotWaitlisted(RegistrationError):
    """Only a registration on the waiting list can be promoted."""

    status = 409
    text = _l("Deze persoon staat niet op de wachtlijst.")


class CancellationClosed(RegistrationError):
    """The activity has started: a registration can no longer be cancelled."""

    status = 410
    text = _l("Deze activiteit is al begonnen of voorbij: annuleren kan niet meer.")


class ConfirmationExpired(RegistrationError):
    """A guest confirmed too late (after 48 hours); the place was released.

    ``promoted``: who moved up from the waiting list into the freed place (to mail).
    """

    status = 410
    text = _l(
        "Deze bevestigingslink is verlopen: je plaats werd na 48 uur vrijgegeven. "
        "Schrijf je opnieuw in als er nog plaats is."
    )

    def __init__(self, promoted: list | None = None) -> None:
        self.promoted = promoted or []
        super().__init__()


class LinkInvalid(RegistrationError):
    """A confirmation or cancel link that was forged, damaged or names no registration."""

    status = 404
    text = _l("Deze link is ongeldig. Kopieer de volledige link uit je mail.")


class LinkExpired(RegistrationError):
    """A cancel link of a registration that was since cancelled and made again, or too old."""

    status = 410
    text = _l(
        "Deze link is verlopen. Gebruik de link uit je meest recente mail over deze activiteit."
    )
