"""The page frame (breadcrumb, title, alerts, which sections show) and the KPI cards."""
from __future__ import annotations

import dash_mantine_components as dmc
from dash import Output, dcc

from dashboard import figures, i18n, ids, urlstate
from dashboard.layouts import breadcrumb as crumbs
from dashboard.layouts import cards as card_layout
from dashboard.layouts.pages import HIDDEN, SHOWN

from .common import bind, find_unit, offered, store_inputs, unit_code, unit_label, view_of, window_start

SPARK_MONTHS = 12


def update_frame(service, route, month, cat, ind, lang, towns):
    """Breadcrumb, title, subtitle, alert, and which sections the page shows."""
    view = view_of(route, month, cat, ind, lang, towns)
    lang = view.lang
    unit = find_unit(service, unit_code(view)) if view.page != "missing" else None
    if unit is None:
        alert = dmc.Alert(title=i18n.t("not_found", lang), color="gray", children=dcc.Link(
            i18n.t("not_found_hint", lang), href=urlstate.href_for(urlstate.drill(view, "city", None))))
        return None, i18n.t("not_found", lang), "", alert, HIDDEN, HIDDEN, HIDDEN, 12
    alert = None if view.month else dmc.Alert(i18n.t("no_data_yet", lang), color="gray", variant="light", mt="md")
    subtitle = i18n.t("as_of", lang, month=i18n.fmt_month(view.month, lang)) if view.month else ""
    has_data = view.month is not None
    unit_style = SHOWN if has_data and view.page in ("city", "township") else HIDDEN
    village_style = SHOWN if has_data and view.page == "village" else HIDDEN
    tiles_style = SHOWN if view.page == "city" else HIDDEN
    ranking_span = {"base": 12, "lg": 7} if view.page == "city" else 12
    title = i18n.t("data_title", lang, unit=unit_label(unit, lang)) if view.page == "data" else unit_label(unit, lang)
    return (crumbs.breadcrumb(trail(service, view, unit)), title, subtitle, alert,
            unit_style, village_style, tiles_style, ranking_span)


def trail(service, view: urlstate.View, unit) -> list[tuple[str, str | None]]:
    """(label, href) from the city down to the unit; the unit itself has no link."""
    chain = [unit]
    while chain[0].parent_code:
        parent = find_unit(service, chain[0].parent_code)
        if parent is None:
            break
        chain.insert(0, parent)
    items = []
    for u in chain[:-1]:
        page = "data" if view.page == "data" else "city" if u.kind == "city" else u.kind  # /data stays on /data
        code = None if page == "data" and u.kind == "city" else u.code
        items.append((unit_label(u, view.lang), urlstate.href_for(urlstate.drill(view, page, code))))
    items.append((unit_label(unit, view.lang), None))
    return items


def update_cards(service, route, month, cat, lang):
    """The KPI cards of the unit and month: headline first, then by category."""
    view = view_of(route, month, cat, None, lang)
    unit = find_unit(service, unit_code(view)) if view.page not in ("missing", "data") else None
    if unit is None:
        return []
    shown = {i.code for i in offered(service, unit, view.cat)}
    if not shown:
        return dmc.Alert(i18n.t("no_indicators", view.lang), color="gray", variant="light", mt="md")
    cards = [card_data(service, unit.code, k, view.month) for k in service.kpis(unit.code, view.month)
             if k.indicator in shown]
    return card_layout.card_groups(group_cards(cards, view.cat, view.lang), view.lang,
                                   selectable=view.page != "village" and view.month is not None)


def card_data(service, code: str, k, month: str | None) -> card_layout.CardData:
    """One card's values: the engine's verdict and the last months for the sparkline."""
    ind = service.indicators[k.indicator]
    if month is None:
        return card_layout.CardData(ind, k, figures.sparkline(figures.Series("", (), (), ()), k.status))
    rows = service.series(code, ind.code, month, start=window_start(service, month, SPARK_MONTHS))
    series = figures.Series(ind.code, tuple(p for p, _, _ in rows), tuple(v for _, v, _ in rows),
                            tuple(part for _, _, part in rows))
    target = service.target_for(ind.code, code, month) if k.target_kind == "cumulative" else None
    additive = ind.aggregation in ("stock", "flow") and k.target_kind != "growth"
    return card_layout.CardData(ind, k, figures.sparkline(series, k.status, additive=additive),
                                target.start_period if target else None)


def group_cards(cards: list, cat: str | None, lang: str) -> list[tuple[str, list]]:
    """Headline cards first, then one group per category (one group only when a category is chosen)."""
    if cat:
        return [(i18n.category_name(cat, lang), cards)]
    groups = [(i18n.t("headline", lang), [c for c in cards if c.indicator.headline])]
    for category in dict.fromkeys(c.indicator.category for c in cards if not c.indicator.headline):
        groups.append((i18n.category_name(category, lang),
                       [c for c in cards if c.indicator.category == category and not c.indicator.headline]))
    return groups


def register(app, service) -> None:
    """Wire the frame and the cards to the state stores."""
    app.callback(
        Output(ids.PAGE_BREADCRUMB, "children"), Output(ids.PAGE_TITLE, "children"),
        Output(ids.PAGE_SUBTITLE, "children"), Output(ids.PAGE_ALERT, "children"),
        Output(ids.UNIT_SECTION, "style"), Output(ids.VILLAGE_SECTION, "style"),
        Output(ids.UNIT_TILES_COLUMN, "style"), Output(ids.UNIT_RANKING_COLUMN, "span"),
        *store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_INDICATOR, ids.APP_LANG,
                      ids.APP_TOWNS),
    )(bind(update_frame, service, memo=True))
    app.callback(
        Output(ids.PAGE_CARDS, "children"),
        *store_inputs(ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_LANG),
    )(bind(update_cards, service, memo=True))
