"""Forms of the library: materials (new, edit, new version) and good practices (submit, review).

Labels are lazy-translated with the Dutch text as message id; every validator
has an explicit Dutch ``message``. Choices from the database are filled in by
:func:`fill_material_choices` and :func:`fill_practice_choices`. Uploaded files
are checked by ``community.library.uploads.check_upload`` in the view, not here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from community.accounts.models import LANGUAGES, Organisation, Region, Sector, Theme
from community.core.extensions import db
from community.core.forms import (
    INVALID_CHOICE,
    ChoiceField,
    MultiCheckboxField,
    option,
    optional_int,
)
from community.library.models import LICENCE_LABELS, MaterialType


def _max(n: int):
    return Length(max=n, message=_l("Hoogstens %(max)d tekens."))


class MaterialForm(FlaskForm):
    """Share or edit a material: what it is, for whom, and a file or a link."""

    title = StringField(
        _l("Titel"), validators=[DataRequired(message=_l("Geef een titel.")), _max(300)]
    )
    description = TextAreaField(
        _l("Beschrijving"), validators=[Optional(), _max(20000)], render_kw={"rows": 6}
    )
    type = ChoiceField(
        _l("Soort"),
        choices=[option(kind.value, kind.label) for kind in MaterialType],
        validators=[DataRequired(message=_l("Kies een soort."))],
    )
    themes = MultiCheckboxField(_l("Thema's"), coerce=int)
    region = ChoiceField(_l("Regio"), coerce=optional_int, validators=[Optional()])
    tags = StringField(
        _l("Trefwoorden"),
        validators=[Optional(), _max(300)],
        render_kw={"placeholder": "NAFT, spijbelen"},
    )
    language = RadioField(
        _l("Taal"),
        choices=[option(code, name) for code, name in LANGUAGES.items()],
        default="nl",
        validators=[InputRequired(message=_l("Kies een taal."))],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    licence = ChoiceField(
        _l("Licentie"),
        choices=[option(value.value, label) for value, label in LICENCE_LABELS.items()],
        validators=[DataRequired(message=_l("Kies een licentie."))],
    )
    visibility = RadioField(
        _l("Wie mag het zien?"),
        choices=[
            option("public", _l("iedereen")),
            option("members", _l("enkel aangemelde leden")),
        ],
        default="public",
        validators=[InputRequired(message=_l("Kies wie het materiaal mag zien."))],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    file = FileField(_l("Bestand"))
    url = StringField(_l("Of een webkoppeling"), validators=[Optional(), _max(500)])
    submit = SubmitField(_l("Bewaren"))


class MaterialVersionForm(FlaskForm):
    """Upload a new version of a material's file; the earlier versions stay listed."""

    file = FileField(_l("Nieuw bestand"))
    note = StringField(_l("Wat is er veranderd?"), validators=[Optional(), _max(300)])
    submit = SubmitField(_l("Nieuwe versie opladen"))


def fill_material_choices(form: MaterialForm, *, project_group: bool = False) -> None:
    """Fill the region and theme choices of ``form`` from the database; ``project_group``:
    offer "the project group only" as a visibility too (issue 18)."""
    if project_group:
        form.visibility.choices = [
            *form.visibility.choices,
            option("project_group", _l("enkel de projectgroep")),
        ]
    regions = db.session.scalars(select(Region).order_by(Region.position, Region.name)).all()
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    form.region.choices = [option("", _l("Geen regio"))]
    form.region.choices += [option(r.id, r.name) for r in regions]
    form.themes.choices = [option(t.id, t.label) for t in themes]


class PracticeForm(FlaskForm):
    """A good-practice record: what, for whom, with whom, how, results, contact organisation."""

    title = StringField(
        _l("Naam van de praktijk"),
        validators=[DataRequired(message=_l("Geef de praktijk een naam.")), _max(300)],
    )
    region = ChoiceField(
        _l("Regio"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Kies de regio van de praktijk."))],
    )
    themes = MultiCheckboxField(_l("Thema's"), coerce=int)
    summary = TextAreaField(
        _l("Wat is het?"),
        validators=[DataRequired(message=_l("Beschrijf kort wat de praktijk is.")), _max(3000)],
        render_kw={"rows": 4},
    )
    age_group = StringField(
        _l("Doelgroep: leeftijd"),
        validators=[Optional(), _max(100)],
        render_kw={"placeholder": "12 tot 18 jaar"},
    )
    target_group = TextAreaField(
        _l("Doelgroep: situatie"), validators=[Optional(), _max(3000)], render_kw={"rows": 3}
    )
    partners = TextAreaField(
        _l("Partners (één organisatie per regel)"),
        validators=[Optional(), _max(3000)],
        render_kw={"rows": 4},
    )
    partner_sectors = MultiCheckboxField(
        _l("Sectoren die meewerken"), choices=[option(s.value, s.label) for s in Sector]
    )
    approach = TextAreaField(
        _l("Aanpak"), validators=[Optional(), _max(10000)], render_kw={"rows": 6}
    )
    results = TextAreaField(
        _l("Resultaten"), validators=[Optional(), _max(10000)], render_kw={"rows": 4}
    )
    needs = TextAreaField(
        _l("Wat heb je nodig om te starten?"),
        validators=[Optional(), _max(5000)],
        render_kw={"rows": 4},
    )
    contact_organisation = ChoiceField(
        _l("Contact: organisatie"), coerce=optional_int, validators=[Optional()]
    )
    contact_name = StringField(
        _l("Of de naam van de organisatie"), validators=[Optional(), _max(200)]
    )
    contact_address = StringField(
        _l("Adres van de organisatie"), validators=[Optional(), _max(300)]
    )
    contact_email = StringField(
        _l("Algemeen e-mailadres van de organisatie"),
        validators=[
            Optional(),
            _max(254),
            Email(message=_l("Dit is geen geldig e-mailadres."), check_deliverability=False),
        ],
    )
    contact_website = StringField(_l("Website"), validators=[Optional(), _max(500)])
    links = TextAreaField(
        _l("Koppelingen (één webadres per regel)"),
        validators=[Optional(), _max(3000)],
        render_kw={"rows": 3},
    )
    attachment = FileField(_l("Bijlage (PDF, Office, OpenDocument, PNG of JPEG)"))
    submit = SubmitField(_l("Bewaren als ontwerp"))
    submit_for_review = SubmitField(_l("Indienen ter beoordeling"))


def fill_practice_choices(form: PracticeForm) -> None:
    """Fill the region, theme and organisation choices of ``form`` from the database."""
    regions = db.session.scalars(select(Region).order_by(Region.position, Region.name)).all()
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.region.choices = [option("", _l("Kies een regio"))]
    form.region.choices += [option(r.id, r.name) for r in regions]
    form.themes.choices = [option(t.id, t.label) for t in themes]
    form.contact_organisation.choices = [option("", _l("Niet in de lijst"))]
    form.contact_organisation.choices += [option(o.id, o.name) for o in organisations]


class PracticeReviewForm(FlaskForm):
    """A coordinator's decision on a submitted practice, with a note to the author."""

    note = TextAreaField(
        _l("Bericht aan de indiener"), validators=[Optional(), _max(3000)], render_kw={"rows": 4}
    )
    publish = SubmitField(_l("Publiceren"))
    send_back = SubmitField(_l("Terugsturen met opmerkingen"))
