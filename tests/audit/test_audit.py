"""The audit log: views and changes are recorded, the chain detects tampering, the admin page."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import count_queries
from tests.factories import intake_form_data
from tracker.audit.models import AuditEvent
from tracker.audit.services import record_event, verify_chain
from tracker.auth.models import User
from tracker.clinics.models import Clinic
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.patients.models import Consent, Patient
from tracker.patients.services import create_patient


def events_after(app, last_id: int) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


def last_event_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


@contextmanager
def append_only_triggers_off(app):
    """Let a test tamper with audit rows as someone with direct database access could."""
    with app.app_context():
        db.session.remove()
        engine = db.engine
    toggle = "ALTER TABLE audit_events {} TRIGGER audit_events_append_only"
    postgres = engine.dialect.name == "postgresql"
    drops = ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"]
    with engine.begin() as connection:
        for statement in [toggle.format("DISABLE")] if postgres else drops:
            connection.execute(text(statement))
    try:
        yield engine
    finally:
        if postgres:  # SQLite needs no restoring: each test has its own copy of the database
            with engine.begin() as connection:
                connection.execute(text(toggle.format("ENABLE")))


# --- views --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "action", "entity"),
    [("/patients/{p}", "patient.view", "patients"), ("{e}", "episode.view", "episodes")],
)
def test_viewing_is_audited_without_patient_data(app, client, as_role, url, action, entity):
    world = as_role("practitioner")
    patient, episode = world["a"]["patient"], world["a"]["episode"]
    start = last_event_id(app)
    assert client.get(fill(url, world)).status_code == 200

    [event] = events_after(app, start)
    assert (event.action, event.user_id, event.clinic_id, event.patient_id) == (
        action, world["a"]["practitioner"].id, world["a"]["clinic"].id, patient.id
    )
    entity_id = patient.id if entity == "patients" else episode.id
    assert (event.entity_type, event.entity_id) == (entity, entity_id)
    assert event.details == {}


# --- changes ------------------------------------------------------------------------------

PATIENT = {"family_name": "Renamed", "chart_number": "A-0100", "sex": "unknown",
           "preferred_language": "ja"}
ARCHIVE = ("/patients/{p}/archive", {"reason": "Moved away", "confirm": "y"})
CONSENT = {"given": "no", "consent_date": "2026-11-02", "form_version": "v1",
           "witnessed_by": "", "notes": ""}
# What a browser posts: every optional select left at "Not recorded" is sent as "".
BROWSER_INTAKE = intake_form_data(**dict.fromkeys(
    ("onset_type", "duration", "break_habit", "exercise", "sleep_position", "weight_trend",
     "tongue_colour", "tongue_coating", "tongue_moisture"), ""))
CLOSE = ("{e}/close", {"closed_on": "2026-11-20", "close_reason": "resolved", "close_note": ""})

# action, an earlier step it needs (url, data), the change itself (url, data)
CHANGES = [
    ("patient.create", None, ("/patients/new", PATIENT)),
    ("patient.update", None, ("/patients/{p}/edit", PATIENT)),
    ("patient.archive", None, ARCHIVE),
    ("patient.restore", ARCHIVE, ("/patients/{p}/restore", {})),
    ("consent.record", None, ("/patients/{p}/consent", CONSENT)),
    ("episode.create", None, ("/patients/{p}/episodes/new", BROWSER_INTAKE)),
    ("episode.update", None, ("{e}/edit", {**BROWSER_INTAKE, "chief_complaint": "Upper back"})),
    ("episode.close", None, CLOSE),
    ("episode.reopen", CLOSE, ("{e}/reopen", {})),
    ("episode.red_flags_acknowledge", None, ("{f}/acknowledge", {"note": "Referred to GP"})),
]


def fill(url: str, world: dict) -> str:
    """Expand {p} (patient), {e} and {f} (the episode, the red-flag episode) to clinic A's ids."""
    side = world["a"]
    for key, episode in (("{e}", side["episode"]), ("{f}", side.get("flagged"))):
        if key in url:
            url = url.replace(key, f"/patients/{{p}}/episodes/{episode.id}")
    return url.replace("{p}", str(side["patient"].id))


def with_version(app, url: str, data: dict) -> dict:
    """Add the hidden ``version`` field an edit form carries (what the browser posts)."""
    if not url.endswith("/edit"):
        return data
    model = Episode if "/episodes/" in url else Patient
    record_id = int(url.split("/")[-2])
    with app.app_context():
        return {**data, "version": str(db.session.get(model, record_id).version)}


@pytest.mark.parametrize(("action", "setup", "change"), CHANGES, ids=[c[0] for c in CHANGES])
def test_every_change_writes_exactly_its_audit_row(
    app, client, as_role, factory, action, setup, change
):
    world = as_role("practitioner")
    world["a"]["flagged"] = factory.episode(
        world["a"]["patient"], world["a"]["practitioner"], red_flags=["fever"]
    )
    if setup:
        assert client.post(fill(setup[0], world), data=setup[1]).status_code == 302
    start = last_event_id(app)

    url = fill(change[0], world)
    assert client.post(url, data=with_version(app, url, change[1])).status_code == 302
    [event] = events_after(app, start)
    assert (event.action, event.user_id) == (action, world["a"]["practitioner"].id)
    new_patient = action == "patient.create"
    assert event.patient_id == (event.entity_id if new_patient else world["a"]["patient"].id)


INVALID = [
    ("patient.create", "/patients/new", {**PATIENT, "family_name": ""}),
    ("patient.update", "/patients/{p}/edit", {**PATIENT, "family_name": " "}),
    ("patient.archive", ARCHIVE[0], {"reason": "Moved away"}),
    ("consent.record", "/patients/{p}/consent", {**CONSENT, "given": ""}),
    ("episode.create", "/patients/{p}/episodes/new", {**BROWSER_INTAKE, "chief_complaint": ""}),
    ("episode.update", "{e}/edit", {**BROWSER_INTAKE, "chief_complaint": " "}),
    ("episode.close", CLOSE[0], {**CLOSE[1], "close_reason": ""}),
    ("episode.acknowledge", "{e}/acknowledge", {"note": "   "}),
]


def row_counts(app) -> list[int]:
    with app.app_context():
        return [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Patient, Episode, Consent, AuditEvent)
        ]


@pytest.mark.parametrize(("action", "url", "data"), INVALID, ids=[c[0] for c in INVALID])
def test_refused_input_writes_no_audit_row_and_saves_nothing(
    app, client, as_role, action, url, data
):
    world = as_role("practitioner")
    before = row_counts(app)
    url = fill(url, world)
    assert client.post(url, data=with_version(app, url, data)).status_code == 422
    assert row_counts(app) == before
    with app.app_context():
        patient = db.session.get(Patient, world["a"]["patient"].id)
        episode = db.session.get(Episode, world["a"]["episode"].id)
        assert (patient.family_name, patient.archived_at) == ("PatientA", None)
        assert (episode.chief_complaint, episode.status) == ("Middle back pain", "open")


def test_change_and_its_audit_row_commit_or_roll_back_together(app_ctx, clinic_world):
    clinic = db.session.get(Clinic, clinic_world["a"]["clinic"].id)
    actor = db.session.get(User, clinic_world["a"]["reception"].id)
    start = db.session.scalar(select(func.max(AuditEvent.id)))

    create_patient(clinic, actor=actor, family_name="Rolled", given_name="Back")
    db.session.rollback()
    assert db.session.scalar(select(Patient).where(Patient.family_name == "Rolled")) is None
    assert db.session.scalar(select(func.max(AuditEvent.id))) == start

    patient = create_patient(clinic, actor=actor, family_name="Kept", given_name="Here")
    db.session.commit()
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.patient_id == patient.id)
    ).all() == ["patient.create"]


# --- the hash chain -----------------------------------------------------------------------


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'x'",
                                       "DELETE FROM audit_events"])
def test_audit_rows_cannot_be_changed_or_deleted(app_ctx, clinic_world, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_events SET action = 'patient.view' WHERE id = :id",
        "UPDATE audit_events SET patient_id = patient_id + 1000 WHERE id = :id",
        "UPDATE audit_events SET user_id = NULL WHERE id = :id",
    ],
    ids=["action", "patient", "user"],
)
def test_verify_chain_finds_an_edited_row(app, clinic_world, tamper):
    with app.app_context():
        target = db.session.scalar(  # a row in the middle of the chain with user and patient
            select(func.min(AuditEvent.id)).where(AuditEvent.action == "consent.record")
        )
    with append_only_triggers_off(app) as engine, engine.begin() as connection:
        assert connection.execute(text(tamper), {"id": target}).rowcount == 1
    with app.app_context():
        assert verify_chain() == target


def test_verify_chain_passes_a_normal_day_and_finds_a_deleted_row(app, client, as_role):
    world = as_role("practitioner")
    client.get(f"/patients/{world['a']['patient'].id}")
    client.post("/logout")
    with app.app_context():
        ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        assert len(ids) > 10
        assert verify_chain() is None
    deleted = ids[3]
    with append_only_triggers_off(app) as engine, engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": deleted})
    with app.app_context():
        assert verify_chain() == ids[4]


# --- the admin page -----------------------------------------------------------------------


def shown_actions(response) -> int:
    assert response.status_code == 200
    return response.get_data(as_text=True).count("<code>")


def test_audit_page_lists_only_its_own_clinic(app, client, as_role):
    world = as_role("admin")
    response = client.get("/audit/")
    html = response.get_data(as_text=True)
    with app.app_context():
        clinic_id = world["a"]["clinic"].id
        own = db.session.scalar(select(func.count()).where(AuditEvent.clinic_id == clinic_id))
    assert shown_actions(response) == own
    assert f'?patient_id={world["a"]["patient"].id}"' in html
    assert f'?patient_id={world["b"]["patient"].id}"' not in html


def test_audit_page_filters_by_patient(app, client, as_role, factory):
    world = as_role("admin")
    first = world["a"]["patient"]
    second = factory.patient(world["a"]["clinic"], world["a"]["reception"])
    client.get(f"/patients/{first.id}")
    with app.app_context():
        expected = db.session.scalar(select(func.count()).where(AuditEvent.patient_id == first.id))

    response = client.get(f"/audit/?patient_id={first.id}")
    html = response.get_data(as_text=True)
    assert shown_actions(response) == expected >= 4  # create, consent, intake, view
    assert f'?patient_id={second.id}"' not in html
    # Another clinic's patient id shows nothing at all.
    assert shown_actions(client.get(f"/audit/?patient_id={world['b']['patient'].id}")) == 0


def test_audit_page_query_count_does_not_grow_with_events(app, client, as_role, factory):
    world = as_role("admin")
    client.get("/audit/")  # warm-up: session refresh and one-time lookups happen here
    with count_queries(app) as few:
        small = shown_actions(client.get("/audit/"))

    clinic = world["a"]["clinic"]
    staff = [factory.user(clinic, "practitioner") for _ in range(5)]
    with app.app_context():
        for number in range(40):
            actor = db.session.get(User, staff[number % len(staff)].id)
            record_event("patient.view", actor=actor, patient_id=world["a"]["patient"].id)
        db.session.commit()
    with count_queries(app) as many:
        large = shown_actions(client.get("/audit/"))

    assert large > small + 30
    assert len(many) == len(few)


def test_audit_pages_go_older_and_newer_without_counting_the_log(app, client, as_role):
    world = as_role("admin")
    per_page = app.config["PATIENTS_PER_PAGE"] * 2
    with app.app_context():
        admin = db.session.get(User, world["a"]["admin"].id)
        for number in range(per_page + 7):
            record_event("patient.view", actor=admin, details={"probe": number})
        db.session.commit()

    def probes(response):
        assert response.status_code == 200
        return [int(n) for n in re.findall(r"probe[^0-9<]*?(\d+)", response.get_data(as_text=True))]

    newest = client.get("/audit/")
    html = newest.get_data(as_text=True)
    assert probes(newest)[:3] == [per_page + 6, per_page + 5, per_page + 4]
    assert "Newer" not in html and "Older" in html
    older_link = re.search(r'href="(/audit/\?before=\d+)"', html).group(1)
    older = client.get(older_link)
    shown = probes(older)
    assert shown[:7] == [6, 5, 4, 3, 2, 1, 0]  # the rest of the probes, then earlier events
    assert set(shown).isdisjoint(probes(newest))
    newer_link = re.search(r'href="(/audit/\?after=\d+)"', older.get_data(as_text=True)).group(1)
    assert probes(client.get(newer_link)) == probes(newest)

    # Hostile or stale page ids: the newest page, or an empty page that says so.
    for value in ("x", "-1", "1e3", "9" * 30):
        assert probes(client.get(f"/audit/?before={value}"))[0] == per_page + 6
    empty = client.get("/audit/?before=1")
    assert "No audit events on this page." in empty.get_data(as_text=True)

    with count_queries(app) as statements:
        client.get(older_link)
    assert not any("count(" in statement.lower() for statement in statements)
