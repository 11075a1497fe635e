"""Benchmark of what access control costs (issue 8). Not a test.

In one run, on the demo database (SQLite by default, or --database-url): the server time of a
warm (cached) callback request through Flask's test client with sign-in off and with it on (the
session check reads the account by primary key at every request), as a city user and as a
township user (whose answers are filtered to one township), and a wall-token request; and the
time of one sign-in (scrypt). Compare the ratios: the machine is shared and noisy.

Usage: .venv/bin/python bench/bench_auth.py [--calls 500] [--database-url URL]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dashboard.app import create_app
from dashboard.data import accounts, db, demo
from dashboard.data import catalogue as cat
from dashboard.settings import Settings

RESULTS = Path(__file__).parent / "results"
PASSWORD = "benchmark password 1"


def cards(unit: str | None) -> dict:
    """The cards callback of the city (or a township) page for June 2022."""
    route = {"page": "township", "unit": unit} if unit else {"page": "city", "unit": None}
    inputs = [{"id": "app-route", "property": "data", "value": route},
              {"id": "app-month", "property": "data", "value": "2022-06"},
              {"id": "app-category", "property": "data", "value": None},
              {"id": "app-lang", "property": "data", "value": "zh"}]
    return {"output": "page-cards.children", "outputs": {"id": "page-cards", "property": "children"},
            "inputs": inputs, "changedPropIds": ["app-month.data"], "state": []}


def interleaved(cases: dict, calls: int, rounds: int = 5) -> dict:
    """Per case, p50/p95 ms over `calls` requests, run in `rounds` interleaved blocks so that the
    machine's noise falls on every case alike; the figures are the medians of the blocks'."""
    for request in cases.values():
        for _ in range(20):  # warm: caches filled, connections open
            assert request().status_code == 200
    blocks: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, request in cases.items():
            times = []
            for _ in range(calls // rounds):
                start = time.perf_counter()
                status = request().status_code
                times.append((time.perf_counter() - start) * 1000)
                assert status == 200, (name, status)
            times.sort()
            blocks[name].append((times[len(times) // 2], times[int(len(times) * 0.95)]))
    return {name: {"p50_ms": round(statistics.median(b[0] for b in found), 2),
                   "p95_ms": round(statistics.median(b[1] for b in found), 2)} for name, found in blocks.items()}


def signed_in(app, user: str):
    """A test client signed in through the form; (client, CSRF header)."""
    client = app.server.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        csrf = session["csrf"]
    answer = client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": csrf})
    assert answer.status_code == 302, answer.status_code
    with client.session_transaction() as session:
        return client, {"X-CSRFToken": session["csrf"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'kpi.sqlite3'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        demo.build(engine, cat.load_catalogue(), cat.load_units())
        for name, role, town in (("city.bench", "city", None), ("town.bench", "township", "330782002000")):
            try:
                accounts.add_user(engine, name, PASSWORD, role, town)
            except accounts.AccountError:
                pass  # a database used before
        _, token = accounts.create_token(engine, "bench", "bench")
        base = Settings(database_url=url, var_dir=Path(tmp), cache_url="simple", auth=False)
        off = create_app(base)
        on = create_app(dataclasses.replace(base, auth=True, secret_key="b" * 40))
        city, city_csrf = signed_in(on, "city.bench")
        town, town_csrf = signed_in(on, "town.bench")
        wall = {"Referer": f"http://localhost/wall?token={token}&units=all"}
        cases = {  # name -> one request
            "cards, sign-in off": lambda c=off.server.test_client(): c.post(
                "/_dash-update-component", json=cards(None)),
            "cards, signed in (city)": lambda: city.post("/_dash-update-component", json=cards(None),
                                                         headers=city_csrf),
            "cards, signed in (township, own township)": lambda: town.post(
                "/_dash-update-component", json=cards("330782002000"), headers=town_csrf),
            "GET /_dash-layout, sign-in off": lambda c=off.server.test_client(): c.get("/_dash-layout"),
            "GET /_dash-layout, wall token": lambda c=on.server.test_client(): c.get("/_dash-layout", headers=wall),
        }
        results = {"calls": args.calls, **interleaved(cases, args.calls)}
        logins = []
        for _ in range(10):
            start = time.perf_counter()
            signed_in(on, "city.bench")
            logins.append((time.perf_counter() - start) * 1000)
        results["one sign-in (form + scrypt), median ms"] = round(statistics.median(logins), 1)
        engine.dispose()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "auth.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
