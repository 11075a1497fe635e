"""Reporting completeness: the matrix, a cell's history and the missing list agree with the database.

A hand-made set of submissions, loaded through ingest and then dated: on time, late (also by one
minute past the deadline), missing, revised, partial and not yet due, on every backend.
"""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.data import completeness, ingest, schema
from dashboard.data.catalogue import CITY_CODE
from dashboard.service import KpiService

HEADER = "period,unit_code,indicator,value,numerator,denominator,note\n"
CSW, VISIT = "certified_social_workers", "key_recipient_visit_rate"
CHOUCHENG, JIANGDONG, FOTANG, DACHEN = "330782001000", "330782002000", "330782100000", "330782106000"
TODAY = dt.date(2022, 8, 5)  # 2022-06 is past its deadline (2022-07-10), 2022-07 is not yet due
NOW = dt.datetime(2022, 8, 5, 4, 0, tzinfo=dt.UTC)
ENDED = "330782100216"  # a 佛堂镇 village in the 2020 code list only: valid until 2021-12


def utc(*args) -> dt.datetime:
    return dt.datetime(*args)


@pytest.fixture
def submit(migrated, catalogue, tmp_path):
    """Load CSV rows as one submission through ingest, then set when it arrived (naive UTC)."""
    def load(name: str, rows: list[str], at: dt.datetime) -> int:
        path = tmp_path / name
        path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
        result = ingest.ingest_file(migrated, path, catalogue, loaded_by="镇街填报员", today=TODAY)
        assert result.status == "loaded", result.errors
        with migrated.begin() as conn:
            conn.execute(schema.submissions.update().where(schema.submissions.c.id == result.submission_id)
                         .values(loaded_at=at))
        return result.submission_id
    return load


@pytest.fixture
def fotang_villages(units):
    return sorted(u.code for u in units if u.parent_code == FOTANG and u.valid_in("2022-06"))


@pytest.fixture
def reports(submit, units, fotang_villages):
    """May: everyone on time. June: 稠城 two days late, 江东 one minute late, 大陈 missing, 佛堂 on time
    and corrected later, one 佛堂 village missing. July: nothing yet (not due)."""
    townships = sorted(u.code for u in units if u.kind == "township")
    ids = {"may": submit("may.csv", [f"2022-05,{t},{CSW},10,," for t in townships]
                         + [f"2022-05,{v},{VISIT},,9,10," for v in fotang_villages], utc(2022, 6, 5, 2))}
    on_time = [t for t in townships if t not in (CHOUCHENG, JIANGDONG, DACHEN, FOTANG)]
    ids["june"] = submit("june.csv", [f"2022-06,{t},{CSW},11,," for t in on_time], utc(2022, 7, 3, 2))
    ids["fotang"] = submit("fotang.csv", [f"2022-06,{FOTANG},{CSW},12,,"]
                           + [f"2022-06,{v},{VISIT},,8,10," for v in fotang_villages[1:]],
                           utc(2022, 7, 10, 15, 59))  # 23:59 Beijing time on the 10th: on time
    ids["fix"] = submit("fotang_fix.csv", [f"2022-06,{FOTANG},{CSW},15,,"], utc(2022, 7, 20, 1))
    ids["chouc"] = submit("choucheng.csv", [f"2022-06,{CHOUCHENG},{CSW},11,,"], utc(2022, 7, 12, 2))
    ids["jiangd"] = submit("jiangdong.csv", [f"2022-06,{JIANGDONG},{CSW},11,,"], utc(2022, 7, 10, 16, 0))
    return ids


@pytest.fixture
def service(migrated, reports):
    return KpiService(migrated, clock=lambda: NOW)


def cell(frame, row: str, period: str) -> dict:
    """One row x period of a matrix as a dict."""
    found = frame[(frame["row"] == row) & (frame["period"] == period)]
    assert len(found) == 1, (row, period)
    return found.iloc[0].to_dict()


# --- the rules, pure --------------------------------------------------------------------------------
def test_deadline_is_the_end_of_the_day_in_beijing_as_utc():
    assert completeness.deadline("2022-06", 10) == utc(2022, 7, 10, 15, 59, 59)
    assert completeness.deadline("2022-12", 10) == utc(2023, 1, 10, 15, 59, 59)


def test_deadline_day_beyond_a_short_month_is_its_last_day():
    assert completeness.due_date("2024-01", 31) == dt.date(2024, 2, 29)


@pytest.mark.parametrize("reported, expected, complete, overdue, status", [
    (0, 0, None, True, "not_expected"),
    (0, 3, None, False, "pending"),
    (0, 3, None, True, "missing"),
    (2, 3, utc(2022, 7, 1), True, "partial"),
    (3, 3, utc(2022, 7, 10, 15, 59, 59), True, "on_time"),
    (3, 3, utc(2022, 7, 10, 16, 0), True, "late"),
])
def test_a_cell_is_classified_by_what_arrived_and_when(reported, expected, complete, overdue, status):
    due = completeness.deadline("2022-06", 10)
    assert completeness.classify(reported, expected, complete, due, overdue) == status


def test_a_village_is_expected_only_in_the_months_it_is_valid(units, catalogue):
    visit = [i for i in catalogue if i.code == VISIT]
    frame = completeness.expected(units, visit, ["2021-12", "2022-01"], FOTANG)
    assert set(frame.loc[frame["row"] == ENDED, "period"]) == {"2021-12"}


# --- against the database ---------------------------------------------------------------------------
def test_township_statuses_follow_arrival_times_and_deadlines(service):
    frame = service.reporting_matrix(CITY_CODE, "2022-05", "2022-07", indicator=CSW)
    assert set(frame["row"]) == {u.code for u in service.children(CITY_CODE)}  # the city reports no CSW
    assert set(frame.loc[frame["period"] == "2022-05", "status"]) == {"on_time"}
    assert set(frame.loc[frame["period"] == "2022-07", "status"]) == {"pending"}
    june = {r: cell(frame, r, "2022-06") for r in (CHOUCHENG, JIANGDONG, FOTANG, DACHEN)}
    assert {r: c["status"] for r, c in june.items()} == {
        CHOUCHENG: "late", JIANGDONG: "late", FOTANG: "on_time", DACHEN: "missing"}
    assert (june[CHOUCHENG]["days_late"], june[JIANGDONG]["days_late"]) == (2, 1)
    assert (june[FOTANG]["revised"], june[FOTANG]["revisions"], june[CHOUCHENG]["revised"]) == (True, 1, False)
    assert june[FOTANG]["first_at"] == utc(2022, 7, 10, 15, 59)  # the first arrival, not the correction
    assert june[FOTANG]["last_at"] == utc(2022, 7, 20, 1)


def test_matrix_counts_equal_the_database(service, migrated):
    frame = service.reporting_matrix(CITY_CODE, "2022-05", "2022-07")
    o, u, h = schema.observations.c, schema.units.c, schema.observation_history.c
    row = sa.case((u.kind == "village", u.parent_code), else_=u.code)
    with migrated.connect() as conn:
        counted = dict(((r, p), n) for r, p, n in conn.execute(
            sa.select(row, o.period, sa.func.count()).select_from(schema.observations.join(
                schema.units, u.code == o.unit_code)).group_by(row, o.period)))
        history = dict(((r, p), n) for r, p, n in conn.execute(
            sa.select(row, h.period, sa.func.count()).select_from(schema.observation_history.join(
                schema.units, u.code == h.unit_code)).group_by(row, h.period)))
    for r, p, reported, revisions in zip(frame["row"], frame["period"], frame["reported"], frame["revisions"]):
        assert (reported, revisions) == (counted.get((r, p), 0), history.get((r, p), 0)), (r, p)


def test_all_indicators_together_make_a_township_partial_until_every_value_is_in(service, fotang_villages):
    frame = service.reporting_matrix(CITY_CODE, "2022-05", "2022-06", category="基层治理")
    # 基层治理 has four township indicators; each township reported one of them
    assert cell(frame, CHOUCHENG, "2022-06")["status"] == "partial"
    assert (cell(frame, CHOUCHENG, "2022-06")["reported"], cell(frame, CHOUCHENG, "2022-06")["expected"]) == (1, 4)
    visits = service.reporting_matrix(CITY_CODE, "2022-06", "2022-06", indicator=VISIT)
    fotang = cell(visits, FOTANG, "2022-06")
    assert (fotang["status"], fotang["reported"], fotang["expected"]) == ("partial", len(fotang_villages) - 1,
                                                                          len(fotang_villages))
    assert cell(visits, CHOUCHENG, "2022-06")["status"] == "missing"


def test_inside_a_township_each_village_is_a_row(service, fotang_villages):
    frame = service.reporting_matrix(FOTANG, "2022-05", "2022-06", indicator=VISIT)
    assert set(frame["row"]) == set(fotang_villages)  # the township reports no visit rate itself
    assert cell(frame, fotang_villages[0], "2022-06")["status"] == "missing"
    assert {cell(frame, v, "2022-06")["status"] for v in fotang_villages[1:]} == {"on_time"}


def test_ended_village_is_not_expected_after_it_ends(service):
    frame = service.reporting_matrix(FOTANG, "2021-12", "2022-01", indicator=VISIT)
    assert cell(frame, ENDED, "2022-01")["status"] == "not_expected"
    assert cell(frame, ENDED, "2021-12")["status"] == "missing"


def test_cell_history_lists_the_submissions_and_keeps_every_earlier_value(service, reports):
    found = service.cell_history(CITY_CODE, FOTANG, "2022-06", indicator=CSW)
    subs = found["submissions"]
    assert list(subs["file_name"]) == ["fotang.csv", "fotang_fix.csv"]
    assert list(subs["loaded_at"]) == [utc(2022, 7, 10, 15, 59), utc(2022, 7, 20, 1)]
    assert set(subs["loaded_by"]) == {"镇街填报员"}
    revs = found["revisions"]
    assert list(zip(revs["revision"], revs["value"], revs["current"])) == [(1, 12.0, False), (2, 15.0, True)]
    assert revs["superseded_by"].iloc[0] == reports["fix"] and revs["submission_id"].iloc[1] == reports["fix"]
    assert found["summary"]["status"].iloc[0] == "on_time" and found["missing"].empty


def test_cell_history_of_a_township_covers_its_villages_and_names_what_is_missing(service, fotang_villages):
    found = service.cell_history(CITY_CODE, FOTANG, "2022-06")
    assert set(found["revisions"]["unit_code"]) == {FOTANG, *fotang_villages[1:]}
    missing = found["missing"]
    assert (fotang_villages[0], VISIT) in set(zip(missing["unit_code"], missing["indicator"]))
    assert (FOTANG, CSW) not in set(zip(missing["unit_code"], missing["indicator"]))


def test_missing_list_names_each_unit_and_indicator_not_yet_reported(service, fotang_villages):
    csw = service.missing_reports("2022-06", indicator=CSW)
    assert list(zip(csw["township_code"], csw["unit_code"])) == [(DACHEN, DACHEN)]
    assert csw["overdue"].all()
    fotang = service.missing_reports("2022-06", township=FOTANG, indicator=VISIT)
    assert list(fotang["unit_code"]) == [fotang_villages[0]]
    july = service.missing_reports("2022-07", indicator=CSW)
    assert len(july) == 14 and not july["overdue"].any()  # not yet due: listed, not overdue


def test_the_deadline_day_is_a_setting(migrated, reports):
    lenient = KpiService(migrated, clock=lambda: NOW, deadline_day=15)
    frame = lenient.reporting_matrix(CITY_CODE, "2022-06", "2022-06", indicator=CSW)
    assert cell(frame, CHOUCHENG, "2022-06")["status"] == "on_time"
