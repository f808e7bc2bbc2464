"""The tests' one test-data module: everything that writes records goes through the real
services (so audit rows exist too).

- ``Factory`` (the ``factory`` fixture): clinics, staff, patients, consent and intakes. Each
  call runs in its own application context and commits; the returned objects are detached but
  keep their column values (ids, emails), which is what tests need to drive the app.
- Sessions and adverse events for a ``side`` of ``Factory.world()`` (a clinic with its staff,
  a patient and an intake): ``record`` and ``event`` inside an application context,
  ``make_session`` from outside one. Point rows are built by ``point_dicts`` and ``point``.
- ``build_report_data``: the known data set of the adverse-event report.
"""

import itertools
from datetime import UTC, date, datetime

from tracker.auth.services import create_user
from tracker.clinics.services import create_clinic
from tracker.extensions import db
from tracker.intake.services import blank_intake, open_episode
from tracker.patients.services import create_patient, record_consent
from tracker.points.services import resolve_codes
from tracker.safety.services import record_adverse_event
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import record_session, sign_session

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


def patient_with(factory, side: dict, *, consent=True, **intake) -> dict:
    """A new patient of ``side``'s clinic whose intake has these facts; shaped like ``side``."""
    patient = factory.patient(side["clinic"], side["reception"])
    if consent:
        factory.consent(patient, side["reception"])
    episode = factory.episode(patient, side["practitioner"], **intake)
    return {**side, "patient": patient, "episode": episode}


# --- Sessions and adverse events (inside an application context unless said) ---------------

# 10:00 in Tokyo, 19 days after the factory's intake (2026-11-01).
SESSION_AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)

# The example, as rows: (code or None for Ashi, side, custom label, region, level).
EXAMPLE_ROWS = [
    ("BL23", "bilateral", ""),
    ("GV6", "midline", ""),
    ("LI4", "left", ""),
    (None, "left", "left T7 paraspinal", "upper_back", "T7"),
]


def fresh(side: dict, name: str):
    """``side[name]`` attached to the current session."""
    obj = side[name]
    return db.session.get(type(obj), obj.id)


def point_dicts(rows) -> list[dict]:
    """``[("BL23", "bilateral"), (None, "left", "T7 paraspinal", "upper_back", "T7"), ...]``
    as service point rows."""
    points = resolve_codes([row[0] for row in rows if row[0]])
    return [
        {
            "point": points[row[0]] if row[0] else None,
            "laterality": row[1],
            "custom_label": row[2] if len(row) > 2 else "",
            "region": row[3] if len(row) > 3 else "",
            "level": row[4] if len(row) > 4 else "",
        }
        for row in rows
    ]


def point(code: str, laterality: str = "left", **fields) -> dict:
    """One service point row for the catalog point ``code``, with any other row fields."""
    return {**point_dicts([(code, laterality)])[0], **fields}


def adjunct(kind: str, **params) -> dict:
    """A service adjunct row of ``kind`` with these parameters."""
    return {"kind": kind, "minutes": 10, "sites": "upper back", "notes": "", "params": params}


def complete_values(**overrides) -> dict:
    """Session-level values that, with points and their needle count, make a signable note."""
    values = {
        "started_at": SESSION_AT,
        "retention_minutes": 25,
        "pain_before": 7,
        "pain_after": 4,
    }
    values.update(overrides)
    return values


def record(side: dict, points=None, adjuncts=(), *, overrides=None, sign=False,
           **values) -> TreatmentSession:
    """Record (and optionally sign) a session for ``side``, committed. ``points`` are service
    rows (the example rows when not given); every needle is counted in and out unless
    ``values`` say otherwise."""
    points = point_dicts(EXAMPLE_ROWS) if points is None else list(points)
    needles = sum(2 if row["laterality"] == "bilateral" else 1 for row in points)
    practitioner = fresh(side, "practitioner")
    visit = record_session(
        fresh(side, "patient"), fresh(side, "episode"), practitioner=practitioner,
        values=complete_values(**{"needles_inserted": needles, "needles_removed": needles,
                                  **values}),
        points=points, adjuncts=list(adjuncts), overrides=overrides)
    if sign:
        sign_session(visit, actor=practitioner)
    db.session.commit()
    return visit


def make_session(app, side: dict, *, rows=EXAMPLE_ROWS, adjuncts=(), sign=False,
                 **values) -> int:
    """``record`` from outside an application context, the rows as tuples (``point_dicts``);
    the session's id."""
    with app.app_context():
        return record(side, point_dicts(rows), adjuncts, sign=sign, **values).id


def event(side: dict, code: str, severity: str, onset: datetime, visit=None, action="Pressed"):
    """Record an adverse event for ``side``'s patient, on ``visit`` or between visits."""
    return record_adverse_event(
        fresh(side, "patient"), actor=fresh(side, "practitioner"), code=code, severity=severity,
        onset_at=onset, action_taken=action, visit=visit)


# The adverse-event report's known data set (``build_report_data``).
REPORT_START, REPORT_END = date(2026, 11, 1), date(2026, 11, 20)
REPORT_SESSIONS = 40


def build_report_data(world: dict) -> None:
    """Clinic A, 2026-11-01..2026-11-20: 40 signed sessions; events on 3 of them (bleeding,
    haematoma: minor; pneumothorax: serious); 1 dizziness between visits (needed treatment).
    Not counted: a draft in range, a signed session and a burn in October, clinic B's data."""
    side = world["a"]
    visits = [record(side, sign=True, started_at=datetime(2026, 11, 1 + i % 20, 1, 0, tzinfo=UTC))
              for i in range(REPORT_SESSIONS)]
    record(side, started_at=datetime(2026, 11, 5, 1, 0, tzinfo=UTC))  # a draft
    october = record(side, sign=True, started_at=datetime(2026, 10, 20, 1, 0, tzinfo=UTC))
    event(side, "bleeding", "minor", visits[0].started_at, visits[0])
    event(side, "haematoma", "minor", visits[1].started_at, visits[1])
    event(side, "pneumothorax", "serious", visits[2].started_at, visits[2])
    event(side, "dizziness", "needed_treatment", datetime(2026, 11, 10, 3, 0, tzinfo=UTC))
    event(side, "burn", "minor", october.started_at, october)
    other = world["b"]
    elsewhere = record(other, sign=True, started_at=datetime(2026, 11, 3, 1, 0, tzinfo=UTC))
    event(other, "syncope", "serious", elsewhere.started_at, elsewhere)
    db.session.commit()


# --- A course grown in every dimension a page reads (tests/test_query_counts.py) -------------

# Six rows (a catalog point on each side, a midline one, an Ashi point) and two techniques:
# no caution to decide, so every session signs.
RICH_ROWS = [
    ("LI4", "left"), ("ST36", "bilateral"), ("SP6", "right"), ("LR3", "bilateral"),
    ("GV20", "midline"), (None, "left", "left T7 paraspinal", "upper_back", "T7"),
]
RICH_ADJUNCTS = [
    {"kind": "cupping", "minutes": 10, "sites": "upper back", "notes": "",
     "params": {"cupping_method": "dry", "cups": 4}},
    {"kind": "moxibustion", "minutes": 15, "sites": "ST36", "notes": "",
     "params": {"moxa_method": "stick"}},
]


def grow_course(side: dict, sessions: int, *, practitioners=(), start: datetime | None = None,
                every_days: int = 3, rows=RICH_ROWS, adjuncts=RICH_ADJUNCTS,
                amend_every: int = 2, event_every: int = 3, score_every: int = 4) -> list:
    """Inside an application context: ``sessions`` signed sessions of ``side``'s patient and
    episode, ``every_days`` apart from ``start`` (10:00 in Tokyo the day after the episode
    opened when not given), recorded by ``side``'s practitioner and the
    users ``practitioners`` in turn, each with ``rows`` (tuples, as ``point_dicts`` reads
    them) and ``adjuncts``; every ``amend_every``-th amended (pain after), every
    ``event_every``-th with an adverse event on it and one between visits, every
    ``score_every``-th followed by a follow-up NRS and PSFS score the next day. Committed;
    the sessions' ids."""
    from datetime import timedelta

    from tracker.scores.services import record_score
    from tracker.sessions.services import amend_session

    if start is None:
        start = datetime.combine(fresh(side, "episode").opened_on + timedelta(days=1),
                                 datetime.min.time().replace(hour=1), UTC)
    staff = [side["practitioner"], *practitioners]
    ids = []
    for number in range(sessions):
        by = {**side, "practitioner": staff[number % len(staff)]}
        at = start + timedelta(days=every_days * number)
        visit = record(by, point_dicts(rows), [dict(a) for a in adjuncts], sign=True,
                       started_at=at, pain_before=7 - number % 4, pain_after=4 - number % 4)
        actor = fresh(by, "practitioner")
        if number % amend_every == 0:
            amend_session(visit, reason="Misread the scale",
                          values={"pain_after": 5 - number % 4}, actor=actor)
        if number % event_every == 0:
            event(by, "bleeding", "minor", at, visit)
            event(by, "dizziness", "needed_treatment", at + timedelta(days=1))
        if number % score_every == 0:
            patient, episode = fresh(by, "patient"), fresh(by, "episode")
            taken = at + timedelta(days=1)
            record_score(patient, episode, instrument="nrs", answers={"score": 3},
                         taken_at=taken, zone="Asia/Tokyo", actor=actor)
            record_score(patient, episode, instrument="psfs", taken_at=taken,
                         zone="Asia/Tokyo", actor=actor,
                         answers={"activities": [{"name": "Sitting", "score": 4}]})
        db.session.commit()
        ids.append(visit.id)
    return ids
