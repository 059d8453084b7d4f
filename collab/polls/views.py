"""Time poll pages: the list, proposing slots, answering, results and deciding."""

from datetime import time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from collab.auth.forms import ConfirmForm
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.core.pagination import paginate
from collab.core.permissions import Role, group_view, require
from collab.extensions import db
from collab.meetings import services as meetings
from collab.meetings import times
from collab.meetings.models import Meeting
from collab.meetings.permissions import can_view_meeting
from collab.meetings.views import zone_choices
from collab.polls import permissions, services
from collab.polls.forms import PollForm
from collab.polls.models import Vote

bp = Blueprint("polls", __name__, url_prefix="/groups/<slug>/polls")


def _poll(group, poll_id):
    poll = services.get_poll(group, poll_id)
    if poll is None or not permissions.can_view_poll(current_user, poll):
        abort(404)
    return poll


@bp.get("/")
@group_view()
def index(group):
    return render_template(
        "polls/index.html",
        group=group,
        page=paginate(services.polls_of(group), per_page=20),
    )


@bp.route("/new", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def new(group):
    require(permissions.can_create_poll(current_user, group))
    people = meetings.participants(group)
    defaults = None
    if request.method == "GET":
        zone = current_user.timezone if current_user.timezone in times.ZONES else "UTC"
        today = utcnow().astimezone(times.zone(zone)).date()
        defaults = {
            "timezone": zone,
            "clocks": "09:00, 14:00",
            "days": [today + timedelta(days=14 + n) for n in range(3)],
            "closes_on": today + timedelta(days=7),
            "closes_time": time(17, 0),
        }
    form = PollForm(data=defaults)
    form.timezone.choices = zone_choices()
    chosen = (
        {int(v) for v in request.form.getlist("participants") if v.isdigit()}
        if request.method == "POST"
        else {person.id for person in people}
    )
    valid = form.validate_on_submit()
    # A FieldList reports one list per entry: say it once, readably.
    day_errors = [e for entry in form.days.entries for e in entry.errors]
    if day_errors:
        form.days.errors = day_errors[:1]
    if valid:
        try:
            poll = services.create_poll(current_user, group, form.data, list(chosen))
            db.session.commit()
            flash(_("Poll sent: participants were told."), "success")
            return redirect(url_for(".show", slug=group.slug, poll_id=poll.id))
        except DomainError as error:
            db.session.rollback()
            target = getattr(form, error.field or "days", None)
            if target is None or error.field == "participants":
                form.form_errors.append(error.message)
            else:
                target.errors = list(target.errors) + [error.message]
    return render_template(
        "polls/new.html", group=group, form=form, people=people, chosen=chosen
    ), 400 if form.errors or form.form_errors else 200


@bp.get("/<int:poll_id>")
@group_view()
def show(group, poll_id):
    return _show(group, _poll(group, poll_id))


def _show(group, poll, errors=(), status=200, submitted=None):
    people = services.participants(poll)
    answers = services.votes(poll)
    ids = {p.user_id for p in people}
    mine = next((p for p in people if p.user_id == current_user.id), None)
    my_answers = submitted or {
        slot.id: answers.get((current_user.id, slot.id)) for slot in poll.slots
    }
    zones = services.group_zones(group)
    ranked = services.results(poll, people, answers)
    meeting = db.session.get(Meeting, poll.meeting_id) if poll.meeting_id else None
    return render_template(
        "polls/show.html",
        meeting=meeting
        if meeting and can_view_meeting(current_user, meeting)
        else None,
        group=group,
        poll=poll,
        people=people,
        answers=answers,
        mine=mine,
        my_answers=my_answers,
        can_vote=permissions.can_vote(current_user, poll, ids),
        ranked=ranked,
        best=ranked[0] if ranked else None,
        by_slot={r.slot.id: r for r in ranked},
        zone_times={
            slot.id: services.zone_times(slot, poll.duration_minutes, zones)
            for slot in poll.slots
        },
        my_zone=current_user.timezone,
        out_of_hours=services.out_of_hours,
        silent=[p for p in people if p.voted_at is None],
        errors=errors,
        confirm=ConfirmForm(),
        choices=[
            (Vote.YES, _("Yes")),
            (Vote.MAYBE, _("If need be")),
            (Vote.NO, _("No")),
        ],
        slot_span=lambda start: times.span(
            start,
            start + timedelta(minutes=poll.duration_minutes),
            current_user.timezone,
        ),
    ), status


@bp.post("/<int:poll_id>/vote")
@group_view(min_role=Role.OBSERVER)
def vote(group, poll_id):
    poll = _poll(group, poll_id)
    if services.participant(poll, current_user) is None or group.is_archived:
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    submitted = {slot.id: request.form.get(f"slot-{slot.id}") for slot in poll.slots}
    try:
        services.vote(
            current_user,
            poll,
            {k: v for k, v in submitted.items() if v},
            request.form.get("comment", ""),
        )
        db.session.commit()
        flash(_("Thank you, your answers are saved."), "success")
        return redirect(url_for(".show", slug=group.slug, poll_id=poll.id))
    except DomainError as error:
        db.session.rollback()
        return _show(
            group,
            _poll(group, poll_id),
            errors=[error.message],
            status=409 if not poll.is_open else 400,
            submitted=submitted,
        )


@bp.post("/<int:poll_id>/decide")
@group_view(min_role=Role.CHAIR)
def decide(group, poll_id):
    poll = _poll(group, poll_id)
    require(permissions.can_decide_poll(current_user, poll))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        meeting = services.decide(
            current_user,
            poll,
            request.form.get("slot", type=int),
            invite=request.form.get("invite") == "1",
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _show(group, _poll(group, poll_id), errors=[error.message], status=400)
    if meeting.status == "scheduled":
        flash(_("Meeting scheduled: members received an invitation."), "success")
    else:
        flash(_("Draft meeting created: add the agenda, then schedule it."), "success")
    return redirect(url_for("meetings.show", slug=group.slug, meeting_id=meeting.id))
