"""Recording a draft session with the cautions it raises, editing a draft, signing it (what
stops signing, and the decisions on its cautions) and amending a signed note; the values a
note reads with its amendments applied."""

from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm.attributes import set_committed_value

from tracker.audit.services import record_event
from tracker.conflicts import ChangeBy, EditConflict, check_version, record_edit
from tracker.dates import clinic_date
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.i18n import _, _l, ngettext
from tracker.points import row_schema
from tracker.safety.cautions import CONTRAINDICATED
from tracker.safety.models import AdverseEvent
from tracker.safety.services import (
    SafetyError,
    cautions_for_rows,
    decide_cautions,
    pending_cautions,
    sync_session_cautions,
)
from tracker.scores.services import sync_session_scores
from tracker.sessions.models import Adjunct, Amendment, PointApplication, TreatmentSession

# Fields a session form edits as they are (same name on the form and the model).
DIRECT_FIELDS = (
    "needle_type", "needle_gauge_mm", "needle_length_mm", "needle_brand", "needle_lot",
    "needle_material", "needles_inserted", "needles_removed", "pain_before", "pain_after",
    "sensations", "sensations_notes", "subjective", "objective", "tongue", "pulse",
    "assessment", "plan", "advice", "advice_notes", "next_visit_on",
)
# Everything a form may set on a draft: the direct fields, the times (converted to UTC by the
# form), retention, and where the rows came from.
SESSION_FIELDS = (
    *DIRECT_FIELDS, "started_at", "inserted_at", "removed_at", "retention_minutes",
    "protocol_id", "protocol_name", "copied_from_id",
)
ADJUNCT_FIELDS = ("kind", "minutes", "sites", "params", "notes")
# The changes that move the session's scores in the outcome table (``_sync_scores``).
SCORED_FIELDS = {"pain_before", "pain_after", "started_at", "episode"}

# What an amendment may correct on a signed note, with the label shown in its history.
AMENDABLE_FIELDS = {
    "pain_before": _l("Pain before"),
    "pain_after": _l("Pain after"),
    "sensations_notes": _l("How the patient felt"),
    "subjective": _l("Subjective"),
    "objective": _l("Objective"),
    "tongue": _l("Tongue"),
    "pulse": _l("Pulse"),
    "assessment": _l("Assessment"),
    "plan": _l("Plan"),
    "advice_notes": _l("Advice notes"),
    "next_visit_on": _l("Next visit"),
}


class SessionError(ValueError):
    """A user-facing reason a session change was refused."""


class OverrideRequired(SessionError):
    """A contraindicated choice was saved without an override reason."""

    def __init__(self, cautions: list):
        super().__init__(" ".join(str(c.message) for c in cautions))
        self.cautions = cautions


class SigningRefused(SessionError):
    """The note cannot be signed yet; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def record_session(
    patient,
    episode,
    *,
    practitioner,
    values: dict,
    points: list[dict],
    adjuncts: list[dict],
    overrides: dict[str, str] | None = None,
) -> TreatmentSession:
    """Create a draft session with its point rows, adjuncts and the cautions they raise.

    :raises OverrideRequired: a contraindicated choice has no override reason in ``overrides``
        (keyed by caution key).
    """
    if episode.patient_id != patient.id:
        raise SessionError(_("That episode belongs to another patient."))
    visit = TreatmentSession(
        clinic_id=patient.clinic_id,
        clinic=patient.clinic,
        patient=patient,
        episode=episode,
        practitioner=practitioner,
        status="draft",
    )
    _assign(visit, values)
    visit.adjuncts = _adjunct_rows(adjuncts)
    visit.amendments = []
    visit.cautions = []
    _store_cautions(visit, episode, points, adjuncts, overrides or {}, practitioner)
    db.session.add(visit)
    db.session.flush()
    _insert_point_rows(visit, points)
    _sync_scores(visit, actor=practitioner, new=True)
    record_event("session.create", actor=practitioner, entity=visit, patient_id=patient.id,
                 details={"points": len(visit.points), "adjuncts": len(visit.adjuncts)})
    return visit


def update_draft(
    visit: TreatmentSession,
    *,
    episode=None,
    values: dict,
    points: list[dict],
    adjuncts: list[dict],
    expected_version: int | None,
    actor,
    overrides: dict[str, str] | None = None,
) -> None:
    """Replace a draft's fields, point rows and adjuncts, and bring its cautions up to date.

    Needs ``visit.cautions`` loaded.

    :raises SessionError: the session is signed (amend it instead).
    :raises EditConflict: someone saved it since the form was loaded.
    :raises OverrideRequired: a contraindicated choice has no override reason.
    """
    if visit.is_signed:
        raise SessionError(_("This note is signed; correct it with an amendment."))
    check_version(visit, expected_version, {k: v for k, v in values.items() if k in SESSION_FIELDS})
    changed = [name for name in SESSION_FIELDS
               if name in values and getattr(visit, name) != values[name]]
    if episode is not None and episode.id != visit.episode_id:
        if episode.patient_id != visit.patient_id:
            raise SessionError(_("That episode belongs to another patient."))
        visit.episode = episode
        changed.append("episode")
    before = row_schema.signature(visit.points), _adjunct_signature(visit.adjuncts)
    _assign(visit, values)
    visit.points = []  # the rows are replaced: the flush deletes the old ones
    visit.adjuncts = _adjunct_rows(adjuncts)
    _store_cautions(visit, visit.episode, points, adjuncts, overrides or {}, actor)
    db.session.flush()  # the new rows get their column defaults, so they compare fairly
    _insert_point_rows(visit, points)
    if before[0] != row_schema.signature(visit.points):
        changed.append("points")
    if before[1] != _adjunct_signature(visit.adjuncts):
        changed.append("adjuncts")
    if SCORED_FIELDS & set(changed):
        _sync_scores(visit, actor=actor)
    record_edit("session.update", visit, changed, actor=actor, patient_id=visit.patient_id)


def signing_problems(visit: TreatmentSession) -> list[str]:
    """Everything that stops ``visit`` from being signed (empty when it can be).

    Needs ``visit.cautions`` loaded.
    """
    problems = []
    pending = pending_cautions(visit)
    if pending:
        problems.append(ngettext(
            "%(num)d caution to acknowledge (or override with a reason): %(cautions)s",
            "%(num)d cautions to acknowledge (or override with a reason): %(cautions)s",
            len(pending), cautions="; ".join(str(row.message) for row in pending),
        ))
    if not visit.points and not visit.adjuncts:
        problems.append(_("Nothing was recorded: add the points or techniques used."))
    if visit.pain_before is None or visit.pain_after is None:
        problems.append(_("Record the pain score before and after treatment."))
    if visit.points and visit.retention_minutes is None:
        problems.append(_("Record the needle retention time."))
    if visit.points and (visit.needles_inserted is None or visit.needles_removed is None):
        problems.append(_("Count the needles: record how many were inserted and removed."))
    elif (
        visit.points
        and visit.needles_inserted != visit.needles_removed
        and not _retained_needle_recorded(visit)
    ):
        problems.append(_(
            "%(inserted)s needles inserted but %(removed)s removed. Find the missing needle, "
            "or record a “Retained or missing needle” adverse event with the action taken.",
            inserted=visit.needles_inserted, removed=visit.needles_removed,
        ))
    return problems


def sign_session(
    visit: TreatmentSession, *, actor, decisions: dict[int, tuple[str, str]] | None = None,
    expected_version: int | None = None, signed_at: datetime | None = None,
) -> None:
    """Record the decisions on its cautions, then sign the note: from now on it changes only
    through amendments. ``decisions`` maps a caution id to ("acknowledged" or "overridden",
    reason). ``expected_version`` is the version of the draft the signer read. ``signed_at``
    is now, unless a past visit is being loaded (the demo data).

    :raises EditConflict: the draft changed since the signer read it (nothing is signed).
    :raises SigningRefused: with every problem listed (an override without its reason too);
        the refusal is in the audit log, and the caller keeps it.
    """
    if visit.is_signed:
        raise SessionError(_("This note is already signed."))
    check_version(visit, expected_version, {})
    # Ask the engine again: the intake may have changed since the draft was saved (a
    # pregnancy recorded, a pacemaker noted). Anything new is stored and must be decided.
    points, adjuncts = stored_rows(visit)
    sync_session_cautions(visit, cautions_for_rows(visit.episode, session_date(visit), points,
                                                   adjuncts), overrides={}, actor=actor)
    try:
        if decisions:
            decide_cautions(visit, decisions, actor=actor)
        problems = signing_problems(visit)
    except SafetyError as error:  # an override without its reason: no decision was recorded
        problems = [str(error)]
    if problems:
        # What signing found and what was decided are records on their own: they are kept
        # (the caller commits them), so nobody decides the same caution twice.
        record_event("session.sign_refused", actor=actor, entity=visit,
                     patient_id=visit.patient_id,
                     details={"problems": len(problems), "decisions": len(decisions or {})})
        raise SigningRefused(problems)
    # Decisions and cautions are written while the note is still a draft: once it is signed,
    # the database refuses any change to its rows (the signed-note triggers).
    db.session.flush()
    visit.status = "signed"
    visit.practitioner_background = visit.practitioner.background_on(session_date(visit))
    visit.signed_at = signed_at or utcnow()
    visit.signed_by_id = actor.id
    db.session.flush()
    decided = {row.key: row.decision for row in visit.cautions if row.decision}
    record_event("session.sign", actor=actor, entity=visit, patient_id=visit.patient_id,
                 details={"cautions": decided})


def amend_session(visit: TreatmentSession, *, reason: str, values: dict, actor,
                  amendments_seen: int | None = None) -> Amendment:
    """Record a correction to a signed note; the original stays as it was signed.

    ``amendments_seen`` is how many amendments the note had when the author read it.

    :raises EditConflict: another amendment was recorded since (nothing is added on top of
        it unseen).
    :raises SessionError: the note is a draft, no reason is given, or nothing changed.
    """
    if not visit.is_signed:
        raise SessionError(_("Drafts are edited directly; only signed notes are amended."))
    if amendments_seen is not None and len(visit.amendments) != amendments_seen:
        current = effective_values(visit)
        raise EditConflict(
            current_version=len(visit.amendments),
            changes=[ChangeBy(a.author.name, a.created_at, [c["field"] for c in a.changes])
                     for a in visit.amendments[amendments_seen:]],
            current_values={name: current[name] for name, value in values.items()
                            if name in current and current[name] != value})
    if not reason.strip():
        raise SessionError(_("Say why the note is amended."))
    current = effective_values(visit)
    changes = [
        {
            "field": name,
            "label": str(AMENDABLE_FIELDS[name]),  # stored: the text, in this request's locale
            "old": _jsonable(current[name]),
            "new": _jsonable(value),
        }
        for name, value in values.items()
        if name in AMENDABLE_FIELDS and _jsonable(current[name]) != _jsonable(value)
    ]
    if not changes:
        raise SessionError(_("Nothing was changed, so there is nothing to amend."))
    amendment = Amendment(treatment_session=visit, author_id=actor.id, reason=reason.strip(),
                          changes=changes)
    db.session.add(amendment)
    db.session.flush()
    if SCORED_FIELDS & {change["field"] for change in changes}:
        _sync_scores(visit, actor=actor)
    record_event("session.amend", actor=actor, entity=visit, patient_id=visit.patient_id,
                 details={"fields": [c["field"] for c in changes], "amendment": amendment.id})
    return amendment


def _sync_scores(visit: TreatmentSession, *, actor, new: bool = False) -> None:
    """Keep the session's pain scores in the outcome table (as they read now)."""
    current = effective_values(visit) if visit.is_signed else {
        "pain_before": visit.pain_before, "pain_after": visit.pain_after}
    sync_session_scores(visit, pain_before=current["pain_before"],
                        pain_after=current["pain_after"], zone=visit.clinic.timezone, actor=actor,
                        new=new)


def effective_values(visit: TreatmentSession) -> dict:
    """The amendable fields as they read now: the signed values with every amendment applied.

    Needs ``visit.amendments`` loaded.
    """
    return apply_amendments({name: getattr(visit, name) for name in AMENDABLE_FIELDS},
                            (amendment.changes for amendment in visit.amendments))


def apply_amendments(values: dict, amendments_changes) -> dict:
    """``values`` (some amendable fields, as signed) with each amendment's changes applied in
    turn, oldest first (``amendments_changes``: each amendment's ``changes``)."""
    for changes in amendments_changes:
        for change in changes:
            if change["field"] in values:
                values[change["field"]] = _from_json(change["field"], change["new"])
    return values


def amended_fields(visit: TreatmentSession) -> set[str]:
    return {c["field"] for a in visit.amendments for c in a.changes}


def session_date(visit: TreatmentSession) -> date:
    """The session's date where the clinic is: the one date every caution is computed for."""
    return clinic_date(visit.started_at, visit.clinic.timezone)


def stored_rows(visit: TreatmentSession) -> tuple[list[dict], list[dict]]:
    """A session's point rows and adjuncts as plain dicts (to check, copy or export them)."""
    points = [row_schema.row_from_model(row) for row in visit.points]
    adjuncts = [{name: getattr(row, name) for name in ADJUNCT_FIELDS} for row in visit.adjuncts]
    return points, adjuncts


def _store_cautions(visit, episode, points, adjuncts, overrides: dict, actor) -> None:
    cautions = cautions_for_rows(episode, session_date(visit), points, adjuncts)
    overridden = {row.key for row in visit.cautions if row.decision == "overridden"}
    missing = [
        c for c in cautions
        if c.severity == CONTRAINDICATED and not overrides.get(c.key, "").strip()
        and c.key not in overridden
    ]
    if missing:
        raise OverrideRequired(missing)
    sync_session_cautions(visit, cautions, overrides=overrides, actor=actor)


def _retained_needle_recorded(visit: TreatmentSession) -> bool:
    return (
        db.session.scalar(
            select(AdverseEvent.id)
            .where(
                AdverseEvent.session_id == visit.id,
                AdverseEvent.code == "retained_needle",
                AdverseEvent.action_taken != "",
            )
            .limit(1)
        )
        is not None
    )


def _adjunct_signature(rows) -> list[tuple]:
    return [tuple(getattr(row, name) for name in ADJUNCT_FIELDS) for row in rows]


def _assign(visit: TreatmentSession, values: dict) -> None:
    for name in SESSION_FIELDS:
        if name in values:
            setattr(visit, name, values[name])


def _insert_point_rows(visit: TreatmentSession, rows: list[dict]) -> None:
    """Write a flushed session's point rows with one INSERT, and hand them to ``visit.points``
    as if loaded. A session's rows are most of what a save writes: through the unit of work
    (each one an object to register, order and read back) they took a quarter of the save's
    write transaction, the time it holds SQLite's one lock for every writer (7.6 -> 5.8 ms,
    quick bench data)."""
    values = []
    for index, row in enumerate(rows, start=1):
        columns = row_schema.row_values(row)
        point = columns.pop("point")
        values.append({**columns, "session_id": visit.id, "position": index,
                       "point_id": point.id if point is not None else None})
    # render_nulls: a row without a depth is still in the one INSERT (the ORM would batch
    # rows by the columns they set).
    inserted = db.session.scalars(
        insert(PointApplication).returning(PointApplication, sort_by_parameter_order=True),
        values, execution_options={"render_nulls": True}).all() if values else []
    for stored, row in zip(inserted, rows, strict=True):
        set_committed_value(stored, "point", row.get("point"))
        set_committed_value(stored, "treatment_session", visit)
    set_committed_value(visit, "points", inserted)


def _adjunct_rows(rows: list[dict]) -> list[Adjunct]:
    return [
        Adjunct(position=index, **{k: row[k] for k in ADJUNCT_FIELDS if k in row})
        for index, row in enumerate(rows, start=1)
    ]


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _from_json(name: str, value):
    if name == "next_visit_on" and value:
        return date.fromisoformat(value)
    return value
