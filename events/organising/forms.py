"""Forms of the organiser tools: activity, programme item, question, copy, cancel, mail.

Labels are lazy-translated (the Dutch text is the message id) and every
validator carries a Dutch ``message``. Choices from the database (regions,
themes, organisations) are filled in by the view with the ``fill_*`` helpers.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from community.accounts.models import Organisation, Region, Theme
from community.core.extensions import db
from community.core.forms import (
    INVALID_CHOICE,
    INVALID_CHOICES,
    ChoiceField,
    MultiCheckboxField,
    ReadableParseErrors,
    option,
    optional_int,
)
from community.core.text import one_line
from events.models import EventType, ProgrammeItemKind, QuestionKind, Visibility

DATE_MESSAGE = _l("Geef een geldige datum (jjjj-mm-dd of dd-mm-jjjj).")
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
TIME_MESSAGE = _l("Geef een geldig uur (uu:mm).")
NUMBER_MESSAGE = _l("Geef een geheel getal.")
TOO_LONG_MESSAGE = _l("Hoogstens %(max)d tekens.")

VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("iedereen"),
    Visibility.MEMBERS: _l("alleen leden (aangemeld)"),
    Visibility.INVITE_ONLY: _l("alleen genodigden"),
    Visibility.PROJECT_GROUP: _l("alleen de projectgroep"),
}


# More places than any venue holds; without a bound a number such as 10**20 reached the
# database, whose INTEGER column refused it (a 500; issue 13, item 9).
MAX_CAPACITY = 100_000
TOO_MANY_PLACES = _l("Het aantal plaatsen is hoogstens %(max)s.")


def _date(label, required=True) -> DateField:
    first = InputRequired(message=_l("Vul een datum in.")) if required else Optional()
    return DateField(
        label, format=DATE_FORMATS, validators=[first], render_kw={"placeholder": "jjjj-mm-dd"}
    )


def _time(label) -> TimeField:
    return TimeField(label, validators=[Optional()], render_kw={"placeholder": "uu:mm"})


def _text(label, max_length: int, *, required=None, field=StringField):
    """A text ``field`` of at most ``max_length`` characters; ``required`` is the message when
    it is left empty (without it the field is optional). A single-line field (``StringField``)
    is made one line before it is checked (``one_line``; issue 13, item 10)."""
    first = DataRequired(message=required) if required is not None else Optional()
    filters = [one_line] if field is StringField else []
    validators = [first, Length(max=max_length, message=TOO_LONG_MESSAGE)]
    return field(label, validators=validators, filters=filters)


PARSE_MESSAGES = {
    "DateField": DATE_MESSAGE,
    "TimeField": TIME_MESSAGE,
    "IntegerField": NUMBER_MESSAGE,
}


class _DutchDates(ReadableParseErrors):
    """Dates also as dd-mm-jjjj here (``DATE_FORMATS``): the messages say so."""

    parse_messages = PARSE_MESSAGES


# "Jan Peeters <jan@school.be>", as a mail program copies an address with its name.
_NAMED_ADDRESS = re.compile(r"(?:\"[^\"]*\"|[^,<>\"]*)\s*<\s*([^<>\s]+)\s*>")


def parse_emails(text: str) -> list[str]:
    """Split ``text`` on lines, commas and semicolons into e-mail addresses (empty ones
    dropped). Addresses copied from a mail program with their names ("Jan Peeters
    <jan@school.be>; "Smet, An" <an@clb.be>", as Outlook and Thunderbird copy them) give the
    address in the angle brackets; a name written "Peeters, Jan <jan@school.be>" leaves
    no stray "Peeters" behind (a part without "@" on a line with named addresses is part
    of a name)."""
    found: list[str] = []
    for line in text.replace(";", "\n").splitlines():
        named = list(_NAMED_ADDRESS.finditer(line))
        parts: list[tuple[int, str]] = [(match.start(), match.group(1)) for match in named]
        position = 0
        for piece in _NAMED_ADDRESS.sub(lambda m: "," + " " * (len(m.group()) - 1), line).split(
            ","
        ):
            bare = piece.strip()
            if bare and ("@" in bare or not named):
                parts.append((position, bare))
            position += len(piece) + 1
        found.extend(address for _, address in sorted(parts))
    return found


class EventForm(_DutchDates, FlaskForm):
    """An activity as the organiser enters it; dates and times are Europe/Brussels."""

    title = StringField(
        _l("Titel"),
        validators=[
            DataRequired(message=_l("Vul een titel in.")),
            Length(max=300, message=_l("Een titel mag hoogstens %(max)d tekens lang zijn.")),
        ],
        filters=[one_line],  # it goes into mail subjects and the .ics SUMMARY
    )
    slug = _text(_l("Webadres"), 80)
    type = ChoiceField(
        _l("Soort activiteit"),
        choices=[option(t.value, t.label) for t in EventType],
        validators=[DataRequired(message=_l("Kies de soort activiteit."))],
    )
    themes = MultiCheckboxField(
        _l("Thema's"),
        coerce=int,
        validators=[DataRequired(message=_l("Kies thema 1, thema 2 of beide."))],
    )
    region = ChoiceField(
        _l("Regio"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Kies de regio."))],
    )
    organisations = SelectMultipleField(
        _l("Organiserende organisaties"),
        coerce=int,
        validators=[Optional()],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICES,
    )
    summary = _text(_l("Korte samenvatting"), 1000, field=TextAreaField)
    description = TextAreaField(_l("Beschrijving (Markdown)"), validators=[Optional()])
    start_date = _date(_l("Begindatum"))
    start_time = _time(_l("Beginuur"))
    end_date = _date(_l("Einddatum"))
    end_time = _time(_l("Einduur"))
    is_all_day = BooleanField(_l("Hele dag (zonder uren)"))
    venue_name = _text(_l("Locatie"), 200)
    venue_address = _text(_l("Adres"), 300)
    is_online = BooleanField(_l("Online activiteit"))
    online_url = URLField(
        _l("Link naar de online vergadering"),
        validators=[
            Optional(),
            URL(message=_l("Geef een volledige link, beginnend met https://.")),
            Length(max=500, message=TOO_LONG_MESSAGE),
        ],
    )
    capacity = IntegerField(
        _l("Aantal plaatsen"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Het aantal plaatsen is minstens %(min)s.")),
            NumberRange(max=MAX_CAPACITY, message=TOO_MANY_PLACES),
        ],
    )
    registration_opens_date = _date(_l("Inschrijvingen openen op"), required=False)
    registration_opens_time = _time(_l("om"))
    registration_closes_date = _date(_l("Inschrijvingen sluiten op"), required=False)
    registration_closes_time = _time(_l("om"))
    visibility = RadioField(
        _l("Zichtbaar voor"),
        choices=[option(v.value, label) for v, label in VISIBILITY_LABELS.items()],
        default=Visibility.PUBLIC.value,
        validators=[InputRequired(message=_l("Kies voor wie de activiteit zichtbaar is."))],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    invited_emails = TextAreaField(_l("Genodigden (e-mailadressen, één per regel)"))
    submit = SubmitField(_l("Bewaren"))

    def validate(self, extra_validators=None) -> bool:
        """Also require both times unless the activity lasts whole days."""
        valid = super().validate(extra_validators)
        if not self.is_all_day.data:
            for f, message in (
                (self.start_time, _l("Vul een beginuur in, of kies „hele dag”.")),
                (self.end_time, _l("Vul een einduur in, of kies „hele dag”.")),
            ):
                if f.data is None and not f.errors:
                    f.errors.append(message)
                    valid = False
        return valid

    def validate_invited_emails(self, field) -> None:
        wrong = []
        for address in parse_emails(field.data or ""):
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError:
                wrong.append(address)
        if wrong:
            raise ValidationError(
                _l("Geen geldig e-mailadres: %(emails)s", emails=", ".join(wrong))
            )
        if self.visibility.data == Visibility.INVITE_ONLY and not parse_emails(field.data or ""):
            raise ValidationError(_l("Een activiteit op uitnodiging heeft minstens één genodigde."))


def fill_event_choices(form: EventForm, regions: list[Region]) -> None:
    """Fill the region (``regions``: those the user may manage), theme and organisation choices."""
    themes = db.session.scalars(select(Theme).order_by(Theme.number)).all()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.region.choices = [option("", _l("Kies de regio"))]
    form.region.choices += [option(r.id, r.name) for r in regions]
    form.themes.choices = [option(t.id, _l("Thema %(n)s", n=t.number)) for t in themes]
    form.organisations.choices = [option(o.id, o.name) for o in organisations]


class ProgrammeItemForm(_DutchDates, FlaskForm):
    """A programme item: day, start and end time (Europe/Brussels), what and who."""

    day = _date(_l("Dag"))
    start_time = TimeField(_l("Van"), validators=[DataRequired(message=_l("Vul het beginuur in."))])
    end_time = TimeField(_l("Tot"), validators=[DataRequired(message=_l("Vul het einduur in."))])
    title = _text(_l("Titel"), 300, required=_l("Vul een titel in."))
    kind = ChoiceField(
        _l("Soort"),
        choices=[option(k.value, k.label) for k in ProgrammeItemKind],
        validators=[DataRequired(message=_l("Kies de soort."))],
    )
    speakers = StringField(_l("Sprekers"), validators=[Optional()], filters=[one_line])
    room = _text(_l("Zaal"), 120)
    description = TextAreaField(_l("Beschrijving"), validators=[Optional()])
    capacity = IntegerField(
        _l("Plaatsen (alleen voor een workshop)"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Het aantal plaatsen is minstens %(min)s.")),
            NumberRange(max=MAX_CAPACITY, message=TOO_MANY_PLACES),
        ],
    )
    submit = SubmitField(_l("Bewaren"))


QUESTION_KIND_LABELS = {
    QuestionKind.TEXT: _l("vrije tekst"),
    QuestionKind.CHOICE: _l("één keuze"),
    QuestionKind.CHOICES: _l("meerdere keuzes"),
    QuestionKind.YES_NO: _l("ja/nee"),
}


class QuestionForm(_DutchDates, FlaskForm):
    """A registration question: label, kind, choices (one per line), required, order."""

    label = _text(_l("Vraag"), 300, required=_l("Vul de vraag in."))
    kind = ChoiceField(
        _l("Soort antwoord"),
        choices=[option(k.value, label) for k, label in QUESTION_KIND_LABELS.items()],
        validators=[DataRequired(message=_l("Kies de soort antwoord."))],
    )
    choices = TextAreaField(_l("Keuzes (één per regel)"), validators=[Optional()])
    is_required = BooleanField(_l("Verplicht te beantwoorden"))
    position = IntegerField(
        _l("Volgorde"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1000, message=_l("Een getal van %(min)s tot %(max)s.")),
        ],
    )
    submit = SubmitField(_l("Bewaren"))


class CopyForm(_DutchDates, FlaskForm):
    """Copy an activity for the next network moment, moved a number of days or weeks."""

    amount = IntegerField(
        _l("Verschuiven met"),
        validators=[
            InputRequired(message=_l("Vul in met hoeveel dagen of weken.")),
            NumberRange(min=1, max=520, message=_l("Een getal van %(min)s tot %(max)s.")),
        ],
    )
    unit = RadioField(
        _l("Eenheid"),
        choices=[option("days", _l("dagen")), option("weeks", _l("weken"))],
        default="weeks",
        validators=[InputRequired(message=_l("Kies dagen of weken."))],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    title = _text(_l("Titel van de kopie"), 300)
    submit = SubmitField(_l("Kopie maken"))

    @property
    def days(self) -> int:
        return self.amount.data * (7 if self.unit.data == "weeks" else 1)


class CancelForm(FlaskForm):
    """Cancel an activity with a message to every registrant."""

    message = _text(
        _l("Bericht aan de ingeschrevenen"),
        5000,
        required=_l("Schrijf een bericht aan de ingeschrevenen."),
        field=TextAreaField,
    )
    submit = SubmitField(_l("Activiteit annuleren"))


class MailForm(FlaskForm):
    """A mail to every confirmed participant."""

    subject = _text(_l("Onderwerp"), 200, required=_l("Vul een onderwerp in."))
    body = _text(_l("Bericht"), 20000, required=_l("Schrijf een bericht."), field=TextAreaField)
    submit = SubmitField(_l("Versturen"))


class AttendanceForm(FlaskForm):
    """Whether one participant came: yes, no, or unknown."""

    attended = RadioField(
        _l("Aanwezig"),
        choices=[option("yes", _l("ja")), option("no", _l("nee")), option("", _l("onbekend"))],
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    submit = SubmitField(_l("Bewaren"))

    @property
    def value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.attended.data)


class PromoteForm(FlaskForm):
    """Give a waiting-list registration a place; ``force`` allows going over capacity."""

    force = BooleanField(_l("Ook als de activiteit volzet is (meer deelnemers dan plaatsen)"))
    submit = SubmitField(_l("Plaats geven"))
