"""Databases of their own for the deployment tests (docs/deploy.md), on the backend under test.

- SQLite (default): a copy of the suite's migrated template file.
- PostgreSQL (``TEST_DATABASE_URL``): a throw-away database next to it, migrated with the real
  migrations and holding the point catalog, dropped afterwards. The suite's own database is
  never touched, so it stays as every other test expects it (truncated before each test).

Either way nothing is skipped: the tests run on both backends.
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade

from tests.conftest import TEST_DATABASE_URL, app_for, postgres_database
from tracker.extensions import db
from tracker.points.services import load_catalog


@contextmanager
def scratch_database(purpose: str, folder: Path, sqlite_template: str | None
                     ) -> Iterator[str]:
    """The URL of a migrated database holding the point catalog and nothing else."""
    if not TEST_DATABASE_URL:
        target = folder / f"{purpose}.sqlite"
        shutil.copyfile(sqlite_template.removeprefix("sqlite:///"), target)
        yield f"sqlite:///{target}"
        return
    with postgres_database(f"deploy_{purpose}") as url:
        app = app_for(url)
        with app.app_context():
            upgrade()
            load_catalog()
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        yield url


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each test's outcome on it, for fixtures that add the servers' logs to a failure."""
    report = yield
    if report.when == "call":
        item.report_call = report
    return report
