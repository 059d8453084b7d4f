"""Agenda pages: add, edit, remove and reorder items, attach documents, publish."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from collab.auth.forms import ConfirmForm
from collab.core.errors import DomainError, render_error
from collab.core.permissions import Role, group_view, require
from collab.extensions import db
from collab.meetings import agenda, permissions, services
from collab.meetings.forms import AttachForm, ItemForm
from collab.meetings.views import load_meeting

bp = Blueprint(
    "agenda", __name__, url_prefix="/groups/<slug>/meetings/<int:meeting_id>"
)


def _editable(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_edit_meeting(current_user, meeting))
    if meeting.status not in ("draft", "scheduled"):
        abort(
            make_response(
                render_error(409, _("The agenda of a held meeting no longer changes."))
            )
        )
    return meeting


def _item(meeting, item_id):
    return next((i for i in meeting.items if i.id == item_id), None) or abort(404)


def _back(group, meeting, anchor="agenda"):
    return redirect(
        url_for("meetings.show", slug=group.slug, meeting_id=meeting.id, _anchor=anchor)
    )


def _presenters(form, group):
    form.presenter_id.choices = [SelectChoice(0, _("Nobody in particular"))] + [
        SelectChoice(person.id, person.display_name)
        for person in services.members_for_choice(group)
    ]
    return form


def _item_page(group, meeting, form, item=None):
    if form.validate_on_submit():
        try:
            if item is None:
                agenda.add_item(current_user, meeting, form.data)
                flash(_("Item added."), "success")
            else:
                agenda.update_item(current_user, item, form.data)
                flash(_("Item saved."), "success")
            db.session.commit()
            return _back(group, meeting)
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.field or "title", form.title)
            field.errors = list(field.errors) + [error.message]
    return render_template(
        "meetings/item_form.html", group=group, meeting=meeting, form=form, item=item
    ), 400 if form.errors else 200


@bp.route("/agenda/new", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def add_item(group, meeting_id):
    meeting = _editable(group, meeting_id)
    return _item_page(group, meeting, _presenters(ItemForm(), group))


@bp.route("/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def edit_item(group, meeting_id, item_id):
    meeting = _editable(group, meeting_id)
    item = _item(meeting, item_id)
    data = None
    if request.method == "GET":
        data = {
            "title": item.title,
            "kind": item.kind,
            "duration_minutes": item.duration_minutes,
            "presenter_id": item.presenter_id or 0,
            "presenter_name": item.presenter_name,
            "description": item.description,
        }
    form = _presenters(ItemForm(data=data), group)
    return _item_page(group, meeting, form, item)


def _confirmed():
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.post("/agenda/<int:item_id>/delete")
@group_view(min_role=Role.CHAIR)
def delete_item(group, meeting_id, item_id):
    meeting = _editable(group, meeting_id)
    item = _item(meeting, item_id)
    _confirmed()
    agenda.remove_item(current_user, item)
    db.session.commit()
    flash(_("Item removed."), "success")
    return _back(group, meeting)


@bp.post("/agenda/<int:item_id>/move")
@group_view(min_role=Role.CHAIR)
def move_item(group, meeting_id, item_id):
    meeting = _editable(group, meeting_id)
    item = _item(meeting, item_id)
    _confirmed()
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    agenda.move(item, direction)
    db.session.commit()
    return _back(group, meeting, anchor=f"item-{item.id}")


@bp.post("/agenda/order")
@group_view(min_role=Role.CHAIR)
def reorder(group, meeting_id):
    """The order from dragging items (with JavaScript): ``order=3,1,2``."""
    meeting = _editable(group, meeting_id)
    _confirmed()
    try:
        ids = [int(part) for part in request.form.get("order", "").split(",") if part]
        agenda.reorder(meeting, ids)
    except ValueError:
        abort(400)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(group, meeting), 303
    db.session.commit()
    flash(_("New order saved."), "success")
    return _back(group, meeting)


@bp.post("/agenda/review")
@group_view(min_role=Role.CHAIR)
def add_review(group, meeting_id):
    meeting = _editable(group, meeting_id)
    _confirmed()
    try:
        agenda.add_review_item(current_user, meeting)
        db.session.commit()
        flash(_("Added a review of open actions."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _back(group, meeting)


@bp.route("/agenda/<int:item_id>/documents", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def attach(group, meeting_id, item_id):
    meeting = _editable(group, meeting_id)
    item = _item(meeting, item_id)
    form = AttachForm()
    form.document.choices = [
        SelectChoice(doc.id, doc.title) for doc in agenda.documents_for_choice(meeting)
    ]
    if form.validate_on_submit():
        try:
            agenda.attach(current_user, item, form.document.data, form.pin.data)
            db.session.commit()
            flash(_("Document attached."), "success")
            return _back(group, meeting, anchor=f"item-{item.id}")
        except DomainError as error:
            db.session.rollback()
            form.document.errors = list(form.document.errors) + [error.message]
    return render_template(
        "meetings/attach.html",
        group=group,
        meeting=meeting,
        item=item,
        form=form,
        confirm=ConfirmForm(),
    ), 400 if form.errors else 200


@bp.post("/agenda/<int:item_id>/documents/<int:attachment_id>/delete")
@group_view(min_role=Role.CHAIR)
def detach(group, meeting_id, item_id, attachment_id):
    meeting = _editable(group, meeting_id)
    item = _item(meeting, item_id)
    _confirmed()
    try:
        agenda.detach(current_user, item, attachment_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(_("Document removed from the item."), "success")
    return _back(group, meeting, anchor=f"item-{item.id}")


@bp.post("/agenda/publish")
@group_view(min_role=Role.CHAIR)
def publish(group, meeting_id):
    meeting = _editable(group, meeting_id)
    _confirmed()
    try:
        listed = agenda.publish(current_user, meeting)
        db.session.commit()
        if meeting.status != "scheduled":
            flash(
                _("Agenda published: members see it once the meeting is scheduled."),
                "success",
            )
        elif listed:
            flash(_("Changes published: members were told."), "success")
        else:
            flash(_("Agenda published: members were told."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _back(group, meeting)
