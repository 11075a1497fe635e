"""Production gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py dashboard.wsgi:server`.

Sized for a 2-core server; every value can be overridden by environment variables (KPI_WORKERS,
KPI_THREADS, KPI_BIND, KPI_TIMEOUT, KPI_GRACEFUL_TIMEOUT, KPI_MAX_REQUESTS, KPI_VAR_DIR).
No control socket and no temporary files outside the app's var/ folder.
"""
import os
from pathlib import Path

# Running under this config means production: unsafe settings (no secret key, debug on) refuse to start.
os.environ.setdefault("KPI_ENV", "production")

_var = Path(os.environ.get("KPI_VAR_DIR", "var")).resolve()
(_var / "run").mkdir(parents=True, exist_ok=True)

bind = os.environ.get("KPI_BIND", "127.0.0.1:8050")
# Two processes for two cores; threads overlap the time callbacks wait on the database and cache.
workers = int(os.environ.get("KPI_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("KPI_THREADS", "4"))
timeout = int(os.environ.get("KPI_TIMEOUT", "30"))  # a worker silent this long is restarted
graceful_timeout = int(os.environ.get("KPI_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Recycle workers now and then so no slow leak can grow without bound.
max_requests = int(os.environ.get("KPI_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
worker_tmp_dir = str(_var / "run")
control_socket_disable = True
preload_app = False  # each worker builds its own app and connection pool after the fork
accesslog = None  # the app logs every request as a JSON line with its time (dashboard/logs.py)
errorlog = "-"
loglevel = os.environ.get("KPI_LOG_LEVEL", "info").lower()
proc_name = "kpi-dashboard"


def post_fork(server, worker):
    """JSON log lines from each worker."""
    from dashboard.logs import configure

    configure(os.environ.get("KPI_LOG_LEVEL", "INFO").upper())
