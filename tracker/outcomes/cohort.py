"""Each episode's pain outcome as one SQL query (a selectable the clinic review, the follow-up
list and the dashboard build on), with the same definitions as ``outcomes.measures``:

- baseline: the intake's NRS;
- latest: the last NRS taken between visits (before a signed session, or at a follow-up
  contact), not before the baseline; drafts do not count until they are signed;
- change = latest - baseline; responder: at least 2 points and 30% below the baseline;
  substantial: a responder at least 50% below.

``tests/outcomes/test_cohort.py`` checks that this query and ``measures.course_summary`` agree.
"""

from datetime import date

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from tracker.intake.models import Episode
from tracker.scores.models import Assessment
from tracker.sessions.models import TreatmentSession

RESPONDER_POINTS = 2
RESPONDER_PERCENT = 30
SUBSTANTIAL_PERCENT = 50


def counted_nrs():
    """NRS rows that count for outcomes: not voided, and from a signed session if any."""
    return (
        select(Assessment)
        .outerjoin(TreatmentSession, TreatmentSession.id == Assessment.session_id)
        .where(Assessment.instrument == "nrs", Assessment.voided_at.is_(None),
               or_(Assessment.session_id.is_(None), TreatmentSession.status == "signed"))
    )


def episode_outcomes(clinic_id: int, *, opened_from: date | None = None,
                     opened_to: date | None = None, status: str | None = None,
                     scored_since: date | None = None,
                     episode_ids: list[int] | None = None) -> Select:
    """One row per episode of the clinic (filtered by intake date and status): ``episode_id,
    patient_id, practitioner_id, body_region, causes, opened_on, status, baseline,
    baseline_at, latest, latest_at, latest_on (the clinic's date of the latest score), change,
    responder, substantial`` (responder and substantial: 1 or 0). ``latest`` and what
    follows it are NULL for an episode with no score since its intake (not yet evaluable).
    ``scored_since`` keeps only episodes with a pain score on or after that clinic date
    (through the (clinic, instrument, date) index): a quarter's latest scores are among
    them, and a clinic's ten years of other episodes are never ranked. ``episode_ids`` keeps
    only those episodes (the follow-up list's rows on show)."""
    chosen = [Episode.clinic_id == clinic_id]
    if opened_from is not None:
        chosen.append(Episode.opened_on >= opened_from)
    if opened_to is not None:
        chosen.append(Episode.opened_on <= opened_to)
    if status in ("open", "closed"):
        chosen.append(Episode.status == status)
    if episode_ids is not None:
        chosen.append(Episode.id.in_(episode_ids))
    if scored_since is not None:
        chosen.append(Episode.id.in_(
            select(Assessment.episode_id).where(Assessment.clinic_id == clinic_id,
                                                Assessment.instrument == "nrs",
                                                Assessment.taken_on >= scored_since)))
    counted = counted_nrs().subquery()
    # Only the chosen episodes' scores are ranked (a year of a large clinic, not all of it).
    # Episodes named by id (a page of the follow-up list) are found by their ids: through
    # the chosen-episodes subquery, PostgreSQL expected one episode and read the page's 50
    # again for each (2,500 lookups, 8 ms); the outer query still applies every condition.
    among = (counted.c.episode_id.in_(episode_ids) if episode_ids is not None
             else counted.c.episode_id.in_(select(Episode.id).where(*chosen)))
    baseline = (
        select(counted.c.episode_id, counted.c.score.label("baseline"),
               counted.c.taken_at.label("baseline_at"))
        .where(counted.c.context == "intake", counted.c.clinic_id == clinic_id, among)
        .subquery("baseline")
    )
    # Each episode's latest counted score, found through the (episode, instrument, taken_at)
    # index newest first: a few rows read per episode, where ranking every score of the
    # chosen episodes with a window function read them all.
    later = aliased(Assessment)
    latest_id = (
        select(later.id)
        .outerjoin(TreatmentSession, TreatmentSession.id == later.session_id)
        .where(later.episode_id == baseline.c.episode_id, later.instrument == "nrs",
               later.context.in_(("before_session", "follow_up")),
               later.voided_at.is_(None), later.taken_at >= baseline.c.baseline_at,
               or_(later.session_id.is_(None), TreatmentSession.status == "signed"))
        .order_by(later.taken_at.desc(), later.id.desc())
        .limit(1).correlate(baseline).scalar_subquery()
    )
    chosen_latest = (select(baseline.c.episode_id, latest_id.label("assessment_id"))
                     .subquery("chosen_latest"))
    latest = (select(chosen_latest.c.episode_id, Assessment.score.label("latest"),
                     Assessment.taken_at.label("latest_at"),
                     Assessment.taken_on.label("latest_on"))
              .join(Assessment, Assessment.id == chosen_latest.c.assessment_id)
              .subquery("latest"))
    drop = baseline.c.baseline - latest.c.latest  # how far pain came down
    responder = and_(drop >= RESPONDER_POINTS,
                     drop * 100 >= RESPONDER_PERCENT * baseline.c.baseline)
    stmt = (
        select(
            Episode.id.label("episode_id"), Episode.patient_id, Episode.practitioner_id,
            Episode.body_region, Episode.causes, Episode.opened_on, Episode.status,
            baseline.c.baseline, baseline.c.baseline_at, latest.c.latest, latest.c.latest_at,
            latest.c.latest_on,
            (latest.c.latest - baseline.c.baseline).label("change"),
            case((latest.c.latest.is_(None), None), (responder, 1), else_=0).label("responder"),
            case((latest.c.latest.is_(None), None),
                 (and_(responder, drop * 100 >= SUBSTANTIAL_PERCENT * baseline.c.baseline), 1),
                 else_=0).label("substantial"),
        )
        .join(baseline, baseline.c.episode_id == Episode.id)
        .outerjoin(latest, latest.c.episode_id == Episode.id)
        .where(*chosen)
    )
    return stmt
