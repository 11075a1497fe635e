"""Structured logs: one JSON line per request, with its time and, for callbacks, which one it was."""
from __future__ import annotations

import json
import logging
import time

import flask

log = logging.getLogger("kpi.requests")


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line (time, level, logger, message, and any `fields`)."""

    def format(self, record: logging.LogRecord) -> str:
        body = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        body.update(getattr(record, "fields", {}))
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


def configure(level: str = "INFO", json_lines: bool = True) -> None:
    """Root logging to stderr, as JSON lines in production (journald and log shippers read them)."""
    handler = logging.StreamHandler()
    if json_lines:
        handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register(server: flask.Flask) -> None:
    """Time every request; log method, path, status, milliseconds and the callback's output id."""

    @server.before_request
    def _start():
        flask.g.kpi_started = time.perf_counter()

    @server.after_request
    def _finish(response):
        started = flask.g.pop("kpi_started", None)
        if started is None:
            return response
        fields = {"method": flask.request.method, "path": flask.request.path, "status": response.status_code,
                  "ms": round((time.perf_counter() - started) * 1000, 2)}
        if flask.request.path.endswith("/_dash-update-component"):
            body = flask.request.get_json(silent=True) or {}
            fields["callback"] = str(body.get("output", ""))[:120]
        log.info("request", extra={"fields": fields})
        return response
