"""The wall display without a browser: its URL options, its panels' numbers, its figures, the refresh
callback when the database is up, empty or gone, and the page the app serves on /wall."""
from __future__ import annotations

import json
import logging
import math
import shutil
import time

import pytest
import sqlalchemy as sa
from dash import no_update
from sqlalchemy.pool import NullPool

from dashboard import i18n, ids, theme, wall_figures, wallstate
from dashboard.app import create_app
from dashboard.callbacks import wall, wall_data
from dashboard.data import db
from dashboard.data.catalogue import CITY_CODE
from dashboard.figures import Series
from dashboard.service import KpiService
from helpers import walk

FOTANG = "330782100000"
DACHEN = "330782106000"
MONTH = "2022-06"
CITY_PANELS = ["tiles", "trend", "trend", "trend", "trend", "trend", "league", "completeness"]


def tagged(tree, field: str) -> list:
    """The components tagged data-field=field."""
    return [c for c in walk(tree) if getattr(c, "data-field", None) == field]


def texts(tree, field: str) -> dict[str, str]:
    """indicator -> text of the elements tagged data-field=field."""
    return {getattr(c, "data-kpi"): c.children for c in tagged(tree, field)}


def build(service, query: str = "", size: int = 28) -> dict:
    """What the refresh sends for a wall URL's query."""
    return wall_data.wall_data(service, wallstate.parse(query), size)


@pytest.fixture(scope="module")
def empty_service(empty_settings):
    return KpiService.from_settings(empty_settings)


# --- URL options ----------------------------------------------------------------------------------
def test_no_options_mean_the_city_every_panel_and_the_documented_intervals():
    o = wallstate.parse("")
    assert (o.unit, o.all_units, o.rotate, o.refresh, o.lang, o.panels, o.month, o.bench) == (
        None, False, 20.0, 300.0, "zh", wallstate.PANELS, None, False)


def test_every_option_is_read():
    o = wallstate.parse(f"?unit={FOTANG}&rotate=30&refresh=600&lang=en&panels=league,tiles&month=2022-06")
    assert (o.unit, o.rotate, o.refresh, o.lang, o.panels, o.month) == (FOTANG, 30.0, 600.0, "en",
                                                                      ("league", "tiles"), "2022-06")
    assert wallstate.parse("units=all").all_units and wallstate.parse("units=ALL").all_units


@pytest.mark.parametrize("query, rotate, refresh", [
    ("rotate=1&refresh=1", 5.0, 10.0),                    # below the minimums: clamped up
    ("rotate=100000&refresh=100000", 600.0, 3600.0),      # above the maximums: clamped down
    ("rotate=abc&refresh=", 20.0, 300.0),                 # not numbers: defaults
    ("rotate=nan&refresh=inf", 20.0, 300.0),
    ("rotate=0.2&refresh=1&bench=1", 0.2, 1.0),           # the benchmark may go fast, and only it
    ("rotate=0.01&refresh=0.1&bench=1", 0.1, 1.0),
])
def test_intervals_are_clamped_to_sane_bounds(query, rotate, refresh):
    o = wallstate.parse(query)
    assert (o.rotate, o.refresh) == (rotate, refresh)


def test_unknown_values_fall_back_to_defaults():
    o = wallstate.parse("unit=fotang&lang=fr&panels=map,,charts&month=2022-13&units=some")
    assert (o.unit, o.lang, o.panels, o.month, o.all_units) == (None, "zh", wallstate.PANELS, None, False)
    assert wallstate.parse("panels=trends,trends,map,tiles").panels == ("trends", "tiles")
    assert wallstate.parse("", default_lang="en").lang == "en"


def test_options_round_trip_through_the_store():
    o = wallstate.parse(f"unit={FOTANG}&rotate=7&panels=league&bench=1&month=2021-03")
    assert wallstate.WallOptions.from_store(json.loads(json.dumps(o.as_store()))) == o
    assert wallstate.WallOptions.from_store(None) == wallstate.WallOptions()
    assert o.as_store()["stale_after"] == 2 * o.refresh + wallstate.STALE_GRACE


@pytest.mark.parametrize("url, prefix, wall_page", [
    ("http://tv:8050/wall", "/", True), ("http://tv:8050/wall?units=all", "/", True),
    ("http://tv:8050/wall/", "/", True), ("http://tv:8050/", "/", False), ("http://tv:8050/wallpaper", "/", False),
    ("http://tv:8050/township/330782100000", "/", False), ("http://tv/kpi/wall?lang=en", "/kpi/", True),
    ("http://tv/kpi/", "/kpi/", False), (None, "/", False),
])
def test_the_wall_is_recognised_by_its_page_address(url, prefix, wall_page):
    assert (wallstate.from_page_url(url, prefix) is not None) == wall_page


# --- what the refresh sends -----------------------------------------------------------------------
def test_the_city_wall_has_tiles_a_trend_per_headline_indicator_league_and_completeness(demo_service):
    data = build(demo_service, f"month={MONTH}")
    assert [u["code"] for u in data["units"]] == [CITY_CODE]
    assert [p["kind"] for p in data["units"][0]["panels"]] == CITY_PANELS
    assert data["as_of"] == MONTH and data["as_of_text"] == "数据截至 2022年6月" and data["demo"] is True
    heads = [i for i in demo_service.catalogue if i.headline]
    trends = [p["title"] for p in data["units"][0]["panels"] if p["kind"] == "trend"]
    assert trends == [i18n.t("trend_title", "zh", name=i.name("zh")) for i in sorted(heads, key=lambda i: i.headline)]


def test_the_latest_month_is_the_default_and_an_unknown_month_falls_back_to_it(demo_service):
    latest = demo_service.state()["latest_period"]
    assert build(demo_service)["as_of"] == latest
    assert build(demo_service, "month=2031-01")["as_of"] == latest


def test_rotation_over_all_units_is_the_city_then_every_township(demo_service):
    data = build(demo_service, "units=all&panels=tiles")
    townships = [u.code for u in demo_service.children(CITY_CODE, data["as_of"])]
    assert len(townships) == 14
    assert [u["code"] for u in data["units"]] == [CITY_CODE, *townships]
    assert all(len(u["panels"]) == 1 for u in data["units"])


def test_a_township_wall_has_its_own_headline_indicators_and_an_unknown_unit_is_the_city(demo_service):
    data = build(demo_service, f"unit={FOTANG}&month={MONTH}")
    assert data["units"][0]["name"] == "佛堂镇"
    kinds = [p["kind"] for p in data["units"][0]["panels"]]
    assert kinds == ["tiles", "trend", "trend", "trend", "trend", "league", "completeness"]  # no city-only index
    assert build(demo_service, "unit=330782100014")["units"][0]["code"] == CITY_CODE  # a village: the city
    assert build(demo_service, "unit=999999999999")["units"][0]["code"] == CITY_CODE


@pytest.mark.parametrize("unit", [CITY_CODE, FOTANG])
def test_tile_numbers_are_what_the_kpis_command_prints(demo_service, unit):
    """The CLI's table (rounded to 4 decimals) formats to the very text on the tiles."""
    tiles = build(demo_service, f"unit={unit}&month={MONTH}&panels=tiles")["units"][0]["panels"][0]["content"]
    values, progress, statuses = texts(tiles, "value"), texts(tiles, "progress"), texts(tiles, "status")
    frame = demo_service.kpi_frame(unit, MONTH)
    heads = {i.code for i in demo_service.catalogue if i.headline}
    shown = frame[frame.indicator.isin(heads)]
    assert set(values) == set(shown.indicator)
    for row in shown.itertuples():
        ind = demo_service.indicators[row.indicator]
        assert values[row.indicator] == i18n.fmt_with_unit(row.value, ind, "zh", row.target_kind), row.indicator
        assert progress[row.indicator] == i18n.fmt_percent(row.progress), row.indicator
        assert statuses[row.indicator] == i18n.status_label(row.status, "zh"), row.indicator


def test_a_trend_panel_says_value_target_projection_and_pace_in_words(demo_service):
    panel = build(demo_service, f"month={MONTH}&panels=trends")["units"][0]["panels"][0]
    k = next(k for k in demo_service.kpis(CITY_CODE, MONTH) if k.indicator == "certified_social_workers")
    ind = demo_service.indicators[k.indicator]
    side = panel["content"]
    assert texts(side, "value")[k.indicator] == i18n.fmt_with_unit(k.value, ind, "zh")
    assert texts(side, "projected")[k.indicator] == i18n.t(
        "projected", "zh", date=i18n.fmt_month(k.target_date, "zh"), value=i18n.fmt_with_unit(k.projected, ind, "zh"))
    assert texts(side, "pace")[k.indicator] == i18n.t("pace", "zh", pace=i18n.fmt_pace(k.pace_needed, ind, "zh"))
    series = demo_service.series(CITY_CODE, k.indicator, MONTH, start="2020-07")
    actual = panel["figure"].data[0]
    assert len(actual.x) == len(series) == 24 and actual.x[-1] == f"{MONTH}-01"
    assert list(actual.y) == [None if math.isnan(v) else v for _, v, _ in series]


def test_league_ranks_townships_by_indicators_on_target_then_mean_progress(demo_service):
    inds, rows = wall_data.league_rows(demo_service, demo_service.children(CITY_CODE, MONTH), MONTH, "zh")
    assert [i.code for i in inds] == ["certified_social_workers", "new_5a_social_orgs", "elderly_beds_per_1000",
                                      "key_recipient_visit_rate"]
    assert [r.rank for r in rows] == list(range(1, 15))
    keys = [(r.on_target, sum(k.progress for k in r.kpis) / len(r.kpis)) for r in rows]
    assert keys == sorted(keys, reverse=True)
    for r in rows:  # each cell is the township's own verdict, as `kpis --unit <township>` prints it
        own = {k.indicator: k for k in demo_service.kpis(r.code, MONTH)}
        assert r.kpis == tuple(own[i.code] for i in inds)
        assert r.on_target == sum(1 for k in r.kpis if k.status in ("achieved", "on_track"))


def test_league_cells_show_progress_with_the_status_icon_and_mark_the_wall_township(demo_service):
    panel = build(demo_service, f"unit={FOTANG}&month={MONTH}&panels=league")["units"][0]["panels"][0]
    cells = tagged(panel["content"], "progress")
    assert len(cells) == 14 * 4
    for cell in cells:
        own = {k.indicator: k for k in demo_service.kpis(getattr(cell, "data-unit"), MONTH)}
        k = own[getattr(cell, "data-kpi")]
        assert cell.children == f"{i18n.STATUS_ICONS[k.status]} {i18n.fmt_percent(k.progress)}"
        assert cell.style["background"] == theme.status_color(k.status)
    marked = [c.children for c in walk(panel["content"]) if "wall-row-highlight" in (getattr(c, "className", "") or "")]
    assert "佛堂镇" in marked


def test_completeness_of_the_latest_month_shows_who_has_not_reported(demo_service):
    latest = demo_service.state()["latest_period"]
    reports = [wall_data.reports(demo_service, t, latest, "zh") for t in demo_service.children(CITY_CODE, latest)]
    by_code = {r.code: r for r in reports}
    assert by_code[DACHEN].status == "missing"  # 大陈镇 has not sent December 2022 (README, demo data)
    assert sum(r.status == "complete" for r in reports) == 13
    city = {k.indicator: k for k in demo_service.kpis(CITY_CODE, latest)}["key_recipient_visit_rate"]
    assert (sum(r.villages for r in reports), sum(r.villages_expected for r in reports)) == (
        city.reported_units, city.expected_units)
    panel = build(demo_service, "panels=completeness")["units"][0]["panels"][0]
    assert panel["title"] == "2022年12月报送情况"
    assert {getattr(c, "data-unit"): c.children for c in tagged(panel["content"], "report")}[DACHEN] == "✗ 未报送"


def test_a_township_completeness_names_every_village_and_marks_the_missing(demo_service):
    latest = demo_service.state()["latest_period"]
    panel = build(demo_service, f"unit={FOTANG}&panels=completeness")["units"][0]["panels"][0]
    cells = tagged(panel["content"], "village")
    visits = demo_service.children_kpis(FOTANG, "key_recipient_visit_rate", latest)
    assert len(cells) == len(visits) == 61
    missing = [c.children for c in cells if getattr(c, "data-reported") == "0"]
    assert len(missing) == sum(1 for c in visits if c.kpi.reported_units == 0) >= 1
    assert all(text.startswith("✗ ") for text in missing)


@pytest.mark.parametrize("name, short", [("大成社区居委会", "大成社区"), ("塔下洲社区居民委员会", "塔下洲社区"),
                                         ("雅治街村委会", "雅治街村"), ("上溪村村民委员会", "上溪村"), ("楼村", "楼村")])
def test_village_names_lose_their_committee_suffix(name, short):
    assert wall_data.village_name(name) == short


def test_an_empty_database_says_no_data_yet_on_every_unit(empty_service):
    data = build(empty_service, "units=all")
    assert data["as_of"] is None and data["as_of_text"] == "数据截至 —"
    assert len(data["units"]) == 15
    assert all([p["kind"] for p in u["panels"]] == ["message"] for u in data["units"])


def test_english_wall_names_townships_in_pinyin(demo_service):
    data = build(demo_service, f"units=all&lang=en&month={MONTH}&panels=tiles")
    assert data["units"][9]["name"] == "Fotang (佛堂镇)" and data["as_of_text"] == "Data as of Jun 2022"


# --- figures and look --------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport, size", [(None, 28), ({"w": 1920, "h": 1080}, 28), ({"w": 3840, "h": 2160}, 56),
                                            ({"w": 1366, "h": 768}, 20), ({"w": 1920, "h": 1200}, 28)])
def test_chart_text_follows_the_screen_like_the_css(viewport, size):
    assert wall_data.font_px(viewport) == size


def test_wall_chart_needs_no_hover_and_no_text_is_below_the_body_size(demo_service):
    series = Series("实际值", ("2022-04", "2022-05", "2022-06"), (1.0, math.nan, 3.0), (False, False, True))
    fig = wall_figures.trend(series, fmt=lambda v: f"{v:.0f}人", lang="zh", font_px=40, as_of="2022-06",
                             projection=(("2022-06", 3.0), ("2022-12", 5.0)))
    layout = fig.layout
    assert layout.template.layout.hovermode is False
    assert list(fig.data[0].y) == [1.0, None, 3.0]  # a gap, never a zero
    sizes = [layout.template.layout.font.size, layout.template.layout.xaxis.tickfont.size,
             layout.template.layout.legend.font.size, *[a.font.size for a in layout.annotations]]
    assert min(sizes) >= 40
    assert layout.annotations[0].text == "<b>3人</b>"  # the latest value, written on the chart
    assert fig.data[-1].name == "预计2022年12月达到 5人"


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio."""
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("status", i18n.STATUS_ORDER)
def test_status_colours_stand_out_on_the_dark_wall_and_their_text_reads(status):
    colour = theme.status_color(status)
    assert contrast(colour, theme.WALL_BG) >= 3 and contrast(colour, theme.WALL_PANEL) >= 3  # graphics, large text
    assert contrast(colour, theme.STATUS_TEXT[status]) >= 4.5


def test_wall_text_colours_have_at_least_seven_to_one():
    for ink in (theme.WALL_INK, theme.WALL_MUTED):
        assert contrast(ink, theme.WALL_PANEL) >= 7 and contrast(ink, theme.WALL_BG) >= 7
    assert contrast(theme.WALL_WARNING, "#000000") >= 7


# --- the refresh callback when the database goes away -----------------------------------------------
@pytest.fixture
def cut_service(demo_settings, tmp_path):
    """A service on a copy of the demo database that the test can move away (never re-created)."""
    source = sa.make_url(demo_settings.resolved_database_url()).database
    path = tmp_path / "kpi.sqlite3"
    shutil.copy(source, path)
    engine = db.make_engine(f"sqlite:///file:{path}?mode=rw&uri=true", poolclass=NullPool)
    yield KpiService(engine), path
    engine.dispose()


def test_a_refresh_without_database_keeps_the_data_and_warns_once(cut_service, caplog):
    service, path = cut_service
    outage = wall.Outage()
    options = wallstate.parse(f"month={MONTH}").as_store()
    data, health = wall.update_data(service, outage, 0, None, options, None)
    version = service.state()["version"]
    assert health == {"ok": True, "n": 0, "key": f"{version}:28"} and data["units"]
    path.rename(path.with_suffix(".away"))
    with caplog.at_level(logging.INFO, logger="dashboard.callbacks.wall"):
        first = wall.update_data(service, outage, 1, None, options, health)
        second = wall.update_data(service, outage, 2, None, options, first[1])
        assert first == (no_update, {"ok": False, "n": 1}) and second == (no_update, {"ok": False, "n": 2})
        assert not path.exists()  # mode=rw: SQLite did not create an empty database in its place
        path.with_suffix(".away").rename(path)
        deadline = time.monotonic() + 15  # a service may wait a few seconds before it tries the database again
        while not (result := wall.update_data(service, outage, 3, None, options, second[1]))[1]["ok"]:
            assert time.monotonic() < deadline, "no good refresh after the database came back"
            time.sleep(0.5)
    data, health = result
    assert data["units"]
    records = [r for r in caplog.records if r.name == "dashboard.callbacks.wall"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]  # once per outage, and its end
    assert "database unreachable" in records[0].getMessage() and not any(r.exc_info for r in caplog.records)


def test_a_refresh_sends_the_data_again_only_when_the_version_or_the_text_size_changed(demo_service):
    options = wallstate.parse(f"month={MONTH}&panels=tiles").as_store()
    data, health = wall.update_data(demo_service, wall.Outage(), 0, None, options, None)
    assert data["units"] and health["ok"]
    same = wall.update_data(demo_service, wall.Outage(), 1, None, options, health)
    assert same == (no_update, {**health, "n": 1})
    resized, _ = wall.update_data(demo_service, wall.Outage(), 2, {"w": 3840, "h": 2160}, options, health)
    assert resized["units"]
    after_outage, _ = wall.update_data(demo_service, wall.Outage(), 3, None, options, {"ok": False, "n": 2})
    assert after_outage["units"]


def test_a_bug_is_not_mistaken_for_an_outage(demo_service):
    with pytest.raises(TypeError):
        wall.update_data(demo_service, wall.Outage(), 0, None, {"rotate": "x", "unknown": 1, "panels": 5}, None)


# --- the page ------------------------------------------------------------------------------------------
def _layout_for(app, referer: str | None) -> dict:
    headers = {"Referer": referer} if referer else {}
    return app.server.test_client().get("/_dash-layout", headers=headers).get_json()


def _find(tree, component_id: str):
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == component_id:
            return tree
        for value in [*tree.values(), *tree.get("props", {}).values()]:
            found = _find(value, component_id)
            if found:
                return found
    if isinstance(tree, list):
        for item in tree:
            found = _find(item, component_id)
            if found:
                return found
    return None


def test_wall_page_gets_its_own_dark_layout_with_the_urls_intervals(demo_settings):
    app = create_app(demo_settings)
    layout = _layout_for(app, "http://127.0.0.1:8050/wall?units=all&rotate=30&refresh=120&lang=en")
    assert layout["props"]["forceColorScheme"] == "dark"
    assert _find(layout, ids.WALL_ROTATE)["props"]["interval"] == 30_000
    assert _find(layout, ids.WALL_REFRESH)["props"]["interval"] == 120_000
    options = _find(layout, ids.WALL_OPTIONS)["props"]["data"]
    assert options["all_units"] and options["lang"] == "en" and options["strings"]["wall_stale"] == i18n.t(
        "wall_stale", "en")
    managers = _layout_for(app, "http://127.0.0.1:8050/?month=2022-06")
    assert _find(managers, ids.WALL_ROOT) is None and _find(managers, ids.PAGE_CARDS) is not None
    assert _find(_layout_for(app, None), ids.PAGE_CARDS) is not None  # no Referer: the managers' page


def test_the_wall_page_loads_while_the_database_is_down(tmp_path):
    from dashboard.settings import Settings

    settings = Settings(database_url=f"sqlite:///file:{tmp_path / 'gone.sqlite3'}?mode=rw&uri=true", var_dir=tmp_path, auth=False)
    layout = _layout_for(create_app(settings), "http://tv/wall")
    assert _find(layout, ids.WALL_CONTENT)["props"]["children"]["props"]["children"] == "正在连接数据…"


def test_both_trees_are_validated_and_every_wall_callback_is_registered(demo_settings):
    app = create_app(demo_settings)
    validation = json.dumps(app.validation_layout.to_plotly_json(), default=lambda c: c.to_plotly_json())
    assert ids.WALL_ROOT in validation and ids.PAGE_CARDS in validation
    outputs = " ".join(app.callback_map)
    for component in (ids.WALL_DATA, ids.WALL_CONTENT, ids.WALL_FRESH, ids.WALL_CLOCK):
        assert component in outputs
