"""Shared form pieces: choice fields that refuse unknown values, option helpers, the one EmptyForm.

Labels and messages are lazy-translated with the Dutch text as message id; every
validator has an explicit Dutch ``message`` so no English WTForms default leaks.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.widgets import CheckboxInput, ListWidget

try:  # WTForms >= 3.3: options as SelectChoice (tuples are deprecated there)
    # types-WTForms describes WTForms 3.2, without SelectChoice.
    from wtforms.fields.choices import SelectChoice as _SelectChoice  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - WTForms 3.1/3.2 take (value, label) tuples
    _SelectChoice = None


def option(value, label):
    """Return one option of a select, checkbox or radio list, for any supported WTForms."""
    if _SelectChoice is None:
        return (value, label)
    return _SelectChoice(value=value, label=label)


INVALID_CHOICE = _l("Kies een van de mogelijkheden uit de lijst.")


INVALID_CHOICES = _l("Kies alleen mogelijkheden uit de lijst (niet geldig: %(value)s).")


def optional_int(value) -> int | None:
    """Coerce a submitted select value to an int id; "" (no choice) becomes None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def optional_str(value) -> str | None:
    """Coerce a submitted select value to a string; "" (no choice) becomes None."""
    if value in (None, "", "None"):
        return None
    return str(value)


class ChoiceField(SelectField):
    """A select with Dutch messages for values that are not in its choices."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_value_message", INVALID_CHOICE)
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as a list of checkboxes (rendered in a fieldset by the macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_value_message", INVALID_CHOICE)
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICES)
        super().__init__(*args, **kwargs)


def strip_spaces(value: str | None) -> str | None:
    """Drop the spaces a pasted address often carries."""
    return value.strip() if isinstance(value, str) else value


class EmptyForm(FlaskForm):
    """A POST-only button: the form carries nothing but its CSRF token."""

    submit = SubmitField(_l("Verder"))


DATE_MESSAGE = _l("Geef een geldige datum, zoals 2027-03-15.")
TIME_MESSAGE = _l("Geef een geldig uur, zoals 14:00.")
NUMBER_MESSAGE = _l("Geef een geheel getal.")


class ReadableParseErrors:
    """Mixin for a ``FlaskForm`` (put it first): a date, time or whole-number field whose
    input cannot be read gets one clear message of our own instead of WTForms' English
    one. ``parse_messages`` maps a field type to its message; a form may give its own."""

    parse_messages: dict = {
        "DateField": DATE_MESSAGE,
        "TimeField": TIME_MESSAGE,
        "IntegerField": NUMBER_MESSAGE,
    }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[misc]
        for f in self:  # type: ignore[attr-defined]
            message = self.parse_messages.get(f.type)
            if message and f.process_errors and f.errors:
                f.errors[:] = [message]
        return valid
