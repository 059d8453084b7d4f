"""`flask demo load`: idempotent demo content, and the sign-ins it prints.
`flask demo scale`: an organisation-sized data set for benchmarks (bench/)."""

import time

import click
from flask.cli import AppGroup

from collab.demo import data, scale
from collab.extensions import db
from collab.search import index as search_index

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


@cli.command("scale")
@click.option(
    "--seed",
    type=int,
    default=scale.DEFAULT_SEED,
    show_default=True,
    help="The same seed on an empty database gives the same data.",
)
@click.option(
    "--factor",
    type=float,
    default=1.0,
    show_default=True,
    help="Multiplies every count (0.01 for a quick set).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Anchor past and coming dates to this day (default: today, UTC).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Add the set to a database that already has people, groups or posts.",
)
def scale_command(seed, factor, today, force):
    """Generate an organisation-sized data set: 300 groups, 20,000 people, 50,000
    threads, 1,000,000 posts, 50,000 documents, 5,000 meetings and 500 polls at
    factor 1. Refuses a database that has data, unless --force."""
    counts = scale.scaled_counts(factor)
    click.echo(
        "Generating "
        + ", ".join(f"{value:,} {key}" for key, value in counts.items())
        + f" (seed {seed})."
    )
    result = scale.generate(
        seed=seed,
        factor=factor,
        force=force,
        today=today.date() if today else None,
        progress=True,
    )
    minutes, seconds = divmod(result["seconds"], 60)
    click.echo(f"Wrote {scale.describe(result['counts'])}")
    click.echo(f"in {int(minutes)} min {seconds:.0f} s.")
    # The generator writes rows directly, past the session hook that indexes.
    started = time.monotonic()
    click.echo("Building the search index…")
    entries = search_index.rebuild()
    click.echo(f"{entries:,} search entries in {time.monotonic() - started:.0f} s.")
    click.echo(f"Every generated person's password: {scale.PASSWORD}")
    for email, slug in scale.sample_sign_ins(3):
        click.echo(f"  e.g. {email} (writes in /groups/{slug}/)")
