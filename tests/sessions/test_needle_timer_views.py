"""The needle timer through the test client: a script's fetch (JSON) and a plain form post
(no JavaScript), the session form's own "Needles in" / "Needles out", CSRF, refusals (4xx,
never a 500, nothing written) and the audit rows."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import PASSWORD, app_for
from tests.factories import make_session
from tests.pages import input_value, plain
from tests.sessions.helpers import point_row, session_form
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.sessions.models import TreatmentSession

TOKYO = ZoneInfo("Asia/Tokyo")
JSON = {"Accept": "application/json"}
ROWS = [("LI4", "left"), ("SP6", "right")]
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def today_session(app, side, **values) -> int:
    """A draft started a few minutes ago (the form puts times on the session's date)."""
    started = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    return make_session(app, side, rows=ROWS, **{
        "started_at": started, "retention_minutes": None, "needles_inserted": None,
        "needles_removed": None, **values})


def base(world, visit_id, key="a") -> str:
    return f"/patients/{world[key]['patient'].id}/sessions/{visit_id}"


def stored(app, visit_id) -> TreatmentSession:
    with app.app_context():
        return db.session.get(TreatmentSession, visit_id)


def timer_audits(app, visit_id) -> list[str]:
    with app.app_context():
        return [event.details.get("timer") for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "session.update",
                                     AuditEvent.entity_id == visit_id).order_by(AuditEvent.id))]


def test_fetch_in_then_out(app, client, world):
    visit_id = today_session(app, world["a"], retention_minutes=15)
    url = base(world, visit_id)
    started = client.post(f"{url}/needles-in", data={"version": "1"}, headers=JSON)
    answer = started.get_json()
    assert started.status_code == 200
    visit = stored(app, visit_id)
    assert visit.inserted_at is not None and answer["state"] == "running"
    assert answer["version"] == visit.version == 2
    assert answer["fields"]["inserted_time"] == visit.inserted_at.astimezone(TOKYO).strftime(
        "%H:%M")
    assert answer["fields"]["needles_inserted"] == "2"
    assert 'value="needles_out"' in answer["html"] and "data-planned-end" in answer["html"]
    assert "15 minutes" in answer["message"]

    stopped = client.post(f"{url}/needles-out", data={"version": "2"}, headers=JSON)
    answer = stopped.get_json()
    visit = stored(app, visit_id)
    assert stopped.status_code == 200 and answer["state"] == "out"
    assert visit.removed_at is not None and visit.retention_minutes == 0
    assert answer["fields"]["retention_minutes"] == "0"
    assert answer["fields"]["needles_removed"] == "2"
    assert timer_audits(app, visit_id) == ["needles_in", "needles_out"]


def test_a_plain_post_redirects_back_to_the_note_with_the_timer(app, client, world):
    visit_id = today_session(app, world["a"])
    url = base(world, visit_id)
    response = client.post(f"{url}/needles-in", data={"version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}#needle-timer")
    page = client.get(url).get_data(as_text=True)
    assert "the timer counts down 20 minutes" in plain(page)  # the flash, the default plan
    assert 'id="needle-timer"' in page and "20 min left" in plain(page)
    assert f'action="{url}/needles-out"' in page and input_value(page, "version") == "2"
    response = client.post(f"{url}/needles-out", data={"version": "2", "next": f"{url}/edit"})
    assert urlsplit(response.headers["Location"]).path == f"{url}/edit"
    assert stored(app, visit_id).removed_at is not None


def test_next_may_not_leave_the_site(app, client, world):
    visit_id = today_session(app, world["a"])
    url = base(world, visit_id)
    response = client.post(f"{url}/needles-in",
                           data={"version": "1", "next": "//evil.example/x"})
    assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")
    assert urlsplit(response.headers["Location"]).path == url


def test_a_second_device_on_an_old_page_sees_the_timer_as_it_stands(app, client, world):
    visit_id = today_session(app, world["a"])
    url = base(world, visit_id)
    assert client.post(f"{url}/needles-in", data={"version": "1"}, headers=JSON
                       ).status_code == 200
    first = stored(app, visit_id).inserted_at
    other = app.test_client()
    other.post("/login", data={"email": world["a"]["practitioner"].email, "password": PASSWORD})
    late = other.post(f"{url}/needles-in", data={"version": "1"}, headers=JSON)
    answer = late.get_json()
    assert late.status_code == 409 and answer["error"] is True
    assert answer["state"] == "running" and answer["version"] == 2
    assert "changed this session meanwhile" in answer["message"]
    assert stored(app, visit_id).inserted_at == first
    # The same refusal without a script: back to the note, which shows the running timer.
    plain_post = other.post(f"{url}/needles-in", data={"version": "1"})
    assert plain_post.status_code == 302
    assert "changed this session meanwhile" in plain(other.get(url).get_data(as_text=True))
    assert timer_audits(app, visit_id) == ["needles_in"]


@pytest.mark.parametrize(("step", "version", "message"), [
    ("needles-out", "1", "not in yet"),
    ("needles-in", "2", "already in"),
])
def test_steps_out_of_order_are_refused(app, client, world, step, version, message):
    visit_id = today_session(app, world["a"])
    url = base(world, visit_id)
    if version == "2":
        client.post(f"{url}/needles-in", data={"version": "1"})
    response = client.post(f"{url}/{step}", data={"version": version}, headers=JSON)
    assert response.status_code == 409 and message in response.get_json()["message"]


def test_a_signed_note_has_no_timer_to_start(app, client, world):
    visit_id = make_session(app, world["a"], rows=ROWS, needles_inserted=2, needles_removed=2,
                            sign=True)
    url = base(world, visit_id)
    response = client.post(f"{url}/needles-in", data={"version": "2"}, headers=JSON)
    assert response.status_code == 409 and "signed" in response.get_json()["message"]
    assert stored(app, visit_id).inserted_at is None
    assert 'id="needle-timer"' not in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("version", [None, "", "x", "-1", "٣", "1e3", "9" * 40, "1.0"])
def test_a_hostile_version_is_a_400(app, client, world, version):
    visit_id = today_session(app, world["a"])
    url = base(world, visit_id)
    data = {} if version is None else {"version": version}
    assert client.post(f"{url}/needles-in", data=data, headers=JSON).status_code == 400
    assert client.post(f"{url}/needles-in", data=data).status_code == 400
    assert stored(app, visit_id).inserted_at is None


@pytest.mark.parametrize("retention", ["", "0", "241", "NaN", "9" * 40, "٣", "-5"])
def test_a_hostile_retention_is_ignored(app, client, world, retention):
    visit_id = today_session(app, world["a"])
    response = client.post(f"{base(world, visit_id)}/needles-in",
                           data={"version": "1", "retention_minutes": retention}, headers=JSON)
    assert response.status_code == 200 and stored(app, visit_id).retention_minutes is None


@pytest.mark.parametrize("path", [
    "/patients/{p}/sessions/99999999999999999999/needles-in",
    "/patients/{p}/sessions/9223372036854775808/needles-out",
    "/patients/{p}/sessions/٣/needles-in",
    "/patients/{p}/sessions/{other}/needles-in",
    "/patients/{other_patient}/sessions/{s}/needles-in",
])
def test_hostile_and_foreign_ids_are_not_found(app, client, world, path):
    visit_id = today_session(app, world["a"])
    other = today_session(app, world["b"])
    url = path.format(p=world["a"]["patient"].id, other=other, s=visit_id,
                      other_patient=world["b"]["patient"].id)
    assert client.post(url, data={"version": "1"}, headers=JSON).status_code == 404
    assert stored(app, other).inserted_at is None and stored(app, visit_id).inserted_at is None


def test_reception_may_not_time_needles(app, client, as_role):
    world = as_role("reception")
    visit_id = today_session(app, world["a"])
    response = client.post(f"{base(world, visit_id)}/needles-in", data={"version": "1"})
    assert response.status_code == 403 and stored(app, visit_id).inserted_at is None


def test_the_token_is_required_and_the_pages_carry_it(app, database_url, clinic_world):
    side = clinic_world["a"]
    visit_id = today_session(app, side)
    guarded = app_for(database_url, WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": side["practitioner"].email, "password": PASSWORD,
                                "csrf_token": token})
    url = f"/patients/{side['patient'].id}/sessions/{visit_id}"
    assert client.post(f"{url}/needles-in", data={"version": "1"}, headers=JSON
                       ).status_code == 400
    assert stored(app, visit_id).inserted_at is None
    token = TOKEN.search(client.get(f"{url}/edit").get_data(as_text=True)).group(1)
    response = client.post(f"{url}/needles-in", data={"version": "1", "csrf_token": token},
                           headers=JSON)
    assert response.status_code == 200 and stored(app, visit_id).inserted_at is not None
    with guarded.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the session form's own buttons (no JavaScript) -----------------------------------------

def form_now(world, **overrides) -> dict:
    now = datetime.now(TOKYO)
    fields = {"episode_id": str(world["a"]["episode"].id),
              "session_date": now.date().isoformat(),
              "start_time": (now - timedelta(minutes=5)).strftime("%H:%M"),
              "inserted_time": "", "removed_time": "", "needles_inserted": "",
              "needles_removed": "", **overrides}
    return session_form(points=[point_row(code, side) for code, side in ROWS], **fields)


def test_needles_in_on_a_new_session_saves_it_first(app, client, world):
    patient = world["a"]["patient"].id
    response = client.post(f"/patients/{patient}/sessions/new",
                           data=form_now(world, action="needles_in", retention_minutes="25"))
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.scalars(select(TreatmentSession)).one()
    assert response.headers["Location"].endswith(f"/sessions/{visit.id}/edit#needle-timer")
    assert visit.inserted_at is not None and visit.retention_minutes == 25
    assert visit.needles_inserted == 2
    page = client.get(f"/patients/{patient}/sessions/{visit.id}/edit").get_data(as_text=True)
    assert "25 min left" in plain(page) and 'value="needles_out"' in page
    assert input_value(page, "inserted_time") == visit.inserted_at.astimezone(TOKYO).strftime(
        "%H:%M")
    assert timer_audits(app, visit.id) == ["needles_in"]


def test_an_invalid_new_form_starts_nothing(app, client, world):
    patient = world["a"]["patient"].id
    response = client.post(f"/patients/{patient}/sessions/new",
                           data=form_now(world, action="needles_in", pain_before="11"))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TreatmentSession)) == 0


def test_the_edit_form_saves_then_takes_the_step_keeping_the_timers_seconds(app, client, world):
    visit_id = today_session(app, world["a"])
    url = base(world, visit_id)
    client.post(f"{url}/needles-in", data={"version": "1"})
    inserted = stored(app, visit_id).inserted_at
    page = client.get(f"{url}/edit").get_data(as_text=True)
    shown = input_value(page, "inserted_time")
    assert input_value(page, "needles_inserted") == "2"  # proposed from the rows
    data = form_now(world, action="save", version="2", inserted_time=shown, needles_inserted="2",
                    subjective="Typed while the needles were in")
    assert client.post(f"{url}/edit", data=data).status_code == 302
    assert stored(app, visit_id).inserted_at == inserted  # the second kept, not 10:05:00

    response = client.post(f"{url}/edit", data={**data, "action": "needles_out", "version": "3"})
    assert response.headers["Location"].endswith(f"{url}/edit#needle-timer")
    visit = stored(app, visit_id)
    assert visit.removed_at is not None and visit.retention_minutes is not None
    assert visit.needles_removed == visit.needles_inserted == 2
    assert visit.subjective == "Typed while the needles were in"
    # needles in; the save; the save before needles out; needles out
    assert timer_audits(app, visit_id) == ["needles_in", None, None, "needles_out"]


def test_the_form_shows_the_timer_ready_with_the_plan(client, world):
    page = client.get(f"/patients/{world['a']['patient'].id}/sessions/new").get_data(
        as_text=True)
    timer = page[page.index('id="needle-timer"'):]
    assert "Planned retention: 20 min." in plain(timer)
    assert 'value="needles_in"' in timer and "data-timer-url" not in timer.split("</button>")[0]
    assert 'aria-live="polite"' in timer and "Saves the draft first." in timer


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(["version", "retention_minutes", "next"]),
                              st.one_of(st.text(max_size=30), st.sampled_from(
                                  ["1", "2", "0", "9" * 19, "//x.example", "/\\x", "\r\n"]))),
       step=st.sampled_from(["needles-in", "needles-out"]), as_json=st.booleans())
def test_no_timer_post_answers_500(app, client, world, values, step, as_json):
    visit_id = today_session(app, world["a"])
    if step == "needles-out":
        client.post(f"{base(world, visit_id)}/needles-in", data={"version": "1"})
    response = client.post(f"{base(world, visit_id)}/{step}", data=values,
                           headers=JSON if as_json else {})
    assert response.status_code < 500


def test_times_hours_apart_are_refused_by_the_form(app, client, world):
    # A "needles out" pressed hours late leaves both times: the form says so (the column
    # holds at most 240 minutes), rather than failing on save.
    response = client.post(f"/patients/{world['a']['patient'].id}/sessions/new",
                           data=form_now(world, start_time="09:55", inserted_time="10:00",
                                          removed_time="15:00"))
    assert response.status_code == 422
    assert "more than any retention (240)" in plain(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TreatmentSession)) == 0
