"""Upload, version, folder and document forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class UploadForm(FlaskForm):
    files = MultipleFileField(
        _l("Files"),
        description=_l(
            "One or several: PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, "
            "Markdown, PNG or JPEG."
        ),
    )
    folder = SelectField(_l("Folder"), choices=[], validators=[Optional()])
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=500)],
        description=_l("Separated by commas."),
    )
    submit = SubmitField(_l("Upload"))


class VersionForm(FlaskForm):
    file = FileField(_l("New version"), validators=[FileRequired(_l("Choose a file."))])
    note = StringField(_l("What changed"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Upload new version"))


class FolderForm(FlaskForm):
    name = StringField(_l("Folder name"), validators=[DataRequired(), Length(max=120)])
    parent = SelectField(_l("Inside"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Create folder"))


class RenameFolderForm(FlaskForm):
    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=120)])
    parent = SelectField(_l("Move inside"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Save folder"))


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)]
    )
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=500)],
        description=_l("Separated by commas."),
    )
    folder = SelectField(_l("Folder"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Save"))
