"""Forms of reporting: a new progress report, its sections, the admin's template."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from community.core.forms import ChoiceField, MultiCheckboxField, optional_int
from reporting.period import BadPeriod, is_valid_period

DATE_MESSAGE = _l("Vul een datum in (JJJJ-MM-DD).")


class NewProgressReportForm(FlaskForm):
    """Region (of those the coordinator coordinates) and period of a new report."""

    region = ChoiceField(
        _l("Regio"), coerce=optional_int, validators=[InputRequired(_l("Kies een regio."))]
    )
    first = DateField(_l("Van"), validators=[InputRequired(DATE_MESSAGE)])
    last = DateField(_l("Tot en met"), validators=[InputRequired(DATE_MESSAGE)])

    def validate_last(self, field) -> None:
        from wtforms.validators import ValidationError

        if self.first.data and field.data and field.data < self.first.data:
            raise ValidationError(_l("Het einde van de periode ligt voor het begin."))
        if self.first.data and field.data and not is_valid_period(self.first.data, field.data):
            raise ValidationError(BadPeriod.text)


class ProgressReportForm(FlaskForm):
    """The texts of a draft report, one per section, and the revision they started from."""

    revision = HiddenField()
    texts = FieldList(TextAreaField(validators=[Optional()]))


class SectionForm(FlaskForm):
    """One section of the template (no CSRF of its own: part of TemplateForm)."""

    class Meta:
        csrf = False

    title = StringField(_l("Titel"), validators=[Optional(), Length(max=200)])
    guidance = TextAreaField(_l("Toelichting voor de coördinatoren"), validators=[Optional()])


class TemplateForm(FlaskForm):
    """The admin's progress-report template: its sections, in order."""

    sections = FieldList(FormField(SectionForm), min_entries=1)


class NewFinalReportForm(FlaskForm):
    """Title, period and the regions that get a chapter of a new final report."""

    title = StringField(
        _l("Titel"),
        validators=[InputRequired(_l("Geef het eindrapport een titel.")), Length(max=300)],
    )
    first = DateField(_l("Van"), validators=[InputRequired(DATE_MESSAGE)])
    last = DateField(_l("Tot en met"), validators=[InputRequired(DATE_MESSAGE)])
    regions = MultiCheckboxField(_l("Een hoofdstuk per regio"), coerce=int)

    def validate_last(self, field) -> None:
        from wtforms.validators import ValidationError

        if self.first.data and field.data and field.data < self.first.data:
            raise ValidationError(_l("Het einde van de periode ligt voor het begin."))
        if self.first.data and field.data and not is_valid_period(self.first.data, field.data):
            raise ValidationError(BadPeriod.text)


class FinalReportForm(FlaskForm):
    """The group's text of a final report."""

    revision = HiddenField()
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=300)])
    introduction = TextAreaField(_l("Inleiding"), validators=[Optional()])
    conclusions = TextAreaField(_l("Conclusies en aanbevelingen"), validators=[Optional()])
    chapters = FieldList(TextAreaField(validators=[Optional()]))
