"""Command-line tools: ``flask --app tracker <command> --help`` describes each."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.audit.services import seal_head, verify_audit_log, verify_chain
from tracker.auth.services import AccountError, create_user, practice_year_problem
from tracker.backups import BackupError, backup, restore
from tracker.clinics.services import ClinicError, create_clinic, find_clinic_by_name
from tracker.demo.services import CatalogMissing, DemoRefused, database_is_empty, seed_demo
from tracker.exports.cli import export_group
from tracker.extensions import db
from tracker.permissions import Role
from tracker.points.cli import points_group


@click.command("create-clinic")
@click.argument("name")
@click.option("--timezone", default="Asia/Tokyo", show_default=True, help="IANA time zone.")
@click.option(
    "--chart-prefix", default="PT", show_default=True, help="Prefix of generated chart numbers."
)
@with_appcontext
def create_clinic_command(name, timezone, chart_prefix):
    """Create a clinic."""
    try:
        clinic = create_clinic(name, timezone=timezone, chart_prefix=chart_prefix.upper())
    except ClinicError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created clinic {clinic.name!r} (id {clinic.id}).")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name shown in the app.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--clinic", "clinic_name", required=True, help="Name of an existing clinic.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--qualification", default="", help="Shown on signed notes (STRICTA item 5).")
@click.option(
    "--practising-since", type=int, help="The year practice began (the note counts the years)."
)
@click.option("--training", default="", help="Relevant training, e.g. a course and its year.")
@with_appcontext
def create_user_command(
    email, name, role, clinic_name, password_stdin, qualification, practising_since, training
):
    """Create a staff account (the password is prompted for unless --password-stdin)."""
    clinic = find_clinic_by_name(clinic_name)
    if clinic is None:
        raise click.ClickException(
            f"No clinic named {clinic_name!r}; create it with create-clinic."
        )
    if problem := practice_year_problem(practising_since):  # before asking for a password
        raise click.BadParameter(problem, param_hint="'--practising-since'")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise click.ClickException("The password must have at least 12 characters.")
    try:
        user = create_user(
            clinic,
            email=email,
            name=name,
            role=role,
            password=password,
            qualification=qualification,
            practising_since=practising_since,
            training=training,
        )
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {role} {user.email} in {clinic.name!r}.")


@click.command("seed-demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) unless the database has no clinic at all.",
)
@with_appcontext
def seed_demo_command(if_empty):
    """Load the demo clinics, users and patients (refuses a database with real data)."""
    if if_empty and not database_is_empty():
        click.echo("The database already has data; demo data not loaded.")
        return
    try:
        created = seed_demo()
    except (DemoRefused, CatalogMissing) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if created:
        click.echo(f"Demo data loaded: {created} patients.")
    else:
        click.echo("Demo data is already present; nothing changed.")


@click.command("demo-logins")
def demo_logins_command():
    """Print the demo accounts and their password."""
    from tracker.demo.data import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, role, clinic in DEMO_USERS:
        click.echo(f"  {email:28} {role:13} {name:16} {clinic}")


@click.group("audit")
def audit_group():
    """Audit log tools."""


@audit_group.command("verify")
@with_appcontext
def audit_verify_command():
    """Check the audit log: every row's hash and chain, and its end against the sealed head;
    exit 1 with what is wrong (an edited or removed row, a lost tail, a re-chain, a wipe)."""
    problem = verify_audit_log()
    if problem is not None:
        raise click.ClickException(problem)
    click.echo("Audit chain intact.")


@audit_group.command("seal")
@with_appcontext
def audit_seal_command():
    """Sign the chain's end with the current secret key (after changing the key), once every
    row has been verified."""
    broken = verify_chain()
    if broken is not None:
        raise click.ClickException(f"Audit chain broken at event {broken}: not sealed.")
    seal_head()
    db.session.commit()
    click.echo("Audit chain head sealed.")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(target):
    """Write a consistent copy of the whole database to TARGET (safe while the app runs)."""
    try:
        backup(db.engine, Path(target))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {target}.")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds records.")
@with_appcontext
def restore_command(source, force):
    """Restore the backup SOURCE, then check it: integrity, row counts, the audit chain."""
    try:
        report = restore(db.engine, Path(source), force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for table, count in report.tables.items():
        click.echo(f"{table}: {count} rows")
    problem = verify_audit_log()
    if report.integrity != "ok" or problem is not None:
        raise click.ClickException(
            f"Restored, but the check failed: integrity {report.integrity!r}; "
            f"{problem or 'audit chain intact'}")
    click.echo("Restored: integrity ok, audit chain intact.")


COMMANDS = (
    backup_command,
    restore_command,
    create_clinic_command,
    create_user_command,
    seed_demo_command,
    demo_logins_command,
    audit_group,
    points_group,
    export_group,
)
