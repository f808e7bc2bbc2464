"""Safety test helpers: catalog points as the shipped CSV has them (for the pure engine tests),
patients with given safety facts, sessions recorded through the services with full point rows,
and the known data set of the adverse-event report."""

import csv
import functools
import html
import re
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import select

from tests.sessions.helpers import session_form
from tracker.extensions import db
from tracker.points.models import Point
from tracker.points.services import CATALOG_PATH
from tracker.safety.cautions import PlannedPoint
from tracker.safety.models import SessionCaution
from tracker.safety.services import record_adverse_event
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import record_session, sign_session

# 10:00 in Tokyo, 19 days after the factory's intake (2026-11-01): pregnancy weeks + 2.
SESSION_AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


# --- The catalog as shipped (no database) -------------------------------------------------

@functools.cache
def _catalog_rows() -> dict[str, dict]:
    with CATALOG_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def catalog_point(code: str) -> SimpleNamespace:
    """A point with the caution flags of its row in tracker/points/data/points.csv."""
    row = _catalog_rows()[code]

    def flag(name):
        return row[name].strip().lower() == "yes"

    return SimpleNamespace(
        code=row["code"], region=row["region"],
        pregnancy_caution=flag("pregnancy_caution"), pregnancy_source=row["pregnancy_source"],
        thorax_depth_caution=flag("thorax_depth_caution"),
        max_depth_mm=int(row["max_depth_mm"]) if row["max_depth_mm"].strip() else None,
        depth_source=row["depth_source"], depth_hint_basis=row["depth_hint_basis"],
        always_warn=flag("always_warn"),
        always_warn_reason=row["always_warn_reason"],
    )


def planned(code: str, **details) -> PlannedPoint:
    return PlannedPoint.of(catalog_point(code), **details)


def ashi(label: str, region: str, **details) -> PlannedPoint:
    return PlannedPoint.custom_point(label, region, **details)


def summary(cautions) -> set[tuple[str, str, str]]:
    """(rule, target, severity) of each caution."""
    return {(c.rule, c.target, c.severity) for c in cautions}


# --- Records (need an app context) ----------------------------------------------------------

def patient_with(factory, side: dict, *, consent=True, **intake) -> dict:
    """A new patient of ``side``'s clinic whose intake has these facts; shaped like ``side``."""
    patient = factory.patient(side["clinic"], side["reception"])
    if consent:
        factory.consent(patient, side["reception"])
    episode = factory.episode(patient, side["practitioner"], **intake)
    return {**side, "patient": patient, "episode": episode}


def fresh(side: dict, name: str):
    """``side[name]`` attached to the current session."""
    obj = side[name]
    return db.session.get(type(obj), obj.id)


def point(code: str, laterality: str = "left", **fields) -> dict:
    """A service point row for the catalog point ``code``."""
    found = db.session.scalar(select(Point).where(Point.code == code))
    return {"point": found, "laterality": laterality, "custom_label": "",
            "depth_unit": "mm", "stimulation": "manual", **fields}


def values(**overrides) -> dict:
    base = {"started_at": SESSION_AT, "retention_minutes": 20, "needles_inserted": 2,
            "needles_removed": 2, "pain_before": 6, "pain_after": 3}
    return {**base, **overrides}


def record(side: dict, points=None, adjuncts=(), *, overrides=None, sign=False,
           **overridden_values) -> TreatmentSession:
    """Record (and sign) a session for ``side``, committed."""
    practitioner = fresh(side, "practitioner")
    visit = record_session(
        fresh(side, "patient"), fresh(side, "episode"), practitioner=practitioner,
        values=values(**overridden_values),
        points=[point("ST36", "bilateral")] if points is None else list(points),
        adjuncts=list(adjuncts), overrides=overrides)
    if sign:
        sign_session(visit, actor=practitioner)
    db.session.commit()
    return visit


def caution_rows(visit_id: int) -> list[SessionCaution]:
    return list(db.session.scalars(
        select(SessionCaution).where(SessionCaution.session_id == visit_id)
        .order_by(SessionCaution.id)))


def adjunct(kind: str, **params) -> dict:
    return {"kind": kind, "minutes": 10, "sites": "upper back", "notes": "", "params": params}


def event(side: dict, code: str, severity: str, onset: datetime, visit=None, action="Pressed"):
    return record_adverse_event(
        fresh(side, "patient"), actor=fresh(side, "practitioner"), code=code, severity=severity,
        onset_at=onset, action_taken=action, visit=visit)


def build_report_data(world: dict) -> None:
    """Clinic A, 2026-11-01..2026-11-20: 40 signed sessions; events on 3 of them (bleeding,
    haematoma: minor; pneumothorax: serious); 1 dizziness between visits (needed treatment).
    Not counted: a draft in range, a signed session and a burn in October, clinic B's data."""
    side = world["a"]
    visits = [record(side, sign=True, started_at=datetime(2026, 11, 1 + i % 20, 1, 0, tzinfo=UTC))
              for i in range(40)]
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


def texts(page: str, pattern: str) -> list[str]:
    """Every first group of ``pattern`` in ``page``, whitespace collapsed."""
    return [" ".join(m.split()) for m in re.findall(pattern, page, re.S)]


def plain(page: str) -> str:
    """A page's visible text, tags dropped and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- Through the test client ------------------------------------------------------------

def base(side) -> str:
    """The patient's URL."""
    return f"/patients/{side['patient'].id}"


def form(side, points, **overrides) -> dict:
    """A valid session form for ``side``'s patient and episode, 2 needles in and out."""
    counts = {"needles_inserted": "2", "needles_removed": "2"}
    return session_form(points=points, episode_id=str(side["episode"].id),
                        **{**counts, **overrides})


def draft(app, side, points, **values) -> int:
    """Record a session through the service (``points``: (code, side) pairs); its id."""
    with app.app_context():
        return record(side, [point(*row) for row in points], **values).id


def row_cautions(page: str) -> dict[int, list[str]]:
    """The cautions shown beside each point row of the session form (in the row's cell)."""
    cells = re.findall(r'<div class="row-cautions" data-row="(\d+)"(.*?)</td>', page, re.S)
    return {int(i): texts(cell, r'class="row-caution[^"]*">([^<]*)<') for i, cell in cells}


def report_rows(page: str) -> dict[str, list[str]]:
    """The report table: row label -> [count, per 1,000, reference per 1,000]."""
    rows = {}
    for row in re.findall(r'<tr[^>]*>(\s*<th scope="row".*?)</tr>', page, re.S):
        cells = [plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def banners(page: str) -> str:
    """The text of the alerts under the patient header ("" when there are none)."""
    found = re.search(r'<div class="patient-banners"(.*?)</header>', page, re.S)
    return plain(found.group(1)) if found else ""


def sign(client, url, data=None) -> tuple[int, str]:
    """Post the sign form of the session at ``url``: the status and the page's text."""
    response = client.post(f"{url}/sign", data=data or {})
    return response.status_code, plain(response.get_data(as_text=True))
