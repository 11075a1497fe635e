"""The one-page brief as a single plotly figure: header, KPI cards, the key charts, source line.

Pure: BriefData in, go.Figure out. Everything is placed in pixels of the target size (1920×1080 or
A4 landscape) and converted to paper coordinates, so text never depends on a browser's layout.
The two charts are the dashboard's own figures, embedded as subplots (their traces, axes, shapes
and legends moved onto axes and legends of their own).
"""
from __future__ import annotations

import math

import plotly.graph_objects as go

from . import i18n, theme

BRIEF_FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"
CARD_COLUMNS = 3
ASSUMED_COLOUR = "#8a5a00"


class Canvas:
    """Pixel placement on a figure of width × height: y grows downwards, as on a page."""

    def __init__(self, fig: go.Figure, width: int, height: int):
        self.fig, self.w, self.h = fig, width, height
        self.k = width / 1920  # font and spacing scale
        # Collected as plain dicts and set once: add_annotation/add_shape revalidate every earlier
        # one on each call (seconds for a brief's ~150 of them).
        self.annotations: list[dict] = []
        self.shapes: list[dict] = []

    def finish(self) -> go.Figure:
        """Put the collected text and shapes on the figure."""
        self.fig.update_layout(annotations=self.annotations, shapes=self.shapes)
        return self.fig

    def px(self, n: float) -> float:
        """A length at this size (designed at 1920 wide)."""
        return n * self.k

    def fx(self, x: float) -> float:
        return x / self.w

    def fy(self, y: float) -> float:
        return 1 - y / self.h

    def text(self, x, y, text, size, colour=theme.INK, anchor="left", valign="top", bold=False, **extra):
        """Text whose anchor point is (x, y) in pixels from the top left."""
        self.annotations.append(dict(
            x=self.fx(x), y=self.fy(y), xref="paper", yref="paper", showarrow=False, xanchor=anchor,
            yanchor=valign, align=anchor if anchor != "center" else "center",
            text=f"<b>{text}</b>" if bold else text, font=dict(size=self.px(size), color=colour), **extra))

    def rect(self, x0, y0, x1, y1, fill, line=None, width=1, radius=0):
        """A filled rectangle in pixels (radius: rounded corners, drawn as a path)."""
        shape = dict(xref="paper", yref="paper", fillcolor=fill, layer="below",
                     line=dict(color=line or fill, width=width if line else 0))
        if radius:
            self.shapes.append(dict(type="path", path=_rounded(self, x0, y0, x1, y1, radius), **shape))
        else:
            self.shapes.append(dict(type="rect", x0=self.fx(x0), x1=self.fx(x1), y0=self.fy(y1), y1=self.fy(y0),
                                    **shape))


def _rounded(c: Canvas, x0, y0, x1, y1, r) -> str:
    """An SVG path of a rounded rectangle in paper coordinates."""
    rx, ry = r / c.w, r / c.h
    a, b, cc, d = c.fx(x0), c.fx(x1), c.fy(y1), c.fy(y0)  # left, right, bottom, top
    return (f"M{a + rx},{d} L{b - rx},{d} Q{b},{d} {b},{d - ry} L{b},{cc + ry} Q{b},{cc} {b - rx},{cc} "
            f"L{a + rx},{cc} Q{a},{cc} {a},{cc + ry} L{a},{d - ry} Q{a},{d} {a + rx},{d} Z")


def compose(data, width: int = 1920, height: int = 1080) -> go.Figure:
    """The brief of BriefData at a page size in CSS pixels."""
    fig = go.Figure(layout=dict(template=theme.TEMPLATE, width=width, height=height, showlegend=True,
                                margin=dict(l=0, r=0, t=0, b=0), font=dict(family=BRIEF_FONT),
                                paper_bgcolor="#ffffff", hovermode=False))
    c = Canvas(fig, width, height)
    pad = c.px(44)
    body_top = _header(c, data, pad)
    body_bottom = height - pad - c.px(40)
    split = pad + (width - 2 * pad) * 0.56
    _cards(c, data, pad, body_top, split - c.px(16), body_bottom)
    right = (split + c.px(24), width - pad)
    if data.ranking is None:
        _embed(c, data.trend, 1, right, (body_top, body_bottom), "trend")
    else:
        middle = body_top + (body_bottom - body_top) * 0.44
        _embed(c, data.trend, 1, right, (body_top, middle - c.px(12)), "trend")
        _embed(c, data.ranking, 2, right, (middle + c.px(12), body_bottom), "ranking")
    _footer(c, data, pad)
    return c.finish()


def _header(c: Canvas, data, pad: float) -> float:
    """Title, as-of line and demo label on the left, the count of each status on the right."""
    lang = data.lang
    c.text(pad, pad - c.px(6), i18n.t("brief_title", lang, unit=data.unit_name), 34, bold=True)
    sub = " · ".join([i18n.t("brief_as_of", lang, month=i18n.fmt_month(data.period, lang)),
                      i18n.t("brief_summary", lang, n=len(data.kpis))])
    c.text(pad, pad + c.px(50), sub, 18, colour=theme.MUTED)
    if data.demo:
        label = i18n.t("demo_badge", lang)
        x = pad + c.px(_text_width(sub, 18)) + c.px(20)
        c.rect(x, pad + c.px(48), x + c.px(_text_width(label, 15) + 24), pad + c.px(78), theme.STATUS_COLORS["at_risk"],
               radius=c.px(4))
        c.text(x + c.px(12), pad + c.px(63), label, 15, colour="#000000", valign="middle", bold=True)
    counts = {s: sum(1 for k in data.kpis if k.status == s) for s in i18n.STATUS_ORDER}
    x = c.w - pad
    for status in reversed(i18n.STATUS_ORDER):
        if not counts[status]:
            continue
        label = f"{i18n.status_label(status, lang)} {counts[status]}"
        w = c.px(_text_width(label, 17) + 28)
        c.rect(x - w, pad, x, pad + c.px(38), theme.status_color(status), radius=c.px(6))
        c.text(x - w / 2, pad + c.px(19), label, 17, colour=theme.STATUS_TEXT.get(status, "#000000"),
               anchor="center", valign="middle", bold=True)
        x -= w + c.px(10)
    line_y = pad + c.px(96)
    c.rect(pad, line_y, c.w - pad, line_y + c.px(2), theme.GRID)
    return line_y + c.px(22)


def _cards(c: Canvas, data, x0, y0, x1, y1) -> None:
    """One card per KPI row, in the CSV's order (headline indicators first)."""
    rows = max(1, math.ceil(len(data.kpis) / CARD_COLUMNS))
    gap = c.px(12)
    w = (x1 - x0 - gap * (CARD_COLUMNS - 1)) / CARD_COLUMNS
    h = min((y1 - y0 - gap * (rows - 1)) / rows, c.px(190))
    for i, k in enumerate(data.kpis):
        col, row = i % CARD_COLUMNS, i // CARD_COLUMNS
        _card(c, data, k, x0 + col * (w + gap), y0 + row * (h + gap), w, h)


def _card(c: Canvas, data, k, x, y, w, h) -> None:
    """Name; value and what it is; target and date; status as colour + icon + word, and progress."""
    lang, ind = data.lang, data.indicators[k.indicator]
    colour = theme.status_color(k.status)
    c.rect(x, y, x + w, y + h, "#ffffff", line=theme.GRID, width=1.5, radius=c.px(8))
    c.rect(x, y, x + c.px(8), y + h, colour, radius=c.px(3))
    inner = x + c.px(22)
    name = _wrap(ind.name(lang), (w - c.px(36)) / c.k, 15)
    two = "<br>" in name
    shift = c.px(10) if two else 0  # a two-line name pushes the rest down a little
    c.text(inner, y + 0.16 * h + shift / 2, name, 14 if two else 15, bold=True, valign="middle")
    value = i18n.fmt_with_unit(k.value, ind, lang, k.target_kind)
    basis = _basis(data, k, ind)
    room = (w - c.px(34)) / c.k
    size = max(18.0, min(26.0, 26 * (room - _text_width(basis, 13) - 12) / _text_width(value, 26)))
    shown = f"<b>{value}</b>"
    if _text_width(value, size) + 12 + _text_width(basis, 13) <= room:  # else the value alone
        shown += f"  <span style='font-size:{c.px(13):.1f}px;color:{theme.MUTED}'>{basis}</span>"
    c.text(inner, y + 0.42 * h + shift, shown, size, valign="middle")
    target_y = y + 0.64 * h + shift
    if not i18n.is_missing(k.target):
        target = i18n.t("target_by", lang, target=i18n.fmt_target(k.target, ind, lang, k.target_kind),
                        date=i18n.fmt_month(k.target_date, lang))
        if k.target_is_assumption:
            target += f"  <span style='color:{ASSUMED_COLOUR}'>[{i18n.t('assumed_short', lang)}]</span>"
        c.text(inner, target_y, target, 13, valign="middle")
    elif not i18n.is_missing(k.value):
        c.text(inner, target_y, i18n.t("no_target", lang), 13, colour=theme.MUTED, valign="middle")
    badge = y + 0.85 * h + shift / 2  # centre line of the status badge
    label = i18n.status_label(k.status, lang)
    bw = c.px(_text_width(label, 14) + 20)
    c.rect(inner, badge - c.px(12), inner + bw, badge + c.px(12), colour, radius=c.px(4))
    c.text(inner + bw / 2, badge, label, 14, colour=theme.STATUS_TEXT.get(k.status, "#000000"),
           anchor="center", valign="middle", bold=True)
    room = (w - c.px(22) - bw - c.px(22)) / c.k
    line = _fitting([_progress_forms(k, lang), _coverage_forms(k, ind, lang)], room, 13)
    if line:
        c.text(inner + bw + c.px(12), badge, line, 13, colour=theme.MUTED, valign="middle")


def _progress_forms(k, lang: str) -> list[str]:
    """'完成度 97.9%', then the bare percentage: longest first."""
    if i18n.is_missing(k.progress):
        return [""]
    pct = i18n.fmt_percent(k.progress)
    return [i18n.t("progress", lang, pct=pct), pct]


def _coverage_forms(k, ind, lang: str) -> list[str]:
    """'541/542 村社已报送', then '541/542 已报送', when some reports are missing."""
    if not (k.partial and k.expected_units):
        return [""]
    return [i18n.coverage_text(k.reported_units, k.expected_units, ind.level, lang),
            i18n.coverage_text(k.reported_units, k.expected_units, "city", lang)]


def _fitting(parts: list[list[str]], room: float, size: float) -> str:
    """Join one form of each part with ' · ', shortening the last parts first until it fits."""
    choice = [0] * len(parts)
    while True:
        text = " · ".join(p[i] for p, i in zip(parts, choice) if p[i])
        if _text_width(text, size) <= room:
            return text
        for j in reversed(range(len(parts))):
            if choice[j] + 1 < len(parts[j]):
                choice[j] += 1
                break
        else:
            return text


def _basis(data, k, ind) -> str:
    """当月 / 本年累计 / 同比增幅: what the value is (as on the page's cards)."""
    if k.target_kind == "growth":
        return i18n.t("yoy", data.lang)
    start = data.starts.get(k.indicator)
    if ind.aggregation == "flow" and k.target_kind == "cumulative" and start:
        return i18n.t("since", data.lang, month=i18n.fmt_month(start, data.lang))
    if ind.aggregation == "flow":
        return i18n.t("ytd", data.lang)
    return i18n.t("level_now", data.lang)


def _embed(c: Canvas, part: go.Figure, n: int, xs: tuple, ys: tuple, kind: str) -> None:
    """Move a dashboard figure into a box (pixels): title on top, its axes, traces, shapes and legend."""
    fig = c.fig
    x0, x1 = xs
    top, bottom = ys
    c.rect(x0 - c.px(12), top - c.px(6), x1 + c.px(6), bottom + c.px(6), "#ffffff", line=theme.GRID, width=1.5,
           radius=c.px(8))
    title = part.layout.title.text or ""
    c.text(x0, top + c.px(4), title, 17, bold=True)
    if kind == "trend":  # y tick labels and axis title on the left; x ticks and the legend below
        plot = (x0 + c.px(78), x1 - c.px(16), top + c.px(44), bottom - c.px(74))
        legend = dict(x=c.fx(x0), y=c.fy(bottom - c.px(8)), xanchor="left", yanchor="bottom", orientation="h")
    else:  # township names on the left, value labels right of the bars, legend under the title
        plot = (x0 + c.px(118), x1 - c.px(96), top + c.px(74), bottom - c.px(50))
        legend = dict(x=c.fx(x0), y=c.fy(top + c.px(34)), xanchor="left", yanchor="top", orientation="h")
    px0, px1, py0, py1 = plot
    dx, dy = [c.fx(px0), c.fx(px1)], [c.fy(py1), c.fy(py0)]
    suffix = "" if n == 1 else str(n)
    xa, ya, lg = f"x{suffix}", f"y{suffix}", f"legend{suffix}"
    font = dict(size=c.px(13))
    xaxis = part.layout.xaxis.to_plotly_json()
    yaxis = part.layout.yaxis.to_plotly_json()
    fig.layout[f"xaxis{suffix}"] = {**xaxis, "domain": dx, "anchor": ya, "automargin": False, "tickfont": font}
    fig.layout[f"yaxis{suffix}"] = {**yaxis, "domain": dy, "anchor": xa, "automargin": False, "tickfont": font}
    fig.layout[lg] = {**legend, "font": dict(size=c.px(13)), "bgcolor": "rgba(0,0,0,0)"}
    traces = []
    for trace in part.data:
        t = trace.to_plotly_json() | dict(xaxis=xa, yaxis=ya, legend=lg, hoverinfo="skip")
        if trace.type == "bar":
            t["textfont"] = dict(size=c.px(13))
        traces.append(t)
    fig.add_traces(traces)
    for shape in part.layout.shapes:
        s = shape.to_plotly_json()
        s["xref"] = s.get("xref", "x").replace("x", xa, 1) if s.get("xref", "x") != "paper" else "paper"
        s["yref"] = s.get("yref", "y").replace("y", ya, 1) if s.get("yref", "y") != "paper" else "paper"
        c.shapes.append(s)
    for note in part.layout.annotations:  # a "no data" message sits in the middle of its box
        a = note.to_plotly_json()
        if a.get("xref") == "paper" and a.get("yref") == "paper":
            a.update(x=dx[0] + a.get("x", 0.5) * (dx[1] - dx[0]), y=dy[0] + a.get("y", 0.5) * (dy[1] - dy[0]))
        c.annotations.append(a)


def _footer(c: Canvas, data, pad: float) -> None:
    """The source line and, for demo data, the label that says so."""
    y = c.h - pad + c.px(8)
    c.text(pad, y, i18n.t("brief_source", data.lang), 13, colour=theme.MUTED, valign="bottom")
    if data.demo:
        c.text(c.w - pad, y, i18n.t("brief_demo", data.lang), 15, colour=ASSUMED_COLOUR, anchor="right",
               valign="bottom", bold=True)


def _text_width(text: str, size: float) -> float:
    """Approximate width in (unscaled) pixels: CJK and symbols a full em, Latin about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def _wrap(text: str, room: float, size: float) -> str:
    """Break a long name into lines that fit room pixels (at most two; words kept whole in English)."""
    if _text_width(text, size) <= room:
        return text
    words = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    first: list[str] = []
    for i, word in enumerate(words):
        if _text_width(joiner.join(first + [word]), size) > room:
            return joiner.join(first) + "<br>" + joiner.join(words[i:])
        first.append(word)
    return text
