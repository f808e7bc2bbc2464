"""The progress page through the test client: the figures a practitioner reads before the
next visit, the chart with what was done at each visit, and a constant number of queries."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import count_queries
from tests.factories import fresh, intake_values, point_dicts
from tests.pages import plain
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.intake.services import open_episode
from tracker.scores.services import record_score
from tracker.sessions.services import record_session, sign_session

START = datetime(2026, 10, 16, 1, 0, tzinfo=UTC)
COURSE = [(7, 5), (7, 5), (6, 4), (6, 4), (5, 3), (4, 3), (4, 2), (3, 2)]  # the article's
CUPPING = {"kind": "cupping", "minutes": 8, "sites": "Upper back", "notes": "",
           "params": {"cupping_method": "dry", "cups": 6}}


def build_course(app, side, course=COURSE, *, draft_last=False) -> int:
    """An intake at baseline 7 and a session every five days; the episode's id."""
    with app.app_context():
        patient, user = fresh(side, "patient"), fresh(side, "practitioner")
        episode = open_episode(patient, practitioner=user,
                               values=intake_values(opened_on=date(2026, 10, 16), baseline_nrs=7))
        for number, (before, after) in enumerate(course, start=1):
            visit = record_session(
                patient, episode, practitioner=user, adjuncts=[CUPPING] if number == 1 else [],
                points=point_dicts([("LI4", "left"), ("SP6", "bilateral")]),
                values={"started_at": START + timedelta(days=5 * (number - 1)),
                        "retention_minutes": 20 + number, "needles_inserted": 3,
                        "needles_removed": 3, "pain_before": before, "pain_after": after})
            if not (draft_last and number == len(course)):
                sign_session(visit, actor=user)
        record_score(patient, episode, instrument="psfs", taken_at=START,
                         zone="Asia/Tokyo", actor=user,
                         answers={"activities": [{"name": "Sitting at the desk", "score": 3}]})
        db.session.commit()
        return episode.id


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def url(world, **query) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/patients/{world['a']['patient'].id}/progress" + (f"?{suffix}" if suffix else "")


def summary(page: str) -> dict[str, str]:
    pairs = re.findall(r'<dt class="col-7">(.*?)</dt><dd class="col-5"[^>]*>(.*?)</dd>', page,
                       re.S)
    return {plain(term): plain(value) for term, value in pairs}


def test_the_article_course_reads_seven_to_three_a_substantial_responder(app, client, world):
    episode_id = build_course(app, world["a"])
    response = client.get(url(world, episode=episode_id))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    figures = summary(page)
    assert figures["Baseline pain (intake)"] == "7"
    assert figures["Latest pain"].startswith("3")
    assert figures["Change"] == "−4" and figures["Percentage change"] == "−57.1%"
    assert figures["Responder"] == "Yes substantial"
    assert figures["Sessions to first response"] == "5"  # pain 4 before session 6
    assert figures["Mean immediate effect"] == "1.8 points"  # 14 / 8
    assert figures["Signed sessions"] == "8"


def test_the_chart_names_what_was_done_at_each_visit(app, client, world):
    episode_id = build_course(app, world["a"])
    page = client.get(url(world, episode=episode_id)).get_data(as_text=True)
    assert re.search(r'<svg [^>]*role="group" aria-labelledby="progress-chart-title '
                     r'progress-chart-desc"', page)
    assert "Pain went from 7 at intake to 3" in plain(page)
    markers = re.findall(r'<a href="(/patients/\d+/sessions/\d+)" class="visit-marker" '
                         r'aria-label="([^"]+)"', page)
    assert len(markers) == len(COURSE)  # one link a visit: one tab stop each
    first = markers[0][1].replace("&amp;", "&")
    assert first.startswith("Session 1, 2026-10-16; pain 7 before, 5 after")
    assert "points: LI4 (L), SP6 (B)" in first and "Cupping" in first
    assert "retention 21 min" in first
    assert page.count('fill="#dcfce7"') >= 1  # the important-change band
    assert "PSFS (0-10, higher is better)" in page  # the function panel, on its own axis


def test_a_draft_is_drawn_but_not_counted(app, client, world):
    episode_id = build_course(app, world["a"], course=[(7, 5), (6, 4), (3, 2)], draft_last=True)
    page = client.get(url(world, episode=episode_id)).get_data(as_text=True)
    figures = summary(page)
    assert figures["Latest pain"].startswith("6") and figures["Responder"] == "Not yet"
    assert "draft, not counted until signed" in page


def test_viewing_progress_is_audited(app, client, world):
    build_course(app, world["a"])
    client.get(url(world))
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "progress.view" in actions


@pytest.mark.parametrize("episode", ["abc", "٣", "99999999999999999999", "-1", ""])
def test_a_bad_episode_is_not_found(app, client, world, episode):
    build_course(app, world["a"])
    assert client.get(url(world, episode=episode)).status_code == 404


def test_another_patients_episode_is_not_found(app, client, world):
    build_course(app, world["a"])
    other = world["b"]["episode"].id  # another clinic's
    assert client.get(url(world, episode=other)).status_code == 404


def test_query_count_does_not_grow_with_the_course(app, client, world, factory):
    short = build_course(app, world["a"], course=COURSE[:2])
    client.get(url(world, episode=short))  # warm up: the login refresh is done
    with count_queries(app) as few:
        client.get(url(world, episode=short))
    long_course = build_course(app, world["a"], course=COURSE * 3)
    with count_queries(app) as many:
        client.get(url(world, episode=long_course))
    assert len(many) == len(few)


def test_the_patient_page_links_to_progress_for_clinicians_only(app, client, world, auth):
    patient_page = f"/patients/{world['a']['patient'].id}"
    progress = f'href="{url(world)}"'
    assert progress in client.get(patient_page).get_data(as_text=True)
    auth.logout()
    auth.login(world["a"]["reception"].email)
    assert progress not in client.get(patient_page).get_data(as_text=True)


def visit_rows(page: str) -> list[tuple[str, str]]:
    """The visit table's rows as (number, date)."""
    table = page.split('class="table table-sm align-middle visits-table"')[1].split("</table>")[0]
    return re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td><a href=\"[^\"]+\">([\d-]+)</a>", table)


def test_the_visit_table_pages_newest_first_while_the_chart_draws_every_visit(
        app, client, world):
    # 24 visits: the newest 20 on the first page, the 4 oldest on the second; the chart
    # draws all 24 on both.
    episode = build_course(app, world["a"], course=COURSE * 3)
    first = client.get(url(world, episode=episode)).get_data(as_text=True)
    rows = visit_rows(first)
    assert [number for number, _ in rows] == [str(n) for n in range(24, 4, -1)]
    assert rows[0][1] == (START + timedelta(days=5 * 23)).date().isoformat()
    assert "Newest first: 1–20 of 24" in first
    assert first.count('class="visit-marker"') == 24
    second = client.get(url(world, episode=episode, page=2)).get_data(as_text=True)
    assert [number for number, _ in visit_rows(second)] == ["4", "3", "2", "1"]
    assert second.count('class="visit-marker"') == 24
    assert f"episode={episode}" in second.split('aria-label="Pages of visits"')[1]
    # A page past the end shows no rows; a hostile page number shows the first page.
    past = client.get(url(world, episode=episode, page=9))
    assert past.status_code == 200 and "No visits on this page." in past.get_data(as_text=True)
    hostile = client.get(url(world, episode=episode, page="-1%27"))
    assert hostile.status_code == 200 and visit_rows(hostile.get_data(as_text=True)) == rows
