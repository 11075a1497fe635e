"""Implementations of the CLI commands; each takes the settings and parsed arguments."""
from __future__ import annotations

import getpass
import json
import sys

from .data import catalogue as cat
from .data import db, ingest, meta, rollups, sync
from .data.periods import parse_period
from .settings import Settings


def cmd_init_db(settings: Settings, args) -> int:
    """Migrate, load units and catalogue; with --demo, rebuild the demo data."""
    engine = db.make_engine(settings.resolved_database_url())
    db.upgrade(engine)
    catalogue = cat.load_catalogue()
    units = cat.load_units()
    if args.demo:
        from .data import demo

        try:
            stats = demo.build(engine, catalogue, units, scale=args.scale)
        except demo.DemoRefused as exc:
            print(f"kpi-dashboard: {exc}", file=sys.stderr)
            return 1
        verb = "already present" if stats["skipped"] else "built"
        print(f"demo data {verb}: {stats['observations']:,} observations for {stats['units']:,} units, "
              f"{stats['first_period']}..{stats['last_period']} (scale {args.scale})")
    else:
        with engine.begin() as conn:
            if not meta.get(conn, meta.DEMO) == "true":  # a demo database keeps its synthetic villages
                sync.sync_units(conn, units)
                rollups.refresh(conn)  # villages' parents come from the unit list
            sync.sync_catalogue(conn, catalogue, units)
            meta.bump_data_version(conn)  # cached results must not outlive an edited target
    print(f"database ready: {engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_db(settings: Settings, args) -> int:
    """Alembic upgrade or current revision."""
    engine = db.make_engine(settings.resolved_database_url())
    if args.action == "upgrade":
        db.upgrade(engine, args.revision)
    print(db.current_revision(engine) or "(empty database)")
    return 0


def cmd_ingest(settings: Settings, args) -> int:
    """Load each file in its own transaction; report FILE:LINE errors; non-zero if any file failed."""
    engine = db.make_engine(settings.resolved_database_url())
    catalogue = cat.load_catalogue()
    loaded_by = args.by or os_login()
    failed = 0
    for path in args.files:
        result = ingest.ingest_file(engine, path, catalogue, dry_run=args.dry_run, loaded_by=loaded_by)
        for error in result.errors:
            print(error, file=sys.stderr)
        print(result.summary())
        failed += not result.ok
    return 1 if failed else 0


def cmd_kpis(settings: Settings, args) -> int:
    """Print the engine's KPI rows for a unit and month."""
    from . import service

    svc = service.KpiService.from_settings(settings)
    try:
        as_of = parse_period(args.as_of) if args.as_of else None
    except ValueError as exc:
        print(f"kpi-dashboard: --as-of: {exc}", file=sys.stderr)
        return 2
    try:
        frame = svc.kpi_frame(args.unit or cat.CITY_CODE, as_of)
    except service.UnknownUnit as exc:
        print(f"kpi-dashboard: {exc}", file=sys.stderr)
        return 2
    if svc.state()["demo"]:
        print("# 演示数据 / demo data", file=sys.stderr)
    if args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif args.format == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        print(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        print(frame.to_string(index=False, na_rep="—"))
    return 0


def cmd_brief(settings: Settings, args) -> int:
    """Write briefs for cron: each unit's PNGs and CSV; the others still written if one fails (exit 1)."""
    from . import briefs, render, service

    svc = service.KpiService.from_settings(settings)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not formats or set(formats) - set(briefs.FORMATS):
        print(f"kpi-dashboard: --format: choose from {','.join(briefs.FORMATS)}", file=sys.stderr)
        return 2
    try:
        as_of = parse_period(args.as_of) if args.as_of else None
        codes = briefs.resolve_unit(svc, args.unit)
    except (ValueError, service.UnknownUnit) as exc:
        print(f"kpi-dashboard: {exc}", file=sys.stderr)
        return 2
    if svc.resolve_period(as_of) is None:
        print("kpi-dashboard: no data yet: the database holds no reports", file=sys.stderr)
        return 1
    renderer = render.shared_renderer() if "png" in formats else None
    try:
        if renderer:
            renderer.start()  # once for the run: every image after this takes a fraction of a second
    except render.RenderUnavailable as exc:
        print(f"kpi-dashboard: {exc} (apt-get install chromium fonts-noto-cjk)", file=sys.stderr)
        return 1
    failed = []
    for done, code in enumerate(codes):
        name = svc.unit(code).name
        _progress(done, len(codes), name)
        try:
            data = briefs.build(svc, code, as_of, args.lang)
            written = briefs.write(args.out, briefs.files(data, renderer, formats))
        except Exception as exc:  # noqa: BLE001  one unit's failure must not stop the other briefs
            failed.append(code)
            print(f"\nkpi-dashboard: brief of {code} {name} failed: {exc!r}", file=sys.stderr)
            continue
        if len(codes) == 1:
            print("\n".join(str(p) for p in written))
    _progress(len(codes), len(codes), "")
    print(f"{len(codes) - len(failed)} of {len(codes)} briefs written to {args.out}"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _progress(done: int, total: int, label: str) -> None:
    """A progress bar on stderr (redrawn in place on a terminal, one line per step in a log)."""
    if total < 2:
        return
    bar = "#" * (20 * done // total) + "-" * (20 - 20 * done // total)
    line = f"[{bar}] {done}/{total} {label}"
    if sys.stderr.isatty():
        print("\r" + line.ljust(60), end="" if done < total else "\n", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def cmd_serve(settings: Settings, args) -> int:
    """Run Dash's development server (production uses gunicorn; see README)."""
    from .app import create_app

    app = create_app(settings)
    # Offline intranet: the dev tools must not look for a newer Dash on plotly.com (the CSP blocks it anyway).
    app.run(host=args.host, port=args.port, debug=settings.debug, dev_tools_disable_version_check=True)
    return 0


def os_login() -> str:
    """The operating-system user, for the submission record."""
    try:
        return getpass.getuser()
    except OSError:
        return "unknown"
