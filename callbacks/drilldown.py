"""Drill-down by clicking: a bar, tile or table row opens that unit's page; a card's button picks its
indicator. Each writes the URL (a new history entry), and navigation does the rest."""
from __future__ import annotations

from dash import ALL, Input, Output, ctx, no_update

from dashboard import ids, urlstate

from .common import bind, find_unit, store_states, view_of


def open_unit(service, code, stored: tuple):
    """(pathname, search) of a unit's page, keeping the month, category, indicator and language."""
    unit = find_unit(service, code) if isinstance(code, str) else None
    if unit is None or unit.kind not in ("township", "village"):
        return no_update, no_update
    view = urlstate.drill(view_of(*stored), unit.kind, unit.code)
    return urlstate.path_for(view.page, view.unit), urlstate.search_for(view)


def update_url_from_chart(service, ranking_click, tiles_click, *stored):
    """A click on a ranking bar or a township tile opens that unit."""
    click = tiles_click if ctx.triggered_id == ids.UNIT_TILES else ranking_click
    points = (click or {}).get("points") or [{}]
    return open_unit(service, points[0].get("customdata"), stored)


def update_url_from_table(service, cell, *stored):
    """A click on a table row opens that unit."""
    return open_unit(service, (cell or {}).get("rowId"), stored)


def update_url_from_card(service, clicks, *stored):
    """A card's trend button selects its indicator for the charts below."""
    if not isinstance(ctx.triggered_id, dict) or not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update  # no click: the cards were just rendered again
    return urlstate.search_for(urlstate.change(view_of(*stored), ind=ctx.triggered_id["ind"]))


# The trend is below the cards: bring it into view when a card's button is clicked.
SCROLL_TO_TREND_JS = """
function(clicks) {
    const clicked = (window.dash_clientside.callback_context.triggered || []).some(t => t.value);
    const trend = document.getElementById("%s");
    if (clicked && trend) { trend.scrollIntoView({behavior: "smooth", block: "center"}); }
    return clicked ? Date.now() : window.dash_clientside.no_update;
}
""" % ids.UNIT_TREND


def register(app, service) -> None:
    """Wire clicks to the URL."""
    url = (Output(ids.APP_URL, "pathname", allow_duplicate=True), Output(ids.APP_URL, "search", allow_duplicate=True))
    app.callback(*url, Input(ids.UNIT_RANKING, "clickData"), Input(ids.UNIT_TILES, "clickData"),
                 *store_states(), prevent_initial_call=True)(bind(update_url_from_chart, service))
    app.callback(*url, Input(ids.UNIT_TABLE, "cellClicked"), *store_states(),
                 prevent_initial_call=True)(bind(update_url_from_table, service))
    app.callback(url[1], Input({"type": ids.CARD_SELECT, "ind": ALL}, "n_clicks"), *store_states(),
                 prevent_initial_call=True)(bind(update_url_from_card, service))
    app.clientside_callback(SCROLL_TO_TREND_JS, Output(ids.APP_SCROLL, "data"),
                            Input({"type": ids.CARD_SELECT, "ind": ALL}, "n_clicks"), prevent_initial_call=True)
