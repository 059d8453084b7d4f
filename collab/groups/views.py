"""Group pages: list, home, members; joining, leaving, invitations, requests."""

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

from collab.auth.forms import ConfirmForm
from collab.auth.services import find_user_by_email
from collab.core.errors import DomainError
from collab.core.pagination import paginate
from collab.core.permissions import Role, group_view, is_secretariat, require
from collab.core.templating import country_choices
from collab.extensions import db
from collab.groups import permissions, services
from collab.groups.forms import (
    AddMemberForm,
    InviteForm,
    JoinRequestForm,
    RoleForm,
    role_choices,
)
from collab.meetings import services as meeting_services
from collab.members import permissions as member_permissions
from collab.members import services as member_services
from collab.threads import services as thread_services

bp = Blueprint("groups", __name__, url_prefix="/groups")


@bp.get("/")
def index():
    mine, others = services.groups_for(current_user)
    return render_template("groups/index.html", mine=mine, others=others)


@bp.get("/<slug>/")
@group_view()
def home(group):
    return _home(group, JoinRequestForm())


# Up to this many members the home page names them all, by country; a bigger body
# gets the count per country (the members page lists everyone, page by page).
HOME_NAMES_LIMIT = 60


def _home(group, request_form):
    counts = services.member_counts(group)
    member_count = sum(n for _country, n in counts)
    latest = thread_services.latest_threads(group)
    return render_template(
        "groups/home.html",
        latest_threads=latest,
        read=thread_services.read_numbers(current_user, [t.id for t in latest]),
        group=group,
        chairs=services.active_memberships(group, Role.CHAIR),
        member_count=member_count,
        country_counts=counts,
        by_country=services.members_by_country(services.active_memberships(group))
        if member_count <= HOME_NAMES_LIMIT
        else None,
        request_form=request_form,
        next_meeting=meeting_services.next_meeting(group),
    )


@bp.get("/<slug>/members")
@group_view()
def members(group):
    return _members_with(group)


@bp.post("/<slug>/join")
@group_view()
def join(group):
    require(permissions.can_join(current_user, group))
    services.join(current_user, group)
    db.session.commit()
    flash(_("Welcome to %(group)s.", group=group.name), "success")
    return redirect(url_for(".home", slug=group.slug))


@bp.post("/<slug>/request")
@group_view()
def request_to_join(group):
    require(permissions.can_request_to_join(current_user, group))
    form = JoinRequestForm()
    if not form.validate_on_submit():
        return _home(group, form), 400
    services.request_to_join(current_user, group, form.message.data or "")
    db.session.commit()
    flash(
        _("Your request has been sent to the chairs of %(group)s.", group=group.name),
        "success",
    )
    return redirect(url_for(".home", slug=group.slug))


@bp.post("/<slug>/leave")
@group_view()
def leave(group):
    require(permissions.can_leave(current_user, group))
    membership = services.get_membership_of(current_user, group)
    try:
        services.remove_member(current_user, membership)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".home", slug=group.slug))
    db.session.commit()
    flash(_("You have left %(group)s.", group=group.name), "success")
    return redirect(url_for(".index"))


@bp.post("/<slug>/requests/<int:membership_id>/<any(approve, decline):decision>")
@group_view(min_role=Role.CHAIR)
def decide(group, membership_id, decision):
    require(permissions.can_manage_members(current_user, group))
    membership = services.get_membership(group, membership_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.decide_request(current_user, membership, decision == "approve")
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("Request approved.") if decision == "approve" else _("Request declined."),
            "success",
        )
    return redirect(url_for(".members", slug=group.slug))


@bp.post("/<slug>/invitations")
@group_view(min_role=Role.CHAIR)
def invite(group):
    require(permissions.can_manage_members(current_user, group))
    form = InviteForm()
    form.role.choices = role_choices(include_chair=is_secretariat(current_user))
    if form.validate_on_submit():
        role = Role.parse(form.role.data)
        require(permissions.can_invite(current_user, group, role))
        try:
            services.invite(current_user, group, form.email.data, role)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for(".members", slug=group.slug))
    return _members_with(group, invite_form=form), 400


@bp.post("/<slug>/invitations/<int:invitation_id>/revoke")
@group_view(min_role=Role.CHAIR)
def revoke_invitation(group, invitation_id):
    require(permissions.can_manage_members(current_user, group))
    invitation = services.get_invitation(group, invitation_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.revoke_invitation(current_user, invitation)
    db.session.commit()
    flash(_("Invitation withdrawn."), "success")
    return redirect(url_for(".members", slug=group.slug))


@bp.post("/<slug>/members/<int:membership_id>/role")
@group_view(min_role=Role.CHAIR)
def change_role(group, membership_id):
    membership = services.get_membership(group, membership_id) or abort(404)
    require(permissions.can_change_membership(current_user, membership))
    form = RoleForm()
    form.role.choices = role_choices(include_chair=is_secretariat(current_user))
    if not form.validate_on_submit():
        abort(400)
    name = membership.user.display_name
    try:
        services.change_role(current_user, membership, Role.parse(form.role.data))
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Role changed for %(name)s.", name=name), "success")
    return redirect(url_for(".members", slug=group.slug))


@bp.post("/<slug>/members/<int:membership_id>/remove")
@group_view(min_role=Role.CHAIR)
def remove(group, membership_id):
    membership = services.get_membership(group, membership_id) or abort(404)
    require(permissions.can_change_membership(current_user, membership))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = membership.user.display_name
    try:
        services.remove_member(current_user, membership)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s was removed from the group.", name=name), "success")
    return redirect(url_for(".members", slug=group.slug))


@bp.post("/<slug>/members")
@group_view(min_role=Role.CHAIR)
def add_member(group):
    require(is_secretariat(current_user) and not group.is_archived)
    form = AddMemberForm()
    form.role.choices = role_choices(include_chair=True)
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(
                _("No account has this address. Send an invitation instead.")
            )
        else:
            services.add_member(current_user, group, user, Role.parse(form.role.data))
            db.session.commit()
            flash(
                _("%(name)s was added to the group.", name=user.display_name), "success"
            )
            return redirect(url_for(".members", slug=group.slug))
    return _members_with(group, add_form=form), 400


def _members_with(group, **forms):
    """The members page (the directory's listing, for this group); after a failed
    POST, with the errors of the form that was sent."""
    manage = permissions.can_manage_members(current_user, group)
    filters = {
        k: request.args.get(k, "")[:100].strip() for k in ("q", "country", "role")
    }
    role = filters["role"] if filters["role"] in ("chair", "member", "observer") else ""
    query = member_services.directory(
        current_user, q=filters["q"], country=filters["country"], group=group, role=role
    )
    page = paginate(query, per_page=50)
    choices = role_choices(include_chair=is_secretariat(current_user))
    context = {
        "invite_form": InviteForm(formdata=None),
        "role_form": RoleForm(formdata=None),
        "add_form": AddMemberForm(formdata=None)
        if is_secretariat(current_user)
        else None,
    }
    context.update(forms)
    for key in ("invite_form", "role_form", "add_form"):
        if context[key] is not None:
            context[key].role.choices = choices
    return render_template(
        "groups/members.html",
        group=group,
        page=page,
        filters=filters,
        memberships=member_services.roles_in(group, page.items),
        countries=country_choices(),
        requests=services.pending_requests(group) if manage else [],
        invitations=services.pending_invitations(group) if manage else [],
        confirm=ConfirmForm(),
        **context,
    )


@bp.get("/<slug>/members.<any(csv, vcf):kind>")
@group_view()
def export_contacts(group, kind):
    """The member list as CSV or vCard, each person's privacy choices applied."""
    require(member_permissions.can_export_contacts(current_user, group))
    if kind == "vcf":
        body, mimetype = (
            member_services.contacts_vcard(current_user, group),
            "text/vcard",
        )
    else:
        body, mimetype = member_services.contacts_csv(current_user, group), "text/csv"
    disposition = f'attachment; filename="{group.slug}-members.{kind}"'
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": disposition}
    )
