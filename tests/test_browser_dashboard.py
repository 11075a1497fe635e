"""The dashboard in headless Chromium (run with `pytest --headless`): what a manager sees and does."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from dashboard import i18n
from dashboard.app import create_app
from dashboard.data.catalogue import CITY_CODE

from browser import settled, severe_logs, wait_until

pytestmark = pytest.mark.browser
FOTANG = "330782100000"
MONTH = "2022-06"


def query(dash_duo) -> dict:
    """The current URL's query, one value per key."""
    return {k: v[0] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def card_texts(dash_duo, field: str) -> dict[str, str]:
    """indicator -> text of the card elements tagged data-field=field."""
    pairs = dash_duo.driver.execute_script(  # one atomic read: cards may re-render meanwhile
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(e => [e.getAttribute('data-kpi'), e.innerText.trim()])", f'[data-field="{field}"]')
    return dict(pairs)


def open_page(dash_duo, path: str):
    """Go to a path of the running app and wait until it has settled."""
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#page-cards [data-field='value']", timeout=20)
    settled(dash_duo)


def choose(dash_duo, select_id: str, label: str):
    """Pick an option of a Mantine Select by its label."""
    dash_duo.find_element(f"#{select_id}").click()
    option = wait_until(lambda: [o for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, '[role="option"]')
                                 if o.text.strip() == label], what=f"option {label}")[0]
    option.click()
    settled(dash_duo)


def click_text(dash_duo, css: str, text: str):
    """Click the first element matching css whose text is text (found again if a re-render replaced it)."""
    def click():
        try:
            found = [e for e in dash_duo.driver.find_elements(By.CSS_SELECTOR, css) if e.text.strip() == text]
            if found:
                found[0].click()
            return bool(found)
        except StaleElementReferenceException:  # the page re-rendered between finding and clicking
            return False
    wait_until(click, what=f"{css} '{text}'")


def assert_cards_equal_engine(dash_duo, service, unit: str, month: str, lang: str = "zh"):
    """Every card's value and status is the engine's, formatted by the shared formatter."""
    values, statuses = card_texts(dash_duo, "value"), card_texts(dash_duo, "status")
    kpis = service.kpis(unit, month)
    assert set(values) == {k.indicator for k in kpis}
    for k in kpis:
        ind = service.indicators[k.indicator]
        assert values[k.indicator] == i18n.fmt_with_unit(k.value, ind, lang, k.target_kind), k.indicator
        assert statuses[k.indicator] == i18n.status_label(k.status, lang), k.indicator


def test_overview_loads_with_engine_numbers_and_the_demo_label(dash_duo, app, demo_service):
    dash_duo.start_server(app)
    open_page(dash_duo, "/")
    latest = demo_service.state()["latest_period"]
    wait_until(lambda: query(dash_duo).get("month") == latest, what="the month pinned in the URL")
    dash_duo.wait_for_text_to_equal("#page-title", "义乌市")
    assert "演示数据" in dash_duo.find_element("#shell-demo-badge").text
    assert_cards_equal_engine(dash_duo, demo_service, CITY_CODE, latest)
    dash_duo.wait_for_element("#unit-ranking .main-svg")
    dash_duo.wait_for_element("#unit-tiles .main-svg")
    assert severe_logs(dash_duo) == []


def test_month_and_category_filters_update_page_and_url(dash_duo, app, demo_service):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/?month={MONTH}")
    choose(dash_duo, "filter-month", "2021年3月")
    wait_until(lambda: query(dash_duo).get("month") == "2021-03", what="month in the URL")
    dash_duo.wait_for_text_to_equal("#page-subtitle", "截至2021年3月")
    assert_cards_equal_engine(dash_duo, demo_service, CITY_CODE, "2021-03")
    choose(dash_duo, "filter-category", "养老")
    wait_until(lambda: query(dash_duo).get("cat") == "养老", what="category in the URL")
    shown = set(card_texts(dash_duo, "value"))
    assert shown == {i.code for i in demo_service.catalogue if i.category == "养老"}
    # back undoes the category, then the month
    dash_duo.driver.back()
    wait_until(lambda: "cat" not in query(dash_duo), what="back to no category")
    wait_until(lambda: len(card_texts(dash_duo, "value")) == len(demo_service.catalogue), what="all cards again")
    dash_duo.driver.back()
    wait_until(lambda: query(dash_duo).get("month") == MONTH, what="back to the first month")
    dash_duo.wait_for_text_to_equal("#page-subtitle", "截至2022年6月")
    assert severe_logs(dash_duo) == []


def test_drill_down_township_then_village_and_back_by_breadcrumb(dash_duo, app, demo_service):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/?month={MONTH}")
    click_text(dash_duo, "#unit-table .ag-cell", "佛堂镇")
    wait_until(lambda: urlparse(dash_duo.driver.current_url).path == f"/township/{FOTANG}", what="township page")
    dash_duo.wait_for_text_to_equal("#page-title", "佛堂镇")
    settled(dash_duo)
    assert_cards_equal_engine(dash_duo, demo_service, FOTANG, MONTH)
    first_row = dash_duo.wait_for_element('#unit-table .ag-row[row-index="0"] .ag-cell[col-id="name"]')
    village = next(u for u in demo_service.children(FOTANG, MONTH) if u.name == first_row.text.strip())
    first_row.click()
    wait_until(lambda: urlparse(dash_duo.driver.current_url).path == f"/village/{village.code}", what="village page")
    dash_duo.wait_for_text_to_equal("#page-title", village.name)
    settled(dash_duo)
    assert_cards_equal_engine(dash_duo, demo_service, village.code, MONTH)
    assert dash_duo.find_element("#page-breadcrumb").text.split() == ["义乌市", "›", "佛堂镇", "›", village.name]
    click_text(dash_duo, "#page-breadcrumb a", "佛堂镇")
    wait_until(lambda: urlparse(dash_duo.driver.current_url).path == f"/township/{FOTANG}", what="back to township")
    click_text(dash_duo, "#page-breadcrumb a", "义乌市")
    wait_until(lambda: urlparse(dash_duo.driver.current_url).path == "/", what="back to the city")
    dash_duo.wait_for_text_to_equal("#page-title", "义乌市")
    assert query(dash_duo)["month"] == MONTH
    dash_duo.driver.back()  # back and forward move through the drill-downs
    dash_duo.wait_for_text_to_equal("#page-title", "佛堂镇")
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal("#page-title", village.name)
    dash_duo.driver.forward()
    dash_duo.wait_for_text_to_equal("#page-title", "佛堂镇")
    assert severe_logs(dash_duo) == []


def test_township_filter_narrows_the_city_page_and_clears(dash_duo, app):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/?month={MONTH}")
    choose(dash_duo, "filter-towns", "佛堂镇")
    wait_until(lambda: query(dash_duo).get("towns") == FOTANG, what="towns in the URL")
    wait_until(lambda: dash_duo.driver.execute_script(
        "return document.querySelectorAll('#unit-table .ag-row').length") == 1, what="one township in the table")
    dash_duo.driver.find_element(By.CSS_SELECTOR, "#filter-towns").send_keys("\ue003")  # backspace: clear it
    wait_until(lambda: "towns" not in query(dash_duo), what="towns cleared from the URL")
    wait_until(lambda: dash_duo.driver.execute_script(
        "return document.querySelectorAll('#unit-table .ag-row').length") == 14, what="all townships again")
    assert severe_logs(dash_duo) == []


def test_clicking_a_ranking_bar_opens_the_township(dash_duo, app):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/?month={MONTH}")
    bar = dash_duo.wait_for_element("#unit-ranking .bars .point path")
    ActionChains(dash_duo.driver).move_to_element(bar).click().perform()  # plotly listens on its drag layer
    wait_until(lambda: urlparse(dash_duo.driver.current_url).path.startswith("/township/"), what="a township page")
    settled(dash_duo)
    assert severe_logs(dash_duo) == []


def test_a_copied_url_opens_the_same_view_in_a_fresh_browser(dash_duo, app):
    dash_duo.start_server(app)
    path = f"/township/{FOTANG}?month=2021-09&cat=养老&ind=meal_service_coverage&lang=en"
    open_page(dash_duo, path)
    before = (dash_duo.find_element("#page-title").text, card_texts(dash_duo, "value"),
              dash_duo.find_element("#filter-month").get_attribute("value"),
              dash_duo.find_element("#unit-indicator").get_attribute("value"))
    copied = dash_duo.driver.current_url
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.execute_script("window.localStorage.clear(); window.sessionStorage.clear();")
    dash_duo.driver.get("about:blank")
    open_page(dash_duo, urlparse(copied).path + "?" + urlparse(copied).query)
    after = (dash_duo.find_element("#page-title").text, card_texts(dash_duo, "value"),
             dash_duo.find_element("#filter-month").get_attribute("value"),
             dash_duo.find_element("#unit-indicator").get_attribute("value"))
    assert after == before
    assert before[0] == "Fotang (佛堂镇)" and before[2] == "Sep 2021"
    assert set(before[1]) == {"home_care_station_coverage", "model_home_care_centres", "meal_service_coverage",
                              "social_workers_per_60_beds", "social_workers_per_500_elders",
                              "family_doctor_elderly_coverage", "elderly_beds_per_1000"}
    assert severe_logs(dash_duo) == []


def test_language_switch_is_in_the_url_and_translates_the_page(dash_duo, app, demo_service):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/?month={MONTH}")
    click_text(dash_duo, "#shell-lang label", "English")
    wait_until(lambda: query(dash_duo).get("lang") == "en", what="lang=en in the URL")
    dash_duo.wait_for_text_to_equal("#shell-title", i18n.t("app_title", "en"))
    dash_duo.wait_for_text_to_equal("#page-subtitle", "as of Jun 2022")
    settled(dash_duo)
    assert_cards_equal_engine(dash_duo, demo_service, CITY_CODE, MONTH, lang="en")
    assert dash_duo.driver.title == i18n.t("app_title", "en")
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal("#shell-title", i18n.t("app_title", "zh"))
    assert severe_logs(dash_duo) == []


def test_every_request_goes_to_the_apps_own_host(dash_duo, app):
    dash_duo.start_server(app)
    for path in ("/", f"/township/{FOTANG}?month={MONTH}", "/village/330782100014?lang=en"):
        open_page(dash_duo, path)
        urls = dash_duo.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".concat([window.location.href])")
        hosts = {urlparse(u).hostname for u in urls if not u.startswith(("data:", "blob:", "about:"))}
        assert hosts <= {"127.0.0.1", "localhost"}, hosts
        assert len(urls) > 5
    assert severe_logs(dash_duo) == []


def test_empty_database_shows_no_data_yet(dash_duo, empty_settings):
    dash_duo.start_server(create_app(empty_settings))
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_contains_text("#page-alert", "暂无数据", timeout=20)
    settled(dash_duo)
    assert set(card_texts(dash_duo, "value").values()) == {"—"}
    assert severe_logs(dash_duo) == []


def test_a_cards_trend_button_selects_its_indicator(dash_duo, app):
    dash_duo.start_server(app)
    open_page(dash_duo, f"/?month={MONTH}")
    button = dash_duo.driver.find_element(By.CSS_SELECTOR, "#page-cards .kpi-card-trend[id*='charity_index']")
    button.click()
    wait_until(lambda: query(dash_duo).get("ind") == "charity_index", what="ind in the URL")
    dash_duo.wait_for_contains_text("#unit-trend .gtitle", "慈善发展指数")
    assert severe_logs(dash_duo) == []
