"""Telling participants about a poll: in the app and by e-mail, each in their own
language and time zone."""

from collab.core.urls import absolute_url, site_path
from collab.notifications.services import queue_email


def _link(poll) -> str:
    return absolute_url("polls.show", slug=poll.group.slug, poll_id=poll.id)


def _path(poll) -> str:
    return site_path("polls.show", slug=poll.group.slug, poll_id=poll.id)


def _email(people, poll, template: str, **context) -> None:
    for person in people:
        queue_email(
            person.email,
            template,
            person.locale,
            poll=poll,
            group=poll.group,
            zone=person.timezone,
            link=_link(poll),
            **context,
        )


def poll_opened(poll, people, actor) -> None:
    from collab.notifications.activity import notify_people

    # The chair who asks needs no notice of their own poll.
    people = [person for person in people if person.id != actor.id]
    notify_people(people, poll.group, "poll", poll.title, _path(poll), actor=actor)
    _email(people, poll, "poll_opened", actor=actor)


def poll_reminder(poll, people) -> None:
    _email(people, poll, "poll_reminder")


def poll_decided(poll, meeting, people) -> None:
    from collab.meetings.times import when
    from collab.notifications.activity import notify_people

    notify_people(people, poll.group, "poll_result", poll.title, _path(poll))
    for person in people:
        queue_email(
            person.email,
            "poll_decided",
            person.locale,
            poll=poll,
            group=poll.group,
            meeting=meeting,
            when=when(meeting, person.timezone),
            # A draft meeting is for chairs only: until it is scheduled, the poll.
            link=absolute_url(
                "meetings.show", slug=poll.group.slug, meeting_id=meeting.id
            )
            if meeting.status != "draft"
            else _link(poll),
        )
