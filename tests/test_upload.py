"""Uploading a monthly file on /data (issue 8): the checks of `ingest`, nothing written on an error,
the size and row limits, a township's own units only, the original bytes kept, the audit log, and
the server's guard. Every test writes into a copy of the demo database of its own."""
from __future__ import annotations

import base64
import dataclasses
import io
import json
import sqlite3

import flask
import openpyxl
import pytest
import sqlalchemy as sa
from dash import no_update

from conftest import OTHER_TOWNSHIP, OWN_TOWNSHIP, csrf_of, sign_in
from dashboard import ids, security
from dashboard.app import create_app
from dashboard.callbacks import data_page, data_upload
from dashboard.data import accounts, db, ingest, schema
from dashboard.layouts import data_upload as card
from dashboard.service import KpiService
from test_data_page import stores, triggered

DACHEN = "330782106000"  # 大陈镇: has not reported for 2022-12 in the demo data
HEADER = "统计期,单位代码,指标代码,数值,分子,分母,备注\n"
GOOD = HEADER + f"2022-12,{DACHEN},certified_social_workers,31,,,\n"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DROP, LOAD = f"{ids.DATA_FILE_DROP}.contents", f"{ids.DATA_UPLOAD_LOAD}.n_clicks"
ADMIN = security.Principal("admin", "admin")
VIEWER, CITY = security.Principal("viewer", "viewer"), security.Principal("city", "city")
TOWNSHIP = security.Principal("township", "township", OWN_TOWNSHIP)


def copy_database(source_url: str, folder) -> str:
    """A consistent copy of an SQLite database (the backup API, so nothing in its WAL is missed)."""
    target = folder / "kpi.sqlite3"
    with sqlite3.connect(source_url.removeprefix("sqlite:///")) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@pytest.fixture
def service(demo_settings, tmp_path):
    """A service on a fresh copy of the demo data, limited to the principal's units as in the app."""
    found = KpiService.from_settings(dataclasses.replace(demo_settings, database_url=copy_database(
        demo_settings.resolved_database_url(), tmp_path), var_dir=tmp_path))
    found.scope_provider = security.current_township
    yield found
    found.engine.dispose()


def data_url(raw: bytes, mime: str = "text/csv") -> str:
    """What dcc.Upload gives a callback: the file as a base64 data URL."""
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def xlsx(rows: list[list]) -> bytes:
    """A one-sheet workbook."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(service, raw: bytes, name: str = "2022-12_大陈镇.csv", *, load=False, principal=ADMIN,
           policy=data_upload.Policy(), mime: str = "text/csv", lang: str = "zh"):
    """Drop the file (a check) or press 确认上传 (a load), as this principal from 10.9.8.7: (result, disabled, done)."""
    with flask.Flask(__name__).test_request_context(environ_base={"REMOTE_ADDR": "10.9.8.7"}):
        flask.g.principal = principal
        return triggered(data_upload.update_upload, LOAD if load else DROP, service, policy, data_url(raw, mime),
                         1 if load else None, name, lang)


def counts(service) -> dict[str, int]:
    """Rows in every table a load writes to."""
    tables = (schema.observations, schema.observation_history, schema.submissions, schema.submission_files)
    with service.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in tables}


def uploads(service) -> list[dict]:
    """The upload lines of the audit log, oldest first, with their detail decoded."""
    entries = accounts.audit_entries(service.engine, 100, "upload")
    return [{**e, "detail": json.loads(e["detail"])} for e in reversed(entries)]


def stored_file(service, submission_id: int):
    with service.engine.connect() as conn:
        return conn.execute(sa.select(schema.submission_files).where(
            schema.submission_files.c.submission_id == submission_id)).one()


def error_rows(result) -> list[dict]:
    """The rows of the error grid inside a result."""
    return next(c for c in result.children if getattr(c, "id", None) == ids.DATA_UPLOAD_ERRORS).rowData


# --- admins: check, load, the original kept, the page redrawn -------------------------------------------------
def test_admin_csv_is_checked_then_loaded_with_its_original_bytes_kept(service):
    raw = GOOD.encode("utf-8-sig")
    before = counts(service)
    checked, disabled, done = upload(service, raw)
    assert "检查通过" in checked.title and not disabled and done is no_update
    assert counts(service) == before  # a check writes nothing
    result, disabled, done = upload(service, raw, load=True)
    assert result.title == "已写入:2022-12_大陈镇.csv" and disabled
    submission = done["submission"]
    assert f"#{submission}" in str(result.children)
    kept = stored_file(service, submission)
    assert (kept.content, kept.size, kept.content_type) == (raw, len(raw), "text/csv")
    assert kept.file_name == "2022-12_大陈镇.csv"
    assert counts(service)["observations"] == before["observations"] + 1
    with service.engine.connect() as conn:
        sub = conn.execute(sa.select(schema.submissions).where(schema.submissions.c.id == submission)).one()
    assert (sub.loaded_by, sub.rows, sub.changed_rows) == ("admin", 1, 1)
    check, load = uploads(service)
    assert (check["actor"], check["outcome"], check["address"]) == ("admin", "ok", "10.9.8.7")
    assert (check["detail"]["status"], check["detail"]["load"]) == ("checked", False)
    assert (load["outcome"], load["detail"]["status"], load["detail"]["submission"]) == ("ok", "loaded", submission)
    assert load["detail"]["file"] == "2022-12_大陈镇.csv" and load["detail"]["size"] == len(raw)


def test_the_matrix_and_the_missing_list_show_a_load_at_once(service):
    def dachen():
        _, _, rows, _ = data_page.update_matrix(service, *stores())
        return next(r for r in rows if r["code"] == DACHEN)["2022-12_s"]
    assert dachen() == "missing"
    _, _, done = upload(service, GOOD.encode(), load=True)
    with service.pinned():  # as bind() runs a callback: the data version is read afresh
        assert dachen() == "partial"
        _, _, missing = data_page.update_missing(service, *stores(), done)
    assert "全部" not in next(r for r in missing if r["code"] == DACHEN)["own"]


def test_admin_xlsx_loads_with_its_original_bytes_kept(service):
    raw = xlsx([["统计期", "单位代码", "指标代码", "数值", "分子", "分母"],
                ["2022-12", DACHEN, "certified_social_workers", 31, None, None],
                ["2022-12", DACHEN, "elderly_beds_per_1000", None, 300, 7000]])
    result, _, done = upload(service, raw, "大陈镇.xlsx", load=True, mime=XLSX_MIME)
    assert result.title == "已写入:大陈镇.xlsx"
    kept = stored_file(service, done["submission"])
    assert kept.content == raw and kept.content_type == XLSX_MIME


def test_a_file_loaded_before_is_said_so_at_the_check(service):
    _, _, done = upload(service, GOOD.encode(), load=True)
    again, disabled, _ = upload(service, GOOD.encode())
    assert again.title.startswith("已上传过") and f"#{done['submission']}" in str(again.children) and disabled


# --- errors: nothing written, every line named --------------------------------------------------------------
def test_a_file_with_errors_writes_nothing_and_names_each_line(service):
    body = (GOOD + "2022-12,330782999999,certified_social_workers,3,,,\n"
            + f"2022-12,{DACHEN},elderly_beds_per_1000,,735,0,\n")
    before = counts(service)
    for load in (False, True):  # the load checks again, whatever the browser says
        result, disabled, done = upload(service, body.encode(), "坏文件.csv", load=load)
        assert result.title == "有 2 处错误,未写入任何数据:坏文件.csv" and disabled
        assert error_rows(result) == [{"line": "3", "reason": "unknown unit code 330782999999"},
                                      {"line": "4", "reason": "denominator is zero"}]
    assert counts(service) == before
    assert [(e["outcome"], e["detail"]["status"], e["detail"]["errors"]) for e in uploads(service)] == \
        [("failed", "rejected", 2)] * 2
    assert uploads(service)[0]["detail"]["first_error"] == "坏文件.csv:3: unknown unit code 330782999999"


def test_only_the_first_200_errors_are_listed_with_the_total(service):
    body = HEADER + "".join(f"2022-12,{DACHEN},no_such_indicator_{n},1,,,\n" for n in range(250))
    result, _, _ = upload(service, body.encode())
    assert len(error_rows(result)) == card.MAX_ERRORS_SHOWN and "共 250 处" in str(result.children)


def test_a_file_level_problem_is_on_the_whole_file(service):
    result, _, _ = upload(service, b"", "empty.csv")
    assert error_rows(result) == [{"line": "整个文件", "reason": "empty file (no header row)"}]


def test_a_failure_mid_write_leaves_nothing_half_written(service, monkeypatch):
    def broken(*_args):
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
    monkeypatch.setattr(ingest, "_write_rows", broken)
    before = counts(service)
    result, disabled, _ = upload(service, GOOD.encode(), load=True)
    assert result.title.startswith("上传失败") and disabled
    assert counts(service) == before  # no submission, no kept file: one transaction
    assert [(e["outcome"], e["detail"]["status"]) for e in uploads(service)] == [("failed", "error")]


def test_the_file_name_is_shown_as_text(service):
    result, _, _ = upload(service, GOOD.encode(), "<img src=x onerror=alert(1)>.csv")
    assert result.title == "检查通过:<img src=x onerror=alert(1)>.csv"  # a string prop: React writes it as text


def test_the_command_line_and_the_browser_check_a_file_alike(service, tmp_path):
    body = GOOD + "2022-12,330782999999,certified_social_workers,3,,,\n2022/13,x,y,,,,\n"
    path = tmp_path / "same.csv"
    path.write_text(body, encoding="gb18030")
    by_path = ingest.ingest_file(service.engine, path, service.catalogue, dry_run=True)
    by_bytes = ingest.ingest_bytes(service.engine, str(path), path.read_bytes(), service.catalogue, loaded_by="cli",
                                   dry_run=True)
    assert by_path == by_bytes and len(by_path.errors) == 4


# --- limits --------------------------------------------------------------------------------------------------
def test_a_file_over_the_size_limit_is_refused_unread(service):
    policy = data_upload.Policy(max_mb=0.0001)  # 104 bytes
    before = counts(service)
    result, disabled, _ = upload(service, (GOOD * 3).encode(), policy=policy, load=True)
    assert result.title == "文件太大,未接收:2022-12_大陈镇.csv" and disabled
    assert "上限是 0.0001 MB" in str(result.children)
    assert counts(service) == before
    assert uploads(service)[-1]["detail"] == {"file": "2022-12_大陈镇.csv", "size": len(GOOD.encode()) * 3,
                                              "status": "too_large", "load": True}


def test_the_drop_zone_takes_no_more_than_the_limit(service):
    policy = data_upload.Policy(max_mb=2, max_rows=500)
    style, title, _, drop, _, max_size = data_upload.update_upload_card(service, policy, {"page": "data"}, "zh")
    assert style == card.SHOWN and title == "上传报送文件" and max_size == 2 * 1024 * 1024
    assert "2 MB、500 行" in str(drop)


def test_a_file_over_the_row_limit_is_refused(service):
    body = HEADER + "".join(f"2022-12,{DACHEN},{ind},1,,,\n" for ind in
                            ("certified_social_workers", "new_5a_social_orgs", "charity_index"))
    before = counts(service)
    result, _, _ = upload(service, body.encode(), policy=data_upload.Policy(max_rows=2), load=True)
    assert error_rows(result) == [{"line": "4", "reason": "more than 2 data rows, the limit: split the file"}]
    assert counts(service) == before


def test_only_csv_and_xlsx_files_are_taken(service):
    result, _, _ = upload(service, GOOD.encode(), "report.txt")
    assert result.title == "不是 CSV 或 .xlsx 文件,未接收:report.txt"


# --- who may upload ------------------------------------------------------------------------------------------
def test_a_township_user_loads_own_units_and_gets_line_errors_for_another_township(service):
    policy = data_upload.Policy(township_upload=True)
    village = service.children(OWN_TOWNSHIP, "2022-12")[0].code
    own = (HEADER + f"2022-12,{OWN_TOWNSHIP},certified_social_workers,77,,,\n"
           + f"2022-12,{village},key_recipient_visit_rate,,9,10,\n")
    mixed = own + f"2022-12,{OTHER_TOWNSHIP},certified_social_workers,5,,,\n2022-12,330782000000,charity_index,80,,,\n"
    before = counts(service)
    result, _, _ = upload(service, mixed.encode(), principal=TOWNSHIP, policy=policy, load=True)
    assert error_rows(result) == [{"line": "4", "reason": f"unit {OTHER_TOWNSHIP} is outside your township"},
                                  {"line": "5", "reason": "unit 330782000000 is outside your township"}]
    assert counts(service) == before
    result, _, done = upload(service, own.encode(), principal=TOWNSHIP, policy=policy, load=True)
    assert result.title.startswith("已写入") and done["submission"]
    assert uploads(service)[-1]["actor"] == "township"


def test_the_card_says_a_township_account_is_limited_to_its_township(service):
    with flask.Flask(__name__).test_request_context():
        flask.g.principal = TOWNSHIP
        _, _, help_text, *_ = data_upload.update_upload_card(service, data_upload.Policy(True), {"page": "data"}, "zh")
    assert "只能上传本镇街" in str(help_text)


@pytest.mark.parametrize("principal, policy", [(VIEWER, data_upload.Policy(True)), (CITY, data_upload.Policy(True)),
                                               (TOWNSHIP, data_upload.Policy(False))])
def test_those_who_may_not_upload_see_no_card_and_are_refused(service, principal, policy):
    with flask.Flask(__name__).test_request_context():
        flask.g.principal = principal
        style, *rest = data_upload.update_upload_card(service, policy, {"page": "data"}, "zh")
    assert style == card.HIDDEN and all(value is no_update for value in rest)
    before = counts(service)
    result, disabled, done = upload(service, GOOD.encode(), principal=principal, policy=policy, load=True)
    assert result.title == "不能上传" and disabled and done is no_update
    assert counts(service) == before
    assert [(e["actor"], e["outcome"]) for e in uploads(service)] == [(principal.name, "denied")]


# --- the server's guard, through HTTP with sign-in on ----------------------------------------------------------
@dataclasses.dataclass
class Guarded:
    """Apps with sign-in on, on a copy of the accounts' database of this module's own."""

    settings: object
    apps: dict

    def app(self, township_upload: bool):
        if township_upload not in self.apps:
            self.apps[township_upload] = create_app(dataclasses.replace(self.settings, township_upload=township_upload))
        return self.apps[township_upload]

    def uploads(self) -> list[dict]:
        engine = db.make_engine(self.settings.resolved_database_url())
        try:
            return accounts.audit_entries(engine, 100, "upload")
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def guarded(auth_settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("upload-guard")
    url = copy_database(auth_settings.resolved_database_url(), folder)
    return Guarded(dataclasses.replace(auth_settings, database_url=url, var_dir=folder), {})


def upload_body(raw: bytes, name: str, load: bool) -> dict:
    """The request dash-renderer posts when a file is dropped (or 确认上传 pressed)."""
    outputs = [{"id": ids.DATA_UPLOAD_RESULT, "property": "children"},
               {"id": ids.DATA_UPLOAD_LOAD, "property": "disabled"}, {"id": ids.DATA_UPLOAD_DONE, "property": "data"}]
    return {"output": "..data-upload-result.children...data-upload-load.disabled...data-upload-done.data..",
            "outputs": outputs,
            "inputs": [{"id": ids.DATA_FILE_DROP, "property": "contents", "value": data_url(raw)},
                       {"id": ids.DATA_UPLOAD_LOAD, "property": "n_clicks", "value": 1 if load else None}],
            "state": [{"id": ids.DATA_FILE_DROP, "property": "filename", "value": name},
                      {"id": ids.APP_LANG, "property": "data", "value": "zh"}],
            "changedPropIds": [LOAD if load else DROP]}


def post_as(app, user: str, body: dict):
    """POST a callback request signed in as the user, with the session's CSRF token, as the browser does."""
    client = app.server.test_client()
    assert sign_in(client, user).status_code == 302
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_of(client)})


@pytest.mark.parametrize("user, township_upload", [("viewer", True), ("city", True), ("township", False)])
def test_the_server_refuses_an_upload_to_those_who_may_not(guarded, user, township_upload):
    answer = post_as(guarded.app(township_upload), user, upload_body(GOOD.encode(), "x.csv", load=True))
    assert answer.status_code == 403
    latest = guarded.uploads()[0]
    assert (latest["actor"], latest["outcome"]) == (user, "denied")


def test_an_admin_and_an_allowed_township_user_load_through_the_server(guarded):
    answer = post_as(guarded.app(False), "admin", upload_body(GOOD.encode(), "大陈镇.csv", load=True))
    assert answer.status_code == 200 and "已写入:大陈镇.csv" in answer.get_data(as_text=True)
    own = HEADER + f"2022-12,{OWN_TOWNSHIP},certified_social_workers,66,,,\n"
    answer = post_as(guarded.app(True), "township", upload_body(own.encode(), "江东.csv", load=True))
    assert answer.status_code == 200 and "已写入:江东.csv" in answer.get_data(as_text=True)
    assert [(e["actor"], e["outcome"]) for e in guarded.uploads()[:2]] == [("township", "ok"), ("admin", "ok")]


# --- in the browser ----------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_a_file_dropped_on_the_page_is_checked_loaded_and_drawn(dash_duo, demo_settings, tmp_path):
    from selenium.common.exceptions import StaleElementReferenceException
    from test_browser_data import cell, click, open_data, severe_logs, wait_until

    url = copy_database(demo_settings.resolved_database_url(), tmp_path)
    dash_duo.start_server(create_app(dataclasses.replace(demo_settings, database_url=url, var_dir=tmp_path)))
    open_data(dash_duo, "/data?month=2022-12")
    dash_duo.wait_for_text_to_equal(f"#{ids.DATA_FILE_TITLE}", "上传报送文件")
    bad, good = tmp_path / "坏文件.csv", tmp_path / "大陈镇.csv"
    bad.write_text(GOOD + "2022-12,330782999999,certified_social_workers,3,,,\n", encoding="utf-8-sig")
    good.write_text(GOOD, encoding="utf-8-sig")
    drop = f"#{ids.DATA_FILE_DROP} input[type=file]"
    dash_duo.find_element(drop).send_keys(str(bad))
    dash_duo.wait_for_contains_text(f"#{ids.DATA_UPLOAD_RESULT}", "有 1 处错误,未写入任何数据:坏文件.csv")
    dash_duo.wait_for_contains_text(f"#{ids.DATA_UPLOAD_ERRORS}", "unknown unit code 330782999999")
    dash_duo.find_element(drop).send_keys(str(good))
    dash_duo.wait_for_contains_text(f"#{ids.DATA_UPLOAD_RESULT}", "检查通过:大陈镇.csv")
    assert "未报" in cell(dash_duo, DACHEN, "2022-12").text
    click(dash_duo, f"#{ids.DATA_UPLOAD_LOAD}:not([disabled])")
    dash_duo.wait_for_contains_text(f"#{ids.DATA_UPLOAD_RESULT}", "已写入:大陈镇.csv")
    def dachen():
        try:
            return cell(dash_duo, DACHEN, "2022-12").text
        except StaleElementReferenceException:  # the matrix is being drawn again
            return ""
    wait_until(lambda: dachen() and "未报" not in dachen(), what="the matrix to draw the load")
    assert severe_logs(dash_duo) == []
