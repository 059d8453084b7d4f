"""Forms for joining, inviting and managing members."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from collab.core.permissions import role_label


def role_choices(include_chair: bool) -> list[SelectChoice]:
    keys = ["member", "observer"] + (["chair"] if include_chair else [])
    return [SelectChoice(key, role_label(key)) for key in keys]


class JoinRequestForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the chairs (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Say who you are and why you would like to join."),
    )
    submit = SubmitField(_l("Ask to join"))


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=[])
    submit = SubmitField(_l("Send invitation"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[])
    submit = SubmitField(_l("Change role"))


class AddMemberForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of an existing account"),
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    role = SelectField(_l("Role"), choices=[])
    submit = SubmitField(_l("Add to group"))
