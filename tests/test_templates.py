"""Submission templates: the right rows for a township and month, and a filled-in template loads as it is."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from dashboard.data import ingest, schema, templates
from dashboard.data.catalogue import CITY_CODE

FOTANG = "330782100000"
TODAY = dt.date(2023, 1, 15)


@pytest.fixture(scope="module")
def fotang(units):
    return next(u for u in units if u.code == FOTANG)


def number_for(row: templates.Row, field: str):
    """A plausible number for an open cell: whole counts, a rate's numerator below its denominator."""
    ind = row.indicator
    if field == "value":
        return 7 if ind.integer or ind.measure == "count" else 81.5
    return {"numerator": 18, "denominator": 20}[field]


def test_township_template_has_its_own_row_per_indicator_and_one_per_valid_village(units, catalogue):
    rows = templates.rows(units, catalogue, FOTANG, "2022-06")
    own = [r for r in rows if r.unit.code == FOTANG]
    villages = [u for u in units if u.parent_code == FOTANG and u.kind == "village" and u.valid_in("2022-06")]
    assert [r.indicator.code for r in own] == [i.code for i in catalogue if i.level == "township"]
    visit = [r for r in rows if r.indicator.code == "key_recipient_visit_rate"]
    assert sorted(r.unit.code for r in visit) == sorted(v.code for v in villages)
    assert len(rows) == len(own) + len(villages)


def test_city_template_has_the_city_level_indicators_only(units, catalogue):
    rows = templates.rows(units, catalogue, CITY_CODE, "2022-06")
    assert {r.indicator.level for r in rows} == {"city"} and {r.unit.code for r in rows} == {CITY_CODE}


def test_template_of_a_unit_not_valid_that_month_is_refused(units, catalogue):
    gone = next(u for u in units if u.valid_to == "2021-12")
    with pytest.raises(ValueError):
        templates.rows(units, catalogue, gone.code, "2022-06")


def test_workbook_locks_codes_validates_numbers_and_explains_itself(units, catalogue, fotang):
    rows = templates.rows(units, catalogue, FOTANG, "2022-06")
    book = openpyxl.load_workbook(io.BytesIO(templates.xlsx_bytes(rows, fotang, "2022-06", "2022年7月10日")))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == list(templates.HEADERS)
    assert sheet.protection.sheet and sheet.freeze_panes == "A2"
    assert sheet["B2"].value == FOTANG and sheet["B2"].protection.locked
    kinds = {(v.type, v.operator) for v in sheet.data_validations.dataValidation}
    assert {("whole", "greaterThanOrEqual"), ("decimal", "greaterThan"), ("custom", None)} <= kinds
    assert book.sheetnames == [templates.DATA_SHEET, templates.HELP_SHEET]


def fill_workbook(data: bytes, rows: list[templates.Row], path) -> None:
    """Fill every open number cell as a township clerk would, in Excel, and save."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    col = {f: i + 1 for i, f in enumerate(templates.FIELDS)}
    for n, row in enumerate(rows, start=2):
        for field in ("value", "numerator", "denominator"):
            cell = sheet.cell(row=n, column=col[field])
            if not cell.protection.locked:
                cell.value = number_for(row, field)
    book.save(path)


def fill_csv(data: bytes, rows: list[templates.Row]) -> bytes:
    """Fill the CSV template with the csv module (which rewrites ="..." cells quoted)."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    col = {f: i for i, f in enumerate(templates.FIELDS)}
    for line, row in zip(lines[1:], rows):
        for field in (("numerator", "denominator") if row.indicator.has_fraction else ("value",)):
            line[col[field]] = str(number_for(row, field))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def stored(engine, period: str) -> dict[tuple[str, str], tuple]:
    """(unit, indicator) -> (value, numerator, denominator) of a month."""
    o = schema.observations.c
    with engine.connect() as conn:
        return {(r.unit_code, r.indicator_code): (r.value, r.numerator, r.denominator) for r in conn.execute(
            sa.select(o.unit_code, o.indicator_code, o.value, o.numerator, o.denominator).where(o.period == period))}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_filled_in_template_ingests_without_edits(migrated, units, catalogue, tmp_path, kind, fotang):
    rows = templates.rows(units, catalogue, FOTANG, "2022-06")
    path = tmp_path / templates.file_name(fotang, "2022-06", kind)
    if kind == "xlsx":
        fill_workbook(templates.xlsx_bytes(rows, fotang, "2022-06"), rows, path)
    else:
        path.write_bytes(fill_csv(templates.csv_bytes(rows), rows))
    result = ingest.ingest_file(migrated, path, catalogue, loaded_by="test", today=TODAY)
    assert (result.status, result.rows, result.changed_rows) == ("loaded", len(rows), len(rows)), result.errors
    values = stored(migrated, "2022-06")
    assert set(values) == {(r.unit.code, r.indicator.code) for r in rows}
    assert values[(FOTANG, "certified_social_workers")] == (7, None, None)
    assert values[(rows[-1].unit.code, "key_recipient_visit_rate")] == (None, 18, 20)


def test_empty_template_is_rejected_row_by_row_not_loaded_as_zeros(migrated, units, catalogue, tmp_path):
    rows = templates.rows(units, catalogue, CITY_CODE, "2022-06")
    path = tmp_path / "empty.csv"
    path.write_bytes(templates.csv_bytes(rows))
    result = ingest.ingest_file(migrated, path, catalogue, loaded_by="test", today=TODAY)
    assert result.status == "rejected" and len(result.errors) == len(rows)
    assert stored(migrated, "2022-06") == {}
