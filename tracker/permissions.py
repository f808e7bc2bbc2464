"""The three roles, what each may do, and the decorator views use to require them.

A core module: every feature, the audit log included, asks it; it asks nothing of them.
"""

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from tracker.i18n import _l


class Role(StrEnum):
    ADMIN = "admin"
    PRACTITIONER = "practitioner"
    RECEPTION = "reception"

    @property
    def label(self) -> str:
        return {
            "admin": _l("Clinic admin"),
            "practitioner": _l("Practitioner"),
            "reception": _l("Reception"),
        }[self.value]


# Reception registers patients, demographics and consent, and never reads clinical notes.
CLINICAL_ROLES = frozenset({Role.ADMIN, Role.PRACTITIONER})
PATIENT_ROLES = frozenset({Role.ADMIN, Role.PRACTITIONER, Role.RECEPTION})


def roles_required(*roles):
    """Require login and one of ``roles``; anyone else gets the friendly 403 page."""
    allowed = {str(role) for role in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
