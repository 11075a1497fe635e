"""Every route and every callback of the app, tried as every kind of principal; the township scope
tried through crafted callback requests; and crafted values that must never crash the server.

The routes (url_map rules) and callbacks (callback_map keys) are enumerated from an app built at
collection time, so pytest's output counts the cases; test_the_matrix_covers_every_route_and_callback
fails when the app under test has a route or callback the matrix does not know. The last test prints
the totals:
    .venv/bin/pytest --headless -q tests/test_auth_matrix.py
"""
from __future__ import annotations

import base64
import collections
import copy
import dataclasses
import functools
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import pytest

from conftest import AUTH, OTHER_TOWNSHIP, OWN_TOWNSHIP, csrf_of, sign_in
from dashboard import auth, i18n
from dashboard.app import create_app
from dashboard.callbacks.wall_data import village_name
from dashboard.data import catalogue as cat
from dashboard.layouts import wall as wall_layout
from dashboard.settings import Settings
from dashboard.wallstate import WallOptions

ROLES = ("anonymous", "wall", "viewer", "township", "city", "admin")
USERS = ROLES[2:]
OWN_VILLAGE, OTHER_VILLAGE = "330782002001", "330782003005"  # 商苑社区 (江东街道); 稠江街道's, missing Dec 2022
MADE_UP, MADE_UP_VILLAGE = "330782999000", "330782999005"  # codes no unit has
IND = "certified_social_workers"
ALLOWED = {200, 204}  # 204: PreventUpdate, nothing to send
COUNTS: collections.Counter = collections.Counter()  # what ran, printed by the last test


# --- what the app has: enumerated once, at collection ------------------------------------------
@dataclasses.dataclass(frozen=True)
class Callback:
    """One callback_map entry: its key, its inputs and states as "id.prop", and where it runs."""

    key: str
    inputs: tuple[str, ...]
    state: tuple[str, ...]
    clientside: bool

    @property
    def props(self) -> tuple[str, ...]:
        return self.inputs + self.state

    @property
    def outputs(self) -> list[tuple[str, str]]:
        """(id, property) of each output; a pattern ID stays JSON text."""
        parts = self.key[2:-2].split("...") if self.key.startswith("..") else [self.key]
        return [tuple(part.rsplit(".", 1)) for part in parts]

    @property
    def name(self) -> str:
        """A short test ID: the first output, a duplicate's hash cut short, +N more outputs."""
        ident, prop = self.outputs[0]
        if ident.startswith("{"):
            ident = json.loads(ident)["type"] + "[ALL]"
        prop, _, digest = prop.partition("@")
        more = len(self.outputs) - 1
        return f"{ident}.{prop}" + (f"@{digest[:6]}" if digest else "") + (f"+{more}" if more else "")

    @property
    def triggers(self) -> list[str]:
        """Inputs a person changes (clicks, filters, the URL); a callback of stores only: its first input."""
        acts = [p for p in self.inputs if not p.endswith(".data") and not p.startswith("{")]
        return acts or list(self.inputs[:1])


def shape_of(app) -> tuple[tuple[str, ...], tuple[Callback, ...]]:
    """The URL rules and the callbacks of an app."""
    rules = tuple(sorted({rule.rule for rule in app.server.url_map.iter_rules()}))
    callbacks = tuple(Callback(key, tuple(f"{d['id']}.{d['property']}" for d in entry["inputs"]),
                               tuple(f"{d['id']}.{d['property']}" for d in entry["state"]), "callback" not in entry)
                      for key, entry in app.callback_map.items())
    return rules, callbacks


@functools.cache
def collected() -> tuple[tuple[str, ...], tuple[Callback, ...]]:
    """The shape of an app with sign-in on, built without touching a database."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/unused.sqlite3", var_dir=Path(folder), auth=True,
                            secret_key="m" * 40)
        return shape_of(create_app(settings))


# --- routes: the concrete requests of each URL rule, and what each principal gets ---------------
PAGES = ("/", f"/township/{OWN_TOWNSHIP}", f"/township/{OTHER_TOWNSHIP}", f"/village/{OWN_VILLAGE}",
         f"/village/{OTHER_VILLAGE}", "/data", "/missing")
ROUTE_REQUESTS = {  # rule -> (method, path, kind)
    "/": [("GET", "/", "page")],
    "/<path:path>": [("GET", p, "page") for p in PAGES[1:]] + [("GET", "/wall", "wall_page")],
    "/static/<path:filename>": [("GET", "/static/none.css", "static")],
    "/assets/<path:filename>": [("GET", "/assets/dashboard.css", "public"), ("GET", "/assets/none.css", "public_404")],
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": [
        ("GET", "/_dash-component-suites/dash/dcc/dash_core_components.js", "public")],
    "/_dash-layout": [("GET", "/_dash-layout", "dash")],
    "/_dash-dependencies": [("GET", "/_dash-dependencies", "dash")],
    "/_dash-update-component": [("POST", "/_dash-update-component", "dispatch")],
    "/_reload-hash": [("GET", "/_reload-hash", "dash_users")],
    "/_favicon.ico": [("GET", "/_favicon.ico", "public")],
    "/login": [("GET", "/login", "public")],
    "/logout": [("POST", "/logout", "logout")],
    "/healthz": [("GET", "/healthz", "public")],
}
EXPECTED = {  # kind -> principal -> status
    "public": dict.fromkeys(ROLES, 200),
    "public_404": dict.fromkeys(ROLES, 404),
    # Pages: to the login page unless signed in; a wall token opens /wall only, whatever else it is sent to.
    "page": {"anonymous": 302, "wall": 302, **dict.fromkeys(USERS, 200)},
    "wall_page": {"anonymous": 302, **dict.fromkeys(("wall", *USERS), 200)},
    "static": {"anonymous": 302, "wall": 302, **dict.fromkeys(USERS, 404)},  # Flask's static: nothing there
    # Dash's own GET endpoints, which the wall page's renderer fetches too (not /_reload-hash: debug only).
    "dash": {"anonymous": 401, **dict.fromkeys(("wall", *USERS), 200)},
    "dash_users": {"anonymous": 401, "wall": 403, **dict.fromkeys(USERS, 200)},  # the wall never needs it
    "dispatch": {"anonymous": 401, **dict.fromkeys(("wall", *USERS), 400)},  # an empty body names no callback
    "logout": {"anonymous": 401, "wall": 401, **dict.fromkeys(USERS, 403)},  # sent without the CSRF token
}


def route_cases() -> list:
    cases = []
    for rule in collected()[0]:
        for method, path, kind in ROUTE_REQUESTS.get(rule, [("?", rule, "unknown")]):
            cases += [pytest.param(method, path, kind, role, id=f"{method} {path} as {role}") for role in ROLES]
    return cases


# --- callbacks: a request body from the callback_map entry, with plausible values --------------
CITY = {"page": "city", "unit": None}
VALUES = {
    "app-url.pathname": "/", "app-url.search": "?month=2022-06&lang=zh",
    "filter-month.value": "2022-06", "filter-category.value": None, "filter-towns.value": [],
    "shell-lang.value": "zh", "unit-indicator.value": IND,
    "app-route.data": CITY, "app-month.data": "2022-06", "app-category.data": None, "app-indicator.data": IND,
    "app-lang.data": "zh", "app-towns.data": [], "app-canonical.data": None, "shell-title.children": "看板",
    "unit-ranking.clickData": {"points": [{"customdata": OWN_TOWNSHIP}]},
    "unit-tiles.clickData": {"points": [{"customdata": OWN_TOWNSHIP}]},
    "unit-table.cellClicked": {"rowId": OWN_TOWNSHIP, "colId": "name"}, "unit-table.virtualRowData": None,
    "village-trends.children": [],
    **{f"export-{b}-csv.n_clicks": 1 for b in ("trend", "ranking", "tiles", "table", "village")},
    "export-brief.n_clicks": 1,
    "data-matrix.cellClicked": {"rowId": OWN_TOWNSHIP, "colId": "2022-06"},
    "data-indicator.value": None, "data-span.value": "12", "data-missing-csv.n_clicks": 1,
    "data-template-xlsx.n_clicks": 1, "data-template-csv.n_clicks": 1,
    "data-template-unit.value": OWN_TOWNSHIP, "data-template-month.value": "2022-06",
    "wall-refresh.n_intervals": 1, "wall-viewport.data": {"w": 1920, "h": 1080},
    "wall-options.data": {"lang": "zh"}, "wall-health.data": None, "shell-health-tick.n_intervals": 1,
}


def natural_route(cb: Callback) -> dict:
    """The page a callback belongs to: /data for the reporting page's, a village for the village charts'."""
    ids = " ".join(i for i, _ in cb.outputs)
    if "data-" in ids:
        return {"page": "data", "unit": None}
    if "village" in ids:
        return {"page": "village", "unit": OWN_VILLAGE}
    return CITY


def callback_body(cb: Callback, values: dict, trigger: str | None = None) -> dict:
    """The request dash-renderer posts for a callback (a pattern-matching ALL: no such component on the page)."""
    def item(prop_id: str):
        ident, prop = prop_id.rsplit(".", 1)
        if ident.startswith("{"):
            return []
        return {"id": ident, "property": prop, "value": copy.deepcopy(values.get(prop_id))}
    outputs = [[] if i.startswith("{") else {"id": i, "property": p} for i, p in cb.outputs]
    trigger = trigger or (cb.triggers[0] if cb.triggers else None)
    return {"output": cb.key, "outputs": outputs if cb.key.startswith("..") else outputs[0],
            "inputs": [item(p) for p in cb.inputs], "state": [item(p) for p in cb.state],
            "changedPropIds": [trigger] if trigger and not trigger.startswith("{") else []}


def callback_cases() -> list:
    return [pytest.param(cb, role, id=f"{cb.name} as {role}") for cb in collected()[1] for role in ROLES]


# --- principals: one client each, signed in once ------------------------------------------------
@pytest.fixture(scope="module")
def clients(auth_app):
    """A test client per principal: anonymous, a wall screen (anonymous, with the token), and each role."""
    made = {}
    for n, role in enumerate(ROLES, start=1):
        client = auth_app.server.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.251.0.{n}"  # conftest's client_as counts from 10.0.0.1
        if role in USERS:
            assert sign_in(client, role).status_code == 302, f"could not sign in as {role}"
        made[role] = client
    return made


def wall_referrer() -> str:
    return f"http://localhost/wall?token={AUTH['wall_token']}"


def request_route(clients, role: str, method: str, path: str):
    """A route as a principal: the wall's token in the Referer, and in the query of anything not Dash's."""
    headers = {}
    if role == "wall":
        headers["Referer"] = wall_referrer()
        if not path.startswith("/_dash"):
            path += ("&" if "?" in path else "?") + f"token={AUTH['wall_token']}"
    client = clients[role]
    if path == "/_dash-update-component":
        headers["X-CSRFToken"] = csrf_of(client)  # past the CSRF check, to what the guard makes of the body
    if method == "POST":
        return client.post(path, json={}, headers=headers)
    return client.get(path, headers=headers)


RESPONSES: dict[tuple, tuple[int, str]] = {}  # (principal, body) -> (status, text): the same request once


def post_callback(clients, role: str, body: dict) -> tuple[int, str]:
    """POST a callback request as a principal, with the session's CSRF token; (status, visible text)."""
    key = (role, json.dumps(body, sort_keys=True))
    if key not in RESPONSES:
        client = clients[role]
        headers = {"X-CSRFToken": csrf_of(client)}
        if role == "wall":
            headers["Referer"] = wall_referrer()
        answer = client.post("/_dash-update-component", json=body, headers=headers)
        RESPONSES[key] = (answer.status_code, visible_text(answer.get_data(as_text=True)))
        COUNTS["callback requests sent"] += 1
    return RESPONSES[key]


def visible_text(raw: str) -> str:
    """Everything a response gives away: its JSON (non-ASCII as is) and the text of any file it downloads."""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    parts = [json.dumps(data, ensure_ascii=False, sort_keys=True)]
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("base64") and isinstance(node.get("content"), str):
                parts += file_texts(base64.b64decode(node["content"]))
            stack += node.values()
        elif isinstance(node, list):
            stack += node
    return "\n".join(parts)


def file_texts(blob: bytes) -> list[str]:
    """A download's text: a CSV, or every text member of a zip (a brief's CSV, an .xlsx's XML)."""
    if blob.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            return [archive.read(n).decode("utf-8", "ignore") for n in archive.namelist() if not n.endswith(".png")]
    return [blob.decode("utf-8-sig", "ignore")]


# --- what each callback needs, from the layout itself -------------------------------------------
def component_types(tree) -> dict[str, str]:
    """Component ID (a pattern ID by its type) -> component type, for a layout tree."""
    found = {}
    for component in (tree, *tree._traverse()):
        ident = getattr(component, "id", None)
        ident = ident.get("type") if isinstance(ident, dict) else ident
        if isinstance(ident, str):
            found[ident] = getattr(component, "_type", "")
    return found


@pytest.fixture(scope="module")
def tags(auth_app) -> dict[str, set[str]]:
    """Each callback's tags, derived here, not by the guard: wall (every output on the wall page),
    export (an output is a dcc.Download), upload (it reads the file of a dcc.Upload)."""
    types = component_types(auth_app.validation_layout)
    wall_ids = set(component_types(wall_layout.layout(WallOptions())))
    found = {}
    for cb in shape_of(auth_app)[1]:
        outputs = [json.loads(i)["type"] if i.startswith("{") else i for i, _ in cb.outputs]
        files = [p.rsplit(".", 1)[0] for p in cb.props if p.endswith(".contents")]
        found[cb.key] = ({"wall"} if set(outputs) <= wall_ids else set()) \
            | ({"export"} if any(types.get(i) == "Download" for i in outputs) else set()) \
            | ({"upload"} if any(types.get(i) == "Upload" for i in files) else set())
    return found


def expected_statuses(role: str, cb: Callback, tags: set[str]) -> set[int]:
    """What a principal gets from a callback request."""
    if role == "anonymous":
        return {401}
    if cb.clientside:
        return {400}  # it runs in the browser: the server has no such callback
    if role == "wall":
        return ALLOWED if "wall" in tags else {403}
    if "upload" in tags and role != "admin":  # township_upload is off
        return {403}
    if "export" in tags and role == "viewer":
        return {403}
    return ALLOWED


def pytest_generate_tests(metafunc):
    """Parametrize from the collected app, so the count of cases shows."""
    if metafunc.definition.name == "test_each_route_as_each_principal":
        metafunc.parametrize("method,path,kind,role", route_cases())
    elif metafunc.definition.name == "test_each_callback_as_each_principal":
        metafunc.parametrize("cb,role", callback_cases())
    elif metafunc.definition.name == "test_a_township_user_gets_nothing_of_another_township":
        metafunc.parametrize("cb,variant,trigger", probe_cases())
    elif metafunc.definition.name == "test_crafted_values_never_crash_a_callback":
        metafunc.parametrize("cb,perturbation", sweep_cases())


# --- 1. every route and every callback as every principal ---------------------------------------
def test_the_matrix_covers_every_route_and_callback(auth_app):
    rules, callbacks = shape_of(auth_app)
    assert (rules, callbacks) == collected(), "the app under test differs from the one the cases were made from"
    assert set(rules) <= set(ROUTE_REQUESTS), f"routes without expectations: {set(rules) - set(ROUTE_REQUESTS)}"
    assert {cb.key for cb in callbacks} == set(auth_app.callback_map)
    names = [cb.name for cb in callbacks]
    assert len(set(names)) == len(names), "two callbacks share a test ID"


def test_the_guard_tags_callbacks_as_this_test_does(auth_app, tags):
    guard = next(f.__self__ for f in auth_app.server.before_request_funcs[None]
                 if isinstance(getattr(f, "__self__", None), auth.Guard))
    server_side = {cb.key for cb in shape_of(auth_app)[1] if not cb.clientside}
    assert guard.tags() == {k: tags[k] for k in server_side}
    assert any("export" in tags[k] for k in server_side) and any("wall" in tags[k] for k in server_side)


def test_each_route_as_each_principal(clients, method, path, kind, role):
    assert kind != "unknown", f"a new route {path}: add what each principal gets to ROUTE_REQUESTS"
    answer = request_route(clients, role, method, path)
    COUNTS[f"route case as {role}"] += 1
    want = EXPECTED[kind][role]
    assert answer.status_code == want, f"{method} {path} as {role}: {answer.status_code}, not {want}"
    if want == 302:
        assert answer.headers["Location"].startswith("/login?next="), answer.headers["Location"]


def test_each_callback_as_each_principal(clients, tags, cb, role):
    values = {**VALUES, "app-route.data": natural_route(cb)}
    status, text = post_callback(clients, role, callback_body(cb, values))
    COUNTS[f"callback case as {role}"] += 1
    want = expected_statuses(role, cb, tags[cb.key])
    assert status in want, f"{cb.key} as {role}: {status}, not {sorted(want)}: {text[:300]}"


# --- 2. the township scope through crafted callback requests ------------------------------------
UNIT_PROPS = {"app-route.data", "app-towns.data", "filter-towns.value", "app-url.pathname", "app-url.search",
              "unit-ranking.clickData", "unit-tiles.clickData", "unit-table.cellClicked", "data-matrix.cellClicked",
              "data-template-unit.value", "wall-options.data"}
PROBE_MONTH = "2022-12"  # 稠江街道 has villages still missing: its cells and missing list have something to show
VARIANTS = ("township", "village", "city", "data", "city_data", "city_data_name")


def probe_values(variant: str, town: str, village: str) -> dict:
    """Plausible values pointing at a township (or its village) from every prop that can name a unit."""
    route, path, search, towns, click, row, wall = {
        "township": ({"page": "township", "unit": town}, f"/township/{town}", "", [], village, town, {"unit": town}),
        "village": ({"page": "village", "unit": village}, f"/village/{village}", "", [], village, village,
                    {"unit": village}),
        "city": (CITY, "/", f"?towns={town}", [town], town, town, {"all_units": True}),
        "data": ({"page": "data", "unit": town}, f"/data/{town}", "", [], village, village, {"unit": town}),
        "city_data": ({"page": "data", "unit": None}, "/data", "", [], town, town, {"unit": town}),
        "city_data_name": ({"page": "data", "unit": None}, "/data", "", [], town, town, {"unit": town}),
    }[variant]
    column = "name" if variant == "city_data_name" else PROBE_MONTH
    return {**VALUES, "app-route.data": route, "app-url.pathname": path, "app-url.search": search,
            "app-month.data": PROBE_MONTH, "filter-month.value": PROBE_MONTH, "data-template-month.value": PROBE_MONTH,
            "app-towns.data": towns, "filter-towns.value": towns,
            "unit-ranking.clickData": {"points": [{"customdata": click}]},
            "unit-tiles.clickData": {"points": [{"customdata": click}]},
            "unit-table.cellClicked": {"rowId": click, "colId": "name"},
            "data-matrix.cellClicked": {"rowId": row, "colId": column},
            "data-template-unit.value": town, "wall-options.data": {**wall, "lang": "zh"}}


def probe_cases() -> list:
    cases = []
    for cb in collected()[1]:
        if cb.clientside or not UNIT_PROPS & set(cb.props):
            continue
        cases += [pytest.param(cb, variant, trigger, id=f"{cb.name} {variant} {trigger}")
                  for variant in VARIANTS for trigger in cb.triggers]
    return cases


@pytest.fixture(scope="module")
def other_township() -> dict:
    """What would give 稠江街道 away: names (its own, its villages', as the wall shortens them) and codes."""
    units = cat.load_units()
    visible = [u.name for u in units if u.kind == "city" or OWN_TOWNSHIP in (u.code, u.parent_code)]
    theirs = [u for u in units if OTHER_TOWNSHIP in (u.code, u.parent_code)]
    names = {"稠江", i18n.TOWNSHIP_EN.get(OTHER_TOWNSHIP, "稠江")}
    names |= {u.name for u in theirs} | {village_name(u.name) for u in theirs}
    names = {n for n in names if not any(n in v for v in visible)}  # a name the township user may see anyway
    return {"names": names, "codes": re.compile(OTHER_TOWNSHIP[:9] + r"\d{3}")}


def gives_away(text: str, other: dict) -> list[str]:
    """The names and codes of 稠江街道 in a response's text."""
    return sorted({n for n in other["names"] if n in text} | set(other["codes"].findall(text)))


def normalised(text: str, town: str, village: str) -> str:
    """A response with the probed codes replaced, to compare the answer about 稠江 with a made-up code's."""
    return text.replace(village, "<village>").replace(town, "<town>")


SEEN, SEEN_BY_CITY = "scoping probes a city user sees 稠江街道 in", set()


def test_a_township_user_gets_nothing_of_another_township(clients, other_township, cb, variant, trigger):
    def ask(role, town, village):
        status, text = post_callback(clients, role, callback_body(cb, probe_values(variant, town, village), trigger))
        assert status in ALLOWED, f"{cb.key} as {role} about {town}: {status}: {text[:300]}"
        return normalised(text, town, village)

    theirs, made_up = ask("township", OTHER_TOWNSHIP, OTHER_VILLAGE), ask("township", MADE_UP, MADE_UP_VILLAGE)
    leaked = gives_away(theirs, other_township)
    assert not leaked, f"{cb.name}: the township user sees {leaked}"
    assert theirs == made_up, "to a township user another township must be as unknown as a made-up code"
    COUNTS["scoping probes"] += 1
    city_theirs, city_made_up = ask("city", OTHER_TOWNSHIP, OTHER_VILLAGE), ask("city", MADE_UP, MADE_UP_VILLAGE)
    if gives_away(city_theirs, other_township) or city_theirs != city_made_up:
        COUNTS[SEEN] += 1
        SEEN_BY_CITY.add(cb.name)


# Callbacks that show unit data: some probe of each must show 稠江街道 to a city user (by name, by
# code, or by answering otherwise than for a made-up code), or the probes could not have failed.
SHOW_UNIT_DATA = {
    "page-breadcrumb.children+7", "page-cards.children", "unit-trend.figure", "unit-ranking.figure+5",
    "village-trends.children", "shell-title.children+11", "app-url.search+12", "app-url.pathname@a6a530+1",
    "app-url.pathname@4f396e+1", "export-brief.display+9", "export-csv-download.data", "export-brief-download.data",
    "data-section.style+17", "data-matrix-title.children+3", "data-detail.children", "data-missing-title.children+2",
    "data-missing-download.data", "data-template-download.data", "wall-data.data+1",
}


def test_every_probed_callback_that_shows_unit_data_showed_it_to_a_city_user():
    ran = {n for n in (cb.name for cb in collected()[1]) if n in SHOW_UNIT_DATA}
    assert ran == SHOW_UNIT_DATA, f"not callbacks of this app: {SHOW_UNIT_DATA - ran}"
    if COUNTS["scoping probes"] < len(probe_cases()):
        pytest.skip("not every scoping probe ran and passed")
    assert SHOW_UNIT_DATA <= SEEN_BY_CITY, f"never showed 稠江街道 to a city user: {SHOW_UNIT_DATA - SEEN_BY_CITY}"


def test_the_layout_offers_a_township_user_its_own_township_only(clients, other_township):
    township = clients["township"].get("/_dash-layout").get_data(as_text=True)
    assert "江东街道" in visible_text(township) and not gives_away(visible_text(township), other_township)
    assert gives_away(visible_text(clients["city"].get("/_dash-layout").get_data(as_text=True)), other_township)


# --- 3. crafted values: nothing to show, never a crash ------------------------------------------
SWEEP_ROUTES = {"city": CITY, "township": {"page": "township", "unit": OWN_TOWNSHIP},
                "village": {"page": "village", "unit": OWN_VILLAGE}, "data": {"page": "data", "unit": None},
                "data_township": {"page": "data", "unit": OWN_TOWNSHIP, "span": 24},
                "missing": {"page": "missing", "unit": None}}
MONTH_PROPS = {"app-month.data", "filter-month.value", "data-template-month.value", "data-matrix.cellClicked"}
IND_PROPS = {"app-indicator.data", "unit-indicator.value", "data-indicator.value"}


def _set(values: dict, props, value) -> dict:
    out = dict(values)
    for prop in props:
        if prop == "data-matrix.cellClicked":
            out[prop] = {**values[prop], "colId": value}
        else:
            out[prop] = value
    return out


def _replace_codes(values: dict) -> dict:
    text = json.dumps(values).replace(OWN_VILLAGE, MADE_UP_VILLAGE).replace(OWN_TOWNSHIP, MADE_UP)
    return {**json.loads(text), "wall-options.data": {"unit": MADE_UP}}


PERTURBATIONS = {  # name -> (props it changes, how)
    "empty": (None, lambda v: {}),  # every value null, no pattern-matched component
    "unknown_unit": (UNIT_PROPS, _replace_codes),
    "unknown_indicator": (IND_PROPS, lambda v: _set(v, IND_PROPS, "no_such_indicator")),
    "unknown_month": (MONTH_PROPS, lambda v: _set(v, MONTH_PROPS, "2099-01")),
    "malformed_month": (MONTH_PROPS, lambda v: _set(v, MONTH_PROPS, "June 2022")),
    "unknown_category": ({"app-category.data", "filter-category.value"},
                         lambda v: _set(v, {"app-category.data", "filter-category.value"}, "no_such_category")),
    "unknown_language": ({"app-lang.data", "shell-lang.value"},
                         lambda v: _set(v, {"app-lang.data", "shell-lang.value"}, "xx")),
    "unknown_page": ({"app-route.data"}, lambda v: {**v, "app-route.data": {"page": "nonsense", "unit": OWN_TOWNSHIP}}),
    "null_town": ({"app-towns.data", "filter-towns.value"},
                  lambda v: _set(v, {"app-towns.data", "filter-towns.value"}, [None])),
}


def sweep_cases() -> list:
    cases = []
    for cb in collected()[1]:
        for name, (props, _) in PERTURBATIONS.items():
            if not cb.clientside and (props is None or props & set(cb.props)):
                cases.append(pytest.param(cb, name, id=f"{cb.name} {name}"))
    return cases


def test_crafted_values_never_crash_a_callback(clients, cb, perturbation):
    _, change = PERTURBATIONS[perturbation]
    routes = SWEEP_ROUTES if "app-route.data" in cb.props and perturbation != "unknown_page" else {"natural": None}
    for route_name, route in routes.items():
        values = change({**VALUES, "app-route.data": route or natural_route(cb)})
        for trigger in cb.triggers:
            status, text = post_callback(clients, "admin", callback_body(cb, values, trigger))
            COUNTS["crafted requests (admin)"] += 1
            assert status in ALLOWED, f"{cb.key} on {route_name}, {perturbation}, {trigger}: {status}: {text[:300]}"


def test_zz_totals(capsys):
    rules, callbacks = collected()
    requests = sum(len(ROUTE_REQUESTS.get(r, [()])) for r in rules)
    cases = {kind: sum(n for key, n in COUNTS.items() if key.startswith(f"{kind} case as "))
             for kind in ("route", "callback")}
    with capsys.disabled():
        print(f"\naccess matrix: {len(rules)} URL rules ({requests} requests) and {len(callbacks)} callbacks "
              f"({sum(cb.clientside for cb in callbacks)} run in the browser) x {len(ROLES)} principals: "
              f"{cases['route']} route cases and {cases['callback']} callback cases run")
        print(f"  township scope: {COUNTS['scoping probes']} probes passed, {COUNTS[SEEN]} of them showing "
              f"稠江街道 to a city user")
        print(f"  crafted values: {COUNTS['crafted requests (admin)']} requests as admin; "
              f"{COUNTS['callback requests sent']} callback requests sent in all")
