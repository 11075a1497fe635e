"""The wall display in headless Chromium (run with `pytest --headless`): it fits, reads from across
the room, rotates by itself, stays bounded, and says when its data is stale, until it is not."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.action_chains import ActionChains
from sqlalchemy.pool import NullPool

from dashboard import i18n
from dashboard.app import create_app
from dashboard.data import db
from dashboard.data.catalogue import CITY_CODE
from dashboard.service import KpiService

from browser import severe_logs, wait_until
from tcpproxy import TcpProxy

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).with_name("artifacts")
SIZES = [(1366, 768), (1920, 1080), (3840, 2160)]
FOTANG = "330782100000"
MONTH = "2022-06"
BODY = 2.6  # body text, in hundredths of the 16:9 height: 28 px at 1080 (assets/wall.css)

# Everything that does not fit: the page scrolls, an element leaves the window, a box clips its
# text, or a text is smaller than the body size. overflow:hidden would hide a misfit, not fix it.
MISFITS_JS = """
const W = innerWidth, H = innerHeight, page = document.documentElement;
const minimum = arguments[0] * Math.min(H, W * 9 / 16) / 100 - 0.5;
const problems = [];
const name = el => (el.id ? '#' + el.id : '') + '.' + String(el.className.baseVal ?? el.className).split(' ')[0]
    + ' "' + (el.textContent || '').trim().slice(0, 24) + '"';
if (page.scrollHeight > H || page.scrollWidth > W)
    problems.push(`page scrolls: ${page.scrollWidth}x${page.scrollHeight}`);
for (const el of document.querySelector('.wall-root').querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.closest('defs')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    const inSvg = el instanceof SVGElement;
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if ((!inSvg || text) && (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1))
        problems.push('outside the window: ' + name(el));
    if (!inSvg && !el.closest('.js-plotly-plot') && style.overflow !== 'visible'
            && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
        problems.push(`clipped ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}: `
                      + name(el));
    if (text && parseFloat(style.fontSize) < minimum)
        problems.push(`text ${style.fontSize} < ${minimum.toFixed(1)}px: ` + name(el));
}
return problems;
"""
STEP_JS = "const e = document.getElementById('wall-step'); return e ? e.innerText : '';"
SHOW_STEP_JS = "window.dash_clientside.set_props('wall-rotate', {n_intervals: arguments[0]});"
DRAWN_JS = """
const box = document.getElementById('wall-graph-box');
return document.querySelector('[data-dash-is-loading="true"]') === null
    && (box.classList.contains('wall-invisible') || box.querySelector('.main-svg .xtick') !== null);
"""


def viewport(driver, width: int, height: int) -> None:
    """Make the page exactly width x height CSS pixels, as on a TV at that resolution."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def open_wall(driver, base: str, query: str, ready: str = "#wall-content [data-field]"):
    """Open /wall?query and wait until its first panel shows data."""
    driver.get(f"{base}/wall?{query}")
    wait_until(lambda: driver.execute_script(f"return document.querySelector('{ready}') !== null"), 30,
               f"the wall's first panel ({query})")


def show_step(driver, step: int) -> str:
    """Show rotation step `step` (as the rotation interval would) and wait until it is drawn."""
    driver.execute_script(SHOW_STEP_JS, step)
    text = wait_until(lambda: (lambda s: s if s.startswith(f"{step + 1} / ") else "")(driver.execute_script(STEP_JS)),
                      what=f"step {step + 1}")
    wait_until(lambda: driver.execute_script(DRAWN_JS), what="the chart drawn")
    time.sleep(0.3)  # plotly's last layout pass
    return text


def steps_of(driver) -> int:
    """How many panels the rotation has."""
    return int(wait_until(lambda: driver.execute_script(STEP_JS), what="a step").split("/")[1])


def text_of(driver, element_id: str) -> str:
    return driver.execute_script(f"return document.getElementById('{element_id}').innerText.trim()")


def banner_shown(driver) -> bool:
    return driver.execute_script("return !document.getElementById('wall-banner').classList.contains('wall-hidden')")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- fits and reads at every size -------------------------------------------------------------------
@pytest.mark.parametrize("query", [f"month={MONTH}", f"unit={FOTANG}&lang=en"], ids=["city-zh", "fotang-en"])
@pytest.mark.parametrize("width, height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_panel_fits_without_scrolling_and_no_text_is_small(dash_duo, app, width, height, query):
    dash_duo.start_server(app)
    viewport(dash_duo.driver, width, height)
    open_wall(dash_duo.driver, dash_duo.server_url, f"{query}&rotate=600")
    assert dash_duo.driver.execute_script("return [innerWidth, innerHeight]") == [width, height]
    problems = {}
    for step in range(steps_of(dash_duo.driver)):
        shown = show_step(dash_duo.driver, step)
        found = dash_duo.driver.execute_script(MISFITS_JS, BODY)
        if found:
            problems[f"{shown} {text_of(dash_duo.driver, 'wall-panel-title')}"] = found[:5]
    assert problems == {}
    assert severe_logs(dash_duo) == []


def test_screenshots_at_1080p_and_2160p(dash_duo, app):
    """Every panel at both sizes into tests/artifacts/ (docs/screenshots/ holds two of them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    dash_duo.start_server(app)
    for width, height in ((1920, 1080), (3840, 2160)):
        viewport(dash_duo.driver, width, height)
        open_wall(dash_duo.driver, dash_duo.server_url, f"month={MONTH}&rotate=600")
        for step in range(steps_of(dash_duo.driver)):
            show_step(dash_duo.driver, step)
            path = ARTIFACTS / f"wall-{height}p-{step + 1}.png"
            dash_duo.driver.save_screenshot(str(path))
            assert path.stat().st_size > 20_000
    assert severe_logs(dash_duo) == []


# --- rotation ------------------------------------------------------------------------------------------
def test_rotation_advances_to_the_next_panel_with_a_progress_bar(dash_duo, app):
    dash_duo.start_server(app)
    open_wall(dash_duo.driver, dash_duo.server_url, f"month={MONTH}&bench=1&rotate=1.5")
    first = wait_until(lambda: dash_duo.driver.execute_script(STEP_JS), what="a step")
    second = wait_until(lambda: (lambda s: s if s != first else "")(dash_duo.driver.execute_script(STEP_JS)),
                        timeout=5, what="the next step")
    one, two = int(first.split(" / ")[0]), int(second.split(" / ")[0])
    assert two == one % 8 + 1 and first.endswith(" / 8")
    progress = dash_duo.driver.execute_script(
        "const s = getComputedStyle(document.getElementById('wall-progress'));"
        "return [s.animationName, s.animationDuration]")
    assert progress[0] in ("wall-progress-a", "wall-progress-b") and progress[1] == "1.5s"
    titles = set()
    wait_until(lambda: titles.add(text_of(dash_duo.driver, "wall-panel-title")) or len(titles) >= 3, timeout=10,
               what="three different panels")
    assert severe_logs(dash_duo) == []


def test_township_rotation_visits_the_city_then_every_township(dash_duo, app, demo_service):
    dash_duo.start_server(app)
    open_wall(dash_duo.driver, dash_duo.server_url, "units=all&panels=tiles&bench=1&rotate=0.4")
    dash_duo.driver.execute_script("""
        window.wallSeen = [];
        const unit = document.getElementById('wall-unit');
        const note = () => {
            const t = unit.innerText.trim();
            if (t && t !== window.wallSeen.at(-1)) window.wallSeen.push(t);
        };
        note();
        new MutationObserver(note).observe(unit, {childList: true, characterData: true, subtree: true});
    """)
    expected = ["义乌市", *[u.name for u in demo_service.children(CITY_CODE, demo_service.state()["latest_period"])]]
    seen = wait_until(lambda: (lambda s: s if len(set(s)) == 15 and s[-1] == expected[-1] else None)(
        dash_duo.driver.execute_script("return window.wallSeen")), timeout=30, what="every township")
    start = seen.index("义乌市")
    assert seen[start:start + 15] == expected
    assert severe_logs(dash_duo) == []


# --- always on screen -------------------------------------------------------------------------------------
def test_title_clock_as_of_month_refresh_time_and_demo_label_are_always_shown(dash_duo, app, demo_service):
    dash_duo.start_server(app)
    open_wall(dash_duo.driver, dash_duo.server_url, f"month={MONTH}&rotate=600")
    driver = dash_duo.driver
    assert driver.execute_script("return document.querySelector('.wall-app-title').innerText") == "义乌市民政目标指标看板"
    assert text_of(driver, "wall-as-of") == "数据截至 2022年6月"
    wait_until(lambda: text_of(driver, "wall-refreshed").startswith("刷新于 "), timeout=3, what="the refresh time")
    assert "演示数据" in text_of(driver, "wall-demo")
    before = text_of(driver, "wall-clock")
    wait_until(lambda: text_of(driver, "wall-clock") != before, timeout=3, what="the clock to tick")
    assert len(text_of(driver, "wall-clock")) == 8 and not banner_shown(driver)
    values = dict(driver.execute_script(
        "return [...document.querySelectorAll('#wall-content [data-field=value]')]"
        ".map(e => [e.getAttribute('data-kpi'), e.innerText.trim()])"))
    for k in demo_service.kpis(CITY_CODE, MONTH):
        if k.indicator in values:
            ind = demo_service.indicators[k.indicator]
            assert values[k.indicator] == i18n.fmt_with_unit(k.value, ind, "zh", k.target_kind)
    assert len(values) == 5
    assert severe_logs(dash_duo) == []


def test_cursor_hides_after_three_idle_seconds_and_comes_back_on_a_move(dash_duo, app):
    dash_duo.start_server(app)
    open_wall(dash_duo.driver, dash_duo.server_url, "rotate=600")
    idle = "return document.documentElement.classList.contains('wall-idle')"
    cursor = "return getComputedStyle(document.querySelector('.wall-value') || document.body).cursor"
    wait_until(lambda: dash_duo.driver.execute_script(idle), timeout=6, what="the cursor to hide")
    assert dash_duo.driver.execute_script(cursor) == "none"
    ActionChains(dash_duo.driver).move_by_offset(40, 40).perform()
    assert not dash_duo.driver.execute_script(idle)
    assert dash_duo.driver.execute_script(cursor) != "none"


def test_the_wall_loads_nothing_from_another_host(dash_duo, app):
    dash_duo.start_server(app)
    open_wall(dash_duo.driver, dash_duo.server_url, "units=all&rotate=600")
    urls = dash_duo.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert {urlparse(u).hostname for u in urls if not u.startswith(("data:", "blob:"))} <= {"127.0.0.1", "localhost"}


# --- in place and bounded ------------------------------------------------------------------------------
def test_refreshes_and_rotations_update_in_place_without_growing_the_page(dash_duo, app):
    dash_duo.start_server(app)
    driver = dash_duo.driver
    open_wall(driver, dash_duo.server_url, f"month={MONTH}&bench=1&rotate=0.2&refresh=1")
    wait_until(lambda: driver.execute_script("return document.querySelector('#wall-graph .main-svg') !== null"),
               what="the chart drawn once")
    driver.execute_script("document.getElementById('wall-graph').wallMark = 1;")
    count = "return document.getElementsByTagName('*').length"
    at_step = lambda n: wait_until(lambda: driver.execute_script(STEP_JS) == f"{n} / 8", timeout=10, what=f"step {n}")
    at_step(1)
    start = driver.execute_script(count)
    refreshed = text_of(driver, "wall-refreshed")
    time.sleep(8)  # some 40 rotations and 8 refreshes
    wait_until(lambda: text_of(driver, "wall-refreshed") != refreshed, what="a refresh")
    at_step(1)
    assert abs(driver.execute_script(count) - start) <= 5
    assert driver.execute_script("return document.getElementById('wall-graph').wallMark") == 1  # the same chart
    history = "return Math.max(...window.dash_stores.map(s => s.getState().history.past.length))"
    assert driver.execute_script(history) <= 60  # trimmed every second to 20 (see assets/wall.js)
    assert severe_logs(dash_duo) == []


# --- stale data ---------------------------------------------------------------------------------------------
@pytest.fixture
def movable_database(demo_settings, tmp_path):
    """A copy of the demo database opened read-write and never created, one connection per use."""
    source = sa.make_url(demo_settings.resolved_database_url()).database
    path = tmp_path / "kpi.sqlite3"
    shutil.copy(source, path)
    engine = db.make_engine(f"sqlite:///file:{path}?mode=rw&uri=true", poolclass=NullPool)
    yield engine, path
    engine.dispose()


def test_database_cut_shows_the_stale_banner_with_the_last_good_time_then_clears(dash_duo, demo_settings,
                                                                                 movable_database):
    engine, path = movable_database
    dash_duo.start_server(create_app(demo_settings, service=KpiService(engine)))
    driver = dash_duo.driver
    open_wall(driver, dash_duo.server_url, f"month={MONTH}&bench=1&refresh=1&rotate=600")
    wait_until(lambda: text_of(driver, "wall-refreshed").startswith("刷新于"), what="a first refresh")
    assert not banner_shown(driver)
    values = text_of(driver, "wall-content")
    path.rename(path.with_suffix(".away"))
    wait_until(lambda: banner_shown(driver), timeout=10, what="the stale banner")
    last_good = text_of(driver, "wall-refreshed").removeprefix("刷新于 ")
    assert text_of(driver, "wall-banner") == "⚠ " + i18n.t("wall_stale", "zh", time=last_good[:5])
    time.sleep(2.5)  # more failed refreshes: the data and the time of the last good one stay
    assert text_of(driver, "wall-content") == values and text_of(driver, "wall-refreshed") == f"刷新于 {last_good}"
    assert not path.exists()
    path.with_suffix(".away").rename(path)
    wait_until(lambda: not banner_shown(driver), timeout=10, what="the banner to clear")
    assert text_of(driver, "wall-refreshed") != f"刷新于 {last_good}"


@pytest.fixture
def postgres_demo(demo_settings):
    """The demo data set copied into the PostgreSQL scratch database (KPI_TEST_POSTGRES_URL)."""
    base = os.environ.get("KPI_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("KPI_TEST_POSTGRES_URL is not set")
    name = f"kpi_wall_{os.getpid()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = sa.make_url(base).set(database=name)
    target = db.make_engine(url.render_as_string(hide_password=False))
    source = db.make_engine(demo_settings.resolved_database_url())
    db.upgrade(target)
    from dashboard.data import schema

    with source.connect() as src, target.begin() as dst:
        for table in schema.metadata.sorted_tables:
            dst.execute(table.delete())
        for table in schema.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in src.execute(table.select())]
            if rows:
                dst.execute(table.insert(), rows)
    source.dispose()
    target.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_postgres_cut_through_a_tcp_proxy_shows_the_banner_then_clears(dash_duo, demo_settings, postgres_demo):
    proxy = TcpProxy(postgres_demo.host or "127.0.0.1", postgres_demo.port or 5432).start()
    url = postgres_demo.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = db.make_engine(url, connect_args={"connect_timeout": 3})
    try:
        dash_duo.start_server(create_app(demo_settings, service=KpiService(engine)))
        driver = dash_duo.driver
        open_wall(driver, dash_duo.server_url, f"month={MONTH}&bench=1&refresh=1&rotate=600")
        # A first connection through the proxy can time out on a loaded machine: that refresh shows
        # the banner (rightly), and the next good one clears it. Start from a wall without it.
        wait_until(lambda: not banner_shown(driver), timeout=15, what="a good refresh before the cut")
        proxy.cut()
        wait_until(lambda: banner_shown(driver), timeout=15, what="the stale banner")
        assert "数据连接中断" in text_of(driver, "wall-banner")
        proxy.restore()
        wait_until(lambda: not banner_shown(driver), timeout=15, what="the banner to clear")
    finally:
        engine.dispose()
        proxy.close()


def test_a_server_restart_shows_the_banner_and_the_wall_reconnects_by_itself(dash_br, demo_settings):
    port = free_port()
    env = {**os.environ, "KPI_DATABASE_URL": demo_settings.resolved_database_url(), "KPI_LOG_LEVEL": "WARNING",
           "KPI_AUTH": "off"}
    command = [sys.executable, "-m", "dashboard", "serve", "--host", "127.0.0.1", "--port", str(port)]

    def start():
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: _listening(port), timeout=30, what="the server to listen")
        return process

    server = start()
    try:
        driver = dash_br.driver
        open_wall(driver, f"http://127.0.0.1:{port}", f"month={MONTH}&bench=1&refresh=1&rotate=600")
        wait_until(lambda: text_of(driver, "wall-refreshed").startswith("刷新于"), what="a first refresh")
        server.terminate()
        server.wait(10)
        # No server to say so: the browser notices that no good refresh came for 2 x refresh + 5 s.
        wait_until(lambda: banner_shown(driver), timeout=15, what="the stale banner")
        shown = text_of(driver, "wall-content")
        server = start()
        wait_until(lambda: not banner_shown(driver), timeout=15, what="the wall to reconnect")
        assert text_of(driver, "wall-content") == shown  # same data, refreshed in place
    finally:
        server.terminate()
        server.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class SlowService(KpiService):
    """A service whose database takes `delay` seconds to answer while delay is set: a hung refresh."""

    delay = 0.0

    def state(self):
        if self.delay:
            time.sleep(self.delay)
        return super().state()


def test_a_hung_refresh_stops_neither_rotation_nor_clock_and_turns_stale(dash_duo, demo_settings):
    service = SlowService(db.make_engine(demo_settings.resolved_database_url()))
    dash_duo.start_server(create_app(demo_settings, service=service))
    driver = dash_duo.driver
    open_wall(driver, dash_duo.server_url, f"month={MONTH}&bench=1&refresh=1&rotate=1")
    wait_until(lambda: text_of(driver, "wall-refreshed").startswith("刷新于"), what="a first refresh")
    service.delay = 12
    step, clock = driver.execute_script(STEP_JS), text_of(driver, "wall-clock")
    wait_until(lambda: driver.execute_script(STEP_JS) != step, timeout=4, what="the rotation to go on")
    wait_until(lambda: text_of(driver, "wall-clock") != clock, timeout=3, what="the clock to go on")
    wait_until(lambda: banner_shown(driver), timeout=15, what="the stale banner")  # 2 x 1 s + 5 s
    service.delay = 0
    wait_until(lambda: not banner_shown(driver), timeout=30, what="the banner to clear")
