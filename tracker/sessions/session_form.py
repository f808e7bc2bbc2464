"""Building and re-building the session form: pre-filling from a protocol or the last
session, and the form's non-saving actions (parse quick entry, add a row, add a technique).

Every action works without JavaScript: the form posts with ``action=...`` and comes back with
the change made and nothing saved.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, get_template_attribute
from markupsafe import Markup

from tracker.dates import clinic_date
from tracker.fields import parse_id
from tracker.i18n import _, get_locale
from tracker.points import row_schema
from tracker.points.body_chart import BodyChart, form_chart
from tracker.points.catalog_cache import chart_targets
from tracker.points.services import resolve_codes, rows_from_shorthand
from tracker.protocols.services import protocol_rows
from tracker.safety.cautions import CONTRAINDICATED, Caution
from tracker.safety.services import cautions_for_rows, planned_point
from tracker.sessions import vocab
from tracker.sessions.adjuncts import adjunct_form_data
from tracker.sessions.forms import MAX_POINT_ROWS, MAX_TECHNIQUE_ROWS, SessionForm
from tracker.sessions.queries import last_session, rows_of, session_of_patient
from tracker.sessions.services import DIRECT_FIELDS, SessionError

NEEDLE_FIELDS = (
    "needle_type",
    "needle_gauge_mm",
    "needle_length_mm",
    "needle_brand",
    "needle_lot",
    "needle_material",
)
ADJUNCT_KINDS = dict(vocab.ADJUNCT_KINDS)


def episode_choices(patient, include=None) -> list[tuple[int, str]]:
    """Open episodes (and ``include``, a draft's own episode even if closed since)."""
    episodes = [e for e in patient.episodes if e.is_open or (include and e.id == include.id)]
    return [(e.id, f"{e.opened_on.isoformat()} · {e.chief_complaint}") for e in episodes]


def prefill_new_session(patient, zone: ZoneInfo, args) -> tuple[SessionForm, bool]:
    """A new session form: now, the patient's latest open episode, the needles used last time,
    and the rows of ``?protocol=<key>`` or ``?copy=last``; and whether the patient has an
    earlier session (the last one, read for its needles, says so)."""
    now = datetime.now(zone)
    data = {
        "session_date": now.date(),
        "start_time": now.time().replace(second=0, microsecond=0),
        "points": [],
        "adjuncts": [],
    }
    previous = last_session(patient.id, with_rows=args.get("copy") == "last")
    if previous is not None:
        data.update({name: getattr(previous, name) for name in NEEDLE_FIELDS})
    open_episodes = [e for e in patient.episodes if e.is_open]
    if open_episodes:
        data["episode_id"] = open_episodes[0].id
    if args.get("copy") == "last" and previous is not None:
        points, adjuncts = rows_of(previous)
        data["points"] = [row_schema.form_data(row) for row in points]
        data["adjuncts"] = [adjunct_form_data(row) for row in adjuncts]
        data["copied_from_id"] = str(previous.id)
        data["retention_minutes"] = previous.retention_minutes
    elif args.get("protocol"):
        found = protocol_rows(args["protocol"], patient.clinic_id)
        if found:
            data["points"] = [row_schema.form_data(row) for row in found.rows]
            data["protocol_key"] = args["protocol"]
    if data["points"]:
        data["needles_inserted"] = row_schema.needle_count(
            [{"laterality": row["laterality"]} for row in data["points"]]
        )
    return SessionForm(data=data), previous is not None


def prefill_from_session(visit, zone: ZoneInfo) -> SessionForm:
    """The edit form of a draft."""
    points, adjuncts = rows_of(visit)
    data = {name: getattr(visit, name) for name in (*DIRECT_FIELDS, "retention_minutes")}
    started = visit.started_at.astimezone(zone)
    data.update(
        version=visit.version,
        episode_id=visit.episode_id,
        session_date=started.date(),
        start_time=started.time().replace(second=0, microsecond=0),
        inserted_time=visit.inserted_at.astimezone(zone).time() if visit.inserted_at else None,
        removed_time=visit.removed_at.astimezone(zone).time() if visit.removed_at else None,
        points=[row_schema.form_data(row) for row in points],
        adjuncts=[adjunct_form_data(row) for row in adjuncts],
        copied_from_id=str(visit.copied_from_id or ""),
    )
    return SessionForm(data=data)


def apply_form_action(form: SessionForm, action: str) -> int | None:
    """Carry out a non-saving action; return the status to re-render with, or None to save.

    Saving also reads the quick-entry box, so typed shorthand is never lost.
    """
    too_many = form.too_many_rows()
    if too_many:
        form.quick_entry.errors = [*form.quick_entry.errors, too_many]
        return 422
    if action.startswith("add_adjunct:"):
        kind = action.removeprefix("add_adjunct:")
        if kind in ADJUNCT_KINDS and len(form.adjuncts.entries) < MAX_TECHNIQUE_ROWS:
            form.adjuncts.append_entry({"kind": kind})
        return 200
    if action.startswith("remove_adjunct:"):
        index = action.removeprefix("remove_adjunct:")
        kept = [entry.form.data for i, entry in enumerate(form.adjuncts) if str(i) != index]
        _replace(form.adjuncts, kept)
        return 200
    if action == "add_point":
        if len(form.kept_point_rows()) < MAX_POINT_ROWS:
            _replace(form.points, _kept_point_data(form) + [{}])
        return 200
    if form.quick_entry.data:
        rows, result = rows_from_shorthand(form.quick_entry.data)
        if not result.ok:
            # Errors is a tuple until the form validates; this runs before validation.
            form.quick_entry.errors = [*form.quick_entry.errors, *result.errors]
            return 422
        too_many = form.too_many_rows(adding=len(rows))
        if too_many:
            form.quick_entry.errors = [*form.quick_entry.errors, too_many]
            return 422
        _replace(form.points, _kept_point_data(form) + [row_schema.form_data(r) for r in rows])
        form.quick_entry.data, form.quick_entry.raw_data = "", [""]
        # Shown under the box after "Add to list", flashed after a save.
        form.quick_entry_notices = result.notices
        if not form.needles_inserted.data:
            _propose_needle_count(form)
        if action == "parse":
            return 200
    elif action == "parse":
        return 200
    if action == "recount":
        _propose_needle_count(form)
        return 200
    return None


def _propose_needle_count(form: SessionForm) -> None:
    count = row_schema.needle_count(
        [{"laterality": row["laterality"]} for _, row in form.kept_point_rows()])
    form.needles_inserted.data = count
    # A posted field renders what was typed (raw_data), not .data: replace both, and drop the
    # error the posted value left ("" is "Not a valid integer value"): the count replaces it.
    form.needles_inserted.raw_data = [str(count)]
    form.needles_inserted.process_errors = []


def _kept_point_data(form: SessionForm) -> list[dict]:
    return [row for _, row in form.kept_point_rows()]


def _replace(field_list, rows: list[dict]) -> None:
    field_list.entries = []
    field_list.last_index = -1
    for data in rows:
        field_list.append_entry(data)


def form_episode(form: SessionForm, patient):
    """The episode the form names (or the patient's latest open one while none is chosen)."""
    episodes = {e.id: e for e in patient.episodes}
    chosen = episodes.get(form.episode_id.data)
    return chosen or next((e for e in patient.episodes if e.is_open), None)


def form_cautions(form: SessionForm, patient, zone: ZoneInfo,
                  extra_rows: list[dict] = ()) -> list[Caution]:
    """What the caution engine says about the form as it stands, valid or not yet, with
    ``extra_rows`` (quick-entry text not yet added to the list) as if they were rows."""
    episode = form_episode(form, patient)
    if episode is None:
        return []
    points = [row for _, row in _engine_rows(form)] + list(extra_rows)
    adjuncts = [
        {"kind": entry.form.kind.data, "params": {"cupping_method": entry.form.cupping_method.data}}
        for entry in form.adjuncts
    ]
    return cautions_for_rows(episode, _form_date(form, zone), points, adjuncts)


def quick_entry_rows(form: SessionForm) -> list[dict]:
    """The rows the quick-entry text names so far, while it is typed: every entry read, the
    ones not (yet) understood left out (the form says why only when they are added)."""
    if not form.quick_entry.data:
        return []
    rows, _result = rows_from_shorthand(form.quick_entry.data)
    return rows


def quick_entry_cautions(rows: list[dict], cautions: list[Caution]) -> list[Caution]:
    """The warnings (not the notes) that concern the quick-entry rows, each once."""
    targets = {planned_point(row).target for row in rows}
    return [c for c in cautions if c.severity != "info" and c.target in targets]


def row_cautions(form: SessionForm, cautions: list[Caution]) -> dict[int, list[Caution]]:
    """The warnings (not the notes) that concern each point row, by the row's index."""
    by_target: dict[str, list[Caution]] = {}
    for caution in cautions:
        if caution.severity != "info":
            by_target.setdefault(caution.target, []).append(caution)
    found = {}
    for index, row in _engine_rows(form):
        target = planned_point(row).target
        if target in by_target:
            found[index] = by_target[target]
    return found


def form_body_chart(form: SessionForm) -> BodyChart:
    """The body chart of the form as it stands (saved or not), with the catalog to tap."""
    return form_chart(_engine_rows(form), chart_targets())


def _engine_rows(form: SessionForm) -> list[tuple[int, dict]]:
    """(row index, the row as the engine reads it) for every kept point row of the form. A
    typed code the catalog does not know is left to the form's own error."""
    entries = form.kept_point_rows()
    codes = [row["code"] for _, row in entries if row["code"]]
    # A validated form has looked its codes up already (``SessionForm.resolved``).
    resolved = (form.resolved if all(code in form.resolved for code in codes)
                else resolve_codes(codes))
    return [(index, row_schema.row_from_form(row, resolved.get(row["code"])))
            for index, row in entries if not row["code"] or row["code"] in resolved]


def _form_date(form: SessionForm, zone: ZoneInfo) -> date:
    """The clinic date of the session the form describes (today while the date is unset)."""
    day = form.session_date.data if isinstance(form.session_date.data, date) else None
    if day is None:
        return clinic_date(datetime.now(zone), zone)
    moment = form.start_time.data if isinstance(form.start_time.data, time) else time(12)
    return clinic_date(datetime.combine(day, moment, zone), zone)


def contraindication_overrides(form: SessionForm, patient, zone: ZoneInfo) -> dict[str, str]:
    """The form's one override reason, for every contraindication the form raises."""
    reason = form.override_reason.data or ""
    return {c.key: reason for c in form_cautions(form, patient, zone)
            if c.severity == CONTRAINDICATED}


def provenance_values(form: SessionForm, patient) -> dict:
    """Where a new session's rows came from: the protocol applied, the session copied.

    :raises SessionError: the session named as copied is not one of this patient's (the
        hidden field was changed).
    """
    values = {"protocol_id": None, "protocol_name": "", "copied_from_id": None}
    found = (protocol_rows(form.protocol_key.data, patient.clinic_id)
             if form.protocol_key.data else None)
    if found:
        values["protocol_name"], values["protocol_id"] = found.name, found.protocol_id
    if form.copied_from_id.data:
        copied = parse_id(form.copied_from_id.data)
        if copied is None or not session_of_patient(copied, patient.id):
            raise SessionError(_("The session to copy from is not one of this patient's: "
                                 "start again from the patient's page."))
        values["copied_from_id"] = copied
    return values


_POINT_ROW_TEMPLATES: dict[str, Markup] = {}


def point_row_template() -> Markup:
    """The markup the point picker copies to add a row without a round trip: a blank catalog
    row with placeholders for its index and number. The same for every form in a language
    (its controls' choices are the fixed vocabulary), so it is rendered once per process and
    language (again on every form while templates reload, in development): a seventh of the
    new-session page's time."""
    locale = str(get_locale())
    markup = _POINT_ROW_TEMPLATES.get(locale)
    if markup is None or current_app.jinja_env.auto_reload:
        blank = SessionForm.blank_point_row()
        point_entry = get_template_attribute("sessions/_rows.html", "point_entry")
        # The macro's output, written by an escaping template: markup already.
        markup = _POINT_ROW_TEMPLATES[locale] = Markup(  # nosec B704
            point_entry(blank, blank, "__index__", "__number__", catalog_only=True))
    return markup
