"""The reporting page's URL, callbacks and downloads, called directly on the demo data set."""
from __future__ import annotations

import io
from contextvars import copy_context

import openpyxl
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import exports, ids, urlstate
from dashboard.callbacks import data_page, data_views
from dashboard.data.catalogue import CITY_CODE

FOTANG, DACHEN, VILLAGE = "330782100000", "330782106000", "330782100014"


def triggered(fn, prop_id: str | None, *args, value=1):
    """Call a callback function as Dash would, with ctx.triggered set to prop_id."""
    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": value}] if prop_id else []))
        return fn(*args)
    return copy_context().run(run)


def stores(unit=None, month="2022-12", cat=None, ind=None, lang="zh", span=None):
    route = {"page": "data", "unit": unit, **({"span": span} if span else {})}
    return route, month, cat, ind, lang


def facts(service, path, search=""):
    view = urlstate.parse(path, search)
    from dashboard.callbacks.common import facts as common_facts
    return urlstate.resolve(view, common_facts(service, view, "zh"))


# --- URL ---------------------------------------------------------------------------------------------
def test_data_urls_round_trip_with_township_and_span(demo_service):
    view = facts(demo_service, f"/data/{FOTANG}", "?month=2022-06&ind=key_recipient_visit_rate&span=24&lang=en")
    assert (view.page, view.unit, view.ind, view.span) == ("data", FOTANG, "key_recipient_visit_rate", 24)
    assert urlstate.href_for(view) == f"/data/{FOTANG}?month=2022-06&ind=key_recipient_visit_rate&lang=en&span=24"


def test_data_url_of_a_village_or_an_odd_span_falls_back(demo_service):
    assert facts(demo_service, f"/data/{VILLAGE}").page == "missing"
    view = facts(demo_service, "/data", "?span=7")
    assert (view.page, view.unit, view.span, view.ind) == ("data", None, None, None)  # no indicator: all


# --- the matrix and a cell -----------------------------------------------------------------------------
def test_city_matrix_has_the_city_and_every_township_for_a_year(demo_service):
    title, columns, rows, pinned = data_page.update_matrix(demo_service, *stores())
    assert "全部指标" in title
    assert [c["field"] for c in columns[1:]] == [f"2022-{m:02d}" for m in range(1, 13)]
    assert [r["code"] for r in rows] == [CITY_CODE, *[u.code for u in demo_service.children(CITY_CODE)]]
    dachen = next(r for r in rows if r["code"] == DACHEN)
    assert (dachen["2022-12_s"], dachen["2022-12"]) == ("missing", "✗ 未报")
    assert pinned[0]["2022-12"] == "5/15"  # the demo's December: most townships still wait for villages


def test_matrix_cells_agree_with_the_service(demo_service):
    _, _, rows, _ = data_page.update_matrix(demo_service, *stores(unit=FOTANG, span=24))
    frame = demo_service.reporting_matrix(FOTANG, "2021-01", "2022-12")
    by_row = {r["code"]: r for r in rows}
    for r in frame.itertuples(index=False):
        assert by_row[r.row][r.period + "_s"] == r.status and by_row[r.row][r.period + "_r"] == r.revised


def test_clicking_a_cell_shows_its_files_and_the_earlier_value(demo_service):
    cell = {"rowId": FOTANG, "colId": "2022-06", "value": "✓ 按时 ✎"}
    panel = triggered(data_page.update_detail, f"{ids.DATA_MATRIX}.cellClicked", demo_service, cell, *stores())
    text = str(panel)
    assert "2022-06_330782100000.xlsx" in text and "2022-06_更正_1.xlsx" in text
    values = next(c for c in panel if getattr(c, "id", None) == ids.DATA_DETAIL_VALUES).rowData
    csw = [v for v in values if v["indicator"] == "持证社工人数"]
    assert [v["revision"] for v in csw] == [1, 2] and values[:2] == csw  # revised values come first
    assert csw[0]["state"].startswith("已被更正") and csw[1]["state"] == "当前值"


def test_clicking_a_name_opens_the_township_and_a_month_cell_does_not(demo_service):
    name = {"rowId": FOTANG, "colId": "name"}
    path, search = triggered(data_page.update_url_from_data, f"{ids.DATA_MATRIX}.cellClicked", demo_service,
                             None, "12", name, *stores(), [])
    assert (path, search) == (f"/data/{FOTANG}", "?month=2022-12&lang=zh")
    month_cell = {"rowId": FOTANG, "colId": "2022-06"}
    out = triggered(data_page.update_url_from_data, f"{ids.DATA_MATRIX}.cellClicked", demo_service,
                    None, "12", month_cell, *stores(), [])
    assert out == (data_page.no_update, data_page.no_update)


def test_indicator_and_span_choices_go_to_the_url(demo_service):
    _, search = triggered(data_page.update_url_from_data, f"{ids.DATA_INDICATOR}.value", demo_service,
                          "key_recipient_visit_rate", "12", None, *stores(), [])
    assert search == "?month=2022-12&ind=key_recipient_visit_rate&lang=zh"
    _, search = triggered(data_page.update_url_from_data, f"{ids.DATA_SPAN}.value", demo_service,
                          None, "48", None, *stores(), [])
    assert search == "?month=2022-12&lang=zh&span=48"


# --- missing list and templates ----------------------------------------------------------------------
def test_missing_list_summarises_each_township(demo_service):
    title, _, rows = data_page.update_missing(demo_service, *stores())
    assert title == "2022年12月尚未报送"
    dachen = next(r for r in rows if r["code"] == DACHEN)
    villages = len(demo_service.children(DACHEN, "2022-12"))
    assert dachen["own"] == "全部 12 项均未报" and dachen["villages"].startswith(f"{villages}:")


def test_missing_csv_is_excel_friendly_with_one_row_per_value(demo_service):
    sent = data_page.download_missing(demo_service, 1, *stores())
    data = sent["content"]
    raw = __import__("base64").b64decode(data) if sent.get("base64") else data.encode()
    assert raw.startswith(b"\xef\xbb\xbf") and "镇街代码(township_code)" in raw.decode("utf-8-sig").splitlines()[0]
    frame = exports.read_csv(raw)
    assert len(frame) == len(demo_service.missing_reports("2022-12"))
    assert set(frame.loc[frame["township_code"].astype(str) == DACHEN, "overdue"]) == {"是"}
    assert sent["filename"].endswith("_2022-12.csv")


@pytest.mark.parametrize("button, suffix", [(ids.DATA_TEMPLATE_XLSX, "xlsx"), (ids.DATA_TEMPLATE_CSV, "csv")])
def test_template_download_is_the_townships_template(demo_service, button, suffix):
    sent = triggered(data_page.download_template, f"{button}.n_clicks", demo_service, 1, None, FOTANG, "2023-01")
    assert sent["filename"] == f"2023-01_佛堂镇_报送模板.{suffix}"
    raw = __import__("base64").b64decode(sent["content"])
    if suffix == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(raw)).worksheets[0]
        assert sheet["A1"].value == "统计期" and sheet["B2"].value == FOTANG
    else:
        assert raw.decode("utf-8-sig").splitlines()[1].startswith('="2023-01",="330782100000",')


def test_template_months_run_to_this_month(demo_service):
    months = data_views.template_months(demo_service)
    assert months[0] >= "2023-01" and months[-1] == "2019-01"


def test_header_links_keep_the_township_month_and_language(demo_service):
    links = data_page.update_nav(demo_service, {"page": "township", "unit": FOTANG}, "2022-06", "en")
    assert [link.href for link in links] == [f"/township/{FOTANG}?month=2022-06&lang=en",
                                              f"/data/{FOTANG}?month=2022-06&lang=en"]


def test_ranking_labels_say_when_a_township_figure_rests_on_partial_reports(demo_service):
    from dashboard.callbacks import charts

    ranking, *_ = charts.update_children(demo_service, {}, {"page": "city", "unit": None}, "2022-12",
                                         "key_recipient_visit_rate", "zh", [])
    labels = {code: text for t in ranking.data if t.type == "bar" for code, text in zip(t.customdata, t.text)}
    fotang = next(c.kpi for c in demo_service.children_kpis(CITY_CODE, "key_recipient_visit_rate", "2022-12")
                  if c.unit.code == FOTANG)
    assert fotang.partial and f"({fotang.reported_units}/{fotang.expected_units})" in labels[FOTANG]


def test_page_without_any_report_still_offers_templates(empty_settings):
    from dashboard.service import KpiService

    service = KpiService.from_settings(empty_settings)
    title, columns, rows, pinned = data_page.update_matrix(service, *stores(month=None))
    assert (columns, rows, pinned) == ([], [], [])
    missing_title, _, missing = data_page.update_missing(service, *stores(month=None))
    assert missing == [] and "暂无数据" in missing_title
    months, chosen = data_page.update_template_months(service, {"page": "data", "unit": None}, None, "zh")
    assert chosen == months[0]["value"] and len(months) == 12
