"""Forms of the regional map: offer, organisation, consultation body, import, analysis.

Labels are lazy-translated Dutch; choices from the database are filled by the
``fill_*`` functions. The domain checks the values again (``regionmap.catalogue``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.validators import Length as _Length

from community.accounts.models import Organisation, OrganisationType, Region, Sector, Theme
from community.core.extensions import db
from community.core.forms import ChoiceField, MultiCheckboxField, option, optional_int, optional_str
from regionmap.models import (
    AccessRoute,
    ActionStatus,
    BodySector,
    OfferKind,
)


def _max(n: int):
    return _Length(max=n, message=_l("Hoogstens %(max)d tekens."))


AGE = [Optional(), NumberRange(min=0, max=30, message=_l("Een leeftijd ligt tussen 0 en 30 jaar."))]

OFFER_INTERNAL_CHOICES = [
    option("contact_email", _l("e-mailadres")),
    option("contact_phone", _l("telefoon")),
    option("waiting_time", _l("wachttijd")),
    option("capacity", _l("capaciteit")),
]


class OfferForm(FlaskForm):
    """An offer record: what, for whom, where, who provides it, how to refer."""

    title = StringField(
        _l("Naam van het aanbod"),
        validators=[DataRequired(_l("Geef het aanbod een naam.")), _max(200)],
    )
    kind = ChoiceField(_l("Soort aanbod"), choices=[option(k.value, k.label) for k in OfferKind])
    region = ChoiceField(_l("Regio"), coerce=optional_int, validators=[Optional()])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), _max(100)])
    themes = MultiCheckboxField(_l("Thema's"), coerce=int)
    age_min = IntegerField(_l("Vanaf leeftijd (jaar)"), validators=AGE)
    age_max = IntegerField(_l("Tot en met leeftijd (jaar)"), validators=AGE)
    description = TextAreaField(
        _l("Wat is het?"), validators=[Optional(), _max(5000)], render_kw={"rows": 5}
    )
    target_group = TextAreaField(
        _l("Voor wie?"), validators=[Optional(), _max(2000)], render_kw={"rows": 3}
    )
    provider_sector = ChoiceField(
        _l("Sector van de aanbieder"), coerce=optional_str, validators=[Optional()]
    )
    providers = MultiCheckboxField(_l("Aanbieders"), coerce=int)
    access_routes = MultiCheckboxField(
        _l("Toegangswegen"), choices=[option(r.value, r.label) for r in AccessRoute]
    )
    how_to_refer = TextAreaField(
        _l("Hoe doorverwijzen?"), validators=[Optional(), _max(2000)], render_kw={"rows": 3}
    )
    contact_organisation = ChoiceField(
        _l("Praktisch contact: organisatie"), coerce=optional_int, validators=[Optional()]
    )
    contact_address = StringField(
        _l("Adres van de organisatie"), validators=[Optional(), _max(300)]
    )
    contact_email = StringField(
        _l("E-mailadres van de organisatie"), validators=[Optional(), _max(254)]
    )
    contact_phone = StringField(
        _l("Telefoon van de organisatie"), validators=[Optional(), _max(40)]
    )
    website = StringField(_l("Website"), validators=[Optional(), _max(500)])
    waiting_time = StringField(_l("Wachttijd"), validators=[Optional(), _max(200)])
    capacity = StringField(_l("Capaciteit"), validators=[Optional(), _max(200)])
    internal_fields = MultiCheckboxField(
        _l("Alleen voor coördinatoren"), choices=OFFER_INTERNAL_CHOICES
    )
    internal_note = TextAreaField(
        _l("Interne notitie"), validators=[Optional(), _max(2000)], render_kw={"rows": 2}
    )
    submit = SubmitField(_l("Bewaren"))


def fill_offer_choices(form: OfferForm, regions: list[Region]) -> None:
    """Fill ``form``'s choices: ``regions`` (those the user may choose), themes, organisations."""
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.is_retired.is_(False)).order_by(Organisation.name)
    ).all()
    form.region.choices = [option("", _l("Kies een regio"))] + [
        option(r.id, r.name) for r in regions
    ]
    form.themes.choices = [option(t.id, t.label) for t in themes]
    form.providers.choices = [option(o.id, o.name) for o in organisations]
    form.contact_organisation.choices = [option("", _l("Geen"))] + [
        option(o.id, o.name) for o in organisations
    ]
    form.provider_sector.choices = [option("", _l("Onbekend"))] + [
        option(s.value, s.label) for s in Sector
    ]


class OrganisationForm(FlaskForm):
    """An organisation on the map."""

    name = StringField(
        _l("Naam"), validators=[DataRequired(_l("Geef de naam van de organisatie.")), _max(200)]
    )
    region = ChoiceField(_l("Regio"), coerce=optional_int, validators=[Optional()])
    sector = ChoiceField(_l("Sector"), choices=[option(s.value, s.label) for s in Sector])
    organisation_type = ChoiceField(
        _l("Type organisatie"), choices=[option(t.value, t.label) for t in OrganisationType]
    )
    street_address = StringField(_l("Straat en nummer"), validators=[Optional(), _max(200)])
    postal_code = StringField(_l("Postcode"), validators=[Optional(), _max(10)])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), _max(100)])
    website = StringField(_l("Website"), validators=[Optional(), _max(500)])
    contact_email = StringField(_l("Algemeen e-mailadres"), validators=[Optional(), _max(254)])
    contact_phone = StringField(_l("Algemeen telefoonnummer"), validators=[Optional(), _max(40)])
    note = TextAreaField(
        _l("Over de organisatie"), validators=[Optional(), _max(3000)], render_kw={"rows": 3}
    )
    is_public = BooleanField(_l("Publiek tonen"), default=True)
    internal_fields = MultiCheckboxField(
        _l("Alleen voor coördinatoren"),
        choices=[
            option("contact_email", _l("e-mailadres")),
            option("contact_phone", _l("telefoon")),
            option("street_address", _l("adres")),
        ],
    )
    submit = SubmitField(_l("Bewaren"))


class BodyForm(FlaskForm):
    """A consultation body (overlegforum) and the organisations taking part."""

    name = StringField(
        _l("Naam"), validators=[DataRequired(_l("Geef het overlegforum een naam.")), _max(200)]
    )
    region = ChoiceField(_l("Regio"), coerce=optional_int, validators=[Optional()])
    sector = ChoiceField(_l("Sector"), choices=[option(s.value, s.label) for s in BodySector])
    description = TextAreaField(
        _l("Wat doet het?"), validators=[Optional(), _max(3000)], render_kw={"rows": 4}
    )
    website = StringField(_l("Website"), validators=[Optional(), _max(500)])
    members = MultiCheckboxField(_l("Deelnemende organisaties"), coerce=int)
    submit = SubmitField(_l("Bewaren"))


def fill_region_choices(field, regions: list[Region]) -> None:
    """Give the select ``field`` the ``regions`` to choose from."""
    field.choices = [option("", _l("Kies een regio"))] + [option(r.id, r.name) for r in regions]


def fill_member_choices(form: BodyForm) -> None:
    """Fill the member organisations of a consultation body form."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.is_retired.is_(False)).order_by(Organisation.name)
    ).all()
    form.members.choices = [option(o.id, o.name) for o in organisations]


class ProposalReviewForm(FlaskForm):
    """A coordinator's decision on a provider's proposal."""

    note = TextAreaField(
        _l("Bericht aan de indiener"), validators=[Optional(), _max(3000)], render_kw={"rows": 3}
    )
    publish = SubmitField(_l("Publiceren"))
    refuse = SubmitField(_l("Weigeren"))


class ImportForm(FlaskForm):
    """A spreadsheet of offer or organisations to preview."""

    what = ChoiceField(
        _l("Wat staat erin?"),
        choices=[option("aanbod", _l("aanbod")), option("organisaties", _l("organisaties"))],
    )
    region = ChoiceField(_l("Regio"), coerce=optional_int, validators=[Optional()])
    file = FileField(_l("Bestand (CSV of XLSX)"))
    submit = SubmitField(_l("Voorbeeld tonen"))


class ImportCommitForm(FlaskForm):
    """Commit the import that was previewed (its token names the stored upload)."""

    token = StringField(validators=[DataRequired()])
    submit = SubmitField(_l("Importeren"))


class AnalysisForm(FlaskForm):
    """A version of a region's analysis: one point per line in each part."""

    region = ChoiceField(_l("Regio"), coerce=optional_int, validators=[Optional()])
    theme = ChoiceField(_l("Thema"), coerce=optional_int, validators=[Optional()])
    period = StringField(
        _l("Periode"), validators=[DataRequired(_l("Geef de periode, bv. 2026-2027.")), _max(40)]
    )
    summary = TextAreaField(
        _l("Samenvatting"), validators=[Optional(), _max(5000)], render_kw={"rows": 3}
    )
    strengths = TextAreaField(
        _l("Sterktes (één per regel)"), validators=[Optional(), _max(10000)], render_kw={"rows": 4}
    )
    gaps = TextAreaField(
        _l("Leemtes (één per regel)"), validators=[Optional(), _max(10000)], render_kw={"rows": 4}
    )
    needs = TextAreaField(
        _l("Noden (één per regel)"), validators=[Optional(), _max(10000)], render_kw={"rows": 4}
    )
    matches = TextAreaField(
        _l("Hoe vraag en aanbod elkaar vinden (één per regel)"),
        validators=[Optional(), _max(10000)],
        render_kw={"rows": 4},
    )
    actions = TextAreaField(
        _l("Acties en aanbevelingen (één per regel: actie | eigenaar | status)"),
        validators=[Optional(), _max(10000)],
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Nieuwe versie bewaren"))


ACTION_STATUS_CHOICES = [option(s.value, s.label) for s in ActionStatus]


class DirectoryEntryForm(FlaskForm):
    """A member's listing in the member directory (opt-in)."""

    is_listed = BooleanField(_l("Vermeld mij in de ledenlijst"))
    expertise = StringField(
        _l("Expertise (trefwoorden, gescheiden door komma's)"),
        validators=[Optional(), _max(400)],
        render_kw={"placeholder": "spijbelen, NAFT, +12"},
    )
    about = StringField(_l("Korte voorstelling"), validators=[Optional(), _max(300)])
    submit = SubmitField(_l("Bewaren"))


class ContactForm(FlaskForm):
    """A message to a listed member, sent by the platform."""

    subject = StringField(
        _l("Onderwerp"), validators=[DataRequired(_l("Geef een onderwerp.")), _max(150)]
    )
    message = TextAreaField(
        _l("Bericht"),
        validators=[DataRequired(_l("Schrijf een bericht.")), _max(3000)],
        render_kw={"rows": 6},
    )
    submit = SubmitField(_l("Versturen"))
