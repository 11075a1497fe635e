"""What every browser test file needs: polling, waiting for Dash to settle, the console's errors."""
from __future__ import annotations

import time

SETTLED_JS = "return document.querySelector('[data-dash-is-loading=\"true\"]') === null"


def wait_until(condition, timeout=20, what="condition"):
    """Poll until condition() is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def settled(dash_duo):
    """Wait until no Dash callback is in flight."""
    wait_until(lambda: dash_duo.driver.execute_script(SETTLED_JS), what="callbacks to finish")
    time.sleep(0.3)


def severe_logs(dash_duo) -> list:
    """The browser console's SEVERE entries."""
    return [entry for entry in dash_duo.get_logs() if entry.get("level") == "SEVERE"]
