"""The secretariat console: groups, people, CSV import and export, the audit log."""

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
from sqlalchemy import func, select

from collab.admin import services
from collab.admin.forms import ApplyImportForm, GroupForm, ImportForm
from collab.admin.importer import ImportError_, plan_import
from collab.admin.permissions import can_use_console
from collab.auth import second_factor
from collab.auth import services as auth_services
from collab.auth.forms import ConfirmForm
from collab.auth.models import User
from collab.core.errors import DomainError
from collab.core.pagination import paginate
from collab.core.permissions import require
from collab.extensions import db
from collab.groups import services as group_services
from collab.groups.models import Group, Membership

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _secretariat_only():
    require(can_use_console(current_user))


@bp.get("/")
def index():
    counts = dict(
        db.session.execute(
            select(Membership.group_id, func.count(Membership.id))
            .where(Membership.status == "active")
            .group_by(Membership.group_id)
        ).all()
    )
    groups = db.session.scalars(
        select(Group).order_by(Group.is_archived, Group.name)
    ).all()
    return render_template(
        "admin/index.html", groups=groups, counts=counts, confirm=ConfirmForm()
    )


@bp.route("/groups/new", methods=["GET", "POST"])
def new_group():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = group_services.create_group(
                current_user,
                slug=form.slug.data,
                name=form.name.data,
                description=form.description.data or "",
                visibility=form.visibility.data,
                join_policy=form.join_policy.data,
            )
        except DomainError as error:
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            db.session.commit()
            flash(
                _("Group %(name)s created. Now appoint its chairs.", name=group.name),
                "success",
            )
            return redirect(url_for("groups.members", slug=group.slug))
    return render_template(
        "admin/group_form.html", form=form, group=None
    ), 400 if form.errors else 200


@bp.route("/groups/<slug>/edit", methods=["GET", "POST"])
def edit_group(slug):
    group = db.session.scalar(select(Group).where(Group.slug == slug)) or abort(404)
    form = GroupForm(obj=group)
    form.slug.data = (
        group.slug
    )  # the address never changes: links in e-mails must keep working
    if form.validate_on_submit():
        group_services.update_group(
            current_user,
            group,
            name=form.name.data,
            description=form.description.data or "",
            visibility=form.visibility.data,
            join_policy=form.join_policy.data,
        )
        db.session.commit()
        flash(_("Group saved."), "success")
        return redirect(url_for(".index"))
    return render_template(
        "admin/group_form.html", form=form, group=group
    ), 400 if form.errors else 200


@bp.post("/groups/<slug>/<any(archive, unarchive):action>")
def archive_group(slug, action):
    group = db.session.scalar(select(Group).where(Group.slug == slug)) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    group_services.set_archived(current_user, group, action == "archive")
    db.session.commit()
    flash(
        _("Group archived.") if action == "archive" else _("Group restored."), "success"
    )
    return redirect(url_for(".index"))


@bp.get("/people")
def people():
    query = request.args.get("q", "")[:200]
    page = paginate(services.search_people(query), per_page=50)
    return render_template(
        "admin/people.html",
        page=page,
        q=query,
        confirm=ConfirmForm(),
        enrolled=second_factor.enrolled_ids([user.id for user in page.items]),
    )


@bp.post(
    "/people/<int:user_id>/"
    "<any(deactivate, reactivate, 'end-sessions', 'reset-2fa'):action>"
)
def person_action(user_id, action):
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "end-sessions":
            auth_services.end_all_sessions(user, current_user)
        elif action == "reset-2fa":
            # A lost phone: the person sets up a new app at the next sign-in.
            second_factor.remove(user, actor=current_user)
        else:
            auth_services.set_active(user, action == "reactivate", actor=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        messages = {
            "deactivate": _("%(name)s can no longer sign in."),
            "reactivate": _("%(name)s can sign in again."),
            "end-sessions": _("%(name)s has been signed out everywhere."),
            "reset-2fa": _("%(name)s's second factor is reset."),
        }
        flash(messages[action] % {"name": user.display_name}, "success")
    return redirect(url_for(".people", q=request.args.get("q", "")))


@bp.route("/import", methods=["GET", "POST"])
def import_people():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            text = _uploaded_text(form)
        except UnicodeDecodeError:
            text = None
            form.file.errors.append(
                _(
                    "This file is not UTF-8 text. "
                    "Save it as “CSV UTF-8” and upload it again."
                )
            )
        if text is None and not form.file.errors:
            form.file.errors.append(
                _("Choose a CSV file (UTF-8) or paste its contents.")
            )
        elif text is not None:
            try:
                plans = plan_import(text)
            except ImportError_ as error:
                form.file.errors.append(str(error))
            else:
                apply_form = ApplyImportForm(formdata=None, text=text)
                return render_template(
                    "admin/import_preview.html",
                    plans=plans,
                    has_errors=any(p.errors for p in plans),
                    apply_form=apply_form,
                )
    return render_template("admin/import.html", form=form), 400 if form.errors else 200


@bp.post("/import/apply")
def apply_import():
    form = ApplyImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plans = services.apply_import(current_user, form.text.data)
    except (DomainError, ImportError_) as error:
        db.session.rollback()
        flash(getattr(error, "message", str(error)), "error")
        try:
            plans = plan_import(form.text.data)
        except ImportError_:
            return redirect(url_for(".import_people"))
        return render_template(
            "admin/import_preview.html", plans=plans, has_errors=True, apply_form=form
        ), 400
    db.session.commit()
    flash(_("Imported %(n)d row(s).", n=len(plans)), "success")
    return redirect(url_for(".people"))


def _uploaded_text(form) -> str | None:
    """The CSV as text, from the upload or the text box; UnicodeDecodeError if not
    UTF-8."""
    if form.file.data:
        return form.file.data.read(2_000_000).decode("utf-8-sig")
    return form.text.data or None


@bp.get("/memberships.csv")
def export_memberships():
    return Response(
        services.membership_csv(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="collab-memberships.csv"'
        },
    )


@bp.get("/audit")
def audit_log():
    filters = {
        key: request.args.get(key, "")[:200] for key in ("person", "group", "action")
    }
    page = paginate(
        services.audit_query(**filters),
        per_page=services.AUDIT_PAGE_SIZE,
    )
    groups = dict(db.session.execute(select(Group.id, Group.slug)).all())
    return render_template(
        "admin/audit.html", page=page, filters=filters, groups=groups
    )
