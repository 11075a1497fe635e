"""Uploading a monthly submission file on /data: the card (shown to those who may upload only), the
check of a dropped file, and its load, with exactly the checks of `kpi-dashboard ingest`.

A dropped file is checked at once (a dry run: nothing is written); 确认上传 loads it when the check
found nothing wrong, checking it again in the load's transaction. dashboard/auth.py refuses every
callback writing to a data-upload-* ID to a principal who may not upload; the callbacks here ask
again, limit a township account to its own township and villages, check the size of what arrived
(the browser's limit can be bypassed), and keep the original bytes with the submission. Every
attempt is an `upload` line of the audit log, committed with the load when there is one.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import json
import logging

import flask
import sqlalchemy as sa
from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import i18n, ids, security
from dashboard.data import accounts, ingest
from dashboard.layouts import data_upload as card
from dashboard.service import DatabaseUnavailable
from dashboard.settings import Settings

from .common import view_of

log = logging.getLogger(__name__)
MB = 1024 * 1024
SUFFIXES = (".csv", ".xlsx")


@dataclasses.dataclass(frozen=True)
class Policy:
    """Who may upload and how much: the upload settings (dashboard/settings.py) the callbacks need."""

    township_upload: bool = Settings.township_upload
    max_mb: float = Settings.upload_max_mb
    max_rows: int = Settings.upload_max_rows

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * MB)

    @classmethod
    def from_config(cls, config) -> "Policy":
        """The policy create_app put into the Flask config (KPI_TOWNSHIP_UPLOAD, KPI_UPLOAD_MAX_MB/_ROWS)."""
        return cls(bool(config.get("KPI_TOWNSHIP_UPLOAD", cls.township_upload)),
                   float(config.get("KPI_UPLOAD_MAX_MB", cls.max_mb)),
                   int(config.get("KPI_UPLOAD_MAX_ROWS", cls.max_rows)))


class _Refused(Exception):
    """An upload turned away before its content is checked: (result kind, title key, body key, values)."""


def may_upload(policy: Policy) -> security.Principal | None:
    """The principal of this request, if it may upload."""
    principal = security.current()
    return principal if principal is not None and principal.can_upload(policy.township_upload) else None


def update_upload_card(service, policy: Policy, route, lang):
    """Show the card on /data to those who may upload, in the language, with the size limit set on the drop zone."""
    view = view_of(route, None, None, None, lang)
    if view.page != "data":
        return (no_update,) * 6
    principal = may_upload(policy)
    if principal is None:
        return card.HIDDEN, *(no_update,) * 5
    lang = view.lang
    return (card.SHOWN, i18n.t("upload_title", lang), card.help_text(lang, principal.township is not None),
            card.drop_text(lang, policy.max_mb, policy.max_rows), i18n.t("upload_load", lang), policy.max_bytes)


def update_upload(service, policy: Policy, contents, _load_clicks, filename, lang):
    """Check a dropped file (nothing written), or load it when 确认上传 is pressed: (result, load disabled, done)."""
    lang = i18n.lang_or_default(lang)
    load = ctx.triggered_id == ids.DATA_UPLOAD_LOAD
    name = clean_name(filename)
    principal = security.current()
    if principal is None or not principal.can_upload(policy.township_upload):
        _audit(service, principal, "denied", {"file": name, "load": load})
        return refusal("upload_denied", "upload_denied_body", lang), True, no_update
    if not contents:
        raise PreventUpdate
    try:
        content_type, raw = decode(contents, name, policy)
    except _Refused as refused:
        kind, title, body, values = refused.args
        _audit(service, principal, "failed", {"file": name, "size": values.get("bytes"), "status": kind, "load": load})
        return refusal(title, body, lang, file=name, **values), True, no_update
    try:
        result, audited = _ingest(service, policy, principal, name, raw, content_type, load)
    except (sa.exc.SQLAlchemyError, DatabaseUnavailable):
        log.exception("upload of %r by %s failed", name, principal.label)
        _audit(service, principal, "failed", {"file": name, "size": len(raw), "status": "error", "load": load})
        return refusal("upload_failed", "upload_failed_body", lang, file=name), True, no_update
    if not audited:  # nothing was written, so there was no transaction to audit in
        _audit(service, principal, "ok" if result.ok else "failed", detail(result, name, len(raw), load))
    ready = result.status == "checked" and result.submission_id is None
    done = {"submission": result.submission_id} if result.status in ("loaded", "unchanged") else no_update
    return shown(result, name, lang), not ready, done


def _ingest(service, policy: Policy, principal, name: str, raw: bytes, content_type: str | None, load: bool):
    """ingest_bytes as this principal may: (result, whether its audit line went into the load's transaction)."""
    audited = []

    def record(conn, result):
        accounts.audit(conn, principal.label, "upload", "ok", _address(), _json(detail(result, name, len(raw), load)))
        audited.append(True)

    result = ingest.ingest_bytes(
        service.engine, name, raw, service.catalogue, loaded_by=principal.label,
        allowed_units=allowed_units(service, principal), keep_original=True, max_rows=policy.max_rows,
        content_type=content_type, dry_run=not load, today=service.today(), in_transaction=record)
    return result, bool(audited)


def allowed_units(service, principal: security.Principal) -> set[str] | None:
    """The units a principal may report for: a township user's township and its villages; None for all."""
    if principal.township is None:
        return None
    return {u.code for u in service.units() if principal.township in (u.code, u.parent_code)}


def decode(contents, name: str, policy: Policy) -> tuple[str | None, bytes]:
    """(content type, bytes) of dcc.Upload's data URL; _Refused for another type of file or one too large."""
    bad_type = _Refused("bad_type", "upload_bad_type", "upload_bad_type_body", {})
    if not name.lower().endswith(SUFFIXES) or not isinstance(contents, str) or not contents.startswith("data:"):
        raise bad_type
    head, _, data = contents.partition(",")
    if head != "data:" and not head.endswith(";base64"):  # an empty file's data URL is just "data:"
        raise bad_type
    if len(data) // 4 * 3 - 2 > policy.max_bytes:  # before decoding: 4 characters per 3 bytes, up to 2 of padding
        raise _Refused("too_large", "upload_too_large", "upload_too_large_body", _sizes(len(data) // 4 * 3, policy))
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise bad_type from None
    if len(raw) > policy.max_bytes:
        raise _Refused("too_large", "upload_too_large", "upload_too_large_body", _sizes(len(raw), policy))
    return head.removeprefix("data:").removesuffix(";base64") or None, raw


def _sizes(size: int, policy: Policy) -> dict:
    """The sizes a refusal names: in MB for people, in bytes for the audit log."""
    return {"size": f"{size / MB:.1f}", "mb": f"{policy.max_mb:g}", "bytes": size}


def clean_name(filename) -> str:
    """The file's own name as the browser gave it (no folders), at most 255 characters."""
    text = filename if isinstance(filename, str) else ""
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in text if ch.isprintable())[:ingest.FILE_NAME_MAX] or "upload"


def problems(result: ingest.IngestResult) -> list[tuple[int, str]]:
    """(line, reason) of each error ('FILE:LINE: reason')."""
    found = []
    for error in result.errors:
        rest = error[len(result.path) + 1:] if error.startswith(result.path + ":") else error
        line, _, reason = rest.partition(": ")
        found.append((int(line), reason) if line.isdigit() else (0, error))
    return found


def shown(result: ingest.IngestResult, name: str, lang: str):
    """What became of the file, in words (and every error, the first MAX_ERRORS_SHOWN of them in a grid)."""
    values = {"file": name, "rows": f"{result.rows:,}", "changed": f"{result.changed_rows:,}",
              "id": result.submission_id}
    t = functools.partial(i18n.t, lang=lang, **values)
    if result.status == "rejected":
        found = problems(result)
        rows = card.error_rows(found[:card.MAX_ERRORS_SHOWN], lang)
        return card.outcome("error", i18n.t("upload_rejected", lang, n=f"{len(found):,}", file=name),
                            t("upload_rejected_body"), lang, rows, len(found))
    if result.status == "checked":
        if result.submission_id is not None:
            return card.outcome("same", t("upload_known"), t("upload_checked_again"))
        return card.outcome("checked", t("upload_checked"),
                            t("upload_checked_body" if result.changed_rows else "upload_checked_same"))
    kind, title = {"loaded": ("ok", "upload_loaded"), "unchanged": ("ok", "upload_unchanged"),
                   "already_loaded": ("same", "upload_again")}[result.status]
    return card.outcome(kind, t(title), t(title + "_body"))


def refusal(title: str, body: str, lang: str, **values):
    """An upload turned away before its lines were checked."""
    return card.outcome("error", i18n.t(title, lang, **values), i18n.t(body, lang, **values))


def detail(result: ingest.IngestResult, name: str, size: int, load: bool) -> dict:
    """The audit line's detail: file, size, status, submission, rows, first error; a check or a load."""
    return {"file": name, "size": size, "status": result.status, "submission": result.submission_id,
            "rows": result.rows, "changed": result.changed_rows, "errors": len(result.errors),
            "first_error": result.errors[0][:300] if result.errors else None, "load": load}


def _audit(service, principal, outcome: str, values: dict) -> None:
    """An upload line of the audit log in a transaction of its own; logged, not raised, when it cannot be written."""
    actor = principal.label if principal is not None else "-"
    try:
        with service.engine.begin() as conn:
            accounts.audit(conn, actor, "upload", outcome, _address(), _json(values))
    except sa.exc.SQLAlchemyError:
        log.exception("audit log write failed: %s upload %s", actor, outcome)


def _json(values: dict) -> str:
    return json.dumps(values, ensure_ascii=False)


def _address() -> str | None:
    return flask.request.remote_addr if flask.has_request_context() else None


def _with_policy(fn, service, policy: Policy):
    """fn(service, policy, *inputs) as a Dash callback of the inputs."""
    @functools.wraps(fn)
    def run(*args):
        return fn(service, policy, *args)
    return run


def register(app, service) -> None:
    """Wire the upload card (callbacks/data_page.py calls this); the policy comes from the app's config."""
    policy = Policy.from_config(app.server.config)
    app.callback(Output(ids.DATA_FILE_CARD, "style"), Output(ids.DATA_FILE_TITLE, "children"),
                 Output(ids.DATA_FILE_HELP, "children"), Output(ids.DATA_FILE_DROP_TEXT, "children"),
                 Output(ids.DATA_FILE_LOAD_LABEL, "children"), Output(ids.DATA_FILE_DROP, "max_size"),
                 Input(ids.APP_ROUTE, "data"), Input(ids.APP_LANG, "data"),
                 )(_with_policy(update_upload_card, service, policy))
    app.callback(Output(ids.DATA_UPLOAD_RESULT, "children"), Output(ids.DATA_UPLOAD_LOAD, "disabled"),
                 Output(ids.DATA_UPLOAD_DONE, "data"),
                 Input(ids.DATA_FILE_DROP, "contents"), Input(ids.DATA_UPLOAD_LOAD, "n_clicks"),
                 State(ids.DATA_FILE_DROP, "filename"), State(ids.APP_LANG, "data"),
                 running=[(Output(ids.DATA_UPLOAD_LOAD, "loading"), True, False)],
                 prevent_initial_call=True)(_with_policy(update_upload, service, policy))
