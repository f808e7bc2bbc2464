"""Keyword-override factories that write through the real services (so audit rows exist too).

Each call runs in its own application context and commits; the returned objects are detached
but keep their column values (ids, emails), which is what tests need to drive the app.
"""

import itertools
from datetime import date

from tracker.auth.services import create_user
from tracker.clinics.services import create_clinic
from tracker.extensions import db
from tracker.intake.services import blank_intake, open_episode
from tracker.patients.services import create_patient, record_consent

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def intake_values(**overrides) -> dict:
    """A complete, valid intake as services expect it."""
    values = {
        **blank_intake(),
        "opened_on": date(2026, 11, 1), "chief_complaint": "Middle back pain",
        "body_region": "thoracic", "side": "bilateral", "onset_date": date(2026, 6, 1),
        "onset_type": "gradual", "causes": ["poor_posture"],
        "symptoms": ["dull_pain", "stiffness"], "baseline_nrs": 7,
    }
    values.update(overrides)
    return values


def intake_form_data(**overrides) -> dict:
    """The same intake as the browser posts it (strings, checkbox lists, y for ticked)."""
    data = {
        "opened_on": "2026-11-01",
        "chief_complaint": "Middle back pain",
        "body_region": "thoracic",
        "side": "bilateral",
        "onset_date": "2026-06-01",
        "onset_type": "gradual",
        "duration": "",
        "causes": ["poor_posture"],
        "symptoms": ["dull_pain", "stiffness"],
        "acupuncture_style": "tcm",
        "baseline_nrs": "7",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


class Factory:
    def __init__(self, app):
        self.app = app

    def _commit(self, build):
        with self.app.app_context():
            result = build()
            db.session.commit()
            return result

    def clinic(self, name=None, **kwargs):
        name = name or f"Clinic {next(_counter)}"
        return self._commit(lambda: create_clinic(name, **kwargs))

    def user(self, clinic, role="practitioner", email=None, password=PASSWORD, name=None):
        email = email or f"{role}{next(_counter)}@example.test"

        def build():
            return create_user(
                db.session.get(type(clinic), clinic.id),
                email=email,
                name=name or role.title(),
                role=role,
                password=password,
            )

        return self._commit(build)

    def patient(self, clinic, actor, **values):
        values.setdefault("family_name", f"Patient{next(_counter)}")
        values.setdefault("given_name", "Test")

        def build():
            return create_patient(
                db.session.get(type(clinic), clinic.id),
                actor=db.session.get(type(actor), actor.id),
                **values,
            )

        return self._commit(build)

    def episode(self, patient, practitioner, **overrides):
        def build():
            return open_episode(
                db.session.get(type(patient), patient.id),
                practitioner=db.session.get(type(practitioner), practitioner.id),
                values=intake_values(**overrides),
            )

        return self._commit(build)

    def consent(self, patient, actor, given=True):
        def build():
            return record_consent(
                db.session.get(type(patient), patient.id),
                given=given,
                consent_date=date(2026, 11, 1),
                form_version="v1",
                witnessed_by="",
                notes="",
                actor=db.session.get(type(actor), actor.id),
            )

        return self._commit(build)

    def world(self) -> dict:
        """Clinics "a" and "b", each with every role, one patient, its consent and intake."""
        world = {}
        for key in ("a", "b"):
            clinic = self.clinic(f"Clinic {key.upper()}", chart_prefix=key.upper())
            staff = {
                role: self.user(clinic, role, email=f"{role}@{key}.test")
                for role in ("admin", "practitioner", "reception")
            }
            patient = self.patient(clinic, staff["reception"], family_name=f"Patient{key.upper()}")
            self.consent(patient, staff["reception"])
            episode = self.episode(patient, staff["practitioner"])
            world[key] = {"clinic": clinic, **staff, "patient": patient, "episode": episode}
        return world
