"""The statements of the CSV exports (``csv_export``): Core selects of plain columns, never an
ORM object per row, in the sessions' order (start time, then id); in the sessions mode each
session's child rows are aggregated onto its row. A ``Scope`` says which sessions:
a patient's, or a clinic's from one clinic date to another in the clinic's zone."""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Connection, String, Text, case, cast, func, literal, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.dates import clinic_day_start
from tracker.intake.models import Episode
from tracker.patients.models import Patient
from tracker.points.models import Point
from tracker.safety.models import AdverseEvent
from tracker.sessions.models import Adjunct, Amendment, PointApplication, TreatmentSession
from tracker.sessions.point_lists import gathered_labels, point_name

ORDER = (TreatmentSession.started_at, TreatmentSession.id)


@dataclass(frozen=True)
class Scope:
    """Which sessions an export reads, and the clinic's zone their dates are read in."""

    conditions: tuple
    zone: ZoneInfo


def patient_scope(patient) -> Scope:
    """Every session of ``patient``."""
    return Scope((TreatmentSession.clinic_id == patient.clinic_id,
                  TreatmentSession.patient_id == patient.id), ZoneInfo(patient.clinic.timezone))


def range_scope(clinic_id: int, start: date, end: date, zone: ZoneInfo | str) -> Scope:
    """The clinic's sessions from ``start`` to ``end``, clinic dates, both included: a Tokyo
    session at 08:00 on the 1st (23:00 UTC on the 31st) is the 1st's."""
    zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return Scope((TreatmentSession.clinic_id == clinic_id,
                  TreatmentSession.started_at >= clinic_day_start(start, zone),
                  TreatmentSession.started_at < clinic_day_start(end + timedelta(days=1), zone)),
                 zone)


def count_rows(connection: Connection, scope: Scope, options) -> int:
    """How many rows the export has (sessions, or point applications): one COUNT."""
    if options.points:
        stmt = (select(func.count(PointApplication.id))
                .join(TreatmentSession, TreatmentSession.id == PointApplication.session_id))
    else:
        stmt = select(func.count(TreatmentSession.id))
    return connection.scalar(stmt.where(*scope.conditions))


def sessions(scope: Scope, dialect: str, ashi: str):
    """One row a session: its own columns, patient, chief complaint, practitioner, signer,
    and its child rows gathered by the database in the same statement (correlated
    aggregates, one snapshot whatever the transaction): ``points`` as text, one
    "position<TAB>BL23 T7(B)" line a row (``ashi`` names a custom row), and ``adjuncts``,
    ``events`` and ``amendments`` as JSON arrays. Aggregates do not promise an order on
    SQLite, so each item carries its place and the reader sorts them (``csv_export``)."""
    signer = aliased(User)
    return (
        select(TreatmentSession.id, TreatmentSession.started_at, TreatmentSession.status,
               TreatmentSession.needles_inserted, TreatmentSession.retention_minutes,
               TreatmentSession.pain_before, TreatmentSession.pain_after,
               TreatmentSession.signed_at, Patient.chart_number, Patient.family_name,
               Patient.given_name, Episode.chief_complaint,
               User.name.label("practitioner"), signer.name.label("signed_by"),
               _point_lines(dialect, ashi).label("points"),
               _json_rows(dialect, Adjunct, kind=Adjunct.kind, minutes=Adjunct.minutes,
                          sites=Adjunct.sites, params=Adjunct.params,
                          position=Adjunct.position).label("adjuncts"),
               _json_rows(dialect, AdverseEvent, code=AdverseEvent.code,
                          severity=AdverseEvent.severity, description=AdverseEvent.description,
                          onset=AdverseEvent.onset_at, id=AdverseEvent.id).label("events"),
               _json_rows(dialect, Amendment, changes=Amendment.changes,
                          id=Amendment.id).label("amendments"))
        .join(Patient, Patient.id == TreatmentSession.patient_id)
        .join(Episode, Episode.id == TreatmentSession.episode_id)
        .join(User, User.id == TreatmentSession.practitioner_id)
        .outerjoin(signer, signer.id == TreatmentSession.signed_by_id)
        .where(*scope.conditions)
        .order_by(*ORDER)
    )


# A point's side in the sessions mode: "BL18(B) GV6(M) LI4(L)". Notation, like the
# shorthand's, the same in every language.
SIDE_LETTER = case({"left": "L", "right": "R", "bilateral": "B"},
                   value=PointApplication.laterality, else_="M")


def _point_lines(dialect: str, ashi: str):
    """A session's point rows as "BL23 T7(B)" labels, gathered with their positions
    (``point_lists``; ``csv_export`` reads them back in order)."""
    label = point_name(literal(ashi, String)).concat("(").concat(SIDE_LETTER).concat(")")
    return gathered_labels(label, dialect)


def _json_rows(dialect: str, table, **columns):
    """A child table's rows of the session as a JSON array of objects."""
    pairs = []
    for name, column in columns.items():
        if dialect != "postgresql" and isinstance(column.type, JSON):
            column = func.json(column)  # stored as text on SQLite: nest it as JSON
        pairs += [literal(name, String), column]
    if dialect == "postgresql":
        # As text, as SQLite sends it: psycopg would parse every session's array, and the
        # reader keys its words by the text (csv_export._Techniques) and parses only what it
        # has not met (a clinic repeats the same few techniques).
        rows = cast(func.json_agg(func.json_build_object(*pairs)), Text)
    else:
        rows = func.json_group_array(func.json_object(*pairs))
    return (select(rows).select_from(table).where(table.session_id == TreatmentSession.id)
            .scalar_subquery())


def point_applications(scope: Scope):
    """Each point row with its session's date and patient; gauge, length and retention are
    the row's own or, where it has none, its session's (what the needle was)."""
    return (
        select(TreatmentSession.id.label("session_id"), TreatmentSession.started_at,
               Patient.chart_number, Patient.family_name,
               Patient.given_name, Point.code, PointApplication.level,
               PointApplication.custom_label, PointApplication.laterality,
               PointApplication.depth, PointApplication.depth_unit, PointApplication.angle,
               func.coalesce(PointApplication.gauge_mm,
                             TreatmentSession.needle_gauge_mm).label("gauge_mm"),
               func.coalesce(PointApplication.length_mm,
                             TreatmentSession.needle_length_mm).label("length_mm"),
               PointApplication.technique, PointApplication.deqi_sought,
               PointApplication.deqi_obtained, PointApplication.stimulation,
               func.coalesce(PointApplication.retention_minutes,
                             TreatmentSession.retention_minutes).label("retention_minutes"))
        .select_from(PointApplication)
        .join(TreatmentSession, TreatmentSession.id == PointApplication.session_id)
        .join(Patient, Patient.id == TreatmentSession.patient_id)
        .outerjoin(Point, Point.id == PointApplication.point_id)
        .where(*scope.conditions)
        .order_by(*ORDER, PointApplication.position, PointApplication.id)
    )
