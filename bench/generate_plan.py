"""The shape of a generated clinic group, decided before anything is written (bench/generate.py):
who the practitioners and patients are, how many sessions each patient has, their episodes
of care and the day, hour, pain and status of every session. Pure Python and deterministic
for a seed and a "today"; bench/generate_rows.py turns this plan into table rows.

The distributions, and why:

- sessions per patient: one patient has exactly ``BUSIEST`` (300, the busiest chart a page
  must stay fast for); the rest follow a log-normal (median 8 at quick and full scale, a
  long tail to 299), adjusted one session at a time until the total is exactly the scale's;
- one to three episodes of care a patient (more with more sessions), each a course of
  sessions about a week apart (3 to 16 days), months between courses, the whole history
  inside the last eight years and ending by yesterday (never a session in the future);
- the last episode stays open when its last visit was in the last 60 days (a clinic that
  reviews its open episodes every two months), and for a few forgotten ones (1%): those are
  what the follow-up list and the benchmark's saves into open episodes use; every other
  episode is closed with a reason that fits its outcome;
- pain before treatment falls over an episode towards ``baseline x (1 - response)`` (most of
  the way by the sixth session), with a real response drawn for 60% of courses; short
  courses end before it shows, so about a third of the closed ones end as responders ("improved"
  or "resolved") and the clinic review has both kinds; pain after is 0-3 points below
  pain before;
- the newest session of a patient seen in the last 30 days is sometimes still a draft (40%),
  as the dashboard's list of unsigned notes shows on any day; every other session is signed.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Tokyo")
BUSIEST = 300
HISTORY_DAYS = 8 * 365
OPEN_IF_SEEN_WITHIN_DAYS = 60
FORGOTTEN_OPEN_SHARE = 0.01
DRAFT_WITHIN_DAYS = 30
REGIONS = ("lumbar", "lumbar", "lumbar", "thoracic", "thoracic", "cervical", "shoulder")
# Clinic hours in Tokyo: half-hour appointments from 9:00 to 19:00, Monday to Saturday.
SLOTS = tuple(time(hour, minute) for hour in range(9, 19) for minute in (0, 30)) + (time(19),)


@dataclass(eq=False, slots=True)
class Visit:
    """One planned session: ``number`` counts from 1 within its episode."""

    episode: "Course"
    number: int
    started_at: datetime  # aware, Tokyo time
    pain_before: int
    pain_after: int
    practitioner: int  # index into the practitioners
    signed: bool = True
    next_visit_on: date | None = None
    id: int = 0


@dataclass(eq=False, slots=True)
class Course:
    """One episode of care and its sessions."""

    patient: "Person"
    practitioner: int
    region: str
    baseline: int
    response: float  # the share of the baseline the course takes away, in the end
    function_every: int  # a function score every n-th session
    visits: list[Visit] = field(default_factory=list)
    open: bool = False
    closed_on: date | None = None
    close_reason: str | None = None
    follow_up_call: date | None = None  # an NRS by phone after the course, if any
    id: int = 0

    @property
    def opened_on(self) -> date:
        return self.visits[0].started_at.date()

    @property
    def responder(self) -> bool:
        last = self.visits[-1].pain_before
        return self.baseline - last >= 2 and (self.baseline - last) * 10 >= 3 * self.baseline


@dataclass(eq=False, slots=True)
class Person:
    """One patient: the identity is drawn in generate_rows; here the history."""

    practitioner: int
    courses: list[Course] = field(default_factory=list)
    id: int = 0

    @property
    def first_visit(self) -> datetime:
        return self.courses[0].visits[0].started_at


def session_counts(rng: random.Random, patients: int, sessions: int) -> list[int]:
    """Sessions per patient, the first exactly ``BUSIEST``, summing to ``sessions``."""
    others = patients - 1
    if not others or sessions - BUSIEST < others:
        raise ValueError(f"{sessions} sessions cannot give {patients} patients one each "
                         f"and one patient {BUSIEST}")
    sigma = 1.0
    mu = math.log((sessions - BUSIEST) / others) - sigma * sigma / 2  # the mean comes out right
    counts = [BUSIEST] + [min(BUSIEST - 1, max(1, round(rng.lognormvariate(mu, sigma))))
                          for _ in range(others)]
    missing = sessions - sum(counts)
    while missing:  # nudge random patients (never the busiest) until the total is exact
        index, step = rng.randrange(1, patients), 1 if missing > 0 else -1
        if 1 <= counts[index] + step < BUSIEST:
            counts[index] += step
            missing -= step
    return counts


def plan_clinic(rng: random.Random, *, practitioners: int, patients: int, sessions: int,
                today: date) -> list[Person]:
    """Every patient's history, patients in the order they first came (the busiest among
    them wherever its first visit falls)."""
    last_day = today - timedelta(days=1)
    # Some practitioners see more patients than others, as in any clinic.
    weights = [1 + (n * 7919 % 5) / 2 for n in range(practitioners)]
    people = []
    for number, count in enumerate(session_counts(rng, patients, sessions)):
        busiest = number == 0
        person = Person(practitioner=0 if busiest else
                        rng.choices(range(practitioners), weights)[0])
        _plan_courses(rng, person, count, last_day, practitioners, busiest)
        people.append(person)
    people.sort(key=lambda p: p.first_visit)
    return people


def _plan_courses(rng, person: Person, count: int, last_day: date, practitioners: int,
                  busiest: bool) -> None:
    sizes = _course_sizes(rng, count, busiest)
    days = _visit_days(rng, sizes, last_day, busiest)
    start = 0
    for size in sizes:
        practitioner = person.practitioner if rng.random() < 0.9 else rng.randrange(practitioners)
        course = Course(patient=person, practitioner=practitioner,
                        region="lumbar" if busiest else rng.choice(REGIONS),
                        baseline=rng.choice((3, 4, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 9)),
                        response=rng.uniform(0.3, 0.8) if rng.random() < 0.6
                        else rng.uniform(-0.1, 0.25),
                        function_every=rng.choice((4, 5, 6)))
        for number, day in enumerate(days[start:start + size], start=1):
            course.visits.append(_visit(rng, course, number, day, practitioners))
        person.courses.append(course)
        start += size
    _close_courses(rng, person, last_day, busiest)


def _course_sizes(rng, count: int, busiest: bool) -> list[int]:
    if busiest:
        return [count // 3, count // 3, count - 2 * (count // 3)]
    if count == 1:
        courses = 1
    elif count < 6:
        courses = rng.choices((1, 2), (9, 1))[0]
    else:
        courses = rng.choices((1, 2, 3), (55, 33, 12))[0]
    cuts = sorted(rng.sample(range(1, count), courses - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, count], strict=True)]


def _visit_days(rng, sizes: list[int], last_day: date, busiest: bool) -> list[date]:
    """The day of every visit, courses one after another, inside the history window."""
    steps = []  # days from the previous visit
    for number, size in enumerate(sizes):
        every = 7 if busiest else rng.choice((5, 7, 7, 7, 10, 14))
        if number:  # months between two courses
            steps.append(rng.randint(45, 540))
        steps.extend(max(3, every + rng.randint(-2, 2)) for _ in range(size - 1))
    span = sum(steps)
    if span > HISTORY_DAYS - 30:  # a very long history: visits closer together to fit
        factor = (HISTORY_DAYS - 30) / span
        steps = [max(1, int(step * factor)) for step in steps]
        span = sum(steps)
    if busiest:  # seen this week: the open episode is live
        last = last_day - timedelta(days=rng.randint(0, 5))
    else:
        last = last_day - timedelta(days=rng.randint(0, HISTORY_DAYS - span))
    days, day = [], last
    for step in [*reversed(steps), 0]:  # from the last visit back: it stays where it was put
        if day.weekday() == 6:  # closed on Sundays
            day -= timedelta(days=1)
        days.append(day)
        day -= timedelta(days=step)
    days.reverse()
    return days


def _visit(rng, course: Course, number: int, day: date, practitioners: int) -> Visit:
    eased = 1 - course.response * (1 - math.exp(-(number - 1) / 3))
    before = _pain(course.baseline * eased + rng.choice((-1, 0, 0, 0, 1)))
    after = _pain(before - rng.choice((0, 1, 1, 1, 2, 2, 3)))
    practitioner = (course.practitioner if rng.random() < 0.85
                    else rng.randrange(practitioners))
    return Visit(episode=course, number=number, practitioner=practitioner,
                 started_at=datetime.combine(day, rng.choice(SLOTS), ZONE),
                 pain_before=before, pain_after=after)


def _pain(value: float) -> int:
    return min(10, max(0, round(value)))


def _close_courses(rng, person: Person, last_day: date, busiest: bool) -> None:
    """Every course but the last is closed; the last stays open when recent (or forgotten).
    Next-visit dates link each visit to the next of its course."""
    for course, following in zip(person.courses, [*person.courses[1:], None], strict=True):
        visits = course.visits
        for visit, after in zip(visits, visits[1:], strict=False):
            visit.next_visit_on = after.started_at.date()
        last_on = visits[-1].started_at.date()
        recent = (last_day - last_on).days <= OPEN_IF_SEEN_WITHIN_DAYS
        course.open = following is None and (busiest or recent
                                               or rng.random() < FORGOTTEN_OPEN_SHARE)
        if course.open:
            visits[-1].next_visit_on = last_on + timedelta(days=rng.choice((7, 7, 14)))
            # The newest note of a patient seen lately is sometimes not signed yet.
            visits[-1].signed = busiest or not ((last_day - last_on).days <= DRAFT_WITHIN_DAYS
                                                and rng.random() < 0.4)
            continue
        latest_close = (following.opened_on - timedelta(days=1) if following else last_day)
        course.closed_on = min(latest_close, last_on + timedelta(days=rng.randint(0, 21)))
        course.close_reason = (rng.choice(("improved", "improved", "resolved"))
                               if course.responder else
                               rng.choice(("patient_withdrew", "lost_to_follow_up",
                                           "referred", "other")))
        call = last_on + timedelta(days=rng.randint(14, 28))
        if rng.random() < 0.4 and call <= latest_close:
            course.follow_up_call = call
