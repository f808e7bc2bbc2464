"""The catalog pages and the JSON point search, through the test client."""

import html

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.points.models import Point


def point(app, code: str) -> Point:
    with app.app_context():
        return db.session.scalar(select(Point).where(Point.code == code))


def search(client, query: str) -> list[dict]:
    response = client.get("/points/search.json", query_string={"q": query})
    assert response.status_code == 200 and response.is_json
    return response.get_json()["results"]


@pytest.mark.parametrize(
    "typed",
    ["LI4", "LI 4", "li-4", "LI04", "L.I.-4", "He Gu", "hegu", "hégǔ", "Union Valley", "合谷"],
)
def test_search_json_finds_li4_first(client, as_role, typed):
    as_role("practitioner")
    assert search(client, typed)[0]["code"] == "LI4"


@pytest.mark.parametrize(
    "typed, code",
    [
        ("SJ5", "TE5"),
        ("Liv3", "LR3"),
        ("DU20", "GV20"),
        ("REN12", "CV12"),
        ("UB40", "BL40"),
        ("P6", "PC6"),
        ("GV29", "EX-HN3"),
    ],
)
def test_search_json_resolves_aliases(client, as_role, typed, code):
    as_role("admin")
    assert search(client, typed)[0]["code"] == code


def test_search_json_answers_code_names_and_cautions(app, client, as_role):
    as_role("practitioner")
    gb21 = point(app, "GB21")
    result = search(client, "GB21")[0]
    assert {key: result[key] for key in ("code", "pinyin", "hanzi")} == {
        "code": "GB21",
        "pinyin": gb21.pinyin,
        "hanzi": gb21.hanzi,
    }
    assert result["cautions"]["thorax_depth"] is True
    assert result["cautions"]["pregnancy"] is True
    assert result["cautions"]["max_depth_mm"] == gb21.max_depth_mm
    gv6 = search(client, "GV6")[0]
    assert gv6["midline"] is True and gv6["cautions"]["thorax_depth"] is False
    assert search(client, "EX-B2")[0]["needs_level"] is True


def test_search_json_code_prefix_and_nonsense(client, as_role):
    as_role("practitioner")
    codes = [row["code"] for row in search(client, "BL2")]
    assert codes[:3] == ["BL2", "BL20", "BL21"]
    assert search(client, "qqqzzz") == [] and search(client, "") == []


def test_search_json_is_for_practitioners_only(client, as_role):
    anonymous = client.get("/points/search.json?q=LI4")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    as_role("reception")
    assert client.get("/points/search.json?q=LI4").status_code == 403
    assert client.get("/points/").status_code == 403
    assert client.get("/points/LI4").status_code == 403


def test_catalog_page_lists_every_meridian(client, as_role):
    as_role("practitioner")
    page = client.get("/points/").get_data(as_text=True)
    assert 'href="/points/LU1"' in page and 'href="/points/CV24"' in page
    assert 'href="/points/EX-B2"' in page
    assert "Bladder (BL) · 67 points" in page


def test_catalog_page_filters_by_meridian(client, as_role):
    as_role("practitioner")
    page = client.get("/points/?meridian=GB").get_data(as_text=True)
    assert "Gallbladder (GB) · 44 points" in page
    assert page.count('href="/points/GB') == 44
    assert 'href="/points/LI4"' not in page
    assert client.get("/points/?meridian=XX").status_code == 404


def test_point_page_shows_location_needling_and_cautions_with_sources(app, client, as_role):
    as_role("practitioner")
    gb21 = point(app, "GB21")
    response = client.get("/points/GB21")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert gb21.location in page and gb21.needling in page
    assert f"maximum depth about {gb21.max_depth_mm} mm" in page
    assert gb21.depth_source in page
    assert "Caution in pregnancy" in page and gb21.pregnancy_source in page


def test_point_page_without_cautions_shows_none(app, client, as_role):
    as_role("practitioner")
    page = html.unescape(client.get("/points/LI11").get_data(as_text=True))
    assert point(app, "LI11").location in page
    assert "Pneumothorax" not in page and "Caution in pregnancy" not in page


def test_point_page_accepts_lower_case_and_unknown_code_is_404(client, as_role):
    as_role("practitioner")
    assert client.get("/points/li4").status_code == 200
    assert client.get("/points/XX99").status_code == 404
