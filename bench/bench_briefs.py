"""Benchmark of the briefs (issue 5): seconds per brief after warm-up, and `brief --unit all`. Not a test.

Usage: python bench/bench_briefs.py [--repeat 5] [--month 2022-06]
Builds the demo data in a temporary folder, starts kaleido's Chromium once (timed: the warm-up),
times briefs of the city and of townships (both PNGs and the CSV, written to disk), then runs
`kpi-dashboard brief --unit all` (city + 14 townships) end to end in a fresh process. Prints a
Markdown table and writes bench/results/briefs.json. The machine is shared and noisy: compare
figures within one run, and look at the load average printed with them.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard import briefs
from dashboard.data import catalogue as cat
from dashboard.data import db, demo
from dashboard.render import shared_renderer
from dashboard.service import KpiService
from dashboard.settings import Settings

RESULTS = Path(__file__).parent / "results"
TOWNSHIPS = ["330782100000", "330782001000", "330782106000"]  # 佛堂镇, 稠城街道, 大陈镇


def seconds(samples: list[float]) -> dict:
    """p50 and max of a list of seconds."""
    return {"p50_s": round(statistics.median(samples), 3), "max_s": round(max(samples), 3), "n": len(samples)}


def time_briefs(service: KpiService, codes: list[str], month: str, repeat: int, out: Path) -> dict:
    """Seconds per brief (data, both PNGs, CSV, written) over repeat rounds of the codes."""
    samples = []
    for _ in range(repeat):
        for code in codes:
            t0 = time.perf_counter()
            briefs.write(out, briefs.files(briefs.build(service, code, month)))
            samples.append(time.perf_counter() - t0)
    return seconds(samples)


def time_cli_all(settings: Settings, month: str, out: Path) -> dict:
    """`kpi-dashboard brief --unit all` in a fresh process: total seconds, Chromium start included."""
    env = {**os.environ, "KPI_DATABASE_URL": settings.database_url, "KPI_VAR_DIR": str(settings.var_dir),
           "KPI_LOG_LEVEL": "WARNING"}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dashboard", "brief", "--unit", "all", "--as-of", month,
                           "--out", str(out)], env=env, capture_output=True, text=True)
    total = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(done.stderr)
    return {"total_s": round(total, 2), "files": len(list(out.iterdir()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--month", default="2022-06")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = Settings(database_url=f"sqlite:///{folder / 'kpi.sqlite3'}", var_dir=folder, auth=False)
        engine = db.make_engine(settings.database_url)
        db.upgrade(engine)
        demo.build(engine, cat.load_catalogue(), cat.load_units())
        service = KpiService.from_settings(settings)
        t0 = time.perf_counter()
        shared_renderer().start()
        start = time.perf_counter() - t0
        t0 = time.perf_counter()
        briefs.files(briefs.build(service, cat.CITY_CODE, args.month))  # warm-up: first render, caches
        first = time.perf_counter() - t0
        results = {
            "load_average": os.getloadavg()[0], "cpus": os.cpu_count(),
            "chromium_start_s": round(start, 2), "first_brief_s": round(first, 2),
            "city": time_briefs(service, [cat.CITY_CODE], args.month, args.repeat, folder / "city"),
            "township": time_briefs(service, TOWNSHIPS, args.month, args.repeat, folder / "towns"),
            "cli_all": time_cli_all(settings, args.month, folder / "all"),
        }
    print(f"| measure (load {results['load_average']:.1f} on {results['cpus']} CPUs) | p50 | max |")
    print("| --- | --- | --- |")
    print(f"| Chromium start (once per process) | {results['chromium_start_s']} s | |")
    print(f"| first brief after start | {results['first_brief_s']} s | |")
    for key in ("city", "township"):
        r = results[key]
        print(f"| brief of the {key} after warm-up (2 PNG + CSV, n={r['n']}) | {r['p50_s']} s | {r['max_s']} s |")
    print(f"| `brief --unit all` (15 briefs, {results['cli_all']['files']} files, new process) | "
          f"{results['cli_all']['total_s']} s | |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "briefs.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
