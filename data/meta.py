"""Key/value facts about the database: data version (bumped by every committed change), demo flag."""
from __future__ import annotations

import time

import sqlalchemy as sa

from . import schema

DATA_VERSION = "data_version"
DEMO = "demo"
DEMO_SCALE = "demo_scale"


def get(conn: sa.Connection, key: str, default: str | None = None) -> str | None:
    """One meta value."""
    value = conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()
    return default if value is None else value


def put(conn: sa.Connection, key: str, value: str) -> None:
    """Insert or replace one meta value (portable: update, then insert if nothing was there)."""
    result = conn.execute(schema.meta.update().where(schema.meta.c.key == key).values(value=value))
    if result.rowcount == 0:
        conn.execute(schema.meta.insert().values(key=key, value=value))


def bump_data_version(conn: sa.Connection) -> int:
    """Increase the data version inside the caller's transaction; caches key on it.

    Never reused, even after a backup is restored (which brings back an older version): the new
    version is at least the current time in microseconds, so a shared cache can never hand out
    results computed for other data under a repeated number.
    """
    version = max(int(get(conn, DATA_VERSION, "0")) + 1, time.time_ns() // 1_000)
    put(conn, DATA_VERSION, str(version))
    return version


def data_version(conn: sa.Connection) -> int:
    """The current data version (0 for an empty database)."""
    return int(get(conn, DATA_VERSION, "0"))
