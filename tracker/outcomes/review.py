"""The clinic outcome review (DOMAIN.md section 6): how the clinic's courses of treatment went,
by condition, by cause, by practitioner and by protocol, and pain by session number.

The unit is the episode of care, as ``cohort.episode_outcomes`` describes it (baseline = the
intake's NRS, latest = the last NRS between visits, responder = at least 2 points and 30%
below). An episode is *evaluable* when it has a latest score. Every figure is counted in SQL:
the page runs two statements whatever the size of the clinic, and no Python loop ever walks
the sessions or the scores.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    Connection,
    String,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    true,
    union_all,
)

from tracker.auth.models import User
from tracker.extensions import db
from tracker.i18n import _
from tracker.intake.models import Episode
from tracker.intake.vocab import BODY_REGIONS, CAUSES, label_of
from tracker.outcomes.cohort import episode_outcomes
from tracker.scores.models import Assessment
from tracker.sessions.models import TreatmentSession

SMALL_GROUP = 5  # fewer evaluable episodes than this: the figures move a lot with one patient
LAST_SESSION_NUMBER = 12  # the 13th session and later are counted together as "13+"

_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class OutcomeGroup:
    """The pain outcome of a group of episodes. ``percent_n`` is how many evaluable episodes
    the mean percent change is over (those with a baseline above 0)."""

    label: str
    episodes: int
    evaluable: int
    responders: int
    substantial: int
    mean_change: Decimal | None
    mean_percent_change: Decimal | None
    percent_n: int

    @property
    def responder_rate(self) -> Decimal | None:
        """Responders per 100 evaluable episodes, one decimal; None with none evaluable."""
        if not self.evaluable:
            return None
        return _one_decimal(Decimal(self.responders * 100) / self.evaluable)

    @property
    def small(self) -> bool:
        return self.evaluable < SMALL_GROUP


@dataclass(frozen=True)
class SessionNumberRow:
    """Mean pain before and after the n-th signed session of the episodes (``number`` 13
    stands for the 13th and every later one), each with how many scores it is over."""

    number: int
    sessions: int
    mean_before: Decimal | None
    before_n: int
    mean_after: Decimal | None
    after_n: int

    @property
    def label(self) -> str:
        return str(self.number) if self.number <= LAST_SESSION_NUMBER else f"{self.number}+"

    @property
    def small(self) -> bool:
        return self.sessions < SMALL_GROUP


@dataclass(frozen=True)
class OutcomeReview:
    opened_from: date
    opened_to: date
    status: str
    overall: OutcomeGroup
    by_condition: list[OutcomeGroup]
    by_cause: list[OutcomeGroup]
    by_practitioner: list[OutcomeGroup]
    by_protocol: list[OutcomeGroup]
    by_session_number: list[SessionNumberRow]


def outcome_review(clinic_id: int, *, opened_from: date, opened_to: date,
                   status: str = "all", connection: Connection | None = None) -> OutcomeReview:
    """The whole review of the episodes opened ``opened_from``..``opened_to`` (inclusive) with
    ``status`` ("all", "open" or "closed"): two SQL statements, run on ``connection`` (the
    page passes ``replica.report_reads()``'s) or else the session's."""
    reader = connection if connection is not None else db.session.connection()
    dialect = reader.dialect.name
    # MATERIALIZED: computed once and read by each of the six groupings; SQLite would
    # otherwise run the cohort (each episode's baseline and latest score) six times.
    cohort = episode_outcomes(clinic_id, opened_from=opened_from, opened_to=opened_to,
                              status=status).cte("cohort").prefix_with("MATERIALIZED")
    groups: dict[str, list] = {"overall": [], "condition": [], "cause": [], "no_cause": [],
                               "practitioner": [], "protocol": []}
    for row in reader.execute(_grouped(cohort, dialect)):
        groups[row.dimension].append(row)
    overall = _group(_("All episodes"), groups["overall"][0])
    return OutcomeReview(
        opened_from=opened_from, opened_to=opened_to, status=status, overall=overall,
        by_condition=_by_condition(groups["condition"]),
        by_cause=_by_cause(groups["cause"], groups["no_cause"]),
        by_practitioner=sorted((_group(row.name, row) for row in groups["practitioner"]),
                               key=lambda group: group.label.casefold()),
        by_protocol=_by_protocol(groups["protocol"]),
        by_session_number=[
            SessionNumberRow(row.number, row.sessions, _one_decimal(row.mean_before),
                             row.before_n, _one_decimal(row.mean_after), row.after_n)
            for row in reader.execute(_session_numbers(clinic_id, opened_from, opened_to,
                                                       status))
        ],
    )


def _grouped(cohort, dialect: str):
    """Every outcome grouping in one statement: a UNION ALL over the cohort, so the cohort
    (the costly part: each episode's baseline and latest score) is computed once and read by
    each grouping. Rows: dimension, key, name, then the aggregates of ``_aggregates``."""

    def dimension(name: str, key, display=None):
        # The dimension's name is part of the statement, not data: written into its text.
        return (literal_column(f"'{name}'", String).label("dimension"),
                cast(key, String).label("key"),
                (display if display is not None else cast(null(), String)).label("name"),
                *_aggregates(cohort))

    unnested = _json_elements(cohort.c.causes, dialect)
    # DISTINCT: a code listed twice in one intake still counts its episode once.
    episode_causes = (select(cohort.c.episode_id, unnested.c.value.label("cause"))
                      .select_from(cohort).join(unnested, true()).distinct()
                      .subquery("episode_causes"))
    first_session = _first_signed_sessions(cohort)
    return union_all(
        select(*dimension("overall", null())).select_from(cohort),
        select(*dimension("condition", cohort.c.body_region)).select_from(cohort)
        .group_by(cohort.c.body_region),
        select(*dimension("cause", episode_causes.c.cause)).select_from(cohort)
        .join(episode_causes, episode_causes.c.episode_id == cohort.c.episode_id)
        .group_by(episode_causes.c.cause),
        # One row even when every episode has a cause (an aggregate without GROUP BY).
        select(*dimension("no_cause", null())).select_from(cohort)
        .where(func.coalesce(func.json_array_length(cohort.c.causes), 0) == 0),
        select(*dimension("practitioner", cohort.c.practitioner_id, User.name))
        .select_from(cohort).join(User, User.id == cohort.c.practitioner_id)
        .group_by(cohort.c.practitioner_id, User.name),
        # protocol_name is never NULL on a session: NULL here means no signed session yet.
        select(*dimension("protocol", first_session.c.protocol_name)).select_from(cohort)
        .outerjoin(first_session, first_session.c.episode_id == cohort.c.episode_id)
        .group_by(first_session.c.protocol_name),
    )


def _aggregates(cohort) -> tuple:
    """The figures of a group of cohort rows. AVG and COUNT skip NULLs, and change is NULL
    exactly when an episode is not evaluable, so the means are over the evaluable ones."""
    percent = case((cohort.c.baseline > 0,
                    # 100.0, not 100: SQLite stores whole scores as integers and would
                    # divide them as integers.
                    cohort.c.change * literal_column("100.0") / cohort.c.baseline))
    return (
        func.count().label("episodes"),
        func.count(cohort.c.latest).label("evaluable"),
        func.coalesce(func.sum(cohort.c.responder), 0).label("responders"),
        func.coalesce(func.sum(cohort.c.substantial), 0).label("substantial"),
        func.avg(cohort.c.change).label("mean_change"),
        func.avg(percent).label("mean_percent"),
        func.count(percent).label("percent_n"),
    )


def _json_elements(json_list, dialect: str):
    """The elements of a JSON list column as a table with one column, ``value``, joined
    beside each row. The function differs per backend (causes is JSON, not JSONB, on
    PostgreSQL)."""
    if dialect == "postgresql":
        return func.json_array_elements_text(json_list).table_valued("value")
    return func.json_each(json_list).table_valued("value")


def _numbered_sessions(episodes):
    """The signed sessions of ``episodes`` (a selectable with ``episode_id``), numbered within
    their episode in the order given (1 = the first signed session)."""
    return (
        select(TreatmentSession.id.label("session_id"), TreatmentSession.episode_id,
               TreatmentSession.protocol_name,
               func.row_number().over(partition_by=TreatmentSession.episode_id,
                                      order_by=(TreatmentSession.started_at,
                                                TreatmentSession.id)).label("number"))
        .join(episodes, episodes.c.episode_id == TreatmentSession.episode_id)
        .where(TreatmentSession.status == "signed")
        .subquery("numbered")
    )


def _first_signed_sessions(cohort):
    """Each episode's first signed session's protocol (the episode's protocol), looked up
    per episode through the sessions' episode index: numbering every session of the cohort
    to keep the first cost three times the cohort itself."""
    first = (select(TreatmentSession.protocol_name)
             .where(TreatmentSession.episode_id == cohort.c.episode_id,
                    TreatmentSession.status == "signed")
             .order_by(TreatmentSession.started_at, TreatmentSession.id)
             .limit(1).correlate(cohort).scalar_subquery())
    return (select(cohort.c.episode_id, first.label("protocol_name"))
            .subquery("first_session"))


def _filtered_episodes(clinic_id: int, opened_from: date, opened_to: date, status: str):
    """The cohort's episodes without its scores: the same filters, and an intake NRS (the
    cohort's baseline). Numbering sessions needs only the ids, and computing each episode's
    latest score again would cost most of the statement (measured: 2.1 s against 0.4 s on
    250,000 sessions in SQLite)."""
    stmt = (
        select(Episode.id.label("episode_id"))
        .where(Episode.clinic_id == clinic_id, Episode.opened_on >= opened_from,
               Episode.opened_on <= opened_to,
               exists().where(Assessment.episode_id == Episode.id,
                              Assessment.instrument == "nrs", Assessment.context == "intake",
                              Assessment.voided_at.is_(None)))
    )
    if status in ("open", "closed"):
        stmt = stmt.where(Episode.status == status)
    return stmt.subquery("episodes")


def _session_numbers(clinic_id: int, opened_from: date, opened_to: date, status: str):
    """Mean pain before and after each session number (1..12, then 13+) over the signed
    sessions of the filtered episodes, with how many sessions and scores each is over."""
    numbered = _numbered_sessions(_filtered_episodes(clinic_id, opened_from, opened_to, status))

    def pain(context: str):
        # The session's own score of that context (a session has at most one of each),
        # looked up through the scores' session index: joining the whole table made
        # PostgreSQL scan every score of the clinic twice (0.8 s on 250,000 sessions).
        return (select(Assessment.score)
                .where(Assessment.session_id == numbered.c.session_id,
                       Assessment.context == context, Assessment.instrument == "nrs",
                       Assessment.voided_at.is_(None))
                .limit(1).correlate(numbered).scalar_subquery())

    scored = select(numbered.c.number, pain("before_session").label("before"),
                    pain("after_session").label("after")).subquery("scored")
    bucket = case((scored.c.number > LAST_SESSION_NUMBER, LAST_SESSION_NUMBER + 1),
                  else_=scored.c.number)
    return (
        select(bucket.label("number"), func.count().label("sessions"),
               func.avg(scored.c.before).label("mean_before"),
               func.count(scored.c.before).label("before_n"),
               func.avg(scored.c.after).label("mean_after"),
               func.count(scored.c.after).label("after_n"))
        .group_by(bucket)
        .order_by(bucket)
    )


def _group(label: str, row) -> OutcomeGroup:
    return OutcomeGroup(label=label, episodes=row.episodes, evaluable=row.evaluable,
                        responders=int(row.responders), substantial=int(row.substantial),
                        mean_change=_one_decimal(row.mean_change),
                        mean_percent_change=_one_decimal(row.mean_percent),
                        percent_n=row.percent_n)


def _in_vocabulary_order(rows, vocabulary) -> list[OutcomeGroup]:
    order = {code: index for index, (code, _label) in enumerate(vocabulary)}
    rows = sorted(rows, key=lambda row: (order.get(row.key, len(order)), row.key or ""))
    return [_group(label_of(vocabulary, row.key), row) for row in rows]


def _by_condition(rows) -> list[OutcomeGroup]:
    return _in_vocabulary_order(rows, BODY_REGIONS)


def _by_cause(rows, no_cause) -> list[OutcomeGroup]:
    groups = _in_vocabulary_order(rows, CAUSES)
    if no_cause and no_cause[0].episodes:
        groups.append(_group(_("No cause recorded"), no_cause[0]))
    return groups


def _by_protocol(rows) -> list[OutcomeGroup]:
    """Named protocols, most episodes first; then "No protocol" and "No signed session"."""
    named = sorted((row for row in rows if row.key),
                   key=lambda row: (-row.episodes, row.key.casefold()))
    groups = [_group(row.key, row) for row in named]
    groups += [_group(_("No protocol"), row) for row in rows if row.key == ""]
    groups += [_group(_("No signed session yet"), row) for row in rows if row.key is None]
    return groups


def _one_decimal(value) -> Decimal | None:
    """A mean as shown: one decimal, halves away from zero, never "-0.0". PostgreSQL's AVG
    gives a Decimal and SQLite's a float; both go through their text to round alike."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(_TENTH, rounding=ROUND_HALF_UP) + 0
