"""Downloads: a high-resolution PNG of every chart (plotly's camera button, named after the view),
a CSV of exactly what each chart and table shows, and the page's one-page brief as a zip."""
from __future__ import annotations

import logging

import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard import briefs, exports, i18n, ids, security, theme
from dashboard import service as service_mod
from dashboard.render import RenderUnavailable, shared_renderer

from . import charts
from .common import bind, find_unit, offered, store_inputs, unit_code, view_of

log = logging.getLogger(__name__)
PNG_SCALE = 3  # the camera button saves at three times the on-screen size
CSV_BUTTONS = (ids.EXPORT_TREND_CSV, ids.EXPORT_RANKING_CSV, ids.EXPORT_TILES_CSV, ids.EXPORT_TABLE_CSV,
               ids.EXPORT_VILLAGE_CSV)
SHOWN = "inline-flex"


def graph_config(filename: str) -> dict:
    """The graphs' config with the camera button back, saving a PNG named after what it shows."""
    removed = [b for b in theme.GRAPH_CONFIG.get("modeBarButtonsToRemove", []) if b != "toImage"]
    return {**theme.GRAPH_CONFIG, "modeBarButtonsToRemove": removed,
            "toImageButtonOptions": {"format": "png", "scale": PNG_SCALE, "filename": filename}}


def names(service, view) -> dict[str, str] | None:
    """File stems of the page's charts: '持证社工人数_佛堂镇_2022-06', '..._排名', '..._状态', '..._明细'."""
    unit = find_unit(service, unit_code(view)) if view.page in ("city", "township") else None
    if unit is None or not view.month or view.ind not in service.indicators:  # none, or no such indicator
        return None
    lang = view.lang
    main = service.indicators[view.ind].name(lang)
    child, _ = charts.child_indicator(service, unit, view.ind)
    kids = child.name(lang) if child else main
    return {"trend": exports.file_stem(main, unit.name, view.month),
            "ranking": exports.file_stem(kids, unit.name, view.month, i18n.t("file_ranking", lang)),
            "tiles": exports.file_stem(kids, unit.name, view.month, i18n.t("file_tiles", lang)),
            "table": exports.file_stem(kids, unit.name, view.month, i18n.t("file_table", lang))}


def update_export_controls(service, route, month, ind, lang, towns):
    """The brief button (city and township pages), button labels, and PNG names that follow the view."""
    view = view_of(route, month, None, ind, lang, towns)
    stems = names(service, view) if may_export() else None  # viewers: no brief, no camera button
    csv_label = i18n.t("download_csv", view.lang)
    configs = [graph_config(stems[k]) if stems else no_update for k in ("trend", "ranking", "tiles")]
    return (SHOWN if stems else "none", i18n.t("export_brief", view.lang), *[csv_label] * len(CSV_BUTTONS),
            *configs)


def update_village_configs(service, _children, graph_ids, route, month, lang):
    """Each village chart's PNG is named after its indicator, the village and the month."""
    view = view_of(route, month, None, None, lang)
    unit = find_unit(service, unit_code(view))
    if view.page != "village" or unit is None or not view.month or not may_export():
        return [no_update] * len(graph_ids)
    return [graph_config(exports.file_stem(service.indicators[g["ind"]].name(view.lang), unit.name, view.month))
            if isinstance(g, dict) and g.get("ind") in service.indicators else no_update  # a forged ID: nothing
            for g in graph_ids]


def may_export() -> bool:
    """Whether the current principal may export (the server refuses the downloads to the others anyway)."""
    principal = security.current()
    return principal is not None and principal.can_export


def children_frame(service, unit, ind: str, month: str, towns: tuple = ()) -> pd.DataFrame:
    """The engine's rows of the sub-units a ranking or tile grid shows (the `kpis` columns, plus names)."""
    kids = [c for c in service.children_kpis(unit.code, ind, month) if not towns or c.unit.code in towns]
    frame = service_mod.kpi_frame([c.kpi for c in kids], service.indicators)
    frame.insert(2, "unit_name", [c.unit.name for c in kids])
    return frame


def csv_download(service, view, which: str, grid_rows) -> dict:
    """The CSV of one chart or table of the view, as a dcc.Download value."""
    unit = find_unit(service, unit_code(view))
    if unit is None or not view.month:  # a unit no one has (or this request may not see), or no month
        raise PreventUpdate
    if which == ids.EXPORT_VILLAGE_CSV:
        frames = [exports.figure_frame(charts.trend_figure(service, unit.code, i.code, view.month, view.lang),
                                       i.code) for i in offered(service, unit, view.cat)]
        if not frames:  # a category with no village indicator: the page shows no chart
            raise PreventUpdate
        stem = exports.file_stem(unit.name, view.month)
        return dcc.send_bytes(exports.csv_bytes(pd.concat(frames, ignore_index=True)), stem + ".csv")
    stems = names(service, view)
    if stems is None:
        raise PreventUpdate
    child, _ = charts.child_indicator(service, unit, view.ind)
    if which == ids.EXPORT_TREND_CSV:
        fig = charts.update_trend(service, {"page": view.page, "unit": view.unit}, view.month, view.ind, view.lang,
                                  list(view.towns))
        frame, stem = exports.figure_frame(fig, view.ind), stems["trend"]
    elif child is None:
        raise PreventUpdate
    elif which == ids.EXPORT_TABLE_CSV:
        frame, stem = exports.table_frame(grid_rows or [], child.code), stems["table"]
    else:
        towns = view.towns if which == ids.EXPORT_RANKING_CSV else ()  # the tiles show every township
        frame = children_frame(service, unit, child.code, view.month, towns)
        stem = stems["ranking" if which == ids.EXPORT_RANKING_CSV else "tiles"]
    return dcc.send_bytes(exports.csv_bytes(frame), stem + ".csv")


def update_csv_download(service, _trend, _ranking, _tiles, _table, _village, route, month, cat, ind, lang, towns,
                        grid_rows):
    """A click on a CSV button downloads what the chart or table next to it shows."""
    if not ctx.triggered_id or not (ctx.triggered and ctx.triggered[0].get("value")):
        raise PreventUpdate
    return csv_download(service, view_of(route, month, cat, ind, lang, towns), ctx.triggered_id, grid_rows)


def brief_zip(service, view, renderer=None) -> tuple[bytes, str]:
    """(zip bytes, file name) of the view's brief: both PNGs and the CSV; the CSV alone if no Chromium."""
    data = briefs.build(service, unit_code(view), view.month, view.lang, view.ind)
    try:
        files = briefs.files(data, renderer or shared_renderer())
    except RenderUnavailable as exc:
        log.error("brief without pictures: %s", exc)
        files = briefs.files(data, formats=("csv",))
        files["README.txt"] = f"PNG not rendered: {exc}\r\n".encode("utf-8")
    return briefs.zip_bytes(files), data.stem() + ".zip"


def update_brief_download(service, clicks, route, month, ind, lang):
    """导出简报: the brief of the unit and month on screen, as one zip."""
    if not clicks:
        raise PreventUpdate
    view = view_of(route, month, None, ind, lang)
    if view.page not in ("city", "township") or not view.month:
        raise PreventUpdate
    content, name = brief_zip(service, view)
    return dcc.send_bytes(content, name)


def register(app, service) -> None:
    """Wire the download buttons, the graphs' PNG names and the brief."""
    view_inputs = store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_INDICATOR, ids.APP_LANG, ids.APP_TOWNS)
    app.callback(
        Output(ids.EXPORT_BRIEF, "display"), Output(ids.EXPORT_BRIEF, "children"),
        *[Output(b, "children") for b in CSV_BUTTONS],
        Output(ids.UNIT_TREND, "config"), Output(ids.UNIT_RANKING, "config"), Output(ids.UNIT_TILES, "config"),
        *view_inputs,
    )(bind(update_export_controls, service))
    app.callback(
        Output({"type": ids.VILLAGE_TREND, "ind": ALL}, "config"),
        Input(ids.VILLAGE_TRENDS, "children"), State({"type": ids.VILLAGE_TREND, "ind": ALL}, "id"),
        *[State(s, "data") for s in (ids.APP_ROUTE, ids.APP_MONTH, ids.APP_LANG)],
    )(bind(update_village_configs, service))
    app.callback(
        Output(ids.EXPORT_CSV_DOWNLOAD, "data"),
        *[Input(b, "n_clicks") for b in CSV_BUTTONS],
        *[State(s, "data") for s in (ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_INDICATOR,
                                     ids.APP_LANG, ids.APP_TOWNS)],
        State(ids.UNIT_TABLE, "virtualRowData"),
        prevent_initial_call=True,
    )(bind(update_csv_download, service))
    app.callback(
        Output(ids.EXPORT_BRIEF_DOWNLOAD, "data"),
        Input(ids.EXPORT_BRIEF, "n_clicks"),
        *[State(s, "data") for s in (ids.APP_ROUTE, ids.APP_MONTH, ids.APP_INDICATOR, ids.APP_LANG)],
        running=[(Output(ids.EXPORT_BRIEF, "loading"), True, False)],
        prevent_initial_call=True,
    )(bind(update_brief_download, service))
