"""Benchmark of the wall display (issue 4): JS heap and DOM of the wall page after 1,000 rotations and
100 refreshes in headless Chromium. Not a test.

Usage: python bench/bench_wall.py [--rotations 1000] [--refreshes 100] [--rotate 0.2] [--refresh 2]
                                  [--query units=all] [--size 1920x1080] [--database-url URL]

Builds the demo database in a temporary folder (unless --database-url), serves the app on a free
loopback port in a thread, and drives Chromium (chromedriver from PATH, fresh profile, no background
networking) to /wall?<query>&bench=1&rotate=<rotate>&refresh=<refresh>. bench=1 is what lets the
wall rotate faster than every 5 s and refresh faster than every 10 s. Every sample is taken after a
forced garbage collection, so it is what the page keeps, not what it has yet to free. Prints a
Markdown table and writes bench/results/wall.json.
"""
from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.data import catalogue as cat
from dashboard.data import db, demo, meta
from dashboard.settings import Settings

RESULTS = Path(__file__).parent / "results"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-default-apps",
                  "--mute-audio", "--hide-scrollbars", "--enable-precise-memory-info",
                  "--disable-background-timer-throttling", "--disable-renderer-backgrounding")
# Counters the page itself keeps: rotation ticks and completed refreshes from Dash's store, and how
# long Dash's undo history is (trimmed by assets/wall.js).
COUNTERS_JS = """
const state = window.dash_stores && window.dash_stores[0] && window.dash_stores[0].getState();
const path = id => state && state.paths && state.paths.strs && state.paths.strs[id];
if (!path('wall-rotate')) return {ticks: 0, rotations: 0, refreshes: 0, ok: null};  // not loaded yet
const props = id => path(id).reduce((node, key) => node[key], state.layout).props;
const health = props('wall-health').data;
return {ticks: props('wall-rotate').n_intervals || 0, rotations: window.wallShown || 0,
        refreshes: health ? health.n : 0,
        ok: health ? health.ok : null, history: state.history.past.length,
        dom: document.getElementsByTagName('*').length,
        graphs: document.querySelectorAll('.js-plotly-plot').length,
        heap_js: performance.memory ? performance.memory.usedJSHeapSize : null};
"""

# Counts the panels actually shown (a tick that comes while the page is busy can be merged into the next).
COUNT_SHOWN_JS = """
window.wallShown = 0;
const step = document.getElementById('wall-step');
new MutationObserver(() => { window.wallShown += 1; })
    .observe(step, {childList: true, characterData: true, subtree: true});
"""
# Resolves with the counters as soon as the rotation is back at its first panel.
FIRST_PANEL_JS = """
const done = arguments[arguments.length - 1], counters = new Function(arguments[0]);
const check = () => document.getElementById('wall-step').innerText.startsWith('1 / ')
    ? requestAnimationFrame(() => done(counters())) : setTimeout(check, 20);
check();
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_settings(folder: Path) -> Settings:
    """Settings on a fresh demo database in folder."""
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    demo.build(engine, cat.load_catalogue(), cat.load_units())
    engine.dispose()
    return Settings(database_url=url, var_dir=folder, auth=False)


def browser(profile: str, width: int, height: int) -> webdriver.Chrome:
    """Headless Chromium with a fresh profile, its viewport exactly width x height."""
    options = Options()
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Performance.enable", {})
    driver.set_script_timeout(120)  # a full tour of units=all at 0.2 s a panel takes some 21 s
    return driver


def sample(driver: webdriver.Chrome, started: float) -> dict:
    """Heap, DOM and counters after a forced garbage collection, taken while the first panel shows
    (the panels differ in size, so samples compare like with like)."""
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    counters = driver.execute_async_script(FIRST_PANEL_JS, COUNTERS_JS)
    metrics = {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
    return {"seconds": round(time.monotonic() - started, 1), **counters,
            "heap_mb": round(metrics["JSHeapUsedSize"] / 2**20, 2),
            "heap_total_mb": round(metrics["JSHeapTotalSize"] / 2**20, 2),
            "nodes": int(metrics["Nodes"]), "listeners": int(metrics["JSEventListeners"]),
            "documents": int(metrics["Documents"])}


def wait_for(driver: webdriver.Chrome, predicate, timeout: float, what: str) -> dict:
    """Poll the page's counters until predicate(counters) holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counters = driver.execute_script(COUNTERS_JS)
        if predicate(counters):
            return counters
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


def run(args) -> list[dict]:
    """Open the wall, sample at the start, every tenth of the way, and the end."""
    width, height = (int(x) for x in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=args.database_url, var_dir=Path(tmp), auth=False) if args.database_url \
            else demo_settings(Path(tmp))
        server = make_server("127.0.0.1", free_port(), create_app(settings).server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        driver = browser(str(Path(tmp) / "profile"), width, height)
        stop = threading.Event()
        try:
            query = f"{args.query}&bench=1&rotate={args.rotate}&refresh={args.refresh}"
            driver.get(f"http://127.0.0.1:{server.server_port}/wall?{query}")
            wait_for(driver, lambda c: c["refreshes"] >= 1 and c["ok"], 120, "the first refresh")
            driver.execute_script(COUNT_SHOWN_JS)
            if args.new_data:
                threading.Thread(target=bump_versions, args=(settings, args.refresh, stop), daemon=True).start()
            started = time.monotonic()
            samples = [sample(driver, started)]
            for tenth in range(1, 11):
                wanted = samples[0]["rotations"] + args.rotations * tenth // 10
                refreshes = samples[0]["refreshes"] + args.refreshes * tenth // 10
                wait_for(driver, lambda c: c["rotations"] >= wanted and c["refreshes"] >= refreshes,
                         args.rotations * args.rotate + args.refreshes * args.refresh + 120, f"{tenth}/10")
                samples.append(sample(driver, started))
                print(f"  {tenth}/10: {samples[-1]['rotations']} rotations, {samples[-1]['refreshes']} refreshes, "
                      f"heap {samples[-1]['heap_mb']} MB, {samples[-1]['dom']} elements", file=sys.stderr)
            return samples
        finally:
            stop.set()
            driver.quit()
            server.shutdown()


def bump_versions(settings: Settings, every: float, stop: threading.Event) -> None:
    """New data as far as every cache and the wall can tell: bump the data version every refresh."""
    engine = db.make_engine(settings.resolved_database_url())
    while not stop.wait(every):
        with engine.begin() as conn:
            meta.bump_data_version(conn)
    engine.dispose()


def table(samples: list[dict], args) -> str:
    """Start, middle and end as a Markdown table, then the change from start to end."""
    rows = [("start", samples[0]), ("middle", samples[len(samples) // 2]), ("end", samples[-1])]
    lines = ["| sample | seconds | panels shown | rotation ticks | refreshes | JS heap (MB) | DOM elements | "
             "DOM nodes (CDP) | listeners | plotly graphs | undo history |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, s in rows:
        lines.append(f"| {name} | {s['seconds']} | {s['rotations'] - samples[0]['rotations']} | "
                     f"{s['ticks'] - samples[0]['ticks']} | "
                     f"{s['refreshes'] - samples[0]['refreshes']} | {s['heap_mb']} | {s['dom']} | {s['nodes']} | "
                     f"{s['listeners']} | {s['graphs']} | {s['history']} |")
    first, last = samples[0], samples[-1]
    lines.append(f"\n/wall?{args.query} at {args.size}, rotate {args.rotate} s, refresh {args.refresh} s"
                 f"{', new data at every refresh' if args.new_data else ''}: "
                 f"heap {last['heap_mb'] - first['heap_mb']:+.2f} MB, DOM elements {last['dom'] - first['dom']:+d}, "
                 f"max heap over the run {max(s['heap_mb'] for s in samples)} MB.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rotations", type=int, default=1000)
    parser.add_argument("--refreshes", type=int, default=100)
    parser.add_argument("--rotate", type=float, default=0.2, help="seconds per panel (bench=1 allows >= 0.1)")
    parser.add_argument("--refresh", type=float, default=2.0, help="seconds between refreshes (bench=1: >= 1)")
    parser.add_argument("--query", default="units=all", help="the wall's other URL options")
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--new-data", action="store_true",
                        help="bump the data version every refresh, so each one recomputes and resends every panel")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    samples = run(args)
    print(table(samples, args))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "wall.json").write_text(json.dumps({"args": vars(args), "samples": samples}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
