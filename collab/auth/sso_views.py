"""Signing in through an organisation's OpenID provider, and linking or unlinking
such sign-ins from one's account."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from collab.audit import services as audit
from collab.auth import identities, oidc
from collab.auth.forms import ConfirmForm
from collab.auth.sessions import begin_session
from collab.core.permissions import public
from collab.core.urls import safe_next
from collab.extensions import db

bp = Blueprint("sso", __name__, url_prefix="/auth/sso")


def _provider(name):
    return oidc.provider(name) or abort(404)


@bp.post("/<provider_name>/start")
@public
def start(provider_name):
    """Off to the provider. Signed in, this links the identity to the account."""
    p = _provider(provider_name)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    linking = current_user.is_authenticated
    try:
        url, state = oidc.start(
            p,
            next_url=safe_next(request.form.get("next"), ""),
            link_user_id=current_user.id if linking else None,
        )
    except oidc.SsoError as error:
        db.session.rollback()
        return _failed(p, error), 502
    db.session.commit()
    # One slot: a newer start replaces an abandoned one, so the cookie never grows.
    session["sso_state"] = state
    return redirect(url)


@bp.get("/<provider_name>/callback")
@public
def callback(provider_name):
    p = _provider(provider_name)
    expected = session.pop("sso_state", None)
    try:
        if request.args.get("error"):
            raise oidc.SsoError(
                _(
                    "The sign-in was cancelled or refused at %(provider)s.",
                    provider=p.title,
                )
            )
        flow = oidc.take_state(p, request.args.get("state"), expected)
        db.session.commit()  # a state is used once, whatever happens next
        claims = oidc.exchange(p, request.args.get("code", ""), flow)
        if flow.link_user_id is not None:
            return _linked(p, flow, claims)
        user = identities.account_for(p, claims)
    except identities.NoAccount as error:
        db.session.rollback()
        audit.record(
            None, "auth.sso_failed", None, provider=p.name, reason="no-account"
        )
        db.session.commit()
        return render_template(
            "auth/sso_no_account.html", provider=p, message=error.message
        ), 403
    except oidc.SsoError as error:
        db.session.rollback()
        return _failed(p, error), 400
    begin_session(user)
    # The provider handles the second factor: no TOTP asked or required here.
    session["via_sso"] = True
    audit.record(user, "auth.sso_sign_in", user, provider=p.name)
    db.session.commit()
    return redirect(safe_next(flow.next_url, url_for("site.dashboard")))


def _linked(p, flow, claims):
    if not current_user.is_authenticated or current_user.id != flow.link_user_id:
        raise oidc.SsoError(_("Sign in again, then link the account."))
    identities.link(current_user, p, claims)
    db.session.commit()
    flash(_("You can now sign in with %(provider)s.", provider=p.title), "success")
    return redirect(url_for(".identities_page"))


def _failed(p, error):
    audit.record(
        current_user if current_user.is_authenticated else None,
        "auth.sso_failed",
        None,
        provider=p.name,
        reason=error.message,
    )
    db.session.commit()
    return render_template("auth/sso_failed.html", provider=p, message=error.message)


@bp.get("/identities")
def identities_page():
    return render_template(
        "account/identities.html",
        identities=identities.identities_of(current_user),
        providers=oidc.providers(),
        confirm=ConfirmForm(),
    )


@bp.post("/identities/<int:identity_id>/unlink")
def unlink(identity_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        identities.unlink(current_user, identity_id)
    except LookupError:
        abort(404)
    except oidc.SsoError as error:
        flash(error.message, "error")
        return redirect(url_for(".identities_page")), 303
    db.session.commit()
    flash(_("That sign-in is unlinked."), "success")
    return redirect(url_for(".identities_page"))
