"""Domain errors of the follow-up after an activity (certificates, evaluations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from community.core.errors import DomainError


class FollowUpError(DomainError):
    """Base of the follow-up errors."""


class NotPresent(FollowUpError):
    """Only participants marked present get a certificate or an evaluation (issue 17)."""

    text = _l(
        "Een attest en de evaluatie zijn er alleen voor deelnemers die als aanwezig "
        "zijn aangeduid. Neem contact op met de organisator als dat niet klopt."
    )
    status = 403


class CertificateUnknown(FollowUpError):
    """No valid certificate has this code (also: attendance was withdrawn)."""

    text = _l(
        "Er bestaat geen geldig attest met deze code. Kijk de code na: ze staat onderaan "
        "het attest, bijvoorbeeld K7QM-2XWD-P9TR."
    )
    status = 404
    field = "code"


class EvaluationClosed(FollowUpError):
    """The evaluation of the activity is switched off or its answering period is over."""

    text = _l("De evaluatie van deze activiteit is afgesloten.")
    status = 410


class AlreadyAnswered(FollowUpError):
    """Each present participant answers the evaluation once."""

    text = _l("Je hebt deze evaluatie al ingevuld. Bedankt!")
    status = 409


class InvalidAnswer(FollowUpError):
    """A score outside 1-5, a text too long, or an unknown question."""

    text = _l("Kies een score van 1 tot 5.")
    status = 422


class QuestionsLocked(FollowUpError):
    """The questions cannot change once answers came in (they would no longer match)."""

    text = _l(
        "Er zijn al antwoorden op deze evaluatie: de vragen liggen vast. "
        "Je kunt de evaluatie nog wel afsluiten."
    )
    status = 409


class InvalidQuestions(FollowUpError):
    """The organiser's form has no question, too many, or a label that is too long."""

    text = _l("Geef de evaluatie minstens één vraag (hoogstens 20, elk hoogstens 300 tekens).")
    status = 422
    field = "questions"


class TooFewAnswers(FollowUpError):
    """Fewer than three answers: no breakdown that could identify someone (issue 17)."""

    text = _l(
        "Er zijn nog minder dan 3 antwoorden. Om niemand herkenbaar te maken tonen "
        "we de resultaten pas vanaf 3 antwoorden."
    )
    status = 409
