"""E-mails about meetings, each in the recipient's language and time zone, with the
meeting's .ics attached where a calendar should change."""

from flask_babel import force_locale

from collab.core.urls import absolute_url, site_path
from collab.notifications.services import queue_email


def _recipients(meeting):
    from collab.meetings.services import participants

    return participants(meeting.group)


def _link(meeting) -> str:
    return absolute_url("meetings.show", slug=meeting.group.slug, meeting_id=meeting.id)


def _ics(meeting, locale) -> list[dict]:
    from collab.meetings.calendar import meeting_ics

    with force_locale(locale or "en"):
        text = meeting_ics(meeting).decode()
    return [
        {
            "filename": "meeting.ics",
            "content_type": "text/calendar",
            "text": text,
        }
    ]


def _send_all(meeting, template: str, with_ics: bool, **context) -> int:
    from collab.meetings.times import when

    people = _recipients(meeting)
    ics_by_locale: dict = {}
    for person in people:
        attachments = None
        if with_ics:
            if person.locale not in ics_by_locale:
                ics_by_locale[person.locale] = _ics(meeting, person.locale)
            attachments = ics_by_locale[person.locale]
        queue_email(
            person.email,
            template,
            person.locale,
            attachments=attachments,
            meeting=meeting,
            group=meeting.group,
            when=when(meeting, person.timezone),
            link=_link(meeting),
            **context,
        )
    return len(people)


def meeting_scheduled(meeting) -> int:
    from collab.notifications.activity import notify_people

    notify_people(
        _recipients(meeting),
        meeting.group,
        "meeting",
        meeting.title,
        site_path("meetings.show", slug=meeting.group.slug, meeting_id=meeting.id),
    )
    return _send_all(meeting, "meeting_scheduled", True)


def meeting_changed(meeting, changed: list[str], before: dict) -> int:
    return _send_all(meeting, "meeting_changed", True, changed=changed)


def meeting_cancelled(meeting) -> int:
    return _send_all(meeting, "meeting_cancelled", True)


def agenda_published(meeting, changes: list) -> int:
    from collab.meetings.agenda import describe

    return _send_all(
        meeting, "agenda_published", True, changes=changes, describe=describe
    )


def minutes_circulated(meeting) -> int:
    return _send_all(meeting, "minutes_circulated", False)


def minutes_adopted(meeting) -> int:
    return _send_all(meeting, "minutes_adopted", False)


def minutes_corrected(meeting, note: str) -> int:
    return _send_all(meeting, "minutes_corrected", False, note=note)


def _action_email(action, template: str) -> None:
    owner = action.owner
    meeting = action.meeting
    queue_email(
        owner.email,
        template,
        owner.locale,
        action=action,
        meeting=meeting,
        group=meeting.group,
        link=absolute_url("meetings.actions", slug=meeting.group.slug, mine=1),
    )


def action_assigned(action) -> None:
    _action_email(action, "action_assigned")


def action_reminder(action) -> None:
    _action_email(action, "action_reminder")
