"""Clinic creation and settings."""

from sqlalchemy import select

from tracker.audit.services import record_event
from tracker.clinics.models import Clinic
from tracker.extensions import db
from tracker.i18n import _


class ClinicError(ValueError):
    """A user-facing reason why a clinic operation was refused."""


def find_clinic_by_name(name: str) -> Clinic | None:
    return db.session.scalar(select(Clinic).where(Clinic.name == name.strip()))


def create_clinic(
    name: str, *, timezone: str = "Asia/Tokyo", chart_prefix: str = "PT", is_demo: bool = False,
    address: str = "", phone: str = "", email: str = "",
) -> Clinic:
    """Create a clinic.

    :raises ClinicError: a clinic of that name exists.
    """
    name = name.strip()
    if not name:
        raise ClinicError(_("A clinic needs a name."))
    if find_clinic_by_name(name) is not None:
        raise ClinicError(_("A clinic named %(name)r already exists.", name=name))
    clinic = Clinic(name=name, timezone=timezone, chart_prefix=chart_prefix, is_demo=is_demo,
                    address=address, phone=phone, email=email)
    db.session.add(clinic)
    db.session.flush()
    record_event("clinic.create", clinic_id=clinic.id, entity=clinic)
    return clinic


def update_clinic_settings(
    clinic: Clinic, *, name: str, timezone: str, chart_prefix: str, actor,
    address: str = "", phone: str = "", email: str = "",
) -> None:
    """Rename the clinic, change its time zone or chart prefix, or its contact details."""
    other = find_clinic_by_name(name)
    if other is not None and other.id != clinic.id:
        raise ClinicError(_("Another clinic already uses this name."))
    changed = [
        field
        for field, value in (
            ("name", name.strip()),
            ("timezone", timezone),
            ("chart_prefix", chart_prefix),
            ("address", address.strip()),
            ("phone", phone.strip()),
            ("email", email.strip()),
        )
        if getattr(clinic, field) != value
    ]
    clinic.name, clinic.timezone, clinic.chart_prefix = name.strip(), timezone, chart_prefix
    clinic.address, clinic.phone, clinic.email = address.strip(), phone.strip(), email.strip()
    record_event("clinic.update", actor=actor, entity=clinic, details={"fields": changed})
