"""The kpis command: the documented columns, and the reference the pages must agree with."""
from __future__ import annotations

import csv
import io
import json

import pytest

from dashboard import cli
from dashboard.service import KPI_COLUMNS, KpiService
from helpers import add_observations


@pytest.fixture
def env_db(migrated, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", migrated.url.render_as_string(hide_password=False))
    return migrated


def test_kpis_csv_has_the_documented_columns_and_the_engines_numbers(env_db, capsys):
    add_observations(env_db, [("elderly_beds_per_1000", "330782100000", "2022-06", None, 700, 20000)])
    assert cli.main(["kpis", "--unit", "330782100000", "--as-of", "2022-06", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0])[: len(KPI_COLUMNS)] == KPI_COLUMNS
    beds = next(r for r in rows if r["indicator"] == "elderly_beds_per_1000")
    assert float(beds["value"]) == 35.0
    assert beds["status"] == "off_track" and beds["reported_units"] == "1" and beds["expected_units"] == "1"
    engine_value = next(k for k in KpiService(env_db).kpis("330782100000", "2022-06")
                        if k.indicator == "elderly_beds_per_1000")
    assert float(beds["value"]) == round(engine_value.value, 4)


def test_kpis_defaults_to_the_city_and_the_latest_month(env_db, capsys):
    add_observations(env_db, [("charity_index", "330782000000", "2022-03", 82.5, None, None),
                              ("charity_index", "330782000000", "2022-04", 82.7, None, None)])
    assert cli.main(["kpis", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["unit_code"] for r in rows} == {"330782000000"}
    charity = next(r for r in rows if r["indicator"] == "charity_index")
    assert (charity["period"], charity["value"]) == ("2022-04", 82.7)
    missing = next(r for r in rows if r["indicator"] == "certified_social_workers")
    assert missing["value"] is None and missing["status"] == "no_data"  # not reported: no zero


def test_kpis_rejects_an_unknown_unit(env_db, capsys):
    assert cli.main(["kpis", "--unit", "123"]) == 2
    assert "unknown unit" in capsys.readouterr().err


def test_kpis_says_on_stderr_when_it_shows_demo_data(tmp_path, monkeypatch, capsys, catalogue, units):
    from dashboard.data import db, demo

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    demo.build(engine, catalogue, units)
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    assert cli.main(["kpis", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert "demo data" in captured.err
    assert captured.out.startswith("indicator,unit_code,period")  # machine-readable output stays clean
