"""Reporting-database schema (SQLAlchemy Core), the same on SQLite, PostgreSQL and MariaDB.

Periods are 'YYYY-MM' strings: they sort and compare the same way on every backend.
Alembic migrations in data/migrations create these tables; tests check the two agree.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData()

CODE = sa.String(12)
PERIOD = sa.String(7)
INDICATOR = sa.String(64)
MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}

units = sa.Table(
    "units", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # city | township | village
    sa.Column("subkind", sa.String(16), nullable=True),  # 街道 / 镇 / 社区 / 村
    sa.Column("parent_code", CODE, nullable=True),
    sa.Column("valid_from", PERIOD, nullable=True),  # None: since before any record
    sa.Column("valid_to", PERIOD, nullable=True),  # inclusive; None: still valid
    sa.Index("ix_units_parent", "parent_code", "kind"),
    **MYSQL,
)

indicators = sa.Table(
    "indicators", metadata,
    sa.Column("code", INDICATOR, primary_key=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("unit_zh", sa.String(50), nullable=False),
    sa.Column("unit_en", sa.String(50), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),  # higher | lower
    sa.Column("aggregation", sa.String(16), nullable=False),  # stock | flow | ratio | city_only
    sa.Column("measure", sa.String(8), nullable=False),  # count | score | rate | ratio
    sa.Column("scale", sa.Float, nullable=True),
    sa.Column("level", sa.String(16), nullable=False),  # village | township | city
    sa.Column("sort_order", sa.Integer, nullable=False),
    **MYSQL,
)

targets = sa.Table(
    "targets", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_code", INDICATOR, sa.ForeignKey("indicators.code"), nullable=False),
    sa.Column("unit_code", CODE, nullable=True),  # None: every unit (rates, ratios, scores)
    sa.Column("kind", sa.String(16), nullable=False),  # level | annual | cumulative | growth
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("target_period", PERIOD, nullable=False),
    sa.Column("start_period", PERIOD, nullable=True),
    sa.Column("baseline_value", sa.Double, nullable=True),
    sa.Column("baseline_period", PERIOD, nullable=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("is_assumption", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Index("ix_targets_indicator_unit", "indicator_code", "unit_code"),
    **MYSQL,
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=False), nullable=False),  # UTC
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("changed_rows", sa.Integer, nullable=False),
    sa.Column("loaded_by", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # ingest | demo
    sa.Index("ix_submissions_checksum", "checksum", unique=True),
    **MYSQL,
)

_observation_columns = lambda: [  # noqa: E731 - the two tables share their value columns
    sa.Column("indicator_code", INDICATOR, nullable=False),
    sa.Column("unit_code", CODE, nullable=False),
    sa.Column("period", PERIOD, nullable=False),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("numerator", sa.Double, nullable=True),
    sa.Column("denominator", sa.Double, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
]

# The current value of each (indicator, unit, period): what every roll-up reads.
observations = sa.Table(
    "observations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_observation_columns(),
    sa.UniqueConstraint("indicator_code", "period", "unit_code", name="uq_observations_cell"),
    sa.Index("ix_observations_unit", "unit_code", "indicator_code", "period"),
    sa.Index("ix_observations_period", "period", "indicator_code"),
    **MYSQL,
)

# Every earlier value a resubmission superseded, with the submission that brought it.
observation_history = sa.Table(
    "observation_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_observation_columns(),
    sa.Column("superseded_by", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Index("ix_history_cell", "indicator_code", "unit_code", "period"),
    **MYSQL,
)

# Sums per indicator x month for the city and each township (see data/rollups.py).
rollups = sa.Table(
    "rollups", metadata,
    sa.Column("unit_code", CODE, primary_key=True),
    sa.Column("indicator_code", INDICATOR, primary_key=True),
    sa.Column("period", PERIOD, primary_key=True),
    sa.Column("value_sum", sa.Double, nullable=True),
    sa.Column("numerator_sum", sa.Double, nullable=True),
    sa.Column("denominator_sum", sa.Double, nullable=True),
    sa.Column("reported", sa.Integer, nullable=False),
    sa.Index("ix_rollups_indicator", "indicator_code", "period"),
    **MYSQL,
)

meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **MYSQL,
)

# --- access control (issue 8) -------------------------------------------------------------
BLOB = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql")

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),  # werkzeug scrypt, salted
    sa.Column("role", sa.String(16), nullable=False),  # admin | city | township | viewer
    sa.Column("township_code", CODE, nullable=True),  # the township of a township user
    sa.Column("disabled", sa.Boolean, nullable=False),
    # Bumped on every change to the account: sessions signed with an older generation end.
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),  # UTC
    sa.Column("updated_at", sa.DateTime(timezone=False), nullable=False),  # UTC
    sa.Index("ix_users_username", "username", unique=True),
    **MYSQL,
)

# Wall screens' tokens: only a SHA-256 of each is stored, so a database dump reveals none.
wall_tokens = sa.Table(
    "wall_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),  # UTC
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=False), nullable=True),  # UTC; None: valid
    sa.Index("ix_wall_tokens_hash", "token_hash", unique=True),
    **MYSQL,
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=False), nullable=False),  # UTC
    sa.Column("actor", sa.String(100), nullable=False),  # user name, "wall:<label>", "cli:<login>", "-"
    sa.Column("action", sa.String(32), nullable=False),  # login | login_failed | logout | upload | export | ...
    sa.Column("outcome", sa.String(16), nullable=False),  # ok | denied | failed
    sa.Column("address", sa.String(64), nullable=True),  # client IP
    sa.Column("detail", sa.Text, nullable=True),
    sa.Index("ix_audit_at", "at"),
    sa.Index("ix_audit_action", "action", "address", "at"),
    **MYSQL,
)

# The original file of a submission loaded through the browser, byte for byte.
submission_files = sa.Table(
    "submission_files", metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", BLOB, nullable=False),
    **MYSQL,
)
