"""``flask --app tracker points load|export``."""

import sys

import click
from flask.cli import with_appcontext

from tracker.audit.services import record_event
from tracker.extensions import db
from tracker.points.services import CATALOG_PATH, export_catalog, load_catalog


@click.group("points")
def points_group():
    """The acupuncture point catalog."""


@points_group.command("load")
@with_appcontext
def load_command():
    """Load or refresh the catalog from tracker/points/data/points.csv (idempotent)."""
    counts = load_catalog(CATALOG_PATH)
    if counts["created"] or counts["updated"]:
        record_event("catalog.load", details=counts)
    db.session.commit()
    click.echo(
        f"Point catalog: {counts['created']} added, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged."
    )


@points_group.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
@with_appcontext
def export_command(fmt, output):
    """Write the catalog as CSV or JSON."""
    text = export_catalog(fmt)
    record_event("catalog.export", details={"format": fmt})
    db.session.commit()
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
