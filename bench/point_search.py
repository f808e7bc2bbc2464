"""How fast the point search answers: every spelling the issue names, many rounds."""

import time

from _setup import bench_app, percentile

QUERIES = [
    "LI4",
    "LI 4",
    "li-4",
    "LI04",
    "SJ5",
    "Liv3",
    "DU20",
    "REN12",
    "UB40",
    "He Gu",
    "hégǔ",
    "hegu",
    "Union Valley",
    "合谷",
    "BL2",
    "GV29",
    "shu",
    "EX-B2",
    "gb",
]


def main():
    app, args = bench_app()
    client = app.test_client()
    client.post("/login", data={"email": "practitioner@demo.test", "password": "demo-password"})
    samples, by_query = [], {query: [] for query in QUERIES}
    for _ in range(args.rounds):
        for query in QUERIES:
            start = time.perf_counter()
            response = client.get("/points/search.json", query_string={"q": query})
            elapsed = (time.perf_counter() - start) * 1000
            samples.append(elapsed)
            by_query[query].append(elapsed)
            assert response.status_code == 200, response.status_code
    slowest = sorted(by_query.items(), key=lambda item: -percentile(item[1], 0.5))[:3]
    print(
        "slowest queries (p50):",
        ", ".join(f"{q!r} {percentile(v, 0.5):.2f} ms" for q, v in slowest),
    )
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(
        f"/points/search.json, {len(samples)} requests on {backend}:"
        f" p50 {percentile(samples, 0.5):.2f} ms, p95 {percentile(samples, 0.95):.2f} ms,"
        f" max {max(samples):.2f} ms"
    )


if __name__ == "__main__":
    main()
