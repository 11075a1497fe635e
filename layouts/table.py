"""The sortable table of sub-units: columns, and rows that sort by number and show formatted text."""
from __future__ import annotations

from dashboard import i18n, theme
from dashboard.data.catalogue import Indicator
from dashboard.engine import Kpi


def _number(x) -> float | None:
    """NaN -> None, so the grid sorts missing values last and never shows 0."""
    return None if i18n.is_missing(x) else float(x)


def _text_column(field: str, header: str, **extra) -> dict:
    """A numeric column that sorts by the number and shows the formatted text next to it."""
    return {"field": field, "headerName": header, "type": "rightAligned",
            "valueFormatter": {"function": f"params.data.{field}_text"}, **extra}


def column_defs(lang: str) -> list[dict]:
    """Name, value, target, progress, status, projection, reports."""
    status_styles = [{"condition": f"params.data.status == '{s}'",
                      "style": {"borderLeft": f"6px solid {c}"}} for s, c in theme.STATUS_COLORS.items()]
    return [
        {"field": "name", "headerName": i18n.t("col_name", lang), "flex": 2, "minWidth": 160,
         "cellClass": "kpi-grid-link"},
        _text_column("value", i18n.t("col_value", lang), flex=1, minWidth=110),
        _text_column("target", i18n.t("col_target", lang), flex=1, minWidth=110),
        _text_column("progress", i18n.t("col_progress", lang), flex=1, minWidth=100, sort="desc"),
        {"field": "status_rank", "headerName": i18n.t("col_status", lang), "flex": 1, "minWidth": 120,
         "valueFormatter": {"function": "params.data.status_text"},
         "cellStyle": {"styleConditions": status_styles}},
        _text_column("projected", i18n.t("col_projected", lang), flex=1, minWidth=110),
        {"field": "reported", "headerName": i18n.t("col_reported", lang), "flex": 1, "minWidth": 90},
    ]


def row(code: str, name: str, ind: Indicator, k: Kpi, lang: str) -> dict:
    """One sub-unit's row: numbers for sorting, *_text for display (the card formats)."""
    status_rank = i18n.STATUS_ORDER.index(k.status) if k.status in i18n.STATUS_ORDER else len(i18n.STATUS_ORDER)
    return {
        "code": code, "name": name, "status": k.status,
        "value": _number(k.value), "value_text": i18n.fmt_with_unit(k.value, ind, lang, k.target_kind),
        "target": _number(k.target), "target_text": i18n.fmt_target(k.target, ind, lang, k.target_kind),
        "progress": _number(k.progress), "progress_text": i18n.fmt_percent(k.progress),
        "status_rank": status_rank, "status_text": i18n.status_label(k.status, lang),
        "projected": _number(k.projected),
        "projected_text": i18n.fmt_with_unit(k.projected, ind, lang, k.target_kind),
        "reported": f"{k.reported_units}/{k.expected_units}" if k.expected_units else i18n.MISSING,
    }
