"""Meeting pages: lists, scheduling, the meeting itself, answers and attendance,
calendars. The agenda's pages are in ``agenda_views``, minutes and outcomes in
``minutes_views``."""

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
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.core.pagination import paginate
from collab.core.permissions import Role, group_view, public, require
from collab.core.urls import absolute_url
from collab.extensions import db
from collab.meetings import agenda, calendar, minutes, permissions, services, times
from collab.meetings.forms import CancelForm, MeetingForm, RsvpForm
from collab.meetings.models import Presence

bp = Blueprint("meetings", __name__)


def load_meeting(group, meeting_id):
    """The meeting, or 404 when missing or hidden (a draft for non-chairs)."""
    meeting = services.get_meeting(group, meeting_id)
    if meeting is None or not permissions.can_view_meeting(current_user, meeting):
        abort(404)
    return meeting


def zone_choices() -> list[SelectChoice]:
    return [SelectChoice(name, name.replace("_", " ")) for name in sorted(times.ZONES)]


def _form_error(form, error: DomainError, default: str) -> None:
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = list(field.errors) + [error.message]


def ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- lists -------------------------------------------------------------------------


@bp.get("/groups/<slug>/meetings/")
@group_view()
def index(group):
    drafts = permissions.can_see_drafts(current_user, group)
    upcoming = db.session.scalars(
        services.meetings_of(group, upcoming=True, include_drafts=drafts)
    ).all()
    past = paginate(
        services.meetings_of(group, upcoming=False, include_drafts=drafts), per_page=20
    )
    return render_template(
        "meetings/index.html", group=group, upcoming=upcoming, past=past
    )


@bp.route("/groups/<slug>/meetings/new", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def new(group):
    require(permissions.can_schedule_meeting(current_user, group))
    form = MeetingForm(
        data=None if request.method == "POST" else services.default_fields(current_user)
    )
    form.timezone.choices = zone_choices()
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(current_user, group, form.data)
            db.session.commit()
            flash(
                _("Meeting saved as a draft: add the agenda, then schedule it."),
                "success",
            )
            return redirect(url_for(".show", slug=group.slug, meeting_id=meeting.id))
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error, "start_time")
    return render_template(
        "meetings/form.html", group=group, form=form, meeting=None
    ), 400 if form.errors else 200


# --- one meeting -------------------------------------------------------------------


@bp.get("/groups/<slug>/meetings/<int:meeting_id>")
@group_view()
def show(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    return _show(group, meeting)


def _show(group, meeting, rsvp_form=None, status=200):
    mine = services.rsvp_of(current_user, meeting)
    if rsvp_form is None:
        rsvp_form = RsvpForm(
            formdata=None,
            data={"answer": mine.answer, "comment": mine.comment} if mine else None,
        )
    present = services.attendance(meeting)
    show_minutes = permissions.can_view_minutes(current_user, meeting)
    pending = agenda.changes(meeting) if agenda.has_unsent_changes(meeting) else []
    return render_template(
        "meetings/show.html",
        group=group,
        meeting=meeting,
        when=times.when(meeting, current_user.timezone),
        slots=agenda.timetable(meeting),
        overflow=agenda.overflow_minutes(meeting),
        show_agenda=permissions.can_view_agenda(current_user, meeting),
        unsent=bool(pending),
        mine=mine,
        rsvp_form=rsvp_form,
        tally=services.rsvp_tally(meeting),
        attendance=services.by_country(
            [row.user for row in present.values() if row.presence == Presence.PRESENT]
        ),
        excused=[
            row.user for row in present.values() if row.presence == Presence.EXCUSED
        ],
        attendance_taken=bool(present),
        show_minutes=show_minutes,
        decisions=minutes.decisions(meeting),
        actions=minutes.actions_by_item(meeting),
        review=minutes.open_actions_before(meeting)
        if any(item.kind == "actions" for item in meeting.items)
        else [],
        comments=minutes.comments(meeting) if show_minutes else [],
        confirm=ConfirmForm(),
        ended=services.has_ended(meeting),
        started=meeting.starts_at <= utcnow(),
        describe=agenda.describe,
        pending_changes=pending,
    ), status


@bp.route("/groups/<slug>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def edit(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_edit_meeting(current_user, meeting))
    form = MeetingForm(
        data=None if request.method == "POST" else services.local_fields(meeting)
    )
    form.timezone.choices = zone_choices()
    if form.validate_on_submit():
        try:
            changed = services.update_meeting(current_user, meeting, form.data)
            db.session.commit()
            if changed and meeting.status == "scheduled":
                flash(_("Meeting updated; members were told."), "success")
            else:
                flash(_("Meeting updated."), "success")
            return redirect(url_for(".show", slug=group.slug, meeting_id=meeting.id))
        except DomainError as error:
            db.session.rollback()
            meeting = load_meeting(group, meeting_id)
            _form_error(form, error, "start_time")
    return render_template(
        "meetings/form.html", group=group, form=form, meeting=meeting
    ), 400 if form.errors else 200


def _status_change(group, meeting_id, action, done_message):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_edit_meeting(current_user, meeting))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(current_user, meeting)
        db.session.commit()
        flash(done_message, "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".show", slug=group.slug, meeting_id=meeting_id))


@bp.post("/groups/<slug>/meetings/<int:meeting_id>/schedule")
@group_view(min_role=Role.CHAIR)
def schedule(group, meeting_id):
    return _status_change(
        group,
        meeting_id,
        services.schedule,
        _("Meeting scheduled: members received an invitation."),
    )


@bp.post("/groups/<slug>/meetings/<int:meeting_id>/held")
@group_view(min_role=Role.CHAIR)
def held(group, meeting_id):
    return _status_change(
        group, meeting_id, services.mark_held, _("The meeting is marked as held.")
    )


@bp.route("/groups/<slug>/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@group_view(min_role=Role.CHAIR)
def cancel(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_edit_meeting(current_user, meeting))
    if meeting.status == "draft":
        return _discard(group, meeting)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel(current_user, meeting, form.reason.data)
            db.session.commit()
            flash(_("The meeting is cancelled."), "success")
            return redirect(url_for(".show", slug=group.slug, meeting_id=meeting.id))
        except DomainError as error:
            db.session.rollback()
            meeting = load_meeting(group, meeting_id)
            _form_error(form, error, "reason")
    return render_template(
        "meetings/cancel.html", group=group, meeting=meeting, form=form
    ), 400 if form.errors else 200


def _discard(group, meeting):
    form = ConfirmForm()
    if form.validate_on_submit():
        services.discard(current_user, meeting)
        db.session.commit()
        flash(_("The draft is deleted."), "success")
        return redirect(url_for(".index", slug=group.slug))
    return render_template(
        "meetings/discard.html", group=group, meeting=meeting, form=form
    )


# --- answers and attendance --------------------------------------------------------


@bp.post("/groups/<slug>/meetings/<int:meeting_id>/rsvp")
@group_view(min_role=Role.OBSERVER)
def rsvp(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(not group.is_archived)
    form = RsvpForm()
    if form.validate_on_submit():
        try:
            services.answer(current_user, meeting, form.answer.data, form.comment.data)
            db.session.commit()
            flash(_("Thank you, your answer is saved."), "success")
            return redirect(url_for(".show", slug=group.slug, meeting_id=meeting.id))
        except DomainError as error:
            db.session.rollback()
            meeting = load_meeting(group, meeting_id)
            _form_error(form, error, "answer")
    return _show(group, meeting, rsvp_form=form, status=400)


@bp.get("/groups/<slug>/meetings/<int:meeting_id>/responses")
@group_view(min_role=Role.CHAIR)
def responses(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_see_responses(current_user, meeting))
    people = services.participants(group)
    return render_template(
        "meetings/responses.html",
        group=group,
        meeting=meeting,
        countries=services.by_country(people),
        answers=services.rsvps(meeting),
    )


@bp.route(
    "/groups/<slug>/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"]
)
@group_view(min_role=Role.CHAIR)
def attendance(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    require(permissions.can_record_attendance(current_user, meeting))
    people = services.participants(group)
    form = ConfirmForm()
    if form.validate_on_submit():
        presence = {
            person.id: request.form.get(f"presence-{person.id}", "")
            for person in people
        }
        count = services.record_attendance(current_user, meeting, presence)
        db.session.commit()
        flash(_("Attendance saved for %(count)d people.", count=count), "success")
        return redirect(url_for(".show", slug=group.slug, meeting_id=meeting.id))
    recorded = services.attendance(meeting)
    answers = services.rsvps(meeting)
    current = {
        person.id: recorded[person.id].presence
        if person.id in recorded
        else services.suggested_presence(answers.get(person.id))
        for person in people
    }
    return render_template(
        "meetings/attendance.html",
        group=group,
        meeting=meeting,
        countries=services.by_country(people),
        current=current,
        answers=answers,
        form=form,
        presences=[
            (Presence.PRESENT, _("Present")),
            (Presence.EXCUSED, _("Excused")),
            (Presence.ABSENT, _("Absent")),
        ],
    )


@bp.get("/groups/<slug>/actions/")
@group_view()
def actions(group):
    """The action register: actions from every meeting, open ones by default."""
    status = request.args.get("status", "open")
    mine = bool(request.args.get("mine"))
    query = minutes.register(
        group,
        None if status == "all" else status,
        current_user.id if mine else None,
    )
    return render_template(
        "meetings/actions.html",
        group=group,
        page=paginate(query, per_page=50),
        status=status,
        mine=mine,
        confirm=ConfirmForm(),
        today=services.today_in(current_user.timezone),
    )


# --- calendars ---------------------------------------------------------------------


@bp.get("/groups/<slug>/meetings/<int:meeting_id>.ics")
@group_view()
def meeting_ics(group, meeting_id):
    meeting = load_meeting(group, meeting_id)
    return ics_response(calendar.meeting_ics(meeting), f"meeting-{meeting.id}.ics")


@bp.get("/groups/<slug>/meetings/calendar.ics")
@group_view()
def group_ics(group):
    body = calendar.group_feed(group, permissions.can_see_drafts(current_user, group))
    return ics_response(body, f"{group.slug}.ics")


@bp.route("/calendar/", methods=["GET", "POST"])
def my_calendar():
    form = ConfirmForm()
    regenerate = form.validate_on_submit()
    token = calendar.feed_token(current_user, regenerate=regenerate)
    db.session.commit()
    if regenerate:
        flash(_("New address made: the old one no longer works."), "success")
        return redirect(url_for(".my_calendar"))
    return render_template(
        "meetings/my_calendar.html",
        feed_url=absolute_url("meetings.personal_feed", token=token),
        meetings=services.upcoming_for(current_user, limit=20),
        actions=minutes.open_actions_of(current_user),
        form=form,
        today=services.today_in(current_user.timezone),
    )


@bp.get("/calendar/<token>.ics")
@public
def personal_feed(token):
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    return ics_response(calendar.personal_feed(user), "collab.ics")
