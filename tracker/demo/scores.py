"""Demo follow-up scores: the article patient's function over the course (PSFS with the
activities she named, RMDQ at the start and the end, sleep) and a phone call after the last
session."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.scores.services import record_score

ACTIVITIES = ("Sitting at the desk for an hour", "Turning to reverse the car",
              "Sleeping through the night")
# day offset from the intake, instrument, answers
ARTICLE_SCORES = (
    (0, "psfs", (3, 4, 5)),
    (0, "rmdq", 9),
    (16, "psfs", (5, 5, 6)),
    (16, "sleep", 6),
    (41, "psfs", (7, 7, 8)),
    (41, "rmdq", 4),
    (41, "sleep", 8),
    (44, "nrs", 3),
)


def seed_article_scores(patient, episode, practitioner, zone: ZoneInfo) -> None:
    for offset, instrument, value in ARTICLE_SCORES:
        if instrument == "psfs":
            answers = {"activities": [{"name": name, "score": score}
                                      for name, score in zip(ACTIVITIES, value, strict=True)]}
        elif instrument == "rmdq":
            answers = {"items": [n < value for n in range(24)]}
        else:
            answers = {"score": value}
        taken = datetime.combine(episode.opened_on + timedelta(days=offset), time(9, 30), zone)
        record_score(patient, episode, instrument=instrument, answers=answers,
                     taken_at=taken, zone=str(zone), actor=practitioner,
                     context="intake" if offset == 0 else "follow_up")
