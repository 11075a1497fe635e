"""Production serving: unsafe settings refused, /healthz, request logs, database outages, two servers."""
from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from dashboard.app import create_app
from dashboard.data import catalogue as cat
from dashboard.data import accounts, db, demo
from dashboard.settings import Settings
from tcpproxy import TcpProxy

TOWN = "330782100000"  # 佛堂镇


def cards_body(month: str, unit: str | None = None, lang: str = "zh") -> dict:
    """The request Dash's renderer posts for the cards of a page."""
    route = {"page": "township", "unit": unit} if unit else {"page": "city", "unit": None}
    inputs = [{"id": "app-route", "property": "data", "value": route},
              {"id": "app-month", "property": "data", "value": month},
              {"id": "app-category", "property": "data", "value": None},
              {"id": "app-lang", "property": "data", "value": lang}]
    return {"output": "page-cards.children", "outputs": {"id": "page-cards", "property": "children"},
            "inputs": inputs, "changedPropIds": ["app-month.data"], "state": []}


def freshness_body(lang: str = "zh") -> dict:
    return {"output": "shell-stale.children", "outputs": {"id": "shell-stale", "property": "children"},
            "inputs": [{"id": "shell-health-tick", "property": "n_intervals", "value": 1},
                       {"id": "app-lang", "property": "data", "value": lang}],
            "changedPropIds": ["shell-health-tick.n_intervals"], "state": []}


def test_production_refuses_to_start_without_a_secret_key_or_with_debug(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(SystemExit, match="KPI_SECRET_KEY"):
        create_app(Settings(database_url=url, env="production"))
    with pytest.raises(SystemExit, match="KPI_DEBUG"):
        create_app(Settings(database_url=url, env="production", secret_key="k" * 40, debug=True))
    assert create_app(Settings(database_url=url, env="production", secret_key="k" * 40)) is not None


def test_healthz_reports_the_data_version_and_a_missing_database(demo_settings, tmp_path):
    ok = create_app(demo_settings).server.test_client().get("/healthz")
    assert ok.status_code == 200
    assert ok.json["status"] == "ok" and ok.json["latest_period"] == "2022-12" and ok.json["demo"] is True
    gone = Settings(database_url=f"sqlite:///file:{tmp_path / 'none.sqlite3'}?mode=rw&uri=true",
                    db_timeout=1, db_retry_after=1, auth=False)
    down = create_app(gone).server.test_client()
    assert down.get("/healthz").status_code == 503
    assert down.get("/").status_code == 200  # the page still loads, and says the database is away
    banner = down.post("/_dash-update-component", json=freshness_body())
    assert "无法连接" in banner.get_data(as_text=True)


def test_every_request_is_logged_as_json_with_its_time_and_callback(demo_settings, caplog):
    client = create_app(demo_settings).server.test_client()
    with caplog.at_level(logging.INFO, logger="kpi.requests"):
        assert client.post("/_dash-update-component", json=cards_body("2022-06")).status_code == 200
    record = next(r for r in caplog.records if r.name == "kpi.requests")
    assert record.fields["callback"] == "page-cards.children"
    assert record.fields["status"] == 200 and record.fields["ms"] > 0
    from dashboard.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/_dash-update-component" and line["callback"] == "page-cards.children"


@pytest.fixture
def pg_demo(scratch_databases):
    """A PostgreSQL scratch database with the demo data (skipped without KPI_TEST_POSTGRES_URL)."""
    from conftest import _reset, _scratch_url

    if not os.environ.get("KPI_TEST_POSTGRES_URL"):
        pytest.skip("KPI_TEST_POSTGRES_URL is not set")
    url = _scratch_url("KPI_TEST_POSTGRES_URL", scratch_databases)
    _reset(url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    demo.build(engine, cat.load_catalogue(), cat.load_units())
    engine.dispose()
    return url


def test_database_outage_serves_the_last_good_data_then_recovers_by_itself(pg_demo):
    target = sa.make_url(pg_demo)
    proxy = TcpProxy(target.host, target.port or 5432).start()
    url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    client = create_app(Settings(database_url=url, auth=False, cache_url="simple", db_timeout=2,
                                 db_retry_after=1)).server.test_client()
    seen = client.post("/_dash-update-component", json=cards_body("2022-06"))
    assert seen.status_code == 200
    proxy.cut()
    try:
        started = time.monotonic()
        again = client.post("/_dash-update-component", json=cards_body("2022-06"))
        assert again.status_code == 200 and again.data == seen.data  # the last good answer, unchanged
        unseen = client.post("/_dash-update-component", json=cards_body("2021-06"))
        assert unseen.status_code == 204  # nothing cached for it: the screen keeps what it shows
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["status"] == "degraded"
        assert "无法连接" in client.post("/_dash-update-component", json=freshness_body()).get_data(as_text=True)
        assert time.monotonic() - started < 2 * 3  # bounded: no request waited past the timeout
    finally:
        proxy.restore()
    time.sleep(1.2)  # db_retry_after
    assert client.get("/healthz").status_code == 200
    assert client.post("/_dash-update-component", json=cards_body("2021-06")).status_code == 200
    assert client.post("/_dash-update-component", json=freshness_body()).json["response"]["shell-stale"][
        "children"] is None
    proxy.cut()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port: int, body: dict, session: dict) -> str:
    """A callback request with a signed-in session's cookies and CSRF header (from _sign_in)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-update-component",
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **session})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def _sign_in(port: int, user: str, password: str) -> dict:
    """Sign in through /login on one server: the headers that carry the session to any server."""
    import http.cookiejar
    import re

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', opener.open(f"{base}/login").read().decode()).group(1)
    opener.open(f"{base}/login", data=urllib.parse.urlencode(
        {"username": user, "password": password, "csrf_token": csrf}).encode()).read()
    opener.open(f"{base}/_dash-layout").read()
    cookies = {c.name: c.value for c in jar}
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "X-CSRFToken": cookies["_csrf_token"]}


@pytest.fixture
def redis_url():
    url = os.environ.get("KPI_TEST_REDIS_URL")
    if not url:
        pytest.skip("KPI_TEST_REDIS_URL is not set")
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"redis unreachable: {exc}")
    return url


@pytest.fixture
def two_servers(pg_demo, redis_url, tmp_path):
    """Two gunicorn servers (separate processes, the shipped config) on one PostgreSQL and one Redis."""
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
    env = {**os.environ, "KPI_DATABASE_URL": pg_demo, "KPI_CACHE_URL": redis_url,
           "KPI_SECRET_KEY": secrets.token_hex(32), "KPI_WORKERS": "1", "KPI_THREADS": "2",
           "KPI_VAR_DIR": str(tmp_path / "var"), "KPI_LOG_LEVEL": "WARNING"}
    ports, procs = [_free_port(), _free_port()], []
    for port in ports:
        procs.append(subprocess.Popen([gunicorn, "-c", "deploy/gunicorn.conf.py", "dashboard.wsgi:server"],
                                      env={**env, "KPI_BIND": f"127.0.0.1:{port}"}, cwd=os.getcwd(),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    try:
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        yield ports, env
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def test_two_servers_show_an_ingest_on_their_next_callback_and_share_one_cache(two_servers, redis_url, tmp_path):
    import redis

    (a, b), env = two_servers
    engine = db.make_engine(env["KPI_DATABASE_URL"])
    accounts.add_user(engine, "two.servers", "a long enough password", "city")
    engine.dispose()
    session = _sign_in(a, "two.servers", "a long enough password")  # signed in on A, good on B too
    body = cards_body("2022-06", TOWN)
    before = _post(a, body, session)
    assert before == _post(b, body, session)
    assert "4,321" not in before
    upload = tmp_path / "fix.csv"
    upload.write_text(f"period,unit_code,indicator,value,numerator,denominator,note\n"
                      f"2022-06,{TOWN},certified_social_workers,4321,,,\n", encoding="utf-8")
    loaded = subprocess.run([os.path.join(os.path.dirname(sys.executable), "kpi-dashboard"), "ingest", str(upload)],
                            env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert "4,321" in _post(a, body, session) and "4,321" in _post(b, body, session)  # both, on their very next callback

    cache = redis.Redis.from_url(redis_url)
    cold = cards_body("2022-05", TOWN)
    first = _post(a, cold, session)  # A computes and stores it in the shared cache
    keys = {k: cache.ttl(k) for k in cache.scan_iter("*update_cards*")}
    assert keys
    time.sleep(2.2)
    assert _post(b, cold, session) == first
    after = {k: cache.ttl(k) for k in cache.scan_iter("*update_cards*")}
    assert set(after) == set(keys)  # B added nothing ...
    assert all(after[k] <= keys[k] - 2 for k in keys)  # ... and rewrote nothing: it read A's entry
