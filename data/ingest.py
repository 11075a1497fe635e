"""Load a monthly submission file (CSV or .xlsx) into the reporting database: all of it or nothing.

Submission file format
======================

A submission is a CSV file or an Excel workbook (.xlsx; only the first worksheet is read, and
formulas count with the value Excel last calculated).

Encoding (CSV only): UTF-8, UTF-8 with a byte-order mark, or GB18030 (what Excel writes as "CSV"
on Chinese Windows; GB18030 includes GBK and GB2312). The file is read as UTF-8 first. If that
fails and the bytes before the failure already hold a byte-order mark or UTF-8 Chinese (any
character of three or four bytes), the file is UTF-8 with bad bytes and is rejected at the line of
the first bad byte. Otherwise it is read as GB18030, and rejected at the line where that fails too.

Header: the first line that is not blank names the columns, in any order:

    column       中文       must be present   content
    period       统计期     yes               the month: 2022-06, 2022/6, 2022年6月, 202206, or a date cell
    unit_code    单位代码   yes               the 12-digit statistical code of the city, a township or a village
    indicator    指标代码   yes               an indicator code of the catalogue (data/indicators.toml)
    value        数值       yes               the figure, for count and score indicators
    numerator    分子       yes               for rate and ratio indicators
    denominator  分母       yes               for rate and ratio indicators
    note         备注       no                free text, stored with the figure
    unit_name    单位名称   no                the unit's name for people: read past, not checked or stored
    indicator_name  指标名称  no              the indicator's name for people: likewise

The two name columns let a file carry the names people fill it in by (the templates of
data/templates.py do) and still load without edits. English and Chinese names may be mixed.
Spaces around a name are ignored and English names are case-insensitive. Any other column name
is an error (it is usually a typo), and so is a column named twice.

Rows: one per indicator x unit x month; lines whose cells are all empty are skipped. In a
workbook, a unit code may be a number cell and a period a date cell. In a CSV file, a cell written
="..." (how a spreadsheet is told to keep 330782100014 or 2022-06 as text) counts as the text
inside the quotes. Numbers are plain decimals such as 12, 12.5 or 0.75, with spaces around them
ignored: no thousands separators, units or percent signs. An empty cell is missing, never zero.
- Count and score indicators take `value` only.
- Rate and ratio indicators take `numerator` and `denominator`. `value` may be filled in too (as
  printed on the paper report); it must then equal numerator / denominator x the indicator's
  scale, rounded to as many decimals as it is written with.

Checks: a row is rejected if its unit code is unknown, of another level than the one that reports
the indicator (village, township or city), or not valid in that month; if its indicator code is
unknown; if its month is malformed or after the current month; if it lacks the numbers its
indicator's measure needs or has ones it does not take; if a number is not a plain number, is
negative, or is not whole for an indicator marked `integer = true`; if its denominator is zero;
if a rate's numerator is above its denominator; if its value disagrees with its numerator and
denominator; or if the same indicator, unit and month came earlier in the file.

Every problem is reported as `FILE:LINE: reason`, all of them, and then nothing of the file is
written. LINE is the physical line of a CSV file (the first line of a row whose quoted note spans
several lines) or the row number in a workbook. Problems of the header, and a header with no rows
under it, are reported at the header line; a file that cannot be read, is not a workbook, or is
empty, at line 0.

Loading: a file whose exact bytes were loaded before is not loaded again. Otherwise the whole file
is one transaction and one submission: each row becomes the current value of its indicator x unit
x month. A new cell gets revision 1; a cell whose numbers or note differ moves its previous value
to observation_history (marked superseded by this submission) and gets the next revision; an
identical cell is left as it is.

The command line loads files by path (ingest_file); the browser's upload on /data loads the bytes
it was sent (ingest_bytes), with the same checks plus its own: a row limit, the units the uploader
may report for, and the original bytes kept in submission_files with the submission.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import decimal
import hashlib
import io
import logging
import math
import os
import re
from collections.abc import Callable, Collection
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from . import meta, rollups, schema
from .catalogue import Indicator, Unit
from .periods import current_period, parse_period

log = logging.getLogger(__name__)

COLUMNS = {"period": "统计期", "unit_code": "单位代码", "indicator": "指标代码", "value": "数值",
           "numerator": "分子", "denominator": "分母", "note": "备注",
           "unit_name": "单位名称", "indicator_name": "指标名称"}
DESCRIPTIVE_COLUMNS = frozenset({"unit_name", "indicator_name"})  # for people; read past, never stored
OPTIONAL_COLUMNS = frozenset({"note"}) | DESCRIPTIVE_COLUMNS
NUMBERS = ("value", "numerator", "denominator")
STATUSES = ("loaded", "unchanged", "already_loaded", "rejected", "checked")
FILE_NAME_MAX, CONTENT_TYPE_MAX = 255, 100  # the columns' lengths (submissions, submission_files)

_HEADER_NAMES = {**{en: en for en in COLUMNS}, **{zh: en for en, zh in COLUMNS.items()}}
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)", re.ASCII)
_UNIT_CODE = re.compile(r"\d{12}", re.ASCII)
_TEXT_FORMULA = re.compile(r'=\s*"(.*)"', re.DOTALL)  # ="0123": a spreadsheet's text-in-CSV form
_BOM = b"\xef\xbb\xbf"
_ZIP_MAGIC = b"PK\x03\x04"  # .xlsx is a zip archive
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_XLSX_SUFFIXES = (".xlsx", ".xlsm")

_obs = schema.observations
_UPDATE_CELL = _obs.update().where(_obs.c.id == sa.bindparam("b_id")).values(
    {name: sa.bindparam("b_" + name)
     for name in (*NUMBERS, "note", "revision", "submission_id")})


@dataclasses.dataclass(frozen=True)
class IngestResult:
    """What became of one file."""

    path: str
    status: str  # one of STATUSES
    rows: int = 0
    changed_rows: int = 0
    errors: tuple[str, ...] = ()
    submission_id: int | None = None

    @property
    def ok(self) -> bool:
        """False only when the file was rejected."""
        return self.status != "rejected"

    def summary(self) -> str:
        """One line for people, e.g. 'jan.csv: loaded 120 rows (37 changed), submission #5'."""
        rows = _plural(self.rows, "row")
        return f"{self.path}: " + {
            "loaded": f"loaded {rows} ({self.changed_rows:,} changed), submission #{self.submission_id}",
            "unchanged": f"{rows}, all as already stored, nothing changed, submission #{self.submission_id}",
            "already_loaded": f"already loaded as submission #{self.submission_id}, nothing changed",
            "rejected": f"rejected, {_plural(len(self.errors), 'error')}, nothing written",
            "checked": f"checked {rows}, no errors (dry run, nothing written)",
        }[self.status]


@dataclasses.dataclass(frozen=True)
class _Number:
    """A number as read, with the decimals it was written with (for rounding comparisons)."""

    value: float
    decimals: int
    text: str


@dataclasses.dataclass(frozen=True)
class _Row:
    """One data row; a field is None where the cell was empty or wrong."""

    line: int
    indicator: str | None
    unit_code: str | None
    period: str | None
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None

    @property
    def key(self) -> tuple[str, str, str] | None:
        """(indicator, unit, period), or None unless all three are valid."""
        parts = (self.indicator, self.unit_code, self.period)
        return None if None in parts else parts


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The cells a file inserts, and the stored rows it supersedes with new values."""

    new: list[_Row]
    changed: list[tuple[_Row, sa.Row]]

    @property
    def count(self) -> int:
        """How many cells the file changes."""
        return len(self.new) + len(self.changed)


@dataclasses.dataclass(frozen=True)
class _Original:
    """The uploaded file as sent, kept with its submission."""

    content_type: str | None
    content: bytes


class _Rejected(Exception):
    """The file as a whole cannot be read: (line, reason) pairs."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(problems)
        self.problems = problems


def ingest_file(engine: sa.Engine, path, catalogue: tuple[Indicator, ...], *, dry_run: bool = False,
                loaded_by: str = "cli", today: dt.date | None = None) -> IngestResult:
    """Check a submission file and, unless it has errors or this is a dry run, load it in one transaction."""
    name = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return _rejected(name, [(0, f"cannot read the file ({exc.strerror or exc})")])
    return ingest_bytes(engine, name, raw, catalogue, loaded_by=loaded_by, dry_run=dry_run, today=today)


def ingest_bytes(engine: sa.Engine, name: str, raw: bytes, catalogue: tuple[Indicator, ...], *, loaded_by: str,
                 allowed_units: Collection[str] | None = None, keep_original: bool = False,
                 max_rows: int | None = None, content_type: str | None = None, dry_run: bool = False,
                 today: dt.date | None = None,
                 in_transaction: Callable[[sa.Connection, IngestResult], None] | None = None) -> IngestResult:
    """Check a file's bytes and, unless they have errors or this is a dry run, load them in one transaction.

    name names the file in errors and in the submission (its suffix tells .xlsx from CSV).
    allowed_units: the unit codes the file may report for (None: any); a row of another unit is
    an error on its line. max_rows: a file with more data rows is rejected. keep_original: the exact
    bytes go to submission_files (with content_type) in the submission's transaction.
    in_transaction(conn, result) runs inside that transaction once the rows are written, so what it
    records (the audit line of an upload) commits with them or not at all. A dry run also says how
    many cells the file would change, and which submission brought the same bytes before, if any.
    """
    try:
        records = _records(raw, Path(name).suffix.lower())
        header_line, columns = _header(records)
    except _Rejected as exc:
        return _rejected(name, exc.problems)
    data = records[1:]
    if not data:
        return _rejected(name, [(header_line, "no data rows under the header")])
    if max_rows is not None and len(data) > max_rows:
        return _rejected(name, [(data[max_rows][0], f"more than {max_rows:,} data rows, the limit: split the file")],
                         len(data))
    units = _load_units(engine)
    if not units:
        return _rejected(name, [(0, "the database has no units: run `kpi-dashboard init-db` first")])
    indicators = {ind.code: ind for ind in catalogue}
    allowed = None if allowed_units is None else frozenset(allowed_units)
    rows, problems = _check_rows(data, columns, units, indicators, current_period(today), allowed)
    if problems:
        return _rejected(name, problems, len(rows))
    if dry_run:
        return _dry_run(engine, name, raw, rows)
    original = _Original(content_type, raw) if keep_original else None
    return _load(engine, name, raw, rows, loaded_by, original, in_transaction)


def _rejected(name: str, problems: list[tuple[int, str]], rows: int = 0) -> IngestResult:
    """A rejection listing every problem as FILE:LINE: reason, in line order."""
    ordered = sorted(problems, key=lambda p: p[0])  # stable: a line's reasons keep their order
    return IngestResult(name, "rejected", rows=rows, errors=tuple(f"{name}:{ln}: {why}" for ln, why in ordered))


# Reading -------------------------------------------------------------------------------------

def _records(raw: bytes, suffix: str) -> list[tuple[int, list]]:
    """The file's non-blank rows as (line, cells), header first; _Rejected if unreadable or empty."""
    if raw.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise _Rejected([(0, "a legacy .xls workbook: save it as .xlsx or CSV")])
    if suffix in _XLSX_SUFFIXES or raw.startswith(_ZIP_MAGIC):
        records = _xlsx_records(raw)
    else:
        records = _csv_records(_decode(raw))
    records = [(line, cells) for line, cells in records if not all(_blank(c) for c in cells)]
    if not records:
        raise _Rejected([(0, "empty file (no header row)")])
    return records


def _decode(raw: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else GB18030; see the module docstring."""
    body = raw[len(_BOM):] if raw.startswith(_BOM) else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    # GB18030 text often forms short valid UTF-8 runs by accident, but hardly ever a CJK one.
    if raw.startswith(_BOM) or any(ord(ch) > 0x7FF for ch in body[:bad].decode("utf-8")):
        raise _Rejected([(body.count(b"\n", 0, bad) + 1, "undecodable bytes (not UTF-8)")])
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _Rejected([(line, "undecodable bytes (neither UTF-8 nor GB18030)")]) from None


def _csv_records(text: str) -> list[tuple[int, list]]:
    """Every CSV record with the physical line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records, line = [], 1
    try:
        for cells in reader:
            records.append((line, [_unwrap(cell) for cell in cells]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _Rejected([(reader.line_num, f"malformed CSV ({exc})")]) from None
    return records


def _xlsx_records(raw: bytes) -> list[tuple[int, list]]:
    """Every row of the first worksheet with its row number."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
        finally:
            book.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise _Rejected([(0, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})")]) from None


def _unwrap(cell: str) -> str:
    """A CSV cell ="..." as the text inside the quotes; any other cell as it is."""
    found = _TEXT_FORMULA.fullmatch(cell.strip())
    return found.group(1) if found else cell


def _header(records: list[tuple[int, list]]) -> tuple[int, tuple[str | None, ...]]:
    """The header line and each position's column name (None: unnamed); _Rejected if wrong."""
    line, cells = records[0]
    columns: list[str | None] = []
    problems = []
    for cell in cells:
        text = _text(cell)
        name = None if text is None else _HEADER_NAMES.get(text.lower())
        if text is not None and name is None:
            problems.append(f"unknown column {_show(text)} (expected {', '.join(COLUMNS)})")
        elif name is not None and name in columns:
            problems.append(f"column {name} ({COLUMNS[name]}) appears twice")
        columns.append(name)
    problems += [f"missing column {name} ({zh})" for name, zh in COLUMNS.items()
                 if name not in columns and name not in OPTIONAL_COLUMNS]
    if problems:
        raise _Rejected([(line, p) for p in problems])
    return line, tuple(columns)


# Checking ------------------------------------------------------------------------------------

def _check_rows(records, columns, units: dict[str, Unit], indicators: dict[str, Indicator],
                this_month: str, allowed: frozenset[str] | None = None) -> tuple[list[_Row], list[tuple[int, str]]]:
    """Every data row parsed, and every (line, reason) found in them, duplicates included."""
    rows, problems, first_line = [], [], {}
    for line, cells in records:
        named, stray = _by_column(cells, columns)
        row, reasons = _check_row(line, named, units, indicators, this_month, allowed)
        reasons += [f"a value in column {i + 1}, which has no header" for i in stray]
        if row.key is not None:
            first = first_line.setdefault(row.key, line)
            if first != line:
                reasons.append(f"duplicate row: {', '.join(row.key)} is already on line {first}")
        problems += [(line, reason) for reason in reasons]
        rows.append(row)
    return rows, problems


def _by_column(cells: list, columns: tuple[str | None, ...]) -> tuple[dict, list[int]]:
    """The row's cells by column name, and the positions of non-empty cells without a column."""
    named = {name: cells[i] if i < len(cells) else None for i, name in enumerate(columns) if name}
    stray = [i for i, cell in enumerate(cells)
             if (i >= len(columns) or columns[i] is None) and not _blank(cell)]
    return named, stray


def _check_row(line: int, cells: dict, units, indicators, this_month: str,
               allowed: frozenset[str] | None = None) -> tuple[_Row, list[str]]:
    """One data row, and the reasons it is wrong (none if it is right)."""
    reasons: list[str] = []
    period = _period(cells["period"], this_month, reasons)
    unit = _unit(cells["unit_code"], units, reasons, allowed)
    ind = _indicator(cells["indicator"], indicators, reasons)
    if unit and ind and unit.kind != ind.level:
        reasons.append(f"indicator {ind.code} is reported by {ind.level}, {unit.code} is a {unit.kind}")
    if unit and period and not unit.valid_in(period):
        reasons.append(f"unit {unit.code} ({unit.name}) is not valid in {period} ({_validity(unit)})")
    numbers = {name: _number(name, cells[name], reasons) for name in NUMBERS}
    given = {name for name in NUMBERS if not _blank(cells[name])}
    if ind:
        reasons += _measure_problems(ind, given, numbers)
    values = {name: num.value if num else None for name, num in numbers.items()}
    row = _Row(line, ind and ind.code, unit and unit.code, period, **values, note=_text(cells.get("note")))
    return row, reasons


def _period(cell, this_month: str, reasons: list[str]) -> str | None:
    """The cell as 'YYYY-MM', if it is a month that is not in the future."""
    if _blank(cell):
        reasons.append("missing period")
        return None
    try:
        period = parse_period(int(cell) if isinstance(cell, float) and cell.is_integer() else cell)
    except ValueError:
        reasons.append(f"malformed period {_show(_text(cell))} (expected a month such as 2022-06)")
        return None
    if period > this_month:
        reasons.append(f"period {period} is in the future (this month is {this_month})")
        return None
    return period


def _unit(cell, units: dict[str, Unit], reasons: list[str], allowed: frozenset[str] | None = None) -> Unit | None:
    """The known unit the cell names, if the uploader may report for it (allowed: None for any unit).

    A number cell such as 330782001001.0 is read as its digits. A unit outside `allowed` is named
    by its code only, and not checked further: the uploader is not told about others' units."""
    code = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else _text(cell)
    if code is None:
        reasons.append("missing unit code")
    elif not _UNIT_CODE.fullmatch(code):
        hint = " (Excel wrote it in scientific notation: format the column as text)" if "E+" in code.upper() else ""
        reasons.append(f"unit code {_show(code)} is not 12 digits{hint}")
    elif code not in units:
        reasons.append(f"unknown unit code {code}")
    elif allowed is not None and code not in allowed:
        reasons.append(f"unit {code} is outside your township")
    else:
        return units[code]
    return None


def _indicator(cell, indicators: dict[str, Indicator], reasons: list[str]) -> Indicator | None:
    """The catalogue indicator the cell names."""
    code = _text(cell)
    if code is None:
        reasons.append("missing indicator code")
    elif code not in indicators:
        reasons.append(f"unknown indicator code {_show(code)}")
    return indicators.get(code) if code else None


def _number(name: str, cell, reasons: list[str]) -> _Number | None:
    """A plain non-negative number; None if the cell is empty or wrong (then a reason is added)."""
    if _blank(cell):
        return None
    if isinstance(cell, float) and math.isfinite(cell):
        text = repr(cell)  # an xlsx number: repr gives the decimals it shows (a whole one goes by its digits)
    else:
        text = str(cell).strip()
        if not _PLAIN_NUMBER.fullmatch(text):
            reasons.append(f"{name} {_show(text)} is not a plain number "
                           "(digits and a decimal point only: no thousands separators, units or %)")
            return None
    if not math.isfinite(float(text)):  # over 308 digits: it would be stored as infinity
        reasons.append(f"{name} {_show(text)} is too large")
        return None
    if float(text) < 0:
        reasons.append(f"negative {name} {text}")
        return None
    exponent = decimal.Decimal(text).as_tuple().exponent
    return _Number(float(text), max(0, -exponent), text)


def _measure_problems(ind: Indicator, given: set[str], numbers: dict[str, _Number | None]) -> list[str]:
    """What the indicator's measure requires of the value, numerator and denominator cells."""
    if ind.has_fraction:
        return _fraction_problems(ind, given, numbers)
    problems = []
    if given & {"numerator", "denominator"}:
        problems.append(f"{ind.measure} indicator {ind.code} takes value, not numerator/denominator")
    value = numbers["value"]
    if "value" not in given:
        problems.append(f"missing value for {ind.measure} indicator {ind.code}")
    elif ind.integer and value and not value.value.is_integer():
        problems.append(f"indicator {ind.code} takes whole numbers, not {value.text}")
    return problems


def _fraction_problems(ind: Indicator, given: set[str], numbers: dict[str, _Number | None]) -> list[str]:
    """A rate or ratio row: both parts present, a non-zero denominator, a value that agrees."""
    missing = [name for name in ("numerator", "denominator") if name not in given]
    if missing:
        return [f"missing {' and '.join(missing)} for {ind.measure} indicator {ind.code}"]
    num, den, value = numbers["numerator"], numbers["denominator"], numbers["value"]
    if num is None or den is None:
        return []  # already reported as not a number or negative
    if den.value == 0:
        return ["denominator is zero"]
    problems = []
    if ind.measure == "rate" and num.value > den.value:
        problems.append(f"numerator {num.text} is above denominator {den.text} (a rate cannot exceed its whole)")
    computed = num.value / den.value * ind.scale
    if value is not None and not (round(computed, value.decimals) == value.value
                                  or abs(computed - value.value) < 1e-9):
        problems.append(f"value {value.text} disagrees with numerator/denominator × {ind.scale:g}"
                        f" = {computed:.10g}")
    return problems


def _validity(unit: Unit) -> str:
    """A unit's validity in words."""
    if unit.valid_from and unit.valid_to:
        return f"valid {unit.valid_from} to {unit.valid_to}"
    return f"valid from {unit.valid_from}" if unit.valid_from else f"valid until {unit.valid_to}"


def _blank(cell) -> bool:
    """An empty cell: None, or text of nothing but spaces."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell) -> str | None:
    """A cell as stripped text, None if blank."""
    return None if _blank(cell) else str(cell).strip()


def _show(text: str | None) -> str:
    """Cell text quoted for a message, shortened if long (a stray quote can swallow a whole file)."""
    text = text or ""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _plural(n: int, word: str) -> str:
    """'1 row', '2 rows'."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# Writing -------------------------------------------------------------------------------------

def _load_units(engine: sa.Engine) -> dict[str, Unit]:
    """Every unit of the database by code (one query)."""
    u = schema.units.c
    query = sa.select(u.code, u.name, u.kind, u.parent_code, u.subkind, u.valid_from, u.valid_to)
    with engine.connect() as conn:
        return {r.code: Unit(*r) for r in conn.execute(query)}


def _dry_run(engine: sa.Engine, name: str, raw: bytes, rows: list[_Row]) -> IngestResult:
    """A checked file's effect, written nowhere: the cells it would change, or the submission that
    brought the same bytes before (then it would change nothing)."""
    with engine.connect() as conn:
        earlier = _earlier(conn, hashlib.sha256(raw).hexdigest())
        changed = 0 if earlier is not None else _plan(rows, _stored(conn, rows, lock=False)).count
    return IngestResult(name, "checked", rows=len(rows), changed_rows=changed, submission_id=earlier)


def _load(engine: sa.Engine, name: str, raw: bytes, rows: list[_Row], loaded_by: str,
          original: _Original | None = None, in_transaction=None) -> IngestResult:
    """Write a checked file as one submission, in one transaction; skip bytes loaded before."""
    checksum = hashlib.sha256(raw).hexdigest()
    try:
        return _load_once(engine, name, checksum, rows, loaded_by, original, in_transaction)
    except sa.exc.IntegrityError:
        # The same bytes committed by a simultaneous ingest (unique checksum): ours rolled back whole.
        with engine.connect() as conn:
            earlier = _earlier(conn, checksum)
        if earlier is None:
            raise
        return IngestResult(name, "already_loaded", rows=len(rows), submission_id=earlier)


def _earlier(conn: sa.Connection, checksum: str) -> int | None:
    """The submission that brought these exact bytes, if any."""
    sub = schema.submissions
    return conn.execute(sa.select(sa.func.min(sub.c.id)).where(sub.c.checksum == checksum)).scalar()


def _load_once(engine: sa.Engine, name: str, checksum: str, rows: list[_Row], loaded_by: str,
               original: _Original | None, in_transaction) -> IngestResult:
    """One attempt at writing the file as a new submission (with its original bytes, if kept)."""
    sub = schema.submissions
    file_name = os.path.basename(name)[:FILE_NAME_MAX]
    with engine.begin() as conn:
        earlier = _earlier(conn, checksum)
        if earlier is not None:
            return IngestResult(name, "already_loaded", rows=len(rows), submission_id=earlier)
        plan = _plan(rows, _stored(conn, rows))
        submission_id = conn.execute(sub.insert().values(
            file_name=file_name, checksum=checksum, rows=len(rows), changed_rows=plan.count,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None), loaded_by=loaded_by, kind="ingest",
        )).inserted_primary_key[0]
        if original is not None:
            conn.execute(schema.submission_files.insert().values(
                submission_id=submission_id, file_name=file_name, size=len(original.content),
                content_type=(original.content_type or None) and original.content_type[:CONTENT_TYPE_MAX],
                content=original.content))
        _write_rows(conn, submission_id, plan)
        if plan.count:
            rollups.refresh(conn, _slices(plan))
            meta.bump_data_version(conn)
        result = IngestResult(name, "loaded" if plan.count else "unchanged", len(rows), plan.count, (), submission_id)
        if in_transaction is not None:
            in_transaction(conn, result)
    log.debug("%s: submission %s, %d rows, %d changed", name, submission_id, len(rows), plan.count)
    return result


def _stored(conn: sa.Connection, rows: list[_Row], lock: bool = True) -> dict[tuple, sa.Row]:
    """The stored rows of the file's cells, locked for the transaction unless told not to: one query, filtered here."""
    keys = {row.key for row in rows}
    query = sa.select(_obs).where(
        _obs.c.indicator_code.in_(sorted({k[0] for k in keys})),
        _obs.c.period.in_(sorted({k[2] for k in keys})),
    )
    query = query.with_for_update() if lock else query
    found = ((r, (r.indicator_code, r.unit_code, r.period)) for r in conn.execute(query))
    return {key: r for r, key in found if key in keys}


def _plan(rows: list[_Row], stored: dict[tuple, sa.Row]) -> _Plan:
    """Split the rows into new cells, changed cells and (dropped) cells that are already so."""
    new, changed = [], []
    for row in rows:
        old = stored.get(row.key)
        if old is None:
            new.append(row)
        elif not _same(row, old):
            changed.append((row, old))
    return _Plan(new, changed)


def _same(row: _Row, old: sa.Row) -> bool:
    """Whether a stored row already holds the row's numbers (compared exactly) and note."""
    def number(x):
        return None if x is None else float(x)
    return all(number(getattr(old, n)) == getattr(row, n) for n in NUMBERS) and old.note == row.note


def _write_rows(conn: sa.Connection, submission_id: int, plan: _Plan) -> None:
    """Move superseded values to history, update their cells, insert new cells (executemany each)."""
    if plan.changed:
        conn.execute(schema.observation_history.insert(), [
            {**_stored_values(old), "superseded_by": submission_id} for _, old in plan.changed])
        conn.execute(_UPDATE_CELL, [
            {"b_id": old.id, **{"b_" + k: v for k, v in _cell_values(row).items()},
             "b_revision": old.revision + 1, "b_submission_id": submission_id}
            for row, old in plan.changed])
    if plan.new:
        conn.execute(_obs.insert(), [
            {"indicator_code": row.indicator, "unit_code": row.unit_code, "period": row.period,
             **_cell_values(row), "revision": 1, "submission_id": submission_id} for row in plan.new])


def _slices(plan: _Plan) -> dict[str, set[str]]:
    """The (indicator -> months) whose roll-ups the plan's writes change."""
    slices: dict[str, set[str]] = {}
    for row in [*plan.new, *(row for row, _ in plan.changed)]:
        slices.setdefault(row.indicator, set()).add(row.period)
    return slices


def _cell_values(row: _Row) -> dict:
    """The columns a submission sets on a cell."""
    return {"value": row.value, "numerator": row.numerator, "denominator": row.denominator, "note": row.note}


def _stored_values(old: sa.Row) -> dict:
    """A stored observation's columns, as observation_history keeps them."""
    return {c.name: getattr(old, c.name) for c in _obs.columns if c.name != "id"}
