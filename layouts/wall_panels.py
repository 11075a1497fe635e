"""The wall's panels, built from values: headline tiles, a trend's key figures, the township league
table and reporting completeness.

Every number goes through i18n's formatters, the ones the cards and `kpi-dashboard kpis` agree
with; elements showing an engine number carry data-kpi / data-field so tests can read them. A
status is always colour, icon and word. Sizes live in assets/wall.css, in viewport units.
"""
from __future__ import annotations

import dataclasses
import math

from dash import html

from dashboard import i18n, theme
from dashboard.data.catalogue import Indicator
from dashboard.engine import Kpi

MAX_COLUMNS = 10  # village grid of a township: up to 61 villages in 10 columns at 28 px
REPORT_STATUS = {"complete": "achieved", "partly": "at_risk", "missing": "off_track"}
REPORT_WORD = {"complete": "wall_reported", "partly": "wall_partly", "missing": "wall_not_reported"}


@dataclasses.dataclass(frozen=True)
class Headline:
    """One headline indicator of a unit: the catalogue entry, the engine's verdict, what the value is."""

    indicator: Indicator
    kpi: Kpi
    basis: str


@dataclasses.dataclass(frozen=True)
class LeagueRow:
    """One township in the league table, its verdicts in the table's indicator order."""

    rank: int
    code: str
    name: str
    kpis: tuple[Kpi | None, ...]
    on_target: int
    judged: int


@dataclasses.dataclass(frozen=True)
class Reports:
    """Who reported in one month: a township's own report items, and its villages' reports."""

    code: str
    name: str
    items: int
    items_expected: int
    villages: int
    villages_expected: int

    @property
    def status(self) -> str:
        """complete, partly or missing: the township's own monthly report."""
        if self.items_expected and self.items >= self.items_expected:
            return "complete"
        return "partly" if self.items else "missing"


def message(text: str) -> html.Div:
    """A panel that only says something (connecting, no data)."""
    return html.Div(text, className="wall-message")


def _field(code: str, field: str, text: str, className: str, tag=html.Div) -> html.Div:
    """A text element that tests can find by indicator and field."""
    return tag(text, className=className, **{"data-kpi": code, "data-field": field})


def pill(status: str, text: str, **attrs) -> html.Span:
    """A status as colour, icon and word (text carries the icon)."""
    return html.Span(text, className="wall-pill", **attrs, style={
        "background": theme.status_color(status), "color": theme.STATUS_TEXT.get(status, "#000000")})


def status_pill(k: Kpi, lang: str) -> html.Span:
    """The engine's status of a KPI."""
    return pill(k.status, i18n.status_label(k.status, lang), **{"data-kpi": k.indicator, "data-field": "status"})


def ring(k: Kpi) -> html.Div:
    """Progress towards the target as a ring (full at 100 %), the percentage inside."""
    share = 0.0 if i18n.is_missing(k.progress) else max(0.0, min(1.0, k.progress))
    colour = theme.status_color(k.status)
    return html.Div(className="wall-ring",
                    style={"background": f"conic-gradient({colour} {share * 100:.1f}%, {theme.WALL_GRID} 0)"},
                    children=html.Div(className="wall-ring-hole", children=_field(
                        k.indicator, "progress", i18n.fmt_percent(k.progress), "wall-ring-text")))


def _target(h: Headline, lang: str) -> list:
    """Target and date, and a visible 'assumed' mark (no hover on a wall)."""
    ind, k = h.indicator, h.kpi
    if i18n.is_missing(k.target):
        return [] if i18n.is_missing(k.value) else [html.Div(i18n.t("no_target", lang), className="wall-muted")]
    out = [_field(ind.code, "target", _target_text(h, lang), "wall-target")]
    if k.target_is_assumption:
        out.append(html.Div(i18n.t("wall_target_assumed", lang), className="wall-chip"))
    return out


def _target_text(h: Headline, lang: str) -> list:
    """'目标 42.0张/千人' and '(2022年12月)' as two pieces, so a line breaks between them, not in the date."""
    k = h.kpi
    date = i18n.fmt_month(k.target_date, lang)
    head, tail = i18n.t("target_by", lang, target=i18n.fmt_target(k.target, h.indicator, lang, k.target_kind),
                        date="\0").split("\0")
    opener = head[-1:] if head.endswith(("(", "（")) else ""
    return [html.Span(head[: len(head) - len(opener)]), html.Span(opener + date + tail, className="wall-nowrap")]


def _coverage(h: Headline, lang: str) -> list:
    """Who reported, when not everybody did: the figure covers only them."""
    k = h.kpi
    if not (k.partial and k.expected_units):
        return []
    text = i18n.coverage_text(k.reported_units, k.expected_units, h.indicator.level, lang)
    return [_field(k.indicator, "coverage", "! " + text, "wall-coverage")]


def tile(h: Headline, lang: str) -> html.Div:
    """One headline indicator: name, ring, value, target, status, coverage, in slots of fixed height so
    that the rings, values and statuses of neighbouring tiles line up."""
    ind, k = h.indicator, h.kpi
    target = _target(h, lang)
    return html.Div(className="wall-tile", style={"borderTopColor": theme.status_color(k.status)}, children=[
        html.Div(ind.name(lang), className="wall-tile-name"),
        ring(k),
        html.Div(className="wall-tile-value", children=[
            _field(ind.code, "value", i18n.fmt_with_unit(k.value, ind, lang, k.target_kind), "wall-value"),
            html.Div(h.basis, className="wall-basis")]),
        html.Div(target[:1], className="wall-tile-target"),
        html.Div(target[1:], className="wall-tile-chip"),
        status_pill(k, lang),
        html.Div(_coverage(h, lang), className="wall-tile-coverage"),
    ])


def tiles(headlines: list[Headline], lang: str) -> html.Div:
    """The headline indicators side by side."""
    return html.Div(className="wall-tiles", style={"gridTemplateColumns": f"repeat({len(headlines)}, minmax(0, 1fr))"},
                    children=[tile(h, lang) for h in headlines])


def trend_side(h: Headline, lang: str) -> html.Div:
    """Beside a trend chart: the value, status, target, progress, projection and pace in words."""
    ind, k = h.indicator, h.kpi
    lines = [
        _field(ind.code, "value", i18n.fmt_with_unit(k.value, ind, lang, k.target_kind), "wall-value"),
        html.Div(h.basis, className="wall-basis"),
        status_pill(k, lang),
        *_target(h, lang),
    ]
    if not i18n.is_missing(k.progress):
        lines.append(_field(ind.code, "progress", i18n.t("progress", lang, pct=i18n.fmt_percent(k.progress)),
                            "wall-line"))
    if not i18n.is_missing(k.projected) and k.target_date:
        lines.append(_field(ind.code, "projected", i18n.t(
            "projected", lang, date=i18n.fmt_month(k.target_date, lang),
            value=i18n.fmt_with_unit(k.projected, ind, lang, k.target_kind)), "wall-line"))
    if not i18n.is_missing(k.pace_needed):
        lines.append(_field(ind.code, "pace", i18n.t("pace", lang, pace=i18n.fmt_pace(k.pace_needed, ind, lang)),
                            "wall-line"))
    return html.Div(className="wall-side", children=[*lines, *_coverage(h, lang)])


def league(indicators: list[Indicator], rows: list[LeagueRow], highlight: str | None, lang: str) -> html.Div:
    """The townships against target: progress per headline indicator, in status colours, ranked."""
    heads = [i18n.t("wall_rank", lang), i18n.t("townships", lang),
             *[i18n.short_indicator_name(i, lang) for i in indicators], i18n.t("wall_on_target", lang)]
    cells = [html.Div(text, className="wall-th") for text in heads]
    for row in rows:
        mark = " wall-row-highlight" if row.code == highlight else ""
        cells += [html.Div(str(row.rank), className="wall-td wall-td-rank" + mark),
                  html.Div(row.name, className="wall-td wall-td-name" + mark)]
        for k in row.kpis:
            cells.append(_league_cell(k, mark))
        cells.append(html.Div(f"{row.on_target}/{row.judged}", className="wall-td wall-td-count" + mark))
    legend = [pill(s, i18n.status_label(s, lang)) for s in i18n.STATUS_ORDER if s != "no_data"]
    return html.Div(className="wall-league", children=[
        html.Div(className="wall-league-head", children=[
            html.Div(i18n.t("wall_league_note", lang), className="wall-note"),
            html.Div(legend, className="wall-legend")]),
        html.Div(cells, className="wall-table",
                 style={"gridTemplateColumns": f"4fr 8fr repeat({len(indicators)}, 7fr) 5fr",
                        "gridTemplateRows": f"auto repeat({len(rows)}, minmax(0, 1fr))"}),
    ])


def _league_cell(k: Kpi | None, mark: str) -> html.Div:
    """Progress with the status icon, on the status colour."""
    status = k.status if k is not None else "no_data"
    text = i18n.STATUS_ICONS[status] + " " + (i18n.fmt_percent(k.progress) if k is not None else i18n.MISSING)
    attrs = {"data-kpi": k.indicator, "data-unit": k.unit_code, "data-field": "progress"} if k is not None else {}
    return html.Div(text, className="wall-td wall-td-status" + mark, **attrs, style={
        "background": theme.status_color(status), "color": theme.STATUS_TEXT.get(status, "#000000")})


def _report_pill(r: Reports, lang: str) -> html.Span:
    """The township's own report: reported, partly or not."""
    status = REPORT_STATUS[r.status]
    return pill(status, f"{i18n.STATUS_ICONS[status]} {i18n.t(REPORT_WORD[r.status], lang)}",
                **{"data-unit": r.code, "data-field": "report"})


def _villages_line(r: Reports, lang: str) -> html.Div:
    """Villages that reported, with a '!' when some have not."""
    mark = "! " if r.villages < r.villages_expected else "✓ "
    return html.Div(mark + i18n.t("wall_villages", lang, n=f"{r.villages:,}", m=f"{r.villages_expected:,}"),
                    className="wall-line" + (" wall-warn" if mark == "! " else ""))


def _stat(label: str, value: str, status: str) -> html.Div:
    """A big number with its label, underlined in a status colour."""
    return html.Div(className="wall-stat", style={"borderBottomColor": theme.status_color(status)}, children=[
        html.Div(value, className="wall-stat-value"), html.Div(label, className="wall-stat-label")])


def _share_status(n: int, m: int) -> str:
    """achieved when all reported, at risk when some did not."""
    return "achieved" if m and n >= m else ("at_risk" if n else "off_track")


def completeness_city(reports: list[Reports], lang: str) -> html.Div:
    """Which townships sent their monthly report, and how many of their villages reported."""
    done = sum(1 for r in reports if r.status == "complete")
    villages, expected = sum(r.villages for r in reports), sum(r.villages_expected for r in reports)
    summary = html.Div(className="wall-stats", children=[
        _stat(i18n.t("wall_township_reports", lang), f"{done}/{len(reports)}", _share_status(done, len(reports))),
        _stat(i18n.t("wall_village_reports", lang), f"{villages:,}/{expected:,}", _share_status(villages, expected)),
    ])
    cells = [html.Div(className="wall-report", children=[
        html.Div(r.name, className="wall-report-name"), _report_pill(r, lang),
        html.Div(i18n.t("wall_items", lang, n=r.items, m=r.items_expected), className="wall-line"),
        _villages_line(r, lang)]) for r in reports]
    return html.Div(className="wall-completeness", children=[summary, html.Div(cells, className="wall-reports")])


def completeness_township(report: Reports, villages: list[tuple[str, bool]], lang: str) -> html.Div:
    """One township's own report, and every village: the ones yet to report stand out by name."""
    items = i18n.t("wall_items", lang, n=report.items, m=report.items_expected)
    label = html.Div(f"{i18n.t('wall_township_reports', lang)} {items}", className="wall-stat-label")
    own = html.Div([_report_pill(report, lang), label], className="wall-stat",
                   style={"borderBottomColor": theme.status_color(REPORT_STATUS[report.status])})
    complete = report.villages >= report.villages_expected
    note = "✓ " + i18n.t("wall_all_reported", lang) if complete else i18n.t("wall_missing_villages", lang)
    summary = html.Div(className="wall-stats", children=[
        own,
        _stat(i18n.t("wall_village_reports", lang), f"{report.villages:,}/{report.villages_expected:,}",
              _share_status(report.villages, report.villages_expected)),
        html.Div(note, className="wall-subtitle wall-stats-note"),
    ])
    columns = max(4, min(MAX_COLUMNS, math.ceil(math.sqrt(len(villages) * 2.6))))
    cells = [html.Div(("✓ " if done else "✗ ") + name, **{"data-field": "village", "data-reported": str(int(done))},
                      className="wall-village" if done else "wall-village wall-village-missing")
             for name, done in villages]
    return html.Div(className="wall-completeness", children=[summary, html.Div(
        cells, className="wall-villages", style={"gridTemplateColumns": f"repeat({columns}, minmax(0, 1fr))"})])
