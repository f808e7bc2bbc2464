"""No input gives a 500, and a refused request writes nothing.

Every form of the app (found by reading its pages, so a form added later is driven too),
every page's query string and the JSON endpoints are sent hostile and random values, with
hypothesis choosing which fields and which values: non-ASCII digits, ids past 2**63, NaN and
sNaN, numbers that underflow or overflow a column, dates in year 1 and 9999, control
characters, very long text. The answer is always a page or a 4xx, never a 500; when it is a
refusal, no clinical record changed.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.factories import adjunct, make_session
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.patients.models import Consent, Patient
from tracker.protocols.models import Protocol
from tracker.safety.models import AdverseEvent
from tracker.scores.models import Assessment
from tracker.sessions.models import Adjunct, PointApplication, TreatmentSession

HOSTILE = [
    "", " ", "٣", "²", "１２", "-1", "0", "99999999999999999999", "9" * 400, "NaN", "sNaN",
    "Infinity", "-Infinity", "1e-400", "1e400", "1E+9999", "0.00001", "0001-01-01",
    "9999-12-31", "2026-02-30", "25:99", "x" * 300, "x" * 5000, "<script>alert(1)</script>",
    "' OR 1=1 --", "%(name)s", "{0}", "\r\n", "line\nbreak", "../../etc/passwd", "🙂" * 50,
    "adjunct:" + "x" * 200, "clinic:99999999999999999999", "builtin:nope", "on", "true",
    "T99", "ICS99", "furlong", "bilateral", "midline", "1" * 19,
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
# Every field of every form gets each of these (one field at a time): the values that once
# reached the database as something it could not hold.
KILLERS = ["٣", "99999999999999999999", "sNaN", "1e-400", "0.04", "0001-01-01",
           "9999-12-31", "x" * 5000, "furlong", "adjunct:" + "x" * 200]
# The records a refusal must leave exactly as they were.
CLINICAL = (Patient, Consent, Episode, TreatmentSession, PointApplication, Adjunct,
            AdverseEvent, Protocol, Assessment)
QUERY_NAMES = ("q", "page", "archived", "start", "end", "copy", "protocol", "next",
               "patient_id", "action", "instrument", "episode", "days", "excel", "from", "to",
               "status")
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


class _Forms(HTMLParser):
    """The POST forms of a page: their action and the names and values of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self._current = {"action": values.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select"):
            name = values.get("name")
            if not name or values.get("type") in ("submit", "button"):
                if name and values.get("type") == "submit":
                    self._current["fields"].setdefault(name, values.get("value", ""))
                return
            if values.get("type") in ("checkbox", "radio") and "checked" not in values:
                self._current["fields"].setdefault(name, "")
                return
            self._current["fields"][name] = values.get("value", "")
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select and "selected" in values:
            self._current["fields"][self._select] = values.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        if tag == "select":
            self._select = None


def forms_of(page: str, url: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        form["action"] = form["action"] or url.split("?")[0]
    return parser.forms


def clinical_counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in CLINICAL}


@pytest.fixture
def app_in_use(app, client, clinic_world):
    side = clinic_world["a"]
    make_session(app, side, adjuncts=[adjunct("cupping", cupping_method="dry", cups=4)],
                 sign=True)
    draft = make_session(app, side)
    client.post("/login", data={"email": side["admin"].email, "password": PASSWORD})
    client.post("/protocols/new", data={"name": "Fuzz protocol", "points": "LI4 L, GV20"})
    with app.app_context():
        protocol = db.session.scalar(select(Protocol.id))
    patient = side["patient"].id
    pages = [
        "/patients/", "/patients/new", f"/patients/{patient}", f"/patients/{patient}/edit",
        f"/patients/{patient}/consent", f"/patients/{patient}/episodes/new",
        f"/patients/{patient}/episodes/{side['episode'].id}",
        f"/patients/{patient}/episodes/{side['episode'].id}/edit",
        f"/patients/{patient}/episodes/{side['episode'].id}/close",
        f"/patients/{patient}/sessions/new", f"/patients/{patient}/sessions/{draft}",
        f"/patients/{patient}/sessions/{draft}/edit", f"/patients/{patient}/adverse-events/new",
        "/protocols/", "/protocols/new", f"/protocols/{protocol}/edit", "/points/",
        "/points/GB21", "/safety/report", "/clinic/staff", "/clinic/staff/new",
        "/clinic/settings", f"/clinic/staff/{side['practitioner'].id}/background", "/audit/",
        "/account/password", "/account/background", "/", "/outcomes/follow-ups",
        "/outcomes/follow-ups.csv",
        "/outcomes/review", "/outcomes/review?from=2026-11-01&to=2026-11-30&status=closed",
        f"/patients/{patient}/progress",
        *(f"/patients/{patient}/scores/new?instrument={code}"
          for code in ("nrs", "psfs", "rmdq", "odi")),
    ]
    forms = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        forms += [form for form in forms_of(response.get_data(as_text=True), url)
                  if "/logout" not in form["action"]]
    return {"client": client, "pages": pages, "forms": forms, "patient": patient,
            "draft": draft}


def answer(client, method: str, url: str, data=None):
    """The status, or the exception a 500 would have been (the test app re-raises)."""
    try:
        response = client.open(url, method=method, data=data)
    except Exception as error:  # noqa: BLE001 - any exception is the 500 we are looking for
        return f"{type(error).__name__}: {str(error)[:300]}"
    return response.status_code


def test_the_forms_were_found(app_in_use):
    actions = {re.sub(r"\d+", "N", form["action"]) for form in app_in_use["forms"]}
    assert len(actions) >= 15
    assert "/patients/N/sessions/new" in actions and "/patients/new" in actions


def field_shapes(fields: dict) -> list[str]:
    """One field of each shape: the first point row stands for every point row."""
    seen, names = set(), []
    for name in sorted(fields):
        shape = re.sub(r"-\d+-", "-N-", name)
        if shape not in seen:
            seen.add(shape)
            names.append(name)
    return names


def test_every_field_of_every_form_takes_every_killer_value(app, app_in_use):
    failures = []
    for form in app_in_use["forms"]:
        for name in field_shapes(form["fields"]):
            for value in KILLERS:
                with app.app_context():
                    before = clinical_counts()
                status = answer(app_in_use["client"], "POST", form["action"],
                                {**form["fields"], name: value})
                if not isinstance(status, int) or status >= 500:
                    failures.append((form["action"], name, value[:20], status))
                elif status >= 400:  # refused: nothing clinical may have been written
                    with app.app_context():
                        if clinical_counts() != before:
                            failures.append((form["action"], name, value[:20], "written"))
    assert failures == [], "\n".join(map(str, failures))


def test_every_query_parameter_takes_every_killer_value(app_in_use):
    failures = []
    for page in app_in_use["pages"]:
        for name in QUERY_NAMES:
            for value in KILLERS:
                joiner = "&" if "?" in page else "?"
                status = answer(app_in_use["client"], "GET",
                                f"{page}{joiner}{urlencode({name: value})}")
                if not isinstance(status, int) or status >= 500:
                    failures.append((page, name, value[:20], status))
    assert failures == [], "\n".join(map(str, failures))


@SETTINGS
@given(data=st.data())
def test_no_form_answers_500_to_hostile_values(app, app_in_use, data):
    form = data.draw(st.sampled_from(app_in_use["forms"]))
    fields = dict(form["fields"])
    names = sorted(fields)
    chosen = data.draw(st.lists(st.sampled_from(names), max_size=min(6, len(names)),
                                unique=True)) if names else []
    for name in chosen:
        fields[name] = data.draw(VALUES)
    with app.app_context():
        before = clinical_counts()
    status = answer(app_in_use["client"], "POST", form["action"], fields)
    assert isinstance(status, int) and status < 500, (form["action"], chosen, status)
    if status >= 400:
        with app.app_context():
            assert clinical_counts() == before, (form["action"], chosen)


# The rows of every list the forms post: a session's points and techniques, a PSFS's
# activities, an ODI's sections.
ROW_FIELDS = {"points-{}-code": "ST36", "points-{}-laterality": "left",
              "adjuncts-{}-kind": "cupping", "activities-{}-name": "Walking",
              "activities-{}-score": "5", "sections-{}": "2"}


@pytest.mark.parametrize("number", ["²", "٣", "１", "9" * 400, "-1", ""])
def test_rows_numbered_by_anything_but_ascii_digits_are_never_a_500(app_in_use, number):
    """A list's rows are numbered in their fields' names (points-0-code): "²" once reached
    int() (a 500), for WTForms takes whatever str.isdigit() takes."""
    rows = {name.format(number): value for name, value in ROW_FIELDS.items()}
    for form in app_in_use["forms"]:
        status = answer(app_in_use["client"], "POST", form["action"], {**form["fields"], **rows})
        assert isinstance(status, int) and status < 500, (form["action"], number, status)


@SETTINGS
@given(data=st.data())
def test_no_query_string_answers_500(app_in_use, data):
    page = data.draw(st.sampled_from(app_in_use["pages"]))
    names = data.draw(st.lists(st.sampled_from(QUERY_NAMES), min_size=1, max_size=3,
                               unique=True))
    query = urlencode({name: data.draw(VALUES) for name in names})
    status = answer(app_in_use["client"], "GET", f"{page}{'&' if '?' in page else '?'}{query}")
    assert isinstance(status, int) and status < 500, (page, query, status)


@SETTINGS
@given(value=VALUES)
def test_the_json_endpoints_never_answer_500(app_in_use, value):
    client = app_in_use["client"]
    status = answer(client, "GET", "/points/search.json?" + urlencode({"q": value}))
    assert isinstance(status, int) and status < 500, status
    preview = next(form for form in app_in_use["forms"]
                   if form["action"].endswith("/sessions/new"))["fields"]
    for name in ("points-0-depth", "points-0-code", "session_date", "episode_id",
                 "adjuncts-0-kind"):
        status = answer(client, "POST", f"/patients/{app_in_use['patient']}/sessions/cautions",
                        {**preview, name: value})
        assert isinstance(status, int) and status < 500, (name, status)


@pytest.mark.parametrize("path", [
    "/patients/٣", "/patients/1²", "/patients/99999999999999999999",
    "/patients/9223372036854775808/sessions/1", "/points/%00", "/points/" + "x" * 3000,
])
def test_hostile_paths_are_not_found(app_in_use, path):
    assert answer(app_in_use["client"], "GET", path) in (400, 404)
