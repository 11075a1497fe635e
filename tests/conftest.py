"""Shared fixtures: settings on a temporary database, on every backend that is configured."""
from __future__ import annotations

import itertools
import os
import shutil

import pytest
import sqlalchemy as sa

from dashboard.data import catalogue as cat
from dashboard.data import db, schema, sync
from dashboard.settings import Settings

def pytest_collection_modifyitems(config, items):
    """Skip browser tests where chromedriver is missing, unless CI requires them (KPI_REQUIRE_BROWSER=1)."""
    if shutil.which("chromedriver") or os.environ.get("KPI_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason="chromedriver not on PATH (apt-get install chromium chromium-driver fonts-noto-cjk)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


BACKENDS = {
    "sqlite": None,
    "postgres": "KPI_TEST_POSTGRES_URL",
    "mysql": "KPI_TEST_MYSQL_URL",
}


def _reset(url: str) -> None:
    """Drop every table of ours (and Alembic's) so a test starts from an empty database."""
    engine = db.make_engine(url)
    with engine.begin() as conn:
        schema.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(scope="session")
def scratch_databases():
    """One scratch database per server for this test session, so parallel runs never collide."""
    created: dict[str, str] = {}
    yield created
    for variable, url in created.items():
        force = " WITH (FORCE)" if url.startswith("postgres") else ""
        _admin(os.environ[variable], f"DROP DATABASE IF EXISTS {sa.make_url(url).database}{force}")


def _admin(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def _scratch_url(variable: str, created: dict[str, str]) -> str:
    """The session's scratch database on the server the variable points at (created once)."""
    if variable not in created:
        base = os.environ[variable]
        name = f"kpi_test_{os.getpid()}"
        _admin(base, f"DROP DATABASE IF EXISTS {name}")
        _admin(base, f"CREATE DATABASE {name}" + (" CHARACTER SET utf8mb4" if "mysql" in base else ""))
        created[variable] = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    return created[variable]


@pytest.fixture(params=list(BACKENDS), ids=list(BACKENDS))
def database_url(request, tmp_path, scratch_databases) -> str:
    """An empty database URL: SQLite always; PostgreSQL/MariaDB when their variable is set."""
    variable = BACKENDS[request.param]
    if variable is None:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if not os.environ.get(variable):
        pytest.skip(f"{variable} is not set")
    try:
        url = _scratch_url(variable, scratch_databases)
        _reset(url)
    except sa.exc.OperationalError as exc:
        pytest.skip(f"{variable} unreachable: {exc.orig}")
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """An SQLite file URL for tests that need only one backend."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def catalogue():
    """The shipped indicator catalogue."""
    return cat.load_catalogue()


@pytest.fixture(scope="session")
def units():
    """The shipped unit list (city, 14 townships, every vintage's villages)."""
    return cat.load_units()


@pytest.fixture
def migrated(database_url, catalogue, units) -> sa.Engine:
    """A migrated database with units and catalogue loaded, and no observations."""
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with engine.begin() as conn:
        sync.sync_units(conn, units)
        sync.sync_catalogue(conn, catalogue, units)
    yield engine
    engine.dispose()


@pytest.fixture
def settings_for(tmp_path):
    """Build explicit Settings for a database URL (no environment involved)."""
    def make(url: str, **overrides) -> Settings:
        return Settings(database_url=url, var_dir=tmp_path / "var", **overrides)
    return make


# --- the dashboard: app, callbacks and browser tests ------------------------------------------
def _built(folder, demo_data: bool) -> Settings:
    """Settings on a fresh SQLite database in folder: the demo data set, or units and catalogue only."""
    from dashboard.data import demo

    url = f"sqlite:///{folder / 'kpi.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    if demo_data:
        demo.build(engine, cat.load_catalogue(), cat.load_units())
    else:
        with engine.begin() as conn:
            sync.sync_units(conn, cat.load_units())
            sync.sync_catalogue(conn, cat.load_catalogue(), cat.load_units())
    engine.dispose()
    # Sign-in off (the demo mode): the page and callback tests are about numbers, not access;
    # tests/test_auth*.py switch it on.
    return Settings(database_url=url, var_dir=folder, auth=False)


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory) -> Settings:
    """Settings on the demo data set, built once per session."""
    return _built(tmp_path_factory.mktemp("demo"), demo_data=True)


@pytest.fixture(scope="session")
def demo_service(demo_settings):
    """A KpiService on the session's demo data set."""
    from dashboard.service import KpiService

    return KpiService.from_settings(demo_settings)


@pytest.fixture(scope="session")
def empty_settings(tmp_path_factory) -> Settings:
    """Settings on a database with units and catalogue but no reports yet (fresh init-db)."""
    return _built(tmp_path_factory.mktemp("empty"), demo_data=False)


@pytest.fixture
def app(demo_settings):
    """The dashboard on the demo data, sign-in off (a test file may define its own)."""
    from dashboard.app import create_app

    return create_app(demo_settings)


# --- access control: the demo data with sign-in on, an account per role, and a wall token --------
PASSWORD = "correct horse battery staple"
OWN_TOWNSHIP, OTHER_TOWNSHIP = "330782002000", "330782003000"  # 江东街道 (the township user's), 稠江街道


@pytest.fixture(scope="session")
def auth_settings(demo_settings, tmp_path_factory):
    """A copy of the demo database with sign-in on: users admin, city, township (江东街道), viewer,
    disabled (a disabled viewer), and a wall token; the token is in settings-independent WALL_TOKEN."""
    import dataclasses

    from dashboard.data import accounts

    folder = tmp_path_factory.mktemp("auth")
    shutil.copy(demo_settings.resolved_database_url().removeprefix("sqlite:///"), folder / "kpi.sqlite3")
    settings = dataclasses.replace(demo_settings, database_url=f"sqlite:///{folder / 'kpi.sqlite3'}",
                                   var_dir=folder, auth=True, secret_key="s" * 40)
    engine = db.make_engine(settings.resolved_database_url())
    for name, role in (("admin", "admin"), ("city", "city"), ("township", "township"), ("viewer", "viewer"),
                       ("disabled", "viewer")):
        accounts.add_user(engine, name, PASSWORD, role, OWN_TOWNSHIP if role == "township" else None)
    accounts.set_disabled(engine, "disabled")
    _, token = accounts.create_token(engine, "测试大屏", "pytest")
    engine.dispose()
    AUTH["wall_token"] = token
    return settings


AUTH: dict[str, str] = {}  # the wall token auth_settings created


@pytest.fixture(scope="session")
def auth_app(auth_settings):
    """One app with sign-in on, shared by the access-control tests."""
    from dashboard.app import create_app

    return create_app(auth_settings)


@pytest.fixture
def client_as(auth_app):
    """client_as(user): a Flask test client signed in as that account (None: anonymous), each from
    its own client address, so failed sign-ins in one test never rate-limit another."""
    def make(user: str | None):
        n = next(_ADDRESSES)
        client = auth_app.server.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        if user is not None:
            assert sign_in(client, user).status_code == 302, f"could not sign in as {user}"
        return client
    return make


_ADDRESSES = itertools.count(1)


def sign_in(client, user: str, password: str = PASSWORD, next_url: str = "/"):
    """Sign in through the login form (with its CSRF token); the response of the POST."""
    client.get("/login")
    with client.session_transaction() as session:
        csrf = session["csrf"]
    return client.post("/login", data={"username": user, "password": password, "csrf_token": csrf,
                                       "next": next_url})


def csrf_of(client) -> str:
    """The signed-in session's CSRF token (what dash-renderer sends as X-CSRFToken)."""
    with client.session_transaction() as session:
        return session.get("csrf", "")
