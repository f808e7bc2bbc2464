"""``flask --app tracker export ...``: the same exports as the download links, from the
command line (each is audited, as the command line's, without a user)."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record_event
from tracker.clinics.models import Clinic
from tracker.exports.csv_export import CsvStream, range_problem
from tracker.exports.csv_queries import range_scope
from tracker.exports.formats import FORMATS, ExportOptions
from tracker.exports.pdf import PdfUnavailable
from tracker.extensions import db
from tracker.patients.models import Patient


@click.group("export")
def export_group():
    """Export records for follow-up."""


@export_group.command("patient")
@click.argument("chart_number")
@click.option("--format", "fmt", required=True, type=click.Choice(sorted(FORMATS)),
              help="The file's format.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the file.")
@click.option("--clinic", "clinic_name", help="The clinic's name, where there are several.")
@click.option("--points", is_flag=True, help="CSV: one row per point application.")
@click.option("--excel", is_flag=True, help="CSV: with a byte-order mark for Excel.")
@with_appcontext
def export_patient_command(chart_number, fmt, out, clinic_name, points, excel):
    """Export the record of the patient with CHART_NUMBER."""
    clinic = one_clinic(clinic_name)
    patient = db.session.scalar(
        select(Patient).where(Patient.clinic_id == clinic.id,
                              Patient.chart_number == chart_number)
        .options(selectinload(Patient.consents), selectinload(Patient.episodes)))
    if patient is None:
        raise click.ClickException(f"No patient {chart_number!r} in {clinic.name!r}.")
    try:
        # The documents name pages of the app: build them as a request to it would.
        with current_app.test_request_context("/"):
            body = FORMATS[fmt].render(patient, ExportOptions(points=points, excel=excel))
    except PdfUnavailable as error:
        raise click.ClickException(str(error)) from None
    Path(out).write_bytes(body)
    record_event("patient.export", actor=None, clinic_id=clinic.id, entity=patient,
                 patient_id=patient.id, details={"format": fmt, "points": points,
                                                 "excel": excel, "via": "command line"})
    db.session.commit()
    click.echo(f"Wrote {out} ({len(body):,} bytes).")



@export_group.command("sessions")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The first clinic date (YYYY-MM-DD).")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The last clinic date, included.")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv"]),
              help="The file's format.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the file.")
@click.option("--clinic", "clinic_name", help="The clinic's name, where there are several.")
@click.option("--points", is_flag=True, help="One row per point application.")
@click.option("--excel", is_flag=True, help="With a byte-order mark for Excel.")
@with_appcontext
def export_sessions_command(start, end, fmt, out, clinic_name, points, excel):
    """Export a clinic's sessions from one date to another (clinic dates, both included)."""
    start, end = start.date(), end.date()
    if problem := range_problem(start, end):
        raise click.BadParameter(problem, param_hint="--to")
    clinic = one_clinic(clinic_name)
    options = ExportOptions(points=points, excel=excel)
    # The read begins in a reading (GET) request context: on SQLite with a plain BEGIN, which
    # takes no write lock however long the export runs (database.py).
    with current_app.test_request_context("/"):
        stream = CsvStream(range_scope(clinic.id, start, end, clinic.timezone), options)
    what = "point applications" if points else "sessions"
    with stream, open(out, "w", encoding="utf-8", newline="") as file:
        record_event("sessions.export", actor=None, clinic_id=clinic.id, details={
            "format": fmt, "from": start.isoformat(), "to": end.isoformat(),
            "points": points, "excel": excel, "rows": stream.rows, "via": "command line"})
        db.session.commit()  # audited before a row is written
        with click.progressbar(length=stream.rows, label=f"Exporting {what}") as bar:
            for text, rows in stream:
                file.write(text)
                bar.update(rows)
    click.echo(f"Wrote {out} ({stream.rows:,} {what}).")

def one_clinic(name: str | None) -> Clinic:
    """The clinic named, or the only one; a clear message otherwise."""
    clinics = db.session.scalars(select(Clinic).order_by(Clinic.name)).all()
    if name is not None:
        found = [clinic for clinic in clinics if clinic.name == name]
        if not found:
            raise click.ClickException(f"No clinic named {name!r}.")
        return found[0]
    if len(clinics) != 1:
        names = ", ".join(repr(clinic.name) for clinic in clinics) or "none"
        raise click.ClickException(f"Say which clinic with --clinic (clinics: {names}).")
    return clinics[0]
