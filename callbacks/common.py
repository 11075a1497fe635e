"""What every callbacks module needs: the state stores as one view, facts from the service, binding."""
from __future__ import annotations

import json
from collections.abc import Callable

from dash import Input, State, no_update
from dash.exceptions import PreventUpdate
from plotly.io.json import to_json_plotly

from dashboard import i18n, ids, urlstate
from dashboard.data.catalogue import CATEGORIES, CITY_CODE, Indicator, Unit
from dashboard.data.periods import add_months
from dashboard.service import DatabaseUnavailable, KpiService, UnknownUnit

STORE_IDS = (ids.APP_ROUTE, ids.APP_MONTH, ids.APP_CATEGORY, ids.APP_INDICATOR, ids.APP_LANG, ids.APP_TOWNS)


def store_inputs(*names: str) -> list[Input]:
    """Inputs on some of the state stores."""
    return [Input(name, "data") for name in names]


def store_states() -> list[State]:
    """States of every state store, in STORE_IDS order."""
    return [State(name, "data") for name in STORE_IDS]


def view_of(route: dict | None, month=None, cat=None, ind=None, lang=None, towns=None) -> urlstate.View:
    """The view the stores hold (ind is the indicator in effect); a malformed month or town is none."""
    route = route or {}
    month = month if isinstance(month, str) and urlstate.PERIOD.fullmatch(month) else None
    towns = tuple(t for t in towns or () if isinstance(t, str))
    return urlstate.View(page=route.get("page") or "city", unit=route.get("unit"), month=month, cat=cat, ind=ind,
                         lang=i18n.lang_or_default(lang), towns=towns, span=route.get("span"))


def unit_code(view: urlstate.View) -> str:
    """The unit a view is about: the city unless a township or village is named."""
    return view.unit or CITY_CODE


def find_unit(service: KpiService, code: str | None) -> Unit | None:
    """The unit with that code, or None."""
    try:
        return service.unit(code or CITY_CODE)
    except UnknownUnit:
        return None


def facts(service: KpiService, view: urlstate.View, default_lang: str) -> urlstate.Facts:
    """What a view is checked against, from the service."""
    named = view.page in ("township", "village") or (view.page == "data" and view.unit)
    unit = find_unit(service, view.unit) if named else find_unit(service, None)
    indicators = [(i.code, i.category) for i in service.applicable(unit)] if unit else []
    return urlstate.Facts(unit_kind=unit.kind if unit else None, months=service.periods(),
                          indicators=indicators, townships=[u.code for u in service.children(CITY_CODE)],
                          categories=CATEGORIES, default_lang=default_lang)


def offered(service: KpiService, unit: Unit | None, cat: str | None) -> list[Indicator]:
    """The indicators a unit's page offers under a category (all categories when None)."""
    if unit is None:
        return []
    return [i for i in service.applicable(unit) if cat is None or i.category == cat]


def effective_indicator(service: KpiService, view: urlstate.View) -> str | None:
    """The chosen indicator, or the first the page offers (the headline ones come first).

    On /data no indicator means all of them together."""
    if view.ind or view.page == "data":
        return view.ind
    choices = offered(service, find_unit(service, unit_code(view)) if view.page != "missing" else None, view.cat)
    return choices[0].code if choices else None


def window_start(service: KpiService, month: str, months: int) -> str:
    """The first of `months` months up to month, but not before the first month with data."""
    first = service.state().get("first_period")
    start = add_months(month, -(months - 1))
    return max(start, first) if first and first <= month else start


def bind(fn: Callable, service: KpiService, memo: bool = False) -> Callable:
    """fn with the service as its first argument, under fn's name (Dash callbacks take Inputs only).

    memo=True caches the output per (arguments, data version) as plain JSON data, for callbacks whose
    output depends on nothing else: a warm call is then one cache read.
    """
    name = f"{fn.__module__}.{fn.__qualname__}"

    def bound(*args):
        """fn(service, *args), reading the data version once."""
        try:
            with service.pinned():
                if not memo:
                    return fn(service, *args)
                return service.remember(name, args, lambda: plain(fn(service, *args)))
        except DatabaseUnavailable:
            raise PreventUpdate from None  # keep what is on screen; the stale banner says why
        except UnknownUnit:
            raise PreventUpdate from None  # a unit no one has, or this request may not see: nothing to show
    bound.__name__ = fn.__name__
    bound.__qualname__ = fn.__qualname__
    bound.__doc__ = fn.__doc__
    bound.__module__ = fn.__module__
    return bound


def plain(output):
    """A callback output as plain JSON data (what Dash would send), keeping no_update markers."""
    if isinstance(output, tuple):
        return tuple(plain(part) for part in output)
    if output is no_update:
        return output
    return json.loads(to_json_plotly(output))


def unit_label(unit: Unit, lang: str) -> str:
    """A unit's display name in a language."""
    return i18n.unit_name(unit.code, unit.name, unit.kind, lang)
