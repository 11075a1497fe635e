"""The upload card of /data: drop a monthly file, see it checked, load it; and what became of it.

Built from values only: callbacks/data_upload.py decides who sees the card and what each result is.
File names and error reasons are user input: they go into text props only, never into HTML.
"""
from __future__ import annotations

import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import i18n, ids

HIDDEN, SHOWN = {"display": "none"}, {"display": "block"}
ACCEPT = ".csv,.xlsx"
MAX_ERRORS_SHOWN = 200
DROP_STYLE = {"border": "2px dashed #868e96", "borderRadius": "8px", "padding": "18px 24px", "textAlign": "center",
              "cursor": "pointer", "background": "#f8f9fa", "flex": "1 1 320px", "minWidth": "240px"}
DROP_ACTIVE = {**DROP_STYLE, "borderColor": "#0072B2", "background": "#e7f1fa"}
DROP_REJECT = {**DROP_STYLE, "borderColor": "#D55E00", "background": "#fbeee6"}
ERRORS_PER_PAGE = 20
ERROR_GRID_OPTIONS = {"animateRows": False, "loadThemeGoogleFonts": False, "domLayout": "autoHeight",
                      "paginationPageSize": ERRORS_PER_PAGE, "paginationPageSizeSelector": False}


def card() -> html.Div:
    """The card, hidden and without words: callbacks/data_upload.py shows and labels it for those who may upload."""
    return html.Div(id=ids.DATA_FILE_CARD, style=HIDDEN, children=dmc.Paper(withBorder=True, p="md", mt="lg", children=[
        dmc.Title(id=ids.DATA_FILE_TITLE, order=4),
        dmc.Text(id=ids.DATA_FILE_HELP, size="sm", c="dimmed", mt="xs"),
        dmc.Group(align="center", gap="md", mt="sm", children=[
            dcc.Upload(id=ids.DATA_FILE_DROP, accept=ACCEPT, multiple=False, style=DROP_STYLE, style_active=DROP_ACTIVE,
                       style_reject=DROP_REJECT, children=html.Div(id=ids.DATA_FILE_DROP_TEXT)),
            dmc.Button(id=ids.DATA_UPLOAD_LOAD, disabled=True, size="md",
                       children=html.Span(id=ids.DATA_FILE_LOAD_LABEL)),
        ]),
        dcc.Loading(type="dot", children=html.Div(id=ids.DATA_UPLOAD_RESULT, style={"marginTop": "12px"})),
        dcc.Store(id=ids.DATA_UPLOAD_DONE),
    ]))


def help_text(lang: str, township: bool) -> list:
    """What to upload, linking to the page's templates; a township account's limit."""
    before, _, after = i18n.t("upload_help", lang, template="\0").partition("\0")
    link = html.A(i18n.t("upload_template_link", lang), href="#" + ids.DATA_TEMPLATE_TITLE)
    note = [" " + i18n.t("upload_township_note", lang)] if township else []
    return [before, link, after, *note]


def drop_text(lang: str, max_mb: float, max_rows: int) -> list:
    """The words in the drop zone: what to do, and the limits."""
    return [dmc.Text(i18n.t("upload_drop", lang), fw=500),
            dmc.Text(i18n.t("upload_limits", lang, mb=f"{max_mb:g}", rows=f"{max_rows:,}"), size="xs", c="dimmed")]


def outcome(kind: str, title: str, body: str, lang: str = "zh", errors: list[dict] | None = None,
            total: int = 0) -> dmc.Alert:
    """One result: kind is ok (written), checked (ready to load), same (nothing to do) or error."""
    color = {"ok": "teal", "checked": "blue", "same": "gray"}.get(kind, "red")
    children = [dmc.Text(body, size="sm")]
    if errors:
        if total > len(errors):
            children.append(dmc.Text(i18n.t("upload_errors_more", lang, shown=len(errors), n=f"{total:,}"),
                                     size="sm", fw=500, mt=4))
        children.append(error_grid(errors, lang))
    return dmc.Alert(title=title, color=color, variant="light", children=children)


def error_rows(problems: list[tuple[int, str]], lang: str) -> list[dict]:
    """The grid's rows, in line order: the line as shown (line 0 is the whole file) and the reason."""
    whole = i18n.t("upload_whole_file", lang)
    return [{"line": str(line) if line else whole, "reason": reason} for line, reason in problems]


def error_grid(errors: list[dict], lang: str) -> dag.AgGrid:
    """One row per problem, in line order."""
    columns = [
        {"field": "line", "headerName": i18n.t("upload_col_line", lang), "width": 110},
        {"field": "reason", "headerName": i18n.t("upload_col_reason", lang), "flex": 1, "minWidth": 300,
         "wrapText": True, "autoHeight": True, "tooltipField": "reason"},
    ]
    return dag.AgGrid(id=ids.DATA_UPLOAD_ERRORS, rowData=errors, columnDefs=columns,
                      defaultColDef={"sortable": False, "resizable": True, "suppressMovable": True},
                      dashGridOptions={**ERROR_GRID_OPTIONS, "pagination": len(errors) > ERRORS_PER_PAGE},
                      style={"height": None, "marginTop": "8px"},
                      className="kpi-grid")
