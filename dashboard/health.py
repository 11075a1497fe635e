"""/healthz for load balancers: is the database reachable, which data version and month. No auth, fast."""
from __future__ import annotations

import flask

from .service import DatabaseUnavailable, KpiService


def register(server: flask.Flask, service: KpiService) -> None:
    """Add GET /healthz: 200 when the database answers, 503 (with the last good data's facts) when not."""

    @server.get("/healthz")
    def healthz():
        """One primary-key read of the data version, bounded by the database timeout."""
        try:
            with service.pinned():
                state = service.state()
        except DatabaseUnavailable as exc:
            return flask.jsonify(status="down", database="unreachable", error=str(exc)), 503
        body = {"status": "degraded" if state["stale"] else "ok",
                "database": "unreachable" if state["stale"] else "ok",
                "data_version": state["version"], "latest_period": state["latest_period"],
                "demo": state["demo"], "last_good_at": state["last_good_at"]}
        response = flask.jsonify(body)
        response.status_code = 503 if state["stale"] else 200
        response.headers["Cache-Control"] = "no-store"
        return response
