"""The patient's FHIR R4 bundle (DOMAIN.md section 7). Every bundle a test downloads goes
through ``check_bundle``: fhir.resources' R4B models validate its structure and types, and the
rest checks what those models do not: the codes of required bindings, the ranges of the
scores, that every reference resolves inside the bundle and that no value is empty."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from tests.conftest import count_queries
from tests.factories import EXAMPLE_ROWS, adjunct, fresh, make_session, point, point_dicts, record
from tests.outcomes.test_progress_page import COURSE, build_course
from tracker.audit.models import AuditEvent
from tracker.demo.data import DEMO_CLINIC, DEMO_PASSWORD
from tracker.extensions import db
from tracker.patients.models import Patient
from tracker.safety.models import AdverseEvent
from tracker.safety.services import record_adverse_event
from tracker.scores.models import Assessment
from tracker.scores.services import record_score, void_score
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import amend_session

# What DOMAIN.md section 7 and R4 fix, written out here rather than read from the exporter.
SNOMED, LOINC = "http://snomed.info/sct", "http://loinc.org"
HL7 = "http://terminology.hl7.org/CodeSystem/"
SIDES = {"left": "7771000", "right": "24028007", "bilateral": "51440002", "midline": "399488007"}
PAIN_LOINC = "72514-3"
STATUSES = {  # the required bindings' codes (R4)
    "Encounter": {"planned", "arrived", "triaged", "in-progress", "onleave", "finished",
                  "cancelled", "entered-in-error", "unknown"},
    "Procedure": {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
                  "entered-in-error", "unknown"},
    "Observation": {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                    "entered-in-error", "unknown"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error",
                              "stopped"},
}
HL7_AE = {  # AdverseEvent's HL7 code systems and their codes
    "seriousness": {"Non-serious", "Serious", "SeriousResultsInDeath",
                    "SeriousResultsInHospitalization", "SeriousIsLifeThreatening",
                    "SeriousResultsInDisability", "SeriousResultsInBirthDefect",
                    "SeriousRequiresPreventImpairment"},
    "severity": {"mild", "moderate", "severe"},
    "outcome": {"resolved", "recovering", "ongoing", "resolvedWithSequelae", "fatal", "unknown"},
}
RANGES = {"psfs": (0, 10), "rmdq": (0, 24), "odi": (0, 100), "sleep": (0, 10), "stress": (0, 10),
          "mood": (0, 10)}
HOSTILE = ("=cmd|' /C calc'!A0", "<script>alert(1)</script>")


def check_bundle(body: bytes) -> dict:
    """Validate a downloaded bundle; return its resources by type, in order, and by fullUrl."""
    Bundle.model_validate_json(body)  # R4B: structure, cardinality, primitive formats
    data = json.loads(body)
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    _no_empty_values(data)
    by_url = {}
    for item in data["entry"]:
        resource = item["resource"]
        assert item["fullUrl"] == f"urn:uuid:{uuid.UUID(resource['id'])}"
        assert item["fullUrl"] not in by_url, "two entries share a fullUrl"
        by_url[item["fullUrl"]] = resource
    references = {d["reference"] for d in _dicts(data) if isinstance(d.get("reference"), str)}
    assert references <= set(by_url), "a reference leads outside the bundle"
    found = {}
    for resource in by_url.values():
        kind = resource["resourceType"]
        found.setdefault(kind, []).append(resource)
        if kind in STATUSES:
            assert resource["status"] in STATUSES[kind], resource
        for coding in (d for d in _dicts(resource) if "system" in d and "code" in d):
            assert re.fullmatch(r"(https?|urn):\S+", coding["system"]) and coding["code"]
    [patient] = found["Patient"]
    assert patient["gender"] in {"male", "female", "other", "unknown"}
    for encounter in found.get("Encounter", []):
        assert encounter["class"]["code"] == "AMB"
    for procedure in found.get("Procedure", []):
        _check_procedure(procedure)
    for observation in found.get("Observation", []):
        _check_observation(observation, by_url)
    for event in found.get("AdverseEvent", []):
        assert event["actuality"] == "actual"
        for field, codes in HL7_AE.items():
            hl7 = [c["code"] for c in event.get(field, {}).get("coding", [])
                   if c["system"] == f"{HL7}adverse-event-{field}"]
            assert set(hl7) <= codes and (hl7 or field == "outcome"), event
    return {"by_url": by_url, **found}


def _check_procedure(procedure: dict) -> None:
    [modality] = procedure["code"]["coding"]
    assert modality["system"] != SNOMED  # acupuncture's SNOMED codes are unverified
    period = procedure["performedPeriod"]
    assert "end" not in period or _time(period["start"]) <= _time(period["end"])
    for site in procedure.get("bodySite", []):
        sides = [ext["valueCodeableConcept"]["coding"] for ext in site.get("extension", [])
                 if "laterality" in ext["url"]]
        assert all(c["system"] == SNOMED and c["code"] in SIDES.values()
                   for coding in sides for c in coding)


def _check_observation(observation: dict, by_url: dict) -> None:
    [coding] = observation["code"]["coding"]
    if coding["system"] == LOINC:
        assert coding["code"] == PAIN_LOINC
        value = observation["valueInteger"]
        assert type(value) is int and 0 <= value <= 10
        return
    low, high = RANGES[coding["code"]]
    value = observation.get("valueInteger", observation.get("valueQuantity", {}).get("value"))
    assert type(value) in (int, float) and low <= value <= high
    for source in observation.get("derivedFrom", []):
        answers = by_url[source["reference"]]
        assert answers["resourceType"] == "QuestionnaireResponse"
        assert answers["questionnaire"].endswith(f"/{coding['code']}")


def _no_empty_values(value, path="Bundle") -> None:
    assert value not in (None, "", [], {}), f"empty value at {path}"
    if isinstance(value, dict):
        for key, item in value.items():
            _no_empty_values(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _no_empty_values(item, f"{path}[{n}]")


def _dicts(value):
    """Every object in a JSON value, nested ones too."""
    if isinstance(value, dict):
        yield value
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, dict | list):
            yield from _dicts(item)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def pain(bundle: dict) -> list[dict]:
    return [o for o in bundle.get("Observation", [])
            if o["code"]["coding"][0]["code"] == PAIN_LOINC]


def encounter_ref(bundle: dict, encounter: dict) -> dict:
    [url] = [u for u, r in bundle["by_url"].items() if r is encounter]
    return {"reference": url}


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def download(client, patient_id: int):
    response = client.get(f"/patients/{patient_id}/export.fhir")
    assert response.status_code == 200, response.status_code
    return response


def test_a_session_becomes_an_encounter_with_a_procedure_per_needle_and_technique(
        app, client, world):
    side = world["a"]
    rows = [*EXAMPLE_ROWS, ("ST36", "right")]
    with app.app_context():
        points = point_dicts(EXAMPLE_ROWS) + [point("ST36", "right", retention_minutes=10)]
        visit = record(side, points, [adjunct("cupping", cupping_method="dry", cups=4)],
                       sign=True)
        li4 = next(row for row in visit.points if row.code == "LI4")
        record_adverse_event(fresh(side, "patient"), actor=fresh(side, "practitioner"),
                             code="bleeding", severity="minor", action_taken="Pressed",
                             onset_at=visit.started_at + timedelta(minutes=30), visit=visit,
                             point_application=li4)
        started, session_minutes = visit.started_at, visit.retention_minutes
        entered_pain = sorted((visit.pain_before, visit.pain_after))
        db.session.commit()
    bundle = check_bundle(download(client, side["patient"].id).data)

    [encounter] = bundle["Encounter"]
    assert encounter["status"] == "finished"
    assert _time(encounter["period"]["start"]) == started
    needles = [p for p in bundle["Procedure"] if p["code"]["coding"][0]["code"] == "acupuncture"]
    assert len(needles) == len(rows)
    for (code, side_word, *custom), procedure in zip(rows, needles, strict=True):
        [site] = procedure["bodySite"]
        [[laterality]] = [e["valueCodeableConcept"]["coding"] for e in site["extension"]]
        assert laterality["code"] == SIDES[side_word]
        if code:  # a catalog point: its code in the project's own code system
            [acupoint] = site["coding"]
            assert acupoint["code"] == code and "acupuncture-tracker" in acupoint["system"]
        else:  # Ashi: the place in words, no code
            assert "coding" not in site and custom[0] in site["text"]
        assert procedure["encounter"]["reference"] in bundle["by_url"]
        period = procedure["performedPeriod"]
        minutes = 10 if code == "ST36" else session_minutes
        assert _time(period["end"]) - _time(period["start"]) == timedelta(minutes=minutes)
    [cupping] = [p for p in bundle["Procedure"] if p["code"]["coding"][0]["code"] == "cupping"]
    assert cupping["code"]["coding"][0]["system"].endswith("/CodeSystem/modality")
    assert cupping["encounter"] == encounter_ref(bundle, encounter)

    session_pain = [o for o in pain(bundle) if "encounter" in o]
    assert {o["encounter"]["reference"] for o in session_pain} == {
        encounter_ref(bundle, encounter)["reference"]}
    assert sorted(o["valueInteger"] for o in session_pain) == entered_pain
    [event] = bundle["AdverseEvent"]
    assert event["event"]["coding"][0]["code"] == "bleeding"
    suspect = bundle["by_url"][event["suspectEntity"][0]["instance"]["reference"]]
    assert suspect["bodySite"][0]["coding"][0]["code"] == "LI4"


def test_psfs_and_rmdq_are_answers_and_a_score(app, client, world):
    side = world["a"]
    activities = [{"name": "Sitting at the desk", "score": 3}, {"name": "机に座る", "score": 6}]
    marked = [n % 3 == 0 for n in range(24)]
    taken = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    with app.app_context():
        patient, episode, user = (fresh(side, k) for k in ("patient", "episode", "practitioner"))
        for instrument, answers in (("psfs", {"activities": activities}),
                                    ("rmdq", {"items": marked})):
            record_score(patient, episode, instrument=instrument, answers=answers,
                         taken_at=taken, zone="Asia/Tokyo", actor=user)
        db.session.commit()
    bundle = check_bundle(download(client, side["patient"].id).data)

    scores = {o["code"]["coding"][0]["code"]: o for o in bundle["Observation"]}
    psfs_answers = bundle["by_url"][scores["psfs"]["derivedFrom"][0]["reference"]]
    named = [[a["answer"][0] for a in group["item"]] for group in psfs_answers["item"]]
    assert named == [[{"valueString": a["name"]}, {"valueInteger": a["score"]}]
                     for a in activities]
    assert scores["psfs"]["valueQuantity"]["value"] == 4.5  # the mean of 3 and 6
    rmdq_answers = bundle["by_url"][scores["rmdq"]["derivedFrom"][0]["reference"]]
    assert [item["answer"][0]["valueBoolean"] for item in rmdq_answers["item"]] == marked
    assert scores["rmdq"]["valueInteger"] == sum(marked)
    assert {r["status"] for r in (psfs_answers, rmdq_answers)} == {"completed"}


def test_drafts_amendments_and_voided_scores_say_so(app, client, world):
    side = world["a"]
    with app.app_context():
        signed = record(side, sign=True)
        amend_session(signed, reason="Misread the scale", values={"pain_after": 2},
                      actor=fresh(side, "practitioner"))
        draft = record(side, started_at=signed.started_at + timedelta(days=7), pain_before=5)
        psfs = record_score(fresh(side, "patient"), fresh(side, "episode"), instrument="psfs",
                            answers={"activities": [{"name": "Lifting", "score": 2}]},
                            taken_at=signed.started_at, zone="Asia/Tokyo",
                            actor=fresh(side, "practitioner"))
        void_score(psfs, reason="Another patient's sheet", actor=fresh(side, "practitioner"))
        db.session.commit()
        signed_at, draft_at = signed.started_at, draft.started_at
    bundle = check_bundle(download(client, side["patient"].id).data)

    encounters = {_time(e["period"]["start"]): e for e in bundle["Encounter"]}
    assert encounters[signed_at]["status"] == "finished"
    assert encounters[draft_at]["status"] == "in-progress"
    by_encounter = {}
    for observation in pain(bundle):
        if "encounter" in observation:
            visit = bundle["by_url"][observation["encounter"]["reference"]]
            by_encounter.setdefault(_time(visit["period"]["start"]), []).append(
                (observation["valueInteger"], observation["status"]))
    assert sorted(by_encounter[signed_at]) == [(2, "final"), (7, "final")]  # as amended
    assert sorted(by_encounter[draft_at]) == [(4, "preliminary"), (5, "preliminary")]
    voided = [r for r in bundle["by_url"].values() if r["resourceType"] != "Encounter"
              and r.get("status") == "entered-in-error"]
    assert {r["resourceType"] for r in voided} == {"Observation", "QuestionnaireResponse"}


def test_many_sessions_come_out_in_order_in_a_fixed_number_of_queries(app, client, world):
    build_course(app, world["a"], course=COURSE[:1])
    download(client, world["a"]["patient"].id)
    with count_queries(app) as few:
        download(client, world["a"]["patient"].id)
    build_course(app, world["a"], course=COURSE * 3)
    with count_queries(app) as many:
        bundle = check_bundle(download(client, world["a"]["patient"].id).data)
    assert len(many) == len(few)
    assert len(bundle["Encounter"]) == 1 + 3 * len(COURSE)
    befores = sorted((_time(o["effectiveDateTime"]), o["valueInteger"]) for o in pain(bundle)
                     if "encounter" in o and o["note"][0]["text"] == "Before the session")
    assert [value for _, value in befores][-len(COURSE):] == [b for b, _ in COURSE]
    needles = [p for p in bundle["Procedure"] if p["code"]["coding"][0]["code"] == "acupuncture"]
    assert len(needles) == 2 * len(bundle["Encounter"])  # LI4 and SP6 at every visit


@pytest.mark.parametrize(("family", "given", "kana"), [
    ("佐藤", "健一", ("サトウ", "ケンイチ")),
    (HOSTILE[0], HOSTILE[1], None),
    ("O'Brien", HOSTILE[0], None),
])
def test_japanese_and_hostile_names_arrive_as_written(app, client, world, factory, family,
                                                      given, kana):
    side = world["a"]
    names = {"family_name": family, "given_name": given}
    if kana:
        names |= {"family_name_kana": kana[0], "given_name_kana": kana[1]}
    patient = factory.patient(side["clinic"], side["reception"], **names)
    factory.consent(patient, side["reception"])
    episode = factory.episode(patient, side["practitioner"])
    make_session(app, {**side, "patient": patient, "episode": episode}, sign=True)
    response = download(client, patient.id)

    assert response.mimetype == "application/fhir+json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{patient.chart_number}-')
    assert disposition.endswith('.fhir.json"')
    [person] = check_bundle(response.data)["Patient"]
    written = person["name"][0]
    assert (written["family"], written["given"], written["text"]) == (family, [given],
                                                                       f"{family} {given}")
    marks = [e["valueCode"] for name in person["name"] for e in name.get("extension", [])]
    assert marks == (["IDE", "SYL"] if kana else [])
    if kana:
        assert person["name"][1]["text"] == " ".join(kana)


@pytest.mark.parametrize(("role", "clinic", "status"), [
    ("practitioner", "a", 200), ("admin", "a", 200), ("reception", "a", 403),
    ("practitioner", "b", 404), (None, "a", 302),
])
def test_only_clinical_staff_of_the_patients_clinic_may_export(client, auth, clinic_world,
                                                               role, clinic, status):
    if role:
        auth.login(clinic_world["a"][role].email)
    response = client.get(f"/patients/{clinic_world[clinic]['patient'].id}/export.fhir")
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_the_export_is_audited_without_clinical_content_and_never_cached(app, client, world):
    side = world["a"]
    make_session(app, side, sign=True, subjective="Sleeps badly")
    with app.app_context():
        before = db.session.scalar(select(func.max(AuditEvent.id)))
    response = download(client, side["patient"].id)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
        chief_complaint = fresh(side, "episode").chief_complaint
    [export] = [e for e in events if e.action == "patient.export"]
    assert (export.user_id, export.patient_id, export.details["format"]) == (
        side["practitioner"].id, side["patient"].id, "fhir")
    for event in events:  # who, what, which patient: never what the record says
        logged = json.dumps(event.details, ensure_ascii=False)
        for clinical in (side["patient"].family_name, chief_complaint, "Sleeps badly", "LI4"):
            assert clinical not in logged


def test_the_command_line_writes_the_bundle_the_page_downloads(app, client, runner, world,
                                                               tmp_path):
    side = world["a"]
    make_session(app, side, sign=True)
    out = tmp_path / "bundle.json"
    result = runner.invoke(args=["export", "patient", side["patient"].chart_number, "--format",
                                 "fhir", "--out", str(out), "--clinic", side["clinic"].name])
    assert result.exit_code == 0, result.output
    # The same record gives the same bytes: a receiver recognises what it already holds.
    assert out.read_bytes() == download(client, side["patient"].id).data
    check_bundle(out.read_bytes())
    with app.app_context():
        actors = db.session.scalars(select(AuditEvent.user_id)
                                    .where(AuditEvent.action == "patient.export")).all()
    assert sorted(actors, key=str) == sorted([None, side["practitioner"].id], key=str)


def test_every_demo_patient_exports_a_valid_bundle(app, client, runner, auth):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    auth.login("practitioner@demo.test", DEMO_PASSWORD)
    with app.app_context():
        patients = db.session.execute(
            select(Patient.id, Patient.chart_number)
            .where(Patient.clinic.has(name=DEMO_CLINIC))).all()
        article = next(pid for pid, chart in patients if chart == "DEMO-0001")
        expected = {
            "Encounter": db.session.scalar(select(func.count(TreatmentSession.id))
                                           .where(TreatmentSession.patient_id == article)),
            "AdverseEvent": db.session.scalar(select(func.count(AdverseEvent.id))
                                              .where(AdverseEvent.patient_id == article)),
            "QuestionnaireResponse": db.session.scalar(
                select(func.count(Assessment.id)).where(
                    Assessment.patient_id == article,
                    Assessment.instrument.in_(("psfs", "rmdq", "odi")))),
        }
    assert len(patients) > 30
    for patient_id, _ in patients:
        bundle = check_bundle(download(client, patient_id).data)
        if patient_id == article:
            assert {kind: len(bundle.get(kind, [])) for kind in expected} == expected
            assert expected["Encounter"] and expected["QuestionnaireResponse"]
            assert {o["code"]["coding"][0]["code"] for o in bundle["Observation"]} >= {
                PAIN_LOINC, "psfs", "rmdq"}
