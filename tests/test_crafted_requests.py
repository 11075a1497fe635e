"""Crafted callback requests get "nothing to show" (or a refusal), never an HTTP 500.

Each test is one crash tests/test_auth_matrix.py found: a request the page itself would not send
(an unknown or hidden unit, indicator or month, a clientside callback) reached code that assumed it
could not happen.
"""
from __future__ import annotations

from conftest import OTHER_TOWNSHIP
from test_auth import post

IND = "certified_social_workers"


def stores(route: dict, month="2022-06", cat=None, ind=IND, lang="zh", towns=()) -> dict:
    """The state stores' values, by "id.prop"."""
    return {"app-route.data": route, "app-month.data": month, "app-category.data": cat,
            "app-indicator.data": ind, "app-lang.data": lang, "app-towns.data": list(towns)}


def body(app, output: str, values: dict, trigger: str | None = None) -> dict:
    """The request dash-renderer posts for a callback, its inputs and states as registered, values by "id.prop"."""
    entry = app.callback_map[output]
    def items(specs):
        return [{**d, "value": values.get(f"{d['id']}.{d['property']}")} for d in specs]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    first = entry["inputs"][0]
    return {"output": output, "outputs": outputs if len(parts) > 1 else outputs[0],
            "inputs": items(entry["inputs"]), "state": items(entry["state"]),
            "changedPropIds": [trigger or f"{first['id']}.{first['property']}"]}


def test_a_request_for_a_clientside_callback_names_no_callback_of_the_server(auth_app, client_as):
    for user in ("admin", "viewer"):
        answer = post(client_as(user), body(auth_app, "app-document.data",
                                            {"app-lang.data": "zh", "shell-title.children": "看板"}))
        assert answer.status_code == 400 and "no such callback" in answer.get_data(as_text=True)


MADE_UP = "330782999000"
OTHER_VILLAGE = "330782003005"


def unit_requests(app, town: str, village: str) -> dict[str, dict]:
    """Requests naming a township (or its village) from wherever a request can name one."""
    township, data = {"page": "township", "unit": town}, {"page": "data", "unit": town}
    return {
        "template": body(app, "data-template-download.data",
                         {"data-template-xlsx.n_clicks": 1, "data-template-unit.value": town,
                          "data-template-month.value": "2022-12"}),
        "cell": body(app, "data-detail.children", {"data-matrix.cellClicked": {"rowId": town, "colId": "2022-12"},
                                                   **stores({"page": "data", "unit": None}, "2022-12", ind=None)}),
        "missing list": body(app, "..data-missing-title.children...data-missing.columnDefs...data-missing.rowData..",
                             stores(data, "2022-12", ind=None)),
        "missing CSV": body(app, "data-missing-download.data",
                            {"data-missing-csv.n_clicks": 1, **stores(data, "2022-12", ind=None)}),
        "brief": body(app, "export-brief-download.data", {"export-brief.n_clicks": 1, **stores(township)}),
        "village CSV": body(app, "export-csv-download.data",
                            {"export-village-csv.n_clicks": 1, **stores({"page": "village", "unit": village})},
                            trigger="export-village-csv.n_clicks"),
    }


def test_a_hidden_or_made_up_unit_is_nothing_to_show(auth_app, client_as):
    for user, town, village in (("township", OTHER_TOWNSHIP, OTHER_VILLAGE), ("admin", MADE_UP, MADE_UP[:9] + "005")):
        client = client_as(user)
        for name, request in unit_requests(auth_app, town, village).items():
            answer = post(client, request)
            assert answer.status_code == 204, f"{name} about {town} as {user}: {answer.status_code}"


def test_the_trend_compares_only_townships_the_user_may_see(auth_app, client_as):
    request = body(auth_app, "unit-trend.figure",
                   stores({"page": "city", "unit": None}, towns=[OTHER_TOWNSHIP, MADE_UP, "330782002000"]))
    township = post(client_as("township"), request)
    assert township.status_code == 200
    assert "江东街道" in township.get_data(as_text=True) and "稠江" not in township.get_data(as_text=True)
    assert "稠江街道" in post(client_as("city"), request).get_data(as_text=True)


def test_an_unknown_indicator_is_nothing_to_show(auth_app, client_as):
    client = client_as("admin")
    city, data = stores({"page": "city", "unit": None}, ind="no_such_indicator"), \
        stores({"page": "data", "unit": None}, ind="no_such_indicator")
    controls = post(client, body(auth_app, next(k for k in auth_app.callback_map if k.startswith("..export-brief.")),
                                 city))
    assert controls.status_code == 200 and '"display":"none"' in controls.get_data(as_text=True)
    for output, values, trigger in (
            ("unit-trend.figure", city, None),
            (next(k for k in auth_app.callback_map if k.startswith("..unit-ranking.figure")), city, None),
            ("export-csv-download.data", {**city, "export-trend-csv.n_clicks": 1}, "export-trend-csv.n_clicks"),
            (next(k for k in auth_app.callback_map if k.startswith("..data-matrix-title.")), data, None),
            ("data-detail.children", {**data, "data-matrix.cellClicked": {"rowId": OTHER_TOWNSHIP, "colId": "2022-06"}},
             None)):
        answer = post(client, body(auth_app, output, values, trigger))
        assert answer.status_code in (200, 204), f"{output}: {answer.status_code}"


def test_a_malformed_month_or_a_null_township_is_no_month_or_no_township(auth_app, client_as):
    client = client_as("admin")
    township = {"page": "township", "unit": "330782002000"}
    for values in (stores(township, month="June 2022"), stores(township, towns=[None]),
                   stores({"page": "data", "unit": None}, month="2022-06\n", ind=None)):
        for output in ("page-cards.children", "unit-trend.figure", "data-missing-download.data",
                       next(k for k in auth_app.callback_map if k.startswith("..page-breadcrumb.")),
                       next(k for k in auth_app.callback_map if k.startswith("..data-matrix-title."))):
            request = body(auth_app, output, {**values, "data-missing-csv.n_clicks": 1})
            answer = post(client, request)
            assert answer.status_code in (200, 204), f"{output} with {values}: {answer.status_code}"
    template = body(auth_app, "data-template-download.data", {"data-template-csv.n_clicks": 1,
                    "data-template-unit.value": "330782002000", "data-template-month.value": "June"},
                    trigger="data-template-csv.n_clicks")
    answer = post(client, template)
    assert answer.status_code in (200, 204) and "content" not in answer.get_data(as_text=True)
    village = {**stores({"page": "village", "unit": "330782002001"}, month="June"), "export-village-csv.n_clicks": 1}
    answer = post(client, body(auth_app, "export-csv-download.data", village, trigger="export-village-csv.n_clicks"))
    assert answer.status_code == 204


def test_the_village_csv_of_a_category_without_village_indicators_is_nothing(auth_app, client_as):
    # /village/<code>?cat=养老 is a page anyone can open: no chart, but the CSV button is there.
    values = {**stores({"page": "village", "unit": "330782002001"}, cat="养老"), "export-village-csv.n_clicks": 1}
    answer = post(client_as("city"), body(auth_app, "export-csv-download.data", values,
                                          trigger="export-village-csv.n_clicks"))
    assert answer.status_code == 204
    values["app-category.data"] = None
    assert "content" in post(client_as("city"), body(auth_app, "export-csv-download.data", values,
                                                     trigger="export-village-csv.n_clicks")).get_data(as_text=True)


def test_a_forged_village_chart_id_is_left_alone(auth_app, client_as):
    # The PNG names of the village charts come from the charts' own pattern IDs, which the browser sends.
    key = next(k for k in auth_app.callback_map if "village-trend" in k and k.endswith(".config"))
    charts = [{"ind": "no_such_indicator", "type": "village-trend"}, {"ind": IND, "type": "village-trend"}]
    request = {"output": key, "outputs": [{"id": c, "property": "config"} for c in charts],
               "inputs": [{"id": "village-trends", "property": "children", "value": []}],
               "state": [[{"id": c, "property": "id", "value": c} for c in charts],
                         *body(auth_app, key, stores({"page": "village", "unit": "330782002001"}))["state"][1:]],
               "changedPropIds": ["village-trends.children"]}
    answer = post(client_as("city"), request)
    assert answer.status_code == 200 and '"filename":"' in answer.get_data(as_text=True)
