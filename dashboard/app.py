"""The application factory: one Dash app with its service, cache, layout and callbacks.

Nothing here runs at import time. Routing is our own (dcc.Location and the navigation callback),
not Dash pages: the global page registry would tie every app in a process to the first one.
Everything the browser loads is served by the app itself (serve_locally, no CDN, no web fonts).
"""
from __future__ import annotations

import logging
from pathlib import Path

import dash
import flask
from dash import html

from . import geo, wallstate
from .cache import make_cache
from .callbacks import charts, data_page, drilldown, exports, filters, navigation, pages
from .callbacks import wall as wall_callbacks
from .data.catalogue import DIVISIONS, load_units
from .layouts import shell
from .layouts import wall as wall_layout
from . import auth, health, http, login, logs, security
from .callbacks import freshness
from .service import DatabaseUnavailable, KpiService
from .settings import Settings

log = logging.getLogger(__name__)
ASSETS = Path(__file__).with_name("assets")
TITLE = "义乌市民政目标指标看板"
CALLBACK_MODULES = (navigation, filters, pages, charts, drilldown, exports, data_page)


def create_app(settings: Settings | None = None, service: KpiService | None = None) -> dash.Dash:
    """Build the dashboard on the configured database (or on the service given, for tests)."""
    settings = settings or Settings.from_env()
    problems = settings.problems()
    if problems:
        raise SystemExit("refusing to start in production:\n- " + "\n- ".join(problems))
    app = dash.Dash(__name__, use_pages=False, serve_locally=True, assets_folder=str(ASSETS),
                    title=TITLE, update_title=None, suppress_callback_exceptions=False, compress=True,
                    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    app.scripts.config.serve_locally = True
    app.css.config.serve_locally = True
    cache = make_cache(app.server, settings)
    service = service or KpiService.from_settings(settings, cache=cache)
    service.scope_provider = security.current_township  # each request sees its principal's units only
    login.configure(app.server, settings)
    app.server.config.update(KPI_DEFAULT_LANG=settings.default_lang, KPI_TOWNSHIP_OUTLINES=_outlines(settings, service))
    app.server.config.update(KPI_TOWNSHIP_UPLOAD=settings.township_upload, KPI_UPLOAD_MAX_MB=settings.upload_max_mb,
                             KPI_UPLOAD_MAX_ROWS=settings.upload_max_rows)  # callbacks/data_upload.py
    # The layout is built per page load (the demo label follows the data); the validation layout
    # is the same tree without touching the database, so Dash can check every callback's IDs.
    # The wall display (/wall) is a tree of its own, in the same app: both trees are validated.
    app.validation_layout = html.Div([shell.layout(demo=False, lang=settings.default_lang, account=ACCOUNT_SHAPE),
                                      wall_layout.layout(wallstate.WallOptions(lang=settings.default_lang))])
    prefix = app.config.requests_pathname_prefix
    app.layout = lambda: _layout(service, settings.default_lang, prefix)
    for module in (*CALLBACK_MODULES, wall_callbacks, freshness):
        module.register(app, service)
    guard = auth.register(app, service, settings)  # after every callback: it classifies them all
    login.register(app.server, guard, settings)
    health.register(app.server, service)
    logs.register(app.server)
    http.register(app.server, app.csp_hashes)
    return app


def _layout(service: KpiService, lang: str, prefix: str = "/"):
    """The layout of a page load: the wall on /wall; else the demo label follows the data and the
    filters start with their options."""
    wall = _wall_options(lang, prefix)
    if wall is not None:
        return wall_layout.layout(wall)  # reads no database: a wall loads even while it is down
    account = _account()
    exports = getattr(security.current(), "can_export", False)
    try:
        with service.pinned():
            return shell.layout(demo=service.state()["demo"], lang=lang, account=account, exports=exports,
                                options=filters.filter_options(service, {"page": "city"}, lang, None))
    except DatabaseUnavailable:  # the page still loads; its stale banner says the database is away
        return shell.layout(demo=False, lang=lang, account=account, exports=exports)


# Any signed-in account: the validation layout holds the sign-out form too.
ACCOUNT_SHAPE = {"name": "", "role": "viewer", "csrf": ""}


def _account() -> dict | None:
    """Who is signed in, for the header (None: sign-in is off, and the header says so)."""
    principal = security.current()
    if principal is None or principal.kind in ("demo", "system"):
        return None
    return {"name": principal.name, "role": principal.role, "csrf": flask.session.get("csrf", ""),
            "logout": flask.request.script_root + "/logout"}


def _wall_options(lang: str, prefix: str) -> wallstate.WallOptions | None:
    """The wall's options when the page loading is /wall: Dash fetches the layout from /_dash-layout,
    so the page's own address is the request's Referer (same origin: browsers send it in full)."""
    if not flask.has_request_context():
        return None
    return wallstate.from_page_url(flask.request.referrer, prefix, lang)


def _outlines(settings: Settings, service: KpiService) -> dict:
    """Township outlines when a townships.geojson is provided (var/ first, then data/divisions/)."""
    path = geo.find_geojson(settings.var_dir, DIVISIONS)
    if path is None:
        return {}
    townships = {u.code: u.name for u in load_units() if u.kind == "township"}  # no database at start-up
    outlines = geo.load_outlines(path, townships)
    log.info("township map from %s: %d of %d townships", path, len(outlines), len(townships))
    return outlines
