"""`flask outbox ...`: deliver queued e-mail (cron, or a long-running worker)."""

import time

import click
from flask.cli import AppGroup

from collab.extensions import db
from collab.notifications import services

cli = AppGroup("outbox", help="Deliver queued e-mail.")


@cli.command("send")
def send():
    """Deliver everything that is due, once."""
    sent, failed = services.deliver_pending(limit=1000)
    click.echo(f"sent {sent}, failed {failed}")


@cli.command("run")
@click.option("--interval", default=10.0, help="Seconds between passes.")
def run(interval: float):
    """Deliver continually (the production mail worker)."""
    while True:
        services.deliver_pending()
        db.session.remove()
        time.sleep(interval)


@cli.command("retry")
def retry():
    """Put e-mails that gave up back in the queue."""
    count = services.retry_failed()
    db.session.commit()
    click.echo(f"{count} e-mail(s) queued again")
