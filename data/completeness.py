"""Who should report what, and whether they did on time. Pure: units, catalogue and frames in, frames out.

Expected: a unit reports an indicator for a month when it sits at the indicator's reporting level and
is valid in that month (Unit.valid_in): the city its city-level indicators, each township its
township-level ones, each village its village-level ones.

Deadline: a month's report is due by 23:59:59 Beijing time (UTC+8; China has had no daylight saving
since 1991) on day `deadline_day` of the next month, or that month's last day if it is shorter.
submissions.loaded_at is UTC, so the due moment is compared in UTC.

A matrix cell (a row unit, a month, one indicator or several together) is:
- not_expected: nothing is expected of the row that month (a unit not valid yet, or any more);
- pending: nothing has arrived and the deadline has not passed;
- missing: nothing has arrived and the deadline has passed;
- partial: some of the expected values have arrived, not all;
- on_time / late: everything expected has arrived; on time when the last of them first arrived by
  the deadline (a corrected value later does not make a report late).
`revised` is a separate fact: some value of the cell was corrected by a later submission.
"""
from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from .catalogue import Indicator, Unit

STATUSES = ("on_time", "late", "partial", "missing", "pending", "not_expected")
BEIJING = dt.timezone(dt.timedelta(hours=8), "UTC+8")
MATRIX_COLUMNS = ["row", "period", "expected", "reported", "revisions", "first_at", "complete_at", "last_at",
                  "due_at", "status", "revised", "days_late"]
MISSING_COLUMNS = ["township_code", "unit_code", "indicator", "period", "overdue"]


def due_date(period: str, deadline_day: int) -> dt.date:
    """The Beijing calendar day a month's report is due: deadline_day of the next month (at most its last day)."""
    year, month = int(period[:4]) + int(period[5:7]) // 12, int(period[5:7]) % 12 + 1
    return dt.date(year, month, min(deadline_day, calendar.monthrange(year, month)[1]))


def deadline(period: str, deadline_day: int) -> dt.datetime:
    """The moment a month's report is due, as naive UTC like submissions.loaded_at."""
    local = dt.datetime.combine(due_date(period, deadline_day), dt.time(23, 59, 59), BEIJING)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def beijing_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Beijing (now: an aware datetime, or naive UTC; default the clock)."""
    now = now or dt.datetime.now(dt.UTC)
    now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    return now.astimezone(BEIJING).date()


def to_beijing(moment) -> dt.datetime | None:
    """A naive UTC time (datetime or pandas Timestamp) as naive Beijing time, for display."""
    if moment is None or pd.isna(moment):
        return None
    return pd.Timestamp(moment).to_pydatetime() + dt.timedelta(hours=8)


def rows_of(units: tuple[Unit, ...], township: str | None = None) -> list[Unit]:
    """The matrix's rows: the city and its townships, or a township and its villages."""
    if township is None:
        return [u for u in units if u.kind in ("city", "township")]
    return [u for u in units if u.code == township or (u.kind == "village" and u.parent_code == township)]


def expected(units: tuple[Unit, ...], indicators: list[Indicator], periods: list[str],
             township: str | None = None) -> pd.DataFrame:
    """Grain: row x period x indicator, where something is expected: how many units should report.

    Without a township, a township's row expects its own values and one per valid village for
    village-level indicators; inside a township, every row is one unit.
    """
    villages: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.kind == "village":
            villages.setdefault(unit.parent_code, []).append(unit)
    out = []
    for row in rows_of(units, township):
        for ind in indicators:
            if ind.level == row.kind:
                pool = [row]
            elif township is None and row.kind == "township" and ind.level == "village":
                pool = villages.get(row.code, [])
            else:
                continue
            for period in periods:
                n = sum(1 for unit in pool if unit.valid_in(period))
                if n:
                    out.append((row.code, period, ind.code, n))
    return pd.DataFrame(out, columns=["row", "period", "indicator", "expected"]).astype({"expected": "int64"})


def classify(reported: int, expected: int, complete_at, due_at: dt.datetime, overdue: bool) -> str:
    """One cell's status from what arrived (see the module docstring)."""
    if expected <= 0:
        return "not_expected"
    if reported <= 0:
        return "missing" if overdue else "pending"
    if reported < expected:
        return "partial"
    return "on_time" if pd.Timestamp(complete_at) <= pd.Timestamp(due_at) else "late"


def matrix(expected_frame: pd.DataFrame, arrivals: pd.DataFrame, periods: list[str], rows: list[str],
           deadline_day: int, today: dt.date) -> pd.DataFrame:
    """Grain: row x period (every row and period asked for): the indicators taken together, classified.

    expected_frame and arrivals are at row x period x indicator (expected(), reporting.arrivals());
    arrivals must already be limited to the indicators shown.
    """
    keys = ["row", "period"]
    wanted = expected_frame.groupby(keys, as_index=False)["expected"].sum()
    present = arrivals.merge(expected_frame[[*keys, "indicator"]], on=[*keys, "indicator"])  # expected only
    came = present.groupby(keys, as_index=False).agg(
        reported=("reported", "sum"), revisions=("revisions", "sum"), first_at=("first_at", "min"),
        complete_at=("complete_at", "max"), last_at=("last_at", "max"))
    grid = pd.DataFrame([(r, p) for r in rows for p in periods], columns=keys)
    frame = grid.merge(wanted, on=keys, how="left").merge(came, on=keys, how="left")
    frame = frame.assign(expected=frame["expected"].fillna(0).astype("int64"),
                         reported=frame["reported"].fillna(0).astype("int64"),
                         revisions=frame["revisions"].fillna(0).astype("int64"))
    due = {p: deadline(p, deadline_day) for p in periods}
    overdue = {p: today > due_date(p, deadline_day) for p in periods}
    statuses = [classify(r, e, c, due[p], overdue[p]) for r, e, c, p in
                zip(frame["reported"], frame["expected"], frame["complete_at"], frame["period"])]
    late_days = [_days_late(c, p, deadline_day) if s == "late" else 0
                 for s, c, p in zip(statuses, frame["complete_at"], frame["period"])]
    frame = frame.assign(due_at=pd.to_datetime(frame["period"].map(due)), status=statuses,
                         revised=frame["revisions"] > 0, days_late=late_days)
    return frame[MATRIX_COLUMNS]


def _days_late(complete_at, period: str, deadline_day: int) -> int:
    """Calendar days (Beijing) between the due day and the day the report became complete."""
    return (to_beijing(complete_at).date() - due_date(period, deadline_day)).days


def expected_units(units: tuple[Unit, ...], indicators: list[Indicator], period: str,
                   township: str | None = None) -> pd.DataFrame:
    """Grain: unit x indicator, for one month: every value expected, with the township it belongs to.

    The city's own values belong to the city; without a township, every unit is included.
    """
    out = []
    for unit in units:
        if not unit.valid_in(period):
            continue
        home = unit.parent_code if unit.kind == "village" else unit.code
        if township is not None and home != township:
            continue
        out += [(home, unit.code, ind.code) for ind in indicators if ind.level == unit.kind]
    frame = pd.DataFrame(out, columns=["township_code", "unit_code", "indicator"])
    return frame.sort_values(["township_code", "unit_code"], kind="stable", ignore_index=True)


def missing(expected_frame: pd.DataFrame, cells: pd.DataFrame, period: str, deadline_day: int,
            today: dt.date) -> pd.DataFrame:
    """Grain: unit x indicator: the expected values of a month that have not arrived (expected_units() - cells)."""
    present = set(zip(cells["unit_code"], cells["indicator"]))
    absent = [(t, u, i) for t, u, i in zip(expected_frame["township_code"], expected_frame["unit_code"],
                                           expected_frame["indicator"]) if (u, i) not in present]
    overdue = today > due_date(period, deadline_day)
    return pd.DataFrame([(t, u, i, period, overdue) for t, u, i in absent], columns=MISSING_COLUMNS)
