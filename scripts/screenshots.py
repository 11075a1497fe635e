"""Screenshots of the overview, a township, a village and the reporting page for the docs, from headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--database-url URL]

Without --database-url, the demo data set is built in a temporary folder, so the pictures are the
same on every machine. The app runs in a thread on a free local port. Chromium runs headless with
a fresh profile and no background networking, driven by chromedriver: `chromium --screenshot
--virtual-time-budget` never finishes on these pages (Chromium's virtual time stalls after the first
callback response), and a fixed delay would catch half-drawn charts, so the script waits until
Dash has no callback in flight and every chart is drawn, then sizes the window to the page.
"""
from __future__ import annotations

import argparse
import logging
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.data import catalogue as cat
from dashboard.data import db, demo
from dashboard.settings import Settings

log = logging.getLogger("screenshots")
ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1600
# (file, path and query, what to click first): the month is fixed so the pictures do not drift with the data.
PAGES = (
    ("overview.png", "/?month=2022-06&lang=zh", None),
    ("township.png", "/township/330782100000?month=2022-06&ind=key_recipient_visit_rate&lang=zh", None),
    ("village.png", "/village/330782100014?month=2022-06&lang=zh", None),
    # /data with 佛堂镇's June 2022 opened: the demo's corrected value shows in its history
    ("data.png", "/data?month=2022-12&lang=zh",
     '#data-matrix .ag-center-cols-container [row-id="330782100000"] [col-id="2022-06"]'),
)
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run",
                  "--disable-sync", "--disable-default-apps", "--mute-audio", f"--window-size={WIDTH},1400")
# True once Dash is idle: no component loading, every graph drawn.
SETTLED_JS = """
return document.querySelector('[data-dash-is-loading="true"]') === null
    && document.querySelectorAll('.js-plotly-plot').length > 0
    && document.querySelectorAll('.dash-graph:not(:has(.main-svg))').length === 0;
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_settings(folder: Path) -> Settings:
    """Settings on a fresh demo database in folder."""
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    demo.build(engine, cat.load_catalogue(), cat.load_units())
    engine.dispose()
    return Settings(database_url=url, var_dir=folder, auth=False)


def browser(profile: str) -> webdriver.Chrome:
    """Headless Chromium with a fresh profile (chromedriver from PATH)."""
    options = Options()
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def shoot(driver: webdriver.Chrome, url: str, out: Path, click: str | None = None, timeout: float = 30) -> None:
    """Open url, wait until Dash has settled (click something first if asked), size the window to the
    page, save the screenshot."""
    driver.set_window_size(WIDTH, 1400)
    driver.get(url)
    settle(driver, url, timeout)
    if click:
        deadline = time.monotonic() + timeout
        while not driver.find_elements(By.CSS_SELECTOR, click):  # a grid draws its rows after Dash settles
            if time.monotonic() > deadline:
                raise SystemExit(f"screenshots: nothing to click ({click}) on {url}")
            time.sleep(0.25)
        driver.find_element(By.CSS_SELECTOR, click).click()
        settle(driver, url, timeout)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(int(height) + 40, 6000))
    time.sleep(0.5)
    driver.save_screenshot(str(out))
    log.info("wrote %s", out)


def settle(driver: webdriver.Chrome, url: str, timeout: float) -> None:
    """Wait until Dash has no callback in flight and every chart is drawn, then a moment for transitions."""
    deadline = time.monotonic() + timeout
    while not driver.execute_script(SETTLED_JS):
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: {url} did not settle within {timeout:.0f} s")
        time.sleep(0.25)
    time.sleep(1.0)  # let plotly finish its transitions


def main(argv: list[str] | None = None) -> int:
    """Start the app, take each page's screenshot, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--database-url", default="", help="use this database instead of a fresh demo")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-shots-") as tmp:
        settings = (Settings(database_url=args.database_url, var_dir=Path(tmp), auth=False) if args.database_url
                    else demo_settings(Path(tmp)))
        app = create_app(settings)
        port = free_port()
        server = make_server("127.0.0.1", port, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        driver = browser(str(Path(tmp) / "profile"))
        try:
            for name, path, click in PAGES:
                shoot(driver, f"http://127.0.0.1:{port}{path}", args.out / name, click)
        finally:
            driver.quit()
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
