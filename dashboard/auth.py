"""Access control on the server: who is asking, and whether they may have what they ask for.

Every request but the public ones (the login page, /healthz, static files) must come from:
- a signed-in user: a signed session cookie holding the user's id, the account's generation (an
  account change ends older sessions) and the sign-in time (sessions expire);
- a wall screen: a token in the /wall page's URL, and in the Referer of the page's own Dash
  requests (Referrer-Policy same-origin sends it in full to us, to no one else). A token reaches
  the wall page and the wall's callbacks only, and is looked up at every request, so revoking it
  cuts the screen off at its next refresh;
- or, with authentication switched off (the demo quickstart only), the demo principal.
Anything else: a redirect to /login for a page, 401 for the rest. Callback requests are checked
by what they ask for: exports need a role that may export, the upload one that may upload, and
the data they return is limited to the principal's units by the service (dashboard/service.py).
"""
from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
import time
import urllib.parse

import flask

from . import ids, security, wallstate
from .data import accounts
from .security import Principal
from .service import DatabaseUnavailable, KpiService
from .settings import Settings

log = logging.getLogger(__name__)
PUBLIC_PATHS = {"/login", "/healthz", "/_favicon.ico"}
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
DASH_INTERNAL = {"/_dash-layout", "/_dash-dependencies", "/_dash-update-component", "/_reload-hash"}
WALL_INTERNAL = {"/_dash-layout", "/_dash-dependencies", "/_dash-update-component"}  # what a wall page fetches
CSRF_COOKIE, CSRF_HEADER = "_csrf_token", "X-CSRFToken"  # the names dash-renderer reads and sends
DOWNLOAD_IDS = {ids.EXPORT_BRIEF_DOWNLOAD, ids.EXPORT_CSV_DOWNLOAD, ids.DATA_MISSING_DOWNLOAD,
                ids.DATA_TEMPLATE_DOWNLOAD}
UPLOAD_PREFIX = "data-upload"


def register(app, service: KpiService, settings: Settings) -> "Guard":
    """Check every request of this app (before Dash sees it); set the CSRF cookie Dash sends back."""
    guard = Guard(app, service, settings)
    app.server.before_request(guard.before)
    app.server.after_request(guard.after)
    return guard


class Guard:
    """The request checks of one app."""

    def __init__(self, app, service: KpiService, settings: Settings):
        self.app, self.service, self.settings = app, service, settings
        self.prefix = app.config.requests_pathname_prefix
        self._tags: dict[str, set[str]] | None = None
        self._last_good: dict[tuple, object] = {}  # account/token lookups, served while the database is away
        self._lock = threading.Lock()

    # --- the hooks ----------------------------------------------------------------------------
    def before(self):
        """Decide the principal of this request, or answer it with a refusal."""
        path = self._path()
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if not self.settings.auth:
            flask.g.principal = security.DEMO
            return self._check_callback(security.DEMO) if path == "/_dash-update-component" else None
        try:
            principal = self._wall_principal(path) or self._session_principal()
        except DatabaseUnavailable:  # never seen this account or token, and cannot check it now
            return refusal(503, "the database cannot be reached: try again shortly")
        if principal is None:
            return self._anonymous(path)
        flask.g.principal = principal
        if principal.is_wall:
            if not (wallstate.is_wall_path(flask.request.path, self.prefix) or path in WALL_INTERNAL):
                return refusal(403, "a wall token opens the wall only")
        elif flask.request.method not in ("GET", "HEAD", "OPTIONS") and not csrf_ok():
            self.audit("csrf_rejected", "denied", principal, path)
            return refusal(403, "missing or wrong CSRF token: reload the page")
        if path == "/_dash-update-component":
            return self._check_callback(principal)
        return None

    def after(self, response):
        """Send the CSRF token where dash-renderer reads it; audit exports that went out."""
        token = flask.session.get("csrf")
        principal = flask.g.get("principal")
        if token and principal is not None and principal.kind == "user" \
                and flask.request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, samesite="Strict", secure=self.settings.cookie_secure,
                                httponly=False, path=self.prefix)  # JavaScript must read it: not a secret to the page
        export = flask.g.get("export")
        if export and response.status_code == 200:
            self.audit("export", "ok", principal, export)
        return response

    # --- who is asking ------------------------------------------------------------------------
    def _session_principal(self) -> Principal | None:
        """The signed-in user, if the session is valid, unexpired and the account unchanged and enabled."""
        session = flask.session
        uid, generation, since = session.get("uid"), session.get("gen"), session.get("iat")
        if not isinstance(uid, int) or not isinstance(since, (int, float)):
            return None
        if time.time() - since > self.settings.session_hours * 3600:
            session.clear()
            return None
        user = self._lookup(("user", uid), lambda conn: accounts.get_user(conn, uid))
        if user is None or user.disabled or user.generation != generation:
            session.clear()
            return None
        return Principal(user.username, user.role, user.township_code)

    def _wall_principal(self, path: str) -> Principal | None:
        """The wall token of a /wall page request, or of a Dash request made by a /wall page."""
        token = None
        if wallstate.is_wall_path(flask.request.path, self.prefix):
            token = flask.request.args.get("token")
        elif path in DASH_INTERNAL:
            token = token_from_referrer(flask.request.referrer, flask.request.host, self.prefix)
        if not token:
            return None
        found = self._lookup(("token", accounts.token_digest(token)), lambda conn: accounts.find_token(conn, token))
        if found is None:
            if path not in DASH_INTERNAL:
                self.audit("wall_token", "denied", None, "unknown or revoked token")
            return None
        if path not in DASH_INTERNAL:
            self.audit("wall_token", "ok", None, f"token {found.id} ({found.label})", actor=f"wall:{found.label}")
        return Principal(found.label, "wall", kind="wall")

    def _lookup(self, key: tuple, read):
        """read(conn) on the database; while it is unreachable, the last answer for the same key."""
        try:
            with self.service.connect() as conn:
                found = read(conn)
        except DatabaseUnavailable:
            if key not in self._last_good:
                raise
            return self._last_good[key]
        with self._lock:
            if found is None:
                self._last_good.pop(key, None)
            else:
                self._last_good[key] = found
        return found

    def _anonymous(self, path: str):
        """A page asked for without signing in goes to the login page; anything else gets 401."""
        if flask.request.method == "GET" and path not in DASH_INTERNAL and not path.startswith("/_"):
            target = flask.request.full_path if flask.request.query_string else flask.request.path
            return flask.redirect(self.prefix + "login?" + urllib.parse.urlencode({"next": target}))
        return refusal(401, "sign in first")

    # --- what is asked for ----------------------------------------------------------------------
    def _check_callback(self, principal: Principal):
        """A callback request may only name a registered callback its principal may call."""
        body = flask.request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        tags = self.tags().get(output) if isinstance(output, str) else None
        if tags is None:
            return refusal(400, "no such callback")
        if principal.is_wall and "wall" not in tags:
            self.audit("wall_token", "denied", principal, f"callback {output[:200]}")
            return refusal(403, "a wall token may call the wall's callbacks only")
        if "export" in tags:
            if not principal.can_export:
                self.audit("export", "denied", principal, output[:200])
                return refusal(403, "this role may not export")
            flask.g.export = json.dumps({"output": output, "inputs": _values(body)}, ensure_ascii=False)[:2000]
        if "upload" in tags and not principal.can_upload(self.settings.township_upload):
            self.audit("upload", "denied", principal, output[:200])
            return refusal(403, "this role may not upload")
        return None

    def tags(self) -> dict[str, set[str]]:
        """Each server-side callback's output key, tagged wall / export / upload from its output IDs.

        Clientside callbacks are left out: the browser runs them, and the server has nothing to run
        (Dash would fail with a KeyError, HTTP 500), so a request naming one gets "no such callback".
        """
        if self._tags is None:
            from .layouts import wall as wall_layout

            wall_ids = set(component_ids(wall_layout.layout(wallstate.WallOptions())))
            tags = {}
            for key, entry in self.app.callback_map.items():
                if "callback" not in entry:
                    continue
                names = output_ids(key)
                found = set()
                if names and set(names) <= wall_ids:
                    found.add("wall")
                if set(names) & DOWNLOAD_IDS:
                    found.add("export")
                if any(n.startswith(UPLOAD_PREFIX) for n in names):
                    found.add("upload")
                tags[key] = found
            self._tags = tags
        return self._tags

    def _path(self) -> str:
        """The request path inside the app (without its URL prefix)."""
        path = flask.request.path
        return "/" + path[len(self.prefix):] if self.prefix != "/" and path.startswith(self.prefix) else path

    # --- the audit log --------------------------------------------------------------------------
    def audit(self, action: str, outcome: str, principal: Principal | None, detail: str | None = None,
              actor: str | None = None) -> None:
        """One audit line; logged as an error (not raised) when the database cannot take it."""
        who = actor or (principal.label if principal else "-")
        try:
            with self.service.engine.begin() as conn:
                accounts.audit(conn, who, action, outcome, flask.request.remote_addr, detail)
        except Exception:  # noqa: BLE001 - the refusal or the answer matters more than its log line
            log.exception("audit log write failed: %s %s %s", who, action, outcome)


def csrf_ok() -> bool:
    """A state-changing request carries the session's CSRF token (header or form field), and comes
    from our own origin if it says where it comes from."""
    origin = flask.request.headers.get("Origin")
    if origin and urllib.parse.urlsplit(origin).netloc != flask.request.host:
        return False
    expected = flask.session.get("csrf")
    sent = flask.request.headers.get(CSRF_HEADER) or flask.request.form.get("csrf_token")
    return bool(expected and sent) and hmac.compare_digest(str(expected), str(sent))


def refusal(status: int, message: str) -> flask.Response:
    """A short JSON refusal (Dash shows nothing of it; people get the login page instead)."""
    response = flask.jsonify(error=message)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def token_from_referrer(referrer: str | None, host: str, prefix: str = "/") -> str | None:
    """The wall token in a same-host /wall page URL, or None."""
    if not referrer:
        return None
    parts = urllib.parse.urlsplit(referrer)
    if parts.netloc != host or not wallstate.is_wall_path(parts.path, prefix):
        return None
    values = urllib.parse.parse_qs(parts.query).get("token")
    return values[0] if values else None


def output_ids(key: str) -> list[str]:
    """The component IDs of a callback_map key ("id.prop" or "..a.p...b.q.."; pattern IDs by type)."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    names = []
    for part in parts:
        name = part.rsplit(".", 1)[0]
        if name.startswith("{"):
            try:
                name = str(json.loads(name).get("type", name))
            except ValueError:
                pass
        names.append(name)
    return names


def component_ids(component) -> list[str]:
    """Every string ID (and pattern-ID type) in a layout tree."""
    found = []
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if not hasattr(node, "to_plotly_json"):
            continue
        ident = getattr(node, "id", None)
        if isinstance(ident, str):
            found.append(ident)
        elif isinstance(ident, dict) and "type" in ident:
            found.append(str(ident["type"]))
        for prop in getattr(node, "_prop_names", []):
            value = getattr(node, prop, None)
            if hasattr(value, "to_plotly_json") or isinstance(value, (list, tuple)):
                stack.append(value)
    return found


def _values(body: dict) -> list:
    """The input values of a callback request, for the audit log."""
    return [item.get("value") for item in body.get("inputs", []) if isinstance(item, dict)]


def new_csrf() -> str:
    """A fresh CSRF token."""
    return secrets.token_urlsafe(32)
