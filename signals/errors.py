"""Domain errors of the signal function; views turn them into a message and a status."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from community.core.errors import DomainError


class SignalError(DomainError):
    """A rule of the signal function refused what was asked (422 unless said otherwise)."""

    text = _l("Dit signaal kan niet worden opgeslagen.")


class MissingField(SignalError):
    """A required text is empty; ``field`` names it."""

    text = _l("Vul dit veld in: %(label)s.")


class TooLong(SignalError):
    """A text is longer than its limit."""

    text = _l("%(label)s is te lang: hoogstens %(limit)s tekens.")


class UnknownChoice(SignalError):
    """A choice that is not in the list (a region, sector, state...)."""

    text = _l("Kies een van de mogelijkheden uit de lijst.")


class NotAMember(SignalError):
    """Only members (verified accounts) report, recognise and follow (403)."""

    status = 403
    text = _l("Bevestig eerst je e-mailadres: pas daarna kan je signalen melden of herkennen.")


class AlreadyRecognised(SignalError):
    """The member recognised this signal before (409): one recognition per member."""

    status = 409
    text = _l("Je herkende dit signaal al.")


class OwnSignal(SignalError):
    """A reporter does not recognise their own signal (409)."""

    status = 409
    text = _l("Dit is je eigen signaal: je kan het niet zelf herkennen.")


class NotOpen(SignalError):
    """The signal or bundle is closed or withdrawn, or past the step asked for (409)."""

    status = 409
    text = _l("Dit kan niet meer in deze fase (%(state)s).")


class CannotWithdraw(SignalError):
    """Only the reporter withdraws, and only before the signal is bundled (409)."""

    status = 409
    text = _l("Je kan een signaal alleen intrekken zolang het niet gebundeld is.")


class NotAllowed(SignalError):
    """The user may not act on this signal or bundle (403)."""

    status = 403
    text = _l("Dit mag je niet voor dit signaal of deze bundel.")


class NothingChosen(SignalError):
    """A bundle needs at least one signal; a note at least one bundle."""

    text = _l("Kies minstens één signaal of bundel.")


class WrongDate(SignalError):
    """A date in the future, or one that is not a date."""

    text = _l("Geef een datum die niet in de toekomst ligt.")
