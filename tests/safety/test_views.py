"""Safety through the test client: cautions on the form and its JSON preview, overrides,
signing (decisions, needle count), adverse events, the report, red flags, consent first."""

from urllib.parse import unquote

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.factories import make_session, patient_with
from tests.pages import field_error, input_value, plain
from tests.safety.helpers import banners, base, caution_rows, form, row_cautions, sign
from tests.sessions.helpers import count_sessions, point_row
from tracker.extensions import db
from tracker.safety.models import AdverseEvent
from tracker.sessions.models import TreatmentSession

EA_ROW = {"kind": "electroacupuncture", "ea_pairs": "BL23-BL25", "ea_frequency_hz": "2",
          "ea_waveform": "continuous", "minutes": "20", "ear_side": "both"}
EA_POINTS = [point_row("BL23", "left"), point_row("BL25", "left")]
OVERRIDE = "Cardiologist cleared low-frequency EA away from the chest"
AE_FORM = {"code": "dizziness", "severity": "minor", "onset_date": "2026-11-21",
           "description": "Dizzy on the way home", "action_taken": "Advised to rest",
           "outcome": "resolved"}


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


@pytest.fixture
def pregnant(factory, world):
    return patient_with(factory, world["a"], pregnant=True, pregnancy_weeks=10)


@pytest.fixture
def paced(factory, world):
    return patient_with(factory, world["a"], pacemaker=True)


def test_preview_answers_for_the_unsaved_form(app, client, pregnant):
    data = form(pregnant, [point_row("ST36", "bilateral"), point_row("LI4", "left")])
    response = client.post(f"{base(pregnant)}/sessions/cautions", data=data)
    assert response.status_code == 200
    answer = response.get_json()
    assert [(c["key"], c["severity"]) for c in answer["cautions"]] == [("pregnancy:LI4", "warning")]
    assert answer["cautions"][0]["source"] and answer["cautions"][0]["reason"]
    assert list(answer["rows"]) == ["1"] and "LI4" in answer["rows"]["1"][0]["message"]
    assert "Caution:" in answer["html"]
    assert count_sessions(app) == 0


def test_add_to_list_shows_each_caution_next_to_its_row(client, pregnant):
    data = form(pregnant, [], action="parse", quick_entry="ST36 bilat, LI4 L, GB21 R 30mm")
    page = client.post(f"{base(pregnant)}/sessions/new", data=data).get_data(as_text=True)
    by_row = row_cautions(page)
    assert list(by_row) == [0, 1, 2] and by_row[0] == []
    assert by_row[1] == ["LI4 is cautioned in pregnancy; the patient is 12 weeks pregnant."]
    assert any(c.startswith("GB21: pneumothorax risk: 30 mm is deeper") for c in by_row[2])
    assert any(c.startswith("GB21 is cautioned in pregnancy") for c in by_row[2])
    assert "Cautions for this patient" in page


def test_contraindication_needs_a_reason_at_the_field(app, client, paced):
    data = form(paced, EA_POINTS, adjuncts=[EA_ROW])
    response = client.post(f"{base(paced)}/sessions/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A contraindication needs your reason" in field_error(page, "override_reason")
    assert "pacemaker" in field_error(page, "override_reason")
    assert input_value(page, "adjuncts-0-ea_pairs") == "BL23-BL25"
    assert count_sessions(app) == 0

    data["override_reason"] = OVERRIDE
    response = client.post(f"{base(paced)}/sessions/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.scalars(select(TreatmentSession)).one()
        (row,) = caution_rows(visit.id)
        assert (row.severity, row.decision, row.decision_reason) == (
            "contraindicated", "overridden", OVERRIDE)
    assert sign(client, response.location)[0] == 302
    note = plain(client.get(response.location).get_data(as_text=True))
    assert "Overridden by Practitioner at" in note and OVERRIDE in note and "Signed" in note


def test_adding_ea_to_a_draft_without_a_reason_changes_nothing(app, client, paced):
    visit_id = make_session(app, paced, rows=[("BL23", "left"), ("BL25", "left")])
    data = form(paced, EA_POINTS, adjuncts=[EA_ROW], version="1", subjective="Changed")
    response = client.post(f"{base(paced)}/sessions/{visit_id}/edit", data=data)
    assert response.status_code == 422 and field_error(response.get_data(as_text=True),
                                                       "override_reason")
    with app.app_context():
        visit = db.session.get(TreatmentSession, visit_id,
                               options=[selectinload(TreatmentSession.adjuncts)])
        assert (visit.adjuncts, visit.subjective, caution_rows(visit_id)) == ([], "", [])


def test_needle_mismatch_is_signed_only_with_a_retained_needle_event(app, client, world):
    side = world["a"]
    visit_id = make_session(app, side, rows=[("ST36", "bilateral")], needles_removed=1)
    url = f"{base(side)}/sessions/{visit_id}"
    status, page = sign(client, url)
    assert status == 422 and "2 needles inserted but 1 removed" in page
    event = {**AE_FORM, "code": "retained_needle", "onset_date": "2026-11-20",
             "action_taken": "Found on the couch and disposed of in the sharps bin"}
    assert client.post(f"{url}/adverse-events", data=event).status_code == 302
    assert sign(client, url)[0] == 302
    with app.app_context():
        assert db.session.get(TreatmentSession, visit_id).is_signed


@pytest.mark.parametrize(("field", "value", "shown"), [
    pytest.param("ack", "y", "Acknowledged by Practitioner at", id="ticked"),
    pytest.param("reason", "Breech: senior advice", "Overridden by Practitioner at", id="reason"),
])
def test_pending_warnings_refuse_signing_until_each_is_decided(app, client, pregnant, field,
                                                               value, shown):
    visit_id = make_session(app, pregnant, rows=[("LI4", "left"), ("SP6", "left")])
    url = f"{base(pregnant)}/sessions/{visit_id}"
    with app.app_context():
        ids = [row.id for row in caution_rows(visit_id)]
    status, page = sign(client, url)
    assert status == 422 and "2 cautions to acknowledge" in page
    status, page = sign(client, url, {f"{field}-{ids[0]}": value})
    assert status == 422 and "1 caution to acknowledge" in page
    assert sign(client, url, {f"{field}-{i}": value for i in ids})[0] == 302
    note = plain(client.get(url).get_data(as_text=True))
    assert note.count(shown) == 2 and "Signed by Practitioner" in note
    if field == "reason":
        assert note.count(f": {value}") == 2


def test_a_refused_signing_shows_decisions_as_they_are_stored(app, client, pregnant):
    visit_id = make_session(app, pregnant, rows=[("LI4", "left")], pain_after=None)
    url = f"{base(pregnant)}/sessions/{visit_id}"
    with app.app_context():
        (row,) = caution_rows(visit_id)
    status, refused = sign(client, url, {f"ack-{row.id}": "y"})
    assert status == 422 and "Record the pain score" in refused
    reloaded = plain(client.get(url).get_data(as_text=True))
    assert ("Acknowledged by" in refused) == ("Acknowledged by" in reloaded)


def test_removed_point_keeps_its_caution_as_no_longer_applying(app, client, pregnant):
    visit_id = make_session(app, pregnant, rows=[("LI4", "left"), ("ST36", "left")])
    url = f"{base(pregnant)}/sessions/{visit_id}"
    data = form(pregnant, [point_row("ST36", "left")], version="1", needles_inserted="1",
                needles_removed="1")
    assert client.post(f"{url}/edit", data=data).status_code == 302
    assert sign(client, url)[0] == 302  # nothing left to decide
    note = plain(client.get(url).get_data(as_text=True))
    assert "LI4 is cautioned in pregnancy" in note and "no longer applies" in note


def test_adverse_event_after_signing_is_flagged_on_the_note(app, client, world):
    side = world["a"]
    visit_id = make_session(app, side, rows=[("ST36", "bilateral")], sign=True)
    url = f"{base(side)}/sessions/{visit_id}"
    assert client.post(f"{url}/adverse-events", data=AE_FORM).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(AdverseEvent)).one().after_signing
    assert "added after signing" in client.get(url).get_data(as_text=True)


def test_adverse_event_between_visits_shows_on_the_patient_page(app, client, world):
    side = world["a"]
    url = f"{base(side)}/adverse-events/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data=AE_FORM)
    assert response.status_code == 302 and response.location.endswith("#adverse-events")
    with app.app_context():
        stored = db.session.scalars(select(AdverseEvent)).one()
        assert (stored.session_id, stored.code, stored.after_signing) == (None, "dizziness", False)
    page = plain(client.get(base(side)).get_data(as_text=True))
    assert "Dizziness · Minor" in page and "between visits" in page
    assert "Action: Advised to rest." in page


@pytest.mark.parametrize(("missing", "message"), [
    pytest.param("action_taken", "Say what was done about it.", id="no-action"),
    pytest.param("code", "Choose the event.", id="no-code"),
])
def test_adverse_event_between_visits_refuses_missing_fields(app, client, world, missing,
                                                             message):
    response = client.post(f"{base(world['a'])}/adverse-events/new",
                           data={**AE_FORM, missing: ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and field_error(page, missing) == message
    assert "Dizzy on the way home" in page
    with app.app_context():
        assert db.session.scalars(select(AdverseEvent)).all() == []


@pytest.mark.parametrize(("role", "method", "path", "status"), [
    ("reception", "get", "/safety/report", 403),
    ("reception", "get", "{a}/adverse-events/new", 403),
    ("reception", "post", "{a}/adverse-events/new", 403),
    ("reception", "post", "{a}/sessions/cautions", 403),
    ("practitioner", "get", "{b}/adverse-events/new", 404),
    ("practitioner", "post", "{b}/adverse-events/new", 404),
    ("practitioner", "post", "{b}/sessions/cautions", 404),
    ("practitioner", "post", "{b}/sessions/{session}/adverse-events", 404),
    ("practitioner", "post", "{b}/sessions/{session}/sign", 404),
])
def test_reception_gets_403_and_another_clinics_ids_404(app, client, as_role, role, method,
                                                        path, status):
    world = as_role(role)
    session = make_session(app, world["b"], rows=[("ST36", "left")])
    url = path.format(a=base(world["a"]), b=base(world["b"]), session=session)
    data = AE_FORM if method == "post" else None
    assert getattr(client, method)(url, data=data).status_code == status
    with app.app_context():
        assert db.session.scalars(select(AdverseEvent)).all() == []
        assert not db.session.get(TreatmentSession, session).is_signed


RED_FLAG = "Red flags: refer for medical evaluation"
PATIENT_PAGES = {
    "patient": "{p}", "edit": "{p}/edit", "consent": "{p}/consent",
    "intake": "{p}/episodes/{e}",
    "session-form": "{p}/sessions/new", "session": "{p}/sessions/{s}",
    "amend": "{p}/sessions/{s}/amend", "adverse-event-form": "{p}/adverse-events/new",
}


@pytest.mark.parametrize("page", PATIENT_PAGES.values(), ids=PATIENT_PAGES.keys())
def test_red_flag_banner_on_every_patient_page_until_acknowledged(app, client, factory, world,
                                                                  page):
    flagged = patient_with(factory, world["a"], red_flags=["fever", "night_pain"])
    visit_id = make_session(app, flagged, rows=[("ST36", "left")], needles_inserted=1,
                            needles_removed=1, sign=True)
    url = page.format(p=base(flagged), e=flagged["episode"].id, s=visit_id)
    response = client.get(url)
    shown = banners(response.get_data(as_text=True))
    assert response.status_code == 200
    assert RED_FLAG in shown and "Fever" in shown and "Night pain not eased by rest" in shown
    ack = f"{base(flagged)}/episodes/{flagged['episode'].id}/acknowledge"
    assert client.post(ack, data={"note": "Referred to GP on 2026-11-20"}).status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    assert RED_FLAG not in response.get_data(as_text=True)


@pytest.mark.parametrize(("given", "lands_on"), [
    pytest.param("yes", "{p}/sessions/new", id="given"),
    pytest.param("no", "{p}", id="refused"),
])
def test_new_session_asks_for_consent_first(client, factory, world, given, lands_on):
    unconsented = patient_with(factory, world["a"], consent=False)
    p = base(unconsented)
    response = client.get(f"{p}/sessions/new")
    assert response.status_code == 302
    assert unquote(response.location) == f"{p}/consent?next={p}/sessions/new"
    consent = {"given": given, "consent_date": "2026-11-20", "form_version": "2026-04"}
    response = client.post(response.location, data=consent)
    assert response.status_code == 302 and response.location == lands_on.format(p=p)
    response = client.get(f"{p}/sessions/new")
    assert response.status_code == (200 if given == "yes" else 302)
    if given == "yes":
        assert 'name="episode_id"' in response.get_data(as_text=True)
