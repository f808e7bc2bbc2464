"""The clinic outcome review: the SQL figures on a small clinic worked out by hand, the page
through the test client (filters, defaults, refusals, the audit row), and its number of SQL
statements, which must not grow with the clinic.

The known clinic (clinic A of ``clinic_world``, every episode opened 2026-11-01, sessions a
week apart from 2026-11-02, pain after given per session):

====  ============  ========  ===============================  ========  =====================
ep.   practitioner  region    causes                           baseline  signed sessions
====  ============  ========  ===============================  ========  =====================
E0    Practitioner  thoracic  poor_posture                     7         none (the world's own)
E1    Practitioner  thoracic  poor_posture                     8         MBP 8/6, 6/4, 4/3
E2    Practitioner  thoracic  poor_posture, muscle_strain      6         MBP 6/4, 5/4
E3    Dr Second     lumbar    muscle_strain                    5         none 5/3, MBP 4/2,
                                                                         follow-up 2
E4    Dr Second     lumbar    muscle_strain                    4         (draft "Draft" 1/0
                                                                         first), LBP 4/2
E5    Dr Second     lumbar    (none)                           0         LBP 0/0
E6    Dr Second     thoracic  poor_posture                     9         MBP 9/7, voided
                                                                         follow-up 1
====  ============  ========  ===============================  ========  =====================

(MBP = "Middle back pain", LBP = "Low back protocol", none = no protocol; before/after.)
Latest and change: E0 not evaluable; E1 4 (-4, -50%, responder, substantial); E2 5 (-1,
-16.67%); E3 2 from the follow-up (-3, -60%, responder, substantial); E4 4 (the draft does not
count: 0, 0%); E5 0 (0; no percent with a baseline of 0); E6 9 (the voided follow-up does not
count: 0, 0%). Not counted anywhere: an episode opened in 2025 and clinic B's episode.
"""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.conftest import count_queries
from tests.factories import fresh, intake_values, point_dicts
from tests.pages import field_error, input_value, plain, selected_option
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.intake.services import open_episode
from tracker.outcomes import review_views
from tracker.outcomes.forms import review_filters
from tracker.outcomes.review import outcome_review
from tracker.scores.models import Assessment
from tracker.scores.services import record_score, void_score
from tracker.sessions.services import record_session, sign_session

DAY = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
ROWS = [("LI4", "left"), ("SP6", "right")]  # no caution to decide
NOVEMBER = {"opened_from": date(2026, 11, 1), "opened_to": date(2026, 11, 30)}
QUERY = "from=2026-11-01&to=2026-11-30"


def course(side, practitioner, *, region="thoracic", causes=("poor_posture",), baseline=7,
           sessions=(), drafts=(), follow_up=None, opened_on=date(2026, 11, 1)):
    """An episode with signed ``sessions`` (protocol, before, after) a week apart from DAY,
    ``drafts`` (the same) a day before the signed ones, and a follow-up score two days after
    the last session."""
    patient = fresh(side, "patient")
    episode = open_episode(patient, practitioner=practitioner, values=intake_values(
        opened_on=opened_on, body_region=region, causes=list(causes), baseline_nrs=baseline))
    start = datetime.combine(opened_on, DAY.timetz()) + timedelta(days=1)

    def session(protocol, before, after, at):
        return record_session(patient, episode, practitioner=practitioner,
                              points=point_dicts(ROWS), adjuncts=[],
                              values={"started_at": at, "retention_minutes": 20,
                                      "needles_inserted": 2, "needles_removed": 2,
                                      "pain_before": before, "pain_after": after,
                                      "protocol_name": protocol})

    for week, (protocol, before, after) in enumerate(drafts):
        session(protocol, before, after, start + timedelta(weeks=week))
    for week, (protocol, before, after) in enumerate(sessions):
        sign_session(session(protocol, before, after,
                             start + timedelta(weeks=week, days=1)), actor=practitioner)
    if follow_up is not None:
        record_score(patient, episode, instrument="nrs", answers={"score": follow_up},
                         taken_at=start + timedelta(weeks=len(sessions), days=2),
                         zone="Asia/Tokyo", actor=practitioner)
    db.session.flush()
    return episode


MBP, LBP = "Middle back pain", "Low back protocol"


@pytest.fixture
def clinic(app_ctx, clinic_world, factory):
    side = clinic_world["a"]
    second = factory.user(side["clinic"], "practitioner", name="Dr Second")
    first, second = fresh(side, "practitioner"), db.session.get(User, second.id)
    episodes = {
        "E0": fresh(side, "episode"),
        "E1": course(side, first, baseline=8, sessions=[(MBP, 8, 6), (MBP, 6, 4), (MBP, 4, 3)]),
        "E2": course(side, first, causes=("poor_posture", "muscle_strain"), baseline=6,
                     sessions=[(MBP, 6, 4), (MBP, 5, 4)]),
        "E3": course(side, second, region="lumbar", causes=("muscle_strain",), baseline=5,
                     sessions=[("", 5, 3), (MBP, 4, 2)], follow_up=2),
        "E4": course(side, second, region="lumbar", causes=("muscle_strain",), baseline=4,
                     sessions=[(LBP, 4, 2)], drafts=[("Draft", 1, 0)]),
        "E5": course(side, second, region="lumbar", causes=(), baseline=0,
                     sessions=[(LBP, 0, 0)]),
        "E6": course(side, second, baseline=9, sessions=[(MBP, 9, 7)], follow_up=1),
    }
    voided = db.session.scalar(select(Assessment).where(
        Assessment.episode_id == episodes["E6"].id, Assessment.context == "follow_up"))
    void_score(voided, reason="Entered twice", actor=first)
    # Outside November 2026: must not count.
    course(side, first, baseline=8, sessions=[(MBP, 2, 1)], opened_on=date(2025, 6, 1))
    db.session.commit()
    return side, episodes


def figures(group) -> tuple:
    """A group as (label, episodes, evaluable, responders, rate, mean change, mean %, n %)."""
    return (group.label, group.episodes, group.evaluable, group.responders,
            group.responder_rate, group.mean_change, group.mean_percent_change,
            group.percent_n)


def D(text):  # noqa: N802 - reads like the figure it is
    return Decimal(text)


def test_overall_figures(clinic):
    side, _ = clinic
    review = outcome_review(side["clinic"].id, **NOVEMBER)
    overall = review.overall
    # 7 episodes, 6 evaluable (not E0), responders E1 and E3: 2/6 = 33.3%, both substantial.
    # Mean change (-4 - 1 - 3 + 0 + 0 + 0) / 6 = -1.33; mean percent over the 5 with a
    # baseline above 0: (-50 - 16.67 - 60 + 0 + 0) / 5 = -25.33.
    assert figures(overall) == ("All episodes", 7, 6, 2, D("33.3"), D("-1.3"), D("-25.3"), 5)
    assert overall.substantial == 2
    assert not overall.small


def test_by_condition(clinic):
    side, _ = clinic
    review = outcome_review(side["clinic"].id, **NOVEMBER)
    # Thoracic E0 E1 E2 E6: 3 evaluable, E1 responds; (-4 - 1 + 0) / 3 = -1.67;
    # (-50 - 16.67 + 0) / 3 = -22.22. Lumbar E3 E4 E5: E3 responds; -3 / 3 = -1.0;
    # (-60 + 0) / 2 = -30.0 (E5's baseline is 0). Vocabulary order: thoracic first.
    assert [figures(group) for group in review.by_condition] == [
        ("Thoracic (middle back)", 4, 3, 1, D("33.3"), D("-1.7"), D("-22.2"), 3),
        ("Lumbar (lower back)", 3, 3, 1, D("33.3"), D("-1.0"), D("-30.0"), 2),
    ]
    assert all(group.small for group in review.by_condition)  # 3 evaluable < 5


def test_by_cause_counts_an_episode_in_each_of_its_causes(clinic):
    side, _ = clinic
    review = outcome_review(side["clinic"].id, **NOVEMBER)
    # Poor posture E0 E1 E2 E6 (as thoracic). Muscle strain E2 E3 E4 (E2 in both):
    # (-1 - 3 + 0) / 3 = -1.33; (-16.67 - 60 + 0) / 3 = -25.56. E5 has no cause.
    assert [figures(group) for group in review.by_cause] == [
        ("Poor posture (desk, screen, driving)", 4, 3, 1, D("33.3"), D("-1.7"), D("-22.2"), 3),
        ("Muscle strain or injury", 3, 3, 1, D("33.3"), D("-1.3"), D("-25.6"), 3),
        ("No cause recorded", 1, 1, 0, D("0.0"), D("0.0"), None, 0),
    ]


def test_by_practitioner_rounds_halves_away_from_zero(clinic):
    side, _ = clinic
    review = outcome_review(side["clinic"].id, **NOVEMBER)
    # Dr Second E3 E4 E5 E6: E3 responds, 1/4 = 25%; (-3 + 0 + 0 + 0) / 4 = -0.75 -> -0.8;
    # (-60 + 0 + 0) / 3 = -20. Practitioner E0 E1 E2: 1/2 = 50%; (-4 - 1) / 2 = -2.5;
    # (-50 - 16.67) / 2 = -33.33. By name.
    assert [figures(group) for group in review.by_practitioner] == [
        ("Dr Second", 4, 4, 1, D("25.0"), D("-0.8"), D("-20.0"), 3),
        ("Practitioner", 3, 2, 1, D("50.0"), D("-2.5"), D("-33.3"), 2),
    ]


def test_by_protocol_of_the_first_signed_session(clinic):
    side, _ = clinic
    review = outcome_review(side["clinic"].id, **NOVEMBER)
    # MBP: E1 E2 E6 (E3's first session had none; E4's earlier draft "Draft" never counts).
    # (-4 - 1 + 0) / 3; LBP: E4 E5, 0 responders, percent over E4 only. E0: no session.
    assert [figures(group) for group in review.by_protocol] == [
        (MBP, 3, 3, 1, D("33.3"), D("-1.7"), D("-22.2"), 3),
        (LBP, 2, 2, 0, D("0.0"), D("0.0"), D("0.0"), 1),
        ("No protocol", 1, 1, 1, D("100.0"), D("-3.0"), D("-60.0"), 1),
        ("No signed session yet", 1, 0, 0, None, None, None, 0),
    ]


def test_mean_pain_by_session_number(clinic):
    side, _ = clinic
    rows = outcome_review(side["clinic"].id, **NOVEMBER).by_session_number
    # 1st: E1 8/6, E2 6/4, E3 5/3, E4 4/2 (not its draft), E5 0/0, E6 9/7:
    #      before 32 / 6 = 5.33, after 22 / 6 = 3.67.
    # 2nd: E1 6/4, E2 5/4, E3 4/2: 15 / 3 = 5.0, 10 / 3 = 3.33. 3rd: E1 4/3.
    assert [(r.label, r.sessions, r.mean_before, r.before_n, r.mean_after, r.after_n)
            for r in rows] == [
        ("1", 6, D("5.3"), 6, D("3.7"), 6),
        ("2", 3, D("5.0"), 3, D("3.3"), 3),
        ("3", 1, D("4.0"), 1, D("3.0"), 1),
    ]
    assert [r.small for r in rows] == [False, True, True]


def test_sessions_after_the_twelfth_are_counted_together(app_ctx, clinic_world):
    side = clinic_world["b"]
    course(side, fresh(side, "practitioner"), baseline=8,
           sessions=[(MBP, 8 - n // 2, 7 - n // 2) for n in range(15)])
    db.session.commit()
    rows = outcome_review(side["clinic"].id, **NOVEMBER).by_session_number
    assert [row.label for row in rows] == [str(n) for n in range(1, 13)] + ["13+"]
    # Sessions 13, 14, 15 (n = 12, 13, 14): before 2, 2, 1 -> 1.67; after 1, 1, 0 -> 0.67.
    assert (rows[-1].sessions, rows[-1].mean_before, rows[-1].mean_after) == (
        3, D("1.7"), D("0.7"))


def test_filters_by_status_and_intake_date(clinic):
    side, episodes = clinic
    episode = db.session.get(Episode, episodes["E2"].id)
    episode.status, episode.closed_on, episode.close_reason = "closed", date(2026, 11, 28), "x"
    db.session.commit()
    clinic_id = side["clinic"].id
    closed = outcome_review(clinic_id, **NOVEMBER, status="closed")
    assert figures(closed.overall) == ("All episodes", 1, 1, 0, D("0.0"), D("-1.0"),
                                       D("-16.7"), 1)
    assert [g.label for g in closed.by_cause] == ["Poor posture (desk, screen, driving)",
                                                  "Muscle strain or injury"]
    assert [r.sessions for r in closed.by_session_number] == [1, 1]
    assert outcome_review(clinic_id, **NOVEMBER, status="open").overall.episodes == 6
    # The 2025 episode: 8 -> 2, a responder.
    wide = outcome_review(clinic_id, opened_from=date(2025, 1, 1), opened_to=date(2026, 12, 31))
    assert (wide.overall.episodes, wide.overall.responders) == (8, 3)
    empty = outcome_review(clinic_id, opened_from=date(2026, 11, 2), opened_to=date(2026, 11, 30))
    assert figures(empty.overall) == ("All episodes", 0, 0, 0, None, None, None, 0)
    assert (empty.by_condition, empty.by_cause, empty.by_practitioner, empty.by_protocol,
            empty.by_session_number) == ([], [], [], [], [])


def test_another_clinic_sees_only_its_own(clinic, clinic_world):
    review = outcome_review(clinic_world["b"]["clinic"].id, **NOVEMBER)
    assert (review.overall.episodes, review.overall.evaluable) == (1, 0)
    assert review.by_session_number == []


def test_review_filters_fill_what_is_missing_or_empty():
    filled = review_filters(MultiDict({"from": "", "status": "open"}), date(2026, 11, 30))
    assert filled.to_dict() == {"from": "2025-12-01", "to": "2026-11-30", "status": "open"}
    assert review_filters(MultiDict(), date(2028, 2, 29))["from"] == "2027-03-01"


# --- The page --------------------------------------------------------------------------------


@pytest.fixture
def practitioner(as_role):
    return as_role("practitioner")


def table_of(page: str, caption_start: str) -> str:
    return next(t for t in re.findall(r"<table.*?</table>", page, re.S)
                if re.search(rf"<caption[^>]*>\s*{re.escape(caption_start)}", t))


def overall_cells(page: str) -> list[str]:
    """The one row of the "All episodes" table, as text."""
    row = re.search(r"<tbody>(.*?)</tbody>", table_of(page, "Pain outcome of every episode"),
                    re.S).group(1)
    return [plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def row_cells(page: str, caption_start: str) -> dict[str, list[str]]:
    """The table whose caption starts so: row header -> the other cells, as text."""
    table = table_of(page, caption_start)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(\s*<th scope=\"row\".*?)</tr>", table, re.S):
        cells = [plain(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_page_shows_every_table_with_its_n(app, client, clinic, practitioner):
    response = client.get(f"/outcomes/review?{QUERY}&status=all")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert overall_cells(page) == ["7", "6", "2", "33.3% (2 of 6)", "2", "-1.3 (n = 6)",
                                       "-25.3% (n = 5)"]
    practitioners = row_cells(page, "Pain outcome by the practitioner")
    assert practitioners["Dr Second small group: read with care"] == [
        "4", "4", "1", "25.0% (1 of 4)", "-0.8 (n = 4)", "-20.0% (n = 3)"]
    protocols = row_cells(page, "Pain outcome by protocol")
    assert protocols["No signed session yet small group: read with care"] == [
        "1", "0", "0", "— none", "— none", "— none"]
    sessions = row_cells(page, "Mean pain")
    assert sessions["1"] == ["6", "5.3 (n = 6)", "3.7 (n = 6)"]
    text = plain(page)
    assert "counts in the group of each of them" in text
    assert "protocol of its first signed session" in text
    assert "13+" in text
    assert 'class="badge text-bg-warning' in page
    assert 'aria-current="page" href="/outcomes/review"' in page  # the nav link


def test_page_defaults_to_the_last_twelve_months_and_every_status(client, practitioner,
                                                                   monkeypatch):
    monkeypatch.setattr(review_views, "clinic_today", lambda: date(2026, 11, 30))
    page = client.get("/outcomes/review").get_data(as_text=True)
    assert input_value(page, "from") == "2025-12-01"
    assert input_value(page, "to") == "2026-11-30"
    assert selected_option(page, "status") == "all"
    assert "Episodes opened from 2025-12-01 to 2026-11-30; status: All." in plain(page)


def test_page_filters_by_status(client, clinic, practitioner):
    page = client.get(f"/outcomes/review?{QUERY}&status=closed").get_data(as_text=True)
    assert selected_option(page, "status") == "closed"
    assert overall_cells(page)[0] == "0"
    assert "No episodes were opened in this period" in plain(page)


@pytest.mark.parametrize(("query", "field", "message", "kept"), [
    ("from=9999-99-99&to=2026-11-30", "from", "Not a valid date value.", "9999-99-99"),
    ("from=2026-11-20&to=2026-11-01", "to", "The end is before the start.", "2026-11-01"),
    ("from=99999999999999999999", "from", "Not a valid date value.", "99999999999999999999"),
    ("from=0001-01-01", "from", "Give a date from 1900-01-01", "0001-01-01"),
    ("to=9999-12-31", "to", "Give a date from 1900-01-01", "9999-12-31"),
    ("status=bogus", "status", "Not a valid choice.", None),
])
def test_bad_filters_are_refused_next_to_the_field(app, client, practitioner, query, field,
                                                   message, kept):
    response = client.get(f"/outcomes/review?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, field).startswith(message)
    if kept is not None:
        assert input_value(page, field) == kept
    assert "Pain outcome of every episode" not in page  # no figures for unread filters
    with app.app_context():
        assert not db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "outcomes.review")).all()


def test_a_nul_in_the_query_string_is_refused(client, practitioner):
    assert client.get("/outcomes/review?from=2026-11-01%00").status_code == 400


def test_reception_may_not_see_the_review(client, as_role):
    as_role("reception")
    assert client.get("/outcomes/review").status_code == 403


def test_the_view_is_audited_with_filters_and_counts_only(app, client, clinic, practitioner):
    client.get(f"/outcomes/review?{QUERY}&status=all")
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "outcomes.review")).one()
        assert audit.details == {"from": "2026-11-01", "to": "2026-11-30", "status": "all",
                                 "episodes": 7, "evaluable": 6, "responders": 2}
        assert audit.patient_id is None


def test_page_query_count_does_not_grow_with_the_clinic(app, client, clinic_world,
                                                        practitioner, factory):
    url = f"/outcomes/review?{QUERY}"
    app.config["REVIEW_CACHE_SECONDS"] = 0  # every request works the figures out
    client.get(url)  # warm-up: session refresh and one-time lookups happen here
    with count_queries(app) as few:
        assert client.get(url).status_code == 200

    side = clinic_world["a"]
    others = [factory.user(side["clinic"], "practitioner", name=f"Extra {n}") for n in range(3)]
    with app.app_context():
        for number in range(12):
            user = db.session.get(User, others[number % 3].id)
            course(side, user, region=("thoracic", "lumbar", "cervical")[number % 3],
                   causes=(("poor_posture",), ("muscle_strain", "scoliosis"))[number % 2],
                   sessions=[(f"Protocol {number % 4}", 7 - n, 5 - n) for n in range(4)],
                   follow_up=number % 5)
        db.session.commit()
    with count_queries(app) as many:
        page = client.get(url).get_data(as_text=True)

    assert overall_cells(page)[0] == "13"
    assert len(many) == len(few)


# --- the figures kept for a minute (tracker.outcomes.review_cache) ----------------------------

def test_figures_are_worked_out_once_a_minute_and_say_when(app, client, clinic, practitioner,
                                                            monkeypatch):
    url = f"/outcomes/review?{QUERY}&status=all"
    client.get(url)
    with count_queries(app) as cached:
        page = client.get(url).get_data(as_text=True)
    assert overall_cells(page)[0] == "7"
    assert "Figures as of " in plain(page)
    assert not [q for q in cached if "cohort" in q.lower()]  # no review SQL

    # A minute later (this process's copy is old): worked out again.
    import tracker.outcomes.review_cache as review_cache
    later = review_cache.time.monotonic() + 61
    monkeypatch.setattr(review_cache.time, "monotonic", lambda: later)
    with count_queries(app) as recomputed:
        client.get(url)
    assert [q for q in recomputed if "cohort" in q.lower()]


def test_a_score_recorded_in_this_process_shows_at_once(app, client, clinic, practitioner):
    side, episodes = clinic
    url = f"/outcomes/review?{QUERY}&status=all"
    assert overall_cells(client.get(url).get_data(as_text=True))[1] == "6"  # evaluable
    with app.app_context():  # E0 (not evaluable) gets a follow-up score
        episode = db.session.get(Episode, episodes["E0"].id)
        record_score(episode.patient, episode, instrument="nrs", answers={"score": 3},
                     taken_at=DAY + timedelta(days=5), zone="Asia/Tokyo",
                     actor=fresh(side, "practitioner"))
        db.session.commit()
    assert overall_cells(client.get(url).get_data(as_text=True))[1] == "7"


def test_a_change_this_process_did_not_see_shows_within_the_minute(app, client, clinic,
                                                                   practitioner, monkeypatch):
    """Another server's change (here a statement outside the ORM, as another process's
    would be unseen): the page keeps its figures, saying when they are from, until they are
    a minute old."""
    from sqlalchemy import update

    side, episodes = clinic
    url = f"/outcomes/review?{QUERY}&status=all"
    assert overall_cells(client.get(url).get_data(as_text=True))[0] == "7"
    with app.app_context():
        db.session.execute(update(Episode.__table__).where(Episode.id == episodes["E0"].id)
                           .values(opened_on=date(2025, 1, 1)))
        db.session.commit()
    assert overall_cells(client.get(url).get_data(as_text=True))[0] == "7"
    import tracker.outcomes.review_cache as review_cache
    later = review_cache.time.monotonic() + 61
    monkeypatch.setattr(review_cache.time, "monotonic", lambda: later)
    assert overall_cells(client.get(url).get_data(as_text=True))[0] == "6"


def test_each_filter_and_language_has_its_own_figures(app_ctx):
    from tracker.outcomes.review_cache import MAX_ENTRIES, cached_review

    computed = []

    def compute(value):
        return lambda: computed.append(value) or value

    assert cached_review(("a",), compute(1))[0] == 1
    assert cached_review(("a",), compute(2))[0] == 1  # kept
    assert cached_review(("b",), compute(3))[0] == 3
    for n in range(MAX_ENTRIES):  # the oldest filters give way to newer ones
        cached_review(("other", n), compute(n))
    assert cached_review(("a",), compute(4))[0] == 4
    assert computed[:3] == [1, 3, 0]
