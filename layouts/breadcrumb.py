"""The breadcrumb 义乌市 › 佛堂镇 › 某村: links up the hierarchy, the current unit as plain text."""
from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc


def breadcrumb(items: list[tuple[str, str | None]]) -> dmc.Breadcrumbs:
    """items: (label, href); the last one (href None) is where we are."""
    children = [dcc.Link(label, href=href) if href else
                dmc.Text(label, fw=600, size="sm", className="kpi-crumb-current")
                for label, href in items]
    return dmc.Breadcrumbs(separator="›", separatorMargin="xs", children=children)
