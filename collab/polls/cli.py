"""`flask polls remind`: remind participants who have not answered."""

import click
from flask.cli import AppGroup

from collab.extensions import db
from collab.notifications import services as outbox
from collab.polls import services

cli = AppGroup("polls", help="Time polls: reminders.")


@cli.command("remind")
def remind():
    """Remind non-voters of polls closing within a day, once (run hourly)."""
    count = services.send_reminders()
    db.session.commit()
    click.echo(f"{count} reminder(s) queued")
    if count:
        sent, failed = outbox.deliver_pending(limit=10000)
        click.echo(f"sent {sent}, failed {failed}")
