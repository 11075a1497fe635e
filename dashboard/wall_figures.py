"""The wall display's chart: an indicator's trend against its target, readable from across a room.

Pure, like figures.py: values in, a go.Figure out. The content is that of figures.trend (actual,
partial months, target line, projection); the look is theme.wall_template at the size the screen
needs, and everything a manager would hover for is written on the chart (latest value, target and
projection in the legend), because nobody touches a wall.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import plotly.graph_objects as go

from . import i18n, theme
from .figures import Series, Target, _x, _y


@functools.lru_cache(maxsize=8)
def template(font_px: int) -> go.layout.Template:
    """theme.wall_template for a text size, built once (a wall sends some 60 charts per refresh)."""
    return theme.wall_template(font_px)


def no_data(message: str, font_px: int) -> go.Figure:
    """A message on the dark background, no axes: nothing that could read as zero."""
    fig = go.Figure(layout=dict(template=template(font_px), xaxis=dict(visible=False),
                                yaxis=dict(visible=False)))
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=round(font_px * 1.4), color=theme.WALL_MUTED))
    return fig


def trend(actual: Series, *, fmt: Callable[[float], str], lang: str, font_px: int, axis_title: str = "",
          target: Target | None = None, projection: Sequence[tuple[str, float]] | None = None,
          as_of: str | None = None) -> go.Figure:
    """Actual values (gaps where missing, open rings on partial months), target path and projection."""
    values = [_y(v) for v in actual.values]
    if all(v is None for v in values) and target is None:
        return no_data(i18n.t("no_data", lang), font_px)
    month_fmt = i18n.plotly_month_format(lang)
    width = max(2.0, font_px / 7)
    fig = go.Figure(layout=dict(template=template(font_px), yaxis=dict(title=dict(text=axis_title)),
                                xaxis=dict(tickformat=month_fmt), legend=dict(itemwidth=max(30, font_px * 2))))
    xs = [_x(p) for p in actual.periods]
    fig.add_trace(go.Scatter(x=xs, y=values, mode="lines+markers", connectgaps=False, name=i18n.t("actual", lang),
                             line=dict(color=theme.WALL_INK, width=width * 1.4),
                             marker=dict(size=font_px / 3, color=theme.WALL_INK)))
    partial = [(x, v) for x, v, part in zip(xs, values, actual.partial) if part and v is not None]
    if partial:
        fig.add_trace(go.Scatter(x=[x for x, _ in partial], y=[v for _, v in partial], mode="markers",
                                 name=i18n.t("partial", lang),
                                 marker=dict(symbol="circle-open", size=font_px * 0.7, line=dict(width=width),
                                             color=theme.STATUS_COLORS["at_risk"])))
    if target is not None:
        _add_target(fig, target, fmt, lang, font_px, width)
    if projection and all(not i18n.is_missing(v) for _, v in projection):
        end, value = projection[-1]
        fig.add_trace(go.Scatter(
            x=[_x(p) for p, _ in projection], y=[v for _, v in projection], mode="lines+markers",
            name=i18n.t("projected", lang, date=i18n.fmt_month(end, lang), value=fmt(value)),
            line=dict(color=theme.PROJECTION, dash="dot", width=width),
            marker=dict(symbol=["circle", "circle-open"], size=[1, font_px * 0.7], color=theme.PROJECTION,
                        line=dict(width=width))))
    _label_latest(fig, xs, values, fmt, font_px)
    if as_of:
        fig.add_shape(type="line", x0=_x(as_of), x1=_x(as_of), y0=0, y1=1, yref="paper",  # add_vline is slow
                      line=dict(color=theme.WALL_GRID, width=2, dash="dot"))
    return fig


def _add_target(fig: go.Figure, target: Target, fmt: Callable[[float], str], lang: str, font_px: int,
                width: float) -> None:
    """The target path (flat, or a flow's prorated path) and a diamond at the target date, named in full."""
    label = i18n.t("target_point", lang, value=fmt(target.value), date=i18n.fmt_month(target.date, lang))
    if target.path:
        fig.add_trace(go.Scatter(x=[_x(p) for p, _ in target.path], y=[v for _, v in target.path], mode="lines",
                                 name=i18n.t("prorated_line", lang) if target.prorated else label,
                                 line=dict(color=theme.WALL_MUTED, dash="dash", width=width)))
    fig.add_trace(go.Scatter(x=[_x(target.date)], y=[target.value], mode="markers", name=label,
                             showlegend=not target.path or target.prorated,
                             marker=dict(symbol="diamond", size=font_px * 0.8, color=theme.WALL_MUTED)))


def _label_latest(fig: go.Figure, xs: list[str], values: list, fmt: Callable[[float], str], font_px: int) -> None:
    """The latest value written by its point: above it when the line came up to it, below when it came
    down (so the label sits where the recent line is not)."""
    known = [i for i, v in enumerate(values) if v is not None]
    if not known:
        return
    last = known[-1]
    earlier = [values[i] for i in known[-7:-1]]
    falling = bool(earlier) and max(earlier) > values[last]
    fig.add_annotation(x=xs[last], y=values[last], text=f"<b>{fmt(values[last])}</b>", showarrow=False,
                       xanchor="right", yanchor="top" if falling else "bottom",
                       yshift=-font_px * 0.5 if falling else font_px * 0.5,
                       font=dict(size=round(font_px * 1.25), color=theme.WALL_INK))
