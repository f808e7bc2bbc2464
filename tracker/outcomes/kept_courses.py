"""An episode's course as the progress page shows it (its figures, its visits' lines and its
chart), kept by each server process with the records it was drawn from.

The page reads the episode's sessions and scores on every view (a select each; the signed
sessions' point rows come from ``sessions.queries.children_of``). Working out the figures,
the lines of 300 visits and the 600 markers of the chart from them was two fifths of a long
course's page. Drawn from equal records, the course is the same: a view whose records equal
the kept ones, compared value by value (never by a version number or a time), reuses them.
A draft saved, a note signed or amended, a score recorded or voided changes the records, and
the course is drawn again: nothing is ever shown that the records do not say now.

Kept on the app (``app.extensions``), so each app, each test's included, starts empty.
"""

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from flask import current_app, request

from tracker.i18n import get_locale
from tracker.outcomes.chart import Chart
from tracker.outcomes.progress import Visit, chart_of, visits_of
from tracker.outcomes.queries import Progress, ScoreRecord, VisitRecord, progress_of

# Visits kept, in all, the least recently shown course dropped first: about 4 KB a visit with
# its scores, its line and its markers (a 300-visit course is 1.3 MB), so some 40 MB a process
# at most; most courses are a dozen visits long.
MAX_VISITS = 10_000
_KEY = "tracker.kept_courses"
_lock = Lock()  # a threaded server's requests share the app


@dataclass(frozen=True)
class Course:
    progress: Progress
    visits: list[Visit]  # oldest first
    chart: Chart | None


def course_of(episode_id: int, patient_id: int, zone: str, visit_records: list[VisitRecord],
              score_records: list[ScoreRecord]) -> Course:
    """The course drawn from these records (``outcomes.queries``): this process's copy when
    it was drawn from equal records, in the same language, zone and address. Shared with
    later views: read it, never change it."""
    store: _Store = current_app.extensions.setdefault(_KEY, _Store())
    # The visits' links are written with the address the app is served under.
    key = (episode_id, patient_id, zone, str(get_locale()), request.script_root)
    with _lock:
        kept = store.courses.get(key)
        if kept is not None:
            store.courses.move_to_end(key)
    if kept is not None and kept[0] == visit_records and kept[1] == score_records:
        return kept[2]
    progress = progress_of(visit_records, score_records)
    visits = visits_of(progress, patient_id, zone)
    course = Course(progress, visits, chart_of(progress, visits))
    with _lock:
        store.keep(key, (visit_records, score_records, course), len(visits))
    return course


class _Store:
    """The kept courses, least recently shown first, and how many visits they hold."""

    def __init__(self):
        self.courses: OrderedDict = OrderedDict()
        self.visits = 0

    def keep(self, key: tuple, kept: tuple, visits: int) -> None:
        replaced = self.courses.pop(key, None)
        if replaced is not None:
            self.visits -= len(replaced[2].visits)
        self.courses[key], self.visits = kept, self.visits + visits
        while self.visits > MAX_VISITS and len(self.courses) > 1:
            _, dropped = self.courses.popitem(last=False)
            self.visits -= len(dropped[2].visits)
