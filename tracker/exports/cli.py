"""``flask --app tracker export ...``: the same exports as the download links, from the
command line (each is audited, as the command line's, without a user)."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record_event
from tracker.clinics.models import Clinic
from tracker.exports.formats import FORMATS, ExportOptions
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
    body = FORMATS[fmt].render(patient, ExportOptions(points=points, excel=excel))
    Path(out).write_bytes(body)
    record_event("patient.export", actor=None, clinic_id=clinic.id, entity=patient,
                 patient_id=patient.id, details={"format": fmt, "points": points,
                                                 "excel": excel, "via": "command line"})
    db.session.commit()
    click.echo(f"Wrote {out} ({len(body):,} bytes).")


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
