"""My account's security: password, second factor, sessions and recent events; and
the rule that sends people who must have a second factor to set one up."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from collab.audit import services as audit
from collab.audit.models import AuditEvent
from collab.auth import second_factor, services
from collab.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    PasswordCheckForm,
)
from collab.auth.models import UserSession
from collab.auth.sessions import end_session
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.core.tokens import hash_token
from collab.extensions import db
from collab.members.services import confirm_password

bp = Blueprint("account", __name__, url_prefix="/account")

# Reachable before the required second factor is set up.
ENROLMENT_ALLOWED = frozenset(
    {
        "account.two_factor",
        "auth.sign_out",
        "site.set_language",
        "site.healthz",
        "static",
    }
)
EVENTS_SHOWN = 20


@bp.before_app_request
def _require_second_factor():
    if request.endpoint in ENROLMENT_ALLOWED or not current_user.is_authenticated:
        return None
    if session.get("via_sso"):
        return None
    if not second_factor.is_required(current_user):
        return None
    if second_factor.is_enrolled(current_user):
        return None
    flash(
        _("Your role needs a second factor: set up an authenticator app to go on."),
        "info",
    )
    return redirect(url_for("account.two_factor"))


def _sessions():
    """Live sessions only: not ended, and within the idle and absolute limits."""
    config, now = current_app.config, utcnow()
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == current_user.id,
                UserSession.revoked_at.is_(None),
                UserSession.last_seen_at > now - config["SESSION_IDLE_TIMEOUT"],
                UserSession.created_at > now - config["SESSION_ABSOLUTE_TIMEOUT"],
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def _events():
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action.like("auth.%"),
                (AuditEvent.actor_id == current_user.id)
                | (
                    (AuditEvent.target_type == "user")
                    & (AuditEvent.target_id == current_user.id)
                ),
            )
            .order_by(AuditEvent.id.desc())
            .limit(EVENTS_SHOWN)
        )
    )


def _page(password_form=None, check_form=None, status=200):
    current_hash = hash_token(session.get("sid", ""))
    return render_template(
        "account/security.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        check_form=check_form or PasswordCheckForm(formdata=None),
        enrolled=second_factor.is_enrolled(current_user),
        required=second_factor.is_required(current_user),
        recovery_left=second_factor.remaining_recovery_codes(current_user),
        sessions=_sessions(),
        current_hash=current_hash,
        events=_events(),
        confirm=ConfirmForm(),
    ), status


@bp.get("/security")
def security():
    return _page()


@bp.post("/password")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.password_hash or not confirm_password(
            current_user, form.current.data
        ):
            db.session.commit()  # keep the failure count
            form.current.errors.append(_("That is not your current password."))
            return _page(password_form=form, status=400)
        try:
            services.set_password(current_user, form.password.data, actor=current_user)
        except DomainError as error:
            form.password.errors.append(error.message)
            return _page(password_form=form, status=400)
        if form.end_others.data:
            services.end_all_sessions(
                current_user, current_user, keep_raw=session.get("sid")
            )
        second_factor.tell(current_user, "password_changed")
        db.session.commit()
        flash(_("Your password is changed."), "success")
        return redirect(url_for(".security"))
    return _page(password_form=form, status=400)


@bp.post("/sessions/<int:session_id>/end")
def end_one_session(session_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != current_user.id or row.revoked_at is not None:
        abort(404)
    this_one = row.token_hash == hash_token(session.get("sid", ""))
    row.revoked_at = utcnow()
    audit.record(current_user, "auth.session_ended", current_user)
    db.session.commit()
    if this_one:
        end_session()
        return redirect(url_for("auth.sign_in"))
    flash(_("That session is ended."), "success")
    return redirect(url_for(".security"))


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor():
    """Set up an authenticator app: scan or type the key, confirm with a code."""
    if second_factor.is_enrolled(current_user):
        return redirect(url_for(".security"))
    form = CodeForm()
    if request.method == "GET":
        found = second_factor.start_enrolment(current_user)
        db.session.commit()
        return _enrol_page(found, form)
    # Nothing is stored for a post that fails its CSRF check.
    found = second_factor.credential(current_user)
    valid = form.validate_on_submit()
    if form.csrf_token.errors or found is None:
        abort(400)
    if valid:
        try:
            codes = second_factor.confirm_enrolment(current_user, form.code.data)
        except services.Throttled as error:
            db.session.commit()
            form.code.errors.append(error.message)
            return _enrol_page(found, form), 429
        except DomainError as error:
            db.session.commit()
            form.code.errors.append(error.message)
            return _enrol_page(found, form), 400
        db.session.commit()
        return render_template("account/recovery_codes.html", codes=codes)
    return _enrol_page(found, form), 400 if form.errors else 200


def _enrol_page(found, form):
    uri = second_factor.provisioning_uri(current_user, found)
    return render_template(
        "account/two_factor.html",
        form=form,
        qr=second_factor.qr_svg(uri),
        key=second_factor.grouped(found.secret),
        required=second_factor.is_required(current_user),
    )


@bp.post("/two-factor/remove")
def remove_two_factor():
    if second_factor.is_required(current_user):
        abort(403)
    form = PasswordCheckForm()
    if form.validate_on_submit() and confirm_password(current_user, form.password.data):
        second_factor.remove(current_user, actor=current_user)
        db.session.commit()
        flash(_("The authenticator app is removed from your account."), "success")
        return redirect(url_for(".security"))
    db.session.commit()
    form.password.errors.append(_("That is not your current password."))
    return _page(check_form=form, status=400)


@bp.post("/two-factor/recovery-codes")
def new_recovery_codes():
    form = PasswordCheckForm()
    if not second_factor.is_enrolled(current_user):
        abort(404)
    if form.validate_on_submit() and confirm_password(current_user, form.password.data):
        codes = second_factor.new_recovery_codes(current_user)
        audit.record(current_user, "auth.recovery_codes_renewed", current_user)
        db.session.commit()
        return render_template("account/recovery_codes.html", codes=codes)
    db.session.commit()
    form.password.errors.append(_("That is not your current password."))
    return _page(check_form=form, status=400)
