"""KPI cards: value, target, progress, status (colour + icon + word), sparkline, projection, coverage.

Cards are built from the engine's Kpi as given; every number goes through i18n's formatters, the
same ones the tests use, so a card shows the engine's number and nothing else. Elements that show
a number carry data-kpi / data-field attributes so browser tests can find them.
"""
from __future__ import annotations

import dataclasses

import dash_mantine_components as dmc
from dash import html

from dashboard import i18n, ids, theme
from dashboard.data.catalogue import Indicator
from dashboard.engine import Kpi


@dataclasses.dataclass(frozen=True)
class CardData:
    """What one card shows: the indicator, the engine's verdict, and its sparkline."""

    indicator: Indicator
    kpi: Kpi
    sparkline: str  # an SVG data URI (figures.sparkline)
    start_period: str | None = None  # where a cumulative flow starts counting


def _field(ind: str, name: str, text: str, **props) -> dmc.Text:
    """A text element that tests can find by indicator and field."""
    return dmc.Text(text, **{"data-kpi": ind, "data-field": name}, **props)


def basis(card: CardData, lang: str) -> str:
    """What the value is: this month's level, year to date, since a start, or year on year."""
    kind, ind = card.kpi.target_kind, card.indicator
    if kind == "growth":
        return i18n.t("yoy", lang)
    if ind.aggregation == "flow" and kind == "cumulative" and card.start_period:
        return i18n.t("since", lang, month=i18n.fmt_month(card.start_period, lang))
    if ind.aggregation == "flow":
        return i18n.t("ytd", lang)
    return i18n.t("level_now", lang)


def status_badge(status: str, lang: str, **props) -> dmc.Badge:
    """Status as colour, icon and word together."""
    return dmc.Badge(i18n.status_label(status, lang), color=theme.status_color(status), variant="filled",
                     autoContrast=True, radius="sm", size="lg", tt="none", **props)


def kpi_card(card: CardData, lang: str, selectable: bool = True) -> dmc.Card:
    """One indicator's card; selectable cards have a button that shows their trend below."""
    ind, k = card.indicator, card.kpi
    code = ind.code
    head = dmc.Group(justify="space-between", align="flex-start", wrap="nowrap", gap="xs", children=[
        dmc.Text(ind.name(lang), fw=600, size="sm", lh=1.3),
        status_badge(k.status, lang, **{"data-kpi": code, "data-field": "status"}),
    ])
    value = dmc.Group(align="baseline", gap=6, children=[
        _field(code, "value", i18n.fmt_with_unit(k.value, ind, lang, k.target_kind), fz=26, fw=700, lh=1.2),
        dmc.Text(basis(card, lang), size="xs", c="dimmed"),
    ])
    children = [head, value, *_target_lines(card, lang), *_projection_lines(card, lang)]
    if k.partial and k.expected_units:
        children.append(_field(code, "coverage", i18n.coverage_text(k.reported_units, k.expected_units,
                                                                    ind.level, lang), size="xs", c="#8a5a00"))
    children.append(html.Img(id=ids.card_sparkline(code), src=card.sparkline, alt="", className="kpi-sparkline",
                             style={"height": "48px", "width": "100%", "display": "block"}))
    if selectable:
        children.append(dmc.Button(i18n.t("show_trend", lang), id=ids.card_select(code), variant="subtle",
                                   size="compact-xs", className="kpi-card-trend"))
    return dmc.Card(withBorder=True, radius="md", padding="sm", className="kpi-card",
                    style={"borderLeft": f"6px solid {theme.status_color(k.status)}"},
                    children=dmc.Stack(gap=4, children=children))


def _target_lines(card: CardData, lang: str) -> list:
    """Target and date (with an 'assumed' mark), and the progress bar."""
    ind, k = card.indicator, card.kpi
    if i18n.is_missing(k.target):  # with no value either, there is nothing to judge: say nothing
        return [] if i18n.is_missing(k.value) else [dmc.Text(i18n.t("no_target", lang), size="sm", c="dimmed")]
    target = i18n.t("target_by", lang, target=i18n.fmt_target(k.target, ind, lang, k.target_kind),
                    date=i18n.fmt_month(k.target_date, lang))
    line = dmc.Group(gap=6, children=[_field(ind.code, "target", target, size="sm")])
    if k.target_is_assumption:
        line.children.append(dmc.Tooltip(label=i18n.t("assumed_hint", lang), multiline=True, w=260, children=
                                         dmc.Badge(i18n.t("assumed", lang), variant="outline", color="gray",
                                                   size="xs", radius="sm")))
    lines = [line]
    if not i18n.is_missing(k.progress):
        pct = i18n.fmt_percent(k.progress)
        lines.append(dmc.Group(gap=8, wrap="nowrap", children=[
            dmc.Progress(value=max(0.0, min(100.0, k.progress * 100)), color=theme.status_color(k.status),
                         size="md", radius="sm", style={"flex": 1}),
            _field(ind.code, "progress", i18n.t("progress", lang, pct=pct), size="xs", c="dimmed"),
        ]))
    return lines


def _projection_lines(card: CardData, lang: str) -> list:
    """The projected value at the target date, and the monthly pace still needed."""
    ind, k = card.indicator, card.kpi
    lines = []
    if not i18n.is_missing(k.projected) and k.target_date:
        lines.append(_field(ind.code, "projected", i18n.t(
            "projected", lang, date=i18n.fmt_month(k.target_date, lang),
            value=i18n.fmt_with_unit(k.projected, ind, lang, k.target_kind)), size="xs"))
    if not i18n.is_missing(k.pace_needed):
        lines.append(_field(ind.code, "pace", i18n.t("pace", lang, pace=i18n.fmt_pace(k.pace_needed, ind, lang)),
                            size="xs"))
    return lines


def card_groups(groups: list[tuple[str, list[CardData]]], lang: str, selectable: bool = True) -> list:
    """Titled grids of cards, one per group (headline first, then each category)."""
    out = []
    for title, cards in groups:
        if not cards:
            continue
        out.append(dmc.Title(title, order=4, mt="lg", mb="xs"))
        out.append(dmc.SimpleGrid(cols={"base": 1, "sm": 2, "md": 3, "xl": 5}, spacing="md",
                                  children=[kpi_card(card, lang, selectable) for card in cards]))
    return out
