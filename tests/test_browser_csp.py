"""Every page under the Content-Security-Policy in headless Chromium (run with `pytest --headless`):
it renders (charts drawn, grid rows, Mantine styles) and the browser refuses nothing."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard import i18n, ids

from browser import settled, wait_until
from test_browser_wall import show_step, steps_of, viewport

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).with_name("artifacts")
FOTANG = "330782100000"
VILLAGE = "330782100014"  # 大成社区居委会, in 佛堂镇
MONTH = "2022-06"

# DevTools runs this before any script of each page (the page's CSP does not apply to it): it
# records every violation, whether or not the browser also logs it to the console.
RECORD_VIOLATIONS_JS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(
    `${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
"""
CHARTS = [f"#{ids.UNIT_TREND} .main-svg .xtick", f"#{ids.UNIT_RANKING} .main-svg .bars",
          f"#{ids.UNIT_TILES} .main-svg", f"#{ids.UNIT_TABLE} .ag-row"]
PAGES = {  # path -> what must be on screen before the page counts as rendered
    f"/?month={MONTH}": ["#page-cards [data-field='value']", *CHARTS],
    f"/township/{FOTANG}?month={MONTH}": ["#page-cards [data-field='value']", *CHARTS],
    f"/village/{VILLAGE}?month={MONTH}": ["#page-cards [data-field='value']",
                                          f"#{ids.VILLAGE_TRENDS} .main-svg .xtick"],
    "/data": [f"#{ids.DATA_MATRIX} .ag-row", f"#{ids.DATA_MISSING} .ag-row"],
    "/missing": ["#page-alert .mantine-Alert-root"],
    "/wall?units=all&rotate=600": ["#wall-content [data-field]"],
}


@pytest.fixture
def browser(dash_duo, app):
    """The app served, and Chromium recording CSP violations on every page it opens."""
    dash_duo.start_server(app)
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS_JS})
    return dash_duo


def open_rendered(dash_duo, path: str, ready: list[str]) -> None:
    """Open path and wait until every selector in ready is on the page and no callback is in flight."""
    dash_duo.driver.get(dash_duo.server_url + path)
    for css in ready:
        wait_until(lambda: dash_duo.driver.execute_script("return document.querySelector(arguments[0])", css),
                   timeout=30, what=f"{css} on {path}")
    settled(dash_duo)


def violations(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script("return window.cspViolations")


def mantine_styled(dash_duo) -> bool:
    """Mantine's theme variables are in effect (its <style> elements were applied)."""
    return bool(dash_duo.driver.execute_script(
        "return getComputedStyle(document.documentElement).getPropertyValue('--mantine-color-blue-6').trim()"))


def test_every_page_renders_under_the_policy_and_nothing_is_refused(browser):
    refused = {}
    for path, ready in PAGES.items():
        open_rendered(browser, path, ready)
        assert mantine_styled(browser), path
        if violations(browser):
            refused[path] = violations(browser)
    # the wall: every panel of the city (tiles, trends, league, completeness) drawn once
    for step in range(min(steps_of(browser.driver), 8)):
        show_step(browser.driver, step)
    if violations(browser):
        refused["/wall panels"] = violations(browser)
    assert refused == {}
    assert browser.get_logs() == []  # no SEVERE entry at all (a refusal is one: see the last test)


def test_grid_function_strings_run_without_unsafe_eval(browser):
    """dash-ag-grid's {"function": ...} formatters and style conditions work under script-src without eval."""
    open_rendered(browser, f"/?month={MONTH}", PAGES[f"/?month={MONTH}"])
    cell = browser.driver.find_element(
        By.CSS_SELECTOR, f'#{ids.UNIT_TABLE} .ag-row[row-index="0"] [col-id="status_rank"]')
    labels = {i18n.status_label(s, "zh") for s in i18n.STATUS_ORDER}
    assert cell.text.strip() in labels  # the valueFormatter's text, not the rank number
    assert cell.value_of_css_property("border-left-width") == "6px"  # the styleConditions' border
    assert violations(browser) == [] and browser.get_logs() == []


def test_csv_download_and_chart_png_export_work_under_the_policy(browser, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    open_rendered(browser, f"/township/{FOTANG}?month={MONTH}", PAGES[f"/township/{FOTANG}?month={MONTH}"])
    name = f"持证社工人数_佛堂镇_{MONTH}"
    button = browser.find_element(f"#{ids.EXPORT_TREND_CSV}")
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    graph = browser.find_element(f"#{ids.UNIT_TREND} .js-plotly-plot")
    ActionChains(browser.driver).move_to_element(graph).perform()
    browser.driver.find_element(By.CSS_SELECTOR, f'#{ids.UNIT_TREND} [data-title="Download plot as a PNG"]').click()
    for file in (f"{name}.csv", f"{name}.png"):
        path = folder / file
        wait_until(lambda: path.exists() and path.stat().st_size > 0
                   and not path.with_name(file + ".crdownload").exists(), timeout=30, what=f"download {file}")
    from PIL import Image

    assert Image.open(io.BytesIO((folder / f"{name}.png").read_bytes())).size[0] > 1000  # drawn through data:/blob:
    assert (folder / f"{name}.csv").read_bytes().startswith("\ufeff".encode())
    assert violations(browser) == [] and browser.get_logs() == []


def test_an_injected_inline_script_is_refused_and_reported(browser):
    """The policy is in force, and the checks above would see a refusal."""
    open_rendered(browser, "/missing", PAGES["/missing"])
    ran = browser.driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.injected = true;';"
        "document.head.appendChild(s); return window.injected === true;")
    assert ran is False
    assert any(v.startswith("script-src-elem refused inline") for v in violations(browser))
    # Chromium 156 words it "Executing inline script violates the following Content Security Policy
    # directive ..." (older versions: "Refused to execute ..."), as a SEVERE entry
    logged = wait_until(browser.get_logs, what="the refusal in the console")
    assert any("Content Security Policy" in e["message"] and e["level"] == "SEVERE" for e in logged)


def test_screenshots_of_the_overview_and_the_wall_under_the_policy(browser):
    """tests/artifacts/csp-overview.png and csp-wall.png, at 1600x1000, for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    viewport(browser.driver, 1600, 1000)
    open_rendered(browser, f"/?month={MONTH}", PAGES[f"/?month={MONTH}"])
    browser.driver.save_screenshot(str(ARTIFACTS / "csp-overview.png"))
    open_rendered(browser, "/wall?units=all&rotate=600", PAGES["/wall?units=all&rotate=600"])
    show_step(browser.driver, 1)  # a trend chart: plotly, fonts and the dark theme together
    browser.driver.save_screenshot(str(ARTIFACTS / "csp-wall.png"))
    for name in ("csp-overview.png", "csp-wall.png"):
        assert (ARTIFACTS / name).stat().st_size > 50_000, name
    assert violations(browser) == [] and browser.get_logs() == []
