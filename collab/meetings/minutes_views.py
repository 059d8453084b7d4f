"""Minutes pages (write, circulate, comment, adopt, history), decisions, actions and
the group's action register."""

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from collab.auth.forms import ConfirmForm
from collab.core.errors import DomainError
from collab.core.permissions import Role, group_view, require
from collab.extensions import db
from collab.meetings import minutes, permissions, services, times
from collab.meetings.forms import (
    ActionForm,
    CirculateForm,
    CommentForm,
    DecisionForm,
    DelegateForm,
    MinutesMetaForm,
)
from collab.meetings.views import load_meeting

bp = Blueprint("minutes", __name__, url_prefix="/groups/<slug>")


def _back(group, meeting, anchor="minutes"):
    return redirect(
        url_for("meetings.show", slug=group.slug, meeting_id=meeting.id, _anchor=anchor)
    )


def _people_choices(group, empty_label):
    return [SelectChoice(0, empty_label)] + [
        SelectChoice(person.id, person.display_name)
        for person in services.members_for_choice(group)
    ]


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@group_view(min_role=Role.OBSERVER)
def write(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_write_minutes(current_user, meeting))
    form = MinutesMetaForm()
    if form.validate_on_submit():
        texts = {
            item.id: request.form.get(f"minutes-{item.id}", item.minutes)
            for item in meeting.items
        }
        try:
            if minutes.save(current_user, meeting, texts, form.note.data):
                db.session.commit()
                flash(_("Minutes saved."), "success")
            else:
                flash(_("Nothing changed."), "info")
            return _back(group, meeting)
        except DomainError as error:
            db.session.rollback()
            meeting = load_meeting(group, meeting_id)
            for item in meeting.items:
                item.minutes = texts.get(item.id, item.minutes)
            form.note.errors = list(form.note.errors) + [error.message]
    delegate = DelegateForm(formdata=None, data={"user": meeting.minute_taker_id or 0})
    delegate.user.choices = _people_choices(group, _("Only the chairs"))
    return render_template(
        "meetings/minutes_form.html",
        group=group,
        meeting=meeting,
        form=form,
        delegate=delegate,
        decision_form=DecisionForm(formdata=None),
        action_form=_action_form(group, formdata=None),
        decisions=minutes.decisions(meeting),
        actions=minutes.actions_by_item(meeting),
        confirm=ConfirmForm(),
        circulate=CirculateForm(
            formdata=None,
            data={
                "deadline": services.today_in(current_user.timezone)
                + timedelta(days=14)
            },
        ),
    ), 400 if form.errors else 200


def _action_form(group, formdata=None):
    form = ActionForm(formdata=formdata) if formdata is not None else ActionForm()
    form.owner.choices = _people_choices(group, _("Choose…"))
    return form


@bp.post("/meetings/<int:meeting_id>/minutes/taker")
@group_view(min_role=Role.CHAIR)
def delegate(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_delegate_minutes(current_user, meeting))
    form = DelegateForm()
    form.user.choices = _people_choices(group, _("Only the chairs"))
    if not form.validate_on_submit():
        abort(400)
    try:
        minutes.set_minute_taker(current_user, meeting, form.user.data or None)
        db.session.commit()
        flash(_("Saved who takes the minutes."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _back(group, meeting)


@bp.post("/meetings/<int:meeting_id>/minutes/circulate")
@group_view(min_role=Role.OBSERVER)
def circulate(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_circulate_minutes(current_user, meeting))
    form = CirculateForm()
    if not form.validate_on_submit():
        flash(_("Give a date until which members can comment."), "error")
        return _back(group, meeting), 303
    # Until the end of that day in the person's own zone.
    zone = times.zone(current_user.timezone)
    deadline = datetime.combine(
        form.deadline.data + timedelta(days=1), time(0), tzinfo=zone
    ).astimezone(UTC)
    try:
        minutes.circulate(current_user, meeting, deadline)
        db.session.commit()
        flash(_("Minutes circulated: members can comment."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _back(group, meeting)


@bp.post("/meetings/<int:meeting_id>/minutes/adopt")
@group_view(min_role=Role.CHAIR)
def adopt(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_adopt_minutes(current_user, meeting))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        minutes.adopt(current_user, meeting)
        db.session.commit()
        flash(_("Minutes adopted and sent to members."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _back(group, meeting)


@bp.post("/meetings/<int:meeting_id>/minutes/comments")
@group_view(min_role=Role.MEMBER)
def comment(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_view_minutes(current_user, meeting))
    if not permissions.can_comment_minutes(current_user, meeting):
        flash(_("Comments on these minutes are closed."), "error")
        return _back(group, meeting), 303
    form = CommentForm()
    if form.validate_on_submit():
        minutes.comment(current_user, meeting, form.body.data)
        db.session.commit()
        flash(_("Comment sent."), "success")
    else:
        flash(_("Write a comment."), "error")
    return _back(group, meeting, anchor="comments")


@bp.get("/meetings/<int:meeting_id>/minutes/history")
@group_view()
def history(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_view_minutes(current_user, meeting))
    revisions = minutes.revisions(meeting)
    if not permissions.can_write_minutes(current_user, meeting) and not (
        permissions.can_see_drafts(current_user, group)
    ):
        # Members never saw the drafts: their history starts at circulation.
        revisions = [r for r in revisions if r.stage != "draft"]
    return render_template(
        "meetings/minutes_history.html",
        group=group,
        meeting=meeting,
        revisions=revisions,
    )


# --- decisions and actions ---------------------------------------------------------


def _to_outcomes(group, meeting, item_id):
    return redirect(
        url_for(
            ".write",
            slug=group.slug,
            meeting_id=meeting.id,
            _anchor=f"outcomes-{item_id}",
        )
    )


def _outcomes(group, meeting_id, item_id=None):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_record_outcomes(current_user, meeting))
    if item_id is not None and not any(i.id == item_id for i in meeting.items):
        abort(404)
    return meeting


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/decisions")
@group_view(min_role=Role.OBSERVER)
def add_decision(group, meeting_id, item_id):
    meeting = _outcomes(group, meeting_id, item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Write the decision."), "error")
        return _to_outcomes(group, meeting, item_id), 303
    try:
        minutes.add_decision(current_user, meeting, item_id, form.text.data)
        db.session.commit()
        flash(_("Decision recorded."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _to_outcomes(group, meeting, item_id)


@bp.post("/meetings/<int:meeting_id>/decisions/<int:decision_id>/delete")
@group_view(min_role=Role.OBSERVER)
def delete_decision(group, meeting_id, decision_id):
    meeting = _outcomes(group, meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        minutes.remove_decision(current_user, meeting, decision_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(_("Decision removed."), "success")
    return redirect(url_for(".write", slug=group.slug, meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/actions")
@group_view(min_role=Role.OBSERVER)
def add_action(group, meeting_id, item_id):
    meeting = _outcomes(group, meeting_id, item_id)
    form = _action_form(group)
    if not form.validate_on_submit():
        flash(_("Give the action, its owner and a due date."), "error")
        return _to_outcomes(group, meeting, item_id), 303
    try:
        minutes.add_action(
            current_user,
            meeting,
            item_id,
            form.text.data,
            form.owner.data,
            form.due_on.data,
        )
        db.session.commit()
        flash(_("Action recorded; its owner was told."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _to_outcomes(group, meeting, item_id)


@bp.post("/actions/<int:action_id>/status")
@group_view(min_role=Role.OBSERVER)
def action_status(group, action_id):
    action = minutes.get_action(group, action_id)
    if action is None or not permissions.can_view_meeting(current_user, action.meeting):
        abort(404)
    require(permissions.can_update_action(current_user, action))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    status = request.form.get("status", "")
    # Owners close their own actions; reopening or dropping is for chairs.
    if status != "done" and not permissions.can_chair(current_user, group):
        abort(403)
    try:
        minutes.set_action_status(current_user, action, status)
        db.session.commit()
        flash(_("Action updated."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    if request.form.get("back") == "meeting":
        return redirect(
            url_for("meetings.show", slug=group.slug, meeting_id=action.meeting_id)
        )
    return redirect(url_for("meetings.actions", slug=group.slug))
