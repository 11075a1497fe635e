"""Signing in, out and back, in headless Chromium (run with `pytest --headless`), and a wall by token."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from conftest import AUTH, OWN_TOWNSHIP, PASSWORD
from dashboard.app import create_app
from browser import wait_until
from test_browser_dashboard import click_text

pytestmark = pytest.mark.browser
SHOTS = "/tmp"


@pytest.fixture
def app(auth_settings):
    return create_app(auth_settings)


def fill_in(driver, user: str, password: str = PASSWORD):
    """Type into the sign-in form and send it."""
    driver.find_element(By.ID, "username").clear()
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def test_sign_in_lands_on_the_page_asked_for_and_sign_out_ends_it(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    driver = dash_duo.driver
    driver.set_window_size(1600, 1000)
    driver.get(f"{dash_duo.server.url}/township/{OWN_TOWNSHIP}?month=2022-06")
    wait_until(lambda: "/login" in driver.current_url, what="the sign-in page")
    assert driver.find_element(By.CSS_SELECTOR, ".login-title").text == "登录"
    fill_in(driver, "township", "wrong password!")
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".login-message"), what="the error")
    driver.save_screenshot(f"{SHOTS}/login-error.png")
    fill_in(driver, "township")
    dash_duo.wait_for_element("#page-cards [data-field='value']", timeout=20)
    assert f"/township/{OWN_TOWNSHIP}" in driver.current_url and "month=2022-06" in driver.current_url
    dash_duo.wait_for_contains_text("#shell-account", "township")
    driver.save_screenshot(f"{SHOTS}/signed-in-township.png")
    driver.find_element(By.CSS_SELECTOR, "#shell-account button").click()
    wait_until(lambda: driver.current_url.endswith("/login"), what="the sign-in page after signing out")
    driver.get(f"{dash_duo.server.url}/")
    wait_until(lambda: "/login" in driver.current_url, what="the sign-in page again")
    assert not [e for e in dash_duo.get_logs() if e.get("level") == "SEVERE" and "401" not in e.get("message", "")]


def test_a_viewer_sees_no_download_buttons(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server.url}/login")
    fill_in(driver, "viewer")
    dash_duo.wait_for_element("#page-cards [data-field='value']", timeout=20)
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".kpi-csv-button"), what="the page's buttons")
    shown = [b for b in driver.find_elements(By.CSS_SELECTOR, ".kpi-csv-button") if b.is_displayed()]
    assert shown == []
    assert not driver.find_element(By.ID, "export-brief").is_displayed()


def test_an_ended_session_sends_the_page_to_sign_in(dash_duo, app, auth_settings):
    dash_duo.start_server(app, navigate=False)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server.url}/login")
    fill_in(driver, "city")
    dash_duo.wait_for_element("#page-cards [data-field='value']", timeout=20)
    driver.delete_cookie("kpi_session")  # as if it expired
    click_text(dash_duo, "#shell-lang label", "English")  # any callback
    wait_until(lambda: "/login?next=" in driver.current_url, what="the sign-in page")


def test_a_wall_opened_with_its_token_shows_data_without_signing_in(dash_duo, app):
    dash_duo.start_server(app, navigate=False)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{dash_duo.server.url}/wall?token={AUTH['wall_token']}&units=all&month=2022-06")
    wait_until(lambda: driver.execute_script("return document.querySelector('#wall-content [data-field]') !== null"),
               timeout=30, what="the wall's first panel")
    assert "/login" not in driver.current_url
    driver.get(f"{dash_duo.server.url}/wall?token=not-a-token&units=all")
    wait_until(lambda: "/login" in driver.current_url, what="the sign-in page for a bad token")
