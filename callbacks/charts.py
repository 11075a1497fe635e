"""Charts: the selected indicator's trend, the ranking, tiles and table of sub-units, village trends."""
from __future__ import annotations

import math

import dash_mantine_components as dmc
from dash import Output, dcc

from dashboard import figures, i18n, ids, theme
from dashboard.data.catalogue import Indicator
from dashboard.data.periods import month_range, months_between
from dashboard.layouts import table as table_layout
from dashboard.service import LEVEL_RANK

from .common import bind, find_unit, offered, plain, store_inputs, unit_code, unit_label, view_of, window_start

HISTORY = 36  # months of history on a trend chart
CHILD_KIND = {"city": "township", "township": "village"}


def fmt_for(ind: Indicator, kind: str | None, lang: str):
    """The value formatter of an indicator (the cards' format)."""
    return lambda v: i18n.fmt_with_unit(v, ind, lang, kind)


def series_of(service, code: str, ind: str, month: str, name: str) -> figures.Series:
    """A unit's values as shown, HISTORY months up to the month."""
    rows = service.series(code, ind, month, start=window_start(service, month, HISTORY))
    return figures.Series(name, tuple(p for p, _, _ in rows), tuple(v for _, v, _ in rows),
                          tuple(part for _, _, part in rows))


def target_of(ind: Indicator, k, row, first: str) -> figures.Target | None:
    """The target marker and the line towards it: flat for levels, prorated for flows."""
    if row is None or k.target_date is None or i18n.is_missing(k.target):
        return None
    if ind.aggregation != "flow":
        return figures.Target(k.target, k.target_date, ((first, k.target), (k.target_date, k.target)))
    if row.kind == "cumulative":
        start = row.start_period or first
        span = months_between(start, row.target_period) + 1
        path = tuple((p, row.value * (i + 1) / span) for i, p in enumerate(month_range(start, row.target_period)))
        return figures.Target(k.target, k.target_date, path, prorated=True)
    path: list = []
    for year in range(int(first[:4]), int(k.target_date[:4]) + 1):
        if f"{year}-12" < (row.start_period or first):
            continue
        path += [(f"{year}-{m:02d}", row.value * m / 12) for m in range(1, 13)]
    return figures.Target(k.target, k.target_date, tuple(p for p in path if p[0] >= first), prorated=True)


def trend_figure(service, code: str, ind_code: str, month: str, lang: str, comparisons=(), height: int = 400,
                 comparisons_title: str | None = None):
    """One indicator's trend for a unit: actual, target, projection, and optional comparison lines."""
    ind = service.indicators[ind_code]
    k = next((k for k in service.kpis(code, month) if k.indicator == ind_code), None)
    unit = find_unit(service, code)
    name = unit_label(unit, lang) if comparisons else i18n.t("actual", lang)
    actual = series_of(service, code, ind_code, month, name)
    title = i18n.t("trend_title", lang, name=ind.name(lang))
    if k is None:
        return figures.no_data(i18n.t("no_data", lang), height, title)
    row = service.target_for(ind_code, code, month)
    target = target_of(ind, k, row, actual.periods[0])
    projection = None
    if not i18n.is_missing(k.projected) and k.target_date and k.target_date > month and not math.isnan(k.value):
        projection = ((month, k.value), (k.target_date, k.projected))
    others = [series_of(service, c, ind_code, month, unit_label(find_unit(service, c), lang)) for c in comparisons]
    axis = "%" if k.target_kind == "growth" else ind.unit_label(lang)
    return figures.trend(actual, fmt=fmt_for(ind, k.target_kind, lang), title=title, lang=lang, axis_title=axis,
                         target=target, projection=projection, comparisons=others, as_of=month, height=height,
                         comparisons_title=comparisons_title)


def update_trend(service, route, month, ind, lang, towns):
    """The selected indicator's trend (with the selected townships' lines on the city page)."""
    view = view_of(route, month, None, ind, lang, towns)
    if view.page not in ("city", "township") or not view.month or view.ind not in service.indicators:
        return figures.no_data(i18n.t("no_data", view.lang), 400)
    indicator = service.indicators[view.ind]
    comparable = view.page == "city" and LEVEL_RANK[indicator.level] <= LEVEL_RANK["township"]
    # A township's count is a part of the city's sum: it gets its own axis; rates share one.
    summed = indicator.measure in ("count", "score")
    # Compared lines: townships this request may see (a crafted request can name any code).
    towns = [c for c in view.towns if getattr(find_unit(service, c), "kind", None) == "township"]
    axis = i18n.t("townships_axis", view.lang) if comparable and towns and summed else None
    return trend_figure(service, unit_code(view), view.ind, view.month, view.lang,
                        comparisons=towns[:6] if comparable else (), comparisons_title=axis)


def child_indicator(service, unit, ind_code: str) -> tuple[Indicator | None, str | None]:
    """The indicator to rank sub-units by, and a note when it is not the selected one."""
    kind = CHILD_KIND.get(unit.kind)
    if kind is None:
        return None, None
    ind = service.indicators[ind_code]
    if LEVEL_RANK[ind.level] <= LEVEL_RANK[kind]:
        return ind, None
    fallback = next((i for i in service.applicable(unit) if LEVEL_RANK[i.level] <= LEVEL_RANK[kind]), None)
    return fallback, ind.code


def ranked_rows(service, unit, ind: Indicator, month: str, lang: str, towns: tuple = ()) -> list:
    """(Ranked, Kpi) per sub-unit: the engine's verdict on each."""
    out = []
    for child in service.children_kpis(unit.code, ind.code, month):
        u, k = child.unit, child.kpi
        short = i18n.TOWNSHIP_EN.get(u.code, u.name) if lang == "en" else i18n.short_name(u.name)
        out.append((figures.Ranked(u.code, unit_label(u, lang), short, k.progress, k.status,
                                   value_with_coverage(k, ind, lang), u.code in towns), k))
    return out


def value_with_coverage(k, ind: Indicator, lang: str) -> str:
    """'92.3%', or '92.3% (60/64)' when the figure rests on partial reports: bars and tiles say so too."""
    text = i18n.fmt_with_unit(k.value, ind, lang, k.target_kind)
    if k.partial and k.expected_units and not i18n.is_missing(k.value):
        text += f" ({k.reported_units}/{k.expected_units})"
    return text


def update_children(service, outlines, route, month, ind, lang, towns):
    """Ranking, tiles (or map) and table of the sub-units, with a note when the indicator changes."""
    view = view_of(route, month, None, ind, lang, towns)
    lang = view.lang
    unit = find_unit(service, unit_code(view)) if view.page in ("city", "township") else None
    empty = figures.no_data(i18n.t("no_data", lang), 300)
    if unit is None or not view.month or view.ind not in service.indicators:
        return empty, "", empty, [], table_layout.column_defs(lang), ""
    child_ind, replaced = child_indicator(service, unit, view.ind)
    kids = "townships" if unit.kind == "city" else "villages"
    if child_ind is None:
        name = service.indicators[view.ind].name(lang)
        message = figures.no_data(i18n.t("no_breakdown", lang, name=name), 300)
        return message, "", message, [], table_layout.column_defs(lang), i18n.t(f"table_title_{kids}", lang)
    note = ""
    if replaced:
        level = i18n.t("level_" + service.indicators[replaced].level, lang)
        note = i18n.t("child_fallback", lang, name=service.indicators[replaced].name(lang), level=level,
                      other=child_ind.name(lang))
    rows = ranked_rows(service, unit, child_ind, view.month, lang, view.towns)
    picked = [r for r in rows if not view.towns or r[0].code in view.towns]
    name = child_ind.name(lang)
    ranking = figures.ranking([r for r, _ in picked], title=i18n.t(f"ranking_title_{kids}", lang, name=name),
                              lang=lang)
    tiles = empty
    if unit.kind == "city":
        title_key = "map_title" if outlines else "tiles_title"
        ranked = [r for r, _ in rows]
        tiles = (figures.township_map(ranked, outlines, title=i18n.t(title_key, lang, name=name), lang=lang)
                 if outlines else figures.tiles(ranked, title=i18n.t(title_key, lang, name=name), lang=lang))
    table = [table_layout.row(r.code, r.name, child_ind, k, lang) for r, k in picked]
    return (ranking, note, tiles, table, table_layout.column_defs(lang), i18n.t(f"table_title_{kids}", lang))


def update_village_trends(service, route, month, cat, lang):
    """Every indicator of a village over time, one chart each."""
    view = view_of(route, month, cat, None, lang)
    if view.page != "village" or not view.month:
        return []
    unit = find_unit(service, view.unit)
    return [dmc.Paper(withBorder=True, p="md", mt="lg", children=dcc.Graph(
                id=ids.village_trend(ind.code), mathjax=False, config=theme.GRAPH_CONFIG,
                figure=trend_figure(service, unit.code, ind.code, view.month, view.lang, height=380)))
            for ind in offered(service, unit, view.cat)]


def register(app, service) -> None:
    """Wire the charts to the state stores."""
    outlines = app.server.config.get("KPI_TOWNSHIP_OUTLINES") or {}

    def children(*args):
        """update_children with this app's service and township outlines, cached like the others."""
        with service.pinned():
            return service.remember(f"{__name__}.update_children", args,
                                    lambda: plain(update_children(service, outlines, *args)))
    children.__name__ = update_children.__name__

    app.callback(
        Output(ids.UNIT_TREND, "figure"),
        *store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_INDICATOR, ids.APP_LANG, ids.APP_TOWNS),
    )(bind(update_trend, service, memo=True))
    app.callback(
        Output(ids.UNIT_RANKING, "figure"), Output(ids.UNIT_RANKING_NOTE, "children"),
        Output(ids.UNIT_TILES, "figure"), Output(ids.UNIT_TABLE, "rowData"), Output(ids.UNIT_TABLE, "columnDefs"),
        Output(ids.UNIT_TABLE_TITLE, "children"),
        *store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_INDICATOR, ids.APP_LANG, ids.APP_TOWNS),
    )(children)
    app.callback(
        Output(ids.VILLAGE_TRENDS, "children"),
        *store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_LANG),
    )(bind(update_village_trends, service, memo=True))

