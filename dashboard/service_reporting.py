"""The service's answers about reporting itself: the completeness matrix, a cell's submissions and
revisions, and what is still missing. Mixed into KpiService, cached per data version like the rest.

Statuses depend on the date too (pending turns into missing when the deadline passes), so each
answer is also keyed by today's date in Beijing, where the deadline falls.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .data import completeness, reporting
from .data import catalogue as cat
from .data.periods import month_range

SUBMISSION_COLUMNS = ["submission_id", "file_name", "loaded_at", "loaded_by", "kind", "values", "current"]


class ReportingQueries:
    """KpiService methods about who reported what, when (see data/completeness.py for the rules)."""

    deadline_day: int = 10
    clock = None  # a callable returning an aware "now" (tests fix it); None: the system clock

    def today(self) -> dt.date:
        """Today's date in Beijing: the day deadlines are judged against."""
        return completeness.beijing_today(self.clock() if self.clock else None)

    def reporting_indicators(self, unit: cat.Unit, indicator: str | None = None,
                             category: str | None = None) -> list[cat.Indicator]:
        """The indicators a unit's matrix covers: one, a category's, or all reported at or below it."""
        inds = [i for i in self.applicable(unit) if category is None or i.category == category]
        return [i for i in inds if i.code == indicator] if indicator else inds

    def reporting_matrix(self, unit_code: str, start: str, end: str, indicator: str | None = None,
                         category: str | None = None) -> pd.DataFrame:
        """Grain: row x period: the city and its townships, or a township and its villages, classified.

        Columns: completeness.MATRIX_COLUMNS (expected, reported, revisions, first/complete/last
        arrival as naive UTC, due_at, status, revised, days_late). Rows with nothing expected in the
        whole range are left out.
        """
        self._check(unit_code)
        found = self._cached("reporting_matrix", self._version(None), unit_code, start, end, indicator, category,
                             self.deadline_day, self.today())
        return self._restrict(found, "row")

    def _compute_reporting_matrix(self, version, unit_code, start, end, indicator, category, day, today):
        unit = self._unit(unit_code, version)
        township = None if unit.kind == "city" else unit.code
        inds = self.reporting_indicators(unit, indicator, category)
        periods = month_range(start, end)
        with self.connect() as conn:  # outage-aware (KpiService.connect)
            arrived = reporting.arrivals(conn, start, end, township, [i.code for i in inds])
        units = self.units(version)
        wanted = completeness.expected(units, inds, periods, township)
        has_rows = set(wanted["row"])
        rows = [r.code for r in completeness.rows_of(units, township) if r.code in has_rows]
        return completeness.matrix(wanted, arrived, periods, rows, day, today)

    def cell_units(self, scope_code: str, row_code: str, period: str) -> list[cat.Unit]:
        """The units a matrix cell stands for: a township row of the city's matrix is the township and
        its villages valid that month; any other row is its own unit."""
        self._check(scope_code, row_code)
        row = self._unit(row_code)
        if scope_code == cat.CITY_CODE and row.kind == "township":
            return [row, *self.children(row.code, period)]
        return [row]

    def cell_history(self, scope_code: str, row_code: str, period: str, indicator: str | None = None,
                     category: str | None = None) -> dict[str, pd.DataFrame]:
        """Everything behind one matrix cell: its matrix row, the submissions, every revision, what is missing.

        "summary": the cell's row of reporting_matrix; "submissions": grain submission (values it
        brought, how many of them are still current); "revisions": grain indicator x unit x revision
        (data/reporting.revisions); "missing": grain unit x indicator (completeness.missing).
        """
        self._check(scope_code, row_code)
        return self._cached("cell_history", self._version(None), scope_code, row_code, period, indicator, category,
                            self.deadline_day, self.today())

    def _compute_cell_history(self, version, scope_code, row_code, period, indicator, category, day, today):
        scope = self._unit(scope_code, version)
        inds = self.reporting_indicators(scope, indicator, category)
        members = self.cell_units(scope_code, row_code, period)
        codes = [u.code for u in members]
        with self.connect() as conn:  # outage-aware (KpiService.connect)
            revisions = reporting.revisions(conn, period, codes, [i.code for i in inds])
        wanted = completeness.expected_units(tuple(members), inds, period)
        present = revisions.loc[revisions["current"], ["unit_code", "indicator"]]
        summary = self.reporting_matrix(scope_code, period, period, indicator, category)
        return {"summary": summary[summary["row"] == row_code].reset_index(drop=True),
                "submissions": submissions_of(revisions), "revisions": revisions,
                "missing": completeness.missing(wanted, present, period, day, today)}

    def missing_reports(self, period: str, township: str | None = None, indicator: str | None = None,
                        category: str | None = None) -> pd.DataFrame:
        """Grain: unit x indicator: what has not arrived for a month, in the city or one township.

        Columns: completeness.MISSING_COLUMNS (township_code, unit_code, indicator, period, overdue).
        """
        self._check(township)
        found = self._cached("missing_reports", self._version(None), period, township, indicator, category,
                             self.deadline_day, self.today())
        return self._restrict(found, "unit_code")

    def _restrict(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        """The rows of a shared answer whose unit the current request may see."""
        if self._scope() is None or frame.empty:
            return frame
        visible = {u.code for u in self.units()}  # units() is already limited to this request's
        return frame[frame[column].isin(visible)].reset_index(drop=True)

    def _compute_missing_reports(self, version, period, township, indicator, category, day, today):
        scope = self._unit(township or cat.CITY_CODE, version)
        inds = self.reporting_indicators(scope, indicator, category)
        with self.connect() as conn:  # outage-aware (KpiService.connect)
            present = reporting.cells(conn, period, indicators=[i.code for i in inds])
        wanted = completeness.expected_units(self.units(version), inds, period, township)
        return completeness.missing(wanted, present, period, day, today)


def submissions_of(revisions: pd.DataFrame) -> pd.DataFrame:
    """Grain: submission: every submission that brought a value of the cell, oldest first."""
    if revisions.empty:
        return pd.DataFrame({c: [] for c in SUBMISSION_COLUMNS})
    grouped = revisions.groupby("submission_id", as_index=False).agg(
        file_name=("file_name", "first"), loaded_at=("loaded_at", "first"), loaded_by=("loaded_by", "first"),
        kind=("kind", "first"), values=("indicator", "size"), current=("current", "sum"))
    return grouped.sort_values(["loaded_at", "submission_id"], ignore_index=True)[SUBMISSION_COLUMNS]
