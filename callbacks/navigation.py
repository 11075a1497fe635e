"""URL <-> filters <-> state stores. The URL is the source of truth.

One callback, so that the URL and the filters can update each other without a dependency cycle:
when the URL changes (load, back/forward, drill-down), the filters and stores follow it; when a
filter changes, the URL follows (pushState, no reload) and so do the stores. Stores that did not
change are left alone, so only the areas that depend on what changed recompute.
"""
from __future__ import annotations

from dash import Input, Output, ctx, no_update

from dashboard import ids, urlstate

from .common import STORE_IDS, effective_indicator, facts, store_states

# Filter component -> the view field it sets.
CONTROLS = {ids.FILTER_MONTH: "month", ids.FILTER_CATEGORY: "cat", ids.FILTER_TOWNS: "towns",
            ids.SHELL_LANG: "lang", ids.UNIT_INDICATOR: "ind"}


def next_view(service, trigger, pathname, search, controls: dict, default_lang: str = "zh"):
    """(view, indicator in effect, new search or None, canonical href or None) after an event."""
    asked = urlstate.parse(pathname, search)
    view = urlstate.resolve(asked, facts(service, asked, default_lang))
    new_search = canonical = None
    if trigger in CONTROLS:
        field = CONTROLS[trigger]
        value = tuple(controls[field] or ()) if field == "towns" else controls[field]
        chosen = urlstate.change(view, **{field: value})
        changed = urlstate.resolve(chosen, facts(service, chosen, default_lang))
        # A filter that reports the value it already had (Mantine does, when its options change)
        # is no choice: no new history entry.
        if changed != view:
            view, new_search = changed, urlstate.search_for(changed)
    elif view.page != "missing":
        href = urlstate.href_for(view)
        canonical = href if href != (pathname or "/") + (search or "") else None
    return view, effective_indicator(service, view), new_search, canonical


def update_view(service, pathname, search, month, cat, towns, lang, ind, *stored, default_lang="zh"):
    """Sync URL, filters and state stores after a URL change or a filter change."""
    controls = {"month": month, "cat": cat, "towns": towns, "lang": lang, "ind": ind}
    view, effective, new_search, canonical = next_view(service, ctx.triggered_id, pathname, search, controls,
                                                       default_lang)
    wanted_controls = {"month": view.month, "cat": view.cat, "towns": list(view.towns), "lang": view.lang,
                       "ind": effective}
    route = {"page": view.page, "unit": view.unit, **({"span": view.span} if view.page == "data" else {})}
    wanted_stores = [route, view.month, view.cat, effective, view.lang, list(view.towns)]
    return (
        new_search if new_search is not None else no_update,
        *[_changed(controls[k], wanted_controls[k]) for k in ("month", "cat", "towns", "lang", "ind")],
        *[_changed(old, new) for old, new in zip(stored, wanted_stores)],
        canonical if canonical is not None else no_update,
    )


def _changed(old, new):
    """new, or no_update when it equals old (so nothing downstream fires for nothing)."""
    return no_update if old == new else new


# Rewrites the address bar without a new history entry (dcc.Location can only push), then tells
# dcc.Location, as dcc.Link does after a pushState, so that its props match the address bar again.
REPLACE_URL_JS = """
function(href) {
    if (href && href !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, "", href);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    }
    return href || null;
}
"""
# The tab title follows the language. (<html lang> stays zh-CN, set in the page template, so
# Chinese glyphs are always the simplified-Chinese forms of the CJK fonts.)
DOCUMENT_TITLE_JS = """
function(lang, title) {
    if (typeof title === "string" && title) { document.title = title; }
    return lang || null;
}
"""


def register(app, service) -> None:
    """Wire the URL, the filters and the stores."""
    default_lang = app.server.config.get("KPI_DEFAULT_LANG", "zh")

    def sync(*args):
        """update_view with this app's service and default language."""
        return update_view(service, *args, default_lang=default_lang)
    sync.__name__ = update_view.__name__

    app.callback(
        Output(ids.APP_URL, "search"),
        *[Output(component, prop) for component, prop in (
            (ids.FILTER_MONTH, "value"), (ids.FILTER_CATEGORY, "value"), (ids.FILTER_TOWNS, "value"),
            (ids.SHELL_LANG, "value"), (ids.UNIT_INDICATOR, "value"))],
        *[Output(store, "data") for store in STORE_IDS],
        Output(ids.APP_CANONICAL, "data"),
        Input(ids.APP_URL, "pathname"), Input(ids.APP_URL, "search"),
        Input(ids.FILTER_MONTH, "value"), Input(ids.FILTER_CATEGORY, "value"), Input(ids.FILTER_TOWNS, "value"),
        Input(ids.SHELL_LANG, "value"), Input(ids.UNIT_INDICATOR, "value"),
        *store_states(),
    )(sync)
    app.clientside_callback(REPLACE_URL_JS, Output(ids.APP_CANONICAL_DONE, "data"),
                            Input(ids.APP_CANONICAL, "data"))
    app.clientside_callback(DOCUMENT_TITLE_JS, Output(ids.APP_DOCUMENT, "data"),
                            Input(ids.APP_LANG, "data"), Input(ids.SHELL_TITLE, "children"))
