"""Table rows from the plan of a generated clinic group (bench/generate_plan.py), as the app's
own services would have written them: a patient's search text as ``patients.services`` folds
it, an intake's and a session's scores mirrored into ``outcome_assessments`` as
``scores.services`` mirrors them (an amended pain score moves its mirror), the cautions the
caution engine shows for each needle (``safety.cautions``, asked once per distinct needle),
version counters as the ORM leaves them (a signed session or a closed episode is at 2).

Rows are dicts in Python values (aware datetimes, dates, lists); bench/generate_db.py fills
the columns left out with the models' defaults and encodes them for the database. The three
tables with several rows a session (point rows, scores, cautions: about 4 million rows at full
scale) are tuples instead, already encoded, in ``TUPLE_COLUMNS`` order: building and encoding
dicts was a third of the time.
"""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from generate_plan import ZONE, Course, Person, Visit
from generate_texts import (
    AMENDMENT_REASONS,
    OBJECTIVE,
    PSFS_ACTIVITIES,
    SITES,
    SUBJECTIVE,
    identity,
    search_text,
)

from tracker.dates import clinic_day_start
from tracker.demo.data import COMPLAINTS, OCCUPATIONS
from tracker.intake import vocab
from tracker.safety.cautions import INFO, PlannedPoint, SafetyFacts, cautions_for
from tracker.safety.vocab import AE_CATEGORY_OF
from tracker.scores.instruments import score
from tracker.sessions.services import AMENDABLE_FIELDS
from tracker.sessions.vocab import ADVICE, SENSATIONS

POINT_COLUMNS = ("id", "session_id", "position", "point_id", "custom_label", "region", "level",
                 "laterality", "depth", "depth_unit", "angle", "gauge_mm", "length_mm",
                 "technique", "deqi_sought", "deqi_obtained", "stimulation", "retention_minutes")
# Local points by the course's body region, then distal points for every course. None is
# flagged for pregnancy-free patients but the thorax ones, which get the careful depth and
# angle the engine only notes (an "info" caution, no decision needed to sign).
LOCAL_POINTS = {
    "lumbar": ("BL23", "BL25", "BL22", "BL24", "BL26", "BL52", "GV3", "GV4", "GV5", "BL40",
               "BL57", "GB30", "BL36", "BL37"),
    "thoracic": ("BL17", "BL18", "BL19", "BL20", "BL21", "GV6", "GV9", "GV8", "GV11", "SI11",
                 "BL15", "BL16", "GB21"),
    "cervical": ("GB20", "BL10", "GV14", "GV16", "GB21", "SI14", "SI13", "BL11", "SI11"),
    "shoulder": ("LI15", "TE14", "SI9", "SI10", "SI11", "SI12", "LI14", "GB21"),
}
DISTAL_POINTS = ("LI4", "ST36", "SP6", "LR3", "KI3", "GB34", "PC6", "HT7", "LU7", "LI11", "TE5",
                 "SI3", "GB39", "ST40", "SP9", "KI7", "BL60", "GV20")
ALL_POINT_CODES = frozenset(DISTAL_POINTS).union(*LOCAL_POINTS.values())
# The other two tables written as tuples: a session's scores and cautions, a few rows each.
SCORE_COLUMNS = ("id", "clinic_id", "patient_id", "episode_id", "session_id", "instrument",
                 "context", "taken_at", "taken_on", "answers", "score", "recorded_by_id",
                 "recorded_at", "void_reason")
CAUTION_COLUMNS = ("id", "session_id", "first_shown_at", "key", "rule", "target", "severity",
                   "message", "reason", "source", "active", "decision_reason")
TUPLE_COLUMNS = {"point_applications": POINT_COLUMNS, "outcome_assessments": SCORE_COLUMNS,
                 "session_cautions": CAUTION_COLUMNS}
class RowMaker:
    """Builds the rows; keeps the id counters of the tables it fills."""

    def __init__(self, rng, *, clinic_id: int, chart_prefix: str, reception, practitioners,
                 points: dict, background, first_ids: dict[str, int], now, encoders: dict):
        self.rng, self.clinic_id, self.chart_prefix = rng, clinic_id, chart_prefix
        # The backend's encoders for the tuples: "timestamp", "date", "json", "number".
        self._time, self._day = encoders["timestamp"], encoders["date"]
        self._json, self._number = encoders["json"], encoders["number"]
        self.reception, self.practitioners, self.points = reception, practitioners, points
        self.background, self.now = background, now
        self._first_ids = dict(first_ids)
        self._next_ids = {table: count(first) for table, first in first_ids.items()}
        self._needles: dict[int, list[tuple]] = {}  # a course's point rows, decided once
        self._cautions: dict[tuple, list[tuple]] = {}
        self._diabetic: set[int] = set()  # courses whose intake says diabetes: no moxibustion
        self._latest: dict[int, int] = {}  # each course's latest session so far
        self._scores: dict[tuple, tuple] = {}  # (answers, score) encoded, by answer

    def _id(self, table: str) -> int:
        return next(self._next_ids[table])

    def written(self, table: str) -> int:
        """How many rows of ``table`` were made so far."""
        following = next(self._next_ids[table])
        self._next_ids[table] = count(following)
        return following - self._first_ids[table]

    # --- patients ------------------------------------------------------------------------

    def patient_rows(self, people: list[Person]) -> dict[str, list]:
        rng, patients, consents = self.rng, [], []
        for number, person in enumerate(people, start=1):
            registered = person.first_visit - timedelta(minutes=20)
            values = {"id": person.id, "clinic_id": self.clinic_id,
                      "chart_number": f"{self.chart_prefix}-{number:04d}",
                      **identity(rng),
                      "date_of_birth": registered.date() - timedelta(
                          days=rng.randint(18 * 365, 80 * 365)),
                      "occupation": rng.choice(OCCUPATIONS), "created_at": registered,
                      "created_by_id": self.reception.id, "updated_at": registered,
                      "updated_by_id": self.reception.id}
            values["search_text"] = search_text(values)
            patients.append(values)
            consents.append({"id": self._id("consents"), "patient_id": person.id, "given": True,
                             "consent_date": registered.date(),
                             "form_version": f"{registered.year}-04",
                             "witnessed_by": self.reception.name,
                             "recorded_at": registered + timedelta(minutes=5),
                             "recorded_by_id": self.reception.id})
        return {"patients": patients, "consents": consents}

    # --- episodes and their own scores ---------------------------------------------------

    def course_rows(self, courses: list[Course]) -> dict[str, list]:
        rng, episodes, scores = self.rng, [], []
        for course in courses:
            first = course.visits[0].started_at
            practitioner = self.practitioners[course.practitioner].id
            opened = course.opened_on
            intake = {"stress": rng.randint(2, 9), "sleep": rng.randint(3, 9)}
            row = {**self._intake(rng, course), "id": course.id, "clinic_id": self.clinic_id,
                   "patient_id": course.patient.id, "practitioner_id": practitioner,
                   "opened_on": opened, "status": "open" if course.open else "closed",
                   "closed_on": course.closed_on, "close_reason": course.close_reason,
                   "close_note": "" if course.open else "Course ended; reviewed at the last visit.",
                   "baseline_nrs": course.baseline, "stress_level": intake["stress"],
                   "sleep_quality": intake["sleep"], "created_at": first,
                   "updated_at": first, "updated_by_id": practitioner,
                   "version": 1 if course.open else 2}
            if rng.random() < 0.01:  # a red flag, acknowledged at the intake
                row |= {"red_flags": ["night_pain"], "red_flags_acknowledged_at": first,
                        "red_flags_acknowledged_by_id": practitioner,
                        "red_flags_acknowledgement": "Rest pain settles lying down; GP letter "
                                                     "sent, no other signs."}
            episodes.append(row)
            if row["diabetes"]:
                self._diabetic.add(course.id)
            # The intake form's pain, stress and sleep, mirrored at the start of its day.
            day_start = clinic_day_start(opened, ZONE)
            for instrument, value in (("nrs", course.baseline), ("stress", intake["stress"]),
                                      ("sleep", intake["sleep"])):
                scores.append(self._score(course, None, instrument, "intake", day_start,
                                          {"score": value}, practitioner, first))
            scores.append(self._function_score(course, "intake", course.baseline,
                                               first - timedelta(minutes=10), practitioner))
            if course.follow_up_call:  # a phone call a few weeks after the course
                called = clinic_day_start(course.follow_up_call, ZONE) + timedelta(hours=9)
                value = max(0, min(10, course.visits[-1].pain_before + rng.choice((-1, 0, 1))))
                scores.append(self._score(course, None, "nrs", "follow_up", called,
                                          {"score": value}, practitioner, called))
        return {"episodes": episodes, "outcome_assessments": scores}

    def _intake(self, rng, course: Course) -> dict:
        onset = course.opened_on - timedelta(days=rng.randint(5, 700))
        elapsed = (course.opened_on - onset).days
        facts = rng.random()
        return {
            "chief_complaint": course_complaint(course),
            "body_region": course.region,
            "side": rng.choice([code for code, _ in vocab.SIDES]),
            "onset_date": onset, "onset_type": rng.choice(("gradual", "gradual", "sudden")),
            "duration": "acute" if elapsed < 42 else "chronic" if elapsed > 84 else "subacute",
            "causes": rng.sample([c for c, _ in vocab.CAUSES if c != "other_cause"],
                                 rng.randint(1, 3)),
            "symptoms": rng.sample([c for c, _ in vocab.SYMPTOMS], rng.randint(2, 4)),
            "co_interventions": rng.sample([c for c, _ in vocab.CO_INTERVENTIONS
                                            if c != "other_co"], rng.randint(0, 2)),
            # Safety facts that raise no caution for what is done to these patients: no
            # moxibustion with diabetes, no wet cupping with anticoagulants (see _adjuncts).
            "diabetes": facts < 0.03, "anticoagulants": 0.03 <= facts < 0.05,
            "sitting_hours": rng.choice((2, 4, 6, 8, 9, 10)),
            "break_habit": rng.choice([c for c, _ in vocab.BREAK_HABITS]),
            "exercise": rng.choice([c for c, _ in vocab.EXERCISE_LEVELS]),
            "tongue_colour": rng.choice([c for c, _ in vocab.TONGUE_COLOURS]),
            "tongue_coating": rng.choice([c for c, _ in vocab.TONGUE_COATINGS]),
            "pulse_rate": rng.randint(58, 88),
            "pulse_qualities": rng.sample([c for c, _ in vocab.PULSE_QUALITIES], 2),
            "patterns": rng.sample([c for c, _ in vocab.PATTERNS], rng.randint(1, 2)),
            "goals": rng.choice(("Sleep without pain", "Return to running",
                                 "Work a full day in comfort", "Lift my child without pain")),
            "planned_sessions": rng.choice((4, 6, 8, 10)),
            "planned_interval_days": rng.choice((7, 7, 14)),
        }

    def _score(self, course, visit_id, instrument, context, taken_at, answers, recorded_by,
               recorded_at, *, taken_at_text=None, recorded_at_text=None) -> tuple:
        """A row in SCORE_COLUMNS order (times given encoded when the caller has them)."""
        encoded_answers, value = self._scored(instrument, answers)
        return (self._id("outcome_assessments"), self.clinic_id, course.patient.id, course.id,
                visit_id, instrument, context, taken_at_text or self._time(taken_at),
                self._day(taken_at.astimezone(ZONE).date()), encoded_answers, value,
                recorded_by, recorded_at_text or self._time(recorded_at), "")

    def _scored(self, instrument: str, answers: dict) -> tuple:
        """The answers encoded and ``scores.instruments.score`` of them, once per distinct
        answer (the function builds its error messages, translated, on every call)."""
        if "score" in answers:
            key = (instrument, answers["score"])
        elif instrument == "rmdq":
            key = (instrument, sum(answers["items"]))
        else:
            key = (instrument, tuple((a["name"], a["score"]) for a in answers["activities"]))
        found = self._scores.get(key)
        if found is None:
            found = self._scores[key] = (self._json(answers),
                                         self._number(score(instrument, answers)))
        return found

    def _function_score(self, course, context, pain, taken_at, recorded_by) -> tuple:
        """RMDQ for low back courses, else the PSFS, following the pain."""
        rng = self.rng
        if course.region == "lumbar":
            marked = max(0, min(24, round(pain * 2.2) + rng.randint(-2, 2)))
            answers = {"items": [n < marked for n in range(24)]}
            instrument = "rmdq"
        else:
            names = rng.sample(PSFS_ACTIVITIES, 1 + course.id % 3)
            answers = {"activities": [{"name": name, "score": max(0, min(10, 10 - pain
                                                                          + rng.randint(-1, 1)))}
                                      for name in names]}
            instrument = "psfs"
        return self._score(course, None, instrument, context, taken_at, answers, recorded_by,
                           taken_at)

    # --- sessions --------------------------------------------------------------------------

    def visit_rows(self, visits: list[Visit]) -> dict[str, list]:
        out = {name: [] for name in ("treatment_sessions", "point_applications", "adjuncts",
                                     "session_cautions", "amendments", "adverse_events",
                                     "outcome_assessments")}
        for visit in visits:
            self._visit(visit, out)
        return out

    def _visit(self, visit: Visit, out: dict) -> None:
        rng, course = self.rng, visit.episode
        practitioner = self.practitioners[visit.practitioner]
        started = visit.started_at
        retention = rng.choice((15, 20, 20, 20, 25, 30))
        inserted = started + timedelta(minutes=5)
        removed = inserted + timedelta(minutes=retention)
        saved = removed + timedelta(minutes=10)
        signed_at = removed + timedelta(minutes=rng.randint(10, 40)) if visit.signed else None
        needles = self._needle_rows(visit)
        adjuncts, electrical = self._adjuncts(course, needles, retention)
        points = []
        for position, (point_id, side, depth, angle, technique, code, _) in enumerate(needles, 1):
            points.append((self._id("point_applications"), visit.id, position, point_id, "", "",
                           "", side, depth, "mm", angle, None, None, technique, True,
                           rng.random() < 0.8 or None, "electrical" if code in electrical
                           else "manual", None))
        needle_count = sum(2 if row[7] == "bilateral" else 1 for row in points)
        session = {
            "id": visit.id, "clinic_id": self.clinic_id, "patient_id": course.patient.id,
            "episode_id": course.id, "practitioner_id": practitioner.id, "started_at": started,
            "status": "signed" if visit.signed else "draft", "signed_at": signed_at,
            "signed_by_id": practitioner.id if visit.signed else None,
            "practitioner_background": self.background(visit.practitioner, started.date())
            if visit.signed else "",
            "needle_gauge_mm": Decimal("0.20"), "needle_length_mm": Decimal("40.0"),
            "needle_brand": "Seirin J-type",
            "needle_lot": f"L{started:%y%m}-{visit.number % 100:02d}",
            "inserted_at": inserted, "removed_at": removed, "retention_minutes": retention,
            "needles_inserted": needle_count, "needles_removed": needle_count,
            "pain_before": visit.pain_before, "pain_after": visit.pain_after,
            "sensations": rng.sample([c for c, _ in SENSATIONS], rng.randint(0, 2)),
            "subjective": course_complaint(course) if visit.number == 1
            else rng.choice(SUBJECTIVE),
            "objective": rng.choice(OBJECTIVE[course.region]),
            "assessment": "Qi and Blood stagnation.", "plan": "Continue; review at the next visit.",
            "advice": rng.sample([c for c, _ in ADVICE], rng.randint(1, 3)),
            "next_visit_on": visit.next_visit_on,
            # "Copy last session" for half of them: the course's previous session.
            "copied_from_id": self._latest.get(course.id) if rng.random() < 0.5 else None,
            "created_at": saved, "updated_at": signed_at or saved,
            "version": 2 if visit.signed else 1,
        }
        self._latest[course.id] = visit.id
        out["treatment_sessions"].append(session)
        out["point_applications"].extend(points)
        for position, adjunct in enumerate(adjuncts, start=1):
            out["adjuncts"].append({"id": self._id("adjuncts"), "session_id": visit.id,
                                    "position": position, **adjunct})
        started_text, saved_text = self._time(started), self._time(saved)
        for needle in needles:
            for caution in self._cautions_of(needle):
                out["session_cautions"].append((self._id("session_cautions"), visit.id,
                                                saved_text, *caution))
        pain_after = visit.pain_after
        if visit.signed and rng.random() < 1 / 40:
            amendment, pain_after = self._amendment(visit, session, signed_at, practitioner)
            out["amendments"].append(amendment)
        if rng.random() < 1 / 200:
            out["adverse_events"].append(self._adverse_event(visit, session, points, removed,
                                                             practitioner))
        for context, value in (("before_session", visit.pain_before),
                               ("after_session", pain_after)):
            out["outcome_assessments"].append(self._score(
                course, visit.id, "nrs", context, started, {"score": value}, practitioner.id,
                saved, taken_at_text=started_text, recorded_at_text=saved_text))
        if visit.number % course.function_every == 0:
            out["outcome_assessments"].append(self._function_score(
                course, "follow_up", visit.pain_before, started - timedelta(minutes=10),
                practitioner.id))

    def _needle_rows(self, visit: Visit) -> list[tuple]:
        """The course's points (decided at its first visit), a few swapped each time."""
        rng, course = self.rng, visit.episode
        rows = self._needles.get(course.id)
        if rows is None:
            pool = LOCAL_POINTS[course.region]
            local = rng.sample(pool, min(len(pool), rng.randint(6, 9)))
            distal = rng.sample(DISTAL_POINTS, rng.randint(4, 7))
            rows = [self._needle(code, code in local) for code in [*local, *distal]]
            self._needles[course.id] = rows
        chosen = [row for row in rows if rng.random() < 0.92]
        taken = {row[5] for row in chosen}
        spare = [code for code in DISTAL_POINTS if code not in taken]
        while len(chosen) < 8 or (len(chosen) < 16 and rng.random() < 0.2):
            chosen.append(self._needle(spare.pop(rng.randrange(len(spare))), False))
        return chosen[:16]

    def _needle(self, code: str, local: bool) -> tuple:
        """One point as this course needles it: (point id, side, depth mm, angle,
        technique, code, local)."""
        rng, point = self.rng, self.points[code]
        if point.is_midline:
            side = "midline"
        else:
            side = "bilateral" if local or rng.random() < 0.6 else rng.choice(("left", "right"))
        if point.thorax_depth_caution:  # over the lung: oblique, within the textbook depth
            depth, angle = min(rng.choice((8, 10, 12)), point.max_depth_mm), "oblique"
        elif point.region in ("hand", "foot", "head"):
            depth, angle = rng.choice((5, 8, 10)), ("transverse" if point.region == "head"
                                                    else "perpendicular")
        else:
            depth, angle = rng.choice((10, 15, 20, 25)), "perpendicular"
        technique = rng.choice(("even", "even", "tonifying", "reducing"))
        return (point.id, side, float(depth), angle, technique, code, local)

    def _cautions_of(self, needle: tuple) -> list[tuple]:
        """The engine's cautions for one needle of a patient with no pregnancy, pacemaker,
        fainting or metal allergy (the only facts that touch plain needling); asked once per
        distinct needle. Each is the tail of a row in CAUTION_COLUMNS order."""
        _, _, depth, angle, _, code, _ = needle
        key = (code, depth, angle)
        if key not in self._cautions:
            found = cautions_for(SafetyFacts(), [PlannedPoint.of(self.points[code], depth_mm=depth,
                                                                 angle=angle)], [])
            if any(caution.severity != INFO for caution in found):
                raise ValueError(f"{key} raises a caution that needs a decision: {found}")
            self._cautions[key] = [(c.key, c.rule, c.target, c.severity, c.message, c.reason,
                                    c.source, True, "") for c in found]
        return self._cautions[key]

    def _adjuncts(self, course: Course, needles: list[tuple], retention: int):
        """Cupping about 30%, electroacupuncture 15%, moxibustion 10%, alone or together;
        returns the adjunct rows and the codes stimulated electrically."""
        rng, site, found, electrical = self.rng, SITES[course.region], [], set()
        if rng.random() < 0.30:
            found.append({"kind": "cupping", "minutes": rng.choice((5, 8, 10)), "sites": site,
                          "params": {"cupping_method": rng.choice(("dry", "dry", "sliding",
                                                                   "flash")),
                                     "cups": rng.randint(2, 8),
                                     "cupping_marks": rng.choice(("none", "light", "moderate"))}})
        paired = [row[5] for row in needles if row[1] != "midline" and row[6]]
        if len(paired) >= 2 and rng.random() < 0.15:
            pair = rng.sample(paired, 2)
            electrical.update(pair)
            dense = rng.random() < 0.6
            params = {"ea_pairs": [pair], "ea_frequency_hz": 2.0,
                      "ea_waveform": "dense_disperse" if dense else "continuous",
                      "ea_intensity_note": "to comfort"}
            if dense:
                params["ea_frequency_2_hz"] = 100.0
            found.append({"kind": "electroacupuncture", "minutes": retention, "sites": "",
                          "params": params})
        if rng.random() < 0.10 and course.id not in self._diabetic:
            found.append({"kind": "moxibustion", "minutes": rng.choice((5, 10, 15)),
                          "sites": site, "params": {"moxa_method": rng.choice(("stick", "box",
                                                                               "warm_needle"))}})
        return found, electrical

    def _amendment(self, visit, session, signed_at, practitioner) -> tuple[dict, int]:
        rng, pain_after = self.rng, visit.pain_after
        field = rng.choice(("objective", "objective", "pain_after", "next_visit_on"))
        if field == "next_visit_on" and visit.next_visit_on is None:
            field = "objective"
        if field == "objective":
            old, new = session["objective"], session["objective"] + " Trigger point left rhomboid."
        elif field == "pain_after":
            old = pain_after
            pain_after = new = min(10, pain_after + 1) if pain_after < 3 else pain_after - 1
        else:
            old = visit.next_visit_on.isoformat()
            new = (visit.next_visit_on + timedelta(days=rng.randint(1, 3))).isoformat()
        reason = AMENDMENT_REASONS[("objective", "pain_after", "next_visit_on").index(field)]
        return {"id": self._id("amendments"), "session_id": visit.id,
                "author_id": practitioner.id, "reason": reason,
                "created_at": min(self.now, signed_at + timedelta(hours=rng.randint(1, 72))),
                "changes": [{"field": field, "label": str(AMENDABLE_FIELDS[field]),
                             "old": old, "new": new}]}, pain_after

    def _adverse_event(self, visit, session, points, removed, practitioner) -> dict:
        rng = self.rng
        code = rng.choice(("haematoma", "needle_site_pain", "dizziness", "fatigue", "bleeding"))
        local = code in ("haematoma", "needle_site_pain", "bleeding")
        return {"id": self._id("adverse_events"), "clinic_id": self.clinic_id,
                "patient_id": visit.episode.patient.id, "session_id": visit.id,
                "category": AE_CATEGORY_OF[code], "code": code, "severity": "minor",
                "onset_at": removed, "description": "Mild, settled before leaving.",
                "action_taken": "Pressure applied; rested ten minutes; reassured.",
                "outcome": "resolved", "point_application_id": rng.choice(points)[0]
                if local else None, "recorded_by_id": practitioner.id,
                "recorded_at": removed + timedelta(minutes=5)}


def course_complaint(course: Course) -> str:
    return COMPLAINTS[course.region][course.id % len(COMPLAINTS[course.region])]
