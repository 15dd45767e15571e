"""Forum forms: new thread, reply, edit, moderation, reports, suspensions, preferences.

Length and emptiness of posts are checked by ``forums.posting`` (one rule, one
message); the forms only carry the fields. Every validator has a Dutch message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from community.core.forms import INVALID_CHOICE, ChoiceField, option, optional_int
from community.core.text import one_line
from forums.models import MailMode

PRIVACY_CONFIRM_LABEL = _l(
    "Ik bevestig dat de aangeduide gegevens niet over een kind of gezin gaan."
)


class PostForm(FlaskForm):
    """A reply, or the new text of an edited post."""

    body = TextAreaField(_l("Bericht"), render_kw={"rows": 8})
    privacy_confirmed = BooleanField(PRIVACY_CONFIRM_LABEL)


class ThreadForm(PostForm):
    """A new thread: title, optional category and region, and the first post."""

    title = StringField(_l("Titel"), filters=[one_line])  # checked by forums.posting
    category = ChoiceField(_l("Categorie"), coerce=optional_int, validate_choice=True)
    region = ChoiceField(_l("Regio (niet verplicht)"), coerce=optional_int, validate_choice=True)

    def fill_choices(self, categories, regions) -> None:
        """Offer the forum's ``categories`` and all ``regions`` (plus "none")."""
        self.category.choices = [option("", _l("— geen categorie —"))] + [
            option(c.id, c.name) for c in categories
        ]
        self.region.choices = [option("", _l("— geen regio —"))] + [
            option(r.id, r.name) for r in regions
        ]


class ReasonForm(FlaskForm):
    """A reason: for reporting, hiding or restoring a post."""

    reason = TextAreaField(
        _l("Reden"),
        validators=[
            DataRequired(message=_l("Geef een reden op.")),
            Length(max=2000, message=_l("Hoogstens 2000 tekens.")),
        ],
        render_kw={"rows": 3},
    )


class RenameForm(FlaskForm):
    title = StringField(
        _l("Nieuwe titel"),
        validators=[
            DataRequired(message=_l("Geef het gesprek een titel.")),
            Length(max=300, message=_l("Een titel is hoogstens 300 tekens lang.")),
        ],
        filters=[one_line],  # as forums.posting cleans a new thread's title
    )


class MoveForm(FlaskForm):
    destination = ChoiceField(
        _l("Naar forum en categorie"),
        validators=[InputRequired(message=_l("Kies een forum."))],
    )

    def fill_choices(self, forums) -> None:
        """Offer every forum, and every category within it, as "forum" or "forum/category"."""
        choices = []
        for forum in forums:
            choices.append(option(f"{forum.id}", forum.name))
            for category in forum.categories:
                choices.append(
                    option(f"{forum.id}/{category.id}", f"{forum.name} › {category.name}")
                )
        self.destination.choices = choices


class SuspendForm(FlaskForm):
    days = IntegerField(
        _l("Aantal dagen"),
        invalid_value_message=_l("Geef een geheel aantal dagen op."),
        validators=[
            InputRequired(message=_l("Geef het aantal dagen op.")),
            NumberRange(min=1, max=365, message=_l("Kies tussen 1 en 365 dagen.")),
        ],
    )
    reason = TextAreaField(
        _l("Reden"),
        validators=[DataRequired(message=_l("Geef een reden op."))],
        render_kw={"rows": 3},
    )


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Naam"),
        validators=[
            DataRequired(message=_l("Geef de categorie een naam.")),
            Length(max=120, message=_l("Hoogstens 120 tekens.")),
        ],
    )
    description = TextAreaField(
        _l("Omschrijving"),
        validators=[Length(max=1000, message=_l("Hoogstens 1000 tekens."))],
        render_kw={"rows": 2},
    )


class PreferenceForm(FlaskForm):
    mail_mode = RadioField(
        _l("Mail over nieuwe berichten"),
        choices=[
            option(MailMode.IMMEDIATE.value, _l("meteen, per bericht")),
            option(MailMode.DIGEST.value, _l("één keer per dag, in een overzicht")),
            option(MailMode.NONE.value, _l("geen mail, alleen meldingen op de site")),
        ],
        validators=[InputRequired(message=_l("Kies hoe je mail wil krijgen."))],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
