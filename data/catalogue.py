"""The indicator catalogue (data/indicators.toml) and the official unit lists, as plain values."""
from __future__ import annotations

import csv
import dataclasses
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
CATALOGUE_FILE = HERE / "indicators.toml"
DIVISIONS = HERE / "divisions"
CITY_CODE = "330782000000"
CITY_NAME = "义乌市"

CATEGORIES = ("救助", "养老", "社会服务", "基层治理", "慈善")
AGGREGATIONS = ("stock", "flow", "ratio", "city_only")
MEASURES = ("count", "score", "rate", "ratio")
LEVELS = ("village", "township", "city")
TARGET_KINDS = ("level", "annual", "cumulative", "growth")
SCOPES = ("city", "each_unit", "each_township")
# Each vintage of the official codes is taken to apply from January of its year (the 2021
# vintage is not public), so the 2020 list covers 2019-01..2021-12.
VINTAGES = (("2020", None), ("2022", "2022-01"), ("2023", "2023-01"))


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the file and the indicator."""


@dataclasses.dataclass(frozen=True)
class Target:
    """One target an indicator is judged against."""

    kind: str
    scope: str
    value: float
    date: str
    source: str
    assumption: bool
    start: str | None = None
    note: str | None = None
    per_unit: tuple[tuple[str, float], ...] = ()
    allocate: str | None = None


@dataclasses.dataclass(frozen=True)
class Indicator:
    """One KPI of the catalogue."""

    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    category: str
    direction: str
    aggregation: str
    measure: str
    level: str
    sort_order: int
    scale: float | None = None
    integer: bool = False
    headline: int | None = None
    numerator_zh: str | None = None
    numerator_en: str | None = None
    denominator_zh: str | None = None
    denominator_en: str | None = None
    baseline: float | None = None
    baseline_period: str | None = None
    baseline_source: str | None = None
    targets: tuple[Target, ...] = ()

    @property
    def has_fraction(self) -> bool:
        """Rates and ratios are reported as numerator and denominator."""
        return self.measure in ("rate", "ratio")

    def name(self, lang: str) -> str:
        """The display name in a language."""
        return self.name_en if lang == "en" else self.name_zh

    def unit_label(self, lang: str) -> str:
        """The unit of measure in a language."""
        return self.unit_en if lang == "en" else self.unit_zh


@dataclasses.dataclass(frozen=True)
class Unit:
    """An administrative unit: the city, a township or a village/community."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    subkind: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None

    def valid_in(self, period: str) -> bool:
        """Whether the unit existed in a month (validity bounds are inclusive)."""
        return (self.valid_from is None or period >= self.valid_from) and (
            self.valid_to is None or period <= self.valid_to)


def load_catalogue(path: Path = CATALOGUE_FILE) -> tuple[Indicator, ...]:
    """Parse and check the catalogue; raises CatalogueError naming the file and indicator."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    items = raw.get("indicator") or []
    if not items:
        raise CatalogueError(f"{path}: no [[indicator]] blocks")
    seen: set[str] = set()
    result = []
    for order, item in enumerate(items, start=1):
        ind = _indicator(path, order, dict(item))
        if ind.code in seen:
            raise CatalogueError(f"{path}: indicator {ind.code!r} is defined twice")
        seen.add(ind.code)
        result.append(ind)
    return tuple(sorted(result, key=lambda i: (i.headline or 99, i.sort_order)))


def _indicator(path: Path, order: int, item: dict) -> Indicator:
    """Build and check one indicator block."""
    where = f"{path}: indicator #{order} ({item.get('code', '?')})"
    target_items = item.pop("target", [])
    fields = {f.name for f in dataclasses.fields(Indicator)} - {"sort_order", "targets"}
    unknown = set(item) - fields
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {sorted(unknown)}")
    try:
        ind = Indicator(sort_order=order, **item)
    except TypeError as exc:
        raise CatalogueError(f"{where}: {exc}") from None
    _check_choice(where, "category", ind.category, CATEGORIES)
    _check_choice(where, "direction", ind.direction, ("higher", "lower"))
    _check_choice(where, "aggregation", ind.aggregation, AGGREGATIONS)
    _check_choice(where, "measure", ind.measure, MEASURES)
    _check_choice(where, "level", ind.level, LEVELS)
    if ind.has_fraction and not ind.scale:
        raise CatalogueError(f"{where}: a {ind.measure} needs a scale (100 for a percentage)")
    if ind.aggregation == "city_only" and ind.level != "city":
        raise CatalogueError(f"{where}: city_only indicators are reported at level 'city'")
    targets = tuple(_target(where, dict(t)) for t in target_items)
    return dataclasses.replace(ind, targets=targets)


def _target(where: str, item: dict) -> Target:
    """Build and check one target block."""
    per_unit = tuple((str(k), float(v)) for k, v in (item.pop("per_unit", None) or {}).items())
    fields = {f.name for f in dataclasses.fields(Target)} - {"per_unit"}
    unknown = set(item) - fields
    if unknown:
        raise CatalogueError(f"{where}: target has unknown field(s) {sorted(unknown)}")
    try:
        target = Target(per_unit=per_unit, **item)
    except TypeError as exc:
        raise CatalogueError(f"{where}: target: {exc}") from None
    _check_choice(where, "target kind", target.kind, TARGET_KINDS)
    _check_choice(where, "target scope", target.scope, SCOPES)
    if not target.source.strip():
        raise CatalogueError(f"{where}: every target needs a source")
    if target.kind in ("annual", "cumulative", "growth") and not target.start:
        raise CatalogueError(f"{where}: a {target.kind} target needs a start month")
    return dataclasses.replace(target, value=float(target.value))


def _check_choice(where: str, what: str, value, allowed) -> None:
    """Raise CatalogueError unless value is one of allowed."""
    if value not in allowed:
        raise CatalogueError(f"{where}: {what} {value!r} is not one of {', '.join(allowed)}")


def load_units(divisions: Path = DIVISIONS) -> tuple[Unit, ...]:
    """The city, its townships and every vintage's villages, with validity periods."""
    units = [Unit(CITY_CODE, CITY_NAME, "city", None)]
    with open(divisions / "townships.csv", encoding="utf-8") as fh:
        units += [Unit(r["code"], r["name"], "township", CITY_CODE, r["kind"]) for r in csv.DictReader(fh)]
    vintages = []
    for year, start in VINTAGES:
        with open(divisions / f"villages_{year}.csv", encoding="utf-8") as fh:
            vintages.append((start, {r["code"]: r for r in csv.DictReader(fh)}))
    first_seen: dict[str, str | None] = {}
    last_seen: dict[str, int] = {}
    rows: dict[str, dict] = {}
    for idx, (start, rows_of_year) in enumerate(vintages):
        for code, row in rows_of_year.items():
            first_seen.setdefault(code, start)
            last_seen[code] = idx
            rows[code] = row
    for code in sorted(rows):
        row = rows[code]
        idx = last_seen[code]
        valid_to = None if idx == len(vintages) - 1 else _month_before(vintages[idx + 1][0])
        subkind = "社区" if "社区" in row["name"] else "村"
        units.append(Unit(code, row["name"], "village", row["township_code"], subkind,
                          first_seen[code], valid_to))
    return tuple(units)


def _month_before(period: str) -> str:
    """The month before a 'YYYY-MM' period."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
