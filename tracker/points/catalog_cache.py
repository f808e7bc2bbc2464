"""The point catalog as every session form shows it, built once per server process rather
than on every request: the pickers' option list and the body chart's points to tap.

The catalog changes only with ``flask points load`` (at install and upgrade), in a process
of its own: a server process started before it rebuilds its copy at most
``CATALOG_CACHE_SECONDS`` later. Nothing here is per user, per
clinic or per language: pinyin, English and codes are the catalog's own words. The cache is
kept on the app (``app.extensions``), so every app (each test's) starts empty.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from tracker.points.body_chart import tap_targets
from tracker.points.services import charted_points, point_choices

CATALOG_CACHE_SECONDS = 60
_KEY = "tracker.point_catalog_cache"
Built = TypeVar("Built")


def _cached(name: str, build: Callable[[], Built]) -> Built:
    store = current_app.extensions.setdefault(_KEY, {})
    entry = store.get(name)
    now = time.monotonic()
    if entry is None or now - entry[0] > CATALOG_CACHE_SECONDS:
        entry = store[name] = (now, build())
    return entry[1]


def clear_catalog_cache() -> None:
    """Forget this process's copy (after the catalog was loaded)."""
    current_app.extensions.pop(_KEY, None)


def point_datalist_options() -> Markup:
    """``<option>`` elements of every point, "code: pinyin · English", for the pickers'
    datalist: the same 360-odd options on every session form."""
    return _cached("datalist", lambda: Markup("").join(
        Markup('<option value="{}">{}</option>').format(code, label)
        for code, label in point_choices()))


class ChartTargets:
    """The body chart's points to tap (``tap_targets``) with their JSON, as the template
    writes them into the chart's data attributes."""

    def __init__(self, targets: list[list], names: dict[str, str]):
        self.targets, self.names = targets, names
        # As the template's ``tojson`` writes them: safe inside a quoted attribute.
        self.targets_json = htmlsafe_json_dumps(targets, separators=(",", ":"))
        self.names_json = htmlsafe_json_dumps(names, separators=(",", ":"))


def chart_targets() -> ChartTargets:
    return _cached("chart_targets", lambda: ChartTargets(*tap_targets(charted_points())))
