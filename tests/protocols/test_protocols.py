"""Protocols: the built-in "Middle back pain", clinic protocols typed in shorthand (create,
edit, retire), applying one to a session, and clinic isolation."""

import html
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.pages import field_error, selected_option
from tests.sessions.helpers import point_codes_on_form, session_form
from tracker.extensions import db
from tracker.protocols.builtin import MIDDLE_BACK_PAIN
from tracker.protocols.models import Protocol
from tracker.protocols.services import (
    PROTOCOLS_PER_PAGE,
    ProtocolError,
    protocol_choices,
    protocol_rows,
    save_protocol,
)
from tracker.sessions.models import TreatmentSession

SHORTHAND = "BL23 b/l 25mm, GV6, LI4 L 15mm, EX-B2 T7 R, Ashi: left T7 paraspinal"


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def create(client, name="Lower back", points=SHORTHAND, description="Lumbar strain"):
    return client.post(
        "/protocols/new", data={"name": name, "description": description, "points": points}
    )


def protocols(app, **where) -> list[Protocol]:
    with app.app_context():
        return db.session.scalars(
            select(Protocol)
            .filter_by(**where)
            .options(selectinload(Protocol.points))
            .order_by(Protocol.id)
        ).all()


def rows_of(protocol):
    return [
        (row.point.code if row.point else None, row.laterality, row.depth, row.custom_label)
        for row in protocol.points
    ]


def test_builtin_protocol_is_listed_and_not_editable(client, world):
    page = html.unescape(client.get("/protocols/").get_data(as_text=True))
    assert "Middle back pain" in page
    assert "BL18 bilat 12mm obl, BL20 bilat 12mm obl, BL23 bilat 25mm perp, GV6 12mm obl" in page
    builtin = page.split("Middle back pain")[1].split("</li>")[0]
    assert "Edit" not in builtin and "Retire" not in builtin
    assert client.get("/protocols/builtin:middle-back-pain/edit").status_code == 404


def test_builtin_rows_follow_the_article(app_ctx):
    name, protocol_id, rows = protocol_rows("builtin:middle-back-pain", clinic_id=1)
    assert (name, protocol_id) == ("Middle back pain", None)
    assert [(row["point"].code if row["point"] else None, row["laterality"]) for row in rows] == [
        (r.code, r.laterality) for r in MIDDLE_BACK_PAIN.rows
    ]
    assert [row["point"].code for row in rows if row["point"]] == [
        "BL18",
        "BL20",
        "BL23",
        "GV6",
        "GV9",
        "LI4",
        "GB21",
        "SP6",
    ]
    assert protocol_rows("builtin:nope", 1) is None and protocol_rows("clinic:999", 1) is None


def test_create_a_clinic_protocol_from_shorthand(app, client, world):
    response = create(client)
    assert response.status_code == 302
    [protocol] = protocols(app)
    assert (protocol.name, protocol.description, protocol.clinic_id) == (
        "Lower back",
        "Lumbar strain",
        world["a"]["clinic"].id,
    )
    assert rows_of(protocol) == [
        ("BL23", "bilateral", Decimal("25"), ""),
        ("GV6", "midline", None, ""),
        ("LI4", "left", Decimal("15"), ""),
        ("EX-B2", "right", None, ""),
        (None, "left", None, "left T7 paraspinal"),
    ]
    assert "Lower back" in client.get("/protocols/").get_data(as_text=True)


@pytest.mark.parametrize(
    "points, message",
    [
        ("BL23 b/l, XX9 L", "“XX9” is not a point code we know: check the code"),
        ("LI4", "LI4: give a side, e.g. “LI4 L”, “LI4 R” or “LI4 bilat”."),
    ],
)
def test_bad_points_are_refused_at_the_field(app, client, world, points, message):
    response = create(client, points=points)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in html.unescape(page)
    assert points in html.unescape(page)  # the typed shorthand is kept
    assert protocols(app) == []


def test_places_and_angles_survive_the_shorthand_editor(app, client, world):
    typed = "BL23 b/l 25mm perp, Ashi x2 L upper trap 8mm obl, Ashi: right 4th ICS, Hegu L trans"
    assert create(client, points=typed).status_code == 302
    [protocol] = protocols(app)
    assert [(row.point.code if row.point else None, row.region, row.level, row.laterality,
             row.angle) for row in protocol.points] == [
        ("BL23", "", "", "bilateral", "perpendicular"),
        (None, "trapezius", "", "left", "oblique"),
        (None, "trapezius", "", "left", "oblique"),
        (None, "chest", "ICS4", "right", None),
        ("LI4", "", "", "left", "transverse"),
    ]
    page = html.unescape(client.get(f"/protocols/{protocol.id}/edit").get_data(as_text=True))
    shorthand = ("BL23 bilat 25mm perp, Ashi: L upper trap 8mm obl, Ashi: L upper trap 8mm obl, "
                 "Ashi: right 4th ICS, LI4 L trans")
    assert f"{shorthand}</textarea>" in page


def test_duplicate_name_is_refused(app, client, world):
    assert create(client).status_code == 302
    response = create(client, points="SP6 b/l")
    assert response.status_code == 422
    assert "already has a protocol with this name" in field_error(
        response.get_data(as_text=True), "name"
    )
    assert len(protocols(app)) == 1


def test_edit_shows_shorthand_and_replaces_the_points(app, client, world):
    create(client, points="BL23 b/l 25mm, GV6, LI4 L 15mm")
    [protocol] = protocols(app)
    url = f"/protocols/{protocol.id}/edit"
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "BL23 bilat 25mm, GV6, LI4 L 15mm</textarea>" in page
    response = client.post(
        url, data={"name": "Lower back v2", "description": "", "points": "BL23 b/l 30mm, SP6 R"}
    )
    assert response.status_code == 302
    [protocol] = protocols(app)
    assert protocol.name == "Lower back v2"
    assert rows_of(protocol) == [
        ("BL23", "bilateral", Decimal("30"), ""),
        ("SP6", "right", None, ""),
    ]


def test_a_protocol_keeps_the_huatuojiaji_level(app, client, world):
    create(client, points="EX-B2 T7 R")
    [protocol] = protocols(app)
    page = html.unescape(client.get(f"/protocols/{protocol.id}/edit").get_data(as_text=True))
    assert "EX-B2 T7 R</textarea>" in page
    new_url = f"/patients/{world['a']['patient'].id}/sessions/new?protocol=clinic:{protocol.id}"
    assert (
        selected_option(client.get(new_url).get_data(as_text=True), "points-0-level")
        == "T7"
    )


def test_editing_a_protocol_keeps_the_ashi_label(app, client, world):
    create(client, points="LI4 L, Ashi: left T7 paraspinal")
    [protocol] = protocols(app)
    page = html.unescape(client.get(f"/protocols/{protocol.id}/edit").get_data(as_text=True))
    assert "LI4 L, Ashi: left T7 paraspinal</textarea>" in page


def test_retired_protocol_leaves_the_session_form_but_sessions_keep_its_name(app, client, world):
    create(client)
    [protocol] = protocols(app)
    patient, episode = world["a"]["patient"], world["a"]["episode"]
    new_url = f"/patients/{patient.id}/sessions/new"
    form_page = html.unescape(client.get(new_url).get_data(as_text=True))
    assert f"protocol=clinic:{protocol.id}" in form_page and "Protocol: Lower back" in form_page
    prefilled = client.get(f"{new_url}?protocol=clinic:{protocol.id}").get_data(as_text=True)
    assert [code for code, _ in point_codes_on_form(prefilled)] == [
        "BL23",
        "GV6",
        "LI4",
        "EX-B2",
        "",
    ]
    saved = client.post(
        new_url, data=session_form(episode_id=str(episode.id), protocol_key=f"clinic:{protocol.id}")
    )
    assert saved.status_code == 302
    assert client.post(f"/protocols/{protocol.id}/retire").status_code == 302
    form_page = client.get(new_url).get_data(as_text=True)
    assert f"protocol=clinic:{protocol.id}" not in form_page
    assert "Protocol: Middle back pain" in html.unescape(form_page)
    assert "Retired" in client.get("/protocols/").get_data(as_text=True)
    assert client.get(f"/protocols/{protocol.id}/edit").status_code == 404
    with app.app_context():
        visit = db.session.scalar(select(TreatmentSession))
        assert (visit.protocol_id, visit.protocol_name) == (protocol.id, "Lower back")
    detail = html.unescape(client.get(saved.headers["Location"]).get_data(as_text=True))
    assert "protocol “Lower back”" in detail


def test_a_retired_name_can_be_reused(app, client, world):
    create(client)
    [old] = protocols(app)
    client.post(f"/protocols/{old.id}/retire")
    assert create(client, points="SP6 b/l").status_code == 302
    assert [p.is_retired for p in protocols(app)] == [True, False]


def test_another_clinic_cannot_see_or_change_a_protocol(app, client, auth, world):
    create(client, name="Clinic A secret")
    [protocol] = protocols(app)
    auth.logout()
    auth.login("practitioner@b.test")
    assert client.get(f"/protocols/{protocol.id}/edit").status_code == 404
    assert (
        client.post(
            f"/protocols/{protocol.id}/edit", data={"name": "Stolen", "points": "LI4 L"}
        ).status_code
        == 404
    )
    assert client.post(f"/protocols/{protocol.id}/retire").status_code == 404
    assert "Clinic A secret" not in client.get("/protocols/").get_data(as_text=True)
    other = world["b"]["patient"].id
    page = client.get(f"/patients/{other}/sessions/new?protocol=clinic:{protocol.id}")
    assert point_codes_on_form(page.get_data(as_text=True)) == []
    [unchanged] = protocols(app)
    assert (unchanged.name, unchanged.is_retired) == ("Clinic A secret", False)


def test_reception_has_no_protocol_pages(client, as_role):
    as_role("reception")
    assert client.get("/protocols/").status_code == 403
    assert client.get("/protocols/new").status_code == 403


def test_save_protocol_service_rules(app_ctx, clinic_world):
    clinic = clinic_world["a"]["clinic"]
    actor = db.session.get(type(clinic_world["a"]["admin"]), clinic_world["a"]["admin"].id)
    with pytest.raises(ProtocolError, match="at least one point"):
        save_protocol(clinic.id, name="Empty", description="", rows=[], actor=actor)
    saved = save_protocol(
        clinic.id,
        name=" Neck ",
        description="",
        rows=[{"point": None, "custom_label": "C5", "laterality": "left"}],
        actor=actor,
    )
    db.session.commit()
    assert saved.name == "Neck"
    assert (f"clinic:{saved.id}", "Neck") in protocol_choices(clinic.id)
    assert protocol_choices(clinic_world["b"]["clinic"].id)[0][0] == "builtin:middle-back-pain"
    assert db.session.scalar(select(func.count()).select_from(Protocol)) == 1


def test_a_session_offers_the_clinics_protocols_by_name_after_the_built_in_ones(app_ctx,
                                                                               clinic_world):
    clinic = clinic_world["a"]["clinic"]
    actor = db.session.get(type(clinic_world["a"]["admin"]), clinic_world["a"]["admin"].id)
    row = [{"point": None, "custom_label": "C5", "laterality": "left"}]
    neck, ankle = (save_protocol(clinic.id, name=name, description="", rows=row, actor=actor)
                   for name in ("Neck", "Ankle"))
    db.session.commit()
    choices = protocol_choices(clinic.id)
    assert all(key.startswith("builtin:") for key, _ in choices[:-2])
    assert choices[-2:] == [(f"clinic:{ankle.id}", "Ankle"), (f"clinic:{neck.id}", "Neck")]


def test_the_protocols_page_lists_them_a_page_at_a_time(app, client, world):
    with app.app_context():
        clinic_id = world["a"]["clinic"].id
        actor = db.session.get(type(world["a"]["admin"]), world["a"]["admin"].id)
        row = [{"point": None, "custom_label": "C5", "laterality": "left"}]
        for n in range(PROTOCOLS_PER_PAGE + 2):
            save_protocol(clinic_id, name=f"Protocol {n:02d}", description="", rows=row,
                          actor=actor)
        db.session.commit()
    first = html.unescape(client.get("/protocols/").get_data(as_text=True))
    assert "By name: 1–25 of 27" in first
    assert "Protocol 24" in first and "Protocol 25" not in first
    second = html.unescape(client.get("/protocols/?page=2").get_data(as_text=True))
    assert "By name: 26–27 of 27" in second
    assert "Protocol 25" in second and "Protocol 26" in second and "Protocol 24" not in second
    assert "No protocols on this page." in client.get("/protocols/?page=5").get_data(
        as_text=True)
    assert "By name: 1–25 of 27" in html.unescape(
        client.get("/protocols/?page=x").get_data(as_text=True))
