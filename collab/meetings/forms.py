"""Meeting, agenda, answer, attendance, minutes and outcome forms (shape only; rules
live in services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from collab.meetings.models import ActionStatus, Answer, ItemKind


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(_l("Date"), validators=[DataRequired()])
    start_time = TimeField(_l("Starts at"), validators=[DataRequired()])
    end_time = TimeField(_l("Ends at"), validators=[DataRequired()])
    end_date = DateField(
        _l("End date"),
        validators=[Optional()],
        description=_l("Only if the meeting ends on a later day."),
    )
    timezone = SelectField(
        _l("Time zone of these times"),
        choices=[],
        validators=[DataRequired()],
        # The service explains an unknown zone better than "Not a valid choice".
        validate_choice=False,
        description=_l("Members see the times in their own zone too."),
    )
    location = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=300)],
        description=_l("A room and address, if people meet in person."),
    )
    online_url = StringField(
        _l("Online meeting link"),
        validators=[Optional(), Length(max=500)],
        description=_l("Starting with https://"),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=10_000)]
    )
    submit = SubmitField(_l("Save meeting"))


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, sent to members"),
        validators=[DataRequired(), Length(max=2000)],
    )
    submit = SubmitField(_l("Cancel the meeting"))


KINDS = [
    SelectChoice(ItemKind.DISCUSSION, _l("For discussion")),
    SelectChoice(ItemKind.DECISION, _l("For decision")),
    SelectChoice(ItemKind.INFORMATION, _l("For information")),
]


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Purpose"), choices=KINDS)
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        default=15,
        validators=[DataRequired(), NumberRange(min=1, max=1440)],
    )
    presenter_id = SelectField(_l("Presenter"), choices=[], coerce=int, default=0)
    presenter_name = StringField(
        _l("Or a presenter who is not a member"),
        validators=[Optional(), Length(max=120)],
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=10_000)]
    )
    submit = SubmitField(_l("Save item"))


class AttachForm(FlaskForm):
    document = SelectField(
        _l("Document from the library"), choices=[], coerce=int, validate_choice=False
    )
    pin = BooleanField(
        _l("Pin to the current version (otherwise the latest is always shown)")
    )
    submit = SubmitField(_l("Attach"))


ANSWERS = [
    SelectChoice(Answer.YES, _l("Attending")),
    SelectChoice(Answer.MAYBE, _l("Maybe")),
    SelectChoice(Answer.NO, _l("Not attending")),
]


class RsvpForm(FlaskForm):
    answer = RadioField(_l("Will you attend?"), choices=ANSWERS)
    comment = StringField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=500)],
        description=_l("E.g. joining online, or who replaces you."),
    )
    submit = SubmitField(_l("Send my answer"))


class MinutesMetaForm(FlaskForm):
    note = StringField(
        _l("What this correction changes"),
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField(_l("Save minutes"))


class CirculateForm(FlaskForm):
    deadline = DateField(
        _l("Comments until"),
        validators=[DataRequired()],
        description=_l("Members can comment until the end of this day."),
    )
    submit = SubmitField(_l("Circulate to members"))


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment on the minutes"),
        validators=[DataRequired(), Length(max=5000)],
    )
    submit = SubmitField(_l("Send comment"))


class DelegateForm(FlaskForm):
    user = SelectField(_l("Minutes taken by"), choices=[], coerce=int, default=0)
    submit = SubmitField(_l("Save"))


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Decision"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Record decision"))


class ActionForm(FlaskForm):
    text = StringField(_l("Action"), validators=[DataRequired(), Length(max=2000)])
    owner = SelectField(_l("Owner"), choices=[], coerce=int, default=0)
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    submit = SubmitField(_l("Record action"))


ACTION_STATUSES = [
    SelectChoice(ActionStatus.OPEN, _l("Open")),
    SelectChoice(ActionStatus.DONE, _l("Done")),
    SelectChoice(ActionStatus.DROPPED, _l("Dropped")),
]
