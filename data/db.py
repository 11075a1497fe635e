"""Connections and migrations: the one place that creates engines and runs Alembic."""
from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, timeout: int | None = None, **kwargs) -> sa.Engine:
    """An engine for the URL; creates the SQLite file's folder and sets sane per-backend options.

    timeout (seconds) bounds connecting, waiting for a pooled connection and each statement, so a
    web request never hangs on a database that is down or slow; the CLI leaves it unset (a large
    ingest may take longer than any request should).
    """
    u = sa.make_url(url)
    options: dict = {"future": True, "pool_pre_ping": True}
    connect_args: dict = {}
    if u.get_backend_name() == "sqlite":
        # A URI filename (sqlite:///file:PATH?mode=rw&uri=true) is not a path; mode=rw also means "never create".
        if u.database and u.database != ":memory:" and u.query.get("uri") != "true":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = timeout or 30
    elif u.get_backend_name() == "mysql":
        if "charset" not in u.query:
            u = u.update_query_dict({"charset": "utf8mb4"})
        options["pool_recycle"] = 3600
        if timeout:
            connect_args.update(connect_timeout=timeout, read_timeout=timeout * 2, write_timeout=timeout * 2)
    elif u.get_backend_name() == "postgresql" and timeout:
        connect_args.update(connect_timeout=timeout, options=f"-c statement_timeout={timeout * 1000}")
    if timeout:
        options["pool_timeout"] = timeout
    options["connect_args"] = connect_args
    options.update(kwargs)
    engine = sa.create_engine(u, **options)
    if u.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """Foreign keys on, WAL so readers never block on an ingest."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def alembic_config(engine: sa.Engine) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default: the newest)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: sa.Engine) -> str | None:
    """The schema's Alembic revision, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
