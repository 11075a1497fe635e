"""The wall display's callbacks: the data refresh on the server; rotation, clock and freshness in the browser.

The refresh sends every panel at once (callbacks/wall_data.py) and replaces the last data in
place. When the database is unreachable it sends nothing (the wall keeps its last data) and says
so: the browser then shows the stale-data banner with the time of the last good refresh, and hides
it after the next good one. When the server itself is down, the browser notices by the age of its
last good refresh; its intervals keep firing, so it recovers by itself when the server is back.
"""
from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from dash import ClientsideFunction, Input, Output, State, no_update

from dashboard import ids
from dashboard.wallstate import WallOptions

from . import wall_data

log = logging.getLogger(__name__)
# What the service raises when the database cannot be reached (connection refused or lost, file
# gone, pool exhausted). Anything else is a bug and should fail loudly.
DB_ERRORS = (sa.exc.DBAPIError, sa.exc.TimeoutError)


class Outage:
    """Logs a database outage once: a WARNING when it starts, INFO when it ends, nothing in between."""

    def __init__(self):
        self.since: float | None = None

    def failed(self, why: str) -> None:
        """A refresh could not read the database."""
        if self.since is None:
            self.since = time.monotonic()
            log.warning("wall: database unreachable, walls keep showing their last data: %s", why)

    def recovered(self) -> None:
        """A refresh read the database again."""
        if self.since is not None:
            log.info("wall: database reachable again after %.0f s", time.monotonic() - self.since)
            self.since = None


def reason(exc: Exception) -> str:
    """The first line of the driver's message, without SQLAlchemy's statement and background link."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def update_data(service, outage: Outage, n_intervals, viewport, options, health):
    """Every panel for the wall's options; on a database error no_update and a failed health instead.

    When the data version and the chart text size are those of the browser's last good refresh,
    the browser already shows the current data: only the health goes back (one version read).
    """
    wall = WallOptions.from_store(options)
    size = wall_data.font_px(viewport)
    failed = {"ok": False, "n": n_intervals}
    try:
        state = service.state()
        if state.get("stale"):  # a service that answers from its last good data during an outage
            outage.failed("the service is answering from its last good data")
            return no_update, failed
        key = f"{state['version']}:{size}"
        if health and health.get("ok") and health.get("key") == key:
            outage.recovered()
            return no_update, {"ok": True, "n": n_intervals, "key": key}
        data = wall_data.wall_data(service, wall, size)
    except DB_ERRORS as exc:
        outage.failed(reason(exc))
        return no_update, failed
    outage.recovered()
    return data, {"ok": True, "n": n_intervals, "key": key}


def register(app, service) -> None:
    """Wire the refresh to its interval and the browser-side functions of assets/wall.js."""
    outage = Outage()

    def refresh(*args):
        """update_data with this app's service and outage log."""
        return update_data(service, outage, *args)
    refresh.__name__ = update_data.__name__

    app.callback(
        Output(ids.WALL_DATA, "data"), Output(ids.WALL_HEALTH, "data"),
        Input(ids.WALL_REFRESH, "n_intervals"), Input(ids.WALL_VIEWPORT, "data"), State(ids.WALL_OPTIONS, "data"),
        State(ids.WALL_HEALTH, "data"),
    )(refresh)
    # The browser side never takes an input downstream of the refresh (see assets/wall.js): a slow
    # refresh must not hold back the rotation, the clock or the stale banner.
    shown = [(ids.WALL_UNIT, "children"), (ids.WALL_PANEL_TITLE, "children"), (ids.WALL_CONTENT, "children"),
             (ids.WALL_STAGE, "className"), (ids.WALL_GRAPH, "figure"), (ids.WALL_GRAPH_BOX, "className"),
             (ids.WALL_STEP, "children"), (ids.WALL_PROGRESS, "style"), (ids.WALL_AS_OF, "children"),
             (ids.WALL_DEMO, "className")]
    app.clientside_callback(
        ClientsideFunction("wall", "show"),
        *[Output(component, prop) for component, prop in shown],
        Input(ids.WALL_ROTATE, "n_intervals"), State(ids.WALL_OPTIONS, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("wall", "receive"),
        *[Output(component, prop, allow_duplicate=True) for component, prop in shown],
        Input(ids.WALL_DATA, "data"), State(ids.WALL_ROTATE, "n_intervals"), State(ids.WALL_OPTIONS, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("wall", "fresh"), Output(ids.WALL_FRESH, "data"), Input(ids.WALL_HEALTH, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("wall", "tick"),
        Output(ids.WALL_CLOCK, "children"), Output(ids.WALL_DATE, "children"), Output(ids.WALL_REFRESHED, "children"),
        Output(ids.WALL_BANNER, "children"), Output(ids.WALL_BANNER, "className"), Output(ids.WALL_VIEWPORT, "data"),
        Input(ids.WALL_TICK, "n_intervals"), State(ids.WALL_OPTIONS, "data"), State(ids.WALL_VIEWPORT, "data"),
    )
