"""`flask outbox ...` delivers queued e-mail; `flask digest send` queues digests."""

import time

import click
from flask.cli import AppGroup

from collab.extensions import db
from collab.notifications import activity, services

cli = AppGroup("outbox", help="Deliver queued e-mail.")
digest_cli = AppGroup("digest", help="Daily digests of group activity.")


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


@digest_cli.command("send")
def send_digests():
    """Queue one digest per person with activity waiting (run daily from cron)."""
    count = activity.send_digests()
    db.session.commit()
    click.echo(f"{count} digest(s) queued")
    if count:
        sent, failed = services.deliver_pending(limit=10000)
        click.echo(f"sent {sent}, failed {failed}")
