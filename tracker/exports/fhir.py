"""The patient's record as a FHIR R4 Bundle of type ``collection`` (docs/export-formats.md,
"FHIR R4"): the clinic, the patient, an Encounter per session, a Procedure per point row and
per technique, the scores (``fhir_scores``) and the adverse events.

Built from plain dicts and ``json``: the app has no runtime dependency on a FHIR library. The
tests validate every bundle with ``fhir.resources``' R4B models (a test dependency only,
requirements-dev.txt) and check what those models do not: codes, ranges and references.

Every entry's ``fullUrl`` is a ``urn:uuid:`` derived from its table and id in a namespace of
the clinic (``fhir_scores.Ids``), and the bundle carries no export time, so the same record
exports the same bytes.
"""

from datetime import timedelta

from flask_babel import force_locale

from tracker.exports.fhir_scores import (
    BASE,
    SNOMED,
    Ids,
    coding,
    instant,
    number,
    score_entries,
)
from tracker.exports.json_text import json_text
from tracker.exports.record import load_record
from tracker.safety.vocab import AE_CODES, AE_OUTCOMES, AE_SEVERITIES, AE_TYPES
from tracker.sessions.vocab import ADJUNCT_KINDS

MODALITY = f"{BASE}/CodeSystem/modality"
ACUPOINT = f"{BASE}/CodeSystem/acupoint"
ADVERSE_EVENT = f"{BASE}/CodeSystem/adverse-event"
ADVERSE_EVENT_CATEGORY = f"{BASE}/CodeSystem/adverse-event-category"
ADVERSE_EVENT_SEVERITY = f"{BASE}/CodeSystem/adverse-event-severity"
ADVERSE_EVENT_OUTCOME = f"{BASE}/CodeSystem/adverse-event-outcome"
DESCRIPTION_EXTENSION = f"{BASE}/StructureDefinition/adverse-event-description"
ACTION_EXTENSION = f"{BASE}/StructureDefinition/adverse-event-action-taken"
NEEDLING_EXTENSION = f"{BASE}/StructureDefinition/needling"


def chart_number_system(ids: Ids) -> str:
    """The identifier system of one clinic's chart numbers (unique within the clinic only)."""
    return f"{BASE}/clinic/{ids.namespace}/chart-number"


# The extension HL7's mCODE guide (R4) publishes for a side on a body site (LateralityQualifier:
# context Procedure.bodySite, value set exactly these four SNOMED CT qualifiers). A second coding on
# bodySite would claim the side is a synonym of the point; a second bodySite, a second place.
LATERALITY_EXTENSION = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
LATERALITY = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Right and left"),
    "midline": ("399488007", "Midline"),
}
# A HumanName's script (R4 core extension; JP Core marks the kana reading SYL the same way).
NAME_REPRESENTATION = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
LANGUAGES = {"ja": "ja", "en": "en"}  # BCP 47; "other" says nothing a receiver could use
ENCOUNTER_CLASS = coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB",
                         "ambulatory")
# The app's adverse-event severity and outcome in HL7's R4 AdverseEvent code systems.
HL7_AE = "http://terminology.hl7.org/CodeSystem/adverse-event-"
HL7_SEVERITY = {"minor": ("mild", "Mild"), "needed_treatment": ("moderate", "Moderate"),
                "serious": ("severe", "Severe")}
HL7_OUTCOME = {"resolved": ("resolved", "Resolved"), "resolving": ("recovering", "Recovering"),
               "ongoing": ("ongoing", "Ongoing"),
               "unknown": ("unknown", "Unknown")}  # "referred": the local code only


def render(patient, options) -> bytes:
    """The patient's bundle as UTF-8 JSON (no option applies to FHIR)."""
    # Displays of the app's vocabularies in English, whatever the reader's language: a
    # code system has one display per code, and the same record exports the same bytes.
    with force_locale("en"):
        bundle = patient_bundle(patient)
    # One entry a line (json_text): the indented 13 MB of a 300-session patient took longer
    # to write than to build.
    return json_text(bundle, levels=2).encode()


def patient_bundle(patient) -> dict:
    """The Bundle of ``patient`` (loaded with its consents and episodes), as a dict."""
    record = load_record(patient)
    ids = Ids.of_clinic(patient.clinic)
    episodes = {episode.id: episode for episode in patient.episodes}
    visits = {visit.id: visit for visit in record.sessions}
    entries = [_organization(ids, patient.clinic), _patient(ids, patient)]
    for visit in record.sessions:
        entries.append(_encounter(ids, visit, episodes[visit.episode_id]))
        entries += [_point_procedure(ids, visit, row) for row in visit.points]
        entries += [_adjunct_procedure(ids, visit, row) for row in visit.adjuncts]
    for assessment in record.assessments:
        entries += score_entries(ids, assessment, visits.get(assessment.session_id))
    entries += [_adverse_event(ids, event, visits.get(event.session_id))
                for event in record.adverse_events]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _organization(ids: Ids, clinic) -> dict:
    return ids.entry("clinics", clinic.id, {
        "resourceType": "Organization", "name": clinic.name,
        "telecom": [{"system": "phone", "value": clinic.phone},
                    {"system": "email", "value": clinic.email}],
        "address": [{"text": clinic.address}],
    })


def _patient(ids: Ids, patient) -> dict:
    names = [{
        "use": "official", "text": patient.display_name, "family": patient.family_name,
        "given": [patient.given_name],
        # Ideographic when written in kanji; a Latin or kana-only name gets no mark.
        "extension": [{"url": NAME_REPRESENTATION, "valueCode": "IDE"}]
        if any(_is_ideograph(c) for c in patient.display_name) else [],
    }]
    if patient.kana_name:
        names.append({
            "use": "official", "text": patient.kana_name, "family": patient.family_name_kana,
            "given": [patient.given_name_kana],
            "extension": [{"url": NAME_REPRESENTATION, "valueCode": "SYL"}],
        })
    language = LANGUAGES.get(patient.preferred_language)
    return ids.entry("patients", patient.id, {
        "resourceType": "Patient",
        "identifier": [{"use": "usual", "system": chart_number_system(ids),
                        "value": patient.chart_number}],
        "active": not patient.is_archived,
        "name": names,
        "telecom": [{"system": "phone", "value": patient.phone},
                    {"system": "email", "value": patient.email}],
        "gender": GENDER[patient.sex],
        "birthDate": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "address": [{"text": patient.address, "postalCode": patient.postal_code}],
        "communication": [{"language": {"coding": [coding("urn:ietf:bcp:47", language)]},
                           "preferred": True}] if language else [],
        "managingOrganization": ids.reference("clinics", patient.clinic_id),
    })


def _is_ideograph(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or char == "\u3005"


def _encounter(ids: Ids, visit, episode) -> dict:
    return ids.entry("treatment_sessions", visit.id, {
        "resourceType": "Encounter",
        # A draft note is still open: what it says may change until it is signed.
        "status": "finished" if visit.is_signed else "in-progress",
        "class": ENCOUNTER_CLASS,
        "subject": ids.reference("patients", visit.patient_id),
        "participant": [{"individual": {"display": visit.practitioner.name}}],
        "period": {"start": instant(visit.started_at)},
        "reasonCode": [{"text": episode.chief_complaint}],
        "serviceProvider": ids.reference("clinics", visit.clinic_id),
    })


def _procedure(ids: Ids, visit, table: str, row_id: int, modality: str, display: str,
               **fields) -> dict:
    return ids.entry(table, row_id, {
        "resourceType": "Procedure",
        "status": "completed",
        "code": {"coding": [coding(MODALITY, modality, display)], "text": display},
        "subject": ids.reference("patients", visit.patient_id),
        "encounter": ids.reference("treatment_sessions", visit.id),
        "performer": [{"actor": {"display": visit.practitioner.name}}],
        **fields,
    })


def _point_procedure(ids: Ids, visit, row) -> dict:
    """A needle (a bilateral row: one on each side), in at insertion, out after its own
    retention or the session's."""
    start = visit.inserted_at or visit.started_at
    minutes = row.retention_minutes if row.retention_minutes is not None \
        else visit.retention_minutes
    end = start + timedelta(minutes=minutes) if minutes is not None else visit.removed_at
    side_code, side = LATERALITY[row.laterality]
    site = {"extension": [{"url": LATERALITY_EXTENSION,
                           "valueCodeableConcept": {"coding": [coding(SNOMED, side_code, side)]}}]}
    if row.point is not None:
        name = row.point.pinyin + (f" ({row.point.english})" if row.point.english else "")
        site |= {"coding": [coding(ACUPOINT, row.point.code, name)],
                 "text": f"{row.point.code} {row.level}".strip()}
    else:  # an Ashi or other custom point: no code, its place in words
        level = row.level if row.level and row.level not in row.custom_label else ""
        site["text"] = f"{row.custom_label} {level}".strip()
    return _procedure(ids, visit, "point_applications", row.id, "acupuncture", "Acupuncture",
                      bodySite=[site],
                      performedPeriod={"start": instant(start), "end": instant(end)},
                      extension=_needling(visit, row))


def _needling(visit, row) -> list[dict]:
    """STRICTA 2c-2e of a needle as the app records them (codes, mm)."""
    gauge = row.gauge_mm if row.gauge_mm is not None else visit.needle_gauge_mm
    length = row.length_mm if row.length_mm is not None else visit.needle_length_mm
    values = [
        ("depth", {"valueQuantity": {"value": number(row.depth), "unit": row.depth_unit}}
         if row.depth is not None else None),
        ("angle", {"valueCode": row.angle} if row.angle else None),
        ("gauge", {"valueQuantity": _mm(gauge)} if gauge is not None else None),
        ("length", {"valueQuantity": _mm(length)} if length is not None else None),
        ("technique", {"valueCode": row.technique} if row.technique else None),
        ("stimulation", {"valueCode": row.stimulation} if row.stimulation else None),
        ("deqiObtained", {"valueBoolean": row.deqi_obtained}
         if row.deqi_obtained is not None else None),
    ]
    parts = [{"url": name, **value} for name, value in values if value is not None]
    return [{"url": NEEDLING_EXTENSION, "extension": parts}] if parts else []


def _mm(value) -> dict:
    return {"value": number(value), "unit": "mm", "system": "http://unitsofmeasure.org",
            "code": "mm"}


def _adjunct_procedure(ids: Ids, visit, row) -> dict:
    """A technique: the app records how long it lasted, not when it began, so its period
    starts with the session."""
    end = visit.started_at + timedelta(minutes=row.minutes) if row.minutes is not None else None
    notes = [row.notes, "; ".join(f"{name}: {_param(value)}"
                                  for name, value in sorted(row.params.items())
                                  if value not in (None, "", []))]
    return _procedure(ids, visit, "adjuncts", row.id, row.kind, str(dict(ADJUNCT_KINDS)[row.kind]),
                      bodySite=[{"text": row.sites}],
                      performedPeriod={"start": instant(visit.started_at), "end": instant(end)},
                      note=[{"text": text} for text in notes if text])


def _param(value) -> str:
    if isinstance(value, list):  # EA pairs: [["BL18", "BL23"], ...]
        return ", ".join("-".join(map(str, v)) if isinstance(v, list) else str(v) for v in value)
    return str(value)


def _adverse_event(ids: Ids, event, visit) -> dict:
    labels = dict(AE_CODES)
    category = {code: label for code, label, _ in AE_TYPES}[event.category]
    severity = [coding(ADVERSE_EVENT_SEVERITY, event.severity,
                       str(dict(AE_SEVERITIES)[event.severity]))]
    outcome = [coding(ADVERSE_EVENT_OUTCOME, event.outcome, str(dict(AE_OUTCOMES)[event.outcome]))]
    if event.outcome in HL7_OUTCOME:
        outcome.insert(0, coding(f"{HL7_AE}outcome", *HL7_OUTCOME[event.outcome]))
    serious = "Serious" if event.severity == "serious" else "Non-serious"
    return ids.entry("adverse_events", event.id, {
        "resourceType": "AdverseEvent",
        "actuality": "actual",
        "category": [{"coding": [coding(ADVERSE_EVENT_CATEGORY, event.category, str(category))]}],
        "event": {"coding": [coding(ADVERSE_EVENT, event.code, str(labels[event.code]))],
                  "text": str(labels[event.code])},
        "subject": ids.reference("patients", event.patient_id),
        "encounter": ids.reference("treatment_sessions", visit.id) if visit is not None else None,
        "date": instant(event.onset_at),
        "recordedDate": instant(event.recorded_at),
        "recorder": {"display": event.recorded_by.name},
        "seriousness": {"coding": [coding(f"{HL7_AE}seriousness", serious, serious)]},
        "severity": {"coding": [coding(f"{HL7_AE}severity", *HL7_SEVERITY[event.severity]),
                                *severity]},
        "outcome": {"coding": outcome},
        "suspectEntity": [{"instance": suspect}]
        if (suspect := _suspect(ids, event, visit)) else [],
        "extension": [{"url": DESCRIPTION_EXTENSION, "valueString": event.description},
                      {"url": ACTION_EXTENSION, "valueString": event.action_taken}],
    })


def _suspect(ids: Ids, event, visit) -> dict | None:
    """The Procedure of the point row or technique the event is linked to."""
    if visit is None:
        return {"display": event.technique} if event.technique else None
    if any(row.id == event.point_application_id for row in visit.points):
        return ids.reference("point_applications", event.point_application_id)
    adjunct = next((row for row in visit.adjuncts if row.kind == event.technique), None)
    if adjunct is not None:
        return ids.reference("adjuncts", adjunct.id)
    return {"display": event.technique} if event.technique else None
