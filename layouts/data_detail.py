"""The clicked cell of the reporting matrix: its status, the submissions behind it, every revision of
each value, and what is still missing. Built from values (callbacks/data_page.py prepares them)."""
from __future__ import annotations

import dataclasses

import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import html

from dashboard import i18n, ids

from .data_page import GRID_OPTIONS, chip, revised_chip

MAX_MISSING_NAMES = 30


@dataclasses.dataclass(frozen=True)
class CellDetail:
    """Everything the panel shows, as display values (times already Beijing time, as text)."""

    title: str
    status: str
    revisions: int
    reported: int
    expected: int
    due: str
    first: str | None
    last: str | None
    submissions: list[dict]  # file_name, loaded_at, loaded_by, values, current
    values: list[dict]       # indicator, unit, revision, numbers, file, loaded_at, state, revised
    missing: list[str]       # "unit · indicator"


def hint(lang: str) -> dmc.Text:
    """What the panel shows before a cell is clicked."""
    return dmc.Text(i18n.t("data_detail_hint", lang), c="dimmed", size="sm")


def detail(cell: CellDetail, lang: str) -> list:
    """The panel for one cell."""
    facts = [i18n.t("data_arrived", lang, n=cell.reported, m=cell.expected), cell.due]
    if cell.first:
        facts.append(i18n.t("data_first", lang, time=cell.first))
    if cell.last and cell.last != cell.first:
        facts.append(i18n.t("data_last", lang, time=cell.last))
    facts.append(i18n.t("data_beijing", lang))
    head = [chip(cell.status, i18n.report_status_label(cell.status, lang))]
    if cell.revisions:
        head.append(revised_chip(f"{i18n.REVISED_ICON} {i18n.t('data_revisions', lang, n=cell.revisions)}"))
    children = [
        dmc.Group(gap="sm", align="center", children=[
            dmc.Title(cell.title, order=4, id=ids.DATA_DETAIL_TITLE), *head]),
        dmc.Text(" · ".join(facts), size="sm", c="dimmed", mt=4),
    ]
    if cell.missing:
        children.append(_missing(cell.missing, lang))
    if cell.submissions:
        children += [dmc.Title(i18n.t("data_submissions", lang), order=5, mt="md", mb=4),
                     _submissions(cell.submissions, lang),
                     dmc.Title(i18n.t("data_values", lang), order=5, mt="md", mb=4),
                     _values(cell.values, lang)]
    return children


def _missing(names: list[str], lang: str) -> dmc.Alert:
    """The values still to come, named (the first MAX_MISSING_NAMES)."""
    shown = i18n.t("list_sep", lang).join(names[:MAX_MISSING_NAMES])
    if len(names) > MAX_MISSING_NAMES:
        shown += " " + i18n.t("data_and_more", lang, n=len(names))
    return dmc.Alert(shown, title=i18n.t("data_still_missing", lang, n=len(names)), color="orange",
                     variant="light", mt="sm")


def _submissions(rows: list[dict], lang: str) -> dmc.Table:
    """One line per submission: file, time, who, how many values it brought, how many are still current."""
    head = ["col_file", "col_loaded_at", "col_loaded_by", "col_values_n", "col_still_current"]
    body = [[r["file_name"], r["loaded_at"], r["loaded_by"], r["values"], r["current"]] for r in rows]
    return dmc.Table(id=ids.DATA_DETAIL_SUBMISSIONS, striped=True, withTableBorder=True, fz="sm",
                     data={"head": [i18n.t(h, lang) for h in head], "body": body})


def _values(rows: list[dict], lang: str) -> dag.AgGrid:
    """Every value of the cell and each of its earlier revisions."""
    revised = {"styleConditions": [{"condition": "params.data.revised", "style": {"fontWeight": 600}}]}
    columns = [
        {"field": "indicator", "headerName": i18n.t("col_indicator", lang), "flex": 3, "minWidth": 180,
         "tooltipField": "indicator", "cellStyle": revised},
        {"field": "unit", "headerName": i18n.t("data_col_unit", lang), "flex": 2, "minWidth": 140,
         "tooltipField": "unit"},
        {"field": "revision", "headerName": i18n.t("col_revision", lang), "width": 80},
        {"field": "numbers", "headerName": i18n.t("col_numbers", lang), "flex": 2, "minWidth": 150,
         "type": "rightAligned"},
        {"field": "file", "headerName": i18n.t("col_file", lang), "flex": 2, "minWidth": 160, "tooltipField": "file"},
        {"field": "loaded_at", "headerName": i18n.t("col_loaded_at", lang), "width": 150},
        {"field": "state", "headerName": i18n.t("col_state", lang), "flex": 2, "minWidth": 140,
         "tooltipField": "state"},
    ]
    return dag.AgGrid(id=ids.DATA_DETAIL_VALUES, rowData=rows, columnDefs=columns,
                      defaultColDef={"sortable": True, "resizable": True, "suppressMovable": True},
                      dashGridOptions={**GRID_OPTIONS, "pagination": True, "paginationPageSize": 10,
                                       "paginationPageSizeSelector": False},
                      style={"height": None}, className="kpi-grid")


def missing_columns(lang: str) -> list[dict]:
    """The missing list on screen: one row per township with anything missing."""
    return [
        {"field": "township", "headerName": i18n.t("col_township", lang), "width": 190 if lang == "en" else 130,
         "pinned": "left"},
        {"field": "state", "headerName": i18n.t("col_overdue", lang), "width": 100},
        {"field": "own", "headerName": i18n.t("col_missing_own", lang), "flex": 2, "minWidth": 200},
        {"field": "villages", "headerName": i18n.t("col_missing_villages", lang), "flex": 3, "minWidth": 220},
    ]


def no_rows(text: str) -> html.Div:
    """A plain message where a table would be."""
    return html.Div(text, className="kpi-report-empty")
