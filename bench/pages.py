"""Server time and SQL statements per page on the demo data."""

import time

from _setup import bench_app, percentile
from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy import select

from tracker.extensions import db
from tracker.sessions.models import TreatmentSession


def main():
    app, args = bench_app()
    with app.app_context():
        visit = db.session.scalar(
            select(TreatmentSession)
            .where(TreatmentSession.patient_id == 1)
            .order_by(TreatmentSession.id.desc())
            .limit(1)
        )
    pages = [
        "/patients/",
        "/patients/?q=yamada",
        "/patients/1",
        f"/patients/1/sessions/{visit.id}",
        "/patients/1/sessions/new",
        "/patients/1/sessions/new?protocol=builtin:middle-back-pain",
        "/patients/1/episodes/1",
        "/points/",
    ]
    client = app.test_client()
    client.post("/login", data={"email": "practitioner@demo.test", "password": "demo-password"})
    print(f"{'page':60} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4}")
    for page in pages:
        samples, statements = [], 0
        for _ in range(args.rounds):
            with app.test_request_context():
                start = time.perf_counter()
                response = client.get(page)
                samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (page, response.status_code)
        with app.app_context():
            client.get(page)
            statements = len(get_recorded_queries())
        print(
            f"{page:60} {percentile(samples, 0.5):8.2f} {percentile(samples, 0.95):8.2f} "
            f"{statements:4}"
        )


if __name__ == "__main__":
    main()
