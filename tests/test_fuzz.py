"""Property-based tests (hypothesis): the ingest parser and the URL parsers take any input without failing.

Ingest: any bytes, any CSV text, any cell (NUL, BOM, formulas, huge numbers, NaN, odd dates, broken
workbooks) ends as a clean result; a rejection names FILE:LINE for every problem and writes nothing;
a valid file loads and stores exactly what it says. URLs: urlstate and wallstate parse any text,
stay inside their domains, and round-trip the views they write.

Every property counts the examples it ran in RUNS; the last test prints the total ("fuzz cases run"):
    .venv/bin/pytest --headless tests/test_fuzz.py -q
"""
from __future__ import annotations

import collections
import datetime as dt
import decimal
import functools
import io
import math
import re
import zipfile
from urllib.parse import quote

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dashboard import urlstate, wallstate
from dashboard.data import catalogue as cat
from dashboard.data import ingest, schema

RUNS: collections.Counter = collections.Counter()  # property -> examples run, printed by the last test
PURE = settings(max_examples=300, deadline=None, database=None)
# The database tests share one SQLite file per property (function-scoped fixtures, on purpose).
WITH_DB = settings(max_examples=200, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.data_too_large])

TODAY = dt.date(2023, 1, 15)
TABLES = (schema.submissions, schema.observations, schema.observation_history)
REQUIRED = ("period", "unit_code", "indicator", "value", "numerator", "denominator")
PAYLOADS = ("' OR 1=1 --", "'; DROP TABLE observations; --", "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>', "javascript:alert(1)")
# Cells that have broken parsers before: control characters, BOMs, spreadsheet formulas, numbers that
# are not plain (NaN, inf, overflow, separators, other digits), dates in other forms, codes Excel mangled.
NASTY = (
    "", " ", "\x00", "a\x00b", "\ufeff", "\ufeff2022-06", "\r", "\n", "\r\n", '"', '""', "\t", "\u2028", "\x1b[31m",
    "=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "-1", "@SUM(A1)", '="330782100000"', '= "2022-06"',
    '="', "NaN", "nan", "inf", "-inf", "Infinity", "1e400", "1e5", "9" * 400, "1" + "0" * 5000, "0x10", "1_000",
    "1,000", "12%", "１２", "٣", "²", "0.1.2", ".", "+", "-0", "00012", " 12 ", "1.", ".5", "-.5", "1e-400",
    "2022-6", "2022/06/15", "6/2022", "Jun 2022", "2022年13月", "2022-00", "0000-01", "9999-12", "1899-12",
    "20220601", "2022-06-01", "2022-06-31", "٢٠٢٢-٠٦", "２０２２-０６", "2022-06\n", "3.30782E+11", "330782100000.0",
    "330782100000\x00", "33078210000", "3307821000000", "x" * 5000, "长" * 3000, *PAYLOADS,
)
LONG_CELL = "A" * 140_000  # over the csv module's field limit (131,072)
SUFFIXES = (".csv", ".CSV", ".txt", ".xlsx", ".xls", "")


def count(name: str) -> None:
    """One more example of a property."""
    RUNS[name] += 1


# --- the catalogue, read once (lazily: nothing is read at import) --------------------------------
@functools.cache
def units() -> tuple[cat.Unit, ...]:
    return cat.load_units()


@functools.cache
def indicators() -> tuple[cat.Indicator, ...]:
    return cat.load_catalogue()


@functools.cache
def units_by_kind(kind: str) -> tuple[cat.Unit, ...]:
    return tuple(u for u in units() if u.kind == kind)


# --- strategies ------------------------------------------------------------------------------------
PERIODS = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2019, 2022), st.integers(1, 12))
FORMULA = st.builds(lambda lead, rest: lead + rest, st.sampled_from("=+-@"), st.text(max_size=20))
CELL = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=30), FORMULA, PERIODS,
    st.deferred(lambda: st.sampled_from([u.code for u in units()] + [i.code for i in indicators()])),
    st.from_regex(r"[+-]?\d{0,12}(\.\d{0,6})?([eE][+-]?\d{1,3})?", fullmatch=True),
)


def header_name(name: str):
    """A column name as people write it: English in any case, or Chinese, spaces around allowed."""
    return st.sampled_from([name, name.upper(), name.title(), f" {name} ", ingest.COLUMNS[name]])


@st.composite
def headers(draw, valid: bool | None = None) -> list[str]:
    """A header row: the required columns and some optional ones in any order, sometimes broken."""
    optional = draw(st.lists(st.sampled_from(["note", "unit_name", "indicator_name"]), unique=True))
    names = [draw(header_name(n)) for n in draw(st.permutations([*REQUIRED, *optional]))]
    if valid is False or (valid is None and draw(st.booleans())):
        damage = draw(st.sampled_from(["drop", "twice", "unknown", "blank"]))
        at = draw(st.integers(0, len(names) - 1))
        if damage == "drop":
            del names[at]
        elif damage == "twice":
            names.insert(at, names[at])
        elif damage == "unknown":
            names[at] = draw(CELL)
        else:
            names.insert(at, "")
    return names


def csv_text(rows: list[list[str]], newline: str = "\r\n") -> str:
    """Rows as CSV text, a cell quoted when it holds a comma, a quote or a line break of either kind
    (the csv module quotes only the line break it writes itself)."""
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if re.search(r'[",\r\n]', text) else text
    return "".join(",".join(cell(c) for c in row) + newline for row in rows)


def line_breaks(text: str) -> int:
    """Line breaks as the csv module counts lines: \\r\\n, \\r and \\n each end one."""
    return len(re.findall(r"\r\n|\r|\n", text))


def unwrap(text: str) -> str:
    """What the README promises for a ="..." cell: the text inside the quotes."""
    found = re.fullmatch(r'=\s*"(.*)"', text.strip(), re.DOTALL)
    return found.group(1) if found else text


# --- ingest helpers --------------------------------------------------------------------------------
@pytest.fixture
def database_url(sqlite_url):
    """SQLite only here: the properties are about the parser, and each loads hundreds of files."""
    return sqlite_url


def row_counts(engine) -> tuple[int, ...]:
    """(submissions, observations, observation_history) row counts."""
    with engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in TABLES)


def run_ingest(engine, folder, name: str, raw: bytes, catalogue, dry_run: bool = False):
    """Write raw to folder/name and ingest it: (path, result, counts before, counts after)."""
    path = folder / name
    path.write_bytes(raw)
    before = row_counts(engine)
    result = ingest.ingest_file(engine, path, catalogue, dry_run=dry_run, loaded_by="fuzz", today=TODAY)
    return str(path), result, before, row_counts(engine)


def error_lines(path: str, result) -> list[int]:
    """The LINE of each FILE:LINE: reason problem (fails unless every problem has that form)."""
    lines = []
    for error in result.errors:
        found = re.match(re.escape(path) + r":(\d+): \S", error)
        assert found, f"not FILE:LINE: reason: {error!r}"
        lines.append(int(found.group(1)))
    return lines


def assert_clean(path: str, result, before, after, last_line: int, dry_run: bool = False) -> None:
    """A known status; a rejection lists FILE:LINE problems within the file and wrote nothing."""
    assert result.status in ingest.STATUSES
    assert result.path == path
    if result.status == "rejected":
        assert result.errors and result.submission_id is None and not result.ok
        assert all(0 <= line <= last_line for line in error_lines(path, result)), (last_line, result.errors)
        assert after == before, "a rejected file wrote rows"
    else:
        assert result.errors == ()
    if dry_run:
        assert after == before and result.status in ("checked", "rejected")


def byte_lines(raw: bytes) -> int:
    """An upper bound of a file's physical lines, whatever its encoding (\\r and \\n are single bytes)."""
    return raw.count(b"\n") + raw.count(b"\r") + 1


# --- ingest: anything at all is rejected cleanly -------------------------------------------------
MAGIC = st.sampled_from([b"", b"\xef\xbb\xbf", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\x00\x00"])


@WITH_DB
@given(magic=MAGIC, body=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES), dry_run=st.booleans())
@example(magic=b"", body=b"", suffix=".csv", dry_run=False)
@example(magic=b"\xef\xbb\xbf", body=b"period,unit_code\n\xff\xfe", suffix=".csv", dry_run=False)
def test_any_bytes_end_in_a_clean_result_that_writes_nothing_when_rejected(migrated, catalogue, tmp_path, magic,
                                                                           body, suffix, dry_run):
    count("ingest: arbitrary bytes")
    raw = magic + body
    path, result, before, after = run_ingest(migrated, tmp_path, "upload" + suffix, raw, catalogue, dry_run)
    assert_clean(path, result, before, after, byte_lines(raw), dry_run)


@WITH_DB
@given(text=st.text(max_size=2000), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
       header=st.booleans())
def test_any_csv_text_ends_in_a_clean_result(migrated, catalogue, tmp_path, text, encoding, header):
    count("ingest: arbitrary CSV text")
    body = (",".join(REQUIRED) + "\n" if header else "") + text
    raw = body.encode(encoding)
    path, result, before, after = run_ingest(migrated, tmp_path, "text.csv", raw, catalogue)
    assert_clean(path, result, before, after, byte_lines(raw))


@WITH_DB
@given(header=headers(), rows=st.lists(st.lists(CELL, max_size=10), max_size=8),
       newline=st.sampled_from(["\r\n", "\n"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       long_cell=st.integers(0, 40), dry_run=st.booleans())
def test_any_cells_under_a_header_end_in_a_clean_result(migrated, catalogue, tmp_path, header, rows, newline, encoding,
                                                        long_cell, dry_run):
    count("ingest: arbitrary cells")
    if long_cell == 0 and rows and rows[0]:  # now and then a cell beyond the csv module's field limit
        rows[0][0] = LONG_CELL
    text = csv_text([header, *rows], newline)
    path, result, before, after = run_ingest(migrated, tmp_path, "cells.csv", text.encode(encoding), catalogue, dry_run)
    assert_clean(path, result, before, after, line_breaks(text) + 1, dry_run)


# --- ingest: valid files, and one bad cell among them ---------------------------------------------
def number_text(value: decimal.Decimal) -> str:
    """A decimal as a plain number (never in scientific notation)."""
    return format(value, "f")


@st.composite
def cell_of(draw, ind: cat.Indicator, period: str, unit: cat.Unit) -> dict:
    """The written cells and the values they must be stored as, for one valid row."""
    def decimals(low, high, places):
        return draw(st.decimals(low, high, places=places, allow_nan=False, allow_infinity=False))
    written = {"period": period, "unit_code": unit.code, "indicator": ind.code, "value": "", "numerator": "",
               "denominator": ""}
    stored = {"value": None, "numerator": None, "denominator": None}
    if not ind.has_fraction:
        value = decimals(0, 10**7, 0 if ind.integer else draw(st.integers(0, 4)))
        written["value"], stored["value"] = number_text(value), float(value)
    else:
        den = decimals(1, 10**6, draw(st.integers(0, 3)))
        num = decimals(0, den if ind.measure == "rate" else 10**7, draw(st.integers(0, 3)))
        written["numerator"], written["denominator"] = number_text(num), number_text(den)
        stored["numerator"], stored["denominator"] = float(num), float(den)
        places = draw(st.none() | st.integers(0, 4))
        if places is not None:  # the value as printed on the paper report, rounded to `places` decimals
            written["value"] = f"{float(num) / float(den) * ind.scale:.{places}f}"
            stored["value"] = float(written["value"])
    for name in ("value", "numerator", "denominator", "period", "unit_code"):
        if written[name] and draw(st.integers(0, 5)) == 0:  # how spreadsheets and people also write them
            written[name] = draw(st.sampled_from([f" {written[name]} ", f'="{written[name]}"']))
    note = draw(st.none() | st.text(max_size=40) | st.sampled_from(NASTY))
    written["note"] = note or ""
    stored["note"] = (unwrap(note).strip() or None) if note else None
    return {"key": (ind.code, unit.code, period), "written": written, "stored": stored}


@st.composite
def valid_row(draw) -> dict:
    """A row a clean file may hold: a catalogue indicator, a unit of its level valid in the month."""
    ind = draw(st.sampled_from(indicators()))
    period = draw(PERIODS)
    candidates = [u for u in units_by_kind(ind.level) if u.valid_in(period)]
    return draw(cell_of(ind, period, draw(st.sampled_from(candidates))))


VALID_ROWS = st.lists(valid_row(), min_size=1, max_size=12, unique_by=lambda r: r["key"])


def file_text(names: list[str], rows: list[dict], newline: str,
              extras: dict[str, str] | None = None) -> tuple[str, list[int]]:
    """CSV text of rows under the header names (extras: how each is spelled), and each row's first line."""
    columns = list(names)
    text, lines = csv_text([[extras.get(c, c) if extras else c for c in columns]], newline), []
    for row in rows:
        lines.append(line_breaks(text) + 1)
        text += csv_text([[row["written"].get(c, "") for c in columns]], newline)
    return text, lines


@WITH_DB
@given(rows=VALID_ROWS, data=st.data(), newline=st.sampled_from(["\r\n", "\n"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_a_valid_file_loads_and_stores_exactly_what_it_says(migrated, catalogue, tmp_path, rows, data, newline,
                                                            encoding):
    count("ingest: valid file round trip")
    columns = data.draw(st.permutations([*REQUIRED, "note", *data.draw(
        st.lists(st.sampled_from(["unit_name", "indicator_name"]), unique=True))]))
    spelled = {c: data.draw(header_name(c)) for c in columns}
    for row in rows:  # the name columns are read past, whatever they hold
        row["written"].update(unit_name=data.draw(CELL), indicator_name=data.draw(CELL))
    text, _ = file_text(columns, rows, newline, spelled)
    path, result, before, after = run_ingest(migrated, tmp_path, "good.csv", text.encode(encoding), catalogue)
    assert result.status in ("loaded", "unchanged", "already_loaded"), result.errors
    assert result.rows == len(rows) and result.submission_id is not None
    if result.status == "already_loaded":
        return  # these exact bytes came before; later files may have changed the cells since
    obs = schema.observations.c
    with migrated.connect() as conn:
        for row in rows:
            ind, unit, period = row["key"]
            stored = conn.execute(sa.select(obs.value, obs.numerator, obs.denominator, obs.note).where(
                obs.indicator_code == ind, obs.unit_code == unit, obs.period == period)).one()
            assert stored._asdict() == row["stored"], row["written"]


def bad_values():
    """Cells no number column may accept: no ASCII digit at all, or digits in a form that is not plain."""
    return st.one_of(
        st.text(max_size=20).filter(lambda t: not re.search(r"[0-9]", t)),
        st.sampled_from(["NaN", "inf", "-inf", "1e400", "9" * 400, "1" + "0" * 5000, "0x10", "1_000", "1,000",
                         "12%", "１２", "٣", "²", "0.1.2", "1e5", "-1", "-0.5", "=cmd|' /C calc'!A0", "=1+1",
                         "+1+1", "@SUM(A1)", "12 元", "3.30782E+11"]),
    )


def bad_periods():
    """Cells that name no month: no digit of any script, or a month out of range, or a day in it."""
    return st.one_of(
        st.text(max_size=20).filter(lambda t: not any(ch.isdigit() for ch in t)),
        st.sampled_from(["2022-13", "2022-00", "0000-01", "1899-12", "3000-01", "2022-6-15", "2022/06/15",
                         "6/2022", "Jun 2022", "2022年13月", "20221", "2022-06-31", "2023-02", "9999-12",
                         "=cmd|' /C calc'!A0", "2022-06 -- '", "2022-06'; DROP TABLE units;--"]),
    )


def bad_units():
    """Cells that name no unit: not 12 ASCII digits, or 12 digits of no unit."""
    return st.one_of(
        st.text(max_size=20).filter(lambda t: not re.search(r"[0-9]", t)),
        st.from_regex(r"[0-9]{1,11}|[0-9]{13,20}", fullmatch=True),
        st.sampled_from(["330782999999", "000000000000", "3.30782E+11", "330782100000.5", "３３０７８２１０００００",
                         "330782100000' OR '1'='1", "=cmd|' /C calc'!A0"]),
    )


def bad_indicators():
    """Cells that name no indicator of the catalogue."""
    return st.one_of(
        st.text(max_size=30).filter(lambda t: '"' not in t and t.strip() not in {i.code for i in indicators()}),
        st.sampled_from(["social_wrokers", "CERTIFIED_SOCIAL_WORKERS", "charity_index; DROP TABLE indicators",
                         "=cmd|' /C calc'!A0", "<script>alert(1)</script>"]),
    )


BAD = {"value": bad_values, "period": bad_periods, "unit_code": bad_units, "indicator": bad_indicators}


@WITH_DB
@given(rows=VALID_ROWS, field=st.sampled_from(sorted(BAD)), data=st.data(), newline=st.sampled_from(["\r\n", "\n"]))
def test_one_bad_cell_rejects_the_whole_file_at_its_line(migrated, catalogue, tmp_path, rows, field, data, newline):
    count("ingest: one bad cell among good rows")
    at = data.draw(st.integers(0, len(rows)))
    keys = {r["key"] for r in rows}
    # A bad number gets a key of its own, so that no good row is also a duplicate.
    base = data.draw(valid_row().filter(lambda r: r["key"] not in keys))
    target = field
    if field == "value" and indicators_by_code()[base["key"][0]].has_fraction:
        target = data.draw(st.sampled_from(["numerator", "denominator"]))
    bad = {"written": {**base["written"], target: data.draw(BAD[field]())}}
    rows = [*rows[:at], bad, *rows[at:]]
    text, lines = file_text([*REQUIRED, "note"], rows, newline)
    path, result, before, after = run_ingest(migrated, tmp_path, "one_bad.csv", text.encode("utf-8"), catalogue)
    assert result.status == "rejected", (bad["written"], result)
    assert set(error_lines(path, result)) == {lines[at]}, (bad["written"], result.errors)
    assert after == before


@functools.cache
def indicators_by_code() -> dict[str, cat.Indicator]:
    return {i.code: i for i in indicators()}


# --- ingest: workbooks -----------------------------------------------------------------------------
XLSX_CELL = st.one_of(
    st.none(), st.text(max_size=40), CELL, st.integers(-(10**300), 10**300), st.floats(), st.booleans(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e300, -0.0, 330782100000.0, 3.30782e11, 202206.0, 44713.0]),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2999, 12, 31)), st.dates(dt.date(1900, 3, 1)),
)


@st.composite
def sheets(draw) -> list[list]:
    """A header and rows about as wide as it, of any cells a workbook can hold."""
    header = draw(headers())
    width = len(header)
    return [header, *draw(st.lists(st.lists(XLSX_CELL, min_size=max(0, width - 1), max_size=width + 1), max_size=6))]


def workbook(rows: list[list]) -> bytes:
    """An .xlsx of the rows on its first sheet."""
    book = openpyxl.Workbook()
    for row in rows:  # without the control characters openpyxl refuses to write
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@WITH_DB
@given(rows=sheets())
def test_any_workbook_cells_end_in_a_clean_result(migrated, catalogue, tmp_path, rows):
    count("ingest: arbitrary workbook cells")
    path, result, before, after = run_ingest(migrated, tmp_path, "book.xlsx", workbook(rows), catalogue)
    assert_clean(path, result, before, after, len(rows))


@WITH_DB
@given(rows=VALID_ROWS.map(lambda rows: rows[:3]), cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                                                  min_size=1, max_size=8), truncate=st.booleans())
def test_a_damaged_workbook_ends_in_a_clean_result(migrated, catalogue, tmp_path, rows, cuts, truncate):
    count("ingest: damaged workbook")
    raw = bytearray(workbook([list(REQUIRED), *[[r["written"][c] for c in REQUIRED] for r in rows]]))
    for at, byte in cuts:
        raw[at % len(raw)] = byte
    if truncate:
        raw = raw[: cuts[0][0] % len(raw)]
    path, result, before, after = run_ingest(migrated, tmp_path, "damaged.xlsx", bytes(raw), catalogue)
    assert_clean(path, result, before, after, len(rows) + 1)


def test_a_workbook_number_of_400_digits_is_rejected_not_raised(migrated, catalogue, tmp_path):
    """openpyxl reads a long whole number as a Python int; float() of it overflowed inside ingest."""
    count("ingest: regression examples")
    raw = workbook([list(REQUIRED), ["2022-06", cat.CITY_CODE, "charity_index", 123456789, None, None]])
    packed, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as patched:
        for item in packed.infolist():
            body = packed.read(item.filename)
            patched.writestr(item, body.replace(b"<v>123456789</v>", b"<v>" + b"9" * 400 + b"</v>"))
    path, result, before, after = run_ingest(migrated, tmp_path, "big.xlsx", out.getvalue(), catalogue)
    assert result.errors == (f"{path}:2: value '{'9' * 37}...' is too large",)
    assert after == before


@pytest.mark.parametrize("digits", ["9" * 400, "2" + "0" * 308])  # 2e308: just past the largest float
def test_a_csv_number_that_overflows_a_float_is_rejected_not_stored_as_infinity(migrated, catalogue, tmp_path, digits):
    count("ingest: regression examples")
    text = ",".join(REQUIRED) + "\n" + f"2022-06,{cat.CITY_CODE},charity_index,{digits},,\n"
    path, result, before, after = run_ingest(migrated, tmp_path, "inf.csv", text.encode(), catalogue)
    assert result.status == "rejected" and error_lines(path, result) == [2] and "too large" in result.errors[0]
    assert after == before


@pytest.mark.xfail(strict=True, reason="finding: a GB18030 file whose only Chinese is a short note can also be "
                   "valid UTF-8 (住院 -> סԺ) and is read as such; or it is rejected as bad UTF-8 (缇宾)")
@pytest.mark.parametrize("note", ["住院", "缇宾"])
def test_a_gb18030_file_with_english_headers_keeps_a_short_chinese_note(migrated, catalogue, tmp_path, note):
    text = ",".join([*REQUIRED, "note"]) + f"\n2022-06,330782001001,key_recipient_visit_rate,,18,19,{note}\n"
    _, result, _, _ = run_ingest(migrated, tmp_path, "gb.csv", text.encode("gb18030"), catalogue)
    assert result.status == "loaded", result.errors
    with migrated.connect() as conn:
        assert conn.execute(sa.select(schema.observations.c.note)).scalar() == note


# --- URL state (dashboard/urlstate.py) -----------------------------------------------------------
SURROGATES = st.sampled_from(["\ud800", "\udfff", "\udc80"])
ANY_TEXT = st.one_of(st.text(), st.text(st.one_of(st.characters(), SURROGATES)), st.sampled_from(NASTY))
URL_VALUES = st.one_of(
    ANY_TEXT, st.sampled_from([*PAYLOADS, "²", "9" * 5000, "%", "%%", "%zz", "%ff", "%00", "%C0%AF", "&&", "=",
                               "==", "?", "#", "+", "%2B", ",,,", "12,24", "0", "00024", "-12", "24.0", "１２"]),
    PERIODS, st.from_regex(r"[0-9]{12}(,[0-9]{12}){0,3}", fullmatch=True), st.sampled_from(["zh", "en", "ZH", "fr"]),
    st.integers(-100, 10**6).map(str),
)
URL_KEYS = st.sampled_from(["month", "cat", "ind", "lang", "towns", "span", "unit", "units", "rotate", "refresh",
                            "panels", "bench", "Month", ""])
QUERIES = st.one_of(
    ANY_TEXT,
    st.builds(lambda pairs, mark: mark + "&".join(f"{k}={v}" for k, v in pairs),
              st.lists(st.tuples(URL_KEYS, URL_VALUES), max_size=8), st.sampled_from(["?", "", "??"])),
)
SEGMENTS = st.one_of(st.sampled_from(["", "township", "village", "data", "wall", "..", ".", "%2F"]),
                     st.from_regex(r"[0-9]{12}", fullmatch=True), ANY_TEXT)
PATHS = st.one_of(ANY_TEXT, st.lists(SEGMENTS, max_size=4).map(lambda parts: "/" + "/".join(parts)), st.none())


def facts_strategy():
    """Facts as the service could give them (months, indicators, townships, categories), or odder."""
    words = st.text(min_size=1, max_size=12).filter(lambda t: t == t.strip())
    return st.builds(
        urlstate.Facts,
        unit_kind=st.sampled_from([None, "city", "township", "village"]),
        months=st.lists(PERIODS, unique=True).map(sorted),
        indicators=st.lists(st.tuples(st.sampled_from(["certified_social_workers", "charity_index"]) | words,
                                      st.sampled_from(cat.CATEGORIES) | words)),
        townships=st.lists(st.from_regex(r"[0-9]{12}", fullmatch=True)),
        categories=st.sampled_from([cat.CATEGORIES, ()]) | st.lists(words, unique=True).map(tuple),
        default_lang=st.sampled_from(["zh", "en"]),
    )


def assert_view_shape(view: urlstate.View) -> None:
    """What parse() promises: known page, well-formed codes and month, stripped non-empty texts."""
    assert view.page in (*urlstate.PAGES.values(), "missing")
    assert view.unit is None or (urlstate.CODE.match(view.unit) and view.page in ("township", "village", "data"))
    assert view.month is None or urlstate.PERIOD.match(view.month)
    assert all(urlstate.CODE.match(c) for c in view.towns)
    assert view.span is None or 0 <= view.span <= 9999
    for text in (view.cat, view.ind):
        assert text is None or (text and text == text.strip())


@PURE
@given(pathname=PATHS, search=QUERIES | st.none())
@example(pathname="/data", search="?span=²")  # str.isdigit() said yes, int() said no: HTTP 500
@example(pathname="/data", search="?span=" + "9" * 5000)  # int() refuses over 4,300 digits
def test_urlstate_parses_any_address_into_a_well_formed_view(pathname, search):
    count("urlstate.parse")
    assert_view_shape(urlstate.parse(pathname, search))


@st.composite
def plausible_queries(draw, facts: urlstate.Facts) -> str:
    """A query of the app's keys whose values are often what the facts offer, and otherwise odd."""
    def offered(options):
        return st.sampled_from(list(options)) if options else URL_VALUES
    code = st.from_regex(r"[0-9]{12}", fullmatch=True)
    values = {
        "month": offered(facts.months) | URL_VALUES, "cat": offered(facts.categories) | URL_VALUES,
        "ind": offered([c for c, _ in facts.indicators]) | URL_VALUES, "lang": offered(facts.langs) | URL_VALUES,
        "towns": st.lists(offered(facts.townships) | code, max_size=4).map(",".join) | URL_VALUES,
        "span": st.sampled_from(urlstate.SPANS).map(str) | URL_VALUES,
    }
    keys = draw(st.lists(st.sampled_from(sorted(values)), unique=True))
    return "?" + "&".join(f"{k}={quote(draw(values[k]), safe=',')}" for k in keys)


PAGE_PATHS = st.one_of(st.sampled_from(["/", "/data"]),
                       st.builds(lambda page, code: f"/{page}/{code}", st.sampled_from(["township", "village", "data"]),
                                 st.from_regex(r"[0-9]{12}", fullmatch=True)))


@PURE
@given(pathname=PATHS | PAGE_PATHS, facts=facts_strategy(), data=st.data())
def test_urlstate_resolves_any_address_to_what_the_facts_allow(pathname, facts, data):
    count("urlstate.resolve")
    search = data.draw(QUERIES | st.none() | plausible_queries(facts))
    asked = urlstate.parse(pathname, search)
    view = urlstate.resolve(asked, facts)
    assert view.page in ("city", "township", "village", "data", "missing")
    if view.page in ("township", "village"):
        assert view.unit == asked.unit and facts.unit_kind == view.page
    elif view.page == "data":
        assert view.unit is None or (view.unit == asked.unit and facts.unit_kind == "township")
    else:
        assert view.unit is None
    assert view.month in facts.months if facts.months else view.month is None
    assert view.cat is None or view.cat in facts.categories
    offered = [code for code, category in facts.indicators if view.cat is None or category == view.cat]
    assert view.ind is None or view.ind in offered
    assert view.lang in facts.langs or view.lang == facts.default_lang
    assert set(view.towns) <= set(facts.townships) and len(set(view.towns)) == len(view.towns)
    assert view.towns == () or view.page == "city"
    assert view.span is None or (view.span in urlstate.SPANS[1:] and view.page == "data")
    assert urlstate.resolve(view, facts) == view  # settled: resolving again changes nothing
    if view.page != "missing":  # the canonical address the app writes back opens the same view
        path, _, query = urlstate.href_for(view).partition("?")
        assert urlstate.resolve(urlstate.parse(path, "?" + query), facts) == view


def text_field():
    """A chosen text as a URL can carry it: stripped, non-empty."""
    return st.text(min_size=1, max_size=20).filter(lambda t: t == t.strip())


@st.composite
def valid_views(draw) -> urlstate.View:
    """A view the URL can express: the page's unit, a month, texts, language; towns on the city page,
    a span on /data."""
    page = draw(st.sampled_from(["city", "township", "village", "data"]))
    code = st.from_regex(r"[0-9]{12}", fullmatch=True)
    unit = None if page == "city" else draw(code) if page != "data" else draw(st.none() | code)
    return urlstate.View(
        page=page, unit=unit, month=draw(st.none() | PERIODS),
        cat=draw(st.none() | st.sampled_from(cat.CATEGORIES) | text_field()),
        ind=draw(st.none() | st.sampled_from([i.code for i in indicators()]) | text_field()),
        lang=draw(st.sampled_from(["zh", "en", ""]) | text_field()),
        towns=tuple(draw(st.lists(code, max_size=4))) if page == "city" else (),
        span=draw(st.sampled_from([None, *urlstate.SPANS])) if page == "data" else None,
    )


@PURE
@given(view=valid_views())
def test_urlstate_parse_reads_back_every_view_it_writes(view):
    count("urlstate round trip")
    path, _, query = urlstate.href_for(view).partition("?")
    assert path == urlstate.path_for(view.page, view.unit)
    assert urlstate.parse(path, "?" + query if query else "") == view


@PURE
@given(view=st.builds(urlstate.View, page=ANY_TEXT, unit=st.none() | ANY_TEXT, month=st.none() | ANY_TEXT,
                      cat=st.none() | ANY_TEXT, ind=st.none() | ANY_TEXT, lang=ANY_TEXT,
                      towns=st.lists(ANY_TEXT, max_size=3).map(tuple), span=st.none() | st.integers()))
@example(view=urlstate.View("city", month="\ud800"))  # a lone surrogate cannot be UTF-8: urlencode raised
@example(view=urlstate.View("township", unit="\ud800<script>"))  # JSON could not carry the link: HTTP 500
@example(view=urlstate.View("data", unit="330782100000?lang=en#/../x"))  # a unit that reshapes the link
def test_urlstate_writes_an_address_for_any_view(view):
    count("urlstate.search_for/href_for")
    search, path = urlstate.search_for(view), urlstate.path_for(view.page, view.unit)
    assert search == "" or search.startswith("?")
    assert urlstate.href_for(view) == path + search
    assert not set(path) & set("?#") and path.count("/") <= 2 and path.encode("utf-8")  # the unit stays one segment
    assert urlstate.View.from_store(view.as_store()) == view


# --- the wall's options (dashboard/wallstate.py) -------------------------------------------------
def assert_wall_shape(options: wallstate.WallOptions) -> None:
    """Every option within its domain, whatever the URL said."""
    rotate_min, refresh_min = wallstate.BENCH_MINIMUM if options.bench else (wallstate.ROTATE[1], wallstate.REFRESH[1])
    assert options.unit is None or wallstate.CODE.match(options.unit)
    assert isinstance(options.all_units, bool) and isinstance(options.bench, bool)
    assert rotate_min <= options.rotate <= wallstate.ROTATE[2]
    assert refresh_min <= options.refresh <= wallstate.REFRESH[2]
    assert options.lang in wallstate.LANGS
    assert options.panels and set(options.panels) <= set(wallstate.PANELS)
    assert len(set(options.panels)) == len(options.panels)
    assert options.month is None or wallstate.PERIOD.match(options.month)
    assert math.isfinite(options.stale_after)
    assert wallstate.WallOptions.from_store(options.as_store()) == options


@PURE
@given(search=QUERIES | st.none(), default_lang=ANY_TEXT)
def test_wallstate_parses_any_query_into_options_within_bounds(search, default_lang):
    count("wallstate.parse")
    assert_wall_shape(wallstate.parse(search, default_lang))


@PURE
@given(raw=st.none() | URL_VALUES | st.floats().map(str), bounds=st.lists(st.floats(0.01, 10**4), min_size=3,
                                                                          max_size=3).map(sorted))
def test_wallstate_seconds_are_always_within_their_bounds(raw, bounds):
    count("wallstate.seconds")
    low, default, high = bounds
    value = wallstate.seconds(raw, default, low, high)
    assert low <= value <= high and math.isfinite(value)


@PURE
@given(raw=st.none() | URL_VALUES | st.lists(st.sampled_from([*wallstate.PANELS, "TILES", " league ", "x", ""]))
       .map(",".join))
def test_wallstate_panels_are_known_ones_without_repeats(raw):
    count("wallstate.panels")
    chosen = wallstate.panels(raw)
    assert chosen and set(chosen) <= set(wallstate.PANELS) and len(set(chosen)) == len(chosen)


URLS = st.one_of(
    ANY_TEXT, st.none(),
    st.builds(lambda scheme, host, path, query: f"{scheme}{host}{path}{query}",
              st.sampled_from(["http://", "https://", "//", "", "javascript:", "http:///"]),
              st.sampled_from(["localhost:8050", "[::1]:8050", "[", "[::1", "a\uff03b", "\uff0f", "user@host", ""])
              | ANY_TEXT,
              PATHS.map(lambda p: p or ""), QUERIES.map(lambda q: "?" + q)),
)


@PURE
@given(url=URLS, prefix=st.sampled_from(["/", "/kpi/", ""]) | ANY_TEXT, lang=ANY_TEXT)
@example(url="http://[", prefix="/", lang="zh")  # urlparse raised on a Referer like this: /_dash-layout gave 500
@example(url="http://a\uff03b/wall", prefix="/", lang="zh")  # a netloc that NFKC normalisation changes
def test_wallstate_reads_any_page_address(url, prefix, lang):
    count("wallstate.from_page_url/is_wall_path")
    options = wallstate.from_page_url(url, prefix, lang)
    assert options is None or isinstance(options, wallstate.WallOptions)
    if options is not None:
        assert_wall_shape(options)
    assert wallstate.is_wall_path(url, prefix) in (True, False)


@st.composite
def wall_options(draw) -> wallstate.WallOptions:
    """Options a wall's URL can ask for."""
    bench = draw(st.booleans())
    rotate_min, refresh_min = wallstate.BENCH_MINIMUM if bench else (wallstate.ROTATE[1], wallstate.REFRESH[1])
    return wallstate.WallOptions(
        unit=draw(st.none() | st.from_regex(r"[0-9]{12}", fullmatch=True)), all_units=draw(st.booleans()),
        rotate=draw(st.floats(rotate_min, wallstate.ROTATE[2])),
        refresh=draw(st.floats(refresh_min, wallstate.REFRESH[2])),
        lang=draw(st.sampled_from(wallstate.LANGS)),
        panels=tuple(draw(st.lists(st.sampled_from(wallstate.PANELS), min_size=1, unique=True))),
        month=draw(st.none() | PERIODS), bench=bench)


def wall_query(options: wallstate.WallOptions) -> str:
    """The query string of a wall's options (as the guide writes them)."""
    pairs = {"unit": options.unit, "units": "all" if options.all_units else None, "rotate": repr(options.rotate),
             "refresh": repr(options.refresh), "lang": options.lang, "panels": ",".join(options.panels),
             "month": options.month, "bench": "1" if options.bench else None}
    return "?" + "&".join(f"{k}={v}" for k, v in pairs.items() if v is not None)


@PURE
@given(options=wall_options(), prefix=st.sampled_from(["/", "/kpi/"]), host=st.sampled_from(["http://tv:8050", ""]))
def test_wallstate_reads_back_every_wall_address(options, prefix, host):
    count("wallstate round trip")
    query = wall_query(options)
    assert wallstate.parse(query) == options
    assert wallstate.from_page_url(f"{host}{prefix}wall{query}", prefix, "zh") == options
    assert wallstate.is_wall_path(f"{prefix}wall", prefix) and wallstate.is_wall_path(f"{prefix}wall/", prefix)


# --- the count the closing note reports ----------------------------------------------------------
def test_zz_fuzz_cases_run(capsys):
    """Print the examples each property ran in this session (shown even without -s)."""
    total = sum(RUNS.values())
    with capsys.disabled():
        print(f"\nfuzz cases run: {total:,}")
        for name, n in sorted(RUNS.items()):
            print(f"  {n:>6,}  {name}")
    assert all(n >= 1 for n in RUNS.values())
