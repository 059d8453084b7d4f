"""`flask demo load`: idempotent demo content, and the sign-ins it prints."""

import click
from flask.cli import AppGroup

from collab.demo import data
from collab.extensions import db

cli = AppGroup("demo", help="Demo data.")


@cli.command("load")
def load():
    """Create the demo groups, people and content (running it twice changes nothing)."""
    created = data.load()
    db.session.commit()
    click.echo(f"Demo data: {created} new record(s).")
    click.echo(f"Demo sign-ins (password for all: {data.PASSWORD}):")
    for email, what in data.SIGN_INS:
        click.echo(f"  {email:<26} {what}")
