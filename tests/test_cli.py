"""Command-line tools, driven through Flask's CLI runner against the test database."""

import re
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from tests.conftest import app_for
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.clinics.models import Clinic
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.patients.models import Patient
from tracker.points.models import Point
from tracker.sessions.models import TreatmentSession

NEW_PASSWORD = "a long enough password"
DEMO_CLINIC = "Fuji Wellness (demo)"
OTHER_CLINIC = "Other Clinic (demo)"
DEMO_EMAILS = (
    "admin@demo.test",
    "practitioner@demo.test",
    "reception@demo.test",
    "other@demo.test",
)
DEMO_PASSWORD = "demo-password"
KANJI = re.compile(r"[\u4e00-\u9fff]")


def row_counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Clinic, User, Patient, Episode, AuditEvent)
        }


@pytest.fixture
def clinic(runner):
    result = runner.invoke(args=["create-clinic", "Shibuya Clinic"])
    assert result.exit_code == 0, result.output
    return "Shibuya Clinic"


def create_user(
    runner,
    email="new@clinic.test",
    role="practitioner",
    clinic="Shibuya Clinic",
    password=NEW_PASSWORD,
):
    return runner.invoke(
        args=[
            "create-user",
            email,
            "--name",
            "New Person",
            "--role",
            role,
            "--clinic",
            clinic,
            "--password-stdin",
        ],
        input=f"{password}\n",
    )


def test_create_clinic_creates_and_reports(runner, app):
    result = runner.invoke(args=["create-clinic", "Shibuya Clinic", "--chart-prefix", "sby"])
    assert result.exit_code == 0
    assert "Shibuya Clinic" in result.output
    with app.app_context():
        clinic = db.session.scalar(select(Clinic).where(Clinic.name == "Shibuya Clinic"))
        assert clinic is not None
        assert f"id {clinic.id}" in result.output
        assert clinic.chart_prefix == "SBY"
        assert clinic.is_demo is False
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.clinic_id == clinic.id))


def test_duplicate_clinic_name_fails_clearly(runner, app, clinic):
    result = runner.invoke(args=["create-clinic", "  Shibuya Clinic "])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert "Traceback" not in result.output
    assert row_counts(app)["Clinic"] == 1


def test_create_user_from_stdin_can_log_in(runner, app, auth, clinic):
    result = create_user(runner, email="New@Clinic.test")
    assert result.exit_code == 0, result.output
    assert "new@clinic.test" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@clinic.test"))
        assert user.role == "practitioner"
        assert user.clinic.name == clinic
        assert NEW_PASSWORD not in user.password_hash
    response = auth.login("new@clinic.test", NEW_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # the dashboard, a practitioner's start page


def test_create_user_prompts_twice_for_the_password(runner, auth, clinic):
    result = runner.invoke(
        args=[
            "create-user",
            "prompt@clinic.test",
            "--name",
            "Prompted",
            "--role",
            "reception",
            "--clinic",
            clinic,
        ],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert NEW_PASSWORD not in result.output  # hidden input is not echoed
    assert auth.login("prompt@clinic.test", NEW_PASSWORD).status_code == 302


def test_create_user_mismatched_confirmation_creates_nobody(runner, app, clinic):
    result = runner.invoke(
        args=[
            "create-user",
            "typo@clinic.test",
            "--name",
            "Typo",
            "--role",
            "admin",
            "--clinic",
            clinic,
        ],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}x\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert row_counts(app)["User"] == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"clinic": "No Such Clinic"}, "No clinic named 'No Such Clinic'"),
        ({"role": "surgeon"}, "Invalid value for '--role'"),
        ({"password": "short pw"}, "at least 12 characters"),
        ({"password": "elevenchars"}, "at least 12 characters"),
    ],
)
def test_create_user_bad_input_fails_cleanly(runner, app, clinic, overrides, message):
    result = create_user(runner, **overrides)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert row_counts(app)["User"] == 0


def test_create_user_duplicate_email_fails_cleanly(runner, app, clinic):
    assert create_user(runner, email="dup@clinic.test").exit_code == 0
    result = create_user(runner, email="DUP@clinic.test", role="admin")
    assert result.exit_code != 0
    assert "already exists" in result.output
    with app.app_context():
        users = db.session.scalars(select(User)).all()
    assert [(u.email, u.role) for u in users] == [("dup@clinic.test", "practitioner")]


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def test_seed_demo_creates_both_clinics_and_their_logins(demo, app, client, auth):
    with app.app_context():
        clinics = {c.name: c for c in db.session.scalars(select(Clinic))}
        assert set(clinics) == {DEMO_CLINIC, OTHER_CLINIC}
        assert all(c.is_demo for c in clinics.values())
        homes = {u.email: u.clinic.name for u in db.session.scalars(select(User))}
    assert homes == {
        "admin@demo.test": DEMO_CLINIC,
        "practitioner@demo.test": DEMO_CLINIC,
        "reception@demo.test": DEMO_CLINIC,
        "other@demo.test": OTHER_CLINIC,
    }
    for email in DEMO_EMAILS:
        assert auth.login(email, DEMO_PASSWORD).status_code == 302, email
        assert client.get("/patients/").status_code == 200
        auth.logout()


def test_seed_demo_patients_are_varied(demo, app):
    with app.app_context():
        patients = db.session.scalars(
            select(Patient).join(Clinic).where(Clinic.name == DEMO_CLINIC)
        ).all()
        with_intake = set(db.session.scalars(select(Episode.patient_id)))
        regions = set(db.session.scalars(select(Episode.body_region)))
    assert f"{len(patients)} patients" in demo.output
    assert 35 <= len(patients) <= 45
    assert all(p.is_demo and re.fullmatch(r"DEMO-\d{4}", p.chart_number) for p in patients)
    assert all(p.phone and p.date_of_birth for p in patients)
    japanese = [p for p in patients if KANJI.search(p.family_name)]
    latin = [p for p in patients if p.family_name.isascii()]
    assert len(japanese) >= 10 and all(p.family_name_kana for p in japanese)
    assert len(latin) >= 10
    # "with intakes": nearly everyone has one; a few are registered and await their first visit.
    assert len([p for p in patients if p.id in with_intake]) >= 0.9 * len(patients)
    assert {"thoracic", "lumbar"} <= regions


def test_seed_demo_article_patient(demo, app):
    with app.app_context():
        patient = db.session.scalar(
            select(Patient)
            .join(Clinic)
            .where(Clinic.name == DEMO_CLINIC, Patient.chart_number == "DEMO-0001")
        )
        episodes = db.session.scalars(select(Episode).where(Episode.patient_id == patient.id)).all()
    assert "desk" in patient.occupation.lower()
    assert len(episodes) == 1
    intake = episodes[0]
    assert intake.body_region == "thoracic"
    assert "poor_posture" in intake.causes
    assert intake.baseline_nrs == 7
    assert intake.status == "open"


def test_seed_demo_twice_changes_nothing(demo, runner, app):
    before = row_counts(app)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "already present" in result.output
    assert row_counts(app) == before


def test_seed_demo_refuses_a_database_with_real_data(runner, app, clinic):
    before = row_counts(app)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "non-demo" in result.output
    assert row_counts(app) == before
    with app.app_context():
        assert db.session.scalars(select(Clinic.name)).all() == [clinic]


def test_seed_demo_if_empty_skips_a_database_with_data(runner, app, clinic):
    before = row_counts(app)
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert row_counts(app) == before


def test_seed_demo_if_empty_loads_an_empty_database(runner, app):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "Demo data loaded" in result.output
    assert row_counts(app)["Clinic"] == 2


@pytest.fixture
def app_without_catalog(tmp_path):
    """A freshly migrated database where `points load` has not run (the template database of
    the other tests has the catalog loaded once, so this one is made apart)."""
    app = app_for(f"sqlite:///{tmp_path / 'no-catalog.sqlite'}")
    with app.app_context():
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(Point)) == 0
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("args", [["seed-demo"], ["seed-demo", "--if-empty"]])
def test_seed_demo_before_points_load_stops_with_a_clear_message(app_without_catalog, args):
    before = row_counts(app_without_catalog)
    result = app_without_catalog.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception  # a click error, no crash
    assert "The point catalog is empty" in result.output
    assert "flask --app tracker points load" in result.output
    assert row_counts(app_without_catalog) == before  # no partial demo data
    assert before["Clinic"] == before["User"] == before["Patient"] == 0


def test_audit_verify_reports_an_intact_chain(demo, runner, app):
    assert row_counts(app)["AuditEvent"] > 40
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact" in result.output


def test_audit_verify_finds_a_tampered_row(demo, runner, app):
    with app.app_context():
        ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        target = ids[len(ids) // 2]
        tamper = text("UPDATE audit_events SET action = 'patient.view' WHERE id = :id")
        if db.engine.dialect.name == "sqlite":  # this test's own copy of the database
            db.session.execute(text("DROP TRIGGER audit_events_no_update"))
            db.session.execute(tamper, {"id": target})
        else:  # the shared test database: the trigger is back on before the commit
            db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            db.session.execute(tamper, {"id": target})
            db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"broken at event {target}" in result.output


def test_demo_logins_lists_the_four_accounts(runner):
    result = runner.invoke(args=["demo-logins"])
    assert result.exit_code == 0
    for email in DEMO_EMAILS:
        assert email in result.output
    assert DEMO_PASSWORD in result.output


def test_create_user_records_the_practitioners_background(runner, app, clinic):
    result = runner.invoke(
        args=[
            "create-user", "bg@clinic.test", "--name", "Background", "--role", "practitioner",
            "--clinic", clinic, "--password-stdin",
            "--qualification", "Licensed acupuncturist (Japan, はり師・きゅう師)",
            "--practising-since", "2012",
            "--training", "JSAM electroacupuncture course 2019",
        ],
        input=f"{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bg@clinic.test"))
        assert (user.qualification, user.practising_since, user.training) == (
            "Licensed acupuncturist (Japan, はり師・きゅう師)",
            2012,
            "JSAM electroacupuncture course 2019",
        )


@pytest.mark.parametrize("year", ["1939", "2999"])
def test_create_user_refuses_a_practising_year_out_of_range(runner, app, clinic, year):
    result = runner.invoke(
        args=[
            "create-user", "bg@clinic.test", "--name", "Background", "--role", "practitioner",
            "--clinic", clinic, "--password-stdin", "--practising-since", year,
        ],
        input=f"{NEW_PASSWORD}\n",
    )
    assert result.exit_code != 0
    assert "Enter the year practice began, from 1940 to" in result.output
    assert "Traceback" not in result.output
    assert row_counts(app)["User"] == 0


def test_seed_demo_gives_the_treating_accounts_a_background(demo, app):
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert users["practitioner@demo.test"].practising_since == 2012
        assert "はり師" in users["practitioner@demo.test"].qualification
        assert users["admin@demo.test"].training
        assert users["reception@demo.test"].background_on(date(2026, 11, 20)) == ""


def test_demo_notes_are_signed_at_the_end_of_their_visit(demo, app):
    with app.app_context():
        visits = db.session.scalars(select(TreatmentSession).where(
            TreatmentSession.signed_at.is_not(None))).all()
        assert visits
        assert all(timedelta(0) <= v.signed_at - v.started_at <= timedelta(hours=1)
                   for v in visits)
