"""Sign-in, password and invitation forms (shape only; rules live in services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class SignInForm(FlaskForm):
    email = StringField(
        _l("E-mail address"), validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=1024)]
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ResetRequestForm(FlaskForm):
    email = StringField(
        _l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256)],
        description=_l(
            "At least 15 characters. A few unrelated words are easy to remember."
        ),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Set password"))


class AcceptInvitationForm(NewPasswordForm):
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120)]
    )
    country = SelectField(_l("Country"), validators=[Optional()], choices=[])
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=200)]
    )
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Create my account and join"))


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""

    submit = SubmitField(_l("Confirm"))


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20)],
        description=_l(
            "The 6 digits your authenticator app shows, or one of your recovery codes."
        ),
    )
    submit = SubmitField(_l("Continue"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256)],
        description=_l(
            "At least 15 characters. A few unrelated words are easy to remember."
        ),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    end_others = BooleanField(_l("Sign me out on my other devices"), default=True)
    submit = SubmitField(_l("Change password"))


class PasswordCheckForm(FlaskForm):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(), Length(max=1024)]
    )
    submit = SubmitField(_l("Confirm"))
