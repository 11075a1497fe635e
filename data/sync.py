"""Write the catalogue, the unit list and the targets into the reporting database."""
from __future__ import annotations

import sqlalchemy as sa

from . import schema
from .catalogue import CITY_CODE, Indicator, Unit

ALLOCATE_SOURCE = "按{period}各镇街60周岁以上老年人口占比分解市级目标(假设)。市级目标原文:{source}"
ELDERS_INDICATOR = "elderly_beds_per_1000"  # its denominator is the residents aged 60+


def sync_units(conn: sa.Connection, units: tuple[Unit, ...]) -> None:
    """Replace the unit list (units are reference data; observations keep their codes)."""
    conn.execute(schema.units.delete())
    conn.execute(schema.units.insert(), [
        {"code": u.code, "name": u.name, "kind": u.kind, "subkind": u.subkind,
         "parent_code": u.parent_code, "valid_from": u.valid_from, "valid_to": u.valid_to}
        for u in units])


def sync_catalogue(conn: sa.Connection, catalogue: tuple[Indicator, ...], units: tuple[Unit, ...]) -> None:
    """Replace indicators and targets with the catalogue's, allocating shares where asked."""
    conn.execute(schema.targets.delete())
    existing = {r.code for r in conn.execute(sa.select(schema.indicators.c.code))}
    for ind in catalogue:
        row = {"name_zh": ind.name_zh, "name_en": ind.name_en, "unit_zh": ind.unit_zh,
               "unit_en": ind.unit_en, "category": ind.category, "direction": ind.direction,
               "aggregation": ind.aggregation, "measure": ind.measure, "scale": ind.scale,
               "level": ind.level, "sort_order": ind.sort_order}
        if ind.code in existing:
            conn.execute(schema.indicators.update().where(schema.indicators.c.code == ind.code).values(**row))
        else:
            conn.execute(schema.indicators.insert().values(code=ind.code, **row))
    rows = [r for ind in catalogue for r in _target_rows(conn, ind, units)]
    if rows:
        conn.execute(schema.targets.insert(), rows)


def _target_rows(conn: sa.Connection, ind: Indicator, units: tuple[Unit, ...]) -> list[dict]:
    """The targets table rows for one indicator."""
    rows = []
    townships = [u.code for u in units if u.kind == "township"]
    for t in ind.targets:
        base = {"indicator_code": ind.code, "kind": t.kind, "value": t.value, "target_period": t.date,
                "start_period": t.start, "baseline_value": ind.baseline,
                "baseline_period": ind.baseline_period, "source": t.source,
                "is_assumption": t.assumption, "note": t.note}
        if t.scope == "city":
            rows.append({**base, "unit_code": CITY_CODE})
        elif t.scope == "each_unit":
            rows.append({**base, "unit_code": None})
        else:
            rows += [{**base, "unit_code": code} for code in townships]
        for code, value in t.per_unit:
            rows.append({**base, "unit_code": code, "value": value})
        if t.allocate == "elders_share":
            rows += _allocated(conn, base, t, townships)
    return rows


def _allocated(conn: sa.Connection, base: dict, target, townships: list[str]) -> list[dict]:
    """Township shares of a city count target by their residents aged 60+ (an assumption)."""
    obs = schema.observations.c
    latest = conn.execute(sa.select(sa.func.max(obs.period)).where(
        obs.indicator_code == ELDERS_INDICATOR, obs.period <= target.date)).scalar()
    if latest is None:
        return []
    period = "2020-08" if latest >= "2020-08" else latest  # the article's reference month
    elders = dict(conn.execute(sa.select(obs.unit_code, obs.denominator).where(
        obs.indicator_code == ELDERS_INDICATOR, obs.period == period,
        obs.unit_code.in_(townships))).all())
    total = sum(v for v in elders.values() if v)
    if not total or len(elders) < len(townships):
        return []
    source = ALLOCATE_SOURCE.format(period=period, source=target.source)
    return [{**base, "unit_code": code, "value": round(target.value * elders[code] / total, 2),
             "source": source, "is_assumption": True,
             "note": "Township share of a city-wide target, allocated by residents aged 60+."}
            for code in townships]
