"""Hand-computed cases for the KPI engine: projections, flows, growth and every status."""
from __future__ import annotations

import dataclasses
import math

import pytest

from dashboard import engine as kpi
from dashboard.data.catalogue import Indicator
from dashboard.data.periods import add_months

RULES = kpi.Rules(at_risk_ratio=0.95, trend_months=12, min_trend_points=3)
STOCK = Indicator("sw", "社工", "Social workers", "人", "persons", "基层治理", "higher", "stock", "count",
                  "township", 1, integer=True)
RATE = Indicator("visit", "探访率", "Visit rate", "%", "%", "救助", "higher", "ratio", "rate", "village", 2, scale=100)
FLOW = Indicator("orgs", "新增", "New orgs", "家", "orgs", "基层治理", "higher", "flow", "count", "township", 3)
SCORE = Indicator("idx", "指数", "Index", "分", "points", "慈善", "higher", "city_only", "score", "city", 4)
LOWER = dataclasses.replace(STOCK, code="wait", direction="lower")


def months(values, start="2022-01", reported=1, expected=1):
    """Stock months from a list of values (None: no report that month)."""
    return [kpi.Month(add_months(start, i), float(v), None, None, reported, expected)
            for i, v in enumerate(values) if v is not None]


def target(value, date="2022-12", kind="level", start=None, unit=None):
    return kpi.TargetRow("x", unit, kind, float(value), date, start, "source sentence", False)


def test_rate_value_is_ratio_of_summed_numerator_and_denominator():
    # Two villages: 30/100 and 10/300. Ratio of sums: 40/400 = 10%, not the mean of 30% and 3.3%.
    month = kpi.Month("2022-06", None, 30.0 + 10.0, 100.0 + 300.0, 2, 2)
    assert kpi.month_value(RATE, month) == pytest.approx(10.0)


def test_zero_denominator_is_no_value_not_zero():
    assert math.isnan(kpi.month_value(RATE, kpi.Month("2022-06", None, 0.0, 0.0, 1, 1)))


def test_projection_extends_the_linear_trend_to_the_target_date():
    # 10, 20, ..., 60 over Jan..Jun: slope 10 a month, so December reads 120.
    result = kpi.evaluate(STOCK, "t", months([10, 20, 30, 40, 50, 60]), target(100), "2022-06", 1, RULES)
    assert result.projected == pytest.approx(120.0)
    assert result.status == "on_track"
    assert result.progress == pytest.approx(0.6)
    assert result.pace_needed == pytest.approx((100 - 60) / 6)


def test_at_risk_when_projection_reaches_95_percent_but_not_the_target():
    # 80..85 in steps of 1: December projects to 91 -> not 100; with target 95, 91 >= 0.95*95 = 90.25.
    result = kpi.evaluate(STOCK, "t", months([80, 81, 82, 83, 84, 85]), target(95), "2022-06", 1, RULES)
    assert result.projected == pytest.approx(91.0)
    assert result.status == "at_risk"


def test_off_track_when_projection_falls_short_of_95_percent():
    result = kpi.evaluate(STOCK, "t", months([80, 81, 82, 83, 84, 85]), target(100), "2022-06", 1, RULES)
    assert result.status == "off_track"


def test_achieved_once_value_reaches_target():
    result = kpi.evaluate(STOCK, "t", months([90, 100, 101]), target(100), "2022-03", 1, RULES)
    assert result.status == "achieved"
    assert math.isnan(result.pace_needed)


def test_off_track_after_the_target_date_without_reaching_it():
    result = kpi.evaluate(STOCK, "t", months([90, 95, 99]), target(100, date="2022-02"), "2022-03", 1, RULES)
    assert result.status == "off_track"
    assert math.isnan(result.projected)


def test_no_report_in_the_month_is_no_data_not_zero():
    result = kpi.evaluate(STOCK, "t", months([10, 20, None]), target(100), "2022-03", 1, RULES)
    assert result.status == "no_data"
    assert math.isnan(result.value)
    assert result.reported_units == 0


def test_too_few_points_gives_no_projection():
    result = kpi.evaluate(STOCK, "t", months([None, 50, 60]), target(100), "2022-03", 1, RULES)
    assert math.isnan(result.projected)
    assert result.status == "off_track"  # 60 is below 95% of 100 and there is no trend to say otherwise


def test_lower_is_better_reverses_the_comparison():
    result = kpi.evaluate(LOWER, "t", months([30, 25, 20]), target(20), "2022-03", 1, RULES)
    assert result.status == "achieved"
    assert result.progress == pytest.approx(1.0)
    falling = kpi.evaluate(LOWER, "t", months([40, 38, 36]), target(20), "2022-03", 1, RULES)
    assert falling.projected == pytest.approx(18.0)  # -2 a month for 9 more months
    assert falling.status == "on_track"


def test_partial_coverage_is_reported_with_the_value():
    data = [kpi.Month("2022-03", None, 45.0, 50.0, 2, 3)]
    result = kpi.evaluate(RATE, "t", data, target(100), "2022-03", 3, RULES)
    assert (result.reported_units, result.expected_units) == (2, 3)
    assert result.partial
    assert result.value == pytest.approx(90.0)


def test_trend_prefers_complete_months():
    # Partial months (one of two units) halve the sum; the fit must ignore them when it can.
    data = [kpi.Month(add_months("2022-01", i), v, None, None, r, 2)
            for i, (v, r) in enumerate([(10, 2), (5, 1), (30, 2), (40, 2), (25, 1), (60, 2)])]
    result = kpi.evaluate(STOCK, "t", data, target(500), "2022-06", 2, RULES)
    # complete months: Jan 10, Mar 30, Apr 40, Jun 60 -> least-squares slope 9.8305..., read at December
    xs, ys = [0, 2, 3, 5], [10, 30, 40, 60]
    mx, my = sum(xs) / 4, sum(ys) / 4
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    assert result.projected == pytest.approx(my + slope * (11 - mx))


def test_flow_compares_year_to_date_with_prorated_target():
    # Annual target 12: by June the prorated target is 6. Flows 1,1,1,1,1,1 -> YTD 6: on track.
    data = months([1, 1, 1, 1, 1, 1], start="2022-01")
    result = kpi.evaluate(FLOW, "t", data, target(12, kind="annual", start="2020-01"), "2022-06", 1, RULES)
    assert result.value == 6
    assert result.prorated_target == pytest.approx(6.0)
    assert result.status == "on_track"
    assert result.target_date == "2022-12"
    assert result.projected == pytest.approx(12.0)  # 6 + mean 1/month x 6 months


def test_flow_year_to_date_restarts_in_january():
    data = months([5] * 12 + [1, 0], start="2021-01")
    result = kpi.evaluate(FLOW, "t", data, target(12, kind="annual", start="2020-01"), "2022-02", 1, RULES)
    assert result.value == 1  # Jan 1 + Feb 0, not the 60 of 2021
    assert result.prorated_target == pytest.approx(2.0)


def test_flow_behind_prorated_is_at_risk_or_off_track_by_projection():
    data = months([0, 0, 0, 3, 0, 0], start="2022-01")  # YTD 3 < prorated 6; mean 0.5 -> projects 6
    result = kpi.evaluate(FLOW, "t", data, target(12, kind="annual", start="2020-01"), "2022-06", 1, RULES)
    assert result.status == "off_track"
    generous = kpi.evaluate(FLOW, "t", months([2, 2, 2, 5, 0, 0], start="2022-01"),
                            target(24, kind="annual", start="2020-01"), "2022-06", 1, RULES)
    # YTD 11 < prorated 12; projected 11 + (11/6) * 6 = 22 >= 0.95*24 = 22.8? no -> off track
    assert generous.projected == pytest.approx(22.0)
    assert generous.status == "off_track"
    close = kpi.evaluate(FLOW, "t", months([2, 2, 2, 5, 0, 0], start="2022-01"),
                         target(23, kind="annual", start="2020-01"), "2022-06", 1, RULES)
    assert close.status == "at_risk"  # 22 >= 0.95*23 = 21.85


def test_flow_coverage_is_its_worst_month_and_a_missing_month_counts_as_none():
    data = [kpi.Month("2022-01", 1.0, None, None, 14, 14), kpi.Month("2022-03", 1.0, None, None, 13, 14)]
    result = kpi.evaluate(FLOW, "city", data, target(2, kind="annual", start="2020-01"), "2022-03", 14, RULES)
    assert result.reported_units == 0  # February: nobody reported
    assert result.value == 2


def test_cumulative_target_sums_the_flow_since_its_start():
    data = months([1] * 6, start="2022-01")
    result = kpi.evaluate(FLOW, "t", data, target(10, kind="cumulative", start="2022-03"), "2022-06", 1, RULES)
    assert result.value == 4  # March..June
    assert result.prorated_target == pytest.approx(10 * 4 / 10)


def test_growth_target_compares_year_on_year_change():
    data = months([100] * 6 + [105.5] * 6 + [105.5] * 6 + [110] * 6, start="2021-01")
    result = kpi.evaluate(SCORE, "city", data, target(5, kind="growth", start="2020-01"), "2022-07", 1, RULES)
    assert result.value == pytest.approx((110 / 105.5 - 1) * 100)  # 4.265%
    assert (result.numerator, result.denominator) == (110, 105.5)
    assert result.status == "off_track"  # 4.27 < 0.95 * 5
    earlier = kpi.evaluate(SCORE, "city", data, target(5, kind="growth", start="2020-01"), "2022-06", 1, RULES)
    assert earlier.value == pytest.approx(5.5)
    assert earlier.status == "achieved"


def test_growth_without_last_years_month_is_no_data():
    result = kpi.evaluate(SCORE, "city", months([100, 101]), target(5, kind="growth", start="2020-01"),
                          "2022-02", 1, RULES)
    assert result.status == "no_data"


def test_rate_projection_never_exceeds_one_hundred_percent():
    data = [kpi.Month(add_months("2022-01", i), None, 90.0 + 3 * i, 100.0, 1, 1) for i in range(3)]
    result = kpi.evaluate(RATE, "v", data, target(100), "2022-03", 1, RULES)
    assert result.projected == 100.0


def test_unit_target_wins_over_every_unit_target_and_nearest_date_is_chosen():
    rows = [target(100, date="2022-12"), target(7, unit="t1", date="2022-12"), target(5, unit="t1", date="2021-12")]
    assert kpi.select_target(rows, "t1", "2021-06").value == 5
    assert kpi.select_target(rows, "t1", "2022-06").value == 7
    assert kpi.select_target(rows, "t1", "2023-06").value == 7  # all past: the last one
    assert kpi.select_target(rows, "t2", "2022-06").value == 100


def test_no_target_means_no_status_but_the_value_is_kept():
    result = kpi.evaluate(STOCK, "t", months([1, 2, 3]), None, "2022-03", 1, RULES)
    assert result.value == 3
    assert result.status == "no_data"
    assert math.isnan(result.target)


def test_display_series_shows_year_to_date_for_annual_flows_and_marks_partial_months():
    data = [kpi.Month("2021-12", 4.0, None, None, 2, 2), kpi.Month("2022-01", 1.0, None, None, 1, 2),
            kpi.Month("2022-02", 2.0, None, None, 2, 2)]
    shown = kpi.display_series(FLOW, data, target(12, kind="annual", start="2020-01"))
    assert shown == [("2021-12", 4.0, False), ("2022-01", 1.0, True), ("2022-02", 3.0, False)]
