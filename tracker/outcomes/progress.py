"""What the progress page shows of an episode, in words: each visit (what was done, pain before
and after), the chart's points with what each says, and the scores list."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from flask import url_for

from tracker.dates import clinic_date
from tracker.i18n import _
from tracker.outcomes.chart import Chart, Point, build_chart
from tracker.outcomes.queries import Progress
from tracker.scores.instruments import FUNCTION_INSTRUMENTS, INSTRUMENTS
from tracker.sessions.adjuncts import describe
from tracker.sessions.queries import sided_codes


class VisitWords:
    """The words of a visit's line, translated once for a page of hundreds of visits (each
    line used to look up five in the catalog)."""

    def __init__(self):
        self.session = _("Session %(number)s, %(day)s")
        self.draft = _("draft, not counted until signed")
        self.pain = _("pain %(before)s before, %(after)s after")
        self.points = _("points: %(points)s")
        self.retention = _("retention %(minutes)s min")


@dataclass
class Visit:
    number: int
    session_id: int
    day: object
    is_signed: bool
    points: list[str]
    adjuncts: list[str]
    retention_minutes: int | None
    pain_before: Decimal | None
    pain_after: Decimal | None
    href: str
    words: VisitWords

    @cached_property
    def details(self) -> str:
        """One line of what was done, for the chart's tooltip and the details panel."""
        words = self.words
        parts = [words.session % {"number": self.number, "day": self.day.isoformat()}]
        if not self.is_signed:
            parts.append(words.draft)
        if self.pain_before is not None or self.pain_after is not None:
            parts.append(words.pain % {"before": _dash(self.pain_before),
                                       "after": _dash(self.pain_after)})
        if self.points:
            parts.append(words.points % {"points": ", ".join(self.points)})
        parts.extend(self.adjuncts)
        if self.retention_minutes is not None:
            parts.append(words.retention % {"minutes": self.retention_minutes})
        return "; ".join(parts)


def visits_of(progress: Progress, patient_id: int, zone: str) -> list[Visit]:
    pain = {(a.session_id, a.context): a.score for a in progress.assessments
            if a.instrument == "nrs" and a.session_id is not None}
    words, described = VisitWords(), {}
    zone = ZoneInfo(zone)  # looked up once, not once a visit

    def techniques(visit) -> list[str]:
        # A course repeats the same few techniques: each worded once a page.
        texts = []
        for adjunct in visit.adjuncts:
            key = (adjunct.kind, adjunct.minutes, adjunct.sites,
                   str(adjunct.params))  # equal texts, equal techniques
            if key not in described:
                described[key] = describe(adjunct)
            texts.append(described[key])
        return texts

    # Every visit's link differs only in its id: the rule is built once, not 300 times.
    href = url_for("sessions.detail", patient_id=patient_id, session_id=0).rsplit("/", 1)[0]
    return [
        Visit(number=number, session_id=visit.id, day=clinic_date(visit.started_at, zone),
              is_signed=visit.is_signed, points=_point_names(visit.points),
              adjuncts=techniques(visit) if visit.adjuncts else [],
              retention_minutes=visit.retention_minutes,
              pain_before=pain.get((visit.id, "before_session")),
              pain_after=pain.get((visit.id, "after_session")),
              href=f"{href}/{visit.id}", words=words)
        for number, visit in enumerate(progress.sessions, start=1)
    ]


def _point_names(points) -> list[str]:
    """A visit's points as "BL23 (B)": already so from ``episode_visit_records``; point rows
    (``.code``, ``.laterality``) from a document's sessions."""
    return points if not points or isinstance(points[0], str) else sided_codes(points)


def chart_of(progress: Progress, visits: list[Visit]) -> Chart | None:
    """The chart of pain (intake, before and after each session, follow-ups) and of each
    function instrument."""
    by_session = {visit.session_id: visit for visit in visits}
    pain, functions = [], {code: [] for code in FUNCTION_INSTRUMENTS}
    scored = _("%(instrument)s %(score)s on %(day)s")  # translated once, not once a score
    for a in progress.assessments:
        if a.is_voided:
            continue
        if a.instrument in functions:
            functions[a.instrument].append(Point(
                a.taken_on, a.score, "score",
                scored % {"instrument": INSTRUMENTS[a.instrument].short,
                          "score": _number(a.score), "day": a.taken_on.isoformat()}))
        elif a.instrument == "nrs":
            pain.append(_pain_point(a, by_session.get(a.session_id)))
    return build_chart(pain, functions, baseline=progress.summary.pain.baseline, labels={
        "nrs": _("Pain (NRS 0-10, lower is better)"),
        "baseline": _("Baseline %(score)s", score=_number(progress.summary.pain.baseline)),
        "band": _("Important improvement: at least 2 points and 30% below baseline"),
        "psfs": _("PSFS (0-10, higher is better)"),
        "rmdq": _("RMDQ (0-24, lower is better)"),
        "odi": _("ODI (%, lower is better)"),
    })


def _pain_point(assessment, visit: Visit | None) -> Point:
    score, day = _number(assessment.score), assessment.taken_on.isoformat()
    if assessment.context == "intake":
        return Point(assessment.taken_on, assessment.score, "intake",
                     _("Pain %(score)s at intake, %(day)s", score=score, day=day))
    if assessment.context == "follow_up":
        return Point(assessment.taken_on, assessment.score, "follow_up",
                     _("Pain %(score)s at a follow-up contact, %(day)s", score=score, day=day))
    kind = "before" if assessment.context == "before_session" else "after"
    if visit is not None and not visit.is_signed:
        kind = f"draft_{kind}"
    return Point(assessment.taken_on, assessment.score, kind,
                 visit.details if visit else score, visit.href if visit else None,
                 visit.session_id if visit else None)


def _dash(value) -> str:
    return "—" if value is None else _number(value)


def _number(value) -> str:
    if value is None:
        return "—"
    text = _NUMBERS.get(value)
    if text is None:
        text = str(int(value)) if value == value.to_integral_value() else str(value)
        if len(_NUMBERS) < 1000:  # scores take few values: 0-10, 0-24, 0-100 and halves
            _NUMBERS[value] = text
    return text


_NUMBERS: dict[Decimal, str] = {}  # "6" for Decimal("6.0"), "6.5" for 6.5: at most a thousand
