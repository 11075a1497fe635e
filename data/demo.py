"""Deterministic demo data: monthly 2019-01..2022-12 on the real unit codes, anchored on the article.

City figures for Aug 2020 reproduce the article: 169,000 residents aged 60+, 6,818 institutional
beds, charity index 81.02, 464 villages/communities with a home-care station (86.1%), meal help
covering 96%, 8 model home-care centres, a dibao standard of 10,800 yuan a year. The article's own
40.9 beds per thousand does not follow from its two counts (6,818 / 169,000 x 1000 = 40.3); the
demo keeps the counts. Townships differ on purpose (some ahead, some behind), a few reports are
missing, a few are revised, and the latest month is not complete yet.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import random

import sqlalchemy as sa

from . import meta, rollups, schema, sync
from .catalogue import CITY_CODE, Indicator, Unit
from .periods import add_months, month_range, months_between

FIRST, LAST, ANCHOR = "2019-01", "2022-12", "2020-08"
DEMO_BUILD = "3"  # bump when the generator changes, so existing demo databases are rebuilt
SYNTHETIC_PREFIX = "3307829"  # codes no real unit uses (township segment 9xx): scale > 1 only
# Reports that never came (township-level), as (period, township codes).
MISSING_TOWNSHIP_REPORTS = {
    "2020-02": {"330782101000", "330782104000", "330782106000"},  # Spring Festival / epidemic
    "2021-03": {"330782101000"},
    "2022-12": {"330782106000"},  # 大陈镇 has not reported December yet
}
LATE_VILLAGES_LAST_MONTH = 12  # villages that have not reported the latest month yet
CHUNK = 20_000


class DemoRefused(RuntimeError):
    """The database holds real submissions; demo data would mix with them."""


def build(engine: sa.Engine, catalogue: tuple[Indicator, ...], units: tuple[Unit, ...], scale: int = 1,
          force: bool = False) -> dict:
    """(Re)build the demo data set in one transaction; skip if the same build is already there."""
    all_units = units + synthetic_villages(units, scale)
    with engine.begin() as conn:
        signature = f"{DEMO_BUILD}:{scale}"
        # The same demo is there already: leave it, with any file someone tried out on /data.
        if not force and meta.get(conn, meta.DEMO) == "true" and meta.get(conn, "demo_build") == signature:
            sync.sync_catalogue(conn, catalogue, all_units)  # pick up edits to the catalogue file
            meta.bump_data_version(conn)
            return _stats(conn, all_units, scale, skipped=True)
        real = conn.execute(sa.select(sa.func.count()).select_from(schema.submissions)
                            .where(schema.submissions.c.kind != "demo")).scalar()
        if real:
            raise DemoRefused(f"the database holds {real} real submission(s); refusing to mix demo data in")
        for table in (schema.rollups, schema.observation_history, schema.observations, schema.submissions,
                      schema.targets):
            conn.execute(table.delete())
        sync.sync_units(conn, all_units)
        sync.sync_catalogue(conn, catalogue, all_units)  # indicators first (foreign keys)
        _write(conn, Generator(all_units).observations(catalogue))
        rollups.refresh(conn)
        sync.sync_catalogue(conn, catalogue, all_units)  # again: township shares need the elders
        meta.put(conn, meta.DEMO, "true")
        meta.put(conn, "demo_build", signature)
        meta.put(conn, meta.DEMO_SCALE, str(scale))
        meta.bump_data_version(conn)
        stats = _stats(conn, all_units, scale, skipped=False)
    if engine.dialect.name == "postgresql":  # planner statistics for the freshly loaded tables
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    return stats


def synthetic_villages(units: tuple[Unit, ...], scale: int) -> tuple[Unit, ...]:
    """(scale - 1) extra villages per real village, under the same township, for benchmarks."""
    if scale <= 1:
        return ()
    extra, n = [], 0
    for unit in units:
        if unit.kind != "village" or unit.valid_to is not None:
            continue
        for _ in range(scale - 1):
            n += 1
            extra.append(Unit(f"{SYNTHETIC_PREFIX}{n:05d}", f"演示扩展村{n:05d}", "village", unit.parent_code, "村"))
    return tuple(extra)


def _stats(conn, units, scale, skipped) -> dict:
    count = conn.execute(sa.select(sa.func.count()).select_from(schema.observations)).scalar()
    return {"observations": count, "units": len(units), "first_period": FIRST, "last_period": LAST,
            "scale": scale, "skipped": skipped}


def _write(conn: sa.Connection, generated) -> None:
    """Insert submissions (for their ids), current observations and superseded revisions."""
    subs, rows, history = generated
    ids = {}
    for sub in subs:
        values = {k: v for k, v in sub.items() if k != "_key"}
        ids[sub["_key"]] = conn.execute(schema.submissions.insert().values(**values)).inserted_primary_key[0]
    for i in range(0, len(rows), CHUNK):
        conn.execute(schema.observations.insert(), [_resolve(r, ids) for r in rows[i:i + CHUNK]])
    if history:
        conn.execute(schema.observation_history.insert(), [_resolve(r, ids) for r in history])


def _resolve(row: dict, ids: dict) -> dict:
    """Replace the generator's submission keys with database ids."""
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    out["submission_id"] = ids[row["_sub"]]
    if "_superseded_by" in row:
        out["superseded_by"] = ids[row["_superseded_by"]]
    return out


def _unit_rng(*parts) -> random.Random:
    """A generator seeded by names, so output does not depend on iteration order."""
    return random.Random(":".join(str(p) for p in parts))


def _hash01(*parts) -> float:
    """A deterministic number in [0, 1) from names."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def _largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    """Integers proportional to weights that add up to total exactly."""
    s = sum(weights.values())
    raw = {k: w / s * total for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[: total - sum(out.values())]:
        out[k] += 1
    return out


def _ramp(period: str, start: float, end: float, first: str = FIRST, last: str = LAST) -> float:
    """Linear interpolation from start (at first) to end (at last)."""
    span = months_between(first, last)
    return start + (end - start) * months_between(first, period) / span


def _loaded_at(period: str, township: str) -> dt.datetime:
    """When the township's report for a month arrived: usually by the 10th, sometimes late."""
    nxt = add_months(period, 1)
    day = 3 + int(_hash01("day", period, township) * 7)
    if _hash01("late", period, township) < 0.08:
        day = 12 + int(_hash01("lateday", period, township) * 12)
    hour = 9 + int(_hash01("hour", period, township) * 8)
    return dt.datetime(int(nxt[:4]), int(nxt[5:]), day, hour, 30)


from .demo_series import Generator  # noqa: E402  (the series live in their own module)
