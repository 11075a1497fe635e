"""An ingest killed with SIGKILL half-way through its writes leaves the database exactly as it was."""
from __future__ import annotations

import signal
import subprocess
import sys

import sqlalchemy as sa

from dashboard.data import schema

from test_ingest import BASELINE, HEADER, load, snapshot, write

# Runs in a child process: wraps the connection _write_rows gets, and kills the process with
# SIGKILL right after its second statement (history rows and updates written, inserts not yet),
# before the transaction can commit or roll back.
KILLER = """
import datetime, os, signal, sys
from dashboard.data import catalogue, db, ingest

class DyingConnection:
    def __init__(self, conn):
        self.conn, self.statements = conn, 0

    def execute(self, *args, **kwargs):
        result = self.conn.execute(*args, **kwargs)
        self.statements += 1
        if self.statements == 2:
            print("killing after", self.statements, "statements", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return result

write_rows = ingest._write_rows
ingest._write_rows = lambda conn, *args: write_rows(DyingConnection(conn), *args)
engine = db.make_engine(sys.argv[1])
ingest.ingest_file(engine, sys.argv[2], catalogue.load_catalogue(), today=datetime.date(2023, 1, 15))
print("survived", flush=True)
"""

# One corrected cell (history + update) and three new ones (insert).
RESUBMISSION = (
    "2022-06,330782100000,certified_social_workers,15,,,更正\n"
    + "".join(line.replace("2022-06", "2022-07") + "\n" for line in BASELINE.splitlines()[1:])
)


def test_ingest_killed_mid_write_leaves_the_database_as_it_was(migrated, catalogue, tmp_path):
    assert load(migrated, write(tmp_path, HEADER + BASELINE, "baseline.csv"), catalogue).status == "loaded"
    path = write(tmp_path, HEADER + RESUBMISSION, "correction.csv")
    before = snapshot(migrated)
    url = migrated.url.render_as_string(hide_password=False)
    child = subprocess.run([sys.executable, "-c", KILLER, url, path], capture_output=True, text=True,
                           cwd=tmp_path, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "killing after 2 statements" in child.stdout and "survived" not in child.stdout
    assert snapshot(migrated) == before
    if migrated.dialect.name == "sqlite":
        with migrated.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    result = load(migrated, path, catalogue)
    assert (result.status, result.rows, result.changed_rows) == ("loaded", 4, 4)
    with migrated.connect() as conn:
        history = conn.execute(sa.select(schema.observation_history.c.value)).scalars().all()
    assert history == [12.0]

