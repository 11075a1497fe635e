"""The one look of every page: fonts, the colour-blind-safe status palette and the plotly template.

Status colours are Okabe–Ito, which stay distinct for the common colour-vision deficiencies; a
colour is never the only signal (every status also shows its icon and word, see i18n).
"""
from __future__ import annotations

import plotly.graph_objects as go

# Local fonts only: the app must not fetch web fonts from anywhere.
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

STATUS_COLORS = {
    "achieved": "#0072B2",   # blue
    "on_track": "#009E73",   # bluish green
    "at_risk": "#E69F00",    # orange
    "off_track": "#D55E00",  # vermillion
    "no_data": "#999999",    # grey
}
# Text on a status-coloured background: the one with the better contrast.
STATUS_TEXT = {"achieved": "#ffffff", "on_track": "#000000", "at_risk": "#000000",
               "off_track": "#000000", "no_data": "#000000"}
INK = "#1f2933"          # text and the actual-value line
MUTED = "#6b7280"        # secondary text, target lines
GRID = "#e5e7eb"
PROJECTION = "#CC79A7"   # Okabe–Ito reddish purple: never a status colour
COLORWAY = ["#1f2933", "#56B4E9", "#CC79A7", "#E69F00", "#009E73", "#0072B2", "#D55E00", "#F0E442"]

# Mantine theme: the same fonts, a primary colour from the palette.
MANTINE_THEME = {
    "fontFamily": FONT_STACK,
    "headings": {"fontFamily": FONT_STACK},
    "primaryColor": "blue",
    "defaultRadius": "md",
}

# Figures set their own height; the width follows the container (dcc.Graph's responsive="auto").
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}
STATIC_GRAPH_CONFIG = {"displayModeBar": False, "staticPlot": True}


def _axis() -> dict:
    """Quiet axes: light grid, no zero line, titles in the muted colour."""
    return dict(gridcolor=GRID, linecolor=GRID, zeroline=False, ticks="", automargin=True,
                title=dict(font=dict(size=12, color=MUTED)))


TEMPLATE = go.layout.Template(layout=go.Layout(
    font=dict(family=FONT_STACK, size=13, color=INK),
    # Title pinned to the top edge in pixels, whatever the figure's height.
    title=dict(font=dict(size=15), x=0, xanchor="left", xref="container", y=1, yanchor="top",
               yref="container", pad=dict(t=10, l=8)),
    paper_bgcolor="#ffffff",
    plot_bgcolor="#ffffff",
    colorway=COLORWAY,
    xaxis=_axis(),
    yaxis=_axis(),
    margin=dict(l=10, r=10, t=48, b=10),
    hoverlabel=dict(font=dict(family=FONT_STACK, size=12), bgcolor="#ffffff"),
    legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=12)),
    separators=".,",
))


def status_color(status: str) -> str:
    """The colour of a status (grey for anything unknown)."""
    return STATUS_COLORS.get(status, STATUS_COLORS["no_data"])


# --- the wall display: dark, high contrast, large type ---------------------------------------
# The same status palette (every status colour has at least 3:1 against WALL_BG, and its STATUS_TEXT
# at least 4.5:1 on it: tests/test_wall.py checks); ink and muted text have at least 7:1.
WALL_BG = "#0b1220"
WALL_PANEL = "#131c2e"
WALL_INK = "#f4f6fa"
WALL_MUTED = "#b8c2d1"
WALL_GRID = "#2c384d"
WALL_WARNING = "#F0E442"  # Okabe–Ito yellow, never a status colour: the stale-data banner


def wall_template(font_px: int) -> go.layout.Template:
    """The wall's variant of TEMPLATE: dark, transparent background, every text font_px or larger."""
    axis = dict(gridcolor=WALL_GRID, linecolor=WALL_GRID, zeroline=False, ticks="", automargin=True,
                tickfont=dict(size=font_px, color=WALL_MUTED), title=dict(font=dict(size=font_px, color=WALL_MUTED)))
    return go.layout.Template(layout=go.Layout(
        font=dict(family=FONT_STACK, size=font_px, color=WALL_INK),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        colorway=[WALL_INK, "#56B4E9", PROJECTION, "#E69F00", "#009E73"],
        xaxis=axis,
        yaxis=axis,
        margin=dict(l=font_px // 2, r=font_px * 3, t=font_px * 3, b=font_px // 2),
        legend=dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", font=dict(size=font_px)),
        hovermode=False,
        separators=".,",
    ))


# --- reporting completeness (/data) ------------------------------------------------------------
# Okabe–Ito again, so the matrix stays readable for colour-blind readers; each status also shows
# an icon and (with 12 months or fewer) its word. Missing is the one saturated colour: it is what
# a meeting asks about. Dark text on all of them (at least 4.5:1).
REPORTING_COLORS = {
    "on_time": "#BFE6D8",      # bluish green, light
    "late": "#E69F00",         # orange
    "partial": "#F0E442",      # yellow
    "missing": "#D55E00",      # vermillion
    "pending": "#CFE8F7",      # sky blue, light
    "not_expected": "#F3F4F6",  # grey
}
REPORTING_REVISED = "#CC79A7"  # reddish purple: the revised mark, never a status colour
