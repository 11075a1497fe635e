"""The reporting page (/data, /data/<township>): controls, the matrix, a cell's history, the missing
list and its CSV, the templates, and the header links. Data comes from the service; the wording and
the tables' rows from callbacks/data_views.py; components from layouts/data_page.py. The upload
card is callbacks/data_upload.py's."""
from __future__ import annotations

import dataclasses

from dash import Input, Output, State, ctx, dcc, no_update

from dashboard import exports, i18n, ids, urlstate
from dashboard.data import templates
from dashboard.data.catalogue import CITY_CODE
from dashboard.layouts import data_detail, data_page
from dashboard.layouts.pages import HIDDEN, SHOWN

from . import data_upload
from . import data_views as views
from .common import bind, store_inputs, store_states, view_of

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def update_data_controls(service, route, cat, ind, lang):
    """Show the section on /data; the indicator choice, the span, the legend and every label in the language."""
    view = view_of(route, None, cat, ind, lang)
    lang = view.lang
    if view.page != "data":
        return (HIDDEN, *[no_update] * 17)
    scope = views.scope_unit(service, view)
    town_hint = i18n.t("data_click_town", lang) if scope.kind == "city" else ""
    rule = i18n.t("data_rule", lang, day=service.deadline_day) + " " + i18n.t("data_click_cell", lang, town=town_hint)
    spans = [{"value": str(n), "label": i18n.t("data_months", lang, n=n)} for n in urlstate.SPANS]
    units = views.template_units(service, lang)
    return (SHOWN, views.indicator_options(service, scope, view.cat, lang), view.ind, i18n.t("indicator", lang),
            i18n.t("data_all_indicators", lang), spans, str(view.span or urlstate.SPANS[0]), rule,
            data_page.legend(lang), i18n.t("data_missing_csv", lang), i18n.t("data_template_title", lang),
            i18n.t("data_template_note", lang), i18n.t("data_template_unit", lang), units,
            i18n.t("data_template_month", lang), i18n.t("data_template_xlsx", lang),
            i18n.t("data_template_csv", lang), _template_unit(view, units))


def _template_unit(view, units: list[dict]):
    """The template's unit follows the page's township when the page changes, and is left alone otherwise."""
    if ctx.triggered_id not in (None, ids.APP_ROUTE):
        return no_update
    return view.unit or units[1]["value"]


def update_template_months(service, route, month, lang):
    """Months a template can be made for (up to this month, newest first); the page's month first chosen."""
    view = view_of(route, month, None, None, lang)
    if view.page != "data":
        return no_update, no_update
    months = views.template_months(service)
    return ([{"value": p, "label": i18n.fmt_month(p, view.lang)} for p in months],
            view.month if view.month in months else months[0])


def update_matrix(service, route, month, cat, ind, lang):
    """The matrix of the page's rows x the months shown."""
    view = view_of(route, month, cat, ind, lang)
    if view.page != "data" or (view.ind and view.ind not in service.indicators):  # no such indicator: nothing
        return no_update, no_update, no_update, no_update
    scope = views.scope_unit(service, view)
    title = i18n.t("data_matrix_city" if scope.kind == "city" else "data_matrix_township", view.lang)
    if not view.month:
        return title, [], [], []
    start, end = views.window(service, view)
    frame = service.reporting_matrix(scope.code, start, end, view.ind, view.cat)
    rows, total, periods = views.matrix_rows(service, scope, frame, view.lang, words=views.words(view))
    columns = data_page.matrix_columns(periods, view.lang, views.words(view), drill=scope.kind == "city")
    return f"{title} · {views.what(service, view)}", columns, rows, [total] if rows else []


def update_detail(service, cell, route, month, cat, ind, lang):
    """The clicked cell's submissions and revisions; the hint again when the page changes."""
    view = view_of(route, month, cat, ind, lang)
    if view.page != "data" or (view.ind and view.ind not in service.indicators):
        return no_update
    clicked = views.clicked_cell(cell) if ctx.triggered_id == ids.DATA_MATRIX else None
    if clicked is None:
        return data_detail.hint(view.lang)
    row, period = clicked
    return data_detail.detail(views.cell_detail(service, view, row, period), view.lang)


def update_missing(service, route, month, cat, ind, lang, _uploaded=None):
    """What has not arrived for the page's month, one row per township (again after an upload)."""
    view = view_of(route, month, cat, ind, lang)
    if view.page != "data":
        return no_update, no_update, no_update
    if not view.month:
        return i18n.t("no_data_yet", view.lang), [], []
    frame = service.missing_reports(view.month, view.unit, view.ind, view.cat)
    title = i18n.t("data_missing_title", view.lang, month=i18n.fmt_month(view.month, view.lang))
    if frame.empty:
        title += " · " + i18n.t("data_missing_none", view.lang, month=i18n.fmt_month(view.month, view.lang))
    inds = service.reporting_indicators(views.scope_unit(service, view), view.ind, view.cat)
    own = {kind: sum(1 for i in inds if i.level == kind) for kind in ("city", "township")}
    return title, data_detail.missing_columns(view.lang), views.missing_rows(service, frame, own, view.lang)


def update_url_from_data(service, indicator, span, cell, *stored):
    """The indicator and span choices, and a click on a township's name, go to the URL."""
    route = stored[0] or {}
    view = view_of(*stored)
    if view.page != "data":
        return no_update, no_update
    if ctx.triggered_id == ids.DATA_MATRIX:
        code = (cell or {}).get("rowId") if (cell or {}).get("colId") == "name" else None
        if view.unit is not None or not code or code == CITY_CODE or code == views.TOTAL_ROW:
            return no_update, no_update
        view = urlstate.drill(view, "data", code)
    elif ctx.triggered_id == ids.DATA_INDICATOR:
        if (indicator or None) == view.ind:
            return no_update, no_update
        view = urlstate.change(view, ind=indicator or None)
    else:
        chosen = int(span) if str(span or "").isdigit() else None
        chosen = None if chosen == urlstate.SPANS[0] else chosen
        if chosen == route.get("span"):
            return no_update, no_update
        view = dataclasses.replace(view, span=chosen)
    return urlstate.path_for(view.page, view.unit), urlstate.search_for(view)


def download_missing(service, _clicks, route, month, cat, ind, lang):
    """The missing list as CSV (UTF-8 with BOM, Chinese headers with the codes): one row per value."""
    view = view_of(route, month, cat, ind, lang)
    if view.page != "data" or not view.month:
        return no_update
    frame = views.missing_csv_frame(service, service.missing_reports(view.month, view.unit, view.ind, view.cat),
                                    view.lang)
    scope = views.scope_unit(service, view)
    name = exports.file_stem(i18n.t("data_missing_file", view.lang), scope.name, view.month) + ".csv"
    return dcc.send_bytes(exports.csv_bytes(frame), name, type=exports.CSV_MIME)


def download_template(service, _xlsx, _csv, code, month):
    """The chosen unit's template for the chosen month, as .xlsx or CSV."""
    if not code or not isinstance(month, str) or not urlstate.PERIOD.fullmatch(month):
        return no_update
    unit = service.unit(code)
    rows = templates.rows(service.units(), service.catalogue, code, month)
    if ctx.triggered_id == ids.DATA_TEMPLATE_CSV:
        data, suffix, mime = templates.csv_bytes(rows), "csv", exports.CSV_MIME
    else:
        data, suffix, mime = templates.xlsx_bytes(rows, unit, month, views.due_text(service, month)), "xlsx", XLSX_MIME
    return dcc.send_bytes(data, exports.safe_part(templates.file_name(unit, month, suffix), limit=120), type=mime)


def update_nav(service, route, month, lang):
    """The header's links: the indicators dashboard and the reporting page, keeping month and language."""
    view = view_of(route, month, None, None, lang)
    to_data = urlstate.View("data", view.unit if view.page == "township" else None, view.month, lang=view.lang)
    if view.page == "data":
        to_dash = urlstate.View("township" if view.unit else "city", view.unit, view.month, lang=view.lang)
    else:  # the indicators link is the page we are on
        to_dash = urlstate.View(view.page, view.unit, view.month, lang=view.lang)
    return data_page.nav([(i18n.t("nav_dashboard", view.lang), urlstate.href_for(to_dash), view.page != "data"),
                          (i18n.t("nav_data", view.lang), urlstate.href_for(to_data), view.page == "data")])


def register(app, service) -> None:
    """Wire the reporting page."""
    stores = store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_INDICATOR, ids.APP_LANG)
    app.callback(
        Output(ids.DATA_SECTION, "style"), Output(ids.DATA_INDICATOR, "data"), Output(ids.DATA_INDICATOR, "value"),
        Output(ids.DATA_INDICATOR, "label"), Output(ids.DATA_INDICATOR, "placeholder"),
        Output(ids.DATA_SPAN, "data"), Output(ids.DATA_SPAN, "value"), Output(ids.DATA_RULE, "children"),
        Output(ids.DATA_LEGEND, "children"), Output(ids.DATA_MISSING_CSV, "children"),
        Output(ids.DATA_TEMPLATE_TITLE, "children"), Output(ids.DATA_TEMPLATE_NOTE, "children"),
        Output(ids.DATA_TEMPLATE_UNIT, "label"), Output(ids.DATA_TEMPLATE_UNIT, "data"),
        Output(ids.DATA_TEMPLATE_MONTH, "label"), Output(ids.DATA_TEMPLATE_XLSX, "children"),
        Output(ids.DATA_TEMPLATE_CSV, "children"), Output(ids.DATA_TEMPLATE_UNIT, "value"),
        *store_inputs(ids.APP_ROUTE, ids.APP_CATEGORY, ids.APP_INDICATOR, ids.APP_LANG),
    )(bind(update_data_controls, service))
    app.callback(Output(ids.DATA_TEMPLATE_MONTH, "data"), Output(ids.DATA_TEMPLATE_MONTH, "value"),
                 *store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_LANG))(bind(update_template_months, service))
    uploaded = Input(ids.DATA_UPLOAD_DONE, "data")  # a file loaded on this page: draw the new data
    app.callback(Output(ids.DATA_MATRIX_TITLE, "children"), Output(ids.DATA_MATRIX, "columnDefs"),
                 Output(ids.DATA_MATRIX, "rowData"), Output(ids.DATA_MATRIX, "dashGridOptions"),
                 *stores, uploaded)(bind(update_matrix_grid, service))
    app.callback(Output(ids.DATA_DETAIL, "children"), Input(ids.DATA_MATRIX, "cellClicked"),
                 *stores)(bind(update_detail, service))
    app.callback(Output(ids.DATA_MISSING_TITLE, "children"), Output(ids.DATA_MISSING, "columnDefs"),
                 Output(ids.DATA_MISSING, "rowData"), *stores, uploaded)(bind(update_missing, service))
    app.callback(Output(ids.APP_URL, "pathname", allow_duplicate=True),
                 Output(ids.APP_URL, "search", allow_duplicate=True),
                 Input(ids.DATA_INDICATOR, "value"), Input(ids.DATA_SPAN, "value"),
                 Input(ids.DATA_MATRIX, "cellClicked"), *store_states(),
                 prevent_initial_call=True)(bind(update_url_from_data, service))
    app.callback(Output(ids.DATA_MISSING_DOWNLOAD, "data"), Input(ids.DATA_MISSING_CSV, "n_clicks"),
                 *[State(s, "data") for s in (ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_INDICATOR,
                                              ids.APP_LANG)],
                 prevent_initial_call=True)(bind(download_missing, service))
    app.callback(Output(ids.DATA_TEMPLATE_DOWNLOAD, "data"), Input(ids.DATA_TEMPLATE_XLSX, "n_clicks"),
                 Input(ids.DATA_TEMPLATE_CSV, "n_clicks"), State(ids.DATA_TEMPLATE_UNIT, "value"),
                 State(ids.DATA_TEMPLATE_MONTH, "value"),
                 prevent_initial_call=True)(bind(download_template, service))
    app.callback(Output(ids.SHELL_NAV, "children"),
                 *store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_LANG))(bind(update_nav, service))
    data_upload.register(app, service)


def update_matrix_grid(service, route, month, cat, ind, lang, _uploaded=None):
    """update_matrix, with its summary row pinned under the grid (a grid option); again after an upload."""
    title, columns, rows, pinned = update_matrix(service, route, month, cat, ind, lang)
    if title is no_update:
        return (no_update,) * 4
    return title, columns, rows, {**data_page.MATRIX_OPTIONS, "pinnedBottomRowData": pinned}
