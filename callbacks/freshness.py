"""The stale-data banner of the managers' pages: shown while the database is unreachable."""
from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output

from dashboard import i18n, ids
from dashboard.service import DatabaseUnavailable, KpiService

CHECK_EVERY_MS = 30_000


def update_freshness(service: KpiService, _tick, lang):
    """A warning while answers come from the last good data (or nothing can be answered)."""
    lang = i18n.lang_or_default(lang)
    try:
        with service.pinned():
            state = service.state()
    except DatabaseUnavailable:
        return dmc.Alert(i18n.t("db_down", lang), color="red", variant="filled", mt="sm")
    if not state["stale"]:
        return None
    when = (state["last_good_at"] or "")[11:16]
    return dmc.Alert(i18n.t("db_stale", lang, time=when), color="orange", variant="filled", mt="sm")


def register(app, service: KpiService) -> None:
    """Check the data's freshness on load and every CHECK_EVERY_MS."""
    app.callback(Output(ids.SHELL_STALE, "children"), Input(ids.SHELL_HEALTH_TICK, "n_intervals"),
                 Input(ids.APP_LANG, "data"))(lambda tick, lang: update_freshness(service, tick, lang))
