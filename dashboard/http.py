"""HTTP response policy: cache lifetimes of static files, and the security headers of every response."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence

import flask

YEAR = 31_536_000

# Everything the browser loads comes from the app itself (the product runs offline: no CDN), so
# 'self' is the only source anywhere. No 'unsafe-eval': nothing needs it (plotly's SVG charts, the
# clientside callbacks and dash-ag-grid's {"function": ...} strings all run without it). The
# relaxations below were each found needed in headless Chromium (tests/test_browser_csp.py).
CSP = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),  # + the hashes of Dash's inline scripts, added per app
    # Inline <style> elements and style attributes: Mantine's theme, plotly, ag-grid, dcc and React write them.
    "style-src": ("'self'", "'unsafe-inline'"),
    # Sparklines and ag-grid's icons are SVG data: URIs; plotly's PNG export draws through a blob: image.
    "img-src": ("'self'", "data:", "blob:"),
    "font-src": ("'self'", "data:"),  # no data: font is loaded today; kept for embedded theme fonts
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),  # the sign-in and sign-out forms post to the app itself
    "frame-ancestors": ("'none'",),
}

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: the wall's options (and its access token) are read from the full Referer of
    # Dash's same-origin /_dash-layout request. same-origin sends nothing to any other origin.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": ", ".join(f"{feature}=()" for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "midi", "payment", "usb", "serial", "hid", "display-capture", "publickey-credentials-get",
        "screen-wake-lock", "xr-spatial-tracking")),
}


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """The Content-Security-Policy header value, allowing the given inline script hashes."""
    directives = {**CSP, "script-src": (*CSP["script-src"], *script_hashes)}
    return "; ".join(" ".join((name, *sources)) for name, sources in directives.items())


def register(server: flask.Flask, script_hashes: Callable[[], Sequence[str]] | None = None) -> None:
    """Cache and security headers on every response. script_hashes (Dash's app.csp_hashes) names the
    inline scripts pages may run; it is asked at the first response, once every callback is registered."""
    _register_cache_headers(server)

    @functools.cache  # two threads racing at the first response compute the same string: harmless
    def policy() -> str:
        return content_security_policy(script_hashes() if script_hashes else ())

    @server.after_request
    def _security_headers(response):
        response.headers["Content-Security-Policy"] = policy()
        response.headers.update(SECURITY_HEADERS)
        return response


def _register_cache_headers(server: flask.Flask) -> None:
    """Long-lived caching for fingerprinted static URLs, revalidation for the rest."""

    @server.after_request
    def _cache_headers(response):
        path, args = flask.request.path, flask.request.args
        fingerprinted_by_dash = path.startswith("/_dash-component-suites/") and "Cache-Control" in response.headers
        if response.status_code != 200 or fingerprinted_by_dash:
            return response
        if path.startswith("/assets/") and "m" in args:
            # Dash writes /assets/x.css?m=<mtime>: a changed file gets a new URL.
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        elif path.startswith("/_dash-component-suites/"):
            # Chunks Dash loads lazily (plotly.min.js, async-*.js) carry no fingerprint: keep them an hour,
            # then revalidate with their ETag (a package upgrade changes it).
            response.headers["Cache-Control"] = "public, max-age=3600"
        return response
