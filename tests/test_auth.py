"""Signing in and out, sessions, CSRF, rate limiting, wall tokens and the audit log (issue 8)."""
from __future__ import annotations

import dataclasses
import time

import pytest

from conftest import AUTH, OTHER_TOWNSHIP, OWN_TOWNSHIP, PASSWORD, csrf_of, sign_in
from dashboard.app import create_app
from dashboard.data import accounts, db
from dashboard.settings import Settings
from test_serving import cards_body

WALL_BODY_OUTPUT = "..wall-data.data...wall-health.data.."


def wall_body() -> dict:
    """The wall's refresh, as dash-renderer posts it."""
    return {"output": WALL_BODY_OUTPUT,
            "outputs": [{"id": "wall-data", "property": "data"}, {"id": "wall-health", "property": "data"}],
            "inputs": [{"id": "wall-refresh", "property": "n_intervals", "value": 1},
                       {"id": "wall-viewport", "property": "data", "value": {"w": 1920, "h": 1080}}],
            "state": [{"id": "wall-options", "property": "data", "value": {"units": "all", "lang": "zh"}},
                      {"id": "wall-health", "property": "data", "value": None}],
            "changedPropIds": ["wall-refresh.n_intervals"]}


def post(client, body: dict, referrer: str | None = None, csrf: bool = True):
    """POST a callback request the way the browser does (with the CSRF header unless told not to)."""
    headers = {"X-CSRFToken": csrf_of(client)} if csrf else {}
    if referrer:
        headers["Referer"] = referrer
    return client.post("/_dash-update-component", json=body, headers=headers)


def audit(auth_settings, action: str) -> list[dict]:
    engine = db.make_engine(auth_settings.resolved_database_url())
    try:
        return accounts.audit_entries(engine, 500, action)
    finally:
        engine.dispose()


# --- anonymous requests -------------------------------------------------------------------------
def test_anonymous_pages_redirect_to_login_and_everything_else_gets_401(client_as):
    client = client_as(None)
    page = client.get("/township/330782002000?month=2022-06")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?next=%2Ftownship%2F330782002000%3Fmonth%3D2022-06")
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    assert client.post("/_dash-update-component", json=cards_body("2022-06")).status_code == 401
    assert client.get("/healthz").status_code == 200  # load balancers never sign in
    assert client.get("/login").status_code == 200
    assert b"correct horse" not in client.get("/login").data


def test_login_page_speaks_chinese_and_english(client_as):
    client = client_as(None)
    assert "用户名" in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "User name" in english and "Sign in" in english


# --- signing in -------------------------------------------------------------------------------------
def test_sign_in_goes_to_the_page_asked_for_and_never_off_site(client_as):
    client = client_as(None)
    done = sign_in(client, "city", next_url="/township/330782002000?month=2022-06")
    assert done.status_code == 302 and done.headers["Location"] == "/township/330782002000?month=2022-06"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert sign_in(client_as(None), "city", next_url=evil).headers["Location"] == "/"


def test_a_wrong_password_a_disabled_account_and_an_unknown_name_all_fail_alike(client_as, auth_settings):
    for user, password in (("city", "wrong password!"), ("disabled", PASSWORD), ("nobody", PASSWORD)):
        answer = sign_in(client_as(None), user, password)
        assert answer.status_code == 401
        assert "用户名或密码不正确" in answer.get_data(as_text=True)
    failed = {e["actor"] for e in audit(auth_settings, "login_failed")}
    assert {"city", "disabled", "nobody"} <= failed


def test_login_needs_the_forms_csrf_token(client_as):
    client = client_as(None)
    client.get("/login")
    answer = client.post("/login", data={"username": "city", "password": PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_repeated_failures_are_rate_limited_then_even_the_right_password_waits(client_as, auth_settings):
    engine = db.make_engine(auth_settings.resolved_database_url())
    accounts.add_user(engine, "guessed", PASSWORD, "viewer")
    engine.dispose()
    client = client_as(None)
    for _ in range(auth_settings.login_max_failures):
        assert sign_in(client, "guessed", "not the password").status_code == 401
    assert sign_in(client, "guessed", PASSWORD).status_code == 429  # this address waits
    assert sign_in(client, "admin", PASSWORD).status_code == 429  # for every name
    assert sign_in(client_as(None), "guessed", PASSWORD).status_code == 302  # a colleague elsewhere is not locked out
    for n in range(3 * auth_settings.login_max_failures):  # guesses spread over many addresses
        assert sign_in(client_as(None), "guessed", "still wrong").status_code == 401
    assert sign_in(client_as(None), "guessed", PASSWORD).status_code == 429  # now the name waits too
    assert audit(auth_settings, "login_blocked")


def test_the_session_cookie_is_httponly_and_samesite(client_as):
    client = client_as(None)
    answer = sign_in(client, "city")
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("kpi_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csrf = next(c for c in page.headers.getlist("Set-Cookie") if c.startswith("_csrf_token="))
    assert "SameSite=Strict" in csrf


# --- sessions --------------------------------------------------------------------------------------
def test_signed_in_users_get_pages_and_callbacks(client_as):
    client = client_as("viewer")
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    answer = post(client, cards_body("2022-06"))
    assert answer.status_code == 200 and "page-cards" in answer.get_data(as_text=True)


def test_callbacks_without_the_csrf_header_or_from_another_origin_are_refused(client_as):
    client = client_as("city")
    assert post(client, cards_body("2022-06"), csrf=False).status_code == 403
    other = client.post("/_dash-update-component", json=cards_body("2022-06"),
                        headers={"X-CSRFToken": csrf_of(client), "Origin": "http://evil.example"})
    assert other.status_code == 403


def test_logout_ends_the_session_and_needs_the_csrf_token(client_as, auth_settings):
    client = client_as("city")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/").status_code == 200
    done = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert post(client, cards_body("2022-06")).status_code == 401
    assert any(e["actor"] == "city" for e in audit(auth_settings, "logout"))


def test_sessions_expire(auth_settings, tmp_path):
    app = create_app(dataclasses.replace(auth_settings, session_hours=1 / 3600))  # one second
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.200.0.1"
    assert sign_in(client, "city").status_code == 302
    assert client.get("/").status_code == 200
    time.sleep(1.2)
    assert client.get("/").status_code == 302


def test_disabling_or_changing_an_account_ends_its_sessions_at_once(auth_settings, client_as):
    engine = db.make_engine(auth_settings.resolved_database_url())
    accounts.add_user(engine, "temp.user", PASSWORD, "city")
    try:
        client, other = client_as("temp.user"), client_as("temp.user")
        assert client.get("/").status_code == 200
        accounts.set_role(engine, "temp.user", "viewer")  # a role change: sign in again to get it
        assert client.get("/").status_code == 302
        assert sign_in(client, "temp.user").status_code == 302 and client.get("/").status_code == 200
        accounts.set_disabled(engine, "temp.user")
        assert client.get("/").status_code == 302 and other.get("/").status_code == 302
        assert sign_in(client, "temp.user").status_code == 401
    finally:
        engine.dispose()


def test_auth_off_is_demo_mode_and_says_so_and_production_refuses_it(demo_settings):
    client = create_app(demo_settings).server.test_client()
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "演示模式: 未启用登录" in layout
    with pytest.raises(SystemExit, match="KPI_AUTH"):
        create_app(dataclasses.replace(demo_settings, env="production", secret_key="k" * 40))
    assert Settings.from_env({}).auth is True  # on unless switched off


def test_the_header_names_the_user_and_offers_sign_out_when_sign_in_is_on(client_as):
    layout = client_as("township").get("/_dash-layout").get_data(as_text=True)
    assert "township" in layout and "退出登录" in layout and "演示模式" not in layout


# --- wall tokens -------------------------------------------------------------------------------------
def test_a_wall_token_opens_the_wall_and_its_refresh_only(client_as):
    token = AUTH["wall_token"]
    client = client_as(None)
    wall = f"http://localhost/wall?token={token}&units=all"
    assert client.get(f"/wall?token={token}&units=all").status_code == 200
    layout = client.get("/_dash-layout", headers={"Referer": wall})
    assert layout.status_code == 200 and "wall-content" in layout.get_data(as_text=True)
    data = client.post("/_dash-update-component", json=wall_body(), headers={"Referer": wall})
    assert data.status_code == 200 and "稠江街道" in data.get_data(as_text=True)
    # Anything else, with the same token, is refused.
    assert client.post("/_dash-update-component", json=cards_body("2022-06"), headers={"Referer": wall}).status_code == 403
    assert client.get(f"/?token={token}").status_code == 302
    assert client.get("/data", headers={"Referer": wall}).status_code == 302
    # A token from another host's page, or a made-up one, is nothing.
    assert client.get("/_dash-layout", headers={"Referer": f"http://evil.example/wall?token={token}"}).status_code == 401
    assert client.get("/wall?token=made-up").status_code == 302


def test_a_revoked_token_stops_at_the_next_request(auth_settings, client_as):
    engine = db.make_engine(auth_settings.resolved_database_url())
    record, token = accounts.create_token(engine, "临时", "pytest")
    try:
        client = client_as(None)
        wall = f"http://localhost/wall?token={token}"
        assert client.post("/_dash-update-component", json=wall_body(), headers={"Referer": wall}).status_code == 200
        accounts.revoke_token(engine, record.id)
        assert client.post("/_dash-update-component", json=wall_body(), headers={"Referer": wall}).status_code == 401
        assert client.get(f"/wall?token={token}").status_code == 302
    finally:
        engine.dispose()
    uses = audit(auth_settings, "wall_token")
    assert any(e["outcome"] == "ok" for e in uses) and any(e["outcome"] == "denied" for e in uses)


def test_tokens_are_stored_as_digests_only(auth_settings):
    import sqlalchemy as sa

    engine = db.make_engine(auth_settings.resolved_database_url())
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM wall_tokens")).scalars().all()
        hashes = conn.execute(sa.text("SELECT password_hash FROM users")).scalars().all()
    engine.dispose()
    assert AUTH["wall_token"] not in stored and accounts.token_digest(AUTH["wall_token"]) in stored
    assert all(h.startswith("scrypt:") and PASSWORD not in h for h in hashes)
    assert len(set(hashes)) == len(hashes)  # salted: the same password never hashes alike


# --- what each role may have -------------------------------------------------------------------------
def test_a_township_user_gets_nothing_of_another_township(client_as):
    client = client_as("township")
    own = post(client, cards_body("2022-06", OWN_TOWNSHIP))
    assert own.status_code == 200 and "page-cards" in own.get_data(as_text=True)
    other = post(client, cards_body("2022-06", OTHER_TOWNSHIP)).get_data(as_text=True)
    # To a township user another township does not exist: the same answer as for a made-up code,
    # not what a city user gets.
    made_up = post(client, cards_body("2022-06", "330782999000")).get_data(as_text=True)
    assert other == made_up
    assert other != post(client_as("city"), cards_body("2022-06", OTHER_TOWNSHIP)).get_data(as_text=True)
    city = post(client, cards_body("2022-06")).get_data(as_text=True)  # the city totals: yes
    assert "page-cards" in city


def test_the_township_users_wall_shows_the_city_and_its_own_township_only(client_as):
    client = client_as("township")
    data = post(client, wall_body(), referrer="http://localhost/wall?units=all").get_data(as_text=True)
    assert "江东街道" in data and "稠江街道" not in data and "义乌市" in data


def tiles_csv_body(unit: str | None = None) -> dict:
    """A click on the city (or a township) page's tiles CSV button."""
    buttons = ["export-trend-csv", "export-ranking-csv", "export-tiles-csv", "export-table-csv", "export-village-csv"]
    route = {"page": "township", "unit": unit} if unit else {"page": "city", "unit": None}
    states = [("app-route", route), ("app-month", "2022-06"), ("app-category", None),
              ("app-indicator", "certified_social_workers"), ("app-lang", "zh"), ("app-towns", [])]
    return {"output": "export-csv-download.data", "outputs": {"id": "export-csv-download", "property": "data"},
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == "export-tiles-csv" else None}
                       for b in buttons],
            "state": [{"id": i, "property": "data", "value": v} for i, v in states]
            + [{"id": "unit-table", "property": "virtualRowData", "value": None}],
            "changedPropIds": ["export-tiles-csv.n_clicks"]}


def test_exports_are_refused_to_viewers_and_walls_and_audited(client_as, auth_settings):
    assert post(client_as("viewer"), tiles_csv_body()).status_code == 403
    answer = post(client_as("city"), tiles_csv_body())
    assert answer.status_code == 200 and "export-csv-download" in answer.get_data(as_text=True)
    entries = audit(auth_settings, "export")
    assert any(e["actor"] == "viewer" and e["outcome"] == "denied" for e in entries)
    assert any(e["actor"] == "city" and e["outcome"] == "ok" for e in entries)


def test_a_township_users_export_of_the_city_lists_its_own_township_only(client_as):
    import base64
    import json

    answer = post(client_as("township"), tiles_csv_body())
    download = json.loads(answer.get_data(as_text=True))["response"]["export-csv-download"]["data"]
    text = base64.b64decode(download["content"]).decode("utf-8-sig")
    assert OWN_TOWNSHIP in text and OTHER_TOWNSHIP not in text


def test_behind_a_proxy_the_clients_own_address_is_limited_and_audited(auth_settings):
    app = create_app(dataclasses.replace(auth_settings, proxies=1))
    guesser, colleague = app.server.test_client(), app.server.test_client()
    guesser.environ_base.update(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="172.16.0.7")
    colleague.environ_base.update(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="172.16.0.8")
    for _ in range(auth_settings.login_max_failures):
        assert sign_in(guesser, "nobody.here", "wrong password!").status_code == 401
    assert sign_in(guesser, "city").status_code == 429
    assert sign_in(colleague, "city").status_code == 302  # same proxy, another person
    assert "172.16.0.7" in {e["address"] for e in audit(auth_settings, "login_failed")}
