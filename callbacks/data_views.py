"""What the reporting page shows, as plain values: the matrix's rows, a cell's detail, the missing
list (on screen and as CSV), the template choices. Service answers in, display values out."""
from __future__ import annotations

import math

import pandas as pd

from dashboard import i18n, urlstate
from dashboard.data import completeness
from dashboard.data.catalogue import CITY_CODE, Unit
from dashboard.data.periods import add_months, current_period, month_range
from dashboard.layouts import data_page
from dashboard.layouts.data_detail import CellDetail

from .common import find_unit, offered, unit_label

TOTAL_ROW = "__complete"
MAX_VILLAGE_NAMES = 8
TIME_FORMAT = "%Y-%m-%d %H:%M"


def scope_unit(service, view: urlstate.View) -> Unit:
    """The unit whose matrix the page shows: the city, or the township in the path."""
    return find_unit(service, view.unit) or service.unit(CITY_CODE)


def span(view: urlstate.View) -> int:
    """Months the matrix shows."""
    return view.span or urlstate.SPANS[0]


def words(view: urlstate.View) -> bool:
    """Whether cells have room for words (up to a year of months)."""
    return span(view) <= data_page.WORDS_UP_TO


def window(service, view: urlstate.View) -> tuple[str, str]:
    """(first, last) month of the matrix: the span up to the page's month, from the first month with data."""
    first = service.state().get("first_period") or view.month
    return max(add_months(view.month, -(span(view) - 1)), first), view.month


def what(service, view: urlstate.View) -> str:
    """'全部指标', a category's name, or one indicator's name."""
    if view.ind:
        return service.indicators[view.ind].name(view.lang)
    everything = i18n.t("data_all_indicators", view.lang)
    return f"{i18n.category_name(view.cat, view.lang)} · {everything}" if view.cat else everything


def indicator_options(service, scope: Unit, cat: str | None, lang: str) -> list[dict]:
    """The indicator choice, grouped by category (none chosen: all together)."""
    groups: dict[str, list] = {}
    for ind in offered(service, scope, cat):
        groups.setdefault(i18n.category_name(ind.category, lang), []).append(
            {"value": ind.code, "label": ind.name(lang)})
    return [{"group": name, "items": items} for name, items in groups.items()]


def row_label(service, unit: Unit, scope: Unit, lang: str) -> str:
    """A matrix row's name: the city and a township's own row say that they stand for their own indicators."""
    if unit.kind == "city":
        return i18n.t("data_city_row", lang, name=unit_label(unit, lang))
    if unit.code == scope.code:
        return i18n.t("data_own_row", lang, name=unit_label(unit, lang))
    return unit_label(unit, lang)


def matrix_rows(service, scope: Unit, frame: pd.DataFrame, lang: str, words: bool):
    """(rowData, pinned summary row, periods): per row its cells' text, status, revised mark and tooltip."""
    periods = sorted(set(frame["period"]))
    rows: dict[str, dict] = {}
    complete = {p: [0, 0] for p in periods}
    for r in frame.itertuples(index=False):
        if r.row not in rows:
            unit = service.unit(r.row)
            rows[r.row] = {"code": r.row, "kind": unit.kind, "name": row_label(service, unit, scope, lang)}
        row = rows[r.row]
        row[r.period] = data_page.cell_text(r.status, r.reported, r.expected, r.days_late, r.revised, lang, words)
        row[r.period + "_s"] = r.status
        row[r.period + "_r"] = bool(r.revised)
        row[r.period + "_t"] = tooltip(row["name"], r, lang)
        if r.status != "not_expected":
            complete[r.period][1] += 1
            complete[r.period][0] += r.status in ("on_time", "late")
    total = {"code": TOTAL_ROW, "name": i18n.t("data_complete_row", lang),
             **{p: f"{n}/{m}" for p, (n, m) in complete.items()}}
    return list(rows.values()), total, periods


def tooltip(name: str, r, lang: str) -> str:
    """A cell's words: unit, month, status, how many values are in; late by how long; revised."""
    text = i18n.t("data_tip", lang, unit=name, month=i18n.fmt_month(r.period, lang),
                  status=i18n.t("rs_" + r.status, lang), n=r.reported, m=r.expected)
    if r.status == "late" and r.days_late:
        text += f" (+{i18n.t('rs_late_days', lang, n=r.days_late)})"
    return text + (f" · {i18n.REVISED_ICON} {i18n.t('rs_revised', lang)}" if r.revised else "")


def clicked_cell(cell: dict | None) -> tuple[str, str] | None:
    """(row code, period) of a click on a month cell of a unit's row; None for names and the summary."""
    cell = cell or {}
    row, col = cell.get("rowId"), cell.get("colId") or ""
    if not row or not urlstate.CODE.match(str(row)) or not urlstate.PERIOD.match(col):
        return None
    return str(row), col


def beijing(moment) -> str | None:
    """A naive UTC time as Beijing time text, None when missing."""
    local = completeness.to_beijing(moment)
    return local.strftime(TIME_FORMAT) if local else None


def due_text(service, period: str, lang: str = "zh") -> str:
    """'2022年7月10日24时(北京时间)' / 'midnight 10 Jul 2022 (Beijing time)'."""
    day = completeness.due_date(period, service.deadline_day)
    if lang == "en":
        return f"midnight {day.day} {i18n.MONTHS_EN[day.month - 1]} {day.year} (Beijing time)"
    return f"{day.year}年{day.month}月{day.day}日24时(北京时间)"


def cell_detail(service, view: urlstate.View, row: str, period: str) -> CellDetail:
    """The clicked cell's panel values."""
    scope = scope_unit(service, view)
    lang = view.lang
    found = service.cell_history(scope.code, row, period, view.ind, view.cat)
    unit = service.unit(row)
    title = f"{row_label(service, unit, scope, lang)} · {i18n.fmt_month(period, lang)} · {what(service, view)}"
    day = completeness.due_date(period, service.deadline_day)
    due = i18n.t("data_due", lang, date=day.isoformat())
    summary = found["summary"]
    if summary.empty:  # a unit not expected that month: nothing to say but its name
        return CellDetail(title, "not_expected", 0, 0, 0, due, None, None, [], [], [])
    s = summary.iloc[0]
    return CellDetail(title, s["status"], int(s["revisions"]), int(s["reported"]), int(s["expected"]), due,
                      beijing(s["first_at"]), beijing(s["last_at"]), submission_rows(found["submissions"], lang),
                      value_rows(service, found["revisions"], lang),
                      missing_names(service, found["missing"], lang, with_indicator=view.ind is None))


def submission_rows(frame: pd.DataFrame, lang: str) -> list[dict]:
    """The submissions table's lines."""
    return [{"file_name": r.file_name, "loaded_at": beijing(r.loaded_at), "loaded_by": r.loaded_by,
             "values": int(r.values), "current": int(r.current)} for r in frame.itertuples(index=False)]


def value_rows(service, frame: pd.DataFrame, lang: str) -> list[dict]:
    """Every value and revision: revised cells first, then by indicator and unit, revisions in order."""
    files = dict(zip(frame["submission_id"], frame["file_name"]))
    revised = set(zip(frame.loc[frame["revision"] > 1, "indicator"], frame.loc[frame["revision"] > 1, "unit_code"]))
    rows = []
    for r in frame.itertuples(index=False):
        ind = service.indicators[r.indicator]
        state = i18n.t("rev_current", lang) if r.current else i18n.t(
            "rev_superseded", lang, file=files.get(r.superseded_by, f"#{r.superseded_by}"))
        rows.append({"indicator": ind.name(lang), "unit": unit_label(service.unit(r.unit_code), lang),
                     "revision": int(r.revision), "numbers": numbers(r), "file": r.file_name,
                     "loaded_at": beijing(r.loaded_at), "state": state,
                     "revised": (r.indicator, r.unit_code) in revised})
    return sorted(rows, key=lambda x: not x["revised"])  # stable: keeps indicator, unit, revision order


def numbers(r) -> str:
    """'84' for a count; '735 / 19756' for a fraction (numerator / denominator), as reported."""
    def text(x):
        return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:g}"
    if text(r.numerator) or text(r.denominator):
        return f"{text(r.numerator)} / {text(r.denominator)}"
    return text(r.value) or i18n.MISSING


def missing_names(service, frame: pd.DataFrame, lang: str, with_indicator: bool = True) -> list[str]:
    """'某村 · 重点对象月探访率' for each value still missing (just '某村' when one indicator is shown)."""
    return [unit_label(service.unit(u), lang) + (f" · {service.indicators[i].name(lang)}" if with_indicator else "")
            for u, i in zip(frame["unit_code"], frame["indicator"])]


def missing_rows(service, frame: pd.DataFrame, own_expected: dict[str, int], lang: str) -> list[dict]:
    """One row per township (or the city) with something missing: its own indicators, then its villages.

    own_expected: how many indicators a unit of each kind reports itself (all missing: said so, not listed).
    """
    out = []
    for code, group in frame.groupby("township_code", sort=True):
        unit = service.unit(code)
        own = group[group["unit_code"] == code]
        villages = sorted(set(group.loc[group["unit_code"] != code, "unit_code"]))
        names = [unit_label(service.unit(v), lang) for v in villages[:MAX_VILLAGE_NAMES]]
        village_text = ""
        if villages:
            village_text = f"{len(villages)}: " + i18n.t("list_sep", lang).join(names)
            village_text += "…" if len(villages) > MAX_VILLAGE_NAMES else ""
        own_text = i18n.t("list_sep", lang).join(service.indicators[i].name(lang) for i in own["indicator"])
        if len(own) > 1 and len(own) >= own_expected.get(unit.kind, 0):
            own_text = i18n.t("data_all_n", lang, n=len(own))
        state = i18n.t("overdue_yes" if group["overdue"].any() else "overdue_no", lang)
        out.append({"code": code, "township": row_label(service, unit, service.unit(CITY_CODE), lang)
                    if unit.kind == "city" else unit_label(unit, lang),
                    "state": state, "own": own_text, "villages": village_text})
    return out


def missing_csv_frame(service, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The missing list for sending out: one row per value, codes and Chinese names side by side."""
    yes, no = i18n.t("yes", lang), i18n.t("no", lang)
    rows = [{"township_code": t, "township_name": service.unit(t).name, "unit_code": u,
             "unit_name": service.unit(u).name, "indicator": i, "indicator_name": service.indicators[i].name_zh,
             "period": p, "due": completeness.due_date(p, service.deadline_day).isoformat(),
             "overdue": yes if o else no}
            for t, u, i, p, o in zip(frame["township_code"], frame["unit_code"], frame["indicator"],
                                     frame["period"], frame["overdue"])]
    columns = ["township_code", "township_name", "unit_code", "unit_name", "indicator", "indicator_name",
               "period", "due", "overdue"]
    return pd.DataFrame(rows, columns=columns)


def template_units(service, lang: str) -> list[dict]:
    """Who a template can be for: the city's own indicators, then each township."""
    city = service.unit(CITY_CODE)
    return [{"value": CITY_CODE, "label": i18n.t("data_city_row", lang, name=unit_label(city, lang))},
            *[{"value": t.code, "label": unit_label(t, lang)} for t in service.children(CITY_CODE)]]


def template_months(service) -> list[str]:
    """Months a template can be for: from the first month with data (or a year back) to this month, newest first."""
    now = current_period(service.today())
    first = service.state().get("first_period") or add_months(now, -11)
    return list(reversed(month_range(min(first, now), now)))
