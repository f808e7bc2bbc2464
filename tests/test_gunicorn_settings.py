"""The worker set-up in gunicorn.conf.py: what each worker does once it has loaded the app."""

import gc
import runpy
from pathlib import Path

import pytest

SETTINGS = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def collector_as_before():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_a_worker_freezes_the_loaded_app_and_collects_less_often(collector_as_before):
    settings = runpy.run_path(str(SETTINGS))
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)  # Python's defaults
    settings["post_worker_init"](worker=None)
    assert gc.get_freeze_count() > 0  # the app's objects out of the collector's reach
    assert gc.get_threshold() == (20_000, 50, 100)
    assert gc.isenabled()  # cycles are still collected, less often
