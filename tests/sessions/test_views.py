"""Session pages through the test client: the no-JS form flow, validation, signing, amending,
the timeline, adverse events and who may see what."""

import html
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.factories import make_session
from tests.pages import field_error, input_value, selected_option
from tests.sessions.helpers import (
    complete_session_fields,
    count_sessions,
    point_codes_on_form,
    point_row,
    session_form,
)
from tracker.extensions import db
from tracker.sessions.models import TreatmentSession
from tracker.sessions.queries import TIMELINE_PER_PAGE

EXAMPLE = "BL18 BL20 BL23 bilat, GV6, GV9, LI4 L, SP6 b/l, Ashi: left T7 paraspinal"
CUPPING = {"kind": "cupping", "minutes": 10, "sites": "upper back", "notes": "",
           "params": {"cupping_method": "dry", "cups": 4}}
PROTOCOL_CODES = ["BL18", "BL20", "BL23", "GV6", "GV9", "LI4", "GB21", "SP6", ""]


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def urls(world, key="a"):
    return f"/patients/{world[key]['patient'].id}/sessions"


def post_form(client, world, **overrides):
    data = session_form(episode_id=str(world["a"]["episode"].id), **overrides)
    response = client.post(f"{urls(world)}/new", data=data)
    return response, response.get_data(as_text=True)


def stored(app, visit_id=None) -> TreatmentSession:
    with app.app_context():
        stmt = select(TreatmentSession).options(
            selectinload(TreatmentSession.points), selectinload(TreatmentSession.adjuncts)
        )
        if visit_id:
            stmt = stmt.where(TreatmentSession.id == visit_id)
        return db.session.scalars(stmt).one()


def test_new_session_from_the_builtin_protocol(client, world):
    page = client.get(f"{urls(world)}/new?protocol=builtin:middle-back-pain").get_data(as_text=True)
    rows = point_codes_on_form(page)
    assert [code for code, _ in rows] == PROTOCOL_CODES
    assert rows[3] == ("GV6", "midline") and rows[0] == ("BL18", "bilateral")
    assert "Ashi" in input_value(page, "points-8-custom_label")
    needles = sum(2 if side == "bilateral" else 1 for _, side in rows)
    assert input_value(page, "needles_inserted") == str(needles)
    assert input_value(page, "protocol_key") == "builtin:middle-back-pain"


def test_copy_last_prefills_points_and_adjuncts(app, client, world):
    rows = [("LI4", "left"), ("GV6", "midline")]
    previous = make_session(app, world["a"], rows=rows, adjuncts=[CUPPING])
    page = client.get(f"{urls(world)}/new?copy=last").get_data(as_text=True)
    assert point_codes_on_form(page) == rows
    assert input_value(page, "adjuncts-0-kind") == "cupping"
    assert input_value(page, "adjuncts-0-cups") == "4"
    assert selected_option(page, "adjuncts-0-cupping_method") == "dry"
    assert input_value(page, "copied_from_id") == str(previous)


def test_copy_last_is_offered_once_the_patient_has_a_session(app, client, world):
    copy_last = f'href="{urls(world)}/new?copy=last"'
    assert copy_last not in client.get(f"{urls(world)}/new").get_data(as_text=True)
    make_session(app, world["a"], rows=[("LI4", "left")])
    assert copy_last in client.get(f"{urls(world)}/new").get_data(as_text=True)
    # A refused save shows the form again, the offer with it.
    response, page = post_form(client, world, pain_before="11")
    assert response.status_code == 422 and copy_last in page


def test_parse_turns_quick_entry_into_rows(app, client, world):
    response, page = post_form(client, world, action="parse", quick_entry=EXAMPLE, points=[])
    assert response.status_code == 200
    assert point_codes_on_form(page) == [
        ("BL18", "bilateral"), ("BL20", "bilateral"), ("BL23", "bilateral"), ("GV6", "midline"),
        ("GV9", "midline"), ("LI4", "left"), ("SP6", "bilateral"), ("", "left")]
    assert input_value(page, "points-7-custom_label") == "left T7 paraspinal"
    assert input_value(page, "quick_entry") == ""
    assert count_sessions(app) == 0


def test_parse_proposes_needles_inserted(client, world):
    # A browser posts the empty needle-count input along with everything else.
    _, page = post_form(
        client, world, action="parse", quick_entry=EXAMPLE, points=[], needles_inserted=""
    )
    assert input_value(page, "needles_inserted") == "12"


def test_recount_counts_needles_from_the_rows(client, world):
    _, page = post_form(client, world, action="recount", needles_inserted="3")
    assert input_value(page, "needles_inserted") == "5"


@pytest.mark.parametrize("action", ["parse", "save"])
def test_unknown_codes_in_quick_entry_are_reported_at_the_field(app, client, world, action):
    response, page = post_form(client, world, action=action, quick_entry="XX9 L, LI4 L")
    assert response.status_code == 422
    assert "“XX9” is not a point code we know: check the code" in html.unescape(
        page.split('id="quick-error"')[1])
    assert input_value(page, "quick_entry") == "XX9 L, LI4 L"
    assert count_sessions(app) == 0


POINT_COLUMNS = ("code", "laterality", "depth", "depth_unit", "angle", "gauge_mm", "length_mm",
                 "technique", "deqi_sought", "deqi_obtained", "stimulation", "retention_minutes")
SESSION_COLUMNS = ("needle_brand", "needle_lot", "needle_gauge_mm", "needle_length_mm",
                   "retention_minutes", "needles_inserted", "needles_removed", "pain_before",
                   "pain_after", "sensations", "subjective", "objective", "tongue", "pulse",
                   "assessment", "plan", "advice", "advice_notes", "next_visit_on", "status")
D = Decimal


def test_a_complete_session_is_saved_with_every_field(app, client, world):
    response, _ = post_form(client, world, **complete_session_fields())
    assert response.status_code == 302
    visit = stored(app)
    assert response.headers["Location"].endswith(f"/sessions/{visit.id}")
    assert [tuple(getattr(row, name) for name in POINT_COLUMNS) for row in visit.points] == [
        ("BL23", "bilateral", D(25), "mm", "perpendicular", D("0.25"), D(40), "even", True,
         True, "electrical", None),
        ("LI4", "left", D("0.5"), "cun", "oblique", None, None, "reducing", True, False,
         "manual", 15),
        ("GV6", "midline", None, "mm", None, None, None, None, False, None, "manual", None),
        ("Ashi", "left", None, "mm", None, None, None, None, True, None, "manual", None),
    ]
    assert visit.points[3].custom_label == "left T7 paraspinal"
    tokyo = ZoneInfo("Asia/Tokyo")
    session_fields = {name: getattr(visit, name) for name in SESSION_COLUMNS}
    assert session_fields == {
        "needle_brand": "Seirin J-type", "needle_lot": "LOT-117", "needle_gauge_mm": D("0.20"),
        "needle_length_mm": D(30), "retention_minutes": 25, "needles_inserted": 5,
        "needles_removed": 5, "pain_before": 7, "pain_after": 4,
        "sensations": ["warmth", "relaxation"], "subjective": "Stiff after desk work",
        "objective": "Tender T7", "tongue": "Pale, thin white coat", "pulse": "Wiry",
        "assessment": "Qi stagnation", "plan": "Weekly for 6 weeks",
        "advice": ["posture", "breaks"], "advice_notes": "Walk daily",
        "next_visit_on": date(2026, 11, 27), "status": "draft",
    }
    times = [visit.started_at, visit.inserted_at, visit.removed_at]
    assert [t.astimezone(tokyo).strftime("%Y-%m-%d %H:%M") for t in times] == [
        "2026-11-20 10:00", "2026-11-20 10:05", "2026-11-20 10:30"]
    assert [(a.kind, a.minutes, a.sites, a.params) for a in visit.adjuncts] == [
        ("cupping", 10, "upper back", {"cupping_method": "dry", "cups": 4,
                                       "cupping_marks": "light"}),
        ("electroacupuncture", 20, "", {"ea_pairs": [["BL23", "LI4"]], "ea_frequency_hz": 2,
                                        "ea_frequency_2_hz": 100, "ea_intensity_ma": 1.5,
                                        "ea_waveform": "dense_disperse"}),
    ]


AD = "adjuncts-0-"
EA = {f"{AD}kind": "electroacupuncture", f"{AD}ea_pairs": "BL23-LI4",
      f"{AD}ea_frequency_hz": "2", f"{AD}ea_waveform": "continuous", f"{AD}minutes": "20"}
CUPS = {f"{AD}kind": "cupping", f"{AD}cupping_method": "dry", f"{AD}minutes": "10"}
NO_TIMES = {"inserted_time": "", "removed_time": ""}


@pytest.mark.parametrize("overrides, field, message, kept", [
    ({"pain_before": "11"}, "pain_before", "whole number from 0 to 10", None),
    ({"retention_minutes": "-5", **NO_TIMES}, "retention_minutes", "1 to 240 minutes", "-5"),
    ({**EA, f"{AD}ea_frequency_hz": "900"}, f"{AD}ea_frequency_hz", "0.5 to 200 Hz", "900"),
    ({"removed_time": "10:03"}, "removed_time", "Needles out must be after needles in", "10:03"),
    ({"start_time": "19:37"}, "inserted_time",
     "Needles in at 10:05 is before the session's start time (19:37)", "10:05"),
    ({"inserted_time": "", "removed_time": "09:30"}, "removed_time",
     "Needles out at 09:30 is before the session's start time (10:00)", "09:30"),
    ({"points-0-depth": "200"}, "points-0-depth", "at most 120 mm", "200"),
    ({"points-0-code": "XX9"}, "points-0-code", "“XX9” is not a point code we know", "XX9"),
    ({**EA, f"{AD}ea_pairs": "BL23-SP6"}, f"{AD}ea_pairs", "SP6 is not among", "BL23-SP6"),
    ({"points-1-laterality": "bilateral"}, "points-1-laterality", "GV6 is on the midline", None),
    ({"points-0-code": "EX-B2"}, "points-0-level", "needs its vertebral level", None),
    (CUPS, f"{AD}cups", "Required for cupping", None),
])
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    app, client, world, overrides, field, message, kept
):
    response, page = post_form(client, world, **overrides)
    assert response.status_code == 422
    assert message in (field_error(page, field) or ""), field_error(page, field)
    if kept is not None:
        assert input_value(page, field) == kept
    assert count_sessions(app) == 0


def sign(client, world, visit_id):
    return client.post(f"{urls(world)}/{visit_id}/sign")


def test_signing_with_unequal_counts_lists_the_problem(app, client, world):
    visit_id = make_session(app, world["a"], needles_removed=4)
    response = sign(client, world, visit_id)
    assert response.status_code == 422
    assert "5 needles inserted but 4 removed" in response.get_data(as_text=True)
    assert stored(app, visit_id).status == "draft"


def test_signing_a_complete_note(app, client, world):
    visit_id = make_session(app, world["a"])
    response = sign(client, world, visit_id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'text-bg-success">Signed</span>' in page and "Amend note" in page
    assert stored(app, visit_id).status == "signed"


def test_editing_a_signed_note_redirects_to_amend(app, client, world):
    visit_id = make_session(app, world["a"], sign=True)
    for response in (
        client.get(f"{urls(world)}/{visit_id}/edit"),
        client.post(f"{urls(world)}/{visit_id}/edit", data=session_form()),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/sessions/{visit_id}/amend")
    assert stored(app, visit_id).subjective == ""


def test_amending_shows_the_original_struck_and_the_new_value(app, client, world):
    visit_id = make_session(app, world["a"], sign=True)
    url = f"{urls(world)}/{visit_id}/amend"
    assert client.get(url).status_code == 200
    refused = client.post(url, data={"reason": "", "pain_before": "7", "pain_after": "2"})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "reason") == "Say why the note is amended."
    scores = {"pain_before": "7", "pain_after": "4"}
    unchanged = client.post(url, data={"reason": "Check", **scores}).get_data(as_text=True)
    assert "Nothing was changed" in field_error(unchanged, "reason")
    changed = {"pain_after": "2", "subjective": "Much better"}
    response = client.post(url, data={"reason": "Misread the scale", **scores, **changed})
    assert response.status_code == 302
    page = client.get(f"{urls(world)}/{visit_id}").get_data(as_text=True)
    assert "Misread the scale" in page and "<del>4</del> → <ins>2</ins>" in page
    assert "<del>(empty)</del> → <ins>Much better</ins>" in page
    assert stored(app, visit_id).pain_after == 4


def test_patient_timeline_lists_sessions_newest_first(app, client, world):
    first, second = datetime(2026, 11, 1, 1, tzinfo=UTC), datetime(2026, 11, 8, 1, tzinfo=UTC)
    older = make_session(app, world["a"], started_at=first, adjuncts=[CUPPING], sign=True)
    counts = {"needles_inserted": 2, "needles_removed": 2, "retention_minutes": 20}
    newer = make_session(app, world["a"], started_at=second, pain_before=6, pain_after=3,
                         rows=[("LI4", "left"), ("GV6", "midline")], **counts)
    page = client.get(f"/patients/{world['a']['patient'].id}").get_data(as_text=True)
    assert page.index(f'sessions/{newer}"') < page.index(f'sessions/{older}"')
    assert "LI4 (L), GV6" in page and "BL23 (B), GV6, LI4 (L), Ashi (L)" in page
    assert "Pain 6 → 3" in page and "Pain 7 → 4" in page
    assert "20 min retention" in page and "25 min retention" in page
    assert "Cupping, Dry (stationary), 4 cups, upper back, 10 min" in page


def adverse_event(client, world, visit_id, **overrides):
    data = {"code": "retained_needle", "severity": "minor", "outcome": "resolved",
            "onset_date": date.today().isoformat(), "point_application_id": "",
            "action_taken": "Found in the couch cover; disposed of", **overrides}
    return client.post(f"{urls(world)}/{visit_id}/adverse-events", data=data)


def test_adverse_event_needs_the_action_taken(app, client, world):
    visit_id = make_session(app, world["a"], needles_removed=4)
    response = adverse_event(client, world, visit_id, action_taken="")
    assert response.status_code == 422
    assert (
        field_error(response.get_data(as_text=True), "action_taken")
        == "Say what was done about it."
    )
    assert sign(client, world, visit_id).status_code == 422
    assert adverse_event(client, world, visit_id).status_code == 302
    assert sign(client, world, visit_id).status_code == 302


def test_adverse_event_after_signing_is_flagged(app, client, world):
    visit_id = make_session(app, world["a"], sign=True)
    response = adverse_event(
        client, world, visit_id, code="haematoma", action_taken="Cold compress"
    )
    assert response.status_code == 302
    page = client.get(f"{urls(world)}/{visit_id}").get_data(as_text=True)
    assert "Haematoma / bruise" in page and "added after signing" in page


ROUTES = [("get", "/new"), ("get", "/{id}"), ("get", "/{id}/edit"), ("post", "/{id}/edit"),
          ("post", "/{id}/sign"), ("get", "/{id}/amend"), ("post", "/{id}/amend"),
          ("post", "/{id}/adverse-events")]


@pytest.mark.parametrize("method, path", ROUTES)
def test_another_clinic_gets_404(app, client, auth, clinic_world, method, path):
    visit_id = make_session(app, clinic_world["a"])
    auth.login("practitioner@b.test")
    response = getattr(client, method)(urls(clinic_world) + path.format(id=visit_id))
    assert response.status_code == 404
    assert stored(app, visit_id).status == "draft"


@pytest.mark.parametrize("method, path", ROUTES)
def test_reception_gets_403(app, client, as_role, method, path):
    world = as_role("reception")
    visit_id = make_session(app, world["a"])
    assert getattr(client, method)(urls(world) + path.format(id=visit_id)).status_code == 403


def test_a_session_holds_a_bounded_number_of_rows(app, client, world):
    # 61 point rows are refused with a message; nothing is saved; 60 are accepted.
    from tracker.sessions.forms import MAX_POINT_ROWS

    too_many = [point_row("", "left", custom_label=f"spot {i}", region="lower_limb")
                for i in range(MAX_POINT_ROWS + 1)]
    response, page = post_form(client, world, points=too_many,
                               needles_inserted=str(MAX_POINT_ROWS + 1),
                               needles_removed=str(MAX_POINT_ROWS + 1))
    assert response.status_code == 422
    assert f"A session holds at most {MAX_POINT_ROWS} point rows" in page
    assert count_sessions(app) == 0
    response, _ = post_form(client, world, points=too_many[:MAX_POINT_ROWS],
                            needles_inserted=str(MAX_POINT_ROWS),
                            needles_removed=str(MAX_POINT_ROWS))
    assert response.status_code == 302 and count_sessions(app) == 1


def test_quick_entry_past_the_limit_is_refused(client, world):
    from tracker.sessions.forms import MAX_POINT_ROWS

    wanted = MAX_POINT_ROWS + 1  # in entries of at most 20 Ashi needles each
    entries = [f"Ashi x{min(20, wanted - start)} L calf" for start in range(0, wanted, 20)]
    response, page = post_form(client, world, action="parse", quick_entry=", ".join(entries))
    assert response.status_code == 422
    assert f"A session holds at most {MAX_POINT_ROWS} point rows" in page


@pytest.mark.parametrize("whose", ["another clinic's", "another patient's", "no one's"])
def test_a_copied_session_must_be_the_patients_own(app, client, world, factory, whose):
    # The hidden copied_from_id names where the rows came from: it cannot point elsewhere.
    patient = factory.patient(world["a"]["clinic"], world["a"]["reception"])
    other_patient = {**world["a"], "patient": patient,
                     "episode": factory.episode(patient, world["a"]["practitioner"])}
    copied = {"another clinic's": lambda: make_session(app, world["b"]),
              "another patient's": lambda: make_session(app, other_patient),
              "no one's": lambda: 999_999}[whose]()
    response, page = post_form(client, world, copied_from_id=str(copied))
    assert response.status_code == 422
    assert "The session to copy from is not one of this patient&#39;s" in page
    assert count_sessions(app) == (0 if whose == "no one's" else 1)
    own = make_session(app, world["a"])
    response, _ = post_form(client, world, copied_from_id=str(own))
    assert response.status_code == 302
    assert stored_copies(app) == {own}


def stored_copies(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(TreatmentSession.copied_from_id)
                                      .where(TreatmentSession.copied_from_id.is_not(None))))


def test_patient_timeline_shows_the_newest_twenty_and_pages_to_the_rest(app, client, world):
    start = datetime(2026, 1, 5, 1, tzinfo=UTC)
    made = [make_session(app, world["a"], started_at=start + timedelta(days=n))
            for n in range(TIMELINE_PER_PAGE + 1)]
    base = f"/patients/{world['a']['patient'].id}"
    first = client.get(base).get_data(as_text=True)
    assert f'sessions/{made[-1]}"' in first and f'sessions/{made[1]}"' in first
    assert f'sessions/{made[0]}"' not in first
    assert "Newest first: 1–20 of 21" in first and f'href="{base}?page=2#timeline-heading"' in first
    second = client.get(f"{base}?page=2").get_data(as_text=True)
    assert f'sessions/{made[0]}"' in second and f'sessions/{made[1]}"' not in second
    past_the_end = client.get(f"{base}?page=9")
    assert past_the_end.status_code == 200
    assert "No sessions on this page." in past_the_end.get_data(as_text=True)
