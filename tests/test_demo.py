"""The demo data set: anchored on the article, deterministic, labelled, and never mixed with real data."""
from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from dashboard.data import demo, meta, schema
from dashboard.service import KpiService
from helpers import add_observations

CITY = "330782000000"


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory, catalogue, units):
    from dashboard.data import db

    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}")
    db.upgrade(engine)
    demo.build(engine, catalogue, units)
    return engine


def kpi(service, code, period, unit=CITY):
    return next(k for k in service.kpis(unit, period) if k.indicator == code)


def test_city_figures_for_august_2020_match_the_article(demo_engine):
    service = KpiService(demo_engine)
    beds = kpi(service, "elderly_beds_per_1000", "2020-08")
    assert (beds.numerator, beds.denominator) == (6818, 169000)
    assert kpi(service, "charity_index", "2020-08").value == 81.02
    stations = kpi(service, "home_care_station_coverage", "2020-08")
    assert (stations.numerator, stations.denominator) == (464, 539)
    meals = kpi(service, "meal_service_coverage", "2020-08")
    assert round(meals.value) == 96
    assert kpi(service, "model_home_care_centres", "2020-08").value == 8
    assert kpi(service, "dibao_standard", "2020-08").numerator == 10800


def test_demo_covers_2019_to_2022_at_each_reporting_level(demo_engine):
    with demo_engine.connect() as conn:
        o, u = schema.observations.c, schema.units.c
        span = conn.execute(sa.select(sa.func.min(o.period), sa.func.max(o.period))).one()
        wrong_level = conn.execute(
            sa.select(sa.func.count()).select_from(schema.observations.join(schema.units, u.code == o.unit_code)
                                                   .join(schema.indicators, schema.indicators.c.code == o.indicator_code))
            .where(u.kind != schema.indicators.c.level)).scalar()
        assert meta.get(conn, meta.DEMO) == "true"
    assert tuple(span) == ("2019-01", "2022-12")
    assert wrong_level == 0


def test_townships_differ_and_the_latest_month_is_partial(demo_engine):
    service = KpiService(demo_engine)
    statuses = {c.kpi.status for c in service.children_kpis(CITY, "elderly_beds_per_1000", "2022-06")}
    assert {"achieved", "off_track"} <= statuses
    latest = kpi(service, "certified_social_workers", "2022-12")
    assert (latest.reported_units, latest.expected_units) == (13, 14)


def test_demo_is_deterministic(tmp_path, catalogue, units):
    from dashboard.data import db

    digests = []
    for name in ("a", "b"):
        engine = db.make_engine(f"sqlite:///{tmp_path / name}.sqlite3")
        db.upgrade(engine)
        demo.build(engine, catalogue, units)
        with engine.connect() as conn:
            o = schema.observations.c
            rows = conn.execute(sa.select(o.indicator_code, o.unit_code, o.period, o.value, o.numerator,
                                          o.denominator, o.revision).order_by(o.indicator_code, o.unit_code, o.period)).all()
        digests.append(hashlib.sha256(repr(rows).encode()).hexdigest())
    assert digests[0] == digests[1]


def test_demo_keeps_revision_history(demo_engine):
    with demo_engine.connect() as conn:
        history = conn.execute(sa.select(schema.observation_history)).all()
    assert len(history) == 3
    assert all(h.superseded_by != h.submission_id for h in history)


def test_demo_refuses_to_mix_with_real_submissions(migrated, catalogue, units):
    add_observations(migrated, [("certified_social_workers", "330782100000", "2022-06", 5, None, None)])
    with pytest.raises(demo.DemoRefused):
        demo.build(migrated, catalogue, units)


def test_scale_adds_synthetic_villages_under_real_townships(units):
    extra = demo.synthetic_villages(units, 3)
    current = [u for u in units if u.kind == "village" and u.valid_to is None]
    assert len(extra) == 2 * len(current)
    assert all(u.code.startswith(demo.SYNTHETIC_PREFIX) and len(u.code) == 12 for u in extra)
    assert {u.parent_code for u in extra} == {u.code for u in units if u.kind == "township"}


def test_a_file_tried_out_on_the_demo_keeps_the_demo_as_it_is(migrated, catalogue, units):
    demo.build(migrated, catalogue, units)
    add_observations(migrated, [("certified_social_workers", "330782100000", "2018-01", 5, None, None)])
    assert demo.build(migrated, catalogue, units)["skipped"]  # make run again: the demo stays, with the file
    with pytest.raises(demo.DemoRefused):
        demo.build(migrated, catalogue, units, force=True)  # a rebuild would drop the file: refused
