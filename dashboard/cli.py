"""The `kpi-dashboard` command: set-up, ingest, KPIs and serving, for people and for cron."""
from __future__ import annotations

import argparse
import logging
import sys

from .settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(prog="kpi-dashboard", description="义乌市民政目标指标看板 / civil-affairs KPI dashboard")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", help="create or upgrade the schema and load the catalogue and unit list")
    p.add_argument("--demo", action="store_true", help="(re)build the deterministic demo data set")
    p.add_argument("--scale", type=int, default=1, help="demo volume multiplier (benchmarks)")

    p = sub.add_parser("db", help="schema migrations")
    p.add_argument("action", choices=["upgrade", "current"])
    p.add_argument("revision", nargs="?", default="head")

    p = sub.add_parser("ingest", help="load monthly submission files (CSV or .xlsx)")
    p.add_argument("files", nargs="+")
    p.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    p.add_argument("--by", default=None, help="who is loading (default: the login name)")

    p = sub.add_parser("kpis", help="print the KPI engine's result, one row per indicator")
    p.add_argument("--unit", default=None, help="unit code (default: the city)")
    p.add_argument("--as-of", default=None, help="YYYY-MM (default: the latest month with data)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    p = sub.add_parser("brief", help="write the one-page brief (PNG 1920x1080 and A4, CSV) of a unit and month")
    p.add_argument("--unit", default="city", help="unit code, 'city' (default) or 'all' (the city and every township)")
    p.add_argument("--as-of", default=None, help="YYYY-MM (default: the latest month with data)")
    p.add_argument("--out", required=True, help="folder to write into (created if missing)")
    p.add_argument("--format", default="png,csv", help="comma-separated: png, csv (default both)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")

    from . import account_commands

    account_commands.add_parsers(sub)

    p = sub.add_parser("serve", help="run the dashboard (development server)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from . import commands

    from . import account_commands

    name = "cmd_" + args.command.replace("-", "_")
    handler = getattr(commands, name, None) or getattr(account_commands, name)
    return handler(settings, args) or 0


if __name__ == "__main__":
    sys.exit(main())
