"""Pre-aggregated roll-ups: per indicator and month, the sums for the city and for each township.

Kept in step with observations inside the transaction that changes them (ingest, demo build), so
pages read a few hundred rows instead of summing every village on each request. Always recomputed
from observations for the affected (indicator, month) slices, never patched by deltas, so the
table cannot drift: `check()` compares it with a fresh aggregation and the tests run it.
"""
from __future__ import annotations

import sqlalchemy as sa

from . import schema
from .catalogue import CITY_CODE

o, u, r = schema.observations.c, schema.units.c, schema.rollups.c
COLUMNS = ["indicator_code", "unit_code", "period", "value_sum", "numerator_sum", "denominator_sum", "reported"]


def _sums():
    return (sa.func.sum(o.value), sa.func.sum(o.numerator), sa.func.sum(o.denominator), sa.func.count())


def _selects(where):
    """SELECTs producing the roll-up rows: townships from their villages, townships' own rows, the city."""
    joined = schema.observations.join(schema.units, u.code == o.unit_code)
    from_villages = (sa.select(o.indicator_code, u.parent_code, o.period, *_sums()).select_from(joined)
                     .where(u.kind == "village", where).group_by(o.indicator_code, u.parent_code, o.period))
    own = (sa.select(o.indicator_code, o.unit_code, o.period, *_sums()).select_from(joined)
           .where(u.kind == "township", where).group_by(o.indicator_code, o.unit_code, o.period))
    city = (sa.select(o.indicator_code, sa.literal(CITY_CODE, schema.CODE), o.period, *_sums())
            .where(where).group_by(o.indicator_code, o.period))
    return from_villages, own, city


def refresh(conn: sa.Connection, slices: dict[str, set[str]] | None = None) -> None:
    """Recompute the roll-ups of the given {indicator: periods} slices (None: everything)."""
    if slices is None:
        conn.execute(schema.rollups.delete())
        for select in _selects(sa.true()):
            conn.execute(schema.rollups.insert().from_select(COLUMNS, select))
        return
    for indicator, periods in sorted(slices.items()):
        periods = sorted(periods)
        conn.execute(schema.rollups.delete().where(r.indicator_code == indicator, r.period.in_(periods)))
        where = sa.and_(o.indicator_code == indicator, o.period.in_(periods))
        for select in _selects(where):
            conn.execute(schema.rollups.insert().from_select(COLUMNS, select))


def check(conn: sa.Connection) -> list[tuple]:
    """Rows where the stored roll-ups differ from a fresh aggregation (empty when all is well)."""
    fresh = set()
    for select in _selects(sa.true()):
        fresh |= {_norm(row) for row in conn.execute(select)}
    stored = {_norm(row) for row in conn.execute(sa.select(*[r[c] for c in COLUMNS]))}
    return sorted(fresh ^ stored, key=str)


def _norm(row) -> tuple:
    """A comparable row: floats rounded against backend noise, None kept."""
    return tuple(round(float(v), 6) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in row)
