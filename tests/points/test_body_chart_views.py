"""The body chart on the pages that show it: the session form (to tap), the signed note and
the treatment summary with its PDF (read-only)."""

import html
import io
import json
import re

import pytest
from pypdf import PdfReader

from tests.conftest import count_queries
from tests.factories import make_session
from tests.sessions.helpers import session_form
from tracker.points.body_chart import LEVEL_Y, MIDLINE


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def patient_url(world):
    return f"/patients/{world['a']['patient'].id}"


def figure(page: str, figure_id: str) -> str:
    found = re.search(rf'<figure class="body-chart[^"]*" id="{figure_id}".*?</figure>', page,
                      re.DOTALL)
    assert found, f"no #{figure_id} on the page"
    return found.group(0)


def data(figure_html: str, name: str):
    return json.loads(html.unescape(re.search(rf"data-{name}='([^']*)'", figure_html).group(1)))


def dots(figure_html: str) -> list[tuple[float, float]]:
    """The centres of the markers' dots (the circles drawn with a number)."""
    return [(float(x), float(y)) for x, y in re.findall(
        r'<circle cx="([\d.]+)" cy="([\d.]+)" r="5.6"', figure_html)]


def test_the_form_draws_its_rows_and_offers_the_catalog_to_tap(client, world):
    page = client.get(f"{patient_url(world)}/sessions/new?protocol=builtin:middle-back-pain")
    chart = figure(page.get_data(as_text=True), "body-chart")
    assert "body-chart-interactive" in chart and 'role="group"' in chart
    # Row 1 (BL18 both sides) is a link to its row, named with its side.
    assert re.search(r'<a href="#points-0-code" class="bc-marker"[^>]*>\s*'
                     r'<title>1: BL18 Gānshū, both sides</title>', chart)
    assert (MIDLINE["back"], LEVEL_Y["T11"]) in dots(chart)  # GV6, on the midline below T11
    targets = data(chart, "targets")
    assert ["EX-B2", "T7", "left", MIDLINE["back"] - 3, LEVEL_Y["T7"]] in targets
    assert {"LI4", "ST36", "SP6", "LR3", "KI3", "PC6", "LU7", "GB34", "BL40", "BL60", "GB21"} \
        <= {target[0] for target in targets}
    assert data(chart, "names")["LI4"] == "Hégǔ"
    zones = data(chart, "zones")
    assert any(zone["spine"] == "paraspinal" and zone["view"] == "back" for zone in zones)
    assert data(chart, "midlines") == MIDLINE
    assert set(data(chart, "strings")) >= {"left", "right", "both", "add", "ashi", "row"}


def test_a_parsed_entry_is_drawn_on_its_side(client, world):
    form = session_form(points=[], episode_id=str(world["a"]["episode"].id), action="parse",
                        quick_entry="BL23 L, ST36 R, Ashi: right T9 paraspinal")
    page = client.post(f"{patient_url(world)}/sessions/new", data=form).get_data(as_text=True)
    chart = figure(page, "body-chart")
    # The patient's left is the viewer's left on the back view, their right the viewer's
    # left on the front view.
    assert dots(chart)[0] == (MIDLINE["back"] - 9, LEVEL_Y["L2"])
    assert dots(chart)[1][0] < MIDLINE["front"]
    assert dots(chart)[2] == (MIDLINE["back"] + 9, LEVEL_Y["T9"])
    assert "<title>3: Ashi point, right T9 paraspinal, right (drawn by its region)</title>" \
        in chart


def test_the_signed_note_shows_the_chart_read_only(app, client, world):
    session_id = make_session(app, world["a"], sign=True)
    page = client.get(f"{patient_url(world)}/sessions/{session_id}").get_data(as_text=True)
    chart = figure(page, "note-body-chart")
    assert 'role="img"' in chart and "data-targets" not in chart
    assert 'class="bc-marker"' not in chart
    assert "<button" not in chart and "<a " not in chart
    assert "<title>1: BL23 Shènshū, both sides</title>" in chart
    assert "<title>2: GV6 Jǐzhōng, midline</title>" in chart
    assert len(dots(chart)) == 5  # BL23 twice, GV6, LI4, the Ashi point
    assert '<li value="3">LI4 Hégǔ, left</li>' in chart  # the legend beside it


def test_a_note_without_points_has_no_chart(app, client, world):
    session_id = make_session(app, world["a"], rows=[], needles_inserted=0, needles_removed=0)
    page = client.get(f"{patient_url(world)}/sessions/{session_id}").get_data(as_text=True)
    assert "note-body-chart" not in page


def test_the_summary_draws_the_latest_sessions_points(app, client, world):
    make_session(app, world["a"], rows=[("GV9", "midline", "")], sign=True)
    make_session(app, world["a"], sign=True)
    page = client.get(f"{patient_url(world)}/summary").get_data(as_text=True)
    chart = figure(page, f"body-chart-{world['a']['episode'].id}")
    assert "<svg" in chart and "body-chart-with-legend" in chart
    assert "BL23 Shènshū, both sides" in chart and "GV9" not in chart
    assert "css/body-chart.css" in page

    pdf = client.get(f"{patient_url(world)}/export.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Points of the latest session" in text and "BL23 Shènshū, both sides" in text
    assert "Front" in text and "Back" in text  # the chart's own labels, drawn in the PDF


@pytest.mark.parametrize("page", ["form", "note"])
def test_the_chart_costs_no_query_per_row(app, client, world, page):
    few = make_session(app, world["a"], rows=[("BL23", "bilateral", "")])
    many = make_session(app, world["a"], rows=[
        ("BL18", "bilateral", ""), ("BL20", "bilateral", ""), ("BL23", "bilateral", ""),
        ("GV6", "midline", ""), ("GV9", "midline", ""), ("LI4", "left", ""),
        ("SP6", "bilateral", ""), (None, "left", "left T7 paraspinal", "upper_back", "T7")])
    path = "/edit" if page == "form" else ""
    counts = []
    for session_id in (few, many):
        client.get(f"{patient_url(world)}/sessions/{session_id}{path}")  # warm up
        with count_queries(app) as statements:
            assert client.get(f"{patient_url(world)}/sessions/{session_id}{path}").status_code \
                == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
