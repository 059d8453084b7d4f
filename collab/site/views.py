"""The dashboard, the language switch and /healthz."""

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from collab.auth.forms import ConfirmForm
from collab.core.permissions import public
from collab.core.urls import safe_next
from collab.extensions import db
from collab.groups import services as group_services
from collab.meetings import minutes as meeting_minutes
from collab.meetings import services as meeting_services
from collab.polls import services as poll_services
from collab.threads import services as thread_services

bp = Blueprint("site", __name__)


OTHER_GROUPS = 12


@bp.get("/")
def dashboard():
    # A few other groups to discover; the groups page lists them all (an
    # organisation has hundreds).
    mine, others = group_services.groups_for(current_user, OTHER_GROUPS + 1)
    unread = thread_services.unread_threads(current_user)
    return render_template(
        "site/dashboard.html",
        mine=mine,
        others=others[:OTHER_GROUPS],
        more_groups=len(others) > OTHER_GROUPS,
        unread=unread,
        meetings=meeting_services.upcoming_for(current_user, limit=5),
        actions=meeting_minutes.open_actions_of(current_user, limit=5),
        polls=poll_services.waiting_for(current_user),
    )


@bp.post("/language")
@public
def set_language():
    """Remember the chosen language: on the account when signed in, else in the
    session."""
    locale = request.form.get("locale")
    if ConfirmForm().validate_on_submit() and locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), "/"))


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")
