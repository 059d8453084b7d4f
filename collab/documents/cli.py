"""`flask storage check` and `flask documents purge-trash`."""

import click
from flask.cli import AppGroup

from collab.documents import services
from collab.extensions import db

storage_cli = AppGroup("storage", help="The file store.")
cli = AppGroup("documents", help="The document library.")


@storage_cli.command("check")
def check():
    """Report rows whose file is missing and files no row points to; deletes nothing."""
    missing, orphans = services.storage_report()
    for key in missing:
        click.echo(f"row without file: {key}")
    for key in orphans:
        click.echo(f"file without row: {key}")
    click.echo(
        f"{len(missing)} row(s) without file, {len(orphans)} file(s) without row"
    )
    if missing:
        raise SystemExit(1)


@cli.command("purge-trash")
def purge_trash():
    """Delete documents that have been in the trash longer than TRASH_DAYS (daily)."""
    count = services.purge_trash()
    db.session.commit()
    click.echo(f"{count} document(s) purged")
