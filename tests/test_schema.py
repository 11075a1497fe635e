"""Migrations build exactly the schema the code queries, on every backend."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dashboard.data import db, schema


def test_migrations_match_the_schema_module(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert diff == []
    assert db.current_revision(engine) is not None


def test_upgrade_twice_is_harmless(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    db.upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) >= {"units", "indicators", "targets", "observations",
                                                          "observation_history", "submissions", "meta"}


def test_chinese_text_round_trips(migrated):
    with migrated.connect() as conn:
        name = conn.execute(sa.select(schema.units.c.name).where(schema.units.c.code == "330782100000")).scalar()
    assert name == "佛堂镇"
