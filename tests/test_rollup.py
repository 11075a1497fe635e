"""Roll-ups and coverage through the service, on every configured database backend."""
from __future__ import annotations

import datetime as dt
import math

import pytest
import sqlalchemy as sa

from dashboard.service import KpiService
from helpers import add_observations

CITY, FOTANG, CHOUCHENG = "330782000000", "330782100000", "330782001000"
V1, V2, V3 = "330782100014", "330782100015", "330782100016"  # villages of 佛堂镇
CC1 = "330782001001"  # 江滨社区 (稠城街道)
VISIT, BEDS, SW = "key_recipient_visit_rate", "elderly_beds_per_1000", "certified_social_workers"


@pytest.fixture
def service(migrated):
    return KpiService(migrated)


def by_code(kpis):
    return {k.indicator: k for k in kpis}


def test_township_rate_is_ratio_of_sums_over_its_villages(migrated, service):
    add_observations(migrated, [(VISIT, V1, "2022-06", None, 9, 10), (VISIT, V2, "2022-06", None, 1, 10),
                                (VISIT, V3, "2022-06", None, 100, 100)])
    k = by_code(service.kpis(FOTANG, "2022-06"))[VISIT]
    assert k.value == pytest.approx(110 / 120 * 100)  # not the mean of 90%, 10%, 100% (66.7%)
    assert (k.numerator, k.denominator) == (110, 120)


def test_township_ratio_per_thousand_is_sum_of_beds_over_sum_of_elders(migrated, service):
    add_observations(migrated, [(BEDS, FOTANG, "2022-06", None, 700, 20000),
                                (BEDS, CHOUCHENG, "2022-06", None, 100, 10000)])
    city = by_code(service.kpis(CITY, "2022-06"))[BEDS]
    assert city.value == pytest.approx(800 / 30000 * 1000)  # 26.67, not mean(35, 10) = 22.5
    assert (city.reported_units, city.expected_units) == (2, 14)


def test_city_rollup_of_village_rate_spans_townships(migrated, service):
    add_observations(migrated, [(VISIT, V1, "2022-06", None, 5, 10), (VISIT, CC1, "2022-06", None, 30, 30)])
    k = by_code(service.kpis(CITY, "2022-06"))[VISIT]
    assert k.value == pytest.approx(35 / 40 * 100)
    assert k.reported_units == 2
    assert k.expected_units == service.expected(service.unit(CITY), "village", "2022-06") == 542


def test_partial_coverage_counts_only_units_valid_that_month(migrated, service):
    fotang = service.unit(FOTANG)
    # 佛堂镇 had 63 villages/communities in the 2020 list and 61 from 2022.
    assert service.expected(fotang, "village", "2021-06") == 63
    assert service.expected(fotang, "village", "2022-06") == 61
    add_observations(migrated, [(VISIT, V1, "2022-06", None, 5, 10)])
    k = by_code(service.kpis(FOTANG, "2022-06"))[VISIT]
    assert (k.reported_units, k.expected_units) == (1, 61)
    assert k.partial


def test_stock_sums_townships_and_a_missing_township_is_not_a_zero(migrated, service):
    add_observations(migrated, [(SW, FOTANG, "2022-05", 50, None, None), (SW, CHOUCHENG, "2022-05", 70, None, None),
                                (SW, FOTANG, "2022-06", 55, None, None)])
    may = by_code(service.kpis(CITY, "2022-05"))[SW]
    june = by_code(service.kpis(CITY, "2022-06"))[SW]
    assert may.value == 120 and may.reported_units == 2
    assert june.value == 55 and june.reported_units == 1  # said to rest on 1 of 14 reports
    series = service.series(CITY, SW, "2022-07", start="2022-05")
    assert [p for p, _, _ in series] == ["2022-05", "2022-06", "2022-07"]
    assert math.isnan(series[2][1])  # July: no report at all -> a gap, not 0


def test_village_page_sees_only_its_own_rows(migrated, service):
    add_observations(migrated, [(VISIT, V1, "2022-06", None, 5, 10), (VISIT, V2, "2022-06", None, 10, 10)])
    kpis = service.kpis(V1, "2022-06")
    assert [k.indicator for k in kpis] == [VISIT]
    assert kpis[0].value == pytest.approx(50.0)


def test_children_kpis_rank_townships_for_a_village_indicator(migrated, service):
    add_observations(migrated, [(VISIT, V1, "2022-06", None, 5, 10), (VISIT, V2, "2022-06", None, 5, 10),
                                (VISIT, CC1, "2022-06", None, 30, 30)])
    children = {c.unit.code: c.kpi for c in service.children_kpis(CITY, VISIT, "2022-06")}
    assert len(children) == 14
    assert children[FOTANG].value == pytest.approx(50.0)
    assert children[CHOUCHENG].value == pytest.approx(100.0)
    assert children["330782106000"].status == "no_data"
    villages = {c.unit.code: c.kpi for c in service.children_kpis(FOTANG, VISIT, "2022-06")}
    assert len(villages) == 61 and villages[V1].value == pytest.approx(50.0)


def test_new_data_is_seen_on_the_next_call_despite_the_cache(migrated):
    from cachelib import SimpleCache

    service = KpiService(migrated, cache=SimpleCache())
    add_observations(migrated, [(SW, FOTANG, "2022-06", 50, None, None)])
    assert by_code(service.kpis(CITY, "2022-06"))[SW].value == 50
    add_observations(migrated, [(SW, CHOUCHENG, "2022-06", 20, None, None)])
    assert by_code(service.kpis(CITY, "2022-06"))[SW].value == 70


def test_stored_rollups_equal_a_fresh_aggregation_after_demo_and_ingests(migrated, catalogue, units, tmp_path):
    from dashboard.data import demo, ingest, rollups

    demo.build(migrated, catalogue, units)
    with migrated.connect() as conn:
        assert rollups.check(conn) == []
    with migrated.begin() as conn:  # demo refuses real submissions: relabel it so ingest can follow
        conn.execute(sa.text("UPDATE submissions SET kind = 'ingest'"))
    path = tmp_path / "fix.csv"
    path.write_text("period,unit_code,indicator,value,numerator,denominator,note\n"
                    f"2022-06,{V1},{VISIT},,1,40,\n"  # supersedes the demo value
                    f"2022-06,{FOTANG},{SW},999,,,\n", encoding="utf-8")
    result = ingest.ingest_file(migrated, path, catalogue, today=dt.date(2023, 1, 15))
    assert result.status == "loaded", result.errors
    with migrated.connect() as conn:
        assert rollups.check(conn) == []
    service = KpiService(migrated)
    village = {c.unit.code: c.kpi for c in service.children_kpis(FOTANG, VISIT, "2022-06")}[V1]
    assert (village.numerator, village.denominator) == (1, 40)
    assert by_code(service.kpis(FOTANG, "2022-06"))[SW].value == 999
