"""Who sees, runs, answers and records meetings. Chairs (and the secretariat, who act
as chairs everywhere) run them; drafts stay among chairs until published."""

from collab.core.permissions import Role, can_view_group, is_signed_in, role_in
from collab.meetings.models import ActionStatus, MinutesStage, Status


def can_chair(user, group) -> bool:
    return role_in(user, group) == Role.CHAIR and not group.is_archived


def can_schedule_meeting(user, group) -> bool:
    """Chairs and the secretariat create meetings."""
    return can_chair(user, group)


def can_see_drafts(user, group) -> bool:
    """Chairs (and the secretariat, chair everywhere) see draft meetings and draft
    minutes' history."""
    return role_in(user, group) == Role.CHAIR


def can_view_meeting(user, meeting) -> bool:
    """Everyone who sees the group sees its meetings; drafts only their chairs."""
    if meeting.status == Status.DRAFT:
        return can_see_drafts(user, meeting.group)
    return can_view_group(user, meeting.group)


def can_edit_meeting(user, meeting) -> bool:
    """Chairs change a meeting until it is cancelled."""
    return not meeting.is_cancelled and can_chair(user, meeting.group)


def can_view_agenda(user, meeting) -> bool:
    """Members see the agenda once published (or once minutes written on it are
    circulated); chairs see the draft."""
    if not can_view_meeting(user, meeting):
        return False
    return (
        meeting.agenda_is_published
        or meeting.minutes_stage in (MinutesStage.CIRCULATED, MinutesStage.ADOPTED)
        or role_in(user, meeting.group) == Role.CHAIR
    )


def can_rsvp(user, meeting) -> bool:
    """Members and observers answer for scheduled meetings that have not ended."""
    return (
        meeting.status == Status.SCHEDULED
        and not meeting.group.is_archived
        and role_in(user, meeting.group) is not None
    )


def can_see_responses(user, meeting) -> bool:
    """Chairs see who answered what."""
    return role_in(user, meeting.group) == Role.CHAIR


def can_record_attendance(user, meeting) -> bool:
    return meeting.status in (Status.SCHEDULED, Status.HELD) and can_chair(
        user, meeting.group
    )


def _takes_minutes(user, meeting) -> bool:
    if can_chair(user, meeting.group):
        return True
    return (
        is_signed_in(user)
        and meeting.minute_taker_id == user.id
        and role_in(user, meeting.group) is not None
        and not meeting.group.is_archived
    )


def can_write_minutes(user, meeting) -> bool:
    """Chairs and the member they delegated write minutes of a meeting that is
    scheduled or held; once adopted, only as a visible correction."""
    return meeting.status in (Status.SCHEDULED, Status.HELD) and _takes_minutes(
        user, meeting
    )


def can_view_minutes(user, meeting) -> bool:
    """Draft minutes stay with their writers; circulated and adopted ones are for
    everyone who sees the meeting."""
    if (
        not can_view_meeting(user, meeting)
        or meeting.minutes_stage == MinutesStage.NONE
    ):
        return False
    if meeting.minutes_stage == MinutesStage.DRAFT:
        return (
            _takes_minutes(user, meeting) or role_in(user, meeting.group) == Role.CHAIR
        )
    return True


def can_circulate_minutes(user, meeting) -> bool:
    return meeting.minutes_stage == MinutesStage.DRAFT and can_write_minutes(
        user, meeting
    )


def can_adopt_minutes(user, meeting) -> bool:
    """Chairs adopt circulated (or draft) minutes; adopted minutes are locked."""
    return (
        meeting.minutes_stage in (MinutesStage.DRAFT, MinutesStage.CIRCULATED)
        and meeting.status in (Status.SCHEDULED, Status.HELD)
        and can_chair(user, meeting.group)
    )


def can_comment_minutes(user, meeting) -> bool:
    """Members comment on circulated minutes until the deadline."""
    from collab.core.db import utcnow

    role = role_in(user, meeting.group)
    return (
        meeting.minutes_stage == MinutesStage.CIRCULATED
        and (meeting.minutes_deadline is None or utcnow() < meeting.minutes_deadline)
        and role is not None
        and role >= Role.MEMBER
        and not meeting.group.is_archived
    )


def can_delegate_minutes(user, meeting) -> bool:
    return meeting.minutes_stage != MinutesStage.ADOPTED and can_edit_meeting(
        user, meeting
    )


def can_record_outcomes(user, meeting) -> bool:
    """Decisions and actions are recorded with the minutes, until they are adopted."""
    return meeting.minutes_stage != MinutesStage.ADOPTED and can_write_minutes(
        user, meeting
    )


def can_update_action(user, action) -> bool:
    """Owners mark their own actions done; chairs set any status."""
    group = action.meeting.group
    if group.is_archived or not can_view_group(user, group):
        return False
    if can_chair(user, group):
        return True
    return (
        is_signed_in(user)
        and action.owner_id == user.id
        and role_in(user, group) is not None
        and action.status == ActionStatus.OPEN
    )


def can_view_actions(user, group) -> bool:
    return can_view_group(user, group)
