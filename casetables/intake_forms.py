"""Forms of the case requests' intake (issue 19): the request, a message, a redirect, the
table's plan. Texts are checked by the domain (:mod:`casetables.requests`,
:mod:`casetables.intake`): one rule, one message, shown at the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length

from casetables.models import SCHOOL_LEVEL_LABELS, URGENCY_LABELS
from community.accounts.models import ORGANISATION_TYPE_LABELS
from community.core.forms import (
    DATE_MESSAGE,
    TIME_MESSAGE,
    ChoiceField,
    MultiCheckboxField,
    option,
    optional_int,
    optional_str,
)
from community.core.text import one_line
from events.organising.door_forms import InviteForm
from events.organising.forms import TOO_LONG_MESSAGE as TOO_LONG
from signals.models import AGE_LABELS


def _choices(labels: dict, empty):
    return [option("", empty)] + [option(member.value, label) for member, label in labels.items()]


class RequestForm(FlaskForm):
    """A case request: the structured fields of :class:`casetables.requests.RequestFields`."""

    region_id = ChoiceField(_l("Regio"), coerce=optional_int)
    age_group = ChoiceField(
        _l("Leeftijdsgroep"), coerce=optional_str, choices=_choices(AGE_LABELS, _l("Kies…"))
    )
    school_level = ChoiceField(
        _l("Onderwijsniveau"),
        coerce=optional_str,
        choices=_choices(SCHOOL_LEVEL_LABELS, _l("Kies…")),
    )
    stuck = TextAreaField(_l("Wat loopt vast?"), render_kw={"rows": 5})
    tried = TextAreaField(_l("Wat werd al geprobeerd?"), render_kw={"rows": 5})
    tried_services = MultiCheckboxField(
        _l("Door welke soorten diensten (geen namen)?"),
        choices=[option(t.value, label) for t, label in ORGANISATION_TYPE_LABELS.items()],
    )
    question = TextAreaField(_l("Je vraag aan de casustafel"), render_kw={"rows": 3})
    urgency = ChoiceField(
        _l("Hoe dringend?"),
        coerce=optional_str,
        choices=[option(u.value, label) for u, label in URGENCY_LABELS.items()],
    )


class MessageForm(FlaskForm):
    """A clarification question (coordinator) or the requester's answer."""

    body = TextAreaField(_l("Bericht"), render_kw={"rows": 4})


class RedirectForm(FlaskForm):
    """Redirect a case to an offer of the regional map."""

    offer = ChoiceField(_l("Aanbod op de regiokaart"), coerce=optional_int)


class PlanForm(InviteForm):
    """When and where the table meets, and whom to invite (the invitation form's fields)."""

    day = DateField(
        _l("Datum"), validators=[InputRequired(message=DATE_MESSAGE)], format="%Y-%m-%d"
    )
    starts = TimeField(_l("Beginuur"), validators=[InputRequired(message=TIME_MESSAGE)])
    ends = TimeField(_l("Einduur"), validators=[InputRequired(message=TIME_MESSAGE)])
    venue_name = StringField(
        _l("Plaats"), filters=[one_line], validators=[Length(max=200, message=TOO_LONG)]
    )
    venue_address = StringField(
        _l("Adres van de plaats (niet verplicht)"),
        filters=[one_line],
        validators=[Length(max=300, message=TOO_LONG)],
    )

    def validate(self, extra_validators=None) -> bool:
        """WTForms' own (English) messages for a date or time it cannot read become ours."""
        valid = super().validate(extra_validators)
        for f, message in (
            (self.day, DATE_MESSAGE),
            (self.starts, TIME_MESSAGE),
            (self.ends, TIME_MESSAGE),
        ):
            if f.errors:
                f.errors = [message]
        return valid
