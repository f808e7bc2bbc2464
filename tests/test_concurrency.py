"""Writers in several processes at once: nothing fails half-way, nothing is lost.

Each process registers patients in the same clinic. Every registration reads and moves the
clinic's chart-number counter and appends to the audit hash chain: the read-then-write pattern
that fails with "database is locked" on SQLite without BEGIN IMMEDIATE, and that forks the
chain on PostgreSQL without a lock.
"""

import multiprocessing

from sqlalchemy import func, select

from tests.conftest import app_for
from tracker.audit.services import verify_chain
from tracker.clinics.models import Clinic
from tracker.extensions import db
from tracker.patients.models import Patient

PROCESSES = 4
PATIENTS_EACH = 12


def register_patients(database_url: str, clinic_id: int, user_id: int, worker: int) -> int:
    from tracker.auth.models import User
    from tracker.patients.services import create_patient

    app = app_for(database_url)
    made = 0
    with app.app_context():
        for number in range(PATIENTS_EACH):
            clinic = db.session.get(Clinic, clinic_id)
            actor = db.session.get(User, user_id)
            create_patient(
                clinic, actor=actor, family_name=f"Worker{worker}", given_name=str(number)
            )
            db.session.commit()
            made += 1
        db.engine.dispose()
    return made


def test_concurrent_registrations_all_commit_with_unique_chart_numbers(app, database_url, factory):
    clinic = factory.clinic("Busy Clinic", chart_prefix="BZ")
    reception = factory.user(clinic, "reception")
    with app.app_context():
        db.engine.dispose()  # no pooled connection may cross into the child processes

    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(
            register_patients,
            [(database_url, clinic.id, reception.id, worker) for worker in range(PROCESSES)],
        )

    assert results == [PATIENTS_EACH] * PROCESSES
    with app.app_context():
        numbers = db.session.scalars(
            select(Patient.chart_number).where(Patient.clinic_id == clinic.id)
        ).all()
        expected = [f"BZ-{n:04d}" for n in range(1, PROCESSES * PATIENTS_EACH + 1)]
        assert sorted(numbers) == expected
        counter = db.session.scalar(select(Clinic.next_chart_number).where(Clinic.id == clinic.id))
        assert counter == PROCESSES * PATIENTS_EACH + 1
        assert db.session.scalar(select(func.count(Patient.id))) == PROCESSES * PATIENTS_EACH
        assert verify_chain() is None


READS_OR_WRITES_EACH = 15


def use_the_app(database_url: str, email: str, patient_id: int, writes: bool) -> list[str]:
    """One user through the app (test client, real requests): register patients, or read a
    patient's page; what went wrong, if anything."""
    from tests.conftest import PASSWORD

    app = app_for(database_url)
    client = app.test_client()
    problems = []
    try:
        client.post("/login", data={"email": email, "password": PASSWORD})
        for number in range(READS_OR_WRITES_EACH):
            if writes:
                response = client.post("/patients/new", data={
                    "family_name": f"Concurrent{number}", "given_name": email.split("@")[0],
                    "sex": "unknown", "preferred_language": "ja"})
                expected = 302
            else:
                response = client.get(f"/patients/{patient_id}")
                expected = 200
            if response.status_code != expected:
                problems.append(f"{email}: {response.status_code}")
    except Exception as error:  # a deadlock or "database is locked" surfaces here
        problems.append(f"{email}: {type(error).__name__}: {error}")
    finally:
        with app.app_context():
            db.engine.dispose()
    return problems


def test_registering_while_others_read_patient_pages_never_deadlocks(app, database_url,
                                                                     clinic_world):
    # Registering locks the clinic's counter and appends to the audit chain; a page view
    # appends to the chain too. With the chain always the last lock, no order can cross.
    from tracker.audit.services import verify_audit_log

    side = clinic_world["a"]
    with app.app_context():
        db.engine.dispose()
    users = [(side["reception"].email, True), (side["admin"].email, True),
             (side["practitioner"].email, False), (side["practitioner"].email, False)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(users)) as pool:
        results = pool.starmap(use_the_app, [(database_url, email, side["patient"].id, writes)
                                             for email, writes in users])
    assert [problem for problems in results for problem in problems] == []
    with app.app_context():
        registered = db.session.scalar(select(func.count(Patient.id))
                                       .where(Patient.family_name.like("Concurrent%")))
        assert registered == 2 * READS_OR_WRITES_EACH
        assert verify_audit_log() is None
