"""Forms of invitations and check-in (issue 17): invite, answer an invitation, the door."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, ValidationError

from community.accounts.models import Organisation, User
from community.core.extensions import db
from community.core.forms import INVALID_CHOICE, INVALID_CHOICES, option, strip_spaces
from community.core.text import one_line
from events.models import Event
from events.organising.forms import parse_emails


class InviteForm(FlaskForm):
    """Whom to invite: members, organisations (their members), e-mail addresses."""

    members = SelectMultipleField(
        _l("Leden"),
        coerce=int,
        validators=[Optional()],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICES,
        render_kw={"size": 8},
    )
    organisations = SelectMultipleField(
        _l("Organisaties (al hun leden)"),
        coerce=int,
        validators=[Optional()],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICES,
        render_kw={"size": 6},
    )
    emails = TextAreaField(
        _l("E-mailadressen van mensen zonder account (één per regel)"),
        validators=[Optional()],
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Uitnodigingen versturen"))

    def validate_emails(self, field) -> None:
        wrong = []
        for address in parse_emails(field.data or ""):
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError:
                wrong.append(address)
            if len(address) > 254:
                wrong.append(address[:40] + "…")
        if wrong:
            raise ValidationError(
                _l("Geen geldig e-mailadres: %(emails)s", emails=", ".join(wrong[:10]))
            )

    @property
    def addresses(self) -> list[str]:
        return parse_emails(self.emails.data or "")


def fill_invite_choices(form: InviteForm, event: Event) -> None:
    """Fill the members and organisations one may invite to ``event``: active, verified
    members and the organisations of the activity's region (every region for a
    network-wide activity), by name."""
    users = select(User).where(User.is_active.is_(True), User.is_verified.is_(True))
    organisations = select(Organisation)
    if not event.region.is_network_wide:
        users = users.where(User.region_id == event.region_id)
        organisations = organisations.where(Organisation.region_id == event.region_id)
    form.members.choices = [
        option(u.id, f"{u.display_name} ({u.email})")
        for u in db.session.scalars(users.order_by(User.display_name, User.id))
    ]
    form.organisations.choices = [
        option(o.id, o.name) for o in db.session.scalars(organisations.order_by(Organisation.name))
    ]


class AnswerForm(FlaskForm):
    """The answer to an invitation: ``answer`` "ja" or "nee" (the buttons)."""

    answer = HiddenField(
        validators=[AnyOf(["ja", "nee"], message=_l("Kies ja of nee."))],
    )


class GuestAnswerFields(FlaskForm):
    """Who accepts an invitation without an account: name and organisation."""

    guest_name = StringField(
        _l("Naam"),
        validators=[
            DataRequired(message=_l("Vul je naam in.")),
            Length(max=120, message=_l("Je naam mag hoogstens %(max)d tekens lang zijn.")),
        ],
        filters=[one_line],
        render_kw={"autocomplete": "name"},
    )
    guest_organisation = StringField(
        _l("Organisatie (niet verplicht)"),
        validators=[
            Optional(),
            Length(max=200, message=_l("De organisatie mag hoogstens %(max)d tekens lang zijn.")),
        ],
        filters=[one_line],
        render_kw={"autocomplete": "organization"},
    )


class CheckInForm(FlaskForm):
    """One tap at the door: ``present`` "1" marks present, "0" undoes."""

    present = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Kies aanwezig of niet."))])


class WalkInForm(FlaskForm):
    """Someone who came without registering: a name, optionally an address and organisation."""

    name = StringField(
        _l("Naam"),
        validators=[
            DataRequired(message=_l("Vul de naam in.")),
            Length(max=120, message=_l("Een naam mag hoogstens %(max)d tekens lang zijn.")),
        ],
        filters=[one_line],
    )
    email = StringField(
        _l("E-mailadres (niet verplicht)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Een e-mailadres mag hoogstens 254 tekens lang zijn.")),
            Email(message=_l("Dit is geen geldig e-mailadres."), check_deliverability=False),
        ],
        filters=[strip_spaces],
        render_kw={"inputmode": "email", "autocomplete": "off"},
    )
    organisation = StringField(
        _l("Organisatie (niet verplicht)"),
        validators=[
            Optional(),
            Length(max=200, message=_l("De organisatie mag hoogstens %(max)d tekens lang zijn.")),
        ],
        filters=[one_line],
    )
    submit = SubmitField(_l("Toevoegen als aanwezig"))
