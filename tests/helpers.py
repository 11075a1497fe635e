"""Small builders shared by tests: write observations without going through ingest; walk a layout."""
from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from dashboard.data import meta, rollups, schema


def add_observations(engine: sa.Engine, rows: list[tuple]) -> int:
    """Insert (indicator, unit, period, value, numerator, denominator) rows as one submission."""
    with engine.begin() as conn:
        sub = conn.execute(schema.submissions.insert().values(
            file_name="test.csv", checksum=hashlib.sha256(repr(rows).encode()).hexdigest(), loaded_at=dt.datetime(2023, 1, 5),
            rows=len(rows), changed_rows=len(rows), loaded_by="test", kind="ingest")).inserted_primary_key[0]
        conn.execute(schema.observations.insert(), [
            {"indicator_code": i, "unit_code": u, "period": p, "value": v, "numerator": n, "denominator": d,
             "note": None, "revision": 1, "submission_id": sub} for i, u, p, v, n, d in rows])
        slices: dict[str, set[str]] = {}
        for i, _u, p, *_ in rows:
            slices.setdefault(i, set()).add(p)
        rollups.refresh(conn, slices)
        meta.bump_data_version(conn)
    return sub


def walk(component):
    """Every component in a tree (children as a component, a list or text)."""
    if component is None or isinstance(component, (str, int, float)):
        return
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from walk(child)
        return
    yield component
    yield from walk(getattr(component, "children", None))
