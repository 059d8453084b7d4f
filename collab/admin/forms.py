"""Secretariat forms: groups and the CSV import."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

VISIBILITY = [
    SelectChoice("public", _l("Public: every signed-in person can read it")),
    SelectChoice("private", _l("Private: only its members know it exists")),
]
JOIN_POLICY = [
    SelectChoice("open", _l("Open: anyone may join")),
    SelectChoice("request", _l("By request: the chairs approve")),
    SelectChoice("invite", _l("Invitation only")),
]


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        _l("Web address"),
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use lower-case letters, digits and hyphens only."),
            ),
        ],
        description=_l(
            "Appears in links: /groups/<address>/. Cannot be changed later."
        ),
    )
    description = TextAreaField(
        _l("Remit"),
        validators=[Optional(), Length(max=20000)],
        description=_l("What the group works on. Markdown is allowed."),
    )
    visibility = RadioField(_l("Visibility"), choices=VISIBILITY, default="public")
    join_policy = RadioField(
        _l("How people join"), choices=JOIN_POLICY, default="request"
    )
    submit = SubmitField(_l("Save group"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
    text = TextAreaField(
        _l("…or paste the CSV here"),
        validators=[Optional(), Length(max=1_000_000)],
        description=_l(
            "Columns: email, name, country, organisation, position, group, role."
        ),
    )
    submit = SubmitField(_l("Preview"))


class ApplyImportForm(FlaskForm):
    text = HiddenField(validators=[DataRequired(), Length(max=1_000_000)])
    submit = SubmitField(_l("Import all rows"))
