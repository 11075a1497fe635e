"""The KPI service: queries + engine, the one source of numbers for the CLI, the pages and the briefs.

Results are cached per (question, data version): an ingest bumps the version, so the next
request anywhere computes afresh and nothing stale is ever served.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import threading
import time
import math

import pandas as pd
import sqlalchemy as sa

from . import engine as kpi
from .data import catalogue as cat
from .data import db, queries
from .data.periods import add_months, month_range
from .service_reporting import ReportingQueries
from .settings import Settings

log = logging.getLogger(__name__)
KPI_COLUMNS = ["indicator", "unit_code", "period", "value", "numerator", "denominator", "target", "target_date",
               "progress", "projected", "status", "reported_units", "expected_units"]
EXTRA_COLUMNS = ["name_zh", "name_en", "target_kind", "pace_needed", "prorated_target",
                 "target_is_assumption", "target_source"]
HISTORY_MONTHS = 36  # months of history the KPI evaluation needs (YoY, trend, year to date)
LEVEL_RANK = {"village": 0, "township": 1, "city": 2}
MONTHS_MEMO_SIZE = 256  # converted roll-ups kept in process (they are small: one unit's months)


class UnknownUnit(LookupError):
    """No unit with that code."""


class DatabaseUnavailable(sa.exc.OperationalError):
    """The reporting database cannot be reached (or is too slow) and nothing cached answers the question.

    An OperationalError, so code that already handles database outages handles this too.
    """

    def __init__(self, message: str):
        super().__init__(None, None, ConnectionError(message))
        self.message = message

    def __str__(self) -> str:
        return self.message


OUTAGE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)  # not bugs such as bad SQL


class _NoCache:
    """Stand-in cache that stores nothing."""

    def get(self, key):
        return None

    def set(self, key, value, timeout=None):
        return True


@dataclasses.dataclass(frozen=True)
class ChildKpi:
    """One child unit's verdict on one indicator, for rankings and tables."""

    unit: cat.Unit
    kpi: kpi.Kpi


class KpiService(ReportingQueries):
    """Answers the questions every page asks, from the reporting database."""

    def __init__(self, engine: sa.Engine, catalogue=None, rules: kpi.Rules | None = None, cache=None,
                 cache_timeout: int = 600, deadline_day: int = 10, clock=None, retry_after: float = 5):
        self.engine = engine
        self.catalogue = catalogue or cat.load_catalogue()
        self.indicators = {i.code: i for i in self.catalogue}
        self.rules = rules or kpi.Rules()
        self.cache = cache or _NoCache()
        self.cache_timeout = cache_timeout
        self._unit_memo: tuple[int, UnitIndex] | None = None
        self._facts_memo: tuple[int, dict] | None = None
        self._months_memo: dict[tuple, dict[str, list[kpi.Month]]] = {}
        self._memo_lock = threading.Lock()
        self._pin = threading.local()
        self.deadline_day = deadline_day  # reporting (service_reporting.py): due day of the next month
        self.clock = clock
        self.retry_after = retry_after
        self._last_good: tuple[int, dt.datetime] | None = None  # (version, when it was last read)
        self._outage_since: dt.datetime | None = None
        self._retry_at = 0.0
        self._outage_lock = threading.Lock()
        # Who may see what: a callable giving the township the current request is limited to (None:
        # every unit). The app sets it to security.current_township; the CLI and tests see everything.
        self.scope_provider = None

    @classmethod
    def from_settings(cls, settings: Settings, cache=None) -> "KpiService":
        """A service on the configured database, with the settings' status rules."""
        rules = kpi.Rules(settings.at_risk_ratio, settings.trend_months, settings.min_trend_points)
        return cls(db.make_engine(settings.resolved_database_url(), timeout=settings.db_timeout), rules=rules,
                   cache=cache, cache_timeout=settings.cache_timeout, deadline_day=settings.deadline_day,
                   retry_after=settings.db_retry_after)

    # --- cached building blocks -------------------------------------------------------
    def state(self) -> dict:
        """Data version, demo flag and latest period: one primary-key read, the rest cached per version.

        Inside `pinned()` the version is read once, so one answer never mixes two data versions.
        """
        version = getattr(self._pin, "version", None)
        if version is None:
            version = self._read_version()
            if getattr(self._pin, "active", False):
                self._pin.version = version
        if self._facts_memo is None or self._facts_memo[0] != version:
            self._facts_memo = (version, self._cached("facts", version))
        return {"version": version, **self._facts_memo[1], **self.freshness()}

    def freshness(self) -> dict:
        """Whether answers come from the last good data because the database is unreachable, and since when."""
        last = self._last_good
        return {"stale": self._outage_since is not None,
                "last_good_at": last[1].isoformat(timespec="seconds") if last else None}

    def _read_version(self) -> int:
        """The data version from the database; during an outage, the last good one (see connect())."""
        try:
            with self.connect() as conn:
                version = queries.data_version(conn)
        except DatabaseUnavailable:
            if self._last_good is None:
                raise
            return self._last_good[0]
        self._last_good = (version, dt.datetime.now())
        return version

    @contextlib.contextmanager
    def connect(self):
        """A connection, or DatabaseUnavailable at once while an outage is young.

        A failure starts an outage: for retry_after seconds nobody waits on the database again, and
        callers answer from what the cache holds for the last good data version. The first success
        afterwards ends it. Logged once per outage, not once per request.
        """
        if self._outage_since is not None and time.monotonic() < self._retry_at:
            raise DatabaseUnavailable(f"database unavailable since {self._outage_since:%H:%M:%S}")
        try:
            with self.engine.connect() as conn:
                yield conn
        except DatabaseUnavailable:
            raise
        except OUTAGE_ERRORS as exc:
            self._start_outage(exc)
            raise DatabaseUnavailable(str(exc.__cause__ or exc).splitlines()[0]) from exc
        else:
            if self._outage_since is not None:
                with self._outage_lock:
                    if self._outage_since is not None:
                        log.warning("database reachable again (outage since %s)", self._outage_since)
                        self._outage_since = None

    def _start_outage(self, exc: Exception) -> None:
        """Remember when the database went away; log the first failure only."""
        with self._outage_lock:
            self._retry_at = time.monotonic() + self.retry_after
            if self._outage_since is None:
                self._outage_since = dt.datetime.now()
                log.warning("database unavailable, serving the last good data: %s",
                            str(exc.__cause__ or exc).splitlines()[0])

    @contextlib.contextmanager
    def pinned(self):
        """Read the data version at most once in this block (one callback, one request)."""
        outer = getattr(self._pin, "active", False)
        self._pin.active = True
        try:
            yield self
        finally:
            if not outer:
                self._pin.active = False
                self._pin.version = None

    def remember(self, name: str, args: tuple, compute):
        """compute() through the cache under (name, args, data version): for whole callback outputs.

        Only for results that depend on nothing but their arguments and the data.
        """
        version = self._version(None)
        digest = hashlib.sha256(repr(args).encode()).hexdigest()[:32]
        township = self._scope()
        key = f"out:{name}:{version}:{'t:' + township if township else 'all'}:{digest}"
        value = self.cache.get(key)
        if value is None:
            value = compute()
            self.cache.set(key, value, timeout=self.cache_timeout)
        return value

    def _compute_facts(self, _version: int) -> dict:
        with self.connect() as conn:
            return queries.data_facts(conn)

    def _cached(self, name: str, version: int, *args):
        """Compute `name` with args through the cache, keyed by the data version."""
        key = "kpi:" + ":".join(str(a) for a in (name, version, *args))
        value = self.cache.get(key)
        if value is None:
            with self.unscoped():  # shared answers: computed for every unit, restricted when handed out
                value = getattr(self, "_compute_" + name)(version, *args)
            self.cache.set(key, value, timeout=self.cache_timeout)
        return value

    # --- scope: which units the current request may see ---------------------------------------
    @contextlib.contextmanager
    def unscoped(self):
        """Compute without the caller's restriction (for answers cached and shared across users)."""
        depth = getattr(self._pin, "unscoped", 0)
        self._pin.unscoped = depth + 1
        try:
            yield
        finally:
            self._pin.unscoped = depth

    def _scope(self) -> str | None:
        """The township the current request is limited to, or None for every unit."""
        if self.scope_provider is None or getattr(self._pin, "unscoped", 0):
            return None
        return self.scope_provider()

    def visible(self, unit: cat.Unit) -> bool:
        """Whether the current request may see this unit: the city totals, and its own township's units."""
        township = self._scope()
        return township is None or unit.kind == "city" or township in (unit.code, unit.parent_code)

    def _visible_code(self, code: str | None) -> bool:
        township = self._scope()
        if township is None or code is None:
            return True
        found = self._index(self._version(None)).by_code.get(code)
        return found is not None and self.visible(found)

    def _check(self, *codes: str | None) -> None:
        """UnknownUnit for a unit the current request may not see: to it, the unit does not exist."""
        for code in codes:
            if not self._visible_code(code):
                raise UnknownUnit(f"unknown unit code {code!r}")

    def _compute_units(self, _version: int) -> tuple[cat.Unit, ...]:
        with self.connect() as conn:
            return queries.load_units(conn)

    def _compute_targets(self, _version: int):
        with self.connect() as conn:
            return queries.load_targets(conn)

    def _compute_rollup(self, version: int, unit_code: str, start: str, end: str) -> pd.DataFrame:
        with self.connect() as conn:
            return queries.rollup_monthly(conn, self._unit(unit_code, version), start, end)

    def _compute_children(self, version: int, unit_code: str, indicator: str, start: str, end: str) -> pd.DataFrame:
        with self.connect() as conn:
            return queries.rollup_children(conn, self._unit(unit_code, version), indicator,
                                           self.indicators[indicator].level, start, end)

    # --- units ---------------------------------------------------------------------------
    def units(self, version: int | None = None) -> tuple[cat.Unit, ...]:
        """Every unit the current request may see."""
        units = self._index(self._version(version)).units
        return units if self._scope() is None else tuple(u for u in units if self.visible(u))

    def unit(self, code: str) -> cat.Unit:
        """One unit by code; UnknownUnit if there is none (or the current request may not see it)."""
        self._check(code)
        return self._unit(code)

    def _unit(self, code: str, version: int | None = None) -> cat.Unit:
        found = self._index(self._version(version)).by_code
        if code not in found:
            raise UnknownUnit(f"unknown unit code {code!r}")
        return found[code]

    def _index(self, version: int) -> "UnitIndex":
        """The unit index for a data version, memoised in-process (units only change with the version)."""
        memo = self._unit_memo
        if memo is None or memo[0] != version:
            memo = (version, UnitIndex(self._cached("units", version)))
            self._unit_memo = memo
        return memo[1]

    def children(self, code: str, period: str | None = None) -> list[cat.Unit]:
        """Direct sub-units of a unit, valid in the period if one is given."""
        self._check(code)
        kids = self._index(self._version(None)).children.get(code, [])
        return [u for u in kids if (period is None or u.valid_in(period)) and self.visible(u)]

    def applicable(self, unit: cat.Unit) -> list[cat.Indicator]:
        """The indicators shown for a unit: those reported at or below its level."""
        return [i for i in self.catalogue if LEVEL_RANK[i.level] <= LEVEL_RANK[unit.kind]]

    def expected(self, unit: cat.Unit, level: str, period: str, version: int | None = None) -> int:
        """How many units at `level` under `unit` (or the unit itself) should report in a month."""
        return self._index(self._version(version)).expected(unit, level, period)

    # --- KPIs ---------------------------------------------------------------------------------
    def resolve_period(self, as_of: str | None, state: dict | None = None) -> str | None:
        """The requested month, or the latest month with data."""
        return as_of or (state or self.state())["latest_period"]

    def periods(self, state: dict | None = None) -> list[str]:
        """Every month from the first to the latest with data: the months the dashboard offers."""
        state = state or self.state()
        first, last = state.get("first_period"), state["latest_period"]
        return month_range(first, last) if first and last else []

    def kpis(self, unit_code: str, as_of: str | None = None) -> list[kpi.Kpi]:
        """The engine's verdict on every applicable indicator for a unit and month."""
        self._check(unit_code)
        state = self.state()
        period = self.resolve_period(as_of, state)
        unit = self._unit(unit_code, state["version"])
        if period is None:
            return [self._empty_kpi(ind, unit) for ind in self.applicable(unit)]
        return self._cached("kpis", state["version"], unit_code, period)

    def _compute_kpis(self, version: int, unit_code: str, period: str) -> list[kpi.Kpi]:
        unit = self._unit(unit_code, version)
        targets = self._targets_by_indicator(version)
        start = min(kpi.history_start(ind, kpi.select_target(targets.get(ind.code, []), unit.code, period), period,
                                      self.rules) for ind in self.applicable(unit))
        months = self.months(unit_code, period, version, start=start)
        return [kpi.evaluate(ind, unit.code, months.get(ind.code, []),
                             kpi.select_target(targets.get(ind.code, []), unit.code, period),
                             period, self.expected(unit, ind.level, period, version), self.rules)
                for ind in self.applicable(unit)]

    def months(self, unit_code: str, as_of: str, version: int | None = None,
               start: str | None = None) -> dict[str, list[kpi.Month]]:
        """Rolled-up months per indicator for a unit, up to as_of (HISTORY_MONTHS back by default)."""
        self._check(unit_code)
        start = start or add_months(as_of, -(HISTORY_MONTHS - 1))
        version = self._version(version)  # once: expected() per row must not query the state again
        key = (version, unit_code, start, as_of)
        found = self._months_memo.get(key)
        if found is None:
            frame = self._cached("rollup", version, unit_code, start, as_of)
            unit = self._unit(unit_code, version)
            found = _to_months(frame, lambda ind, p: self.expected(unit, self.indicators[ind].level, p, version))
            with self._memo_lock:  # gunicorn threads share the memo: insert and evict one at a time
                self._months_memo[key] = found
                while len(self._months_memo) > MONTHS_MEMO_SIZE:  # in-process, bounded, keyed by version
                    self._months_memo.pop(next(iter(self._months_memo)))
        return found

    def target_for(self, indicator: str, unit_code: str, as_of: str) -> kpi.TargetRow | None:
        """The target an indicator is judged against for a unit and month."""
        self._check(unit_code)
        targets = self._targets_by_indicator(self._version(None))
        return kpi.select_target(targets.get(indicator, []), unit_code, as_of)

    def series(self, unit_code: str, indicator: str, as_of: str, start: str | None = None):
        """(period, value as shown, partial) for a unit's indicator up to as_of, every month from start.

        Months without any report are included with NaN so charts show a gap, never a zero.
        """
        self._check(unit_code)
        return self._cached("series", self._version(None), unit_code, indicator, as_of, start)

    def _compute_series(self, version: int, unit_code: str, indicator: str, as_of: str, start: str | None):
        ind = self.indicators[indicator]
        target = kpi.select_target(self._targets_by_indicator(version).get(indicator, []), unit_code, as_of)
        # The first month shown needs its own history too (year to date, a year back, a cumulative start).
        fetch = min(start, kpi.history_start(ind, target, start, self.rules)) if start else None
        months = self.months(unit_code, as_of, version, start=fetch).get(indicator, [])
        shown = {p: (v, partial) for p, v, partial in kpi.display_series(ind, months, target)}
        first = start or (months[0].period if months else as_of)
        return [(p, *shown.get(p, (math.nan, False))) for p in month_range(first, as_of)]

    def children_kpis(self, unit_code: str, indicator: str, as_of: str) -> list[ChildKpi]:
        """Each direct sub-unit's verdict on one indicator (rankings, tables, tile grids)."""
        self._check(unit_code)
        found = self._cached("children_kpis", self._version(None), unit_code, indicator, as_of)
        return found if self._scope() is None else [c for c in found if self.visible(c.unit)]

    def _compute_children_kpis(self, version: int, unit_code: str, indicator: str, as_of: str) -> list[ChildKpi]:
        ind = self.indicators[indicator]
        targets = self._targets_by_indicator(version).get(indicator, [])
        start = min(kpi.history_start(ind, t, as_of, self.rules) for t in targets) if targets else \
            kpi.history_start(ind, None, as_of, self.rules)
        frame = self._cached("children", version, unit_code, indicator, start, as_of)
        rows_by_child: dict[str, list] = {}
        for row in _rows(frame, ["child", *queries.ROLLUP_COLUMNS[1:]]):
            rows_by_child.setdefault(row[0], []).append(row)
        result = []
        kids = self._index(version).children.get(unit_code, [])
        for child in (k for k in kids if k.valid_in(as_of)):
            if LEVEL_RANK[ind.level] > LEVEL_RANK[child.kind]:
                continue
            months = [kpi.Month(period, _none(value), _none(num), _none(den), int(reported),
                                self.expected(child, ind.level, period, version))
                      for _, period, value, num, den, reported in rows_by_child.get(child.code, [])]
            verdict = kpi.evaluate(ind, child.code, months, kpi.select_target(targets, child.code, as_of),
                                   as_of, self.expected(child, ind.level, as_of, version), self.rules)
            result.append(ChildKpi(child, verdict))
        return result

    def kpi_frame(self, unit_code: str, as_of: str | None = None) -> pd.DataFrame:
        """The `kpi-dashboard kpis` table: one row per indicator, numbers rounded to 4 decimals."""
        return kpi_frame(self.kpis(unit_code, as_of), self.indicators)

    # --- helpers ------------------------------------------------------------------------------
    def _version(self, version: int | None) -> int:
        return self.state()["version"] if version is None else version

    def _targets_by_indicator(self, version: int) -> dict[str, list[kpi.TargetRow]]:
        grouped: dict[str, list[kpi.TargetRow]] = {}
        for t in self._cached("targets", version):
            grouped.setdefault(t.indicator_code, []).append(t)
        return grouped

    def _empty_kpi(self, ind: cat.Indicator, unit: cat.Unit) -> kpi.Kpi:
        nan = math.nan
        return kpi.Kpi(ind.code, unit.code, "", nan, nan, nan, nan, None, nan, nan, "no_data", 0, 0)


def kpi_frame(kpis: list[kpi.Kpi], indicators: dict[str, cat.Indicator]) -> pd.DataFrame:
    """KPI verdicts as the documented table (required columns first, then extras)."""
    rows = []
    for k in kpis:
        row = dataclasses.asdict(k)
        ind = indicators[k.indicator]
        row.update(name_zh=ind.name_zh, name_en=ind.name_en)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=KPI_COLUMNS + EXTRA_COLUMNS)
    numeric = ["value", "numerator", "denominator", "target", "progress", "projected", "pace_needed",
               "prorated_target"]
    frame[numeric] = frame[numeric].astype(float).round(4)
    return frame


class UnitIndex:
    """Units by code and by parent, with memoised counts of who should report when."""

    def __init__(self, units: tuple[cat.Unit, ...]):
        self.units = units
        self.by_code = {u.code: u for u in units}
        self.children: dict[str, list[cat.Unit]] = {}
        for unit in units:
            if unit.parent_code:
                self.children.setdefault(unit.parent_code, []).append(unit)
        self._expected: dict[tuple[str, str, str], int] = {}

    def expected(self, unit: cat.Unit, level: str, period: str) -> int:
        """Units at `level` under `unit` valid in `period` (1 for the unit's own level, 0 above it)."""
        if level == unit.kind:
            return 1
        if LEVEL_RANK[level] > LEVEL_RANK[unit.kind]:
            return 0
        key = (unit.code, level, period)
        if key not in self._expected:
            if unit.kind == "city" and level == "village":
                pool = [v for t in self.children.get(unit.code, []) for v in self.children.get(t.code, [])]
            else:
                pool = self.children.get(unit.code, [])
            self._expected[key] = sum(1 for u in pool if u.kind == level and u.valid_in(period))
        return self._expected[key]


def _to_months(frame: pd.DataFrame, expected) -> dict[str, list[kpi.Month]]:
    """Roll-up rows -> Month values per indicator, with the expected count per month."""
    out: dict[str, list[kpi.Month]] = {}
    for ind, period, value, num, den, reported in _rows(frame, queries.ROLLUP_COLUMNS):
        out.setdefault(ind, []).append(kpi.Month(period, _none(value), _none(num), _none(den), int(reported),
                                                 expected(ind, period)))
    return out


def _rows(frame: pd.DataFrame, columns: list[str]):
    """Plain tuples from a frame's columns (per-element access to pandas string arrays is slow)."""
    return zip(*(frame[c].tolist() for c in columns))


def _none(x):
    """NaN/None -> None, else float."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
