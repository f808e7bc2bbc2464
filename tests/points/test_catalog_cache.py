"""The session form's catalog pieces (the pickers' option list, the body chart's points to
tap) come from the database once per process, then from ``points.catalog_cache``."""

import pytest

from tests.conftest import count_queries
from tracker.points import catalog_cache


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def catalog_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if "FROM points" in s and "point_applications" not in s)


def test_the_second_form_reads_no_catalog_and_shows_the_same_options(app, client, world):
    url = f"/patients/{world['a']['patient'].id}/sessions/new"
    with count_queries(app) as first:
        first_page = client.get(url).get_data(as_text=True)
    with count_queries(app) as second:
        second_page = client.get(url).get_data(as_text=True)
    assert catalog_reads(first) == 2  # the option list and the charted points
    assert catalog_reads(second) == 0
    options = first_page.split('<datalist id="point-codes">')[1].split("</datalist>")[0]
    assert '<option value="LI4">' in options and options.count("<option") > 300
    assert options in second_page
    assert 'data-targets=\'[["' in second_page  # the chart's targets, as JSON


def test_a_copy_is_rebuilt_after_a_minute(app, client, world, monkeypatch):
    url = f"/patients/{world['a']['patient'].id}/sessions/new"
    client.get(url)
    monkeypatch.setattr(catalog_cache, "CATALOG_CACHE_SECONDS", -1)  # every copy is stale
    with count_queries(app) as statements:
        client.get(url)
    assert catalog_reads(statements) == 2
