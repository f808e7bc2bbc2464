"""The outcome instruments (DOMAIN.md section 6): what each one's raw answers are, how they are
checked, and how the score is computed from them. Pure code, no database: the stored score is
always recomputed from the stored answers by these functions.

Raw answers, as stored in ``outcome_assessments.answers``:

- ``nrs``, ``sleep``, ``stress``, ``mood``: ``{"score": 0..10}``
- ``psfs``: ``{"activities": [{"name": "Sitting at the desk", "score": 0..10}, ...]}``, one to
  five activities the patient named; the score is their mean.
- ``rmdq``: ``{"items": [true|false] * 24}``, the statements the patient marked; the score is
  how many (0-24).
- ``odi``: ``{"sections": [0..5 | null] * 10}``, the section scores from the clinic's own
  licensed form (no question text is shipped); the score is the percentage of the maximum
  over the sections answered. At most two sections may be left out.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tracker.i18n import _, _l

RMDQ_ITEMS = 24
ODI_SECTIONS = 10
ODI_MAX_MISSING = 2
PSFS_MAX_ACTIVITIES = 5
PSFS_NAME_LENGTH = 100


class AnswersError(ValueError):
    """Answers that do not make a score, with what is wrong in words for the form."""


@dataclass(frozen=True)
class Instrument:
    code: str
    label: object  # a lazy string: the current locale's name
    short: object
    low: int
    high: int
    lower_is_better: bool
    # The important change in points (and, where it has one, in percent of the baseline).
    important_points: Decimal
    important_percent: Decimal | None = None
    # Whether the change must reach both the points and the percent (pain: IMMPACT's
    # "moderate" is at least 2 points and 30%) or either (RMDQ: 5 points or 30%).
    needs_both: bool = False
    unit: str = ""

    def improvement(self, baseline: Decimal, latest: Decimal) -> Decimal:
        """How far ``latest`` is better than ``baseline``, in points (negative: worse)."""
        return baseline - latest if self.lower_is_better else latest - baseline

    def is_important_change(self, baseline: Decimal, latest: Decimal) -> bool:
        """Whether the improvement reaches the instrument's important change."""
        gain = self.improvement(baseline, latest)
        enough_points = gain >= self.important_points
        if self.important_percent is None:
            return enough_points
        enough_percent = gain > 0 and gain * 100 >= self.important_percent * baseline
        if self.needs_both:
            return enough_points and enough_percent
        return enough_points or enough_percent

    def percent_change(self, baseline: Decimal, latest: Decimal) -> Decimal | None:
        """Latest minus baseline, as a percentage of the baseline (None from a zero)."""
        if not baseline:
            return None
        return ((latest - baseline) * 100 / baseline).quantize(Decimal("0.1"),
                                                               rounding=ROUND_HALF_UP)


INSTRUMENTS = {instrument.code: instrument for instrument in (
    Instrument("nrs", _l("Pain (NRS 0-10)"), _l("Pain"), 0, 10, True, Decimal(2), Decimal(30),
               needs_both=True),
    Instrument("psfs", _l("Patient-Specific Functional Scale (PSFS 0-10)"), _l("PSFS"), 0, 10,
               False, Decimal(2)),
    Instrument("rmdq", _l("Roland-Morris Disability Questionnaire (RMDQ 0-24)"), _l("RMDQ"),
               0, 24, True, Decimal(5), Decimal(30)),
    Instrument("odi", _l("Oswestry Disability Index (ODI %)"), _l("ODI"), 0, 100, True,
               Decimal(10), unit="%"),
    Instrument("sleep", _l("Sleep quality (0-10, 10 best)"), _l("Sleep"), 0, 10, False,
               Decimal(2)),
    Instrument("stress", _l("Stress (0-10, 10 worst)"), _l("Stress"), 0, 10, True, Decimal(2)),
    Instrument("mood", _l("Mood (0-10, 10 best)"), _l("Mood"), 0, 10, False, Decimal(2)),
)}
FUNCTION_INSTRUMENTS = ("psfs", "rmdq", "odi")
WELLBEING_INSTRUMENTS = ("sleep", "stress", "mood")
SINGLE_SCORE_INSTRUMENTS = ("nrs", *WELLBEING_INSTRUMENTS)


def score(instrument: str, answers: dict) -> Decimal:
    """The score of ``answers`` on ``instrument``, to one decimal.

    :raises AnswersError: the answers are incomplete or out of range.
    """
    if instrument in SINGLE_SCORE_INSTRUMENTS:
        return Decimal(_zero_to_ten(answers.get("score"), _("Choose a score from 0 to 10.")))
    if instrument == "psfs":
        return psfs_score(answers.get("activities"))
    if instrument == "rmdq":
        return Decimal(rmdq_score(answers.get("items")))
    if instrument == "odi":
        return odi_score(answers.get("sections"))
    raise AnswersError(_("Unknown instrument."))


def psfs_score(activities) -> Decimal:
    """The mean of one to five activities, each 0-10 (higher is better)."""
    if not isinstance(activities, list) or not activities:
        raise AnswersError(_("Name at least one activity the patient finds hard, and score it."))
    if len(activities) > PSFS_MAX_ACTIVITIES:
        raise AnswersError(_("The PSFS takes at most five activities."))
    scores = []
    for activity in activities:
        name = activity.get("name") if isinstance(activity, dict) else None
        if not isinstance(name, str) or not name.strip() or len(name) > PSFS_NAME_LENGTH:
            raise AnswersError(_("Each activity needs a name of at most 100 characters."))
        scores.append(_zero_to_ten(activity.get("score"),
                                   _("Score each activity from 0 to 10.")))
    return _one_decimal(Decimal(sum(scores)) / len(scores))


def rmdq_score(items) -> int:
    """How many of the 24 statements the patient marked (0-24, higher is worse)."""
    if (not isinstance(items, list) or len(items) != RMDQ_ITEMS
            or not all(isinstance(item, bool) for item in items)):
        raise AnswersError(_("Mark each of the 24 statements yes or no."))
    return sum(items)


def odi_score(sections) -> Decimal:
    """Total of the sections answered over five times their number, as a percentage."""
    if not isinstance(sections, list) or len(sections) != ODI_SECTIONS:
        raise AnswersError(_("Enter the ten section scores."))
    answered = [value for value in sections if value is not None]
    if any(isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5
           for value in answered):
        raise AnswersError(_("Each section scores from 0 to 5."))
    if len(sections) - len(answered) > ODI_MAX_MISSING:
        raise AnswersError(_("At most two sections may be left out."))
    return _one_decimal(Decimal(sum(answered)) * 100 / (5 * len(answered)))


def _zero_to_ten(value, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise AnswersError(message)
    return value


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
