"""Filter options and labels: they follow the language, the page and the category."""
from __future__ import annotations

from dash import Output

from dashboard import i18n, ids
from dashboard.data.catalogue import CATEGORIES, CITY_CODE

from .common import bind, find_unit, offered, store_inputs, unit_code, unit_label, view_of


def filter_options(service, route, lang, cat) -> dict[str, list]:
    """The options of each filter: months with data (newest first), categories, townships, indicators.

    The layout starts with the city's options too: a Mantine (Multi)Select drops a value that is not
    among its options, so the options must be there before the URL's choices arrive.
    """
    view = view_of(route, cat=cat, lang=lang)
    lang = view.lang
    unit = find_unit(service, unit_code(view)) if view.page != "missing" else None
    groups: dict[str, list] = {}
    for ind in offered(service, unit, view.cat):
        groups.setdefault(i18n.category_name(ind.category, lang), []).append(
            {"value": ind.code, "label": ind.name(lang)})
    return {
        "months": [{"value": p, "label": i18n.fmt_month(p, lang)} for p in reversed(service.periods())],
        "categories": [{"value": c, "label": i18n.category_name(c, lang)} for c in CATEGORIES],
        "townships": [{"value": u.code, "label": unit_label(u, lang)} for u in service.children(CITY_CODE)],
        "indicators": [{"group": name, "items": items} for name, items in groups.items()],
    }


def update_filters(service, route, lang, cat):
    """Options (months with data, categories, townships, indicators) and labels in the language."""
    view = view_of(route, cat=cat, lang=lang)
    lang = view.lang
    options = filter_options(service, route, lang, cat)
    return (i18n.t("app_title", lang),
            options["months"], i18n.t("month", lang),
            options["categories"], i18n.t("category", lang), i18n.t("all_categories", lang),
            options["townships"], i18n.t("townships", lang), i18n.t("all_townships", lang),
            "block" if view.page == "city" else "none",
            options["indicators"], i18n.t("indicator", lang))


def register(app, service) -> None:
    """Wire the filter options to the page, language and category."""
    app.callback(
        Output(ids.SHELL_TITLE, "children"),
        Output(ids.FILTER_MONTH, "data"), Output(ids.FILTER_MONTH, "label"),
        Output(ids.FILTER_CATEGORY, "data"), Output(ids.FILTER_CATEGORY, "label"),
        Output(ids.FILTER_CATEGORY, "placeholder"),
        Output(ids.FILTER_TOWNS, "data"), Output(ids.FILTER_TOWNS, "label"), Output(ids.FILTER_TOWNS, "placeholder"),
        Output(ids.FILTER_TOWNS, "display"),
        Output(ids.UNIT_INDICATOR, "data"), Output(ids.UNIT_INDICATOR, "label"),
        *store_inputs(ids.APP_ROUTE, ids.APP_LANG, ids.APP_CATEGORY),
    )(bind(update_filters, service, memo=True))
