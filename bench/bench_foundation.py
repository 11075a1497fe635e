"""Benchmark of the foundation (issue 2): demo build, ingest throughput, engine time. Not a test.

Usage: python bench/bench_foundation.py [--scales 1,30] [--repeat 20] [--postgres URL]
Prints a Markdown table and writes bench/results/foundation.json. Compare figures within one run: the
machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from dashboard.data import catalogue as cat
from dashboard.data import db, demo, ingest, schema
from dashboard.service import KpiService

CITY = "330782000000"
RESULTS = Path(__file__).parent / "results"


def fresh(url: str) -> sa.Engine:
    """An empty, migrated database at url."""
    engine = db.make_engine(url)
    with engine.begin() as conn:
        schema.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.upgrade(engine)
    return engine


def timed(fn, repeat: int) -> dict:
    """p50/p95/max in milliseconds of repeat calls."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
            "max_ms": round(samples[-1], 2), "n": repeat}


def bench_demo(url: str, scale: int) -> tuple[sa.Engine, dict]:
    """Time init-db --demo at a scale."""
    engine = fresh(url)
    t0 = time.perf_counter()
    stats = demo.build(engine, cat.load_catalogue(), cat.load_units(), scale=scale)
    return engine, {"seconds": round(time.perf_counter() - t0, 2), "observations": stats["observations"],
                    "units": stats["units"]}


def bench_engine(engine: sa.Engine, repeat: int) -> dict:
    """City-wide and per-township KPI computation without a cache (every call hits the database)."""
    svc = KpiService(engine)
    townships = [u.code for u in svc.units() if u.kind == "township"]
    as_of = "2022-06"
    return {
        "city_kpis": timed(lambda: svc.kpis(CITY, as_of), repeat),
        "all_14_townships_kpis": timed(lambda: [svc.kpis(t, as_of) for t in townships], max(3, repeat // 5)),
        "city_ranking_visit_rate": timed(lambda: svc.children_kpis(CITY, "key_recipient_visit_rate", as_of), repeat),
        "township_villages_visit_rate": timed(
            lambda: svc.children_kpis("330782100000", "key_recipient_visit_rate", as_of), repeat),
    }


def bench_ingest(engine: sa.Engine, workdir: Path) -> dict:
    """Rows per second for a new file and for a file that supersedes every row of it."""
    villages = [u.code for u in cat.load_units() if u.kind == "village" and u.valid_to is None]
    periods = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]
    results = {}
    for name, bump in (("new", 0), ("supersede", 1)):
        path = workdir / f"ingest_{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["period", "unit_code", "indicator", "value", "numerator", "denominator", "note"])
            for p in periods:
                for i, v in enumerate(villages):
                    den = 10 + i % 20
                    out.writerow([p, v, "key_recipient_visit_rate", "", den - 1 - bump, den, ""])
        t0 = time.perf_counter()
        result = ingest.ingest_file(engine, path, cat.load_catalogue(), loaded_by="bench")
        seconds = time.perf_counter() - t0
        assert result.ok, result.errors[:5]
        results[name] = {"rows": result.rows, "seconds": round(seconds, 2),
                         "rows_per_second": round(result.rows / seconds)}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,30")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("KPI_BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kpi-bench-"))
    backends = {"sqlite": f"sqlite:///{workdir / 'bench.sqlite3'}"}
    if args.postgres:
        backends["postgres"] = args.postgres
    report = {}
    for backend, url in backends.items():
        for scale in (int(s) for s in args.scales.split(",")):
            engine, build = bench_demo(url, scale)
            entry = {"demo_build": build, "engine": bench_engine(engine, args.repeat)}
            if scale == 1:
                entry["ingest"] = bench_ingest(engine, workdir)
            report[f"{backend}@scale{scale}"] = entry
            engine.dispose()
            print(f"done {backend} scale {scale}", file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "foundation.json").write_text(json.dumps(report, indent=1))
    print_table(report)
    return 0


def print_table(report: dict) -> None:
    """The figures as Markdown."""
    print("| run | demo build s | observations | city kpis p50/p95 ms | 14 townships p50 ms | city ranking p95 ms | township villages p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for run, e in report.items():
        g = e["engine"]
        print(f"| {run} | {e['demo_build']['seconds']} | {e['demo_build']['observations']:,} | "
              f"{g['city_kpis']['p50_ms']}/{g['city_kpis']['p95_ms']} | {g['all_14_townships_kpis']['p50_ms']} | "
              f"{g['city_ranking_visit_rate']['p95_ms']} | {g['township_villages_visit_rate']['p95_ms']} |")
    for run, e in report.items():
        if "ingest" in e:
            for name, r in e["ingest"].items():
                print(f"- ingest {name} on {run}: {r['rows']:,} rows in {r['seconds']} s = {r['rows_per_second']:,} rows/s")


if __name__ == "__main__":
    sys.exit(main())
