"""Each instrument's scoring against worked examples, and what it refuses."""

from decimal import Decimal

import pytest

from tracker.scores.instruments import INSTRUMENTS, AnswersError, score


@pytest.mark.parametrize(("instrument", "answers", "expected"), [
    ("nrs", {"score": 7}, "7"),
    ("nrs", {"score": 0}, "0"),
    ("sleep", {"score": 10}, "10"),
    ("stress", {"score": 4}, "4"),
    ("mood", {"score": 6}, "6"),
    # PSFS: the mean of the activities, to one decimal (3 + 4 + 6) / 3 = 4.33...
    ("psfs", {"activities": [{"name": "Sitting at the desk", "score": 3},
                             {"name": "Lifting the child", "score": 4},
                             {"name": "Sleeping on the back", "score": 6}]}, "4.3"),
    ("psfs", {"activities": [{"name": "Running", "score": 5},
                             {"name": "Gardening", "score": 6}]}, "5.5"),
    # RMDQ: the number of statements marked yes.
    ("rmdq", {"items": [True] * 9 + [False] * 15}, "9"),
    ("rmdq", {"items": [False] * 24}, "0"),
    # ODI: 18 points over 10 sections = 18/50 = 36%; 16 points with one section left out
    # = 16/45 = 35.6%; every section at 5 = 100%.
    ("odi", {"sections": [2, 2, 1, 3, 2, 2, 1, 2, 1, 2]}, "36.0"),
    ("odi", {"sections": [2, 2, 1, 3, 2, 2, 1, 2, 1, None]}, "35.6"),
    ("odi", {"sections": [5] * 10}, "100.0"),
])
def test_worked_examples(instrument, answers, expected):
    assert score(instrument, answers) == Decimal(expected)


@pytest.mark.parametrize(("instrument", "answers", "message"), [
    ("nrs", {"score": 11}, "Choose a score from 0 to 10."),
    ("nrs", {"score": True}, "Choose a score from 0 to 10."),
    ("nrs", {"score": "7"}, "Choose a score from 0 to 10."),
    ("nrs", {}, "Choose a score from 0 to 10."),
    ("psfs", {"activities": []}, "Name at least one activity"),
    ("psfs", {"activities": [{"name": "x", "score": 1}] * 6}, "at most five activities"),
    ("psfs", {"activities": [{"name": " ", "score": 3}]}, "Each activity needs a name"),
    ("psfs", {"activities": [{"name": "Walking", "score": -1}]}, "Score each activity"),
    ("rmdq", {"items": [True] * 23}, "Mark each of the 24 statements"),
    ("rmdq", {"items": [1] * 24}, "Mark each of the 24 statements"),
    ("odi", {"sections": [1] * 9}, "Enter the ten section scores."),
    ("odi", {"sections": [6] + [1] * 9}, "Each section scores from 0 to 5."),
    ("odi", {"sections": [None, None, None] + [1] * 7}, "At most two sections"),
])
def test_incomplete_or_out_of_range_answers_are_refused(instrument, answers, message):
    with pytest.raises(AnswersError, match=message):
        score(instrument, answers)


@pytest.mark.parametrize(("baseline", "latest", "important"), [
    (7, 5, False),  # 2 points, but 28.6%: not 30%
    (7, 4, True),   # 3 points and 42.9%
    (3, 1, True),   # 2 points and 66.7%
    (10, 8, False),  # 2 points, 20%
    (10, 7, True),  # 3 points, 30% exactly
    (2, 1, False),  # 50%, but 1 point
])
def test_pain_responder_needs_two_points_and_thirty_percent(baseline, latest, important):
    assert INSTRUMENTS["nrs"].is_important_change(Decimal(baseline), Decimal(latest)) is important


@pytest.mark.parametrize(("code", "baseline", "latest", "important"), [
    ("psfs", "3.0", "5.0", True),  # higher is better: 2 points
    ("psfs", "3.0", "4.5", False),
    ("rmdq", "12", "8", True),  # 4 points, but 33%: 5 points OR 30%
    ("rmdq", "20", "16", False),  # 4 points, 20%
    ("odi", "40.0", "30.0", True),
    ("odi", "40.0", "32.0", False),
    ("stress", "8", "5", True),  # lower is better
    ("sleep", "4", "5", False),
])
def test_important_change_per_instrument(code, baseline, latest, important):
    assert INSTRUMENTS[code].is_important_change(Decimal(baseline), Decimal(latest)) is important
