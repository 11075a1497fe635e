"""Load benchmark of the production server (issue 7). Not a test.

Starts gunicorn with the shipped config (deploy/gunicorn.conf.py: 2 gthread workers x 4 threads) on a
demo database, drives it with wrk (50 connections, POST /_dash-update-component with realistic
overview-page callback bodies: navigation, header, cards, trend, ranking) and reports requests/s,
latency percentiles, errors, the workers' CPU time per request and each worker's resident memory
before and after the measured requests. In the same run, the floor: bench/floor_app.py (one JSON
endpoint returning recorded responses of the same sizes, compressed the same way) under the same
gunicorn settings and the same load.

Configurations (--configs): sqlite (scale 1, the in-process cache: one server's default),
sqlite-redis (scale 1, Redis as KPI_CACHE_URL) and postgres (scale 30, Redis: the two-server set-up).

The request mix: a pool of --views distinct views (city, townships, a few villages; months,
categories, both languages), 5 callback bodies each. A warm-up sends the pool twice (not measured);
the measured run then draws views at random from the pool, except that --new-share of them (10%)
are views never requested before, so cache misses happen; the share of bodies never sent before,
and with Redis the number of callback outputs actually computed, are reported.

Req/s depends on what else the machine runs; the workers' CPU milliseconds per request hardly do,
and 2000 / that figure bounds the req/s two idle cores could give (wrk, the database and Redis
not counted).

Usage: .venv/bin/python bench/bench_load.py [--configs sqlite,postgres] [--requests 10000]
       [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/kpi_load] [--redis redis://127.0.0.1:6379/14]
Needs wrk (apt-get install wrk). Loopback only; every process it starts is stopped on exit; the
Redis database given is flushed. Results also go to bench/results/load.json.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from bench_callbacks import CALLBACKS, find_key, fresh_demo, payload, views
from dashboard.app import create_app
from dashboard.data import accounts, db
from dashboard.service import KpiService
from dashboard.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LUA = BENCH / "wrk_callbacks.lua"
GUNICORN = Path(sys.executable).with_name("gunicorn")
AIMS = {"rps": 220, "rss_mb": 150, "growth_pct": 10}


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers are stopped on kill too
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="kpi-bench-load-"))
    configs = {"sqlite": (f"sqlite:///{workdir / 'kpi.sqlite3'}", 1, ""),
               "sqlite-redis": (f"sqlite:///{workdir / 'kpi-r.sqlite3'}", 1, args.redis),
               "postgres": (args.postgres, 30, args.redis)}
    report = {}
    try:
        for name in args.configs.split(","):
            url, scale, cache_url = configs[name]
            label = f"{name}@scale{scale}" + (" + redis" if cache_url else " (in-process cache)")
            print(f"== {label}", file=sys.stderr)
            report[label] = run_config(url, scale, cache_url, workdir / name, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps({"run": describe(args), **report}, indent=1, ensure_ascii=False))
    print_table(report, args)
    return 0 if all(r["app"]["errors"] == 0 for r in report.values()) else 1


def describe(args) -> dict:
    """What was run, for the results file."""
    return {"requests": args.requests, "connections": args.connections, "views": args.views,
            "new_share": args.new_share, "env": args.env, "loadavg_at_end": loadavg(),
            "cpus": os.cpu_count()}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="sqlite,postgres",
                        help="comma-separated: sqlite (in-process cache), sqlite-redis, postgres (scale 30 + Redis)")
    parser.add_argument("--requests", type=int, default=10_000, help="measured requests per server")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--views", type=int, default=300, help="views in the warm pool (5 callbacks each)")
    parser.add_argument("--new-share", type=float, default=0.10, help="share of measured views never seen before")
    parser.add_argument("--max-seconds", type=int, default=300, help="time bound of each wrk run")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/kpi_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="a dedicated db: it is flushed")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for both servers, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


# --- the request mix ------------------------------------------------------------------------------
def request_mix(url: str, scale: int, args) -> dict:
    """Build the demo database and the warm-up and measured request bodies, one JSON per line."""
    if url.startswith("postgresql"):
        ensure_database(url)
    t0 = time.perf_counter()
    fresh_demo(url, scale)
    print(f"  demo database built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    app = create_app(Settings(database_url=url, cache_url="null", auth=False))
    engine = db.make_engine(url)
    keys = [find_key(app, first) for first in CALLBACKS.values()]
    n_new = int(args.requests / len(keys) * args.new_share) + 1
    pool = unique_views(KpiService(engine), args.views + n_new, args.seed)
    page_loads = [[json.dumps(payload(app, key, v), separators=(",", ":")) for key in keys] for v in pool]
    warm, fresh = page_loads[: args.views], page_loads[args.views:]
    rng = random.Random(args.seed)
    warm_lines = [line for _ in range(2) for load in rng.sample(warm, len(warm)) for line in load]
    measured = []
    while len(measured) < args.requests:
        load = fresh.pop() if fresh and rng.random() < args.new_share else rng.choice(warm)
        measured.extend(load)
    measured = measured[: args.requests]
    floor = recorded_responses(app, keys, warm[:20])
    engine.dispose()
    seen, first_seen = set(warm_lines), 0
    for line in measured:  # a body never sent before: a cache miss for a shared cache
        first_seen += line not in seen
        seen.add(line)
    return {"warm": warm_lines, "measured": measured, "floor": floor, "views": len(pool),
            "distinct_bodies": len(seen), "new_share": first_seen / len(measured)}


def unique_views(service: KpiService, n: int, seed: int) -> list[dict]:
    """n distinct views (path and query) from bench_callbacks.views()."""
    out, seen = [], set()
    for v in views(service, n * 4, seed):
        if (v["pathname"], v["search"]) not in seen:
            seen.add((v["pathname"], v["search"]))
            out.append(v)
    if len(out) < n:
        raise SystemExit(f"only {len(out)} distinct views; ask for fewer")
    return out[:n]


def recorded_responses(app, keys: list[str], loads: list[list[str]]) -> dict[str, str]:
    """Per callback, a response of median size from the dashboard itself (the floor serves these)."""
    client = app.server.test_client()
    out = {}
    for i, key in enumerate(keys):
        bodies = []
        for load in loads:
            response = client.post("/_dash-update-component", data=load[i], content_type="application/json")
            if response.status_code not in (200, 204):
                raise SystemExit(f"{key[:60]}: HTTP {response.status_code}: {response.data[:300]!r}")
            if response.status_code == 200:
                bodies.append(response.get_data(as_text=True))
        bodies.sort(key=len)
        out[key] = bodies[len(bodies) // 2]
    return out


def ensure_database(url: str) -> None:
    """CREATE DATABASE for the URL's database if it does not exist (connecting to 'postgres')."""
    u = sa.make_url(url)
    engine = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": u.database}).scalar():
            conn.execute(sa.text(f'CREATE DATABASE "{u.database}"'))
    engine.dispose()


# --- one configuration ----------------------------------------------------------------------------
def run_config(url: str, scale: int, cache_url: str, workdir: Path, args) -> dict:
    """The dashboard, then the floor, under the same load."""
    workdir.mkdir(parents=True)
    mix = request_mix(url, scale, args)
    files = {name: write_lines(workdir / f"{name}.txt", mix[name]) for name in ("warm", "measured")}
    (workdir / "floor.json").write_text(json.dumps(mix["floor"], ensure_ascii=False))
    if cache_url:
        flush_redis(cache_url)
    env = {**dict(e.split("=", 1) for e in args.env),
           "KPI_DATABASE_URL": url, "KPI_CACHE_URL": cache_url, "KPI_VAR_DIR": str(workdir / "var")}
    result = {"views": mix["views"], "distinct_bodies": mix["distinct_bodies"],
              "new_body_share": round(mix["new_share"], 3),
              "response_bytes": {k.strip(".")[:30]: len(v) for k, v in mix["floor"].items()}}
    add_bench_user(url)
    with Gunicorn("dashboard.wsgi:server", env) as server:
        server.sign_in(BENCH_USER, BENCH_PASSWORD)  # production settings: sign-in is on
        result["app"] = measure(server, files, args, cache_url)
    if result["app"]["errors"]:
        result["app"]["log_excerpt"] = server.log_excerpt()
        print("\n".join(result["app"]["log_excerpt"]), file=sys.stderr)
    with Gunicorn("floor_app:app", {**env, "KPI_FLOOR_BODIES": str(workdir / "floor.json")}, "bench") as server:
        result["floor"] = measure(server, files, args, "")
    result["ratio_rps"] = round(result["app"]["rps"] / result["floor"]["rps"], 3)
    return result


def measure(server: "Gunicorn", files: dict, args, cache_url: str) -> dict:
    """Warm up, then the measured requests, with worker memory, CPU and cache keys around them."""
    rss_boot = server.worker_rss()
    run_wrk(server.port, files["warm"], files["warm"].read_text().count("\n"), args, server.session)
    rss_before, keys_before, load_before = server.worker_rss(), out_keys(cache_url), loadavg()
    cpu_before = server.worker_cpu()
    result = run_wrk(server.port, files["measured"], args.requests, args, server.session)
    cpu_after = server.worker_cpu()
    rss_after, keys_after = server.worker_rss(), out_keys(cache_url)
    # CPU the workers used per request: unlike req/s, hardly moved by other load on the machine.
    cpu_ms = (cpu_after - cpu_before) * 1000 / result["requests"]
    growth = [(rss_after[p] - rss_before[p]) / rss_before[p] * 100 for p in rss_before if p in rss_after]
    result.update(errors=result["non_2xx"] + result["socket_errors"] + result["timeouts"],
                  worker_cpu_ms_per_request=round(cpu_ms, 2), rps_if_2_idle_cores=round(2000 / cpu_ms),
                  rss_mb_boot=rss_boot, rss_mb_before=rss_before, rss_mb_after=rss_after,
                  rss_growth_pct_max=round(max(growth), 1) if growth else None,
                  pss_mb_after=server.worker_rss(pss=True), workers_recycled=sorted(rss_before) != sorted(rss_after),
                  loadavg_before=load_before, loadavg_after=loadavg())
    if cache_url:
        result["outputs_computed"] = keys_after - keys_before  # memoised callback outputs missing from Redis
        result["redis_used_mb"] = redis_used_mb(cache_url)
    print(f"  {server.app}: {result['rps']} req/s, p50/p95/p99 {result['p50_ms']}/{result['p95_ms']}/"
          f"{result['p99_ms']} ms, errors {result['errors']}, RSS MB {rss_before} -> {rss_after}", file=sys.stderr)
    return result


def run_wrk(port: int, bodies: Path, n: int, args, session: tuple[str, str] = ()) -> dict:
    """wrk with the Lua script: n requests (or --max-seconds), the RESULT line parsed.

    wrk sleeps for its whole -d even when the script has stopped its thread; the script drops a
    marker file when it has its n responses, and SIGINT makes wrk report at once.
    """
    marker = bodies.with_suffix(".done")
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.max_seconds}s", "--timeout", "30s", "-s", str(LUA),
           f"http://127.0.0.1:{port}", "--", str(bodies), str(n), "1", str(marker), *session]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + args.max_seconds + 30
        while proc.poll() is None and not Path(f"{marker}.0").exists() and time.time() < deadline:
            time.sleep(0.1)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:  # interrupted, or wrk hung: never leave it running
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    Path(f"{marker}.0").unlink(missing_ok=True)
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise SystemExit(f"wrk failed ({proc.returncode}): {out[-2000:]} {err[-2000:]}")
    result = json.loads(lines[0][len("RESULT "):])
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def out_keys(url: str) -> int | None:
    """How many memoised callback outputs the Redis cache holds (None without Redis)."""
    if not url:
        return None
    import redis

    return sum(1 for _ in redis.Redis.from_url(url).scan_iter(match="kpi-dashboard:out:*", count=1000))


def redis_used_mb(url: str) -> float:
    """Memory the keys of the benchmark's Redis database take (MEMORY USAGE summed), MB."""
    import redis

    client = redis.Redis.from_url(url)
    total, pipe = 0, client.pipeline(transaction=False)
    for i, key in enumerate(client.scan_iter(count=1000), 1):
        pipe.memory_usage(key)
        if i % 1000 == 0:
            total += sum(n or 0 for n in pipe.execute())
    total += sum(n or 0 for n in pipe.execute())
    return round(total / 2**20, 1)


BENCH_USER, BENCH_PASSWORD = "bench.city", "benchmark password 1"


def add_bench_user(url: str) -> None:
    """A city account for the load (kept if the database has it from an earlier run)."""
    engine = db.make_engine(url)
    try:
        accounts.add_user(engine, BENCH_USER, BENCH_PASSWORD, "city")
    except accounts.AccountError:
        pass
    finally:
        engine.dispose()


# --- the server -----------------------------------------------------------------------------------
class Gunicorn:
    """gunicorn -c deploy/gunicorn.conf.py APP on a free loopback port, in its own process group."""

    def __init__(self, app: str, env: dict, pythonpath: str | None = None):
        self.app, self.port = app, free_port()
        clean = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
        self.env = {**clean, **env, "KPI_WORKERS": "2", "KPI_SECRET_KEY": secrets.token_hex(32),
                    "KPI_BIND": f"127.0.0.1:{self.port}", "KPI_LOG_LEVEL": "WARNING"}
        self.cmd = [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", *(["--pythonpath", pythonpath] if pythonpath else []), app]
        self.log = Path(env["KPI_VAR_DIR"]).with_name(f"gunicorn-{app.split(':')[0]}.log")
        self.proc: subprocess.Popen | None = None
        self.session: tuple[str, str] = ()  # (Cookie header, CSRF token) once signed in

    def sign_in(self, user: str, password: str) -> None:
        """Sign in through /login as a browser does; wrk then sends the session cookie and CSRF header."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{self.port}"
        page = opener.open(f"{base}/login", timeout=10).read().decode()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": user, "password": password, "csrf_token": csrf}).encode()
        opener.open(f"{base}/login", data=form, timeout=10).read()
        opener.open(f"{base}/_dash-layout", timeout=10).read()  # sets the _csrf_token cookie
        cookies = {c.name: c.value for c in jar}
        if "kpi_session" not in cookies or "_csrf_token" not in cookies:
            raise SystemExit(f"could not sign in as {user} on {base}: cookies {sorted(cookies)}")
        self.session = ("; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["_csrf_token"])

    def __enter__(self) -> "Gunicorn":
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            if len(self.worker_rss()) == 2 and self._healthy():
                return self
            time.sleep(0.5)
        self.__exit__()
        raise SystemExit(f"gunicorn not ready in 90 s:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        """SIGTERM to the group (graceful), SIGKILL if still there after the graceful timeout."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def log_excerpt(self, lines: int = 60) -> list[str]:
        """The server log's error lines and tracebacks (the first `lines` of them)."""
        text = self.log.read_text(errors="replace").splitlines()
        keep = [line for line in text if "ERROR" in line or "Traceback" in line or line.startswith((" ", "\t"))
                or "Error" in line or "exception" in line]
        return keep[:lines]

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    def worker_cpu(self) -> float:
        """CPU seconds (user + system) the current workers have used."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.worker_rss():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            except OSError:
                continue
        return total

    def worker_rss(self, pss: bool = False) -> dict[int, float]:
        """Resident MB of each worker (the master's children) by pid: VmRSS, or with pss=True the
        proportional set size (shared pages split between the processes sharing them)."""
        out = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != self.proc.pid:
                    continue
                text = (stat.parent / ("smaps_rollup" if pss else "status")).read_text()
                field = "Pss:" if pss else "VmRSS:"
                kb = next(line.split()[1] for line in text.splitlines() if line.startswith(field))
                out[int(stat.parent.name)] = round(int(kb) / 1024, 1)
            except (OSError, StopIteration, IndexError):
                continue  # a process that ended while we looked
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the report -----------------------------------------------------------------------------------
def print_table(report: dict, args) -> None:
    print(f"\n{args.requests:,} measured requests per server, {args.connections} connections (wrk), "
          f"after a warm-up of two passes over {args.views} views x 5 callbacks\n")
    print("| run | server | req/s | p50 ms | p95 ms | p99 ms | errors | worker CPU ms/req | "
          "RSS MB per worker, before -> after | growth | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run, r in report.items():
        for side in ("app", "floor"):
            s = r[side]
            rss = ", ".join(f"{s['rss_mb_before'][p]} -> {s['rss_mb_after'].get(p, '?')}" for p in s["rss_mb_before"])
            print(f"| {run} | {'dashboard' if side == 'app' else 'floor'} | {s['rps']:.0f} | {s['p50_ms']} | "
                  f"{s['p95_ms']} | {s['p99_ms']} | {s['errors']} | {s['worker_cpu_ms_per_request']} | {rss} | {s['rss_growth_pct_max']}% | "
                  f"{s['loadavg_before'][0]} -> {s['loadavg_after'][0]} |")
    print()
    for run, r in report.items():
        a = r["app"]
        peak = max(a["rss_mb_after"].values())
        computed = (f", {a['outputs_computed']} callback outputs computed, Redis holds {a['redis_used_mb']} MB"
                    if "outputs_computed" in a else "")
        print(f"{run}: dashboard/floor = {r['ratio_rps']:.2f}; {r['new_body_share']:.1%} of measured bodies never "
              f"sent before{computed}; aims: {a['rps']:.0f} >= {AIMS['rps']} req/s "
              f"{'ok' if a['rps'] >= AIMS['rps'] else 'MISSED'}, errors {a['errors']} "
              f"{'ok' if a['errors'] == 0 else 'MISSED'}, peak RSS {peak} MB "
              f"{'ok' if peak < AIMS['rss_mb'] else 'MISSED'}, growth {a['rss_growth_pct_max']}% "
              f"{'ok' if (a['rss_growth_pct_max'] or 0) < AIMS['growth_pct'] else 'MISSED'}"
              f"{' (a worker was recycled)' if a['workers_recycled'] else ''}")


if __name__ == "__main__":
    sys.exit(main())
