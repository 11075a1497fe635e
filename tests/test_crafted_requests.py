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


def body(output: str, inputs: list[str], values: dict, state: list[str] = (), trigger: str | None = None) -> dict:
    """A callback request as dash-renderer posts it, for one output (or "..a.p...b.q.." for several)."""
    def items(names):
        return [{"id": n.rsplit(".", 1)[0], "property": n.rsplit(".", 1)[1], "value": values.get(n)} for n in names]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    return {"output": output, "outputs": outputs if len(parts) > 1 else outputs[0], "inputs": items(inputs),
            "state": items(state), "changedPropIds": [trigger or inputs[0]]}


def test_a_request_for_a_clientside_callback_names_no_callback_of_the_server(client_as):
    for user in ("admin", "viewer"):
        answer = post(client_as(user), body("app-document.data", ["app-lang.data", "shell-title.children"],
                                            {"app-lang.data": "zh", "shell-title.children": "看板"}))
        assert answer.status_code == 400 and "no such callback" in answer.get_data(as_text=True)
