"""The floor for bench/bench_load.py: the least a Flask app under the same gunicorn settings can do.

One JSON endpoint at the dashboard's callback path. It parses the posted body as Dash's does, then
returns a stored response of the same callback kind (recorded from the dashboard by the
benchmark), compressed by flask-compress exactly as the dashboard's responses are. So the gap
between the dashboard and this app is the dashboard's own work: routing the callback, the cache
read or the computation, and serialising the output.

Serve with: KPI_FLOOR_BODIES=bodies.json gunicorn -c deploy/gunicorn.conf.py --pythonpath bench floor_app:app
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import flask
from flask_compress import Compress


def create_app(bodies_path: str | None) -> flask.Flask:
    """A Flask app answering POST /_dash-update-component with the stored body of that callback."""
    app = flask.Flask(__name__)
    bodies = json.loads(Path(bodies_path).read_text()) if bodies_path else {}
    fallback = next(iter(bodies.values()), '{"multi": true, "response": {}}')
    Compress(app)  # what dash.Dash(compress=True) does
    app.config["COMPRESS_ALGORITHM"] = ["gzip"]

    @app.post("/_dash-update-component")
    def update_component():
        """The recorded response of the callback named in the request."""
        request = flask.request.get_json()
        return flask.Response(bodies.get(request.get("output"), fallback), mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        """Ready."""
        return {"status": "ok"}

    return app


app = create_app(os.environ.get("KPI_FLOOR_BODIES"))
