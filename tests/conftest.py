"""Shared fixtures: settings on a temporary database, on every backend that is configured."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from dashboard.data import catalogue as cat
from dashboard.data import db, schema, sync
from dashboard.settings import Settings

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


@pytest.fixture(params=list(BACKENDS), ids=list(BACKENDS))
def database_url(request, tmp_path) -> str:
    """An empty database URL: SQLite always; PostgreSQL/MariaDB when their variable is set."""
    variable = BACKENDS[request.param]
    if variable is None:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set")
    try:
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
