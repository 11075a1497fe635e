"""Callback functions called directly with values, on the demo data set and on an empty database."""
from __future__ import annotations

import json
import math
from contextvars import copy_context

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import i18n, ids, urlstate
from dashboard.callbacks import charts, common, drilldown, filters, navigation, pages
from dashboard.data.catalogue import CITY_CODE
from dashboard.service import KpiService
from helpers import walk

FOTANG = "330782100000"
VILLAGE = "330782100014"  # 大成社区居委会, in 佛堂镇
MONTH = "2022-06"
NO_STORES = (None,) * 6


def triggered(fn, prop_id: str | None, *args, value=1, **kwargs):
    """Call a callback function as Dash would, with ctx.triggered set to prop_id."""
    def run():
        inputs = [{"prop_id": prop_id, "value": value}] if prop_id else []
        context_value.set(AttributeDict(triggered_inputs=inputs))
        return fn(*args, **kwargs)
    return copy_context().run(run)


def fields(tree, field: str) -> dict[str, str]:
    """indicator -> text of the elements tagged data-field=field."""
    return {c._prop_names and getattr(c, "data-kpi"): c.children for c in walk(tree)
            if getattr(c, "data-field", None) == field}


def stores(route, month=MONTH, cat=None, ind=None, lang="zh", towns=()):
    return ({"page": route[0], "unit": route[1]}, month, cat, ind, lang, list(towns))


@pytest.fixture(scope="module")
def empty_service(empty_settings):
    return KpiService.from_settings(empty_settings)


# --- URL state ---------------------------------------------------------------------------------
def facts(months=("2022-05", "2022-06"), kind="city"):
    return urlstate.Facts(unit_kind=kind, months=months,
                          indicators=[("certified_social_workers", "基层治理"), ("elderly_beds_per_1000", "养老")],
                          townships=[FOTANG], categories=("养老", "基层治理"))


def test_url_round_trips_every_choice():
    view = urlstate.View("city", None, "2022-05", "养老", "elderly_beds_per_1000", "en", (FOTANG,))
    href = urlstate.href_for(view)
    path, _, query = href.partition("?")
    assert urlstate.resolve(urlstate.parse(path, "?" + query), facts()) == view


def test_unknown_url_values_fall_back_to_defaults():
    view = urlstate.resolve(urlstate.parse("/", "?month=1999-01&cat=x&ind=nope&lang=fr&towns=1,2"), facts())
    assert view == urlstate.View("city", None, "2022-06", None, None, "zh", ())


def test_an_indicator_outside_the_category_is_dropped():
    view = urlstate.resolve(urlstate.parse("/", "?cat=养老&ind=certified_social_workers"), facts())
    assert view.cat == "养老" and view.ind is None


def test_changing_the_category_clears_the_indicator_chosen_under_it():
    view = urlstate.View(cat="养老", ind="elderly_beds_per_1000")
    assert urlstate.change(view, cat=None).ind is None
    assert urlstate.change(view, month="2022-01").ind == "elderly_beds_per_1000"


def test_paths_name_the_page_and_unit():
    assert urlstate.parse_path("/township/330782100000") == ("township", FOTANG)
    assert urlstate.parse_path("/village/12") == ("missing", None)
    assert urlstate.parse_path("/nope") == ("missing", None)
    assert urlstate.path_for("village", VILLAGE) == f"/village/{VILLAGE}"


def test_a_path_naming_a_unit_of_another_kind_is_missing():
    assert urlstate.resolve(urlstate.View("village", FOTANG), facts(kind="township")).page == "missing"


def test_township_filter_only_lives_on_the_city_page():
    view = urlstate.drill(urlstate.View(towns=(FOTANG,), month=MONTH), "township", FOTANG)
    assert view.towns == () and "towns" not in urlstate.search_for(view)


# --- navigation ---------------------------------------------------------------------------------
def test_opening_a_url_sets_filters_and_stores_and_pins_the_month(demo_service):
    out = triggered(navigation.update_view, None, demo_service, "/", "", None, None, [], "zh", None, *NO_STORES)
    url, month, cat, towns, lang, ind, route, s_month, s_cat, s_ind, s_lang, s_towns, canonical = out
    assert url is no_update
    assert month == s_month == demo_service.state()["latest_period"]
    assert ind == s_ind == "certified_social_workers"  # the first headline indicator
    assert route == {"page": "city", "unit": None}
    assert canonical == f"/?month={month}&lang=zh"


def test_changing_a_filter_writes_the_url(demo_service):
    out = triggered(navigation.update_view, f"{ids.FILTER_MONTH}.value", demo_service,
                    "/", "?month=2022-06&lang=zh", "2021-03", None, [], "zh", "certified_social_workers",
                    *stores(("city", None)))
    assert out[0] == "?month=2021-03&lang=zh"
    assert out[1] is no_update  # the month filter already shows it
    assert out[7] == "2021-03"  # the month store
    assert out[6] is no_update  # the route did not change: nothing downstream of it recomputes


def test_a_filter_repeating_its_value_makes_no_history_entry(demo_service):
    out = triggered(navigation.update_view, f"{ids.FILTER_CATEGORY}.value", demo_service,
                    "/", "", MONTH, None, [], "zh", "certified_social_workers", *stores(("city", None)))
    assert out[0] is no_update


def test_clearing_the_category_clears_the_indicator(demo_service):
    out = triggered(navigation.update_view, f"{ids.FILTER_CATEGORY}.value", demo_service,
                    "/", "?month=2022-06&cat=养老&ind=meal_service_coverage&lang=zh", None, None, [], "zh",
                    "meal_service_coverage", *stores(("city", None), cat="养老", ind="meal_service_coverage"))
    assert out[0] == "?month=2022-06&lang=zh"
    assert out[5] == "certified_social_workers"


def test_switching_language_keeps_everything_else(demo_service):
    out = triggered(navigation.update_view, f"{ids.SHELL_LANG}.value", demo_service,
                    f"/township/{FOTANG}", "?month=2022-06&lang=zh", MONTH, None, [], "en", "certified_social_workers",
                    *stores(("township", FOTANG)))
    assert out[0] == "?month=2022-06&lang=en"
    assert out[10] == "en"


def test_an_unknown_unit_is_the_missing_page(demo_service):
    out = triggered(navigation.update_view, None, demo_service, "/township/330782999000", "", None, None, [], "zh",
                    None, *NO_STORES)
    assert out[6] == {"page": "missing", "unit": None}
    assert out[-1] is no_update


def test_empty_database_has_no_month_and_no_exception(empty_service):
    out = triggered(navigation.update_view, None, empty_service, "/", "", None, None, [], "zh", None, *NO_STORES)
    assert out[7] is no_update or out[7] is None  # month store stays empty
    assert out[1] is no_update or out[1] is None


# --- filters and frame ----------------------------------------------------------------------------
def test_filter_options_follow_language_and_page(demo_service):
    out = filters.update_filters(demo_service, {"page": "city", "unit": None}, "en", None)
    title, months, month_label, cats, *_rest = out
    assert title == i18n.t("app_title", "en") and month_label == "As of month"
    assert months[0] == {"value": "2022-12", "label": "Dec 2022"} and months[-1]["value"] == "2019-01"
    assert [c["label"] for c in cats][:2] == ["Assistance", "Elderly care"]
    assert out[9] == "block"
    township = filters.update_filters(demo_service, {"page": "township", "unit": FOTANG}, "zh", "养老")
    assert township[9] == "none"
    groups = township[10]
    assert [g["group"] for g in groups] == ["养老"]
    assert "charity_index" not in {i["value"] for g in groups for i in g["items"]}


def test_village_breadcrumb_leads_back_up_with_the_view_kept(demo_service):
    out = pages.update_frame(demo_service, {"page": "village", "unit": VILLAGE}, MONTH, None,
                             "key_recipient_visit_rate", "zh", [])
    crumbs = out[0]
    links = [c for c in walk(crumbs) if getattr(c, "href", None)]
    assert [link.children for link in links] == ["义乌市", "佛堂镇"]
    assert links[0].href == "/?month=2022-06&ind=key_recipient_visit_rate&lang=zh"
    assert links[1].href == f"/township/{FOTANG}?month=2022-06&ind=key_recipient_visit_rate&lang=zh"
    assert out[1] == "大成社区居委会" and out[2] == "截至2022年6月"
    assert out[4] == {"display": "none"} and out[5] == {}  # village section only


def test_missing_page_says_so(demo_service):
    out = pages.update_frame(demo_service, {"page": "missing", "unit": None}, MONTH, None, None, "en", [])
    assert out[1] == "No such page or unit"


def test_empty_database_says_no_data_yet(empty_service):
    out = pages.update_frame(empty_service, {"page": "city", "unit": None}, None, None, None, "zh", [])
    assert "暂无数据" in out[3].children
    assert out[4] == {"display": "none"}


# --- cards ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("route", [("city", None), ("township", FOTANG), ("village", VILLAGE)])
def test_card_numbers_are_the_engines(demo_service, route):
    tree = pages.update_cards(demo_service, {"page": route[0], "unit": route[1]}, MONTH, None, "zh")
    values, statuses = fields(tree, "value"), fields(tree, "status")
    kpis = demo_service.kpis(route[1] or CITY_CODE, MONTH)
    assert set(values) == {k.indicator for k in kpis}
    for k in kpis:
        ind = demo_service.indicators[k.indicator]
        assert values[k.indicator] == i18n.fmt_with_unit(k.value, ind, "zh", k.target_kind)
        assert statuses[k.indicator] == i18n.status_label(k.status, "zh")


@pytest.mark.parametrize("unit", [CITY_CODE, FOTANG])
def test_card_numbers_are_what_the_kpis_command_prints(demo_service, unit):
    """The CLI's table (rounded to 4 decimals) formats to the very text on the cards."""
    route = {"page": "city", "unit": None} if unit == CITY_CODE else {"page": "township", "unit": unit}
    tree = pages.update_cards(demo_service, route, MONTH, None, "zh")
    values, progress = fields(tree, "value"), fields(tree, "progress")
    for row in demo_service.kpi_frame(unit, MONTH).itertuples():
        ind = demo_service.indicators[row.indicator]
        assert values[row.indicator] == i18n.fmt_with_unit(row.value, ind, "zh", row.target_kind), row.indicator
        if not math.isnan(row.progress):
            assert progress[row.indicator] == f"完成度 {i18n.fmt_percent(row.progress)}", row.indicator


def test_cards_show_projection_pace_and_partial_coverage(demo_service):
    tree = pages.update_cards(demo_service, {"page": "city", "unit": None}, MONTH, None, "zh")
    k = {k.indicator: k for k in demo_service.kpis(CITY_CODE, MONTH)}
    ind = demo_service.indicators["certified_social_workers"]
    projected = fields(tree, "projected")["certified_social_workers"]
    assert i18n.fmt_with_unit(k["certified_social_workers"].projected, ind, "zh") in projected
    assert i18n.fmt_pace(k["certified_social_workers"].pace_needed, ind, "zh") in fields(tree, "pace")[
        "certified_social_workers"]
    coverage = fields(tree, "coverage")
    partial = {code for code, kpi in k.items() if kpi.partial}
    assert set(coverage) == partial and partial
    visits = k["key_recipient_visit_rate"]
    if visits.partial:
        assert coverage["key_recipient_visit_rate"] == f"{visits.reported_units}/{visits.expected_units} 村社已报送"


def test_headline_cards_come_first_then_categories(demo_service):
    tree = pages.update_cards(demo_service, {"page": "city", "unit": None}, MONTH, None, "en")
    titles = [c.children for c in walk(tree) if type(c).__name__ == "Title"]
    assert titles[0] == "Headline indicators"
    assert set(titles[1:]) <= {i18n.category_name(c, "en") for c in ("救助", "养老", "社会服务", "基层治理", "慈善")}


def test_a_category_shows_only_its_cards(demo_service):
    tree = pages.update_cards(demo_service, {"page": "city", "unit": None}, MONTH, "慈善", "zh")
    assert set(fields(tree, "value")) == {"charity_index"}


def test_empty_database_cards_say_no_data_not_zero(empty_service):
    tree = pages.update_cards(empty_service, {"page": "city", "unit": None}, None, None, "zh")
    values = fields(tree, "value")
    assert values and set(values.values()) == {"—"}
    assert set(fields(tree, "status").values()) == {"— 无数据"}


# --- charts ---------------------------------------------------------------------------------------
def test_trend_shows_the_services_series(demo_service):
    fig = charts.update_trend(demo_service, {"page": "city", "unit": None}, MONTH, "certified_social_workers", "zh", [])
    rows = demo_service.series(CITY_CODE, "certified_social_workers", MONTH, start="2019-07")
    actual = fig.data[0]
    assert len(actual.y) == len(rows)
    for y, (_, v, _) in zip(actual.y, rows):
        assert (y is None and math.isnan(v)) or y == pytest.approx(v)


def test_trend_overlays_selected_townships(demo_service):
    fig = charts.update_trend(demo_service, {"page": "city", "unit": None}, MONTH, "certified_social_workers", "zh",
                              [FOTANG])
    assert [t.name for t in fig.data][:2] == ["佛堂镇", "义乌市"]


def test_ranking_tiles_and_table_of_townships(demo_service):
    ranking, note, tiles, rows, columns, title = charts.update_children(
        demo_service, {}, {"page": "city", "unit": None}, MONTH, "certified_social_workers", "zh", [])
    codes = {c for t in ranking.data for c in t.customdata}
    assert len(codes) == 14 and note == ""
    assert len(tiles.data[0].customdata) == 14
    assert len(rows) == 14 and {r["code"] for r in rows} == codes
    verdicts = {c.unit.code: c.kpi for c in demo_service.children_kpis(CITY_CODE, "certified_social_workers", MONTH)}
    ind = demo_service.indicators["certified_social_workers"]
    for row in rows:
        assert row["value_text"] == i18n.fmt_with_unit(verdicts[row["code"]].value, ind, "zh")
    assert {c["field"] for c in columns} >= {"name", "value", "progress"}


def test_township_filter_narrows_ranking_and_table(demo_service):
    ranking, _n, tiles, rows, _c, _t = charts.update_children(
        demo_service, {}, {"page": "city", "unit": None}, MONTH, "certified_social_workers", "zh", [FOTANG])
    assert [r["code"] for r in rows] == [FOTANG]
    assert len(tiles.data[0].customdata) == 14  # the map keeps every township, the chosen one outlined


def test_township_page_ranks_villages_by_a_village_indicator_and_says_why(demo_service):
    ranking, note, _tiles, rows, _c, title = charts.update_children(
        demo_service, {}, {"page": "township", "unit": FOTANG}, MONTH, "certified_social_workers", "zh", [])
    assert "持证社工人数" in note and "重点对象月探访率" in note
    assert len(rows) == len(demo_service.children(FOTANG, MONTH))
    assert title.startswith("村(社区)明细")


def test_city_only_indicator_has_no_breakdown(demo_service):
    ranking, *_rest = charts.update_children(
        demo_service, {}, {"page": "city", "unit": None}, MONTH, "charity_index", "en", [])
    rows = _rest[2]
    assert rows and ranking.data  # falls back to an indicator the townships report
    assert "city" in _rest[0]


def test_village_page_has_a_trend_per_indicator(demo_service):
    graphs = charts.update_village_trends(demo_service, {"page": "village", "unit": VILLAGE}, MONTH, None, "zh")
    assert len(graphs) == len(demo_service.applicable(demo_service.unit(VILLAGE)))


def test_charts_on_an_empty_database_are_no_data(empty_service):
    fig = charts.update_trend(empty_service, {"page": "city", "unit": None}, None, None, "zh", [])
    assert fig.layout.annotations[0].text == "无数据"
    out = charts.update_children(empty_service, {}, {"page": "city", "unit": None}, None, None, "zh", [])
    assert out[3] == [] and out[0].layout.annotations[0].text == "无数据"


# --- drill-down -----------------------------------------------------------------------------------
def test_clicking_a_township_bar_opens_its_page_keeping_the_view(demo_service):
    click = {"points": [{"customdata": FOTANG}]}
    out = triggered(drilldown.update_url_from_chart, f"{ids.UNIT_RANKING}.clickData", demo_service, click, None,
                    *stores(("city", None), ind="certified_social_workers", lang="en", towns=[FOTANG]))
    assert out == (f"/township/{FOTANG}", "?month=2022-06&ind=certified_social_workers&lang=en")


def test_clicking_a_tile_opens_the_township(demo_service):
    click = {"points": [{"customdata": FOTANG}]}
    out = triggered(drilldown.update_url_from_chart, f"{ids.UNIT_TILES}.clickData", demo_service, None, click,
                    *stores(("city", None)))
    assert out[0] == f"/township/{FOTANG}"


def test_clicking_a_village_row_opens_the_village(demo_service):
    out = drilldown.update_url_from_table(demo_service, {"rowId": VILLAGE, "colId": "name"},
                                          *stores(("township", FOTANG), ind="key_recipient_visit_rate"))
    assert out == (f"/village/{VILLAGE}", "?month=2022-06&ind=key_recipient_visit_rate&lang=zh")


def test_a_click_on_nothing_changes_nothing(demo_service):
    assert drilldown.update_url_from_table(demo_service, {"rowId": "junk"}, *stores(("city", None))) == (
        no_update, no_update)


def test_a_card_button_selects_its_indicator(demo_service):
    prop = json.dumps({"ind": "charity_index", "type": ids.CARD_SELECT}, separators=(",", ":")) + ".n_clicks"
    out = triggered(drilldown.update_url_from_card, prop, demo_service, [None, 1], *stores(("city", None)), value=1)
    assert out == "?month=2022-06&ind=charity_index&lang=zh"
    rerendered = triggered(drilldown.update_url_from_card, prop, demo_service, [None, None], *stores(("city", None)),
                           value=None)
    assert rerendered is no_update


# --- every combination ----------------------------------------------------------------------------
@pytest.mark.parametrize("route", [("city", None), ("township", FOTANG), ("village", VILLAGE), ("missing", None)])
def test_no_filter_combination_raises(demo_service, route):
    """Pages, cards and charts for every category, language, a few months and the township filter."""
    months = demo_service.periods()
    for month in (months[0], "2020-02", MONTH, months[-1]):
        for cat in (None, "救助", "养老", "社会服务", "基层治理", "慈善"):
            for lang, towns in (("zh", []), ("en", [FOTANG, "330782101000"])):
                view = urlstate.View(route[0], route[1], month, cat, None, lang, tuple(towns))
                ind = common.effective_indicator(demo_service, view) if route[0] != "missing" else None
                r = {"page": route[0], "unit": route[1]}
                filters.update_filters(demo_service, r, lang, cat)
                pages.update_frame(demo_service, r, month, cat, ind, lang, towns)
                pages.update_cards(demo_service, r, month, cat, lang)
                charts.update_trend(demo_service, r, month, ind, lang, towns)
                charts.update_children(demo_service, {}, r, month, ind, lang, towns)
                charts.update_village_trends(demo_service, r, month, cat, lang)


# --- the app factory ------------------------------------------------------------------------------
class Untouchable:
    """A service that fails on any use: building the app must not ask it anything."""

    def __getattr__(self, name):
        raise AssertionError(f"create_app used the service ({name}) before any request")


def test_building_the_app_touches_no_database(demo_settings):
    from dashboard.app import create_app

    app = create_app(demo_settings, service=Untouchable())
    assert app.config.serve_locally and app.scripts.config.serve_locally
    assert app.title == "义乌市民政目标指标看板"


def test_two_apps_in_one_process_each_have_every_callback(demo_settings):
    from dashboard.app import create_app

    first, second = create_app(demo_settings), create_app(demo_settings)
    assert len(first.callback_map) == len(second.callback_map) > 5


def test_the_page_loads_no_script_or_style_from_another_host(demo_settings):
    import re

    from dashboard.app import create_app

    client = create_app(demo_settings).server.test_client()
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    layout = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "演示数据" in layout and "http://" not in layout and "https://" not in layout
