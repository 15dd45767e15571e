"""Account forms: sign-up, login, password reset and change, profile, admin roles.

Choices that come from the database (regions, organisations, themes) are filled
in by the view with :func:`fill_profile_choices`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from community.accounts.auth import MIN_PASSWORD_LENGTH
from community.accounts.models import (
    LANGUAGES,
    PROJECT_GROUP_ROLE_LABELS,
    Organisation,
    Region,
    Sector,
    Theme,
)
from community.core.extensions import db
from community.core.forms import (
    INVALID_CHOICE,
    ChoiceField,
    MultiCheckboxField,
    option,
    optional_int,
    optional_str,
    strip_spaces,
)
from community.core.text import one_line


def _email_field(label=None) -> StringField:
    return StringField(
        label or _l("E-mailadres"),
        validators=[
            DataRequired(message=_l("Vul je e-mailadres in.")),
            Length(max=254, message=_l("Een e-mailadres mag hoogstens 254 tekens lang zijn.")),
            Email(message=_l("Dit is geen geldig e-mailadres."), check_deliverability=False),
        ],
        filters=[strip_spaces],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


def _new_password_fields(label=None) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        label or _l("Wachtwoord"),
        validators=[
            DataRequired(message=_l("Kies een wachtwoord.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Je wachtwoord moet minstens %(min)d tekens lang zijn."),
            ),
        ],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    repeat = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[
            DataRequired(message=_l("Herhaal je wachtwoord.")),
            EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, repeat


def _language_field() -> RadioField:
    return RadioField(
        _l("Taal"),
        choices=[option(code, name) for code, name in LANGUAGES.items()],
        default="nl",
        validators=[InputRequired(message=_l("Kies een taal."))],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )


class ProfileFields(FlaskForm):
    """The profile fields shared by sign-up and the account page."""

    display_name = StringField(
        _l("Naam"),
        validators=[
            DataRequired(message=_l("Vul je naam in.")),
            Length(max=120, message=_l("Je naam mag hoogstens %(max)d tekens lang zijn.")),
        ],
        filters=[one_line],  # it goes into mail subjects ("… noemde je in …"; issue 13, item 10)
        render_kw={"autocomplete": "name"},
    )
    region = ChoiceField(
        _l("Regio"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Kies je regio."))],
    )
    organisation = ChoiceField(_l("Organisatie"), coerce=optional_int, validators=[Optional()])
    sector = ChoiceField(
        _l("Sector"),
        coerce=optional_str,
        validators=[DataRequired(message=_l("Kies je sector."))],
    )
    job_title = StringField(
        _l("Functie"),
        validators=[
            Optional(),
            Length(max=120, message=_l("Je functie mag hoogstens %(max)d tekens lang zijn.")),
        ],
        render_kw={"autocomplete": "organization-title"},
    )
    themes = MultiCheckboxField(_l("Thema's die je interesseren"), coerce=int)
    language = _language_field()


def fill_profile_choices(form: ProfileFields) -> None:
    """Fill the region, organisation, sector and theme choices of ``form`` from the database."""
    regions = db.session.scalars(select(Region).order_by(Region.position, Region.name)).all()
    organisations = db.session.scalars(
        select(Organisation).order_by(func.lower(Organisation.name))
    ).all()
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    form.region.choices = [option("", _l("Kies je regio"))]
    form.region.choices += [option(r.id, r.name) for r in regions]
    form.organisation.choices = [option("", _l("Geen of niet in de lijst"))]
    form.organisation.choices += [option(o.id, o.name) for o in organisations]
    form.sector.choices = [option("", _l("Kies je sector"))]
    form.sector.choices += [option(s.value, s.label) for s in Sector]
    form.themes.choices = [option(t.id, t.label) for t in themes]


class SignupForm(ProfileFields):
    """Sign-up: e-mail, password twice, and the profile."""

    email = _email_field()
    password, password_repeat = _new_password_fields()
    submit = SubmitField(_l("Account maken"))


class ProfileForm(ProfileFields):
    """The account page: profile and language."""

    submit = SubmitField(_l("Bewaren"))


class LoginForm(FlaskForm):
    """Login with e-mail and password; "remember me" keeps the user signed in for 30 days."""

    email = StringField(
        _l("E-mailadres"),
        validators=[DataRequired(message=_l("Vul je e-mailadres in."))],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(message=_l("Vul je wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Aangemeld blijven op dit toestel"))
    submit = SubmitField(_l("Aanmelden"))


class ForgotPasswordForm(FlaskForm):
    """Ask for a password reset link by e-mail."""

    email = _email_field()
    submit = SubmitField(_l("Stuur me een link"))


class ResetPasswordForm(FlaskForm):
    """Choose a new password after following a reset link."""

    password, password_repeat = _new_password_fields(_l("Nieuw wachtwoord"))
    submit = SubmitField(_l("Wachtwoord instellen"))


class ChangePasswordForm(FlaskForm):
    """Change the password of the signed-in user: current password, new one twice."""

    current_password = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[DataRequired(message=_l("Vul je huidige wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_repeat = _new_password_fields(_l("Nieuw wachtwoord"))
    submit = SubmitField(_l("Wachtwoord wijzigen"))


class UserRolesForm(FlaskForm):
    """Admin: an account's roles (admin flag, regions it coordinates)."""

    is_admin = BooleanField(_l("Beheerder"))
    regions = MultiCheckboxField(_l("Coördinator van de regio's"), coerce=int)
    project_group_role = RadioField(
        _l("Projectgroep"),
        choices=[
            option("", _l("geen plaats (coördinatoren en beheerders horen er altijd bij)")),
            *(option(role.value, label) for role, label in PROJECT_GROUP_ROLE_LABELS.items()),
        ],
        default="",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    submit = SubmitField(_l("Rollen bewaren"))


def fill_role_choices(form: UserRolesForm) -> None:
    """Fill the region choices of ``form`` from the database."""
    regions = db.session.scalars(select(Region).order_by(Region.position, Region.name)).all()
    form.regions.choices = [option(r.id, r.name) for r in regions]
