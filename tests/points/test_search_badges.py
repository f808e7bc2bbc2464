"""The point search as the picker reads it: every suggestion carries its caution badges, each
with its source, and the side a new row starts with."""

import pytest


def first(client, query: str) -> dict:
    response = client.get("/points/search.json", query_string={"q": query})
    assert response.status_code == 200
    return response.get_json()["results"][0]


@pytest.fixture(autouse=True)
def practitioner(as_role):
    as_role("practitioner")


def kinds(result: dict) -> list[str]:
    return [badge["kind"] for badge in result["badges"]]


def test_badges_name_every_catalog_caution_with_its_source(client):
    gb21 = first(client, "GB21")
    assert kinds(gb21) == ["pregnancy", "thorax_depth"]
    lung = gb21["badges"][1]
    # GB21's hint is a population average, and reads as one (never a safe limit).
    assert lung["label"] == "Lung: about 14 mm" and "Chen 2018" in lung["title"]
    assert gb21["badges"][0]["label"] == "Pregnancy" and gb21["badges"][0]["title"]


@pytest.mark.parametrize("code, expected", [
    ("CV8", ["always_warn", "pregnancy"]),
    ("ST17", ["always_warn", "pregnancy", "thorax_depth"]),
    ("BL18", ["thorax_depth"]),
    ("LI4", ["pregnancy"]),
    ("ST36", []),
])
def test_badges_by_point(client, code, expected):
    assert kinds(first(client, code)) == expected


def test_a_point_that_is_never_needled_shows_no_depth(client):
    st17 = first(client, "ST17")
    assert [b["label"] for b in st17["badges"]][-1] == "Lung"
    assert "Nipple" in st17["badges"][0]["title"]


@pytest.mark.parametrize("code, side", [("GV20", "midline"), ("CV12", "midline"),
                                        ("EX-HN3", "midline"), ("LI4", "bilateral")])
def test_the_side_a_picked_row_starts_with(client, code, side):
    assert first(client, code)["default_side"] == side


def test_a_name_finds_the_point_with_its_badges(client):
    hegu = first(client, "合谷")
    assert hegu["code"] == "LI4" and hegu["english"] and kinds(hegu) == ["pregnancy"]
