"""Loading submission files: every bad row reported as FILE:LINE, all or nothing written, revisions kept."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import sqlalchemy as sa

from dashboard import cli
from dashboard.data import ingest, meta, schema

TODAY = dt.date(2023, 1, 15)
HEADER = "period,unit_code,indicator,value,numerator,denominator,note\n"
BASELINE = (
    "2022-06,330782100000,certified_social_workers,12,,,\n"
    "2022-06,330782001001,key_recipient_visit_rate,,45,50,\n"
    "2022-06,330782100000,elderly_beds_per_1000,,420,10000,\n"
    "2022-06,330782000000,charity_index,87.5,,,\n"
)
GOOD = "2022-07,330782100000,certified_social_workers,13,,,\n"  # a new cell: line 2 of each bad file
TABLES = (schema.submissions, schema.observations, schema.observation_history, schema.meta)


def write(tmp_path, body: str, name: str = "sub.csv", encoding: str = "utf-8") -> str:
    """A submission file in tmp_path; returns its path as the command line would give it."""
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return str(path)


def load(engine, path, catalogue, **options) -> ingest.IngestResult:
    """Ingest with a fixed 'today' so the future-period rule does not depend on the clock."""
    return ingest.ingest_file(engine, path, catalogue, loaded_by="test", today=TODAY, **options)


def snapshot(engine) -> dict[str, list]:
    """Full contents of every table an ingest may write."""
    with engine.connect() as conn:
        return {t.name: conn.execute(sa.select(t).order_by(*t.primary_key.columns)).all() for t in TABLES}


def counts(engine) -> tuple[int, int]:
    """(observations, submissions) row counts."""
    with engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                     for t in (schema.observations, schema.submissions))


def current(engine, indicator: str, unit: str, period: str):
    """The stored current row of one cell."""
    obs = schema.observations.c
    with engine.connect() as conn:
        return conn.execute(sa.select(schema.observations).where(
            obs.indicator_code == indicator, obs.unit_code == unit, obs.period == period)).one()


@pytest.fixture
def engine(migrated, catalogue, tmp_path):
    """A migrated database already holding one loaded submission (BASELINE, 2022-06)."""
    result = load(migrated, write(tmp_path, HEADER + BASELINE, "baseline.csv"), catalogue)
    assert result.status == "loaded", result.errors
    return migrated


def assert_rejected(engine, catalogue, tmp_path, rows: str, *expected: str, header: str = HEADER) -> None:
    """The file header + rows is rejected with exactly `expected` (after FILE:) and writes nothing."""
    path = write(tmp_path, header + rows, "bad.csv")
    before, before_counts = snapshot(engine), counts(engine)
    result = load(engine, path, catalogue)
    assert (result.status, result.ok, result.submission_id) == ("rejected", False, None)
    assert result.errors == tuple(f"{path}:{e}" for e in expected)
    assert counts(engine) == before_counts
    assert snapshot(engine) == before


# One test per kind of bad input --------------------------------------------------------------

def test_unknown_unit_code_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782999999,certified_social_workers,3,,,\n",
                    "3: unknown unit code 330782999999")


def test_unit_code_that_is_not_12_digits_is_rejected_with_a_hint(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,3.30782E+11,certified_social_workers,3,,,\n",
                    "3: unit code '3.30782E+11' is not 12 digits"
                    " (Excel wrote it in scientific notation: format the column as text)")


def test_unknown_indicator_code_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782100000,social_wrokers,3,,,\n",
                    "3: unknown indicator code 'social_wrokers'")


def test_unit_of_the_wrong_level_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782001001,elderly_beds_per_1000,,4,100,\n",
                    "3: indicator elderly_beds_per_1000 is reported by township, 330782001001 is a village")


def test_unit_not_valid_in_the_period_is_rejected(engine, catalogue, tmp_path):
    # 市场社区 is in the 2020 code list only, so it ends in 2021-12.
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782001007,key_recipient_visit_rate,,4,5,\n",
                    "3: unit 330782001007 (市场社区居委会) is not valid in 2022-07 (valid until 2021-12)")


def test_malformed_period_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-13,330782100000,certified_social_workers,3,,,\n",
                    "3: malformed period '2022-13' (expected a month such as 2022-06)")


def test_period_after_the_current_month_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2023-02,330782100000,certified_social_workers,3,,,\n",
                    "3: period 2023-02 is in the future (this month is 2023-01)")


def test_current_month_is_not_the_future(engine, catalogue, tmp_path):
    path = write(tmp_path, HEADER + "2023-01,330782100000,certified_social_workers,3,,,\n")
    assert load(engine, path, catalogue).status == "loaded"


def test_count_row_without_value_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-08,330782100000,certified_social_workers,,,,\n",
                    "3: missing value for count indicator certified_social_workers")


def test_rate_row_without_numerator_or_denominator_is_rejected(engine, catalogue, tmp_path):
    rows = (GOOD + "2022-07,330782001001,key_recipient_visit_rate,90,,50,\n"
            "2022-07,330782100000,elderly_beds_per_1000,40,,,\n")
    assert_rejected(engine, catalogue, tmp_path, rows,
                    "3: missing numerator for rate indicator key_recipient_visit_rate",
                    "4: missing numerator and denominator for ratio indicator elderly_beds_per_1000")


def test_count_row_with_numerator_or_denominator_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782000000,charity_index,80,4,5,\n",
                    "3: score indicator charity_index takes value, not numerator/denominator")


@pytest.mark.parametrize("text", ['"1,234"', "12人", "50%", "1e3", "12.5.1"])
def test_number_that_is_not_plain_is_rejected(engine, catalogue, tmp_path, text):
    shown = text.strip('"')
    assert_rejected(engine, catalogue, tmp_path, GOOD + f"2022-07,330782000000,charity_index,{text},,,\n",
                    f"3: value {shown!r} is not a plain number"
                    " (digits and a decimal point only: no thousands separators, units or %)")


def test_surrounding_spaces_of_a_number_are_ignored(engine, catalogue, tmp_path):
    path = write(tmp_path, HEADER + "2022-07 , 330782000000 ,charity_index,  81.5 ,,,\n")
    assert load(engine, path, catalogue).status == "loaded"
    assert current(engine, "charity_index", "330782000000", "2022-07").value == 81.5


def test_negative_number_is_rejected(engine, catalogue, tmp_path):
    rows = (GOOD + "2022-07,330782000000,charity_index,-1,,,\n"
            "2022-07,330782100000,elderly_beds_per_1000,,-4,100,\n")
    assert_rejected(engine, catalogue, tmp_path, rows, "3: negative value -1", "4: negative numerator -4")


def test_zero_denominator_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782100000,elderly_beds_per_1000,,0,0,\n",
                    "3: denominator is zero")


def test_fractional_value_of_an_integer_indicator_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-08,330782100000,certified_social_workers,12.5,,,\n",
                    "3: indicator certified_social_workers takes whole numbers, not 12.5")


def test_whole_number_written_with_decimals_is_an_integer(engine, catalogue, tmp_path):
    path = write(tmp_path, HEADER + "2022-07,330782100000,certified_social_workers,12.0,,,\n")
    assert load(engine, path, catalogue).status == "loaded"


def test_rate_numerator_above_denominator_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782001001,key_recipient_visit_rate,,51,50,\n",
                    "3: numerator 51 is above denominator 50 (a rate cannot exceed its whole)")


def test_ratio_numerator_may_exceed_denominator(engine, catalogue, tmp_path):
    path = write(tmp_path, HEADER + "2022-07,330782100000,social_workers_per_60_beds,,3,2,\n")
    assert load(engine, path, catalogue).status == "loaded"


def test_value_disagreeing_with_numerator_and_denominator_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782001001,key_recipient_visit_rate,66.7,1,3,\n",
                    "3: value 66.7 disagrees with numerator/denominator × 100 = 33.33333333")


@pytest.mark.parametrize("value", ["33", "33.3", "33.33", "33.333333333333336"])
def test_value_agrees_when_rounded_to_its_written_decimals(engine, catalogue, tmp_path, value):
    path = write(tmp_path, HEADER + f"2022-07,330782001001,key_recipient_visit_rate,{value},1,3,\n")
    assert load(engine, path, catalogue).status == "loaded"
    row = current(engine, "key_recipient_visit_rate", "330782001001", "2022-07")
    assert (row.value, row.numerator, row.denominator) == (float(value), 1.0, 3.0)


def test_duplicate_row_names_the_earlier_line(engine, catalogue, tmp_path):
    rows = GOOD + "2022-07,330782000000,charity_index,80,,,\n" + GOOD.replace(",13,", ",14,")
    assert_rejected(engine, catalogue, tmp_path, rows,
                    "4: duplicate row: certified_social_workers, 330782100000, 2022-07 is already on line 2")


def test_duplicate_period_written_another_way_is_a_duplicate(engine, catalogue, tmp_path):
    rows = GOOD + "2022年7月,330782100000,certified_social_workers,13,,,\n"
    assert_rejected(engine, catalogue, tmp_path, rows,
                    "3: duplicate row: certified_social_workers, 330782100000, 2022-07 is already on line 2")


def test_undecodable_utf8_bytes_are_rejected_at_their_line(engine, catalogue, tmp_path):
    body = (HEADER + "2022-07,330782100000,certified_social_workers,13,,,已核实\n").encode()
    body += b"2022-07,330782000000,charity_index,80,,,\xd2\xd1\xba\xcb\n"  # a GBK note pasted in
    path = tmp_path / "bad.csv"
    path.write_bytes(body)
    before = snapshot(engine)
    result = load(engine, str(path), catalogue)
    assert result.errors == (f"{path}:3: undecodable bytes (not UTF-8)",)
    assert snapshot(engine) == before


def test_bytes_neither_utf8_nor_gb18030_are_rejected_at_their_line(engine, catalogue, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes((HEADER + GOOD).encode() + b"2022-07,330782000000,charity_index,80,,,\xff\n")
    before = snapshot(engine)
    result = load(engine, str(path), catalogue)
    assert result.errors == (f"{path}:3: undecodable bytes (neither UTF-8 nor GB18030)",)
    assert snapshot(engine) == before


def test_missing_column_is_named(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, "2022-07,330782100000,certified_social_workers,13,\n",
                    "1: missing column denominator (分母)", header="period,unit_code,indicator,value,numerator\n")


def test_unknown_column_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, "2022-07,330782100000,certified_social_workers,13,,,\n",
                    "1: unknown column 'valeu' (expected period, unit_code, indicator, value, numerator,"
                    " denominator, note, unit_name, indicator_name)", "1: missing column value (数值)",
                    header="period,unit_code,indicator,valeu,numerator,denominator,note\n")


def test_column_named_twice_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, "2022-07,2022-07,330782100000,certified_social_workers,13,,\n",
                    "1: column period (统计期) appears twice",
                    header="period,统计期,unit_code,indicator,value,numerator,denominator\n")


def test_cell_beyond_the_header_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, GOOD + "2022-07,330782000000,charity_index,80,,,,oops\n",
                    "3: a value in column 8, which has no header")


def test_empty_file_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, "\n , \n", "0: empty file (no header row)", header="")


def test_header_without_data_rows_is_rejected(engine, catalogue, tmp_path):
    assert_rejected(engine, catalogue, tmp_path, ",,,,,,\n", "1: no data rows under the header")


def test_unreadable_file_is_rejected(engine, catalogue, tmp_path):
    result = load(engine, str(tmp_path / "missing.csv"), catalogue)
    assert result.errors == (f"{tmp_path / 'missing.csv'}:0: cannot read the file (No such file or directory)",)


def test_every_error_of_a_file_is_reported(engine, catalogue, tmp_path):
    rows = (GOOD
            + "2022-07,330782999999,certified_social_workers,3,,,\n"
            + "2022-07,330782100000,certified_social_workers,,,,\n"
            + "2023-05,330782001001,elderly_beds_per_1000,,5,0,\n"
            + "2022-07,330782001001,key_recipient_visit_rate,,6,5,\n")
    assert_rejected(engine, catalogue, tmp_path, rows,
                    "3: unknown unit code 330782999999",
                    "4: missing value for count indicator certified_social_workers",
                    "4: duplicate row: certified_social_workers, 330782100000, 2022-07 is already on line 2",
                    "5: period 2023-05 is in the future (this month is 2023-01)",
                    "5: indicator elderly_beds_per_1000 is reported by township, 330782001001 is a village",
                    "5: denominator is zero",
                    "6: numerator 6 is above denominator 5 (a rate cannot exceed its whole)")


def test_lines_are_physical_lines_across_blank_lines_and_multiline_notes(engine, catalogue, tmp_path):
    rows = ('\n2022-07,330782100000,certified_social_workers,13,,,"first line\nsecond line"\n\n'
            "2022-07,330782000000,charity_index,x,,,\n")
    assert_rejected(engine, catalogue, tmp_path, rows, "6: value 'x' is not a plain number"
                    " (digits and a decimal point only: no thousands separators, units or %)")


# Encodings and workbooks ---------------------------------------------------------------------

def test_gb18030_file_with_chinese_headers_loads(engine, catalogue, tmp_path):
    body = ("统计期,单位代码,指标代码,数值,分子,分母,备注\n"
            "2022年7月,330782100000,certified_social_workers,13,,,已核实\n"
            "2022/7,330782001001,key_recipient_visit_rate,,45,50,佛堂镇江滨社区\n")
    result = load(engine, write(tmp_path, body, encoding="gb18030"), catalogue)
    assert (result.status, result.rows, result.changed_rows) == ("loaded", 2, 2)
    assert current(engine, "certified_social_workers", "330782100000", "2022-07").note == "已核实"


def test_mixed_and_spaced_header_names_are_accepted(engine, catalogue, tmp_path):
    body = " Period ,单位代码,INDICATOR,数值,Numerator,分母\n202207,330782000000,charity_index,80,,\n"
    assert load(engine, write(tmp_path, body), catalogue).status == "loaded"


def test_utf8_file_with_bom_loads(engine, catalogue, tmp_path):
    body = HEADER + "2022-07,330782100000,certified_social_workers,13,,,说明\n"
    result = load(engine, write(tmp_path, body, encoding="utf-8-sig"), catalogue)
    assert (result.status, result.changed_rows) == ("loaded", 1)
    assert current(engine, "certified_social_workers", "330782100000", "2022-07").note == "说明"


def test_unit_and_indicator_name_columns_are_read_past(engine, catalogue, tmp_path):
    body = ("统计期,单位代码,单位名称,指标代码,指标名称,数值,分子,分母,备注\n"
            "2022-07,330782100000,佛堂镇,certified_social_workers,持证社工人数(人),13,,,\n"
            "2022-07,330782001001,any name at all,key_recipient_visit_rate,,,45,50,\n")
    result = load(engine, write(tmp_path, body), catalogue)
    assert (result.status, result.changed_rows) == ("loaded", 2), result.errors
    assert current(engine, "certified_social_workers", "330782100000", "2022-07").value == 13


def test_csv_cells_written_as_text_formulas_are_their_text(engine, catalogue, tmp_path):
    # What Excel keeps as text in a CSV: ="330782100000" (else it shows 3.30782E+11 and saves that).
    body = HEADER + '="2022-07",="330782100000",certified_social_workers,13,,,\n'
    result = load(engine, write(tmp_path, body), catalogue)
    assert result.status == "loaded", result.errors
    assert current(engine, "certified_social_workers", "330782100000", "2022-07").value == 13


def write_xlsx(tmp_path, rows: list[list]) -> str:
    """A workbook whose first sheet holds `rows` from row 1 (None rows stay empty)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for n, row in enumerate(rows, start=1):
        for col, value in enumerate(row or [], start=1):
            sheet.cell(row=n, column=col, value=value)
    path = tmp_path / "sub.xlsx"
    book.save(path)
    return str(path)


def test_xlsx_with_number_unit_codes_and_date_periods_loads(engine, catalogue, tmp_path):
    path = write_xlsx(tmp_path, [
        ["统计期", "unit_code", "indicator", "value", "numerator", "denominator", "note"],
        [dt.datetime(2022, 7, 1), 330782001001, "key_recipient_visit_rate", 90, 45, 50, None],
        [dt.datetime(2022, 7, 1), 330782100000.0, "certified_social_workers", 13, None, None, "核实"],
    ])
    result = load(engine, path, catalogue)
    assert (result.status, result.rows, result.changed_rows) == ("loaded", 2, 2), result.errors
    assert current(engine, "key_recipient_visit_rate", "330782001001", "2022-07").numerator == 45
    assert current(engine, "certified_social_workers", "330782100000", "2022-07").note == "核实"


def test_xlsx_errors_name_the_excel_row(engine, catalogue, tmp_path):
    path = write_xlsx(tmp_path, [
        None,
        ["period", "unit_code", "indicator", "value", "numerator", "denominator"],
        ["2022-07", "330782100000", "certified_social_workers", 13],
        None,
        ["2022-07", 330782000000, "charity_index", "八十"],
    ])
    before = snapshot(engine)
    result = load(engine, path, catalogue)
    assert result.errors == (f"{path}:5: value '八十' is not a plain number"
                             " (digits and a decimal point only: no thousands separators, units or %)",)
    assert snapshot(engine) == before


def test_file_that_is_not_a_workbook_is_rejected(engine, catalogue, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    result = load(engine, str(path), catalogue)
    assert result.errors[0].startswith(f"{path}:0: not a readable .xlsx workbook")


# Writing: values, idempotence, revisions -----------------------------------------------------

def test_load_stores_each_measure_as_reported_and_bumps_the_data_version(engine, catalogue, tmp_path):
    with engine.connect() as conn:
        version = meta.data_version(conn)
    result = load(engine, write(tmp_path, HEADER + BASELINE.replace("2022-06", "2022-07")), catalogue)
    assert (result.status, result.rows, result.changed_rows) == ("loaded", 4, 4)
    assert result.summary() == f"{result.path}: loaded 4 rows (4 changed), submission #{result.submission_id}"
    count = current(engine, "certified_social_workers", "330782100000", "2022-07")
    rate = current(engine, "key_recipient_visit_rate", "330782001001", "2022-07")
    assert (count.value, count.numerator, count.denominator, count.revision) == (12, None, None, 1)
    assert (rate.value, rate.numerator, rate.denominator, rate.note) == (None, 45, 50, None)
    assert rate.submission_id == result.submission_id
    with engine.connect() as conn:
        sub = conn.execute(sa.select(schema.submissions).where(schema.submissions.c.id == result.submission_id)).one()
        assert meta.data_version(conn) > version  # bumped (never reused: see meta.bump_data_version)
    assert (sub.file_name, sub.rows, sub.changed_rows, sub.loaded_by, sub.kind) == ("sub.csv", 4, 4, "test", "ingest")


def test_loading_the_same_file_twice_changes_nothing(engine, catalogue, tmp_path):
    path = write(tmp_path, HEADER + GOOD)
    first = load(engine, path, catalogue)
    before = snapshot(engine)
    second = load(engine, path, catalogue)
    assert (second.status, second.submission_id, second.ok) == ("already_loaded", first.submission_id, True)
    assert second.summary() == f"{path}: already loaded as submission #{first.submission_id}, nothing changed"
    assert snapshot(engine) == before


def test_resubmission_with_the_same_values_keeps_a_submission_but_changes_nothing(engine, catalogue, tmp_path):
    before = snapshot(engine)
    result = load(engine, write(tmp_path, (HEADER + BASELINE).replace("\n", "\r\n"), "again.csv"), catalogue)
    after = snapshot(engine)
    assert (result.status, result.rows, result.changed_rows) == ("unchanged", 4, 0)
    assert len(after["submissions"]) == len(before["submissions"]) + 1
    assert {k: after[k] for k in after if k != "submissions"} == {k: before[k] for k in before if k != "submissions"}


def test_corrected_resubmission_supersedes_and_keeps_the_old_value_in_history(engine, catalogue, tmp_path):
    cell = ("certified_social_workers", "330782100000", "2022-06")
    old = current(engine, *cell)
    result = load(engine, write(tmp_path, HEADER + "2022-06,330782100000,certified_social_workers,15,,,更正\n"),
                  catalogue)
    assert (result.status, result.changed_rows) == ("loaded", 1)
    new = current(engine, *cell)
    assert (new.id, new.value, new.note, new.revision, new.submission_id) == (old.id, 15, "更正", 2, result.submission_id)
    with engine.connect() as conn:
        history = conn.execute(sa.select(schema.observation_history)).all()
    assert [(h.indicator_code, h.unit_code, h.period, h.value, h.note, h.revision, h.submission_id, h.superseded_by)
            for h in history] == [(*cell, 12, None, 1, old.submission_id, result.submission_id)]


def test_dry_run_checks_and_writes_nothing(engine, catalogue, tmp_path):
    before = snapshot(engine)
    good = load(engine, write(tmp_path, HEADER + GOOD), catalogue, dry_run=True)
    bad = load(engine, write(tmp_path, HEADER + GOOD.replace("13", "-1"), "bad.csv"), catalogue, dry_run=True)
    assert (good.status, good.ok, good.rows, good.submission_id) == ("checked", True, 1, None)
    assert (bad.status, bad.ok) == ("rejected", False)
    assert snapshot(engine) == before


# The command line ----------------------------------------------------------------------------

@pytest.fixture
def cli_env(engine, monkeypatch):
    """Point the CLI at the test database through its one environment variable."""
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_cli_ingest_of_a_bad_file_exits_1_and_prints_file_line_errors(cli_env, tmp_path, capsys):
    path = write(tmp_path, HEADER + GOOD + "2022-07,330782999999,certified_social_workers,3,,,\n", "bad.csv")
    before = snapshot(cli_env)
    assert cli.main(["ingest", path, "--by", "test"]) == 1
    out, err = capsys.readouterr()
    assert f"{path}:3: unknown unit code 330782999999" in err.splitlines()
    assert f"{path}: rejected, 1 error, nothing written" in out
    assert snapshot(cli_env) == before


def test_cli_ingest_of_a_good_file_exits_0(cli_env, tmp_path, capsys):
    path = write(tmp_path, HEADER + GOOD)
    assert cli.main(["ingest", path, "--by", "test"]) == 0
    assert f"{path}: loaded 1 row (1 changed)" in capsys.readouterr().out
    assert current(cli_env, "certified_social_workers", "330782100000", "2022-07").value == 13


def test_cli_dry_run_writes_nothing(cli_env, tmp_path, capsys):
    before = snapshot(cli_env)
    assert cli.main(["ingest", "--dry-run", write(tmp_path, HEADER + GOOD)]) == 0
    assert "dry run, nothing written" in capsys.readouterr().out
    assert snapshot(cli_env) == before


def test_the_same_bytes_cannot_be_stored_as_two_submissions(migrated):
    """The checksum is unique in the database itself, so simultaneous loads cannot both commit."""
    row = {"file_name": "a.csv", "checksum": "f" * 64, "loaded_at": dt.datetime(2023, 1, 1), "rows": 1,
           "changed_rows": 1, "loaded_by": "t", "kind": "ingest"}
    with migrated.begin() as conn:
        conn.execute(schema.submissions.insert().values(**row))
    with pytest.raises(sa.exc.IntegrityError):
        with migrated.begin() as conn:
            conn.execute(schema.submissions.insert().values(**{**row, "file_name": "b.csv"}))
