"""A throw-away app with the schema, the point catalog and the demo data."""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.demo.services import seed_demo  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.points.services import load_catalog  # noqa: E402


def bench_app():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_RECORD_QUERIES": True,
        }
    )
    with app.app_context():
        upgrade()
        load_catalog()
        seed_demo()
        db.session.commit()
    return app, args


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
