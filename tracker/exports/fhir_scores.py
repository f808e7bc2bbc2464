"""The scores of the FHIR bundle (``exports.fhir``), and the building blocks every entry of it
uses: stable ids and references, codings, times, numbers.

Pain is an Observation coded LOINC 72514-3 with ``valueInteger`` 0-10. PSFS, RMDQ and ODI are
a QuestionnaireResponse holding the raw answers and an Observation holding the score, derived
from it; sleep, stress and mood are Observations. Instruments other than pain have no code we
could verify, so they use the app's own code system. A voided score stays in the bundle as
``entered-in-error`` (a receiver that imported an earlier export learns it was withdrawn: the
same fullUrl); a draft session's pain is ``preliminary`` until the note is signed.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tracker.scores.instruments import INSTRUMENTS

BASE = "https://acupuncture-tracker.example/fhir"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
INSTRUMENT = f"{BASE}/CodeSystem/instrument"
CONTEXT = f"{BASE}/CodeSystem/assessment-context"
CONTEXT_EXTENSION = f"{BASE}/StructureDefinition/assessment-context"
QUESTIONNAIRE = f"{BASE}/Questionnaire"
PAIN = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                      "code": "survey", "display": "Survey"}]}
# Where a score was taken (``scores.models.CONTEXTS``), as the note on each Observation.
CONTEXTS = {
    "intake": "At intake",
    "before_session": "Before the session",
    "after_session": "After the session",
    "follow_up": "At a follow-up contact",
}
# Every id is a uuid5 in a namespace of the clinic (below), itself a uuid5 in this one.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)


@dataclass(frozen=True)
class Ids:
    """The resource ids of one clinic's records: a uuid5 of the table and row id, in a
    namespace made of the clinic's id and creation time. The same row keeps the same id in
    every export, and two installations' patient 1 never share one."""

    namespace: uuid.UUID

    @classmethod
    def of_clinic(cls, clinic) -> "Ids":
        return cls(uuid.uuid5(NAMESPACE, f"clinics/{clinic.id}/{clinic.created_at.isoformat()}"))

    def key(self, table: str, row_id: int, part: str = "") -> str:
        """The uuid of a row's resource (``part`` tells apart two resources of one row)."""
        return str(uuid.uuid5(self.namespace, f"{table}/{row_id}{'/' + part if part else ''}"))

    def reference(self, table: str, row_id: int, part: str = "") -> dict:
        return {"reference": f"urn:uuid:{self.key(table, row_id, part)}"}

    def entry(self, table: str, row_id: int, resource: dict, part: str = "") -> dict:
        """A bundle entry, without the empty values FHIR forbids (``""``, ``[]``, ``{}``,
        null)."""
        key = self.key(table, row_id, part)
        resource = {"resourceType": resource["resourceType"], "id": key, **resource}
        return {"fullUrl": f"urn:uuid:{key}", "resource": pruned(resource)}


def pruned(value):
    """``value`` without its empty values (``""``, ``[]``, ``{}``, null) at any depth, in one
    pass (a 300-session patient's bundle has 4,000 resources)."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if _kept(item := pruned(item) if isinstance(item, dict | list) else item):
                kept[key] = item
        return kept
    if isinstance(value, list):
        return [item for item in (pruned(v) if isinstance(v, dict | list) else v for v in value)
                if _kept(item)]
    return value


def _kept(value) -> bool:
    if isinstance(value, dict | list):
        return bool(value)
    return value is not None and value != ""


def coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, "display": display}


def instant(moment: datetime | None) -> str | None:
    """A stored time (always timezone-aware UTC) as a FHIR dateTime."""
    return moment.isoformat() if moment is not None else None


def number(value):
    """A Decimal column as a JSON number: 4 not 4.0, 3.5 as 3.5."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def score_entries(ids: Ids, assessment, visit) -> list[dict]:
    """The Observation of one score, after its QuestionnaireResponse where it has answers
    beyond the score. ``visit`` is the score's session, if any: a session's pain scores are
    kept as its note reads now, amendments applied (``sessions.services._sync_scores``)."""
    instrument = assessment.instrument
    status = ("entered-in-error" if assessment.is_voided
              else "preliminary" if visit is not None and not visit.is_signed else "final")
    common = {
        "subject": ids.reference("patients", assessment.patient_id),
        "encounter": ids.reference("treatment_sessions", visit.id) if visit is not None else None,
    }
    entries = []
    observation = {
        "resourceType": "Observation", "status": status, "category": [SURVEY],
        **common,
        "effectiveDateTime": instant(assessment.taken_at),
        "issued": instant(assessment.recorded_at),
        "extension": [{"url": CONTEXT_EXTENSION,
                       "valueCoding": coding(CONTEXT, assessment.context,
                                             CONTEXTS[assessment.context])}],
        "note": [{"text": CONTEXTS[assessment.context]},
                 {"text": f"Voided: {assessment.void_reason}" if assessment.is_voided else ""}],
    }
    if instrument == "nrs":
        observation |= {"code": {"coding": [coding(LOINC, *PAIN)], "text": "Pain (NRS 0-10)"},
                        "valueInteger": int(assessment.score)}
    else:
        label = str(INSTRUMENTS[instrument].label)
        observation["code"] = {"coding": [coding(INSTRUMENT, instrument, label)], "text": label}
        if instrument in ("psfs", "odi"):  # a mean and a percentage: R4 has no valueDecimal
            unit = "%" if instrument == "odi" else "{score}"
            observation["valueQuantity"] = {"value": number(assessment.score), "unit": unit,
                                            "system": UCUM, "code": unit}
        else:
            observation["valueInteger"] = int(assessment.score)
        items = _items(instrument, assessment.answers)
        if items is not None:
            entries.append(ids.entry("outcome_assessments", assessment.id, {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": f"{QUESTIONNAIRE}/{instrument}",
                "status": "entered-in-error" if assessment.is_voided else "completed",
                **common,
                "authored": instant(assessment.taken_at),
                "item": items,
            }, part="answers"))
            observation["derivedFrom"] = [
                ids.reference("outcome_assessments", assessment.id, "answers")]
    entries.append(ids.entry("outcome_assessments", assessment.id, observation))
    return entries


def _items(instrument: str, answers: dict) -> list[dict] | None:
    """The raw answers as QuestionnaireResponse items (``scores.instruments`` says their
    shapes); None for an instrument that is its score alone."""
    if instrument == "psfs":
        return [{"linkId": f"activity-{n}", "text": f"Activity {n}", "item": [
            {"linkId": f"activity-{n}.name", "text": "Activity named by the patient",
             "answer": [{"valueString": activity["name"]}]},
            {"linkId": f"activity-{n}.score", "text": "Ability (0-10)",
             "answer": [{"valueInteger": activity["score"]}]},
        ]} for n, activity in enumerate(answers["activities"], start=1)]
    if instrument == "rmdq":  # the statements by number: the app ships no question text
        return [{"linkId": f"item-{n}", "answer": [{"valueBoolean": marked}]}
                for n, marked in enumerate(answers["items"], start=1)]
    if instrument == "odi":  # the clinic's licensed form: section scores only
        return [{"linkId": f"section-{n}", "answer": [{"valueInteger": value}]}
                for n, value in enumerate(answers["sections"], start=1) if value is not None]
    return None
