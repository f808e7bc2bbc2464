"""How a course of treatment went, from its scores (DOMAIN.md section 6). Pure code: the
progress page, the JSON export and the tests all call these, so the figures agree everywhere.

Definitions:

- The **baseline** of pain is the intake's NRS (else the first score before a session); of a
  function or wellbeing instrument, its first score in the episode.
- The **latest** score is the last one taken between visits: before a session or at a
  follow-up contact. A score taken right after a session measures that session's immediate
  effect, not the course, so it is never the latest.
- **Change** is latest minus baseline; **percent change** is that over the baseline.
- A pain **responder** is at least 2 points and at least 30% below the baseline (IMMPACT
  "moderate"); **substantial** is a responder at least 50% below. Other instruments use their
  own important change (``scores.instruments``).
- **Sessions to first response**: how many sessions had been given when a score first met
  the responder threshold (a score before session 4 counts 3 sessions).
- **Immediate effect** of a session: pain before minus pain after; the course's is the mean
  over the sessions that have both.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from tracker.scores.instruments import INSTRUMENTS, Instrument

SUBSTANTIAL_PERCENT = Decimal(50)
BETWEEN_VISITS = ("intake", "before_session", "follow_up")


@dataclass(frozen=True)
class Reading:
    """One score in time, as the measures need it."""

    instrument: str
    context: str
    taken_at: datetime
    score: Decimal
    session_id: int | None = None


@dataclass
class CourseChange:
    instrument: Instrument
    baseline: Decimal | None = None
    baseline_at: datetime | None = None
    latest: Decimal | None = None
    latest_at: datetime | None = None
    readings: int = 0

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline

    @property
    def percent_change(self) -> Decimal | None:
        if self.change is None:
            return None
        return self.instrument.percent_change(self.baseline, self.latest)

    @property
    def important(self) -> bool:
        """The instrument's important change is reached (for pain: a responder)."""
        return self.change is not None and self.instrument.is_important_change(
            self.baseline, self.latest)

    @property
    def substantial(self) -> bool:
        """A pain responder at least 50% below the baseline."""
        return (self.important and self.instrument.code == "nrs"
                and -self.percent_change >= SUBSTANTIAL_PERCENT)


@dataclass
class CourseSummary:
    """The outcome of one episode of care."""

    pain: CourseChange
    others: dict[str, CourseChange] = field(default_factory=dict)  # instrument -> change
    sessions: int = 0
    sessions_to_first_response: int | None = None
    mean_immediate_effect: Decimal | None = None

    def as_json(self) -> dict:
        """The export's ``outcomes`` object."""
        pain = self.pain
        return {
            "baseline_nrs": _number(pain.baseline),
            "latest_nrs": _number(pain.latest),
            "change": _number(pain.change),
            "percent_change": _number(pain.percent_change),
            "responder": pain.important,
            "substantial": pain.substantial,
            "sessions": self.sessions,
            "sessions_to_first_response": self.sessions_to_first_response,
            "mean_immediate_effect": _number(self.mean_immediate_effect),
            "function": {
                code: {"baseline": _number(c.baseline), "latest": _number(c.latest),
                       "change": _number(c.change), "important_change": c.important}
                for code, c in self.others.items()
            },
        }


def course_change(instrument: str, readings: list[Reading]) -> CourseChange:
    """Baseline and latest of one instrument over an episode (readings in any order)."""
    spec = INSTRUMENTS[instrument]
    own = sorted((r for r in readings if r.instrument == instrument and
                  r.context in BETWEEN_VISITS), key=_when)
    result = CourseChange(spec, readings=len(own))
    if not own:
        return result
    baseline = next((r for r in own if r.context == "intake"), own[0])
    result.baseline, result.baseline_at = baseline.score, baseline.taken_at
    later = [r for r in own if r is not baseline and _when(r) >= _when(baseline)]
    if later:
        result.latest, result.latest_at = later[-1].score, later[-1].taken_at
    return result


def course_summary(readings: list[Reading], session_starts: list[datetime]) -> CourseSummary:
    """Everything the progress page says about an episode. ``session_starts`` are the start
    times of the episode's sessions (to count the sessions given before each score)."""
    pain = course_change("nrs", readings)
    others = {code: course_change(code, readings)
              for code in sorted({r.instrument for r in readings} - {"nrs"},
                                 key=list(INSTRUMENTS).index)}
    return CourseSummary(
        pain=pain,
        others=others,
        sessions=len(session_starts),
        sessions_to_first_response=_sessions_to_first_response(pain, readings, session_starts),
        mean_immediate_effect=mean_immediate_effect(readings),
    )


def mean_immediate_effect(readings: list[Reading]) -> Decimal | None:
    """Mean of pain before minus pain after, over the sessions that have both."""
    before = {r.session_id: r.score for r in readings
              if r.instrument == "nrs" and r.context == "before_session"}
    after = {r.session_id: r.score for r in readings
             if r.instrument == "nrs" and r.context == "after_session"}
    effects = [before[s] - after[s] for s in before.keys() & after.keys()]
    if not effects:
        return None
    return (sum(effects) / len(effects)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _sessions_to_first_response(pain: CourseChange, readings, session_starts) -> int | None:
    if pain.baseline is None:
        return None
    nrs = INSTRUMENTS["nrs"]
    for reading in sorted(readings, key=_when):
        if (reading.instrument != "nrs" or reading.context not in ("before_session", "follow_up")
                or reading.taken_at < pain.baseline_at):
            continue
        if nrs.is_important_change(pain.baseline, reading.score):
            return sum(1 for start in session_starts if start < reading.taken_at)
    return None


def _when(reading: Reading) -> tuple:
    # Before a session comes before after it, at the same moment.
    return reading.taken_at, reading.context == "after_session"


def _number(value: Decimal | None):
    """A score for JSON: an integer when whole, else a float to one decimal."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
