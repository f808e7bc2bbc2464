"""The statements of the CSV exports (``csv_export``): Core selects of plain columns, never an
ORM object per row, each in the sessions' order (start time, then id) so that the sessions
and their child rows can be read side by side as streams. A ``Scope`` says which sessions:
a patient's, or a clinic's from one clinic date to another in the clinic's zone."""

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.dates import clinic_day_start
from tracker.intake.models import Episode
from tracker.patients.models import Patient
from tracker.points.models import Point
from tracker.safety.models import AdverseEvent
from tracker.sessions.models import Adjunct, Amendment, PointApplication, TreatmentSession

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


def sessions(scope: Scope):
    """One row a session: its own columns, patient, chief complaint, practitioner, signer."""
    signer = aliased(User)
    return (
        select(TreatmentSession.id, TreatmentSession.started_at, TreatmentSession.status,
               TreatmentSession.needles_inserted, TreatmentSession.retention_minutes,
               TreatmentSession.pain_before, TreatmentSession.pain_after,
               TreatmentSession.signed_at, Patient.chart_number, Patient.family_name,
               Patient.given_name, Episode.chief_complaint,
               User.name.label("practitioner"), signer.name.label("signed_by"))
        .join(Patient, Patient.id == TreatmentSession.patient_id)
        .join(Episode, Episode.id == TreatmentSession.episode_id)
        .join(User, User.id == TreatmentSession.practitioner_id)
        .outerjoin(signer, signer.id == TreatmentSession.signed_by_id)
        .where(*scope.conditions)
        .order_by(*ORDER)
    )


def _of_sessions(scope: Scope, table, *columns):
    """A child table's columns after its session's key, in the sessions' order."""
    return (select(TreatmentSession.started_at.label("session_started_at"),
                   TreatmentSession.id.label("session_key"), *columns)
            .select_from(table)
            .join(TreatmentSession, TreatmentSession.id == table.session_id)
            .where(*scope.conditions)
            .order_by(*ORDER))


def points(scope: Scope):
    """The sessions' point rows, in each session's order: code, level, side."""
    return (_of_sessions(scope, PointApplication, Point.code, PointApplication.level,
                         PointApplication.laterality)
            .outerjoin(Point, Point.id == PointApplication.point_id)
            .order_by(PointApplication.position, PointApplication.id))


def adjuncts(scope: Scope):
    """The sessions' adjunct techniques, as ``sessions.adjuncts.describe`` reads them."""
    return (_of_sessions(scope, Adjunct, Adjunct.kind, Adjunct.minutes, Adjunct.sites,
                         Adjunct.params)
            .order_by(Adjunct.position, Adjunct.id))


def events(scope: Scope):
    """The adverse events recorded on the sessions (not those between visits)."""
    return (_of_sessions(scope, AdverseEvent, AdverseEvent.code, AdverseEvent.severity,
                         AdverseEvent.description)
            .order_by(AdverseEvent.onset_at, AdverseEvent.id))


def amendments(scope: Scope):
    """The signed sessions' amendments, oldest first (pain as the note reads now)."""
    return _of_sessions(scope, Amendment, Amendment.changes).order_by(Amendment.id)


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
