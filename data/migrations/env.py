"""Alembic environment: runs on the connection that dashboard.data.db hands it."""
from __future__ import annotations

from alembic import context

from dashboard.data.schema import metadata


def run_migrations() -> None:
    """Run migrations online on the connection passed in config.attributes."""
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic` CLI use: build an engine from the URL
        import sqlalchemy as sa

        engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
