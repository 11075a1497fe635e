"""The reporting page (/data): the completeness matrix, a legend, the missing list and the templates.

Built from values only: callbacks/data_page.py fetches and passes them in. The clicked cell's
panel is in layouts/data_detail.py, the upload card in layouts/data_upload.py.
"""
from __future__ import annotations

import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import i18n, ids, theme

from . import data_upload

HIDDEN = {"display": "none"}
WORDS_UP_TO = 12  # months shown with words in the cells; more months show icons only
GRID_OPTIONS = {"animateRows": False, "loadThemeGoogleFonts": False, "domLayout": "autoHeight",
                "enableBrowserTooltips": True}
# At most 48 months x ~60 rows: every column rendered, so a cell off screen is in the page (find, print).
MATRIX_OPTIONS = {**GRID_OPTIONS, "suppressColumnVirtualisation": True}


def section(lang: str) -> html.Section:
    """The page's parts, empty: the callbacks fill them (and show the section on /data only)."""
    return html.Section(id=ids.DATA_SECTION, style=HIDDEN, className="kpi-section", children=[
        dmc.Paper(withBorder=True, p="md", mt="lg", children=[
            dmc.Group(justify="space-between", align="flex-end", children=[
                dmc.Title(id=ids.DATA_MATRIX_TITLE, order=4),
                dmc.Group(align="flex-end", gap="md", children=[
                    dmc.Select(id=ids.DATA_INDICATOR, label=i18n.t("indicator", lang), data=[], w=380,
                               clearable=True, searchable=True, maxDropdownHeight=400,
                               placeholder=i18n.t("data_all_indicators", lang)),
                    dmc.SegmentedControl(id=ids.DATA_SPAN, data=[], value="12"),
                ]),
            ]),
            dmc.Text(id=ids.DATA_RULE, size="sm", c="dimmed", mt="xs"),
            html.Div(id=ids.DATA_LEGEND, className="kpi-report-legend"),
            dag.AgGrid(id=ids.DATA_MATRIX, rowData=[], columnDefs=[], getRowId="params.data.code",
                       defaultColDef={"sortable": False, "resizable": True, "suppressMovable": True},
                       dashGridOptions=MATRIX_OPTIONS, style={"height": None}, className="kpi-grid kpi-report-grid"),
        ]),
        dmc.Paper(withBorder=True, p="md", mt="lg", children=html.Div(id=ids.DATA_DETAIL)),
        dmc.Grid(mt="lg", gutter="lg", children=[
            dmc.GridCol(span={"base": 12, "lg": 7}, children=dmc.Paper(withBorder=True, p="md", children=[
                dmc.Group(justify="space-between", align="center", mb="sm", children=[
                    dmc.Title(id=ids.DATA_MISSING_TITLE, order=4),
                    dmc.Button(id=ids.DATA_MISSING_CSV, variant="light", size="compact-sm"),
                    dcc.Download(id=ids.DATA_MISSING_DOWNLOAD)]),
                dag.AgGrid(id=ids.DATA_MISSING, rowData=[], columnDefs=[], getRowId="params.data.code",
                           defaultColDef={"sortable": True, "resizable": True, "suppressMovable": True,
                                          "wrapText": True, "autoHeight": True},
                           dashGridOptions={**GRID_OPTIONS, "pagination": True, "paginationPageSize": 15,
                                            "paginationPageSizeSelector": False},
                           style={"height": None}, className="kpi-grid"),
            ])),
            dmc.GridCol(span={"base": 12, "lg": 5}, children=[dmc.Paper(withBorder=True, p="md", children=[
                dmc.Title(id=ids.DATA_TEMPLATE_TITLE, order=4),
                dmc.Text(id=ids.DATA_TEMPLATE_NOTE, size="sm", c="dimmed", mt="xs"),
                dmc.Group(align="flex-end", gap="md", mt="sm", children=[
                    dmc.Select(id=ids.DATA_TEMPLATE_UNIT, data=[], w=240, searchable=True, allowDeselect=False),
                    dmc.Select(id=ids.DATA_TEMPLATE_MONTH, data=[], w=150, searchable=True, allowDeselect=False,
                               maxDropdownHeight=320)]),
                dmc.Group(gap="sm", mt="md", children=[
                    dmc.Button(id=ids.DATA_TEMPLATE_XLSX, size="sm"),
                    dmc.Button(id=ids.DATA_TEMPLATE_CSV, size="sm", variant="light"),
                    dcc.Download(id=ids.DATA_TEMPLATE_DOWNLOAD)]),
            ]), data_upload.card()]),  # the upload card under the templates, for those who may upload
        ]),
    ])


def nav(links: list[tuple[str, str, bool]]) -> list:
    """The header's links between the dashboard and /data: (label, href, current)."""
    return [dcc.Link(label, href=href, className="kpi-nav-link" + (" kpi-nav-current" if current else ""))
            for label, href, current in links]


def chip(status: str, text: str) -> html.Span:
    """A reporting status as colour, icon and word."""
    return html.Span(text, className="kpi-report-chip", **{"data-status": status},
                     style={"background": theme.REPORTING_COLORS.get(status, "#ffffff"), "color": "#000000"})


def revised_chip(text: str) -> html.Span:
    """The revised mark: an outline in its own colour, so it reads next to any status."""
    return html.Span(text, className="kpi-report-chip", **{"data-status": "revised"},
                     style={"border": f"2px solid {theme.REPORTING_REVISED}", "color": "#000000"})


def legend(lang: str) -> list:
    """Every status: chip (colour, icon, word) and what it means."""
    items = [html.Span([chip(s, i18n.report_status_label(s, lang)), " " + i18n.t("rs_help_" + s, lang)],
                       className="kpi-report-legend-item") for s in i18n.REPORT_STATUS_ORDER]
    items.append(html.Span([revised_chip(f"{i18n.REVISED_ICON} {i18n.t('rs_revised', lang)}"),
                            " " + i18n.t("rs_help_revised", lang)], className="kpi-report-legend-item"))
    return items


def month_header(period: str, lang: str, words: bool = True) -> str:
    """'22年6月' / 'Jun 22' over a column with words; '22-06' over a narrow one."""
    year, month = period[2:4], int(period[5:7])
    if not words:
        return f"{year}-{month:02d}"
    return f"{i18n.MONTHS_EN[month - 1]} {year}" if lang == "en" else f"{year}年{month}月"


def matrix_columns(periods: list[str], lang: str, words: bool, drill: bool) -> list[dict]:
    """The unit column (a link when rows drill down), then one column per month coloured by status."""
    styles = [{"condition": f"params.data[params.colDef.field + '_s'] == '{s}'",
               "style": {"backgroundColor": c, "color": "#000000"}} for s, c in theme.REPORTING_COLORS.items()]
    styles.append({"condition": "params.data[params.colDef.field + '_r']",
                   "style": {"boxShadow": f"inset 0 0 0 2px {theme.REPORTING_REVISED}"}})
    link = {"kpi-grid-link": "params.data.kind == 'township'"} if drill else {}
    name = {"field": "name", "headerName": i18n.t("data_col_unit", lang), "pinned": "left", "minWidth": 150,
            "width": 240 if lang == "en" else 200, "tooltipField": "name", "cellClassRules": link}
    width = 108 if words else 54  # 24 narrow months and the names fit 1600 px
    return [name, *[{"field": p, "headerName": month_header(p, lang, words), "width": width, "minWidth": width,
                     "tooltipField": p + "_t", "cellClass": "kpi-report-cell",
                     "cellStyle": {"styleConditions": styles}} for p in periods]]


def cell_text(status: str, reported: int, expected: int, days_late: int, revised: bool, lang: str,
              words: bool) -> str:
    """What a matrix cell says: icon, then the word (or the count of a partial, the days of a late one)."""
    icon = i18n.REPORT_ICONS.get(status, "")
    word = i18n.t("rs_" + status, lang) if words and status not in ("partial", "not_expected") else ""
    if status == "partial":
        word = f"{reported}/{expected}"
    elif status == "late" and days_late:
        word += ("" if lang != "en" or not word else " ") + i18n.t("rs_late_days", lang, n=days_late)
    text = " ".join(part for part in (icon, word) if part)
    return text + (" " + i18n.REVISED_ICON if revised else "")
