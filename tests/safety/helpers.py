"""Safety test helpers: catalog points as the shipped CSV has them (for the pure engine tests),
the stored cautions of a session, the session form for a patient, and readers of the safety
parts of the pages. Records (patients with given safety facts, sessions, adverse events, the
report's data set) are built by ``tests.factories``."""

import csv
import functools
import re
from types import SimpleNamespace

from sqlalchemy import select

from tests.pages import plain, texts
from tests.sessions.helpers import session_form
from tracker.extensions import db
from tracker.points.services import CATALOG_PATH
from tracker.safety.cautions import PlannedPoint
from tracker.safety.models import SessionCaution

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


# --- Stored cautions (need an app context) -------------------------------------------------

def caution_rows(visit_id: int) -> list[SessionCaution]:
    return list(db.session.scalars(
        select(SessionCaution).where(SessionCaution.session_id == visit_id)
        .order_by(SessionCaution.id)))


# --- Through the test client ------------------------------------------------------------

def base(side) -> str:
    """The patient's URL."""
    return f"/patients/{side['patient'].id}"


def form(side, points, **overrides) -> dict:
    """A valid session form for ``side``'s patient and episode, 2 needles in and out."""
    counts = {"needles_inserted": "2", "needles_removed": "2"}
    return session_form(points=points, episode_id=str(side["episode"].id),
                        **{**counts, **overrides})


def row_cautions(page: str) -> dict[int, list[str]]:
    """The cautions shown beside each point row of the session form (in the row's cell)."""
    cells = re.findall(r'<div class="row-cautions" data-row="(\d+)"(.*?)</td>', page, re.S)
    return {int(i): texts(cell, r'class="row-caution[^"]*">([^<]*)<') for i, cell in cells}


def banners(page: str) -> str:
    """The text of the alerts under the patient header ("" when there are none)."""
    found = re.search(r'<div class="patient-banners"(.*?)</header>', page, re.S)
    return plain(found.group(1)) if found else ""


def sign(client, url, data=None) -> tuple[int, str]:
    """Post the sign form of the session at ``url``: the status and the page's text."""
    response = client.post(f"{url}/sign", data=data or {})
    return response.status_code, plain(response.get_data(as_text=True))
