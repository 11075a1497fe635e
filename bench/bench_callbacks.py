"""Benchmark of the managers' dashboard callbacks (issue 3). Not a test.

For each main callback: server time (p50/p95 over --calls requests with varied inputs, posted to
/_dash-update-component through Flask's test client) with a cold cache (cleared before each call)
and a warm one; in the same run, a no-op callback returning an equally large response (the
floor), and the raw SQL time of the aggregation the callback needs, both as the dashboard runs it
(pre-aggregated roll-ups) and as a live GROUP BY over observations. Then, with --browser, the
bytes of a first load of / (compressed) and the time to a rendered overview in headless Chromium.

Usage: python bench/bench_callbacks.py [--scales 1,30] [--calls 200] [--postgres URL] [--browser]
Compare figures within one run: the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from dash import Input, Output

from dashboard.app import create_app
from dashboard.callbacks.navigation import next_view
from dashboard.data import catalogue as cat
from dashboard.data import db, demo, queries, schema
from dashboard.data.periods import add_months
from dashboard.engine import history_start
from dashboard.settings import Settings

RESULTS = Path(__file__).parent / "results"
CALLBACKS = {  # name -> the output key's first output, as registered by the app
    "navigation (URL -> filters, stores)": "app-url.search",
    "page header": "page-breadcrumb.children",
    "cards": "page-cards.children",
    "trend": "unit-trend.figure",
    "ranking + tiles + table": "unit-ranking.figure",
}
NOOP_IN, NOOP_OUT = "bench-noop-in", "bench-noop-out"


def fresh_demo(url: str, scale: int) -> None:
    """An empty, migrated database filled with the demo at a scale."""
    engine = db.make_engine(url)
    with engine.begin() as conn:
        schema.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    db.upgrade(engine)
    demo.build(engine, cat.load_catalogue(), cat.load_units(), scale=scale)
    engine.dispose()


def views(service, n: int, seed: int = 7) -> list[dict]:
    """n varied views: city and townships (and a few villages), months, categories, languages."""
    rng = random.Random(seed)
    periods = service.periods()
    townships = [u.code for u in service.children(cat.CITY_CODE)]
    villages = [u.code for t in townships[:3] for u in service.children(t)[:3]]
    out = []
    for _ in range(n):
        roll = rng.random()
        path = "/" if roll < 0.4 else (f"/township/{rng.choice(townships)}" if roll < 0.9
                                       else f"/village/{rng.choice(villages)}")
        query = {"month": rng.choice(periods[-24:]), "lang": rng.choice(["zh", "en"])}
        if rng.random() < 0.3:
            query["cat"] = rng.choice(cat.CATEGORIES)
        search = "?" + "&".join(f"{k}={v}" for k, v in query.items())
        view, effective, _, _ = next_view(service, None, path, search, {})
        out.append({"pathname": path, "search": search, "route": {"page": view.page, "unit": view.unit},
                    "month": view.month, "cat": view.cat, "ind": effective, "lang": view.lang, "towns": []})
    return out


def payload(app, key: str, v: dict) -> dict:
    """The JSON body Dash's renderer posts for this callback and view."""
    cb = app.callback_map[key]
    store_values = {"app-route": v["route"], "app-month": v["month"], "app-category": v["cat"],
                    "app-indicator": v["ind"], "app-lang": v["lang"], "app-towns": v["towns"]}
    url_values = {("app-url", "pathname"): v["pathname"], ("app-url", "search"): v["search"]}

    def value(dep):
        return url_values.get((dep["id"], dep["property"]), store_values.get(dep["id"]))

    inputs = [{"id": d["id"], "property": d["property"], "value": value(d)} for d in cb["inputs"]]
    state = [{"id": d["id"], "property": d["property"], "value": None if key.startswith("..app-url") else value(d)}
             for d in cb.get("state", [])]
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1].split("@")[0]} for p in parts]
    changed = [f"{inputs[0]['id']}.{inputs[0]['property']}"]
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0], "inputs": inputs,
            "changedPropIds": changed, "state": state}


def find_key(app, first_output: str) -> str:
    """The callback_map key whose outputs start with first_output."""
    for key in app.callback_map:
        if key == first_output or key.startswith(".." + first_output + "..."):
            return key
    raise KeyError(first_output)


def post(client, body: dict) -> tuple[float, bytes]:
    """Milliseconds and response bytes of one callback request."""
    t0 = time.perf_counter()
    response = client.post("/_dash-update-component", json=body)
    elapsed = (time.perf_counter() - t0) * 1000
    if response.status_code not in (200, 204):
        raise RuntimeError(f"{body['output'][:60]}: HTTP {response.status_code}: {response.data[:300]!r}")
    return elapsed, response.data


def pct(samples: list[float]) -> dict:
    s = sorted(samples)
    return {"p50": round(statistics.median(s), 2), "p95": round(s[min(len(s) - 1, int(len(s) * 0.95))], 2)}


def clear_cache(app) -> None:
    """Empty the Flask-Caching backends of the app (the cold case)."""
    for cache in app.server.extensions.get("cache", {}).values():
        cache.clear()


def raw_sql(engine, service, name: str, v: dict) -> tuple[float, float]:
    """(ms of the query the callback runs, ms of a live GROUP BY giving the same sums)."""
    unit = service.unit((v["route"] or {}).get("unit") or cat.CITY_CODE)
    month = v["month"]
    start = add_months(month, -35)
    with engine.connect() as conn:
        t0 = time.perf_counter()
        if name == "ranking + tiles + table" and v["ind"]:
            ind = service.indicators[v["ind"]]
            level = "village" if unit.kind == "township" and ind.level != "village" else ind.level
            used = queries.rollup_children(conn, unit, v["ind"], level, add_months(month, -11), month)
        elif name in ("cards", "trend"):
            used = queries.rollup_monthly(conn, unit, start, month)
        else:
            used = queries.data_version(conn)
        t1 = time.perf_counter()
        live_rollup(conn, unit, start, month)
        t2 = time.perf_counter()
    del used
    return (t1 - t0) * 1000, (t2 - t1) * 1000


def live_rollup(conn, unit, start: str, end: str):
    """The aggregation without the roll-up table: a GROUP BY over every observation in scope."""
    o, u = schema.observations.c, schema.units.c
    if unit.kind == "city":
        scope = sa.true()
    elif unit.kind == "township":
        scope = sa.or_(o.unit_code == unit.code, o.unit_code.in_(sa.select(u.code).where(u.parent_code == unit.code)))
    else:
        scope = o.unit_code == unit.code
    stmt = (sa.select(o.indicator_code, o.period, sa.func.sum(o.value), sa.func.sum(o.numerator),
                      sa.func.sum(o.denominator), sa.func.count())
            .where(scope, o.period >= start, o.period <= end).group_by(o.indicator_code, o.period))
    return conn.execute(stmt).all()


def bench_backend(url: str, scale: int, calls: int) -> dict:
    """All callbacks on one database at one scale."""
    fresh_demo(url, scale)
    app = create_app(Settings(database_url=url, cache_url="simple", auth=False))
    echo = {"body": None}
    app.callback(Output(NOOP_OUT, "data"), Input(NOOP_IN, "data"))(lambda _x: echo["body"])
    client = app.server.test_client()
    service_engine = db.make_engine(url)
    from dashboard.service import KpiService

    service = KpiService(service_engine)
    sample = views(service, calls)
    result = {}
    for name, first in CALLBACKS.items():
        key = find_key(app, first)
        bodies = [payload(app, key, v) for v in sample]
        cold, warm, floor, sizes, used_sql, live_sql = [], [], [], [], [], []
        for body in bodies:
            clear_cache(app)
            ms, data = post(client, body)
            cold.append(ms)
            sizes.append(len(data))
        for body in bodies:  # prime: every view computed once, then measured from the cache
            post(client, body)
        for body in bodies:
            warm.append(post(client, body)[0])
        noop_key = find_key(app, f"{NOOP_OUT}.data")
        for body in bodies:
            response = json.loads(post(client, body)[1] or b"{}")
            echo["body"] = response.get("response", response)
            noop = {"output": noop_key, "outputs": {"id": NOOP_OUT, "property": "data"},
                    "inputs": [{"id": NOOP_IN, "property": "data", "value": 1}],
                    "changedPropIds": [f"{NOOP_IN}.data"], "state": []}
            floor.append(post(client, noop)[0])
        for v in sample[: max(20, calls // 4)]:
            a, b = raw_sql(service_engine, service, name, v)
            used_sql.append(a)
            live_sql.append(b)
        result[name] = {"cold": pct(cold), "warm": pct(warm), "floor": pct(floor), "sql_used": pct(used_sql),
                        "sql_live": pct(live_sql), "response_bytes_p50": int(statistics.median(sizes))}
        print(f"  {name}: cold {result[name]['cold']} warm {result[name]['warm']} floor {result[name]['floor']}",
              file=sys.stderr)
    service_engine.dispose()
    return result


def bench_browser(url: str) -> dict:
    """Bytes transferred (compressed) for a first load of / and time to a rendered overview."""
    import socket
    import threading

    from selenium import webdriver
    from werkzeug.serving import make_server

    app = create_app(Settings(database_url=url, auth=False))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1600,1200",
                 f"--user-data-dir={tempfile.mkdtemp()}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        t0 = time.perf_counter()
        driver.get(f"http://127.0.0.1:{port}/")
        deadline = time.time() + 60
        while time.time() < deadline:
            n = driver.execute_script("return document.querySelectorAll('.kpi-card').length")
            if n >= 18:
                break
            time.sleep(0.05)
        rendered_s = time.perf_counter() - t0
        entries = driver.execute_script(
            "return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
            ".map(e => [e.name, e.transferSize || 0, e.decodedBodySize || 0])")
    finally:
        driver.quit()
        server.shutdown()
    return {"requests": len(entries), "transferred_bytes": sum(e[1] for e in entries),
            "decoded_bytes": sum(e[2] for e in entries), "time_to_rendered_overview_s": round(rendered_s, 2),
            "cards_seen": n}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,30")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kpi-bench-cb-"))
    backends = {"sqlite": f"sqlite:///{workdir / 'bench.sqlite3'}"}
    if args.postgres:
        backends["postgres"] = args.postgres
    report = {}
    for backend, url in backends.items():
        for scale in (int(s) for s in args.scales.split(",")):
            print(f"{backend} scale {scale}", file=sys.stderr)
            report[f"{backend}@scale{scale}"] = bench_backend(url, scale, args.calls)
    if args.browser:
        fresh_demo(backends["sqlite"], 1)
        report["browser"] = bench_browser(backends["sqlite"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "callbacks.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print_table(report)
    return 0


def print_table(report: dict) -> None:
    print("| run | callback | cold p50/p95 ms | warm p50/p95 ms | floor p50/p95 ms | SQL used p95 | live GROUP BY p95 | response |")
    print("|---|---|---|---|---|---|---|---|")
    for run, callbacks in report.items():
        if run == "browser":
            continue
        for name, r in callbacks.items():
            print(f"| {run} | {name} | {r['cold']['p50']}/{r['cold']['p95']} | {r['warm']['p50']}/{r['warm']['p95']} | "
                  f"{r['floor']['p50']}/{r['floor']['p95']} | {r['sql_used']['p95']} | {r['sql_live']['p95']} | "
                  f"{r['response_bytes_p50']:,} B |")
    if "browser" in report:
        b = report["browser"]
        print(f"\nFirst load of /: {b['requests']} requests, {b['transferred_bytes']:,} bytes transferred "
              f"({b['decoded_bytes']:,} decoded); overview rendered with {b['cards_seen']} cards in "
              f"{b['time_to_rendered_overview_s']} s")


if __name__ == "__main__":
    sys.exit(main())
