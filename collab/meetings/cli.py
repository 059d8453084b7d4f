"""`flask meetings remind`: e-mail owners of actions that fall due soon."""

import click
from flask.cli import AppGroup

from collab.extensions import db
from collab.meetings import minutes
from collab.notifications import services as outbox

cli = AppGroup("meetings", help="Meetings: action reminders.")


@cli.command("remind")
def remind():
    """Remind owners of open actions due within ACTION_REMINDER_DAYS (run daily)."""
    count = minutes.send_reminders()
    db.session.commit()
    click.echo(f"{count} reminder(s) queued")
    if count:
        sent, failed = outbox.deliver_pending(limit=10000)
        click.echo(f"sent {sent}, failed {failed}")
