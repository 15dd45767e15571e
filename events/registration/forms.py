"""Registration forms: built from the activity's questions and workshops; guest and colleague rows.

Required answers and workshop rules are checked by ``events.registration``
(one place for the rule); its ``InvalidAnswers`` messages are put on the
fields here with :func:`add_answer_errors`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from community.accounts.models import Sector
from community.core.forms import ChoiceField, MultiCheckboxField, option, optional_str, strip_spaces
from community.core.i18n import localtime
from events.models import Event, QuestionKind
from events.registration import GuestDetails, workshops_of

COLLEAGUE_ROWS = 3


def _sector_choices() -> list:
    return [option("", _l("Kies een sector"))] + [option(s.value, s.label) for s in Sector]


def _email(label, required: bool = True) -> StringField:
    first = DataRequired(message=_l("Vul het e-mailadres in.")) if required else Optional()
    return StringField(
        label,
        validators=[
            first,
            Length(max=254, message=_l("Een e-mailadres mag hoogstens 254 tekens lang zijn.")),
            Email(message=_l("Dit is geen geldig e-mailadres."), check_deliverability=False),
        ],
        filters=[strip_spaces],  # a phone's autofill adds a space after the address
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


class GuestFields(FlaskForm):
    """Who registers without an account: name, e-mail, organisation, sector, job title."""

    guest_name = StringField(
        _l("Naam"),
        validators=[
            DataRequired(message=_l("Vul je naam in.")),
            Length(max=120, message=_l("Je naam mag hoogstens %(max)d tekens lang zijn.")),
        ],
        render_kw={"autocomplete": "name"},
    )
    guest_email = _email(_l("E-mailadres"))
    guest_organisation = StringField(
        _l("Organisatie"),
        validators=[
            DataRequired(message=_l("Vul je organisatie in.")),
            Length(max=200, message=_l("De organisatie mag hoogstens %(max)d tekens lang zijn.")),
        ],
        render_kw={"autocomplete": "organization"},
    )
    guest_sector = ChoiceField(
        _l("Sector"),
        coerce=optional_str,
        validators=[DataRequired(message=_l("Kies je sector."))],
    )
    guest_job_title = StringField(
        _l("Functie"),
        validators=[
            Optional(),
            Length(max=120, message=_l("Je functie mag hoogstens %(max)d tekens lang zijn.")),
        ],
        render_kw={"autocomplete": "organization-title"},
    )


class ColleagueRow(Form):
    """One colleague of the same organisation, registered by a signed-in member (may stay empty)."""

    name = StringField(
        _l("Naam"),
        validators=[
            Optional(),
            Length(max=120, message=_l("Een naam mag hoogstens %(max)d tekens lang zijn.")),
        ],
    )
    email = _email(_l("E-mailadres"), required=False)
    job_title = StringField(
        _l("Functie"),
        validators=[
            Optional(),
            Length(max=120, message=_l("Een functie mag hoogstens %(max)d tekens lang zijn.")),
        ],
    )

    # Optional() ends validation of an empty field, so each check sits on the filled one.
    def validate_name(self, field) -> None:
        if field.data and not self.email.data:
            raise ValidationError(_l("Vul ook het e-mailadres van je collega in."))

    def validate_email(self, field) -> None:
        if field.data and not self.name.data:
            raise ValidationError(_l("Vul ook de naam van je collega in."))


class RegistrationBase(FlaskForm):
    """Fields every registration form has; questions and workshops are added per activity."""

    is_listed = BooleanField(
        _l("Toon mijn naam bij de deelnemers op de pagina van deze activiteit")
    )
    submit = SubmitField(_l("Inschrijven"))


def question_field_name(question) -> str:
    """The form field name of a registration question: ``q_<id>``."""
    return f"q_{question.id}"


def _question_field(question):
    label = question.label + ("" if question.is_required else " " + str(_l("(niet verplicht)")))
    choices = [option(choice, choice) for choice in question.choices or []]
    if question.kind == QuestionKind.CHOICE:
        return ChoiceField(
            label, choices=[option("", _l("Maak een keuze"))] + choices, validators=[Optional()]
        )
    if question.kind == QuestionKind.CHOICES:
        return MultiCheckboxField(label, choices=choices, validators=[Optional()])
    if question.kind == QuestionKind.YES_NO:
        return ChoiceField(
            label,
            choices=[option("", "–"), option("ja", _l("ja")), option("nee", _l("nee"))],
            validators=[Optional()],
        )
    return TextAreaField(label, validators=[Optional()], render_kw={"rows": 2})


def registration_form(
    event: Event,
    *,
    as_guest: bool,
    with_colleagues: bool = False,
    workshop_taken: dict[int, int] | None = None,
    formdata=None,
) -> FlaskForm:
    """Return the registration form of ``event``.

    ``as_guest`` adds the guest fields; ``with_colleagues`` the rows for
    colleagues of the same organisation. One field per question
    (``q_<id>``) and, when the activity has workshops, a ``workshops`` field
    whose labels say which are full (``workshop_taken``: id → places held);
    ``form.full_workshops`` lists the titles of the full ones.
    """
    bases = (GuestFields, RegistrationBase) if as_guest else (RegistrationBase,)
    attrs = {question_field_name(q): _question_field(q) for q in event.questions}
    workshops = workshops_of(event)
    full_workshops = []
    if workshops:
        taken = workshop_taken or {}
        labels = []
        for item in workshops:
            label = f"{localtime(item.starts_at)}–{localtime(item.ends_at)} {item.title}"
            if item.capacity is not None and taken.get(item.id, 0) >= item.capacity:
                label += " " + str(_l("(volzet: wachtlijst)"))
                full_workshops.append(item.title)
            labels.append(option(item.id, label))
        attrs["workshops"] = MultiCheckboxField(
            _l("Workshops (één per tijdsblok)"), coerce=int, choices=labels
        )
    if with_colleagues:
        attrs["colleagues"] = FieldList(
            FormField(ColleagueRow), min_entries=COLLEAGUE_ROWS, max_entries=10
        )
    form_class = type("RegistrationForm", bases, attrs)
    # A guest's form is on the cached activity page: no per-visitor CSRF token in it
    # (see community.core.security.protect_form_of_public_page, which the view calls).
    meta = {"csrf": False} if as_guest else {}
    form = (
        form_class(formdata=formdata, meta=meta) if formdata is not None else form_class(meta=meta)
    )
    if as_guest:
        form.guest_sector.choices = _sector_choices()
    # Full workshops, by title: the form explains them before anyone submits (issue 17).
    form.full_workshops = full_workshops
    return form


def answers_from(form, event: Event) -> dict:
    """Return ``{str(question.id): submitted value}`` for ``event``'s questions."""
    return {str(q.id): form[question_field_name(q)].data for q in event.questions}


def guest_from(form, language: str) -> GuestDetails:
    """Return the guest details filled in on ``form``; mails go in ``language``."""
    return GuestDetails(
        name=form.guest_name.data,
        email=form.guest_email.data,
        organisation_name=form.guest_organisation.data,
        sector=form.guest_sector.data or "",
        job_title=form.guest_job_title.data or "",
        language=language,
    )


def colleagues_from(form, language: str) -> list[GuestDetails]:
    """Return the filled-in colleague rows (empty rows are skipped)."""
    if "colleagues" not in form:
        return []
    return [
        GuestDetails(
            name=row.form.name.data,
            email=row.form.email.data,
            job_title=row.form.job_title.data or "",
            language=language,
        )
        for row in form.colleagues
        if row.form.name.data and row.form.email.data
    ]


def add_answer_errors(form, event: Event, errors: dict) -> None:
    """Put the domain's ``InvalidAnswers.errors`` on the matching fields of ``form``."""
    for question in event.questions:
        message = errors.get(str(question.id))
        if message:
            form[question_field_name(question)].errors = [str(message)]
    if errors.get("workshops") and "workshops" in form:
        form["workshops"].errors = [str(errors["workshops"])]
