"""STRICTA item 5, the practitioner's background: the model's note line, the service, the
admin's staff pages and the practitioner's own account page."""

import html
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.auth.services import AccountError, create_user, update_background
from tracker.extensions import db

NEXT_YEAR = date.today().year + 1
YEAR_MESSAGE = f"Enter the year practice began, from 1940 to {date.today().year}."
BACKGROUND = {
    "qualification": "BSc Acupuncture (Tokyo)",
    "practising_since": "2014",
    "training": "JSAM electroacupuncture course 2019",
}


def field_error(page: str, field: str) -> str | None:
    match = re.search(rf'id="{field}-error">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else None


def background_of(app, user_id) -> tuple:
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.qualification, user.practising_since, user.training


def update_events(app, user_id) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "user.update", AuditEvent.entity_id == user_id
            )
        ).all()
        db.session.expunge_all()
        return events


# --- the model: the line on the note -----------------------------------------------------


@pytest.mark.parametrize(
    ("since", "day", "years"),
    [
        (2014, date(2026, 11, 20), 12),
        (2014, date(2026, 1, 1), 12),
        (2026, date(2026, 11, 20), 0),
        (2027, date(2026, 11, 20), 0),  # a note dated before practice began: never negative
        (None, date(2026, 11, 20), None),
    ],
)
def test_years_in_practice_on_a_date(since, day, years):
    assert User(practising_since=since).years_in_practice_on(day) == years


@pytest.mark.parametrize(
    ("values", "line"),
    [
        (
            {"qualification": "BSc Acupuncture (Tokyo)", "practising_since": 2014,
             "training": "JSAM electroacupuncture course 2019"},
            "BSc Acupuncture (Tokyo), 12 years in practice; "
            "training: JSAM electroacupuncture course 2019",
        ),
        ({"qualification": "BSc Acupuncture", "training": ""}, "BSc Acupuncture"),
        ({"qualification": "", "practising_since": 2025, "training": ""}, "1 year in practice"),
        ({"qualification": "", "practising_since": 2026, "training": ""},
         "less than 1 year in practice"),
        ({"qualification": "", "training": "Course A\r\nCourse B"},
         "Training: Course A Course B"),
        ({"qualification": "", "training": ""}, ""),
    ],
    ids=["all", "qualification-only", "one-year", "first-year", "training-only", "nothing"],
)
def test_background_line_leaves_out_empty_parts(values, line):
    assert User(**values).background_on(date(2026, 11, 20)) == line


# --- the service ----------------------------------------------------------------------------


def test_update_background_audits_field_names_never_values(clinic_world, app_ctx):
    admin = db.session.get(User, clinic_world["a"]["admin"].id)
    practitioner = db.session.get(User, clinic_world["a"]["practitioner"].id)

    changed = update_background(
        practitioner, qualification="  BSc  Acupuncture ", practising_since=2014,
        training="", actor=admin,
    )
    assert changed == ["qualification", "practising_since"]
    assert (practitioner.qualification, practitioner.practising_since) == ("BSc Acupuncture", 2014)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.user_id, event.entity_id) == (
        "user.update", admin.id, practitioner.id
    )
    assert event.details == {"fields": ["qualification", "practising_since"]}
    assert "Acupuncture" not in str(event.details) and "2014" not in str(event.details)

    # Saving the same values again changes nothing and writes no row.
    last_id = select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)
    before = db.session.scalar(last_id)
    assert update_background(
        practitioner, qualification="BSc Acupuncture", practising_since=2014, training="",
        actor=practitioner,
    ) == []
    assert db.session.scalar(last_id) == before


@pytest.mark.parametrize("year", [1939, NEXT_YEAR])
def test_update_background_refuses_a_year_out_of_range(clinic_world, app_ctx, year):
    practitioner = db.session.get(User, clinic_world["a"]["practitioner"].id)
    with pytest.raises(AccountError, match="from 1940 to") as raised:
        update_background(
            practitioner, qualification="", practising_since=year, training="",
            actor=practitioner,
        )
    assert raised.value.field == "practising_since"
    assert practitioner.practising_since is None


@pytest.mark.parametrize(
    ("actor", "target"),
    [(("a", "practitioner"), ("a", "admin")), (("b", "admin"), ("a", "practitioner"))],
    ids=["colleague", "other-clinic-admin"],
)
def test_only_the_person_or_their_clinic_admin_may_update(clinic_world, app_ctx, actor, target):
    actor = db.session.get(User, clinic_world[actor[0]][actor[1]].id)
    target = db.session.get(User, clinic_world[target[0]][target[1]].id)
    with pytest.raises(AccountError, match="Only the person or a clinic admin"):
        update_background(
            target, qualification="Hacked", practising_since=None, training="", actor=actor
        )
    assert target.qualification == ""


def test_create_user_stores_the_background_and_audits_its_field_names(clinic_world, app_ctx):
    clinic = db.session.get(type(clinic_world["a"]["clinic"]), clinic_world["a"]["clinic"].id)
    user = create_user(
        clinic, email="new@a.test", name="New", role="practitioner",
        password="a long enough password", qualification="MSc Acupuncture",
        practising_since=2012,
    )
    assert (user.qualification, user.practising_since, user.training) == (
        "MSc Acupuncture", 2012, ""
    )
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "user.create"
    assert event.details == {
        "role": "practitioner", "fields": ["qualification", "practising_since"]
    }


# --- the admin's staff pages ----------------------------------------------------------------


def test_admin_sets_a_staff_members_background(app, client, as_role):
    world = as_role("admin")
    target = world["a"]["practitioner"]
    page = client.get(f"/clinic/staff/{target.id}/background").get_data(as_text=True)
    assert 'for="practising_since">In practice since (year)</label>' in page

    response = client.post(f"/clinic/staff/{target.id}/background", data=BACKGROUND)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/clinic/staff"
    assert background_of(app, target.id) == (
        "BSc Acupuncture (Tokyo)", 2014, "JSAM electroacupuncture course 2019"
    )
    [event] = update_events(app, target.id)
    assert event.user_id == world["a"]["admin"].id
    assert event.details == {"fields": ["qualification", "practising_since", "training"]}

    staff = client.get("/clinic/staff").get_data(as_text=True)
    assert f"BSc Acupuncture (Tokyo), {date.today().year - 2014} years in practice" in staff


@pytest.mark.parametrize("year", [str(NEXT_YEAR), "1939", "twenty", "٢٠٢٠", "+2020"])
def test_a_year_out_of_range_is_refused_next_to_the_field(app, client, as_role, year):
    world = as_role("admin")
    target = world["a"]["practitioner"]
    response = client.post(
        f"/clinic/staff/{target.id}/background", data={**BACKGROUND, "practising_since": year}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "practising_since") == YEAR_MESSAGE
    assert 'value="BSc Acupuncture (Tokyo)"' in page  # what was typed is kept
    assert background_of(app, target.id) == ("", None, "")
    assert update_events(app, target.id) == []


def test_admin_creates_staff_with_a_background(app, client, as_role):
    as_role("admin")
    form = {
        "name": "Hanako Sato", "email": "hanako@example.com", "role": "practitioner",
        "password": "a much longer pass phrase", **BACKGROUND,
    }
    assert client.post("/clinic/staff/new", data=form).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hanako@example.com"))
        assert (user.qualification, user.practising_since) == ("BSc Acupuncture (Tokyo)", 2014)

    response = client.post(
        "/clinic/staff/new",
        data={**form, "email": "later@example.com", "practising_since": str(NEXT_YEAR)},
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "practising_since") == YEAR_MESSAGE


def test_another_clinics_staff_member_is_a_404(app, client, as_role):
    world = as_role("admin")
    other = world["b"]["practitioner"]
    assert client.get(f"/clinic/staff/{other.id}/background").status_code == 404
    assert client.post(f"/clinic/staff/{other.id}/background", data=BACKGROUND).status_code == 404
    assert client.get("/clinic/staff/999999/background").status_code == 404
    assert background_of(app, other.id) == ("", None, "")


# --- the practitioner's own account ---------------------------------------------------------


def test_practitioner_edits_their_own_background(app, client, as_role):
    world = as_role("practitioner")
    me = world["a"]["practitioner"]
    patients = client.get("/patients/").get_data(as_text=True)
    assert 'href="/account/background"' in patients  # linked next to the account link

    response = client.post("/account/background", data=BACKGROUND, follow_redirects=True)
    assert response.status_code == 200
    assert "Your background has been saved." in response.get_data(as_text=True)
    assert background_of(app, me.id)[1] == 2014
    [event] = update_events(app, me.id)
    assert event.user_id == me.id

    response = client.post("/account/background", data={**BACKGROUND, "practising_since": "1900"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "practising_since") == YEAR_MESSAGE
    assert background_of(app, me.id)[1] == 2014


def test_a_practitioner_cannot_edit_anothers_background(app, client, as_role):
    world = as_role("practitioner")
    colleague = world["a"]["admin"]
    assert client.get(f"/clinic/staff/{colleague.id}/background").status_code == 403
    response = client.post(f"/clinic/staff/{colleague.id}/background", data=BACKGROUND)
    assert response.status_code == 403
    assert background_of(app, colleague.id) == ("", None, "")
    assert update_events(app, colleague.id) == []


def test_reception_has_no_background_page(client, as_role):
    as_role("reception")
    assert client.get("/account/background").status_code == 403
    assert 'href="/account/background"' not in client.get("/patients/").get_data(as_text=True)
