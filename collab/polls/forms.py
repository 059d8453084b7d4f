"""Poll forms (shape only; rules live in services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

DAY_FIELDS = 7


class PollForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    duration_minutes = IntegerField(
        _l("Meeting length in minutes"),
        default=90,
        validators=[DataRequired(), NumberRange(min=15, max=720)],
    )
    timezone = SelectField(
        _l("Time zone of the times below"),
        choices=[],
        validators=[DataRequired()],
        validate_choice=False,
        description=_l("Each participant sees the slots in their own time zone."),
    )
    clocks = StringField(
        _l("Start times on each day"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Separated by commas, e.g. 08:00, 13:00, 16:30."),
    )
    days = FieldList(
        DateField(_l("Day"), validators=[Optional()]), min_entries=DAY_FIELDS
    )
    closes_on = DateField(_l("Answers close on"), validators=[DataRequired()])
    closes_time = TimeField(_l("at"), validators=[DataRequired()])
    description = TextAreaField(
        _l("Message to participants"), validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField(_l("Send the poll"))
