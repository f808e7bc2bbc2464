"""Loading patients for a request: always scoped to the signed-in user's clinic."""

from functools import cache

from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.loaders import one_or_404
from tracker.patients.models import Patient

# What ``patient_banners`` reads of an episode: a list of patients loads only these (an
# intake row is wide, and mostly JSON); touching any other column raises in the tests.
# Named, not imported: intake sits above patients in the layers.
BANNER_EPISODE_COLUMNS = (
    "status", "opened_on", "red_flags", "red_flags_acknowledged_at", "pregnant",
    "pregnancy_weeks", "pacemaker", "anticoagulants", "needle_fainting", "metal_allergy",
    "diabetes", "reduced_sensation", "skin_lesions", "skin_lesions_site",
)


def banner_options():
    """Loader options for a list of patients, each shown with its banners."""
    episode = Patient.episodes.property.mapper.class_
    columns = [getattr(episode, name) for name in BANNER_EPISODE_COLUMNS]
    return (selectinload(Patient.consents),
            selectinload(Patient.episodes).load_only(*columns, raiseload=True))


def load_patient(patient_id: int, *, for_update: bool = False) -> Patient:
    """The patient if it belongs to the user's clinic (with consents and episodes, which
    every patient page's banners read), else 404. One statement: the consents and episodes
    come joined to the patient's row (a patient has a consent or two, and a handful of
    episodes), where loading each collection after it cost every patient page two more
    round trips (PostgreSQL: 1-3 ms of a 15 ms page)."""
    return one_or_404(_patient_statement(for_update),
                      {"patient_id": patient_id, "clinic_id": current_user.clinic_id})


@cache
def _patient_statement(for_update: bool):
    """Built once per process (per kind): every patient page runs it, and building it and
    its cache key again took longer than running it."""
    stmt = (
        select(Patient)
        .where(Patient.id == bindparam("patient_id"),
               Patient.clinic_id == bindparam("clinic_id"))
        .options(joinedload(Patient.consents), joinedload(Patient.episodes))
    )
    return stmt.with_for_update(of=Patient, key_share=True) if for_update else stmt
