"""Downloads in headless Chromium (run with `pytest --headless`): the buttons produce the files."""
from __future__ import annotations

import io
import zipfile

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard import exports, i18n, ids
from dashboard.data.catalogue import CITY_CODE

from browser import settled, severe_logs, wait_until
from test_browser_dashboard import open_page

pytestmark = pytest.mark.browser
FOTANG = "330782100000"
MONTH = "2022-06"


@pytest.fixture
def downloads(dash_duo, tmp_path):
    """Chromium saves downloads into a fresh folder; returns a function that waits for one file."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})

    def wait_for(name: str, timeout: float = 30) -> bytes:
        path = folder / name
        wait_until(lambda: path.exists() and path.stat().st_size > 0 and not (folder / (name + ".crdownload")).exists(),
                   timeout=timeout, what=f"download {name} (have {[p.name for p in folder.iterdir()]})")
        return path.read_bytes()
    return wait_for


def click(dash_duo, component_id: str):
    """Click a button by its id once the page has settled."""
    button = dash_duo.wait_for_element(f"#{component_id}")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def test_trend_csv_and_png_name_follow_the_view(dash_duo, app, demo_service, downloads):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/township/{FOTANG}?month={MONTH}")
    click(dash_duo, ids.EXPORT_TREND_CSV)
    frame = exports.read_csv(downloads("持证社工人数_佛堂镇_2022-06.csv"))
    actual = frame[frame["series"] == i18n.t("actual", "zh")]
    series = {p: v for p, v, _ in demo_service.series(FOTANG, "certified_social_workers", MONTH)}
    assert len(actual) > 12
    for period, value in zip(actual["period"], actual["value"]):
        assert value == pytest.approx(round(series[period], 4), nan_ok=True), period
    options = dash_duo.driver.execute_script(
        "return document.querySelector('#unit-trend .js-plotly-plot')._context.toImageButtonOptions")
    assert options == {"format": "png", "scale": 3, "filename": "持证社工人数_佛堂镇_2022-06"}
    # plotly's camera button saves the PNG in the browser, three times the on-screen size
    graph = dash_duo.find_element("#unit-trend .js-plotly-plot")
    ActionChains(dash_duo.driver).move_to_element(graph).perform()
    dash_duo.driver.find_element(By.CSS_SELECTOR, '#unit-trend [data-title="Download plot as a PNG"]').click()
    png = downloads("持证社工人数_佛堂镇_2022-06.png")
    from PIL import Image

    width = dash_duo.driver.execute_script("return document.querySelector('#unit-trend .js-plotly-plot').offsetWidth")
    assert Image.open(io.BytesIO(png)).size[0] == 3 * width
    assert severe_logs(dash_duo) == []


def test_table_csv_is_the_rows_as_sorted_on_screen(dash_duo, app, demo_service, downloads):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/?month={MONTH}")
    header = dash_duo.wait_for_element('#unit-table .ag-header-cell[col-id="name"]')
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", header)
    header.click()  # sort by name
    settled(dash_duo)
    shown = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#unit-table .ag-center-cols-container .ag-row'))"
        ".sort((a, b) => +a.getAttribute('row-index') - +b.getAttribute('row-index'))"
        ".map(r => r.querySelector('[col-id=\"name\"]').innerText.trim())")
    click(dash_duo, ids.EXPORT_TABLE_CSV)
    frame = exports.read_csv(downloads("持证社工人数_义乌市_2022-06_明细.csv"))
    assert frame["name"].tolist() == shown and len(shown) == 14
    engine = {c.unit.code: c.kpi for c in demo_service.children_kpis(CITY_CODE, "certified_social_workers", MONTH)}
    for code, value, status in zip(frame["code"], frame["value"], frame["status"]):
        assert value == engine[code].value and status == engine[code].status
    click(dash_duo, ids.EXPORT_RANKING_CSV)
    ranking = exports.read_csv(downloads("持证社工人数_义乌市_2022-06_排名.csv"))
    assert sorted(ranking["unit_code"]) == sorted(engine)
    assert severe_logs(dash_duo) == []


def test_export_brief_downloads_a_zip_of_both_pngs_and_the_csv(dash_duo, app, demo_service, downloads):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/township/{FOTANG}?month={MONTH}")
    dash_duo.wait_for_text_to_equal(f"#{ids.EXPORT_BRIEF}", "导出简报")
    click(dash_duo, ids.EXPORT_BRIEF)
    content = downloads("简报_佛堂镇_2022-06.zip", timeout=90)  # the first brief starts Chromium (a few s)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["简报_佛堂镇_2022-06.csv", "简报_佛堂镇_2022-06_16x9.png",
                                              "简报_佛堂镇_2022-06_A4.png"]
        back = exports.read_csv(archive.read("简报_佛堂镇_2022-06.csv"))
    assert back["value"].tolist() == pytest.approx(demo_service.kpi_frame(FOTANG, MONTH)["value"].tolist(),
                                                   nan_ok=True)
    assert severe_logs(dash_duo) == []


def test_village_page_has_a_csv_of_its_charts_and_no_brief(dash_duo, app, demo_service, downloads):
    village = "330782100014"
    dash_duo.start_server(app)
    open_page(dash_duo, f"/village/{village}?month={MONTH}")
    assert not dash_duo.find_element(f"#{ids.EXPORT_BRIEF}").is_displayed()
    click(dash_duo, ids.EXPORT_VILLAGE_CSV)
    name = demo_service.unit(village).name
    frame = exports.read_csv(downloads(f"{name}_2022-06.csv"))
    assert set(frame["indicator"]) == {i.code for i in demo_service.applicable(demo_service.unit(village))}
    assert severe_logs(dash_duo) == []
