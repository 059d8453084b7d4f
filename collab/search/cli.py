"""`flask search reindex`: rebuild the search index from the content."""

import time

import click
from flask.cli import AppGroup

from collab.search import index

cli = AppGroup("search", help="The search index.")

KINDS = {"u": "people", "t": "threads", "d": "documents", "m": "meetings", "p": "posts"}


@cli.command("reindex")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only when the index is empty (after upgrading a site that had content).",
)
def reindex(if_empty: bool):
    """Empty the index and build it again (safe to run while collab serves)."""
    if if_empty and index.has_entries():
        click.echo("The search index is already built.")
        return
    started = time.monotonic()
    seen: dict[str, int] = {}

    def progress(kind: str, count: int) -> None:
        before = seen.get(kind, 0)
        seen[kind] = before + count
        if seen[kind] // 10_000 != before // 10_000 or before == 0:
            click.echo(f"  {KINDS[kind]}: {seen[kind]:,}", err=True)

    total = index.rebuild(progress)
    seconds = time.monotonic() - started
    click.echo(f"Search index rebuilt: {total:,} entries in {seconds:.1f} s.")
