"""KPI engine: values, coverage, progress, projection and status. Pure: plain data in, plain data out.

The rules are written down in README.md ("How a status is decided"); thresholds come from Rules.
"""
from __future__ import annotations

import dataclasses
import math

from .data.catalogue import Indicator
from .data.periods import add_months, month_range, months_between, year_start

STATUSES = ("achieved", "on_track", "at_risk", "off_track", "no_data")
NAN = float("nan")


@dataclasses.dataclass(frozen=True)
class Month:
    """One month of one indicator for one unit, rolled up: sums over the units that reported."""

    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    reported: int
    expected: int

    @property
    def partial(self) -> bool:
        """Fewer units reported than should have."""
        return self.reported < self.expected


@dataclasses.dataclass(frozen=True)
class TargetRow:
    """A target as stored in the database, for one unit or for every unit (unit_code None)."""

    indicator_code: str
    unit_code: str | None
    kind: str
    value: float
    target_period: str
    start_period: str | None
    source: str
    is_assumption: bool
    baseline_value: float | None = None
    baseline_period: str | None = None
    note: str | None = None


@dataclasses.dataclass(frozen=True)
class Rules:
    """Thresholds of the status rules (from Settings)."""

    at_risk_ratio: float = 0.95
    trend_months: int = 12
    min_trend_points: int = 3


@dataclasses.dataclass(frozen=True)
class Kpi:
    """The engine's verdict on one indicator for one unit and month."""

    indicator: str
    unit_code: str
    period: str
    value: float
    numerator: float
    denominator: float
    target: float
    target_date: str | None
    progress: float
    projected: float
    status: str
    reported_units: int
    expected_units: int
    target_kind: str | None = None
    pace_needed: float = NAN
    prorated_target: float = NAN
    target_source: str | None = None
    target_is_assumption: bool | None = None

    @property
    def partial(self) -> bool:
        """The value rests on fewer reports than expected."""
        return self.reported_units < self.expected_units


def month_value(ind: Indicator, m: Month) -> float:
    """The KPI value of one rolled-up month: ratio of sums for rates, else the sum."""
    if ind.has_fraction:
        if m.numerator is None or not m.denominator:
            return NAN
        return m.numerator / m.denominator * ind.scale
    return NAN if m.value is None else float(m.value)


def select_target(targets: list[TargetRow], unit_code: str, as_of: str) -> TargetRow | None:
    """The unit's own target if any, else one for every unit; the nearest not yet past, else the last."""
    own = [t for t in targets if t.unit_code == unit_code] or [t for t in targets if t.unit_code is None]
    if not own:
        return None
    ahead = sorted((t for t in own if t.target_period >= as_of), key=lambda t: t.target_period)
    return ahead[0] if ahead else max(own, key=lambda t: t.target_period)


def history_start(ind: Indicator, target: TargetRow | None, as_of: str, rules: Rules = Rules()) -> str:
    """The earliest month evaluate() looks at: the trend window, the year to date, a cumulative start, YoY."""
    start = add_months(as_of, -(rules.trend_months - 1))
    if target is not None and target.kind == "growth":
        start = min(start, add_months(as_of, -12))
    if ind.aggregation == "flow":
        start = min(start, year_start(as_of))
        if target is not None and target.kind == "cumulative" and target.start_period:
            start = min(start, target.start_period)
    return start


def display_series(ind: Indicator, months: list[Month], target: TargetRow | None) -> list[tuple[str, float, bool]]:
    """(period, value as shown, partial) per month: year-to-date for annual flows, YoY % for growth."""
    kind = target.kind if target else None
    by_period = {m.period: m for m in months}
    out = []
    for m in months:
        if kind == "growth":
            value = _yoy(ind, by_period, m.period)
        elif ind.aggregation == "flow" and kind == "cumulative":
            value = _flow_sum(by_period, target.start_period, m.period)
        elif ind.aggregation == "flow":
            value = _flow_sum(by_period, year_start(m.period), m.period)
        else:
            value = month_value(ind, m)
        out.append((m.period, value, m.partial))
    return out


def evaluate(ind: Indicator, unit_code: str, months: list[Month], target: TargetRow | None,
             as_of: str, expected: int, rules: Rules = Rules()) -> Kpi:
    """Judge one indicator for one unit as of a month."""
    months = [m for m in months if m.period <= as_of]
    by_period = {m.period: m for m in months}
    current = by_period.get(as_of)
    base = dict(indicator=ind.code, unit_code=unit_code, period=as_of, numerator=NAN, denominator=NAN,
                reported_units=current.reported if current else 0, expected_units=expected)
    if target is not None:
        base.update(target_kind=target.kind, target=target.value, target_source=target.source,
                    target_is_assumption=target.is_assumption)
    else:
        base.update(target=NAN, target_date=None)
    if ind.aggregation == "flow":
        return _evaluate_flow(ind, by_period, target, as_of, rules, base)
    if target is not None and target.kind == "growth":
        return _evaluate_growth(ind, by_period, target, as_of, rules, base)
    value = month_value(ind, current) if current else NAN
    if current is not None and ind.has_fraction:
        base.update(numerator=_f(current.numerator), denominator=_f(current.denominator))
    return _evaluate_level(ind, months, value, target, as_of, rules, base)


def _evaluate_level(ind, months, value, target, as_of, rules, base) -> Kpi:
    """Stock, ratio and score indicators against a level target."""
    if math.isnan(value):
        return Kpi(value=NAN, progress=NAN, projected=NAN, status="no_data",
                   target_date=target.target_period if target else None, **_strip(base))
    if target is None:
        return Kpi(value=value, progress=NAN, projected=NAN, status="no_data", target_date=None, **_strip(base))
    higher = ind.direction == "higher"
    left = months_between(as_of, target.target_period)
    points = [(m.period, month_value(ind, m)) for m in _trend_window(months, as_of, rules)]
    projected = _clamp(ind, _project(points, target.target_period, rules)) if left > 0 else NAN
    pace = (target.value - value) / left if left > 0 else NAN
    status = _status(value, target.value, projected, left, higher, rules)
    if status == "achieved":
        pace = NAN
    return Kpi(value=value, progress=_progress(value, target.value, higher), projected=projected,
               status=status, target_date=target.target_period, pace_needed=pace, **_strip(base))


def _evaluate_flow(ind, by_period, target, as_of, rules, base) -> Kpi:
    """Flow indicators: year to date against an annual target, or a cumulative sum since a start."""
    cumulative = target is not None and target.kind == "cumulative"
    start = target.start_period if cumulative else year_start(as_of)
    # Coverage of a flow is that of its worst month so far: a month nobody reported counts as 0.
    base["reported_units"] = min(by_period[p].reported if p in by_period else 0
                                 for p in month_range(start, as_of)) if start <= as_of else 0
    value = _flow_sum(by_period, start, as_of) if as_of in by_period else NAN
    if target is None or math.isnan(value) or as_of < (target.start_period or "0000"):
        return Kpi(value=value, progress=NAN, projected=NAN, status="no_data",
                   target_date=target.target_period if target else None, **_strip(base))
    end = target.target_period if cumulative else f"{as_of[:4]}-12"
    left = months_between(as_of, end)
    rate = _mean_flow(by_period, as_of, rules)
    projected = value + rate * left if left > 0 and not math.isnan(rate) else (value if left <= 0 else NAN)
    elapsed = months_between(start, as_of) + 1
    span = months_between(start, end) + 1
    prorated = target.value * elapsed / span
    status = _flow_status(value, target.value, prorated, projected, left, rules)
    pace = (target.value - value) / left if left > 0 and status != "achieved" else NAN
    return Kpi(value=value, progress=value / target.value, projected=projected, status=status,
               target_date=end, pace_needed=pace, prorated_target=prorated, **_strip(base))


def _evaluate_growth(ind, by_period, target, as_of, rules, base) -> Kpi:
    """Growth targets: year-on-year change in percent (numerator: level now; denominator: a year before)."""
    now, before = by_period.get(as_of), by_period.get(add_months(as_of, -12))
    yoy = _yoy(ind, by_period, as_of)
    if now is not None:
        base["numerator"] = month_value(ind, now)
    if before is not None:
        base["denominator"] = month_value(ind, before)
    if math.isnan(yoy):
        return Kpi(value=NAN, progress=NAN, projected=NAN, status="no_data",
                   target_date=target.target_period, **_strip(base))
    if yoy >= target.value:
        status = "achieved"
    elif yoy >= target.value * rules.at_risk_ratio:
        status = "at_risk"
    else:
        status = "off_track"
    return Kpi(value=yoy, progress=yoy / target.value if target.value else NAN, projected=NAN,
               status=status, target_date=target.target_period, **_strip(base))


def _status(value, target, projected, left, higher, rules) -> str:
    """Level-target status from the value now and the projection to the target date."""
    sign = 1 if higher else -1
    if sign * (value - target) >= 0:
        return "achieved"
    if left <= 0:
        return "off_track"
    reference = value if math.isnan(projected) else projected
    if not math.isnan(projected) and sign * (projected - target) >= 0:
        return "on_track"
    threshold = target * rules.at_risk_ratio if higher else target / rules.at_risk_ratio
    return "at_risk" if sign * (reference - threshold) >= 0 else "off_track"


def _flow_status(value, target, prorated, projected, left, rules) -> str:
    """Flow status: achieved, at or above the prorated target, or judged by the projection."""
    if value >= target:
        return "achieved"
    if left <= 0:
        return "off_track"
    if value >= prorated:
        return "on_track"
    if not math.isnan(projected) and projected >= target * rules.at_risk_ratio:
        return "at_risk"
    return "off_track"


def _trend_window(months: list[Month], as_of: str, rules: Rules) -> list[Month]:
    """The last trend_months months up to as_of, complete months only when there are enough."""
    start = add_months(as_of, -(rules.trend_months - 1))
    window = [m for m in months if start <= m.period <= as_of]
    complete = [m for m in window if not m.partial]
    return complete if len(complete) >= rules.min_trend_points else window


def _project(points: list[tuple[str, float]], to_period: str, rules: Rules) -> float:
    """Least-squares line through (month, value), read at to_period; NaN with too few points."""
    pts = [(months_between(points[0][0], p), v) for p, v in points if not math.isnan(v)] if points else []
    if len(pts) < rules.min_trend_points:
        return NAN
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else 0.0
    x_target = months_between(points[0][0], to_period)
    return my + slope * (x_target - mx)


def _mean_flow(by_period: dict, as_of: str, rules: Rules) -> float:
    """Average monthly flow over the trend window (complete months when there are enough)."""
    months = _trend_window(list(by_period.values()), as_of, rules)
    values = [m.value for m in months if m.value is not None]
    if len(values) < rules.min_trend_points:
        return NAN
    return sum(values) / len(values)


def _flow_sum(by_period: dict, start: str, end: str) -> float:
    """Sum of monthly flows from start to end over the months that have reports."""
    return float(sum(m.value or 0.0 for p, m in by_period.items() if start <= p <= end))


def _yoy(ind: Indicator, by_period: dict, period: str) -> float:
    """Year-on-year change in percent, NaN unless both months are there."""
    now, before = by_period.get(period), by_period.get(add_months(period, -12))
    if now is None or before is None:
        return NAN
    a, b = month_value(ind, now), month_value(ind, before)
    if math.isnan(a) or math.isnan(b) or not b:
        return NAN
    return (a / b - 1.0) * 100.0


def _progress(value: float, target: float, higher: bool) -> float:
    """Share of the target reached (for lower-is-better: target / value)."""
    if higher:
        return value / target if target else NAN
    return target / value if value else NAN


def _clamp(ind: Indicator, value: float) -> float:
    """Keep a projection possible: never below zero, a rate never above 100%."""
    if math.isnan(value):
        return value
    value = max(value, 0.0)
    return min(value, ind.scale) if ind.measure == "rate" else value


def _f(x) -> float:
    """None -> NaN."""
    return NAN if x is None else float(x)


def _strip(base: dict) -> dict:
    """Drop keys the caller sets explicitly."""
    return {k: v for k, v in base.items() if k not in {"value", "progress", "projected", "status", "target_date"}}
