"""The wall display's page: a dark full-screen frame that rotates through the story by itself.

The frame is always on screen: title, the unit and panel shown, a ticking clock, the stale-data
banner (hidden while the data is fresh), the as-of month, the time of the last good refresh, the
demo label and the rotation's progress. The stage in the middle shows one panel at a time: the
refresh callback builds every panel (layouts/wall_panels.py) into a store, and the browser picks
the current one (assets/wall.js), so rotating costs no server round trip. Nothing here reads the
database: the page loads, and says it is connecting, even while the database is down.
"""
from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import i18n, ids, theme
from dashboard.wallstate import WallOptions

from . import wall_panels

LOCALES = {"zh": "zh-CN", "en": "en-GB"}


def layout(options: WallOptions) -> dmc.MantineProvider:
    """The whole wall page for the options of its URL."""
    lang = options.lang
    return dmc.MantineProvider(forceColorScheme="dark", theme=theme.MANTINE_THEME, children=html.Div(
        id=ids.WALL_ROOT, className="wall-root", lang="en" if lang == "en" else "zh-CN", children=[
            dcc.Store(id=ids.WALL_OPTIONS, data={**options.as_store(), "strings": browser_strings(lang)}),
            *[dcc.Store(id=store) for store in (ids.WALL_DATA, ids.WALL_HEALTH, ids.WALL_FRESH, ids.WALL_VIEWPORT)],
            dcc.Interval(id=ids.WALL_ROTATE, interval=round(options.rotate * 1000)),
            dcc.Interval(id=ids.WALL_REFRESH, interval=round(options.refresh * 1000)),
            dcc.Interval(id=ids.WALL_TICK, interval=1000),
            header(lang),
            html.Div(id=ids.WALL_BANNER, className="wall-banner wall-hidden", role="alert"),
            stage(lang),
            footer(lang),
        ]))


def browser_strings(lang: str) -> dict:
    """The texts the browser fills in itself (clock, refresh time, stale banner), from the catalogue."""
    keys = ("wall_refreshed", "wall_connecting", "wall_stale", "wall_stale_never")
    return {"locale": LOCALES.get(lang, "zh-CN"), **{key: i18n.t(key, lang) for key in keys}}


def header(lang: str) -> html.Header:
    """Title, the unit and panel being shown, and the clock."""
    return html.Header(className="wall-header", children=[
        html.Div(className="wall-heading", children=[
            html.Div(i18n.t("app_title", lang), className="wall-app-title"),
            html.Div(className="wall-where", children=[
                html.Span(id=ids.WALL_UNIT, className="wall-unit"),
                html.Span(id=ids.WALL_PANEL_TITLE, className="wall-panel-title"),
            ]),
        ]),
        html.Div(className="wall-time", children=[
            html.Div(id=ids.WALL_CLOCK, className="wall-clock"),
            html.Div(id=ids.WALL_DATE, className="wall-date"),
        ]),
    ])


def stage(lang: str) -> html.Main:
    """Where the panels show: text content, and one chart that is updated in place, never re-created."""
    return html.Main(id=ids.WALL_STAGE, className="wall-stage", children=[
        html.Div(id=ids.WALL_CONTENT, className="wall-content",
                 children=wall_panels.message(i18n.t("wall_connecting", lang))),
        html.Div(id=ids.WALL_GRAPH_BOX, className="wall-graph-box wall-invisible", children=dcc.Graph(
            id=ids.WALL_GRAPH, figure={"data": [], "layout": {"template": theme.wall_template(28)}},
            config=theme.STATIC_GRAPH_CONFIG, responsive=True, mathjax=False, className="wall-graph")),
    ])


def footer(lang: str) -> html.Footer:
    """How fresh the data is, the demo label, and how far the rotation has come."""
    return html.Footer(className="wall-footer", children=[
        html.Div(className="wall-freshness", children=[
            html.Span(id=ids.WALL_AS_OF, className="wall-as-of"),
            html.Span(id=ids.WALL_REFRESHED, className="wall-refreshed"),
            html.Span(i18n.t("demo_badge", lang), id=ids.WALL_DEMO, className="wall-demo wall-hidden"),
        ]),
        html.Div(id=ids.WALL_STEP, className="wall-step"),
        html.Div(className="wall-progress-track", children=html.Div(id=ids.WALL_PROGRESS, className="wall-progress")),
    ])
