"""Thread, reply, edit, hide and move forms."""

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from collab.threads.models import MAX_BODY

TOO_LONG = _l("A post can have at most 100,000 characters.")
BODY_HINT = _l(
    "Markdown: **bold**, _italic_, lists, > quotes, `code`, tables, links. "
    "Mention someone with @ and their name."
)


class PostForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(
                max=MAX_BODY, message=_l("A post can have at most 100,000 characters.")
            ),
        ],
        description=BODY_HINT,
    )
    # One token per rendered form: the same form sent twice makes one post.
    form_token = HiddenField()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Post reply"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.form_token.data:
            self.form_token.data = secrets.token_urlsafe(16)


class ThreadForm(PostForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Start thread"))


class EditForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(
                max=MAX_BODY, message=_l("A post can have at most 100,000 characters.")
            ),
        ],
        description=BODY_HINT,
    )
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save changes"))


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason shown in place of the post"),
        validators=[DataRequired(), Length(max=500)],
    )
    submit = SubmitField(_l("Hide post"))


class MoveForm(FlaskForm):
    group = SelectField(_l("Move to group"), choices=[])
    submit = SubmitField(_l("Move thread"))


class SubscriptionForm(FlaskForm):
    level = SelectField(
        _l("Notifications for this thread"), choices=[], validators=[Optional()]
    )
    submit = SubmitField(_l("Save"))
