"""Submission templates: for one township (or the city's own indicators) and one month, a workbook and
a CSV that `ingest` loads as they are once the numbers are filled in.

Rows: the unit's own row for each indicator reported at its level, then one row per village valid
that month for each village-level indicator (grouped by indicator, so each block is contiguous).
Columns: ingest's Chinese header names, with the unit and indicator names in the two descriptive
columns ingest reads past. Numbers are empty: a blank is "not reported", never zero.

The workbook's first sheet is the data (ingest reads only that one): codes and names locked (the
sheet is protected without a password), only the cells to fill are open, each with Excel data
validation (whole numbers >= 0 for integer counts, decimals >= 0 elsewhere, a denominator above 0,
a rate's numerator at most its denominator). A second sheet explains what to fill in.
The CSV is UTF-8 with a BOM; the period and unit codes are written ="..." so Excel keeps them as
text (else 330782100014 turns into 3.30782E+11 on saving), which ingest reads as the plain text.

The templates are for township staff, so their text is Chinese and lives here, like ingest's
Chinese column names.
"""
from __future__ import annotations

import dataclasses
import io

import openpyxl
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .catalogue import Indicator, Unit
from .ingest import COLUMNS

FIELDS = ("period", "unit_code", "unit_name", "indicator", "indicator_name", "value", "numerator", "denominator",
          "note")
HEADERS = tuple(COLUMNS[f] for f in FIELDS)
WIDTHS = {"period": 10, "unit_code": 16, "unit_name": 24, "indicator": 30, "indicator_name": 48, "value": 12,
          "numerator": 12, "denominator": 12, "note": 24}
LEVEL_ZH = {"city": "市级", "township": "镇街", "village": "村(社区)"}
DATA_SHEET, HELP_SHEET = "报送数据", "填报说明"
GREY = PatternFill("solid", fgColor="E5E7EB")
HEAD = PatternFill("solid", fgColor="DBEAFE")
BOM = "\ufeff"


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a template: a unit, an indicator, a month."""

    period: str
    unit: Unit
    indicator: Indicator


def rows(units: tuple[Unit, ...], catalogue: tuple[Indicator, ...], unit_code: str, period: str) -> list[Row]:
    """The template's rows for a unit and month; ValueError for an unknown unit or one not valid then."""
    by_code = {u.code: u for u in units}
    unit = by_code.get(unit_code)
    if unit is None or not unit.valid_in(period):
        raise ValueError(f"no unit {unit_code} valid in {period}")
    out = [Row(period, unit, ind) for ind in catalogue if ind.level == unit.kind]
    villages = sorted((u for u in units if u.kind == "village" and u.parent_code == unit.code and u.valid_in(period)),
                      key=lambda u: u.code)
    for ind in (i for i in catalogue if i.level == "village" and unit.kind == "township"):
        out += [Row(period, v, ind) for v in villages]
    return out


def indicator_label(ind: Indicator) -> str:
    """What a person reads in the name column: the name, and what to fill in."""
    if ind.has_fraction:
        return f"{ind.name_zh}(分子:{ind.numerator_zh or '分子'};分母:{ind.denominator_zh or '分母'})"
    return f"{ind.name_zh}(填数值,单位:{ind.unit_zh})"


def file_name(unit: Unit, period: str, suffix: str) -> str:
    """'2022-06_佛堂镇_报送模板.xlsx'."""
    return f"{period}_{unit.name}_报送模板.{suffix}"


# --- CSV ----------------------------------------------------------------------------------------
def csv_bytes(template: list[Row]) -> bytes:
    """The template as CSV: UTF-8 with BOM, CRLF, Chinese headers, codes kept as text for Excel."""
    lines = [",".join(HEADERS)]
    for row in template:
        cells = [_as_text(row.period), _as_text(row.unit.code), _quoted(inert(row.unit.name)), row.indicator.code,
                 _quoted(indicator_label(row.indicator)), "", "", "", ""]
        lines.append(",".join(cells))
    return (BOM + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _as_text(text: str) -> str:
    """="2022-06": a spreadsheet keeps it as text; ingest reads the text inside."""
    return f'="{text}"'


def inert(text: str) -> str:
    """A name a spreadsheet shows as text, never runs: one starting like a formula gets a leading '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _quoted(text: str) -> str:
    """A CSV field, quoted when it holds a comma, quote or line break."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


# --- workbook ---------------------------------------------------------------------------------------
def xlsx_bytes(template: list[Row], unit: Unit, period: str, due: str | None = None) -> bytes:
    """The template as a workbook: the data sheet first (what ingest reads), then the instructions."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    _data_sheet(sheet, template)
    _help_sheet(book.create_sheet(HELP_SHEET), template, unit, period, due)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _data_sheet(sheet, template: list[Row]) -> None:
    """Header, one locked row per line with its open cells, validation per indicator block."""
    col = {f: i + 1 for i, f in enumerate(FIELDS)}
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEAD
    for n, row in enumerate(template, start=2):
        values = (row.period, row.unit.code, inert(row.unit.name), row.indicator.code, indicator_label(row.indicator))
        for field, value in zip(FIELDS, values):
            cell = sheet.cell(row=n, column=col[field], value=value)
            cell.number_format = "@"  # text: a code must never become a number
        for field in ("value", "numerator", "denominator"):
            cell = sheet.cell(row=n, column=col[field])
            if _open(row.indicator, field):
                cell.protection = Protection(locked=False)
            else:
                cell.fill = GREY
        sheet.cell(row=n, column=col["note"]).protection = Protection(locked=False)
    for field, width in WIDTHS.items():
        sheet.column_dimensions[get_column_letter(col[field])].width = width
    sheet.freeze_panes = "A2"
    for validation in _validations(template, col):
        sheet.add_data_validation(validation)
    sheet.protection.sheet = True  # no password: it guards against slips, not people
    sheet.protection.formatColumns = sheet.protection.formatRows = False  # widths may still change


def _open(ind: Indicator, field: str) -> bool:
    """Whether a row's number cell is to be filled in: value for counts and scores, the fraction else."""
    return field in (("numerator", "denominator") if ind.has_fraction else ("value",))


def _validations(template: list[Row], col: dict[str, int]) -> list[DataValidation]:
    """Excel data validation for each block of rows of one indicator."""
    out = []
    for ind, first, last in _blocks(template):
        def ref(field, row=None):
            letter = get_column_letter(col[field])
            return f"{letter}{row}" if row else f"{letter}{first}:{letter}{last}"
        if not ind.has_fraction:
            kind = "whole" if ind.integer else "decimal"
            out.append(_rule(ref("value"), ind, kind, "greaterThanOrEqual", "0",
                             "请填写不小于0的" + ("整数" if ind.integer else "数字") + f"({ind.unit_zh})"))
            continue
        num, den = ref("numerator", first), ref("denominator", first)
        limit = f"AND(ISNUMBER({num}),{num}>=0,OR(ISBLANK({den}),{num}<={den}))" if ind.measure == "rate" else \
            f"AND(ISNUMBER({num}),{num}>=0)"
        out.append(_rule(ref("numerator"), ind, "custom", None, limit,
                         "请填写不小于0的数字" + ("且不大于分母" if ind.measure == "rate" else "")
                         + f":{ind.numerator_zh or '分子'}"))
        out.append(_rule(ref("denominator"), ind, "decimal", "greaterThan", "0",
                         f"请填写大于0的数字:{ind.denominator_zh or '分母'}"))
    return out


def _rule(sqref: str, ind: Indicator, kind: str, operator: str | None, formula: str, message: str) -> DataValidation:
    """One validation rule with its prompt and error message."""
    rule = DataValidation(type=kind, operator=operator, formula1=formula, allow_blank=True, showErrorMessage=True,
                          showInputMessage=True, errorTitle="数字有误", error=message,
                          promptTitle=ind.name_zh[:32], prompt=message[:255])
    rule.add(sqref)
    return rule


def _blocks(template: list[Row]):
    """(indicator, first sheet row, last sheet row) of each run of rows with the same indicator."""
    start = 2
    for n in range(len(template)):
        if n + 1 == len(template) or template[n + 1].indicator.code != template[n].indicator.code:
            yield template[n].indicator, start, n + 2
            start = n + 3


def _help_sheet(sheet, template: list[Row], unit: Unit, period: str, due: str | None) -> None:
    """What to fill in, in words, and the indicators of the template."""
    year, month = period[:4], int(period[5:7])
    lines = [
        f"{unit.name} {year}年{month}月 民政目标指标月报 填报模板",
        "",
        f"1. 在「{DATA_SHEET}」表中每行填写一个单位、一个指标:计数和评分指标填「数值」,比率指标填「分子」和「分母」"
        "(比率由系统计算)。灰色格不填。",
        "2. 只写数字和小数点:不写千分位逗号、单位或百分号。空白表示未报送,不会按0计算。",
        "3. 统计期、单位代码、指标代码和名称已锁定(工作表保护,无密码),请勿修改,也不要增删列;"
        "本月确实无法报送的行可以整行删除(该单位将显示为未报送)。",
        "4. 备注可写说明,例如「一人住院未探访」。",
        f"5. 报送截止:{due}。" if due else "5. 请在次月规定日期前报送。",
        "6. 填好后直接保存为 .xlsx 交民政局;导入命令:kpi-dashboard ingest 文件名.xlsx",
        "",
        "本模板的指标",
    ]
    for text in lines:
        sheet.append([text])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["指标代码", "指标名称", "报送单位", "填写", "计量单位", "行数"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = Font(bold=True), HEAD
    for ind, count in _indicator_counts(template):
        fill = f"分子:{ind.numerator_zh};分母:{ind.denominator_zh}" if ind.has_fraction else \
            "数值" + ("(整数)" if ind.integer else "")
        sheet.append([ind.code, ind.name_zh, LEVEL_ZH[ind.level], fill, ind.unit_zh, count])
    for letter, width in zip("ABCDEF", (30, 36, 10, 60, 12, 8)):
        sheet.column_dimensions[letter].width = width


def _indicator_counts(template: list[Row]) -> list[tuple[Indicator, int]]:
    """Each indicator of the template with its number of rows, in template order."""
    counts: dict[str, list] = {}
    for row in template:
        counts.setdefault(row.indicator.code, [row.indicator, 0])[1] += 1
    return [(ind, n) for ind, n in counts.values()]
