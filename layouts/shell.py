"""The frame of every page: URL and state stores, header, filter bar, and the page sections."""
from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import i18n, ids, theme

from . import pages

STORES = (ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_INDICATOR, ids.APP_LANG, ids.APP_TOWNS,
          ids.APP_CANONICAL, ids.APP_CANONICAL_DONE, ids.APP_DOCUMENT, ids.APP_SCROLL)


def layout(*, demo: bool, lang: str = i18n.DEFAULT_LANG, options: dict | None = None,
           account: dict | None = None, exports: bool = True) -> dmc.MantineProvider:
    """The whole app layout; demo adds the visible demo-data label; options fill the filters.

    account is who is signed in ({"name", "role", "csrf"}); None means sign-in is off, which the
    header then says in so many words. exports=False hides the download buttons (viewers: the
    server refuses them the downloads anyway)."""
    options = options or {}
    return dmc.MantineProvider(theme=theme.MANTINE_THEME, children=[
        dcc.Location(id=ids.APP_URL, refresh=False),
        *[dcc.Store(id=store) for store in STORES],
        header(demo=demo, lang=lang, options=options, account=account),
        dcc.Interval(id=ids.SHELL_HEALTH_TICK, interval=30_000),
        html.Div(id=ids.SHELL_STALE, className="kpi-stale"),
        dmc.Container(fluid=True, px="lg", pb="xl", className=None if exports else "kpi-no-export",
                      children=pages.frame(lang, indicators=options.get("indicators", []))),
    ])


def header(*, demo: bool, lang: str, options: dict, account: dict | None = None) -> html.Header:
    """Title, demo label, language switch, who is signed in, and the filter bar."""
    title = dmc.Group(gap="sm", children=[
        dmc.Title(i18n.t("app_title", lang), order=3, id=ids.SHELL_TITLE),
        dmc.Tooltip(label=i18n.t("demo_note", lang), children=dmc.Badge(
            i18n.t("demo_badge", lang), id=ids.SHELL_DEMO_BADGE, color="#E69F00", variant="filled",
            autoContrast=True, size="lg", radius="sm", tt="none", display="inline-flex" if demo else "none")),
    ])
    switch = dmc.SegmentedControl(id=ids.SHELL_LANG, value=lang, data=[
        {"value": "zh", "label": i18n.t("lang_zh", lang)}, {"value": "en", "label": i18n.t("lang_en", lang)}])
    links = html.Nav(id=ids.SHELL_NAV, className="kpi-nav")  # the dashboard and /data; callbacks/data_page.py
    return html.Header(className="kpi-header", children=[
        dmc.Group(justify="space-between", align="center", children=[
            title, dmc.Group(gap="lg", align="center", children=[links, switch, account_area(account, lang)])]),
        filter_bar(lang, options),
    ])


def account_area(account: dict | None, lang: str):
    """The signed-in user and a sign-out button (a POST with the CSRF token); or the sign-in-off label."""
    if account is None:
        return dmc.Tooltip(label=i18n.t("auth_off_note", lang), multiline=True, w=320, children=dmc.Badge(
            i18n.t("auth_off_badge", lang), id=ids.SHELL_AUTH_OFF_BADGE, color="red", variant="filled",
            size="lg", radius="sm", tt="none"))
    role = i18n.t("role_" + account["role"], lang)  # data/accounts.py keeps roles to the four it names
    return html.Form(id=ids.SHELL_ACCOUNT, method="POST", action=account.get("logout", "/logout"), className="kpi-account", children=[
        dmc.Text(f"{account['name']} · {role}", size="sm", c="dimmed"),
        dcc.Input(type="hidden", name="csrf_token", value=account["csrf"]),
        html.Button(i18n.t("logout", lang), type="submit", className="kpi-logout"),
    ])


def filter_bar(lang: str, options: dict) -> dmc.Group:
    """As-of month, category, and (on the city page) townships; a callback keeps options in the language."""
    return dmc.Group(align="flex-end", gap="md", mt="sm", children=[
        dmc.Select(id=ids.FILTER_MONTH, label=i18n.t("month", lang), data=options.get("months", []), w=160,
                   searchable=True, allowDeselect=False, maxDropdownHeight=320),
        dmc.Select(id=ids.FILTER_CATEGORY, label=i18n.t("category", lang), data=options.get("categories", []),
                   w=200, clearable=True, placeholder=i18n.t("all_categories", lang)),
        # value=[] from the start: Mantine would turn None into [] on mount, which reads as a choice.
        dmc.MultiSelect(id=ids.FILTER_TOWNS, label=i18n.t("townships", lang), data=options.get("townships", []),
                        value=[], miw=260, maw=640, clearable=True, searchable=True,
                        placeholder=i18n.t("all_townships", lang)),
    ])
