"""Every needle checked, at one clinic date: the preview, the stored cautions, the banner and
signing agree, for custom (Ashi) points as for catalog points, whichever zone a start time
arrives in."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import fresh, patient_with, point, record
from tests.pages import plain
from tests.safety.helpers import base, caution_rows, row_cautions
from tests.sessions.helpers import point_row, session_form
from tracker.dates import today_in
from tracker.extensions import db
from tracker.sessions.models import TreatmentSession

TOKYO, LOS_ANGELES = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
ASHI_T7 = {"point": None, "custom_label": "left T7 paraspinal", "region": "upper_back",
           "level": "T7", "laterality": "left", "depth": 30, "depth_unit": "mm",
           "angle": "perpendicular", "stimulation": "manual"}


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def keys(rows) -> set[tuple[str, str]]:
    return {(row["key"] if isinstance(row, dict) else row.key,
             row["severity"] if isinstance(row, dict) else row.severity) for row in rows}


# --- The case, end to end through the pages --------------------------------------

DONE_MEANS_FORM = {
    "session_date": "2026-11-20", "start_time": "08:00",
    "needles_inserted": "3", "needles_removed": "3",
}


def done_means_points():
    return [point_row("BL23", "bilateral"),
            point_row("", "left", custom_label="left T7 paraspinal", region="upper_back",
                      level="T7", depth="30", angle="perpendicular")]


def test_pregnant_patient_with_bl23_and_a_deep_t7_ashi_point(app, client, factory, world):
    # 10 weeks pregnant on the session day, a Tokyo clinic, 08:00 local (23:00 UTC the day
    # before): both cautions show at once, the stored ones are exactly those shown, and
    # signing asks for each.
    side = patient_with(factory, world["a"], opened_on=date(2026, 11, 20), pregnant=True,
                        pregnancy_weeks=10)
    data = session_form(points=done_means_points(), episode_id=str(side["episode"].id),
                        **DONE_MEANS_FORM)

    shown = client.post(f"{base(side)}/sessions/cautions", data=data).get_json()
    assert keys(shown["cautions"]) == {
        ("pregnancy:BL23", "warning"),
        ("thorax_depth:Ashi: left T7 paraspinal", "warning"),
    }
    assert set(shown["rows"]) == {"0", "1"}  # each beside its own row
    pregnancy = next(c for c in shown["cautions"] if c["rule"] == "pregnancy")
    assert "10 weeks pregnant" in pregnancy["message"] and pregnancy["source"].startswith("WHO")

    saved = client.post(f"{base(side)}/sessions/new", data=data)
    assert saved.status_code == 302, plain(saved.get_data(as_text=True))[:400]
    with app.app_context():
        visit = db.session.scalars(db.select(TreatmentSession)).one()
        assert visit.started_at == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
        stored = caution_rows(visit.id)
        assert keys(stored) == keys(shown["cautions"])
        assert all(row.decision is None for row in stored)
        ids = {row.key: row.id for row in stored}

    refused = client.post(f"{base(side)}/sessions/{visit.id}/sign", data={})
    assert refused.status_code == 422
    text = plain(refused.get_data(as_text=True))
    assert "2 cautions to acknowledge" in text
    assert "BL23 is on the lumbosacral region" in text and "Ashi: left T7 paraspinal" in text

    signed = client.post(f"{base(side)}/sessions/{visit.id}/sign",
                         data={f"ack-{ids['pregnancy:BL23']}": "y",
                               f"reason-{ids['thorax_depth:Ashi: left T7 paraspinal']}":
                               "Slim patient: needled 10 mm oblique in the end; typed in error"})
    assert signed.status_code == 302
    note = plain(client.get(f"{base(side)}/sessions/{visit.id}").get_data(as_text=True))
    assert "Acknowledged by Practitioner" in note and "Overridden by Practitioner" in note


def test_the_form_shows_the_cautions_beside_the_rows_when_it_comes_back(client, factory, world):
    side = patient_with(factory, world["a"], opened_on=date(2026, 11, 20), pregnant=True,
                        pregnancy_weeks=10)
    data = session_form(points=done_means_points(), episode_id=str(side["episode"].id),
                        **{**DONE_MEANS_FORM, "action": "recount"})
    page = client.post(f"{base(side)}/sessions/new", data=data).get_data(as_text=True)
    beside = row_cautions(page)
    assert any("BL23 is on the lumbosacral region" in line for line in beside[0])
    assert any("pneumothorax risk" in line for line in beside[1])


# --- One clinic date ---------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "local", "weeks_on_the_day"), [
    # Tokyo, 08:00 on 15 November = 23:00 UTC on the 14th: 14 days after the intake.
    pytest.param(TOKYO, datetime(2026, 11, 15, 8, 0), 14, id="tokyo-morning"),
    pytest.param(TOKYO, datetime(2026, 11, 14, 23, 59), 13, id="tokyo-just-before-midnight"),
    pytest.param(TOKYO, datetime(2026, 11, 15, 0, 0), 14, id="tokyo-midnight"),
    # Los Angeles, 23:30 on 14 November = 07:30 UTC on the 15th: still 13 days.
    pytest.param(LOS_ANGELES, datetime(2026, 11, 14, 23, 30), 13, id="los-angeles-late-evening"),
    pytest.param(LOS_ANGELES, datetime(2026, 11, 15, 0, 30), 14, id="los-angeles-after-midnight"),
])
@pytest.mark.parametrize("given_in", ["clinic-zone", "utc"])
def test_stored_cautions_use_the_clinics_date_whatever_zone_the_start_time_is_in(
    app, factory, world, zone, local, weeks_on_the_day, given_in
):
    # 12 weeks recorded at intake on 1 November; ST21 (upper abdomen) is cautioned from 14.
    with app.app_context():
        clinic = fresh(world["a"], "clinic")
        clinic.timezone = zone.key
        db.session.commit()
    side = patient_with(factory, world["a"], opened_on=date(2026, 11, 1), pregnant=True,
                        pregnancy_weeks=12)
    started = local.replace(tzinfo=zone)
    if given_in == "utc":
        started = started.astimezone(UTC)
    with app.app_context():
        visit = record(side, [point("ST21", "bilateral")], started_at=started)
        stored = {row.key for row in caution_rows(visit.id)}
    assert ("pregnancy:ST21" in stored) is (weeks_on_the_day >= 14)


def test_the_probe_case_preview_and_stored_agree(app, client, factory, world):
    # The review's probe: 12 weeks on 1 November, ST21 at 08:00 on 15 November in Tokyo.
    # It used to show the caution in the preview and store none.
    side = patient_with(factory, world["a"], opened_on=date(2026, 11, 1), pregnant=True,
                        pregnancy_weeks=12)
    data = session_form(points=[point_row("ST21", "bilateral")],
                        episode_id=str(side["episode"].id), session_date="2026-11-15",
                        start_time="08:00", needles_inserted="2", needles_removed="2")
    shown = client.post(f"{base(side)}/sessions/cautions", data=data).get_json()
    assert keys(shown["cautions"]) == {("pregnancy:ST21", "warning")}
    assert "14 weeks pregnant" in shown["cautions"][0]["message"]
    assert client.post(f"{base(side)}/sessions/new", data=data).status_code == 302
    with app.app_context():
        visit = db.session.scalars(db.select(TreatmentSession)).one()
        assert keys(caution_rows(visit.id)) == keys(shown["cautions"])


def test_the_banner_counts_weeks_to_the_clinics_today(app, client, factory, world):
    # Whatever the hour, one of these two zones is on another date than UTC (the server's):
    # Kiritimati (UTC+14) from 10:00 UTC, Pago Pago (UTC-11) until 11:00 UTC.
    now = datetime.now(UTC)
    zone = "Pacific/Kiritimati" if today_in("Pacific/Kiritimati") != now.date() \
        else "Pacific/Pago_Pago"
    clinic_today = today_in(zone)
    # Put the intake so that the clinic's today and the UTC date fall in different weeks.
    ahead = clinic_today > now.date()
    opened_on = clinic_today - timedelta(days=7 if ahead else 6)
    with app.app_context():
        fresh(world["a"], "clinic").timezone = zone
        db.session.commit()
    side = patient_with(factory, world["a"], opened_on=opened_on, pregnant=True,
                        pregnancy_weeks=20)
    page = plain(client.get(base(side)).get_data(as_text=True))
    expected = 20 + (clinic_today - opened_on).days // 7
    assert f"about {expected} weeks now" in page


def test_signing_asks_the_engine_again_when_the_intake_changed(app, client, factory, world):
    # The draft was saved before the pregnancy was recorded: signing finds the new caution,
    # stores it and asks for a decision.
    side = patient_with(factory, world["a"], opened_on=date(2026, 11, 1))
    with app.app_context():
        visit = record(side, [point("BL23", "bilateral")], needles_inserted=2,
                       needles_removed=2)
        assert caution_rows(visit.id) == []
        episode = fresh(side, "episode")
        episode.pregnant, episode.pregnancy_weeks = True, 8
        db.session.commit()
    refused = client.post(f"{base(side)}/sessions/{visit.id}/sign", data={})
    assert refused.status_code == 422
    assert "BL23 is on the lumbosacral region" in plain(refused.get_data(as_text=True))
    with app.app_context():
        (row,) = caution_rows(visit.id)
        assert row.key == "pregnancy:BL23" and row.decision is None


def test_the_refused_sign_page_names_who_decided(app, client, factory, world):
    side = patient_with(factory, world["a"], opened_on=date(2026, 11, 20), pregnant=True,
                        pregnancy_weeks=10)
    with app.app_context():
        visit = record(side, [point("BL23", "bilateral")], pain_after=None,
                       started_at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
        (row,) = caution_rows(visit.id)
    refused = client.post(f"{base(side)}/sessions/{visit.id}/sign", data={f"ack-{row.id}": "y"})
    assert refused.status_code == 422  # pain after is missing
    text = plain(refused.get_data(as_text=True))
    assert "Record the pain score before and after treatment" in text
    assert "Acknowledged by Practitioner" in text


def test_a_custom_point_without_a_region_is_refused_at_its_field(client, factory, world):
    side = patient_with(factory, world["a"])
    data = session_form(points=[point_row("", "left", custom_label="sore spot")],
                        episode_id=str(side["episode"].id), needles_inserted="1",
                        needles_removed="1")
    response = client.post(f"{base(side)}/sessions/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="points-0-region-error"' in page and "Choose where this point is" in page
    # The summary at the top names the problem and links to the field.
    assert '<a href="#points-0-region" class="alert-link">Point row 1: Body region</a>' in page
    assert "autofocus" not in page.split('id="quick_entry"')[1].split(">")[0]


@pytest.mark.parametrize(("region", "level", "message"), [
    ("lower_back", "T7", "T7 is not on the lower back (lumbar, l1-l5): choose one from L1 to L5"),
    ("trapezius", "T2", "leave the level empty"),
    ("chest", "L2", "choose one from 1st intercostal space to T12"),
])
def test_a_custom_points_level_must_fit_its_region(client, factory, world, region, level,
                                                   message):
    side = patient_with(factory, world["a"])
    data = session_form(points=[point_row("", "left", custom_label="tender", region=region,
                                          level=level)],
                        episode_id=str(side["episode"].id), needles_inserted="1",
                        needles_removed="1")
    response = client.post(f"{base(side)}/sessions/new", data=data)
    assert response.status_code == 422
    assert message in plain(response.get_data(as_text=True))
