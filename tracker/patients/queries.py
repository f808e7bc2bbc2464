"""Loading patients for a request: always scoped to the signed-in user's clinic."""

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.loaders import one_or_404
from tracker.patients.models import Patient


def load_patient(patient_id: int, *, for_update: bool = False) -> Patient:
    """The patient if it belongs to the user's clinic (with consents and episodes, which
    every patient page's banners read), else 404."""
    stmt = (
        select(Patient)
        .where(Patient.id == patient_id, Patient.clinic_id == current_user.clinic_id)
        .options(selectinload(Patient.consents), selectinload(Patient.episodes))
    )
    if for_update:
        stmt = stmt.with_for_update(of=Patient, key_share=True)
    return one_or_404(stmt)
