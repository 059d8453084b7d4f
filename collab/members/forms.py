"""Profile, photo, directory filter and account-erasure forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from collab.members.models import ContactVisibility

VISIBILITY_CHOICES = [
    SelectChoice(ContactVisibility.SECRETARIAT, _l("Only the secretariat")),
    SelectChoice(ContactVisibility.GROUPS, _l("Members of my groups")),
    SelectChoice(ContactVisibility.EVERYONE, _l("Everyone signed in")),
]


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=200)]
    )
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(
        _l("About me"),
        validators=[Optional(), Length(max=10000)],
        description=_l("A few lines on your work. Markdown is allowed."),
    )
    expertise = StringField(
        _l("Areas of expertise"),
        validators=[Optional(), Length(max=1500)],
        description=_l("Separated by commas, e.g. eID, wallets, procurement."),
    )
    languages = StringField(
        _l("Languages spoken"),
        validators=[Optional(), Length(max=200)],
        description=_l("Two-letter codes separated by commas, e.g. en, fr, et."),
    )
    email_visibility = SelectField(
        _l("Who sees my e-mail address"), choices=VISIBILITY_CHOICES
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    phone_visibility = SelectField(
        _l("Who sees my phone number"), choices=VISIBILITY_CHOICES
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300)],
        description=_l("Starting with https://"),
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        validators=[Optional()],
        description=_l("Leave empty to use your country's."),
    )
    locale = SelectField(
        _l("Interface language"),
        validators=[Optional()],
        choices=[
            SelectChoice("", _l("As my browser asks")),
            SelectChoice("en", "English"),
            SelectChoice("fr", "Français"),
        ],
    )
    submit = SubmitField(_l("Save profile"))


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("New photo"),
        validators=[FileRequired(_l("Choose an image file."))],
        description=_l("JPEG, PNG or WebP, up to 5 MB. It is cropped to a square."),
    )
    submit = SubmitField(_l("Upload photo"))


class EraseForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=1024)],
        description=_l("To confirm it is you."),
    )
    submit = SubmitField(_l("Erase the account"))
