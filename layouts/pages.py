"""Page bodies. The sections are always in the layout; each route shows the ones it needs.

City and township pages: cards, the selected indicator's trend, the ranking of sub-units, the
township tiles (city only) and a sortable table. Village page: cards and every indicator over time.
"""
from __future__ import annotations

import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import figures, i18n, ids, theme

from . import data_page

HIDDEN = {"display": "none"}
SHOWN: dict = {}


def frame(lang: str, indicators: list | None = None) -> list:
    """Breadcrumb, title, alerts, cards, then the unit and village sections."""
    return [
        html.Nav(id=ids.PAGE_BREADCRUMB, className="kpi-breadcrumb"),
        dmc.Group(align="baseline", gap="md", mt="xs", children=[
            dmc.Title(id=ids.PAGE_TITLE, order=2), dmc.Text(id=ids.PAGE_SUBTITLE, c="dimmed"),
            dmc.Button(i18n.t("export_brief", lang), id=ids.EXPORT_BRIEF, variant="light", size="compact-sm",
                       display="none"),
            dcc.Download(id=ids.EXPORT_BRIEF_DOWNLOAD), dcc.Download(id=ids.EXPORT_CSV_DOWNLOAD)]),
        html.Div(id=ids.PAGE_ALERT),
        html.Div(id=ids.PAGE_CARDS),
        unit_section(lang, indicators or []),
        html.Section(id=ids.VILLAGE_SECTION, style=HIDDEN, children=[
            csv_button(ids.EXPORT_VILLAGE_CSV, lang, mt="lg"), html.Div(id=ids.VILLAGE_TRENDS)]),
        data_page.section(lang),  # /data: reporting completeness (layouts/data_page.py)
    ]


def graph(component_id, height: int = 380, static: bool = False) -> dcc.Graph:
    """A graph that starts blank (hidden axes), never as an empty axis."""
    return dcc.Graph(id=component_id, figure=figures.no_data("", height), mathjax=False,
                     config=theme.STATIC_GRAPH_CONFIG if static else theme.GRAPH_CONFIG,
                     style={"height": f"{height}px"} if static else None)


def csv_button(component_id: str, lang: str, **props) -> dmc.Button:
    """A small "download CSV" button next to a chart or table."""
    return dmc.Button(i18n.t("download_csv", lang), id=component_id, variant="subtle", size="compact-xs",
                      className="kpi-csv-button", **props)


def unit_section(lang: str, indicators: list) -> html.Section:
    """Trend of the selected indicator, ranking, tiles and table of the sub-units."""
    return html.Section(id=ids.UNIT_SECTION, style=HIDDEN, className="kpi-section", children=[
        dmc.Paper(withBorder=True, p="md", mt="lg", children=[
            dmc.Group(justify="space-between", align="flex-end", children=[
                dmc.Select(id=ids.UNIT_INDICATOR, label=i18n.t("indicator", lang), data=indicators, w=420,
                           allowDeselect=False, searchable=True, maxDropdownHeight=400),
                csv_button(ids.EXPORT_TREND_CSV, lang)]),
            graph(ids.UNIT_TREND, 400),
        ]),
        dmc.Grid(mt="lg", gutter="lg", children=[
            dmc.GridCol(id=ids.UNIT_RANKING_COLUMN, span={"base": 12, "lg": 7}, children=dmc.Paper(
                withBorder=True, p="md", children=[dmc.Text(id=ids.UNIT_RANKING_NOTE, size="sm", c="dimmed"),
                                                   graph(ids.UNIT_RANKING, 420),
                                                   csv_button(ids.EXPORT_RANKING_CSV, lang)])),
            dmc.GridCol(id=ids.UNIT_TILES_COLUMN, span={"base": 12, "lg": 5},
                        children=dmc.Paper(withBorder=True, p="md", children=[
                            graph(ids.UNIT_TILES, 520), csv_button(ids.EXPORT_TILES_CSV, lang)])),
        ]),
        dmc.Paper(withBorder=True, p="md", mt="lg", children=[
            dmc.Group(justify="space-between", align="center", mb="sm", children=[
                dmc.Title(id=ids.UNIT_TABLE_TITLE, order=4), csv_button(ids.EXPORT_TABLE_CSV, lang)]),
            dag.AgGrid(id=ids.UNIT_TABLE, rowData=[], columnDefs=[], getRowId="params.data.code",
                       defaultColDef={"sortable": True, "resizable": True, "suppressMovable": True},
                       dashGridOptions={"animateRows": False, "rowHeight": 36, "loadThemeGoogleFonts": False,
                                        "domLayout": "autoHeight", "pagination": True, "paginationPageSize": 20,
                                        "paginationPageSizeSelector": False},
                       style={"height": None}, className="kpi-grid"),  # flex columns fill the width
        ]),
    ])
