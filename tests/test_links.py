"""Templates' ``url_for`` (tracker.links): each link built once per process, always the link
Flask would build."""

import pytest
from flask import render_template_string, url_for

from tracker.links import template_url_for

CALLS = [
    ("patients.index", {}),
    ("patients.index", {"q": "佐藤 花子", "page": 2}),
    ("patients.index", {"archived": True}),  # True == 1, but it is written "True"
    ("patients.index", {"archived": 1}),
    ("patients.index", {"q": None}),
    ("chart.patient", {"patient_id": 7}),
    ("sessions.detail", {"patient_id": 7, "session_id": 12}),
    ("static", {"filename": "css/app.css"}),
    ("patients.index", {"q": ["a", "b"]}),  # a list: a repeated argument, not a key
    ("chart.patient", {"patient_id": 7, "_anchor": "timeline"}),
    ("chart.patient", {"patient_id": 7, "_external": True}),
]


@pytest.mark.parametrize("script_root", ["", "/clinic"])
def test_template_links_are_the_links_flask_builds(app, script_root):
    for _ in range(2):  # built, then given again from what was kept
        with app.test_request_context("/", base_url=f"https://tracker.test{script_root}"):
            for endpoint, values in CALLS:
                assert template_url_for(endpoint, **values) == url_for(endpoint, **values)
            assert template_url_for("chart.patient", patient_id=7) == \
                f"{script_root}/patients/7"


def test_a_link_kept_for_one_mount_point_is_not_given_to_another(app):
    for script_root in ("", "/a", "/b", ""):
        with app.test_request_context("/", base_url=f"http://tracker.test{script_root}"):
            assert template_url_for("patients.index") == f"{script_root}/patients/"


def test_templates_write_links_with_it(app):
    # A link is kept by endpoint and values alone: a url_defaults function would make it
    # depend on more, and the module would have to key on that too.
    assert not any(app.url_default_functions.values())
    with app.test_request_context("/"):
        assert app.jinja_env.globals["url_for"] is template_url_for
        rendered = render_template_string(
            "{{ url_for('chart.patient', patient_id=3) }}|{{ url_for('patients.index', "
            "archived=true) }}")
    assert rendered == "/patients/3|/patients/?archived=True"


def test_the_links_kept_are_bounded(app, monkeypatch):
    from tracker import links

    monkeypatch.setattr(links, "KEPT_LINKS", 10)
    with app.test_request_context("/"):
        for patient_id in range(25):
            assert template_url_for("chart.patient", patient_id=patient_id) == \
                f"/patients/{patient_id}"
            assert len(links._kept) <= 10
