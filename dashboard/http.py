"""HTTP response policy: cache lifetimes of static files (security headers join here in issue 8)."""
from __future__ import annotations

import flask

YEAR = 31_536_000


def register(server: flask.Flask) -> None:
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
