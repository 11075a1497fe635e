"""Pure figure builders: plain values in, a plotly graph_objects Figure out.

No database, no globals, no plotly.express (40 ms a call). Every figure uses theme.TEMPLATE; the
cards' sparklines are small SVGs instead (see sparkline).
Missing values stay None so lines break at gaps (connectgaps=False): a gap is never a zero.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from urllib.parse import quote

import plotly.graph_objects as go

from . import geo, i18n, theme

LAT_SCALE = 1 / math.cos(math.radians(29.3))  # degrees of latitude vs longitude at Yiwu


@dataclasses.dataclass(frozen=True)
class Series:
    """One line: values per month as shown on the cards, and which months lack reports."""

    name: str
    periods: tuple[str, ...]
    values: tuple[float, ...]
    partial: tuple[bool, ...]


@dataclasses.dataclass(frozen=True)
class Target:
    """What a trend is judged against: the value, its date, and the line to draw towards it."""

    value: float
    date: str
    path: tuple[tuple[str, float], ...]
    prorated: bool = False  # the path is the prorated target of a flow, not a flat level


@dataclasses.dataclass(frozen=True)
class Ranked:
    """One child unit in a ranking, tile grid or map."""

    code: str
    name: str
    short: str
    progress: float
    status: str
    value_text: str
    selected: bool = False


def _x(period: str) -> str:
    """'2022-06' -> '2022-06-01': an unambiguous date for plotly's date axis."""
    return f"{period}-01"


def _y(value) -> float | None:
    """NaN -> None, so plotly draws a gap."""
    return None if i18n.is_missing(value) else float(value)


def no_data(message: str, height: int = 320, title: str | None = None) -> go.Figure:
    """An explicit "no data" state: a message, no axes, nothing that could read as zero."""
    fig = go.Figure(layout=dict(template=theme.TEMPLATE, height=height,
                                xaxis=dict(visible=False), yaxis=dict(visible=False)))
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=15, color=theme.MUTED))
    if title:
        fig.update_layout(title=dict(text=title))
    return fig


def sparkline(series: Series, status: str, additive: bool = False, width: int = 240, height: int = 48) -> str:
    """A small line of the last months as an SVG data URI, in the status colour.

    Not a plotly figure: a page shows up to 18 of them, and an SVG costs microseconds to build and
    nothing to draw, where a figure costs milliseconds on the server and a plotly instance in the
    browser. Gaps stay gaps. For sums (additive), a month with missing reports is an open dot off
    the line, so an incomplete month does not read as a fall.
    """
    pad = 4
    points = [(i, float(v), bool(p)) for i, (v, p) in enumerate(zip(series.values, series.partial))
              if not i18n.is_missing(v)]
    colour = theme.status_color(status)
    parts = []
    if points:
        lo, hi = min(v for _, v, _ in points), max(v for _, v, _ in points)
        span_x = max(len(series.values) - 1, 1)

        def xy(i: int, v: float) -> tuple[float, float]:
            y = height / 2 if hi == lo else pad + (hi - v) / (hi - lo) * (height - 2 * pad)
            return pad + i / span_x * (width - 2 * pad), y
        on_line = {i for i, _, partial in points if not (additive and partial)}
        path, previous = [], None
        for i, v, _ in points:
            if i not in on_line:
                continue
            x, y = xy(i, v)
            path.append(f"{'L' if previous == i - 1 else 'M'}{x:.1f},{y:.1f}")
            previous = i
        if path:
            parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2" '
                         'vector-effect="non-scaling-stroke" stroke-linejoin="round"/>')
        for i, v, _ in points:
            if i not in on_line:
                x, y = xy(i, v)
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="white" stroke="{colour}" '
                             'stroke-width="1.5"/>')
        i, v, _ = points[-1]
        if i in on_line:
            x, y = xy(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'preserveAspectRatio="none">{"".join(parts)}</svg>')
    return "data:image/svg+xml," + quote(svg)


def trend(actual: Series, *, fmt: Callable[[float], str], title: str, lang: str, axis_title: str = "",
          target: Target | None = None, projection: Sequence[tuple[str, float]] | None = None,
          comparisons: Sequence[Series] = (), comparisons_title: str | None = None, as_of: str | None = None,
          height: int = 380) -> go.Figure:
    """Actual values (gaps where missing, open markers on partial months), target, projection.

    Comparison lines (e.g. townships next to the city) share the axis, or get a right-hand axis
    titled comparisons_title when their scale differs (a township's count next to the city's sum).
    """
    if all(i18n.is_missing(v) for v in actual.values) and target is None:
        return no_data(i18n.t("no_data", lang), height, title)
    month_fmt = i18n.plotly_month_format(lang)
    fig = go.Figure(layout=dict(template=theme.TEMPLATE, height=height, title=dict(text=title),
                                hovermode="closest", yaxis=dict(title=dict(text=axis_title)),
                                xaxis=dict(tickformat=month_fmt, hoverformat=month_fmt)))
    for i, other in enumerate(comparisons):
        line = _line(other, fmt, color=theme.COLORWAY[1 + i % (len(theme.COLORWAY) - 1)], width=1.5)
        fig.add_trace(line.update(yaxis="y2") if comparisons_title else line)
    if comparisons and comparisons_title:
        fig.update_layout(yaxis2=dict(title=dict(text=comparisons_title), overlaying="y", side="right",
                                      showgrid=False, rangemode="tozero"))
    fig.add_trace(_line(actual, fmt, color=theme.INK, width=2.5))
    partial = [(p, v) for p, v, part in zip(actual.periods, actual.values, actual.partial)
               if part and not i18n.is_missing(v)]
    if partial:
        fig.add_trace(go.Scatter(
            x=[_x(p) for p, _ in partial], y=[v for _, v in partial], mode="markers",
            name=i18n.t("partial", lang), customdata=[fmt(v) for _, v in partial],
            marker=dict(symbol="circle-open", size=13, line=dict(width=2), color=theme.STATUS_COLORS["at_risk"]),
            hovertemplate="%{x}<br>%{customdata}<extra>" + i18n.t("partial", lang) + "</extra>"))
    if target is not None:
        _add_target(fig, target, fmt, lang)
    if projection and all(not i18n.is_missing(v) for _, v in projection):
        fig.add_trace(go.Scatter(
            x=[_x(p) for p, _ in projection], y=[v for _, v in projection], mode="lines+markers",
            name=i18n.t("projection", lang), customdata=[fmt(v) for _, v in projection],
            line=dict(color=theme.PROJECTION, dash="dot", width=2),
            marker=dict(symbol=["circle", "circle-open"], size=[1, 10], color=theme.PROJECTION),
            hovertemplate="%{x}<br>%{customdata}<extra>" + i18n.t("projection", lang) + "</extra>"))
    if as_of:
        fig.add_vline(x=_x(as_of), line=dict(color=theme.GRID, width=1, dash="dot"))
    return fig


def _line(series: Series, fmt: Callable[[float], str], color: str, width: float) -> go.Scatter:
    """One actual-value line; None breaks it."""
    values = [_y(v) for v in series.values]
    return go.Scatter(
        x=[_x(p) for p in series.periods], y=values, mode="lines+markers", connectgaps=False,
        name=series.name, customdata=[fmt(v) if v is not None else i18n.MISSING for v in values],
        line=dict(color=color, width=width), marker=dict(size=5, color=color),
        hovertemplate="%{x}<br>%{customdata}<extra>" + series.name + "</extra>")


def _add_target(fig: go.Figure, target: Target, fmt: Callable[[float], str], lang: str) -> None:
    """The target line (flat, or the prorated path of a flow) and a marker at the target date."""
    name = i18n.t("prorated_line" if target.prorated else "target_line", lang)
    if target.path:
        fig.add_trace(go.Scatter(
            x=[_x(p) for p, _ in target.path], y=[v for _, v in target.path], mode="lines", name=name,
            line=dict(color=theme.MUTED, dash="dash", width=1.5), hoverinfo="skip"))
    label = i18n.t("target_point", lang, value=fmt(target.value), date=i18n.fmt_month(target.date, lang))
    fig.add_trace(go.Scatter(
        x=[_x(target.date)], y=[target.value], mode="markers", name=i18n.t("target_line", lang),
        showlegend=not target.path, marker=dict(symbol="diamond", size=12, color=theme.MUTED),
        hovertemplate=label + "<extra></extra>"))


def ranking(rows: Sequence[Ranked], *, title: str, lang: str, min_height: int = 260) -> go.Figure:
    """Horizontal bars of progress towards the target, best first, coloured (and labelled) by status.

    customdata is the unit code, so a click can open the unit's page.
    """
    if not rows:
        return no_data(i18n.t("no_data", lang), min_height, title)
    ordered = sorted(rows, key=lambda r: (i18n.is_missing(r.progress), -(0 if i18n.is_missing(r.progress)
                                                                          else r.progress)))
    codes = [r.code for r in ordered]
    top = max([r.progress * 100 for r in ordered if not i18n.is_missing(r.progress)] or [100])
    height = max(min_height, 26 * len(rows) + 110)
    fig = go.Figure(layout=dict(
        template=theme.TEMPLATE, height=height, title=dict(text=title), barmode="overlay", bargap=0.25,
        legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, xanchor="left"),
        margin=dict(t=76, r=16), hovermode="closest",
        xaxis=dict(title=dict(text=i18n.t("ranking_axis", lang)), range=[0, max(115, top * 1.15)],
                   ticksuffix="%"),
        yaxis=dict(tickmode="array", tickvals=codes, ticktext=[r.name for r in ordered],
                   categoryorder="array", categoryarray=codes, autorange="reversed", type="category")))
    for status in i18n.STATUS_ORDER:
        group = [r for r in ordered if r.status == status and not i18n.is_missing(r.progress)]
        if group:
            fig.add_trace(go.Bar(
                orientation="h", x=[r.progress * 100 for r in group], y=[r.code for r in group],
                customdata=[r.code for r in group], name=i18n.status_label(status, lang),
                marker=dict(color=theme.status_color(status)),
                text=[f"{r.value_text} {i18n.STATUS_ICONS[status]}" for r in group],
                textposition="outside", cliponaxis=False,
                hovertext=[f"{r.name}<br>{r.value_text}<br>{i18n.fmt_percent(r.progress)} · "
                           f"{i18n.status_label(status, lang)}<br>{i18n.t('click_hint', lang)}" for r in group],
                hovertemplate="%{hovertext}<extra></extra>"))
    missing = [r for r in ordered if i18n.is_missing(r.progress)]
    if missing:
        fig.add_trace(go.Scatter(
            x=[0] * len(missing), y=[r.code for r in missing], customdata=[r.code for r in missing],
            mode="text", textposition="middle right", name=i18n.status_label("no_data", lang),
            text=[f"{r.value_text if r.value_text != i18n.MISSING else ''} {i18n.status_label(r.status, lang)}".strip()
                  for r in missing],
            textfont=dict(color=theme.MUTED), hovertemplate="%{y}<extra></extra>"))
    fig.add_vline(x=100, line=dict(color=theme.INK, width=1.5, dash="dash"))
    return fig


def tiles(rows: Sequence[Ranked], *, title: str, lang: str, height: int = 520) -> go.Figure:
    """A schematic grid of township tiles coloured by status, each labelled with name, value and status.

    Positions keep the rough compass layout (geo.TILE_POSITIONS); customdata is the unit code.
    """
    if not rows:
        return no_data(i18n.t("no_data", lang), height, title)
    cells = [geo.tile_position(r.code, i) for i, r in enumerate(rows)]
    fig = go.Figure(layout=dict(
        template=theme.TEMPLATE, height=height, title=dict(text=title), showlegend=False,
        margin=dict(l=4, r=4, t=48, b=4), hovermode="closest",
        xaxis=dict(visible=False, range=[-0.55, geo.GRID_COLUMNS - 0.45], fixedrange=True),
        yaxis=dict(visible=False, range=[max(c[1] for c in cells) + 0.55, -0.55], fixedrange=True,
                   scaleanchor="x", scaleratio=1)))
    for r, (col, row) in zip(rows, cells):
        fig.add_shape(type="rect", x0=col - 0.47, x1=col + 0.47, y0=row - 0.47, y1=row + 0.47, layer="below",
                      fillcolor=theme.status_color(r.status),
                      line=dict(color=theme.INK if r.selected else "#ffffff", width=4 if r.selected else 1))
    fig.add_trace(go.Scatter(
        x=[c[0] for c in cells], y=[c[1] for c in cells], customdata=[r.code for r in rows],
        mode="markers+text", marker=dict(symbol="square", size=80, opacity=0),
        text=[f"<b>{r.short}</b><br>{r.value_text}<br>{i18n.status_label(r.status, lang)}" for r in rows],
        textfont=dict(color=[theme.STATUS_TEXT.get(r.status, "#000000") for r in rows], size=12),
        hovertext=[f"{r.name}<br>{r.value_text} · {i18n.fmt_percent(r.progress)}<br>"
                   f"{i18n.status_label(r.status, lang)}<br>{i18n.t('click_hint', lang)}" for r in rows],
        hovertemplate="%{hovertext}<extra></extra>"))
    return fig


def township_map(rows: Sequence[Ranked], outlines: dict[str, geo.Outline], *, title: str, lang: str,
                 height: int = 560) -> go.Figure:
    """Real township outlines (from a configured GeoJSON) filled by status; labels carry the code."""
    drawn = [r for r in rows if r.code in outlines]
    if not drawn:
        return tiles(rows, title=title, lang=lang, height=height)
    fig = go.Figure(layout=dict(
        template=theme.TEMPLATE, height=height, title=dict(text=title), showlegend=False,
        margin=dict(l=4, r=4, t=48, b=4), hovermode="closest",
        xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x", scaleratio=LAT_SCALE)))
    for r in drawn:
        xs, ys = [], []
        for ring in outlines[r.code].rings:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", hoverinfo="skip",
                                 fillcolor=theme.status_color(r.status),
                                 line=dict(color=theme.INK if r.selected else "#ffffff", width=3 if r.selected else 1)))
    centres = [outlines[r.code].centre() for r in drawn]
    fig.add_trace(go.Scatter(
        x=[c[0] for c in centres], y=[c[1] for c in centres], customdata=[r.code for r in drawn],
        mode="markers+text", marker=dict(size=40, opacity=0),
        text=[f"<b>{r.short}</b><br>{i18n.STATUS_ICONS.get(r.status, '')} {r.value_text}" for r in drawn],
        textfont=dict(color=[theme.STATUS_TEXT.get(r.status, "#000000") for r in drawn], size=11),
        hovertext=[f"{r.name}<br>{r.value_text}<br>{i18n.status_label(r.status, lang)}" for r in drawn],
        hovertemplate="%{hovertext}<extra></extra>"))
    return fig
