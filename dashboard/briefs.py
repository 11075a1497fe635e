"""One-page briefs of a unit and month: the data, the files (PNG 16:9 and A4, CSV), a zip, a folder.

The numbers come from the service only: the CSV is `service.kpi_frame(unit, month)`, which is what
`kpi-dashboard kpis` prints, and the cards in the picture are the same rows. The charts are the
dashboard's own (callbacks.charts), so a brief shows what the page shows.
"""
from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from . import exports, figures, i18n
from .callbacks import charts
from .data.catalogue import CITY_CODE, Unit
from .service import KpiService

# (suffix, CSS width, CSS height, scale): a 1920×1080 slide, and A4 landscape at 300 dpi
# (297 × 210 mm = 3508 × 2480 px), laid out at 1754 × 1240 and rendered at twice the pixels.
SIZES = {"16x9": (1920, 1080, 1), "A4": (1754, 1240, 2)}
FORMATS = ("png", "csv")
RANKED_VILLAGES = 12  # a township's brief ranks the villages furthest behind, not all ~40


class NoData(LookupError):
    """Nothing to brief: the database holds no reports."""


@dataclasses.dataclass(frozen=True)
class BriefData:
    """Everything one brief shows: the unit, the month, the engine's rows and the key charts."""

    unit: Unit
    period: str
    lang: str
    demo: bool
    frame: pd.DataFrame          # service.kpi_frame(unit, period): the CSV, and the cards
    kpis: tuple                  # the engine's Kpi per row of frame (status, target kind ...)
    indicator: str               # the indicator of the trend chart
    trend: go.Figure
    ranking: go.Figure | None    # the sub-units, when the unit has any
    indicators: dict             # code -> catalogue Indicator
    starts: dict                 # code -> start month of a cumulative target (the cards' "since ...")

    @property
    def unit_name(self) -> str:
        """The unit's name in the brief's language."""
        return i18n.unit_name(self.unit.code, self.unit.name, self.unit.kind, self.lang)

    def stem(self) -> str:
        """'简报_佛堂镇_2022-06': the file name of the brief without suffix, safe whatever the name holds."""
        return exports.file_stem(i18n.t("brief_file", self.lang), self.unit.name, self.period)


def resolve_unit(service: KpiService, unit: str) -> list[str]:
    """--unit: a code, 'city', or 'all' (the city and every township)."""
    if unit == "city":
        return [CITY_CODE]
    if unit == "all":
        return [CITY_CODE, *(u.code for u in service.children(CITY_CODE))]
    service.unit(unit)  # UnknownUnit if there is none
    return [unit]


def build(service: KpiService, unit_code: str, as_of: str | None = None, lang: str = "zh",
          indicator: str | None = None) -> BriefData:
    """A brief's data for a unit and month (the latest with data by default)."""
    state = service.state()
    period = service.resolve_period(as_of, state)
    if period is None:
        raise NoData("no data yet: the database holds no reports")
    unit = service.unit(unit_code)
    lang = i18n.lang_or_default(lang)
    kpis = service.kpis(unit_code, period)
    frame = service.kpi_frame(unit_code, period)
    applicable = [i.code for i in service.applicable(unit)]
    indicator = indicator if indicator in applicable else applicable[0]
    trend = charts.trend_figure(service, unit_code, indicator, period, lang, height=400)
    starts = {}
    for k in kpis:
        row = service.target_for(k.indicator, unit_code, period) if k.target_kind == "cumulative" else None
        starts[k.indicator] = row.start_period if row else None
    return BriefData(unit, period, lang, bool(state["demo"]), frame, tuple(kpis), indicator, trend,
                     ranking_figure(service, unit, indicator, period, lang), service.indicators, starts)


def ranking_figure(service: KpiService, unit: Unit, indicator: str, period: str, lang: str) -> go.Figure | None:
    """The sub-units ranked by progress (the page's ranking); a township's brief shows the furthest behind."""
    child_ind, _ = charts.child_indicator(service, unit, indicator)
    if child_ind is None or unit.kind not in charts.CHILD_KIND:
        return None
    rows = [r for r, _ in charts.ranked_rows(service, unit, child_ind, period, lang)]
    name = child_ind.name(lang)
    if unit.kind == "city":
        title = i18n.t("ranking_title_townships", lang, name=name)
    else:
        rows = sorted(rows, key=lambda r: (i18n.is_missing(r.progress), r.progress if not
                                           i18n.is_missing(r.progress) else 0))[:RANKED_VILLAGES]
        title = i18n.t("brief_lowest", lang, n=len(rows), name=name)
    return figures.ranking(rows, title=title, lang=lang)


def csv_of(data: BriefData) -> bytes:
    """The brief's CSV: every KPI row it shows, as `kpi-dashboard kpis` prints it, for Excel/WPS."""
    return exports.csv_bytes(data.frame)


def files(data: BriefData, renderer=None, formats=FORMATS) -> dict[str, bytes]:
    """file name -> bytes: '<stem>_16x9.png', '<stem>_A4.png' and '<stem>.csv' as asked."""
    from . import brief_figure

    stem = data.stem()
    out: dict[str, bytes] = {}
    if "png" in formats:
        from .render import shared_renderer

        jobs = [(brief_figure.compose(data, width, height), width, height, scale)
                for width, height, scale in SIZES.values()]
        for suffix, png in zip(SIZES, (renderer or shared_renderer()).pngs(jobs)):
            out[f"{stem}_{suffix}.png"] = png
    if "csv" in formats:
        out[f"{stem}.csv"] = csv_of(data)
    return out


def zip_bytes(named: dict[str, bytes]) -> bytes:
    """The files as one zip (UTF-8 names: Windows' and WPS's unzip read them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in named.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write(folder: Path, named: dict[str, bytes]) -> list[Path]:
    """Write the files into folder (created if needed); a name can never land outside it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in named.items():
        path = exports.inside(folder, name)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(content)
        tmp.replace(path)  # a cron reader never sees half a file
        written.append(path)
    return written
