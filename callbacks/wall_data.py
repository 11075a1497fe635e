"""What the wall shows, from the service: every panel of every unit in the rotation, as plain data.

wall_data() is what the refresh callback sends to the browser: for each unit (the city, a township,
or the city and then every township) its panels in the order asked for, each with a kind, a title,
its content (components) and, for trends, a figure. The numbers are the engine's (service.kpis,
service.series), so they equal `kpi-dashboard kpis` for the same unit and month.
"""
from __future__ import annotations

import math

from dashboard import i18n, wall_figures
from dashboard.data.catalogue import CITY_CODE, Indicator, Unit
from dashboard.figures import Series
from dashboard.layouts import cards as card_layout
from dashboard.layouts import wall_panels as panels
from dashboard.service import LEVEL_RANK, KpiService
from dashboard.wallstate import WallOptions

from .charts import fmt_for, target_of
from .common import find_unit, unit_label, window_start

TREND_MONTHS = 24  # months of history on a wall chart: two years read well from across a room
BODY_SHARE = 0.026  # body text is 2.6 % of a 16:9 screen's height: 28 px at 1080, 56 px at 2160
GOOD = ("achieved", "on_track")


def font_px(viewport: dict | None) -> int:
    """Chart text size for a window: the CSS body size (2.6 of the 16:9 height unit), 28 px at 1920×1080."""
    width, height = (viewport or {}).get("w") or 1920, (viewport or {}).get("h") or 1080
    return max(12, round(min(height, width * 9 / 16) * BODY_SHARE))


def wall_data(service: KpiService, options: WallOptions, size: int) -> dict:
    """Every panel of every unit the wall rotates through, for the as-of month."""
    state = service.state()
    periods = service.periods(state)
    month = options.month if options.month in periods else state["latest_period"]
    lang = options.lang
    townships = service.children(CITY_CODE, month)
    units = rotation(service, options, townships)
    # The league table and the townships' reports are the same on every unit's panels: computed once.
    league = league_rows(service, townships, month, lang) if month and "league" in options.panels else None
    town_reports = ([reports(service, t, month, lang) for t in townships]
                    if month and "completeness" in options.panels and units[0].kind == "city" else None)
    units = [unit_entry(service, unit, month, options, size, league, town_reports) for unit in units]
    return {"as_of": month, "as_of_text": i18n.t("wall_as_of", lang, month=i18n.fmt_month(month, lang)),
            "demo": bool(state["demo"]), "units": units}


def rotation(service: KpiService, options: WallOptions, townships: list[Unit]) -> list[Unit]:
    """The units shown: the city then every township, or the one asked for (the city if unknown)."""
    city = service.unit(CITY_CODE)
    if options.all_units:
        return [city, *townships]
    unit = find_unit(service, options.unit)
    return [unit if unit is not None and unit.kind in ("city", "township") else city]


def unit_entry(service, unit: Unit, month: str | None, options: WallOptions, size: int,
               league: tuple[list[Indicator], list[panels.LeagueRow]] | None,
               town_reports: list[panels.Reports] | None) -> dict:
    """One unit's name and panels; league and town_reports are shared by every unit of the rotation."""
    lang = options.lang
    entry = {"code": unit.code, "name": unit_label(unit, lang), "panels": []}
    if month is None:
        entry["panels"].append({"kind": "message", "title": i18n.t("headline", lang),
                                "content": panels.message(i18n.t("no_data_yet", lang))})
        return entry
    heads = headlines(service, unit, month, lang)
    for kind in options.panels:
        if kind == "tiles":
            entry["panels"].append({"kind": "tiles", "title": i18n.t("headline", lang),
                                    "content": panels.tiles(heads, lang)})
        elif kind == "trends":
            entry["panels"] += [trend_panel(service, unit, h, month, lang, size) for h in heads]
        elif kind == "league":
            entry["panels"].append({"kind": "league", "title": i18n.t("wall_league", lang),
                                    "content": panels.league(*league, unit.code, lang)})
        elif kind == "completeness":
            entry["panels"].append(completeness_panel(service, unit, month, lang, town_reports))
    return entry


def headlines(service, unit: Unit, month: str, lang: str) -> list[panels.Headline]:
    """The unit's headline indicators, in catalogue order, with the engine's verdicts."""
    verdicts = {k.indicator: k for k in service.kpis(unit.code, month)}
    out = []
    for ind in sorted((i for i in service.applicable(unit) if i.headline), key=lambda i: i.headline):
        k = verdicts[ind.code]
        target = service.target_for(ind.code, unit.code, month) if k.target_kind == "cumulative" else None
        card = card_layout.CardData(ind, k, None, target.start_period if target else None)
        out.append(panels.Headline(ind, k, card_layout.basis(card, lang)))
    return out


def trend_panel(service, unit: Unit, h: panels.Headline, month: str, lang: str, size: int) -> dict:
    """One headline indicator's trend against its target, with its key figures beside it."""
    ind, k = h.indicator, h.kpi
    rows = service.series(unit.code, ind.code, month, start=window_start(service, month, TREND_MONTHS))
    actual = Series(i18n.t("actual", lang), tuple(p for p, _, _ in rows), tuple(v for _, v, _ in rows),
                    tuple(part for _, _, part in rows))
    target = target_of(ind, k, service.target_for(ind.code, unit.code, month), actual.periods[0])
    projection = None
    if not i18n.is_missing(k.projected) and k.target_date and k.target_date > month and not math.isnan(k.value):
        projection = ((month, k.value), (k.target_date, k.projected))
    figure = wall_figures.trend(actual, fmt=fmt_for(ind, k.target_kind, lang), lang=lang, font_px=size,
                                axis_title="%" if k.target_kind == "growth" else ind.unit_label(lang),
                                target=target, projection=projection, as_of=month)
    return {"kind": "trend", "title": i18n.t("trend_title", lang, name=ind.name(lang)),
            "content": panels.trend_side(h, lang), "figure": figure}


def league_indicators(service) -> list[Indicator]:
    """The headline indicators a township has figures for (city-only ones have no township breakdown)."""
    return sorted((i for i in service.catalogue if i.headline and LEVEL_RANK[i.level] <= LEVEL_RANK["township"]),
                  key=lambda i: i.headline)


def league_rows(service, townships: list[Unit], month: str, lang: str) -> tuple[list[Indicator], list]:
    """The townships ranked by headline indicators achieved or on track, then by mean progress."""
    inds = league_indicators(service)
    scored = []
    for town in townships:
        verdicts = {k.indicator: k for k in service.kpis(town.code, month)}
        kpis = tuple(verdicts.get(i.code) for i in inds)
        judged = [k for k in kpis if k is not None and k.status != "no_data"]
        progress = [k.progress for k in judged if not i18n.is_missing(k.progress)]
        good = sum(1 for k in judged if k.status in GOOD)
        mean = sum(progress) / len(progress) if progress else -1.0
        scored.append((good, mean, town, kpis, len(judged)))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2].code))
    rows = [panels.LeagueRow(rank, town.code, town_name(town, lang), kpis, good, judged)
            for rank, (good, _, town, kpis, judged) in enumerate(scored, start=1)]
    return inds, rows


def town_name(town: Unit, lang: str) -> str:
    """佛堂镇, or Fotang in English: a township's name where space is tight."""
    return i18n.TOWNSHIP_EN.get(town.code, town.name) if lang == "en" else town.name


def village_name(name: str) -> str:
    """大成社区居委会 -> 大成社区, 塔下村村民委员会 -> 塔下村: the committee suffix says nothing on a wall."""
    for suffix, keep in (("居民委员会", ""), ("村民委员会", "村"), ("居委会", ""), ("村委会", "村")):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)] + ("" if name[: -len(suffix)].endswith(keep) else keep)
    return name


def reports(service, town: Unit, month: str, lang: str) -> panels.Reports:
    """Which of a township's own monthly items came in, and how many of its villages reported."""
    months = service.months(town.code, month, start=month)
    own = [i for i in service.applicable(town) if i.level == "township"]
    items = sum(1 for i in own if any(m.period == month and m.reported for m in months.get(i.code, [])))
    village_inds = [i for i in service.applicable(town) if i.level == "village"]
    villages = expected = 0
    for ind in village_inds:  # the catalogue has one: the visit rate
        expected += service.expected(town, "village", month)
        villages += sum(m.reported for m in months.get(ind.code, []) if m.period == month)
    return panels.Reports(town.code, town_name(town, lang), items, len(own), villages, expected)


def completeness_panel(service, unit: Unit, month: str, lang: str, town_reports: list[panels.Reports] | None) -> dict:
    """Reporting completeness for the month: every township (city), or one township and its villages."""
    title = i18n.t("wall_completeness", lang, month=i18n.fmt_month(month, lang))
    if unit.kind == "city":
        return {"kind": "completeness", "title": title, "content": panels.completeness_city(town_reports, lang)}
    villages: dict[str, tuple[str, bool]] = {}  # code -> (name, reported every village-level indicator)
    for ind in (i for i in service.applicable(unit) if i.level == "village"):
        for child in service.children_kpis(unit.code, ind.code, month):
            before = villages.get(child.unit.code, (village_name(child.unit.name), True))
            villages[child.unit.code] = (before[0], before[1] and child.kpi.reported_units > 0)
    return {"kind": "completeness", "title": title,
            "content": panels.completeness_township(reports(service, unit, month, lang), list(villages.values()), lang)}
