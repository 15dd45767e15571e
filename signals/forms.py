"""Forms of the signal function. Lengths and emptiness of texts are checked by the domain
(``signals.reporting``, ``signals.workflow``): one rule, one message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from community.accounts.models import SECTOR_LABELS
from community.core.forms import (
    ChoiceField,
    MultiCheckboxField,
    ReadableParseErrors,
    option,
    optional_int,
    optional_str,
)
from community.core.text import one_line
from forums.forms import PRIVACY_CONFIRM_LABEL
from signals.models import (
    AGE_LABELS,
    BUNDLE_STATES,
    DOMAIN_LABELS,
    FREQUENCY_LABELS,
    LEVEL_LABELS,
    STATE_LABELS,
)


def _choices(labels: dict, empty):
    """A select's options: "" (``empty``) then each value with its lazy label."""
    return [option("", empty)] + [option(member.value, label) for member, label in labels.items()]


class SignalForm(FlaskForm):
    """Report (or edit) a signal: three required fields first, the rest optional."""

    title = StringField(_l("Wat loopt vast?"), filters=[one_line])
    description = TextAreaField(_l("Beschrijving"), render_kw={"rows": 5})
    region = ChoiceField(
        _l("Regio"),
        coerce=optional_int,
        validators=[InputRequired(message=_l("Kies een regio."))],
    )
    themes = MultiCheckboxField(_l("Thema"), coerce=int)
    age_group = ChoiceField(_l("Leeftijd"), coerce=optional_str)
    municipality = StringField(_l("Gemeente (niet verplicht)"), filters=[one_line])
    sectors = MultiCheckboxField(
        _l("Betrokken sectoren"),
        choices=[option(s.value, label) for s, label in SECTOR_LABELS.items()],
    )
    services = TextAreaField(_l("Welke diensten of voorzieningen"), render_kw={"rows": 2})
    frequency = ChoiceField(_l("Hoe vaak kom je dit tegen?"), coerce=optional_str)
    tried = TextAreaField(_l("Wat werd al geprobeerd"), render_kw={"rows": 3})
    would_help = TextAreaField(_l("Wat zou helpen (niet verplicht)"), render_kw={"rows": 3})
    is_name_shared = BooleanField(_l("Andere leden mogen zien dat ik dit meldde"))
    privacy_confirmed = BooleanField(PRIVACY_CONFIRM_LABEL)

    def fill_choices(self, regions, themes) -> None:
        """Offer ``regions`` and ``themes`` (and the fixed lists)."""
        self.region.choices = [option("", _l("— kies een regio —"))] + [
            option(r.id, r.name) for r in regions
        ]
        self.themes.choices = [option(t.id, t.label) for t in themes]
        self.age_group.choices = _choices(AGE_LABELS, _l("— niet opgegeven —"))
        self.frequency.choices = _choices(FREQUENCY_LABELS, _l("— niet opgegeven —"))


class RecognitionForm(FlaskForm):
    """ "Ik herken dit", with an optional line from the member's region or sector."""

    context = StringField(_l("Jouw aanvulling (niet verplicht)"), filters=[one_line])
    privacy_confirmed = BooleanField(PRIVACY_CONFIRM_LABEL)


class QuestionForm(FlaskForm):
    """A coordinator's question to the reporter (by mail)."""

    question = TextAreaField(_l("Vraag aan de melder"), render_kw={"rows": 3})


class SignalStateForm(FlaskForm):
    """Move a signal that is not in a bundle."""

    state = ChoiceField(
        _l("Nieuwe fase"),
        coerce=optional_str,
        choices=[
            option("in_progress", _l("in behandeling")),
            option("closed", _l("afgesloten")),
            option("new", _l("nieuw")),
        ],
        validators=[InputRequired(message=_l("Kies een fase."))],
    )
    note = TextAreaField(_l("Toelichting voor wie volgt (niet verplicht)"), render_kw={"rows": 2})


class BundleForm(FlaskForm):
    """Make a bundle of the chosen signals, or add them to an existing one."""

    title = StringField(_l("Titel van de nieuwe bundel"), filters=[one_line])
    bundle = ChoiceField(_l("Of voeg toe aan bundel"), coerce=optional_int)


class CategoriseForm(FlaskForm):
    title = StringField(_l("Titel van de bundel"), filters=[one_line])
    policy_domain = ChoiceField(
        _l("Beleidsdomein"), coerce=optional_str, choices=_choices(DOMAIN_LABELS, _l("— kies —"))
    )
    level = ChoiceField(
        _l("Beleidsniveau"), coerce=optional_str, choices=_choices(LEVEL_LABELS, _l("— kies —"))
    )


class BundleStateForm(ReadableParseErrors, FlaskForm):
    state = ChoiceField(
        _l("Nieuwe fase"),
        coerce=optional_str,
        choices=[option(s.value, STATE_LABELS[s]) for s in BUNDLE_STATES],
        validators=[InputRequired(message=_l("Kies een fase."))],
    )
    passed_to = StringField(_l("Doorgegeven aan (bij „doorgegeven”)"), filters=[one_line])
    passed_on_at = DateField(
        _l("Doorgegeven op"),
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    note = TextAreaField(_l("Toelichting voor wie volgt (niet verplicht)"), render_kw={"rows": 2})


class PublishForm(FlaskForm):
    summary = TextAreaField(_l("Publieke samenvatting"), render_kw={"rows": 4})
    is_published = BooleanField(_l("Tonen op de publieke pagina „Doorgegeven signalen”"))


class NoteForm(FlaskForm):
    title = StringField(_l("Titel"), filters=[one_line])
    introduction = TextAreaField(_l("Inleiding"), render_kw={"rows": 5})
    quotes = TextAreaField(
        _l("Citaten uit de praktijk (anoniem; één per alinea)"), render_kw={"rows": 6}
    )
    recommendations = TextAreaField(_l("Aanbevelingen"), render_kw={"rows": 6})
    bundles = MultiCheckboxField(_l("Bundels in deze nota"), coerce=int)


class AnswerForm(ReadableParseErrors, FlaskForm):
    answered_by = StringField(_l("Van wie (overheid of dienst)"), filters=[one_line])
    received_on = DateField(
        _l("Ontvangen op"),
        format="%Y-%m-%d",
        validators=[InputRequired(message=_l("Geef de datum van het antwoord."))],
    )
    body = TextAreaField(_l("Het antwoord"), render_kw={"rows": 6})
    bundles = MultiCheckboxField(_l("Antwoord op de bundels"), coerce=int)


class LinkForm(FlaskForm):
    """Link the signal to a thread, an activity or a practice by its address on Bruggen."""

    address = StringField(
        _l("Adres van een gesprek, activiteit of praktijkvoorbeeld op Bruggen"), filters=[one_line]
    )
