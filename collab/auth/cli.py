"""`flask users ...`: the way into an empty production database."""

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from collab.auth import services
from collab.extensions import db

cli = AppGroup("users", help="Manage accounts.")


@cli.command("create-secretariat")
@click.argument("email")
def create_secretariat(email: str):
    """Create (or promote) a secretariat account and print its one-time setup link."""
    with force_locale("en"):
        user, link = services.create_secretariat(email)
    db.session.commit()
    click.echo(f"Secretariat account: {user.email}")
    click.echo(
        f"Open this link within 24 hours to set the password (it works once):\n{link}"
    )
