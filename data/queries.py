"""Read queries of the reporting database. Each returns plain values or a tidy DataFrame.

Roll-ups rest on one invariant that ingest enforces: an indicator's observations are all at its
reporting level. So the city's roll-up is every observation, a township's is its own rows plus
its villages' rows, and no roll-up ever double counts. The city's and townships' sums are kept
pre-aggregated in the rollups table (data/rollups.py).
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from . import meta, schema
from .catalogue import Unit

o = schema.observations.c
u = schema.units.c
r = schema.rollups.c
ROLLUP_COLUMNS = ["indicator", "period", "value", "numerator", "denominator", "reported"]


def load_units(conn: sa.Connection) -> tuple[Unit, ...]:
    """Every unit in the database, city first, then by code."""
    rows = conn.execute(sa.select(schema.units).order_by(u.kind != "city", u.code)).all()
    return tuple(Unit(r.code, r.name, r.kind, r.parent_code, r.subkind, r.valid_from, r.valid_to) for r in rows)


def load_targets(conn: sa.Connection):
    """Every target row, as the engine's TargetRow values."""
    from dashboard.engine import TargetRow  # the engine owns the value type

    t = schema.targets.c
    rows = conn.execute(sa.select(schema.targets).order_by(t.indicator_code, t.id)).all()
    return tuple(TargetRow(r.indicator_code, r.unit_code, r.kind, r.value, r.target_period, r.start_period,
                           r.source, bool(r.is_assumption), r.baseline_value, r.baseline_period, r.note)
                 for r in rows)


def latest_period(conn: sa.Connection) -> str | None:
    """The latest month that has any observation."""
    return conn.execute(sa.select(sa.func.max(o.period))).scalar()


def first_period(conn: sa.Connection) -> str | None:
    """The earliest month that has any observation."""
    return conn.execute(sa.select(sa.func.min(o.period))).scalar()


def data_version(conn: sa.Connection) -> int:
    """The data version: one primary-key read, cheap enough for every request."""
    return meta.data_version(conn)


def data_facts(conn: sa.Connection) -> dict:
    """Facts that only change with the data version: demo flag, latest (and first) period."""
    return {"demo": meta.get(conn, meta.DEMO) == "true", "latest_period": latest_period(conn),
            "first_period": first_period(conn)}


def _sums(*group):
    """SELECT list of a roll-up: the group columns, then sums and the count of reporting units."""
    return sa.select(*group, sa.func.sum(o.value), sa.func.sum(o.numerator), sa.func.sum(o.denominator),
                     sa.func.count())


def _window(start: str | None, end: str | None, column=None):
    """Period bounds, inclusive; None is open."""
    column = o.period if column is None else column
    clauses = []
    if start:
        clauses.append(column >= start)
    if end:
        clauses.append(column <= end)
    return sa.and_(sa.true(), *clauses)


def rollup_monthly(conn: sa.Connection, unit: Unit, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Grain: indicator x period, for one unit: sums over the units that reported, and their count.

    The city and townships read the pre-aggregated roll-ups; a village reads its own observations.
    """
    if unit.kind == "village":
        stmt = (_sums(o.indicator_code, o.period).where(o.unit_code == unit.code, _window(start, end))
                .group_by(o.indicator_code, o.period).order_by(o.indicator_code, o.period))
    else:
        stmt = (sa.select(r.indicator_code, r.period, *_stored_sums()).where(r.unit_code == unit.code,
                                                                             _window(start, end, r.period))
                .order_by(r.indicator_code, r.period))
    return _frame(conn.execute(stmt).all(), ROLLUP_COLUMNS)


def rollup_children(conn: sa.Connection, parent: Unit, indicator: str, level: str,
                    start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Grain: child unit x period, for one indicator: each child's roll-up under a parent.

    The children are the parent's direct sub-units (city -> townships, township -> villages).
    """
    columns = ["child", *ROLLUP_COLUMNS[1:]]
    if parent.kind == "city" and level in ("village", "township"):
        stmt = (sa.select(r.unit_code, r.period, *_stored_sums())
                .where(r.indicator_code == indicator, r.unit_code != parent.code, _window(start, end, r.period)))
    elif parent.kind == "township" and level == "village":
        # A join, not IN (subquery): PostgreSQL plans the join from the units index far better.
        stmt = (_sums(o.unit_code, o.period).select_from(schema.units.join(schema.observations,
                                                                           o.unit_code == u.code))
                .where(u.parent_code == parent.code, u.kind == "village", o.indicator_code == indicator,
                       _window(start, end))
                .group_by(o.unit_code, o.period))
    else:
        return pd.DataFrame({c: [] for c in columns})
    frame = _frame(conn.execute(stmt).all(), columns)
    return frame.sort_values(["child", "period"], ignore_index=True)


def _stored_sums():
    """The roll-up table's sums, named like a live aggregation's."""
    return (r.value_sum, r.numerator_sum, r.denominator_sum, r.reported)


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    """Rows -> DataFrame column by column (several times faster than from Row objects)."""
    if not rows:
        return pd.DataFrame({c: [] for c in columns})
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows)))))
