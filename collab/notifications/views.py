"""In-app notifications, e-mail settings and the one-click unsubscribe."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from collab.auth.forms import ConfirmForm
from collab.core.pagination import paginate
from collab.core.permissions import public
from collab.core.urls import safe_next
from collab.extensions import csrf, db
from collab.members.services import groups_visible_to
from collab.notifications import activity

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
def index():
    page = paginate(activity.listing(current_user), per_page=30)
    return render_template(
        "notifications/index.html",
        page=page,
        confirm=ConfirmForm(),
        post_url=activity.post_url,
    )


@bp.get("/<int:notification_id>")
def open_one(notification_id):
    notification = activity.get_for(current_user, notification_id) or abort(404)
    activity.mark_read(current_user, notification)
    db.session.commit()
    if notification.post is None:
        return redirect(safe_next(notification.path, url_for(".index")))
    return redirect(activity.post_url(notification.post, external=False))


@bp.post("/read")
def read_all():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    activity.mark_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    groups = groups_visible_to(current_user)
    prefs = activity.preferences(current_user)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        choices = [(None, "default")] + [(g.id, str(g.id)) for g in groups]
        for group_id, key in choices:
            mode = request.form.get(f"mode-{key}", "")
            if mode not in activity.MODES:
                if group_id is None:
                    abort(400)
                mode = ""
            watch = request.form.get(f"watch-{key}") == "on"
            activity.set_preference(current_user, group_id, mode, watch)
        db.session.commit()
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for(".settings"))
    return render_template(
        "notifications/settings.html",
        groups=groups,
        prefs=prefs,
        confirm=ConfirmForm(),
        modes=activity.MODES,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token):
    """The link in every e-mail: GET shows a button; POST (the button, or a mail
    client's one-click request per RFC 8058) applies it. The signed token is the
    authorisation, so no sign-in or CSRF token is needed."""
    data = activity.read_unsubscribe_token(token)
    if data is None:
        abort(404)
    if request.method == "POST":
        what = activity.unsubscribe(data)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", what=what)
    return render_template(
        "notifications/unsubscribe.html", token=token, thread=bool(data.get("t"))
    )
