"""Sign-in and out, password reset, first-time setup and invitation acceptance."""

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from collab.auth import second_factor, services
from collab.auth.forms import (
    AcceptInvitationForm,
    CodeForm,
    ConfirmForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
)
from collab.auth.models import User
from collab.auth.sessions import begin_session, end_session
from collab.core.errors import DomainError
from collab.core.permissions import public
from collab.core.templating import country_choices
from collab.core.urls import safe_next
from collab.extensions import db, login_manager
from collab.groups import services as group_services

bp = Blueprint("auth", __name__, url_prefix="/auth")

login_manager.login_view = "auth.sign_in"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
# Our own server-side sessions replace Flask-Login's IP/agent fingerprinting.
login_manager.session_protection = None


@login_manager.user_loader
def load_user(user_id: str):
    found = services.load_session(session.get("sid"))
    if found is None or str(found.user_id) != user_id:
        return None
    return found.user


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    target = safe_next(request.values.get("next"), url_for("site.dashboard"))
    if current_user.is_authenticated:
        return redirect(target)
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or ""
            )
        except DomainError as error:
            db.session.commit()  # keep the failure count and audit record
            status = 429 if isinstance(error, services.Throttled) else 200
            return render_template(
                "auth/sign_in.html", form=form, error=error.message
            ), status
        if second_factor.is_enrolled(user):
            # Half signed in: only a fixed-size note in the cookie until the code.
            db.session.commit()
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            session["pending_2fa"] = [user.id, int(time.time()), target]
            return redirect(url_for(".two_factor"))
        begin_session(user)
        db.session.commit()
        return redirect(target)
    return render_template("auth/sign_in.html", form=form)


PENDING_2FA_SECONDS = 300


@bp.route("/two-factor", methods=["GET", "POST"])
@public
def two_factor():
    """The second step of signing in: a code from the authenticator app."""
    pending = session.get("pending_2fa")
    user = None
    if pending and time.time() - pending[1] < PENDING_2FA_SECONDS:
        user = db.session.get(User, pending[0])
    if user is None or not user.is_active:
        session.pop("pending_2fa", None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for(".sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            ok = second_factor.verify(user, form.code.data)
        except services.Throttled as error:
            db.session.commit()
            return render_template(
                "auth/two_factor.html", form=form, error=error.message
            ), 429
        if ok:
            begin_session(user)
            db.session.commit()
            return redirect(safe_next(pending[2], url_for("site.dashboard")))
        db.session.commit()  # keep the failure count and audit record
        form.code.errors.append(_("That code is not right."))
    return render_template("auth/two_factor.html", form=form), (
        400 if form.errors else 200
    )


@bp.post("/sign-out")
@public
def sign_out():
    if current_user.is_authenticated and ConfirmForm().validate_on_submit():
        services.end_session(session.get("sid"), current_user)
        db.session.commit()
        end_session()
        flash(_("You have signed out."), "info")
    return redirect(url_for(".sign_in"))


@bp.post("/sign-out-everywhere")
def sign_out_everywhere():
    if ConfirmForm().validate_on_submit():
        services.end_all_sessions(current_user, current_user)
        db.session.commit()
        end_session()
        flash(_("You have been signed out on every device."), "info")
    return redirect(url_for(".sign_in"))


@bp.route("/reset", methods=["GET", "POST"])
@public
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account uses that address, we have sent it a link to choose "
                "a new password. The link works for 60 minutes."
            ),
            "info",
        )
        return redirect(url_for(".sign_in"))
    return render_template("auth/request_reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    return _set_password(token, "reset", _("Choose a new password"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
@public
def setup_account(token):
    return _set_password(token, "setup", _("Set up your account"))


def _set_password(token: str, purpose: str, title: str):
    try:
        password_token = services.check_password_token(token, purpose)
    except services.TokenError as error:
        return render_template(
            "auth/link_error.html", message=error.message
        ), error.status
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.redeem_password_token(token, purpose, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                end_session()
            flash(_("Your password is set. Please sign in."), "success")
            return redirect(url_for(".sign_in"))
    return render_template(
        "auth/set_password.html",
        form=form,
        title=title,
        email=password_token.user.email,
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    try:
        invitation = group_services.check_invitation(token)
    except services.TokenError as error:
        return render_template(
            "auth/link_error.html", message=error.message
        ), error.status
    account = services.find_user_by_email(invitation.email)
    if account is not None:
        return _accept_as_existing(token, invitation, account)
    form = AcceptInvitationForm()
    form.country.choices = [SelectChoice("", _("Choose…"))] + country_choices()
    if form.validate_on_submit():
        try:
            user, group = group_services.accept_invitation(
                token,
                display_name=form.display_name.data,
                password=form.password.data,
                country=form.country.data or None,
                organisation=form.organisation.data or "",
                position=form.position.data or "",
            )
        except DomainError as error:
            getattr(form, error.field or "password").errors.append(error.message)
        else:
            if current_user.is_authenticated:
                end_session()
            begin_session(user)
            db.session.commit()
            flash(_("Welcome to %(group)s.", group=group.name), "success")
            return redirect(url_for("groups.home", slug=group.slug))
    return render_template(
        "auth/accept_invitation.html", form=form, invitation=invitation
    )


def _accept_as_existing(token, invitation, account):
    """Someone who already has an account joins after signing in as that account."""
    if not current_user.is_authenticated:
        flash(
            _("You already have an account. Sign in to accept the invitation."), "info"
        )
        return redirect(url_for(".sign_in", next=request.path))
    if current_user.id != account.id:
        return render_template(
            "auth/link_error.html",
            message=_(
                "This invitation was sent to another e-mail address. Sign out, then "
                "open the link again."
            ),
        ), 403
    form = ConfirmForm()
    if form.validate_on_submit():
        user, group = group_services.accept_invitation(token, current_user)
        db.session.commit()
        flash(_("Welcome to %(group)s.", group=group.name), "success")
        return redirect(url_for("groups.home", slug=group.slug))
    return render_template("auth/join_invited.html", form=form, invitation=invitation)
