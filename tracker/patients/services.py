"""Patient registration, editing, archiving, consent, search, and the banners on every page
of a patient."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from tracker.audit.services import record_event
from tracker.clinics.models import Clinic
from tracker.conflicts import apply_changes, check_version, record_edit
from tracker.dates import clinic_today
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.i18n import _
from tracker.patients.models import Consent, Patient
from tracker.patients.queries import BannerFacts
from tracker.patients.search import build_search_text, query_terms

# The fields an edit form may change; everything else is set by the services.
EDITABLE_FIELDS = (
    "chart_number",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "postal_code",
    "address",
    "occupation",
    "preferred_language",
    "emergency_contact",
    "referral_source",
    "admin_notes",
)


class PatientError(ValueError):
    """A user-facing reason a patient change was refused, with the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Banner:
    level: str  # "danger", "warning" or "info": the banner's colour and urgency
    title: str
    text: str


def chart_number_taken(clinic_id: int, chart_number: str, *, except_id: int | None = None) -> bool:
    stmt = select(Patient.id).where(
        Patient.clinic_id == clinic_id, Patient.chart_number == chart_number
    )
    if except_id is not None:
        stmt = stmt.where(Patient.id != except_id)
    return db.session.scalar(stmt.limit(1)) is not None


def allocate_chart_number(clinic: Clinic) -> str:
    """Take the clinic's next free chart number (skipping any typed in by hand)."""
    # FOR NO KEY UPDATE: the counter is not a key, and a plain FOR UPDATE would also block
    # the foreign-key checks of other transactions' audit rows (which reference the clinic)
    # while this one waits for the audit chain: a deadlock.
    db.session.execute(select(Clinic.id).where(Clinic.id == clinic.id)
                       .with_for_update(key_share=True))
    db.session.refresh(clinic)
    while True:
        candidate = f"{clinic.chart_prefix}-{clinic.next_chart_number:04d}"
        clinic.next_chart_number += 1
        if not chart_number_taken(clinic.id, candidate):
            return candidate


def create_patient(clinic: Clinic, *, actor, is_demo: bool = False, **values) -> Patient:
    """Register a patient; a blank chart number gets the clinic's next one.

    :raises PatientError: the chart number is already used in this clinic.
    """
    values = {name: values.get(name) for name in EDITABLE_FIELDS if name in values}
    if values.get("chart_number"):
        if chart_number_taken(clinic.id, values["chart_number"]):
            raise PatientError(_("This chart number is already used."), field="chart_number")
    else:
        values["chart_number"] = allocate_chart_number(clinic)
    patient = Patient(
        clinic_id=clinic.id,
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
        is_demo=is_demo,
        **values,
    )
    patient.search_text = _search_text(patient)
    db.session.add(patient)
    db.session.flush()
    record_event(
        "patient.create", actor=actor, clinic_id=clinic.id, entity=patient, patient_id=patient.id
    )
    return patient


def update_patient(
    patient: Patient, values: dict, *, expected_version: int | None, actor
) -> list[str]:
    """Apply an edit; return the changed field names.

    :raises EditConflict: someone saved the patient since the form was loaded.
    :raises PatientError: the new chart number is taken.
    """
    values = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    check_version(patient, expected_version, values)
    if not values.get("chart_number"):
        raise PatientError(_("A chart number is required."), field="chart_number")
    if chart_number_taken(patient.clinic_id, values["chart_number"], except_id=patient.id):
        raise PatientError(_("This chart number is already used."), field="chart_number")
    changed = apply_changes(patient, values)
    if changed:
        patient.search_text = _search_text(patient)
        patient.updated_by_id = actor.id
        record_edit("patient.update", patient, changed, actor=actor, patient_id=patient.id)
    return changed


def archive_patient(patient: Patient, *, reason: str, actor) -> None:
    """Hide a patient from the default list. Nothing is deleted; ``restore_patient`` undoes it."""
    if patient.is_archived:
        return
    patient.archived_at = utcnow()
    patient.archived_by_id = actor.id
    patient.archive_reason = reason.strip()
    record_event("patient.archive", actor=actor, entity=patient, patient_id=patient.id)


def restore_patient(patient: Patient, *, actor) -> None:
    """Bring an archived patient back to the active list."""
    if not patient.is_archived:
        return
    patient.archived_at = None
    patient.archived_by_id = None
    patient.archive_reason = ""
    record_event("patient.restore", actor=actor, entity=patient, patient_id=patient.id)


def record_consent(
    patient: Patient,
    *,
    given: bool,
    consent_date: date,
    form_version: str,
    witnessed_by: str,
    notes: str,
    actor,
) -> Consent:
    """Record consent (or its refusal or withdrawal); earlier records stay as history."""
    consent = Consent(
        patient=patient,
        given=given,
        consent_date=consent_date,
        form_version=form_version.strip(),
        witnessed_by=witnessed_by.strip(),
        notes=notes.strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(consent)
    db.session.flush()
    record_event("consent.record", actor=actor, entity=consent, patient_id=patient.id,
                 details={"given": given})
    return consent


def latest_consent_form_version(clinic_id: int) -> str:
    """The form version of the clinic's most recently recorded consent ("" before the first):
    the version the next patient most likely signs, so the consent form starts with it."""
    return db.session.scalar(
        select(Consent.form_version)
        .join(Patient, Consent.patient_id == Patient.id)
        .where(Patient.clinic_id == clinic_id, Consent.form_version != "")
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        .limit(1)
    ) or ""


def current_consent(patient: Patient) -> Consent | None:
    """The latest consent record, or None. Needs ``patient.consents`` loaded."""
    return patient.consents[-1] if patient.consents else None


def search_patients(clinic_id: int, query: str = "", *, archived: bool = False) -> Select:
    """Patients of a clinic matching every term of ``query`` in any script, name-ordered.

    A search finds its matches first, on their own (a materialized CTE: PostgreSQL's trigram
    index, or SQLite's scan), then orders and pages those. Asked for both at once, PostgreSQL
    read the whole clinic in name order through the list's index, testing every patient
    (25 ms among 20,000, against about 2): it priced the page's LIMIT as if the count carried
    on each row (``paging.counted_page``) did not need every match first."""
    conditions = [
        Patient.clinic_id == clinic_id,
        Patient.archived_at.is_not(None) if archived else Patient.archived_at.is_(None),
    ]
    terms = query_terms(query)
    stmt = select(Patient)
    if terms:
        matches = (
            select(Patient.id)
            .where(*conditions, *(Patient.search_text.like(f"%{_escape_like(term)}%",
                                                           escape="\\") for term in terms))
            .cte("matches").prefix_with("MATERIALIZED")
        )
        stmt = stmt.join(matches, matches.c.id == Patient.id)
    else:
        stmt = stmt.where(*conditions)
    return stmt.order_by(
        Patient.family_name_kana, Patient.family_name, Patient.given_name, Patient.id
    )


def patient_banners(patient: Patient, *, clinical: bool, today: date | None = None
                    ) -> list[Banner]:
    """The banners on every page of a patient. Needs consents and episodes loaded.

    ``clinical`` is False for reception, who sees the consent banner but no clinical facts.
    Pregnancy weeks are counted on to ``today`` (the clinic's today when not given).
    """
    consent = current_consent(patient)
    return _banners(patient, patient.episodes, None if consent is None else consent.given,
                    clinical=clinical, today=today)


def listed_patient_banners(patients: list[Patient], *, clinical: bool
                           ) -> dict[int, list[Banner]]:
    """Each patient's banners (``patient_banners``) for a list, by patient id: its episodes
    and consents read for the whole page in two plain selects (``queries.BannerFacts``)."""
    facts = BannerFacts([patient.id for patient in patients])
    today = clinic_today()
    return {patient.id: _banners(patient, facts.episodes[patient.id],
                                 facts.consent_given.get(patient.id),
                                 clinical=clinical, today=today)
            for patient in patients}


def _banners(patient: Patient, episodes, consent_given: bool | None, *, clinical: bool,
             today: date | None) -> list[Banner]:
    """``consent_given``: whether the latest consent was given, None when none is recorded."""
    today = today or clinic_today()
    banners = []
    if patient.is_archived:
        banners.append(
            Banner("info", _("Archived"), patient.archive_reason or _("No reason given."))
        )
    if clinical:
        open_episodes = [e for e in episodes if e.is_open]
        pending = [e for e in episodes if e.red_flags_pending]
        if pending:
            flags = sorted({label for e in pending for label in e.red_flag_labels})
            banners.append(
                Banner(
                    "danger",
                    _("Red flags: refer for medical evaluation"),
                    # The labels, then a sentence of its own (no label inside a translation).
                    "; ".join(flags)
                    + ". "
                    + _("Recorded at intake, not yet acknowledged by a practitioner."),
                )
            )
        facts = sorted({fact for e in open_episodes for fact in e.safety_facts_on(today)})
        if facts:
            banners.append(Banner("warning", _("Safety"), "; ".join(facts)))
    if not consent_given:
        text = (
            _("No informed consent recorded.")
            if consent_given is None
            else _("Consent was refused or withdrawn.")
        )
        banners.append(Banner("warning", _("Consent missing"), text))
    return banners


def _search_text(patient: Patient) -> str:
    return build_search_text(
        family_name=patient.family_name,
        given_name=patient.given_name,
        family_name_kana=patient.family_name_kana,
        given_name_kana=patient.given_name_kana,
        chart_number=patient.chart_number,
        phone=patient.phone,
        email=patient.email,
    )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
