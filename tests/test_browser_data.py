"""The reporting page in headless Chromium (`pytest --headless`): load, drill into a cell, a township, downloads."""
from __future__ import annotations

import time
from urllib.parse import urlparse

import openpyxl
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By


from browser import settled, severe_logs, wait_until

pytestmark = pytest.mark.browser
FOTANG, DACHEN = "330782100000", "330782106000"
MATRIX = "#data-matrix"


def cell_css(row: str, col: str) -> str:
    """A matrix cell (the unit names live in the pinned column, the months in the centre)."""
    part = "pinned-left" if col == "name" else "center"
    return f'{MATRIX} .ag-{part}-cols-container [row-id="{row}"] [col-id="{col}"]'


def cell(dash_duo, row: str, col: str):
    return dash_duo.find_element(cell_css(row, col))


def click(dash_duo, css: str):
    """Click the element, found again if a re-render replaced it in between."""
    def attempt():
        try:
            found = dash_duo.driver.find_elements(By.CSS_SELECTOR, css)
            if found:
                found[0].click()
            return bool(found)
        except StaleElementReferenceException:
            return False
    wait_until(attempt, what=f"{css} to click")


def open_data(dash_duo, path: str):
    """Open a /data path and wait for the matrix."""
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element(f"{MATRIX} .ag-center-cols-container .ag-row", timeout=30)
    settled(dash_duo)


def test_data_page_loads_with_statuses_and_drills_into_a_cell(dash_duo, app):
    dash_duo.start_server(app)
    open_data(dash_duo, "/data?month=2022-12")
    dash_duo.wait_for_text_to_equal("#page-title", "报送情况:义乌市")
    assert cell(dash_duo, DACHEN, "2022-12").text == "✗ 未报"
    assert "未报" in dash_duo.find_element("#data-legend").text
    click(dash_duo, cell_css(FOTANG, "2022-06"))
    dash_duo.wait_for_contains_text("#data-detail-title", "佛堂镇 · 2022年6月")
    submissions = dash_duo.find_element("#data-detail-submissions").text
    assert "2022-06_330782100000.xlsx" in submissions and "2022-06_更正_1.xlsx" in submissions
    dash_duo.wait_for_contains_text("#data-detail-values", "已被更正")
    assert severe_logs(dash_duo) == []


def test_clicking_a_township_opens_its_villages_and_the_breadcrumb_leads_back(dash_duo, app, demo_service):
    dash_duo.start_server(app)
    open_data(dash_duo, "/data?month=2022-12&span=24")
    click(dash_duo, cell_css(FOTANG, "name"))
    wait_until(lambda: urlparse(dash_duo.driver.current_url).path == f"/data/{FOTANG}", what="the township's URL")
    dash_duo.wait_for_text_to_equal("#page-title", "报送情况:佛堂镇")
    assert "span=24" in dash_duo.driver.current_url
    village = demo_service.children(FOTANG, "2022-12")[0].code
    wait_until(lambda: dash_duo.find_elements(f'{MATRIX} [row-id="{village}"]'), what="the villages' rows")
    click(dash_duo, "#page-breadcrumb a")
    wait_until(lambda: urlparse(dash_duo.driver.current_url).path == "/data", what="back to the city")


def test_header_link_opens_the_reporting_page(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?month=2022-06")
    link = wait_until(lambda: [a for a in dash_duo.driver.find_elements(By.CSS_SELECTOR, "#shell-nav a")
                               if a.text == "报送情况"], what="the header link")[0]
    link.click()
    dash_duo.wait_for_element(f"{MATRIX} .ag-center-cols-container .ag-row", timeout=30)
    assert urlparse(dash_duo.driver.current_url).path == "/data"


def test_missing_list_and_templates_download(dash_duo, app, tmp_path):
    dash_duo.start_server(app)
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_data(dash_duo, f"/data/{FOTANG}?month=2022-12")
    click(dash_duo, "#data-missing-csv")
    csv_file = wait_until(lambda: [p for p in tmp_path.glob("*.csv")], what="the missing list")[0]
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")
    click(dash_duo, "#data-template-xlsx")
    book = wait_until(lambda: [p for p in tmp_path.glob("*.xlsx")], what="the template")[0]
    assert book.name == "2022-12_佛堂镇_报送模板.xlsx"
    time.sleep(0.5)  # let Chromium finish writing
    assert openpyxl.load_workbook(book).worksheets[0]["B2"].value == FOTANG
