"""The course measures on hand-made series, at the boundaries a clinician would check."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tracker.outcomes.measures import Reading, course_change, course_summary

START = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)


def week(n: int) -> datetime:
    return START + timedelta(weeks=n)


def course(baseline: int, befores: list[int], afters: list[int] | None = None,
           follow_ups: list[tuple[int, int]] = ()) -> tuple[list[Reading], list[datetime]]:
    """Intake at week 0, session k (1-based) at week k; follow_ups as (week, score)."""
    readings = [Reading("nrs", "intake", START - timedelta(days=1), Decimal(baseline))]
    starts = []
    for k, before in enumerate(befores, start=1):
        starts.append(week(k))
        readings.append(Reading("nrs", "before_session", week(k), Decimal(before), k))
        if afters:
            readings.append(Reading("nrs", "after_session", week(k), Decimal(afters[k - 1]), k))
    readings += [Reading("nrs", "follow_up", week(w) + timedelta(days=2), Decimal(s))
                 for w, s in follow_ups]
    return readings, starts


@pytest.mark.parametrize(("baseline", "latest", "responder", "substantial"), [
    (7, 5, False, False),  # 2 points, 28.6%: not 30%
    (7, 4, True, False),   # 3 points, 42.9%
    (7, 3, True, True),    # 57.1%
    (6, 3, True, True),    # 50% exactly
    (3, 1, True, True),
    (2, 1, False, False),  # 50%, but 1 point
    (0, 0, False, False),
])
def test_responder_and_substantial_at_the_boundaries(baseline, latest, responder, substantial):
    readings, starts = course(baseline, [baseline, latest])
    summary = course_summary(readings, starts)
    assert summary.pain.important is responder
    assert summary.pain.substantial is substantial


def test_the_demo_course_seven_to_three():
    readings, starts = course(7, [7, 6, 6, 5, 4, 4, 3, 3], afters=[5, 4, 5, 3, 3, 2, 2, 2])
    summary = course_summary(readings, starts)
    assert (summary.pain.baseline, summary.pain.latest) == (7, 3)
    assert summary.pain.change == -4 and summary.pain.percent_change == Decimal("-57.1")
    assert summary.pain.important and summary.pain.substantial
    assert summary.sessions == 8
    # Pain 4 before session 5 is the first at least 2 points and 30% down: 4 sessions given.
    assert summary.sessions_to_first_response == 4
    # (2 + 2 + 1 + 2 + 1 + 2 + 1 + 1) / 8 = 1.5
    assert summary.mean_immediate_effect == Decimal("1.5")
    assert summary.as_json() == {
        "baseline_nrs": 7, "latest_nrs": 3, "change": -4, "percent_change": -57.1,
        "responder": True, "substantial": True, "sessions": 8,
        "sessions_to_first_response": 4, "mean_immediate_effect": 1.5, "function": {},
    }


def test_the_score_after_a_session_is_never_the_latest():
    # Pain 2 right after the last session is its immediate effect, not the course's result.
    readings, starts = course(7, [7, 6], afters=[5, 2])
    summary = course_summary(readings, starts)
    assert summary.pain.latest == 6 and not summary.pain.important


def test_a_follow_up_score_counts_the_sessions_given_before_it():
    readings, starts = course(8, [8, 7], follow_ups=[(2, 5)])
    summary = course_summary(readings, starts)
    assert summary.pain.latest == 5 and summary.sessions_to_first_response == 2


def test_without_sessions_there_is_a_baseline_and_no_change():
    readings, starts = course(6, [])
    summary = course_summary(readings, starts)
    assert summary.pain.baseline == 6 and summary.pain.latest is None
    assert summary.pain.change is None and not summary.pain.important
    assert summary.mean_immediate_effect is None and summary.sessions_to_first_response is None


def test_function_scores_use_their_own_important_change():
    readings = [
        Reading("psfs", "intake", week(0), Decimal("3.3")),
        Reading("psfs", "follow_up", week(4), Decimal("5.7")),
        Reading("rmdq", "follow_up", week(0), Decimal(14)),
        Reading("rmdq", "follow_up", week(4), Decimal(11)),  # 3 points, 21%: not important
    ]
    summary = course_summary(readings, [])
    psfs, rmdq = summary.others["psfs"], summary.others["rmdq"]
    assert (psfs.change, psfs.important) == (Decimal("2.4"), True)
    assert (rmdq.change, rmdq.important) == (Decimal(-3), False)
    assert list(summary.others) == ["psfs", "rmdq"]


def test_course_change_ignores_other_instruments():
    readings, _ = course(7, [4])
    assert course_change("psfs", readings).baseline is None
