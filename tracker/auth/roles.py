"""The three roles and what each may do. Views ask these helpers; templates get the answers."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PRACTITIONER = "practitioner"
    RECEPTION = "reception"

    @property
    def label(self) -> str:
        return {"admin": "Clinic admin", "practitioner": "Practitioner", "reception": "Reception"}[
            self.value
        ]


# Reception registers patients, demographics and consent, and never reads clinical notes.
CLINICAL_ROLES = frozenset({Role.ADMIN, Role.PRACTITIONER})
PATIENT_ROLES = frozenset({Role.ADMIN, Role.PRACTITIONER, Role.RECEPTION})
ADMIN_ROLES = frozenset({Role.ADMIN})
