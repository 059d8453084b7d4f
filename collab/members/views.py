"""The directory, profiles, photos, and a person's own data."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from collab.auth.forms import ConfirmForm
from collab.auth.sessions import end_session
from collab.core import storage
from collab.core.errors import DomainError
from collab.core.pagination import paginate
from collab.core.permissions import require
from collab.core.templating import country_choices
from collab.extensions import db
from collab.members import permissions, services
from collab.members.forms import EraseForm, PhotoForm, ProfileForm

bp = Blueprint("members", __name__, url_prefix="/members")
PAGE_SIZE = 25


def _person(username: str):
    return services.get_person(username) or abort(404)


@bp.get("/")
def directory():
    groups = services.groups_visible_to(current_user)
    filters = {
        key: request.args.get(key, "")[:100].strip()
        for key in ("q", "country", "group", "role")
    }
    group = next((g for g in groups if g.slug == filters["group"]), None)
    role = filters["role"] if filters["role"] in ("chair", "member", "observer") else ""
    query = services.directory(
        current_user, q=filters["q"], country=filters["country"], group=group, role=role
    )
    page = paginate(query, per_page=PAGE_SIZE)
    return render_template(
        "members/directory.html",
        page=page,
        filters=filters,
        groups=groups,
        countries=country_choices(),
    )


@bp.get("/<username>")
def profile(username):
    person = _person(username)
    return render_template(
        "members/profile.html",
        person=person,
        profile=person.profile,
        groups=services.visible_groups(current_user, person),
        local_now=services.local_now(person),
    )


@bp.route("/<username>/edit", methods=["GET", "POST"])
def edit(username):
    person = _person(username)
    require(permissions.can_edit_profile(current_user, person))
    form = (
        ProfileForm()
        if request.method == "POST"
        else ProfileForm(data=_form_data(person))
    )
    _add_choices(form)
    if form.validate_on_submit():
        fields = {name: (form[name].data or "") for name in PROFILE_FIELDS}
        fields["languages"] = [
            c.strip() for c in (form.languages.data or "").split(",") if c.strip()
        ]
        try:
            services.update_profile(current_user, person, **fields)
        except DomainError as error:
            db.session.rollback()
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for(".profile", username=person.username))
    return _edit_page(person, form=form)


PROFILE_FIELDS = (
    "display_name",
    "country",
    "organisation",
    "position",
    "bio",
    "expertise",
    "phone",
    "website",
    "timezone",
    "locale",
    "email_visibility",
    "phone_visibility",
)


def _form_data(person) -> dict:
    profile = services.profile_of(person)
    return {
        "display_name": person.display_name,
        "country": person.country or "",
        "organisation": person.organisation,
        "position": person.position,
        "timezone": person.timezone,
        "locale": person.locale or "",
        "bio": profile.bio,
        "expertise": ", ".join(e.tag for e in person.expertise),
        "languages": ", ".join(profile.languages or []),
        "phone": profile.phone,
        "website": profile.website,
        "email_visibility": profile.email_visibility,
        "phone_visibility": profile.phone_visibility,
    }


def _add_choices(form: ProfileForm) -> ProfileForm:
    form.country.choices = [SelectChoice("", _("Choose…"))] + country_choices()
    form.timezone.choices = [SelectChoice("", _("From my country"))] + [
        SelectChoice(zone) for zone in sorted(services.TIMEZONES)
    ]
    return form


def _edit_page(person, form=None, photo_form=None):
    """The edit page; a failed form keeps what was typed and answers 400."""
    form = form or _add_choices(ProfileForm(formdata=None, data=_form_data(person)))
    photo_form = photo_form or PhotoForm(formdata=None)
    status = 400 if form.errors or photo_form.errors else 200
    return render_template(
        "members/edit.html",
        form=form,
        person=person,
        profile=services.profile_of(person),
        photo_form=photo_form,
        confirm=ConfirmForm(),
    ), status


@bp.post("/<username>/photo")
def upload_photo(username):
    person = _person(username)
    require(permissions.can_edit_profile(current_user, person))
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            services.set_photo(
                current_user, person, form.photo.data.read(services.MAX_PHOTO_READ)
            )
        except DomainError as error:
            db.session.rollback()
            form.photo.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your photo is updated."), "success")
            return redirect(url_for(".edit", username=person.username))
    return _edit_page(person, photo_form=form)


@bp.post("/<username>/photo/remove")
def remove_photo(username):
    person = _person(username)
    require(permissions.can_edit_profile(current_user, person))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_photo(current_user, person)
    db.session.commit()
    flash(_("Your photo is removed."), "success")
    return redirect(url_for(".edit", username=person.username))


@bp.get("/<username>/photo")
def photo(username):
    person = _person(username)
    key = person.profile.photo_key if person.profile else None
    if not key or not storage.storage().exists(key):
        abort(404)
    response = Response(storage.storage().read(key), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/<username>/data.zip")
def download_data(username):
    person = _person(username)
    require(permissions.can_download_data(current_user, person))
    return Response(
        services.export_data(person),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{person.username}-data.zip"'
        },
    )


@bp.route("/<username>/erase", methods=["GET", "POST"])
def erase(username):
    person = _person(username)
    require(permissions.can_erase_account(current_user, person))
    form = EraseForm()
    if form.validate_on_submit():
        if not services.confirm_password(current_user, form.password.data):
            db.session.commit()  # keep the failed attempt counted
            form.password.errors.append(_("That is not your password."))
        else:
            is_self = person.id == current_user.id
            services.erase_account(current_user, person)
            db.session.commit()
            if is_self:
                end_session()
                flash(_("Your account and personal data have been erased."), "info")
                return redirect(url_for("auth.sign_in"))
            flash(_("The account and its personal data have been erased."), "success")
            return redirect(url_for("admin.people"))
    return render_template(
        "members/erase.html", form=form, person=person
    ), 400 if form.errors else 200
