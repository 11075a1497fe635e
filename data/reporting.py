"""Read queries about reporting itself: who sent what when, and every value each submission brought.

These queries only fetch; data/completeness.py decides what is expected and what is on time.
Times are submissions.loaded_at: naive UTC, as ingest writes them.

A cell is one (indicator, unit, month). Its first arrival is the submission that brought revision 1:
the submission of the earliest observation_history row when the cell was revised (the history keeps
every superseded value), else the observation's own submission.
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from . import schema

o = schema.observations.c
h = schema.observation_history.c
u = schema.units.c
s = schema.submissions.c
ARRIVAL_COLUMNS = ["row", "period", "indicator", "reported", "revisions", "first_at", "complete_at", "last_at"]
CELL_COLUMNS = ["unit_code", "period", "indicator", "revision", "first_at", "last_at"]
REVISION_COLUMNS = ["indicator", "unit_code", "period", "revision", "value", "numerator", "denominator", "note",
                    "current", "submission_id", "file_name", "loaded_at", "loaded_by", "kind", "superseded_by"]


def _cells(*where):
    """Per present cell: row keys, revision, first arrival (revision 1's submission) and latest arrival."""
    first = schema.submissions.alias("first_sub")
    current = schema.submissions.alias("current_sub")
    hist = schema.observation_history.alias("first_rev")
    joined = (schema.observations.join(schema.units, u.code == o.unit_code)
              .join(current, current.c.id == o.submission_id)
              .outerjoin(hist, sa.and_(hist.c.indicator_code == o.indicator_code, hist.c.unit_code == o.unit_code,
                                       hist.c.period == o.period, hist.c.revision == 1))
              .outerjoin(first, first.c.id == hist.c.submission_id))
    first_at = sa.func.coalesce(first.c.loaded_at, current.c.loaded_at)
    return joined, first_at, current.c.loaded_at, sa.and_(sa.true(), *where)


def arrivals(conn: sa.Connection, start: str, end: str, township: str | None = None,
             indicators: list[str] | None = None) -> pd.DataFrame:
    """Grain: row x period x indicator, over the cells present: what arrived, and when.

    Rows are the matrix's: with no township, the city (its own city-level cells) and each township
    (its own cells and all its villages' cells); inside a township, the township itself and each
    village. `reported` counts present cells, `revisions` the later revisions among them, `first_at`
    and `complete_at` the earliest and latest first arrival, `last_at` the latest submission.
    """
    row = sa.case((u.kind == "village", u.parent_code), else_=u.code) if township is None else o.unit_code
    scope = [] if township is None else [sa.or_(u.code == township, u.parent_code == township)]
    if indicators is not None:
        scope.append(o.indicator_code.in_(indicators))
    joined, first_at, last_at, where = _cells(o.period >= start, o.period <= end, *scope)
    inner = (sa.select(row.label("row"), o.period.label("period"), o.indicator_code.label("indicator"),
                       (o.revision - 1).label("revisions"), first_at.label("first_at"), last_at.label("last_at"))
             .select_from(joined).where(where).subquery())
    c = inner.c
    stmt = (sa.select(c.row, c.period, c.indicator, sa.func.count(), sa.func.sum(c.revisions),
                      sa.func.min(c.first_at), sa.func.max(c.first_at), sa.func.max(c.last_at))
            .group_by(c.row, c.period, c.indicator).order_by(c.row, c.period, c.indicator))
    frame = _frame(conn.execute(stmt).all(), ARRIVAL_COLUMNS)
    frame = frame.astype({"reported": "int64", "revisions": "int64"})
    return _with_times(frame, ["first_at", "complete_at", "last_at"])


def cells(conn: sa.Connection, period: str, units: list[str] | None = None,
          indicators: list[str] | None = None) -> pd.DataFrame:
    """Grain: unit x indicator, for one month: each present cell's revision, first and latest arrival."""
    where = [o.period == period]
    if units is not None:
        where.append(o.unit_code.in_(units))
    if indicators is not None:
        where.append(o.indicator_code.in_(indicators))
    joined, first_at, last_at, clause = _cells(*where)
    stmt = (sa.select(o.unit_code, o.period, o.indicator_code, o.revision, first_at, last_at)
            .select_from(joined).where(clause).order_by(o.unit_code, o.indicator_code))
    return _with_times(_frame(conn.execute(stmt).all(), CELL_COLUMNS), ["first_at", "last_at"])


def revisions(conn: sa.Connection, period: str, units: list[str], indicators: list[str] | None = None) -> pd.DataFrame:
    """Grain: indicator x unit x revision, for one month: every value ever stored, with its submission.

    The current value comes from observations (current = True), each superseded one from
    observation_history (with the submission that superseded it).
    """
    def select(table, current: bool):
        t = table.c
        superseded = t.superseded_by if not current else sa.null()
        where = [t.period == period, t.unit_code.in_(units)]
        if indicators is not None:
            where.append(t.indicator_code.in_(indicators))
        return (sa.select(t.indicator_code, t.unit_code, t.period, t.revision, t.value, t.numerator, t.denominator,
                          t.note, sa.literal(current), t.submission_id, s.file_name, s.loaded_at, s.loaded_by,
                          s.kind, superseded)
                .select_from(table.join(schema.submissions, s.id == t.submission_id)).where(*where))
    rows = [*conn.execute(select(schema.observations, True)).all(),
            *conn.execute(select(schema.observation_history, False)).all()]
    frame = _frame(rows, REVISION_COLUMNS)
    frame["current"] = frame["current"].astype(bool)
    frame["superseded_by"] = frame["superseded_by"].astype("Int64")
    frame = frame.sort_values(["indicator", "unit_code", "revision"], ignore_index=True)
    return _with_times(frame, ["loaded_at"])


def _with_times(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Datetime columns as pandas timestamps (SQLite returns aggregates of datetimes as text)."""
    return frame.assign(**{c: pd.to_datetime(frame[c]) for c in columns})


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    """Rows -> DataFrame with the given columns (empty rows give empty columns)."""
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows)))))
