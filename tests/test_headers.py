"""Security and cache headers on every kind of response: pages, Dash's JSON, static files, errors."""
from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from dashboard.app import create_app
from test_serving import cards_body

REQUIRED = {
    "default-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# A source that names no host: a keyword, a hash, or one of the two schemes images may use.
HOSTLESS = re.compile(r"^('self'|'none'|'unsafe-inline'|'sha256-[A-Za-z0-9+/]+={0,2}'|data:|blob:)$")


@pytest.fixture(scope="module")
def app(demo_settings):
    return create_app(demo_settings)


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


@pytest.fixture(scope="module")
def index(client) -> str:
    return client.get("/").get_data(as_text=True)


def script_url(index: str, part: str) -> str:
    """The URL of the first <script src> of the index page containing part."""
    return next(src for src in re.findall(r'<script src="([^"]+)"', index) if part in src)


@pytest.fixture(scope="module")
def responses(client, index) -> dict:
    """One response of each kind the app serves."""
    css = re.search(r'href="(/assets/dashboard\.css\?m=[^"]+)"', index).group(1)
    return {
        "page": client.get("/"),
        "township page": client.get("/township/330782100000?month=2022-06"),
        "wall page": client.get("/wall?units=all"),
        "layout": client.get("/_dash-layout"),
        "dependencies": client.get("/_dash-dependencies"),
        "callback": client.post("/_dash-update-component", json=cards_body("2022-06")),
        "asset": client.get(css),
        "component suite": client.get(script_url(index, "dash_renderer")),
        "lazy chunk": client.get("/_dash-component-suites/plotly/package_data/plotly.min.js"),
        "healthz": client.get("/healthz"),
        "404": client.get("/assets/no-such-file.css"),
    }


def csp_of(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as directive -> sources."""
    policy = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (d.split() for d in policy.split(";") if d.strip())}


class InlineScripts(HTMLParser):
    """The text of every <script> a browser would run (not JSON data blocks, not comments)."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.scripts, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        runs = attrs.get("type") in (None, "", "text/javascript", "application/javascript", "module")
        self._open = [] if tag == "script" and "src" not in attrs and runs else None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append("".join(self._open))
        self._open = None


def test_every_response_carries_the_security_headers(responses):
    for kind, response in responses.items():
        assert response.status_code == (404 if kind == "404" else 200), kind
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY", kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert headers["Referrer-Policy"] == "same-origin", kind  # the wall reads its options from the Referer
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", kind
        denied = {f.strip() for f in headers["Permissions-Policy"].split(",")}
        assert {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} <= denied, kind
        assert "Content-Security-Policy" in headers, kind
        assert len(headers.getlist("Content-Security-Policy")) == 1, kind


def test_the_policy_allows_only_the_apps_own_origin(responses, app):
    for kind, response in responses.items():
        csp = csp_of(response)
        for name, sources in REQUIRED.items():
            assert csp[name] == sources, (kind, name)
        assert csp["script-src"][0] == "'self'", kind
        assert "'unsafe-eval'" not in csp["script-src"] and "'unsafe-inline'" not in csp["script-src"], kind
        assert sorted(csp["script-src"][1:]) == sorted(app.csp_hashes()), kind
        strays = {s for sources in csp.values() for s in sources if not HOSTLESS.match(s)}
        assert strays == set(), kind  # no host, no wildcard, no scheme beyond data: and blob:


def test_every_inline_script_of_the_page_is_allowed_by_its_hash(client, index):
    """Dash's renderer bootstrap and the clientside callbacks are inline; a new one must be hashed too."""
    allowed = set(csp_of(client.get("/"))["script-src"])
    for page in ("/", "/township/330782100000", "/data", "/wall?units=all"):
        parser = InlineScripts()
        parser.feed(client.get(page).get_data(as_text=True))
        assert len(parser.scripts) >= 2, page  # the renderer and at least one clientside callback
        for script in parser.scripts:
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, (page, script[:80])
    assert '<script id="_dash-config" type="application/json">' in index  # data, not run: needs no hash


def test_cache_headers_are_unchanged_by_the_security_headers(responses):
    """Fingerprinted files a year, Dash's lazy chunks an hour, the rest revalidated; /healthz never cached."""
    assert responses["asset"].headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert responses["component suite"].headers["Cache-Control"] == "max-age=31536000"  # Dash's own, kept
    assert responses["lazy chunk"].headers["Cache-Control"] == "public, max-age=3600"
    assert responses["healthz"].headers["Cache-Control"] == "no-store"
    assert "immutable" not in responses["404"].headers.get("Cache-Control", "")
