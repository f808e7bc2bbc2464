"""Every string a user reads is marked for translation.

The test extracts every marked string from the code and templates (as `make messages` does),
compiles a pseudo-locale catalog that wraps each one in ⟦…⟧, renders every page of the app
under it, and looks for text that is neither wrapped nor data (names, codes, notes typed by
users, catalog text, numbers and dates). An unmarked string shows up in plain English.
"""

import os
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from sqlalchemy import JSON, MetaData, String, Text, select

from tests.conftest import PASSWORD, app_for
from tests.factories import intake_form_data, patient_with, point, record
from tracker.audit.services import record_event
from tracker.extensions import db
from tracker.scores.services import record_score, void_score
from tracker.sessions.services import amend_session, sign_session
from tracker.sessions.timer import needles_in

ROOT = Path(__file__).resolve().parents[1]
PSEUDO = "eo"  # a locale the tracker will never ship: its catalog exists only in this test
OPEN, CLOSE = "⟦", "⟧"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
# Text that is not a sentence: codes, numbers, dates, identifiers, units, symbols.
DATA = re.compile(
    r"\b[A-Z]{1,3}-?\d+\b|\bEX-[A-Z]+\d*\b|\b[A-Z]+-\d{4}\b|\b\d+(?:[.,:/-]\d+)*\b"
    r"|\b[\w.+-]+@[\w.-]+\b|\b\w+[._]\w+(?:[._]\w+)*\b|\bmm\b|\bcun\b|\bHz\b|\bmA\b"
)
# Not language: scripts, the values of controls, and <code> (shorthand notation, identifiers).
SKIPPED_TAGS = {"script", "style", "option", "textarea", "title", "code"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}
# Attributes a user reads (or hears: screen readers read aria-label and title).
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


def pseudo(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory) -> str:
    """A compiled catalog for PSEUDO in which every extracted message is wrapped."""
    catalog = Catalog(locale=PSEUDO)
    sources = (
        (ROOT / "tracker", [("**.py", "python")], {}),
        (ROOT / "templates", [("**.html", "jinja2")], {"**.html": {}}),
    )
    for directory, method_map, options in sources:
        for _file, _line, message, _comments, _context in extract_from_dir(
            directory, method_map, options, keywords=KEYWORDS,
            # Babel skips folders starting with "_" by default: templates/_macros counts.
            directory_filter=lambda path: not os.path.basename(path).startswith("."),
        ):
            if isinstance(message, tuple):
                catalog.add(message, tuple(pseudo(m) for m in message))
            elif message:
                catalog.add(message, pseudo(message))
    folder = tmp_path_factory.mktemp("translations")
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return str(folder)


@pytest.fixture
def pseudo_app(database_url, pseudo_translations):
    app = app_for(database_url, FORCE_LOCALE=PSEUDO,
                  BABEL_TRANSLATION_DIRECTORIES=pseudo_translations)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class _Text(HTMLParser):
    """The text a user reads; elements marked translate="no" (identifiers such as audit action
    codes) are not language and are left out, as translation tools leave them."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._skipping: list[str] = []  # the tags of the skipped elements we are inside

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self._skipping:
            if tag == self._skipping[0] and tag not in VOID_TAGS:
                self._skipping.append(tag)  # the same tag nested inside a skipped element
            return
        if tag in SKIPPED_TAGS or values.get("translate") == "no":
            if tag not in VOID_TAGS:
                self._skipping.append(tag)
            return
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.found.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.found.append(values["value"])

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.found.append(data)


def unmarked(page: str, data: list[str]) -> list[str]:
    """The pieces of a page's text that are neither translated (wrapped) nor data."""
    parser = _Text()
    parser.feed(page)
    problems = []
    for text in parser.found:
        rest = text
        while True:  # innermost first: a translated message may hold another one
            inner = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", rest)
            if inner == rest:
                break
            rest = inner
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
        rest = DATA.sub(" ", rest)
        if re.search(r"[A-Za-z]{2,}", rest):
            problems.append(" ".join(text.split()))
    return problems


def wtforms_messages() -> set[str]:
    """WTForms' own messages ("This field is required."): WTForms translates them from its
    own catalogs, so they are not ours to mark."""
    import wtforms

    template = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    return set(re.findall(r'^msgid "(.+)"$', template.read_text(), re.M))


def _strings(value) -> set[str]:
    """The strings inside a stored value (JSON lists and objects included)."""
    if isinstance(value, str):
        return {value} if value.strip() else set()
    if isinstance(value, dict):
        return {s for item in value.items() for part in item for s in _strings(part)}
    if isinstance(value, list | tuple):
        return {s for part in value for s in _strings(part)}
    return set()


def stored_text(app) -> list[str]:
    """Every string stored in the database (names, notes, catalog text ...), longest first:
    data, not interface; and WTForms' own messages."""
    values = set(wtforms_messages())
    with app.app_context():
        meta = MetaData()
        meta.reflect(db.engine)
        for table in meta.tables.values():
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for value in row:
                    values.update(_strings(value))
    return sorted(values, key=len, reverse=True)


FOLLOW_UPS = (
    ("psfs", {"activities": [{"name": "Sitting", "score": 4}]}),
    ("rmdq", {"items": [True] * 5 + [False] * 19}),
    ("odi", {"sections": [2] * 9 + [None]}),
    ("nrs", {"score": 3}),
)


def fill_the_clinic(app, factory, world) -> dict:
    """Every kind of record a page can show, in clinic "a"."""
    side = patient_with(factory, world["a"], pregnant=True, pregnancy_weeks=10,
                        red_flags=["fever"], skin_lesions=True, skin_lesions_site="scapula")
    with app.app_context():
        signed = record(side, [point("BL23", "bilateral"), point("GB21", "left", depth=30)],
                        needles_inserted=3, needles_removed=3)
        practitioner = db.session.merge(side["practitioner"])
        sign_session(signed, actor=practitioner, decisions={
            row.id: ("acknowledged", "") for row in signed.cautions if row.needs_decision})
        amend_session(signed, reason="Typo", values={"subjective": "Better"},
                      actor=practitioner)
        draft = record(side, [point("LI4", "left")])
        # Needle timers on the draft's pages and the dashboard: one running, one past its end.
        late = record(side, [point("SP6", "left")])
        for visit, minutes in ((draft, 5), (late, 30)):
            needles_in(visit, at=datetime.now(UTC) - timedelta(minutes=minutes),
                       actor=practitioner, version=visit.version)
        record_event("patient.list", actor=practitioner, details={"results": 1})
        patient, episode = db.session.merge(side["patient"]), db.session.merge(side["episode"])
        scores = [record_score(patient, episode, instrument=instrument, answers=answers,
                                   taken_at=datetime(2026, 11, 20, 3, tzinfo=UTC),
                                   zone="Asia/Tokyo", actor=practitioner)
                  for instrument, answers in FOLLOW_UPS]
        void_score(scores[-1], reason="Entered twice", actor=practitioner)
        db.session.commit()
        return {**side, "session_id": draft.id, "signed_id": signed.id,
                "assessment_id": scores[0].id}


def page_urls(app, values: dict) -> list[str]:
    """Every GET page of the URL map that the values can fill."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "main.healthz"):
            continue
        if all(values.get(argument) is not None for argument in rule.arguments):
            urls.append(adapter.build(rule.endpoint,
                                      {a: values[a] for a in rule.arguments}))
    return urls


def refusals(filled: dict) -> list[tuple[str, dict]]:
    """Posts that come back refused, so the messages next to fields are rendered too."""
    patient, episode = filled["patient"].id, filled["episode"].id
    return [
        (f"/patients/{patient}/sessions/new", {"action": "save", "episode_id": str(episode),
                                               "points-0-code": "XX9",
                                               "points-1-custom_label": "sore",
                                               "points-1-laterality": "left",
                                               "quick_entry": "GV20 L, Ashi: x"}),
        (f"/patients/{patient}/sessions/{filled['session_id']}/sign", {}),
        (f"/patients/{patient}/episodes/new", {"pregnant": "y"}),
        ("/patients/new", {"family_name": ""}),
        (f"/patients/{patient}/adverse-events/new", {"code": ""}),
        ("/protocols/new", {"name": "", "points": "LI4"}),
        ("/clinic/staff/new", {"email": "not an email"}),
        ("/account/password", {"current_password": "x"}),
        ("/safety/report?start=2026-11-20&end=2026-11-01", None),
        ("/outcomes/review?from=2026-11-20&to=2026-11-01&status=bogus", None),
        ("/outcomes/follow-ups?days=0", None),
        (f"/patients/{patient}/scores/new?instrument=psfs",
         {"taken_on": "2999-01-01", "activities-0-name": "Sitting"}),
        (f"/patients/{patient}/scores/new?instrument=odi", {"sections-0": "1"}),
        (f"/patients/{patient}/scores/{filled['assessment_id']}/void", {"reason": ""}),
        (f"/patients/{patient}/referral", {"recipient": "", "reason": "", "preview": "1"}),
    ]


def test_every_page_is_marked_for_translation(pseudo_app, factory, clinic_world):
    filled = fill_the_clinic(pseudo_app, factory, clinic_world)
    client = pseudo_app.test_client()
    data = stored_text(pseudo_app)
    problems = {}

    def check(label, response):
        if response.mimetype != "text/html" or response.status_code == 302:
            return  # a download (PDF, CSV, JSON) or a redirect
        found = unmarked(response.get_data(as_text=True), data)
        if found:
            problems[label] = found

    check("login page", client.get("/login"))
    check("refused login", client.post("/login", data={"email": "a@a.test", "password": "x"}))
    client.post("/login", data={"email": "admin@a.test", "password": PASSWORD})
    values = {"patient_id": filled["patient"].id, "episode_id": filled["episode"].id,
              "session_id": filled["session_id"], "user_id": filled["practitioner"].id,
              "code": "GB21", "assessment_id": filled["assessment_id"]}
    urls = page_urls(pseudo_app, values) + [
        f"/patients/{filled['patient'].id}/sessions/{filled['signed_id']}",
        f"/patients/{filled['patient'].id}/sessions/{filled['signed_id']}/amend",
        "/patients/987654",  # the 404 page
        *(f"/patients/{filled['patient'].id}/scores/new?instrument={code}"
          for code in ("psfs", "rmdq", "odi", "sleep")),
    ]
    for url in urls:
        check(url, client.get(url))
    for url, form in refusals(filled):
        check(f"refused {url}", client.get(url) if form is None else client.post(url, data=form))
    client.post("/logout")
    client.post("/login", data={"email": "reception@a.test", "password": PASSWORD})
    check("403 page", client.get("/protocols/"))
    report = "\n".join(f"{url}: {found}" for url, found in problems.items())
    assert problems == {}, f"unmarked strings (mark them with _() or _l()):\n{report}"


def test_the_walk_finds_an_unmarked_string():
    # The checker itself: a plain English sentence is found, wrapped text and data are not.
    page = ("<p>⟦Save draft⟧</p><p>LI4 2026-11-20 10:30</p><p>Yamada</p>"
            "<p>Nothing here yet</p><input type='submit' value='⟦Sign⟧'>")
    assert unmarked(page, ["Yamada"]) == ["Nothing here yet"]


def test_forms_post_under_the_pseudo_locale_still_work(pseudo_app, clinic_world):
    # Marking must not break what is sent back: the intake form posts and is stored.
    client = pseudo_app.test_client()
    client.post("/login", data={"email": "practitioner@a.test", "password": PASSWORD})
    patient = clinic_world["a"]["patient"]
    response = client.post(f"/patients/{patient.id}/episodes/new", data=intake_form_data())
    assert response.status_code == 302


def test_the_request_catalog_follows_a_block_in_another_language(pseudo_app):
    """The catalog is looked up once per request (tracker.i18n._catalog), yet a block under
    ``force_locale`` (the FHIR export's English display texts) is in that language, in code
    and in templates, and the rest of the request is back in the request's own."""
    from flask import render_template_string
    from flask_babel import force_locale

    from tracker.i18n import _, ngettext

    template = "{{ _('Signed') }}|{{ ngettext('%(num)d session', '%(num)d sessions', 2) }}"
    with pseudo_app.test_request_context("/"):
        assert _("Signed") == pseudo("Signed")
        assert render_template_string(template).startswith(pseudo("Signed") + "|")
        with force_locale("en"):
            assert _("Signed") == "Signed"
            assert ngettext("%(num)d session", "%(num)d sessions", 2) == "2 sessions"
            assert render_template_string(template) == "Signed|2 sessions"
        assert _("Signed") == pseudo("Signed")
        assert render_template_string(template).startswith(pseudo("Signed") + "|")


@pytest.mark.parametrize("autoescape", [True, False])
def test_templates_translate_as_jinjas_own_gettext_would(pseudo_app, autoescape):
    """``_()`` in templates is one function of ours (tracker.i18n._template_gettext), not
    Jinja's chain of three: the same text, escaping and ``%`` handling as Jinja's newstyle
    gettext, in the request's language."""
    from jinja2 import Environment

    from tracker.i18n import _catalog

    source = ("{{ _('Signed') }}|{{ _('Pain %(before)s before', before=value) }}"
              "|{{ gettext('100%% of %(name)s', name=value) }}|{{ _('50%%') }}"
              "|{{ _('not in the catalog <b>') }}|{% trans %}Signed{% endtrans %}"
              "|{% trans name=value %}Hello {{ name }}{% endtrans %}")
    jinjas_own = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    jinjas_own.install_gettext_callables(
        gettext=lambda string: _catalog().ugettext(string),
        ngettext=lambda singular, plural, num: _catalog().ungettext(singular, plural, num),
        newstyle=True)
    ours = pseudo_app.jinja_env.overlay(autoescape=autoescape)
    value = "<i>Sato & Co</i>"
    with pseudo_app.test_request_context("/"):
        expected = jinjas_own.from_string(source).render(value=value)
        rendered = ours.from_string(source).render(value=value)
    assert rendered == expected
    assert pseudo("Signed") in rendered
    assert ("&lt;i&gt;" in rendered) is autoescape


def test_the_point_row_template_is_kept_per_language(pseudo_app):
    """The new-session form's row template is rendered once per process and language
    (tracker.sessions.session_form.point_row_template): each language gets its own."""
    from flask_babel import force_locale

    from tracker.sessions.session_form import point_row_template

    with pseudo_app.test_request_context("/"):
        translated = point_row_template()
        with force_locale("en"):
            english = point_row_template()
        assert point_row_template() is translated  # kept, not rendered again
    assert pseudo("Remove") in translated and 'name="points-__index__-code"' in translated
    assert pseudo("Remove") not in english and ">Remove</label>" in english


def test_wtforms_own_messages_come_in_the_request_language_from_a_catalog_read_once(
        database_url, monkeypatch):
    """WTForms' own messages ("Not a valid integer value.") are in the page's language, as
    Flask-WTF gives them, but from a catalog read once per process and language
    (tracker.forms.AppForm), not once per request."""
    from babel.support import Translations
    from wtforms import IntegerField
    from wtforms.i18n import messages_path

    from tracker import i18n
    from tracker.forms import AppForm

    class CountForm(AppForm):
        count = IntegerField("Count")

    english = "Not a valid integer value."
    japanese = Translations.load(messages_path(), ["ja"], domain="wtforms").ugettext(english)
    assert japanese != english  # WTForms ships the Japanese catalog
    reads = []
    real_load = Translations.load
    monkeypatch.setattr(Translations, "load", lambda *args, **kwargs: reads.append(args)
                        or real_load(*args, **kwargs))
    i18n._wtforms_catalog_for.cache_clear()
    app = app_for(database_url, FORCE_LOCALE="ja", WTF_CSRF_ENABLED=False)
    for _ in range(2):
        with app.test_request_context("/", method="POST", data={"count": "many"}):
            form = CountForm()
            assert not form.validate()
            assert form.count.errors == [japanese]
    assert len(reads) == 1
    with app_for(database_url, FORCE_LOCALE="en").test_request_context(
            "/", method="POST", data={"count": "many"}):
        form = CountForm(meta={"csrf": False})
        form.validate()
        assert form.count.errors == [english]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
