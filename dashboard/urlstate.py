"""Everything a manager has chosen, as a value that round-trips through the URL.

Path: /, /township/<code>, /village/<code>, and the reporting page /data or /data/<township code>.
Query: month, cat, ind, lang, towns (comma-separated), span (months the /data matrix shows).
Pure: parsing and writing know nothing of Dash; resolving takes the facts it checks against.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from urllib.parse import parse_qs, quote, urlencode

PAGES = {"": "city", "township": "township", "village": "village", "data": "data"}
SPANS = (12, 24, 48)  # months the reporting matrix (/data) may show; the first is the default
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CODE = re.compile(r"^\d{12}$")


@dataclasses.dataclass(frozen=True)
class View:
    """One view of the dashboard: page and unit, month, category, indicator, language, townships."""

    page: str = "city"            # city | township | village | data | missing
    unit: str | None = None
    month: str | None = None
    cat: str | None = None
    ind: str | None = None
    lang: str = "zh"
    towns: tuple[str, ...] = ()
    span: int | None = None       # /data only: months shown, None for the default (SPANS[0])

    def as_store(self) -> dict:
        """A JSON-able dict (for dcc.Store)."""
        return {**dataclasses.asdict(self), "towns": list(self.towns)}

    @classmethod
    def from_store(cls, data: dict | None) -> "View":
        """The inverse of as_store; an empty store gives the default view."""
        data = dict(data or {})
        data["towns"] = tuple(data.get("towns") or ())
        return cls(**{k: v for k, v in data.items() if k in {f.name for f in dataclasses.fields(cls)}})


def parse(pathname: str | None, search: str | None) -> View:
    """What the URL asks for, unchecked (except for shape): resolve() checks it against the data."""
    page, unit = parse_path(pathname)
    query = parse_qs((search or "").lstrip("?"))
    first = {k: v[0].strip() for k, v in query.items() if v and v[0].strip()}
    month = first.get("month") if PERIOD.match(first.get("month", "")) else None
    towns = tuple(c for c in first.get("towns", "").split(",") if CODE.match(c))
    span = int(first["span"]) if re.fullmatch(r"[0-9]{1,4}", first.get("span", "")) else None  # isdigit() let ² in
    return View(page, unit, month, first.get("cat"), first.get("ind"), first.get("lang", ""), towns, span)


def parse_path(pathname: str | None) -> tuple[str, str | None]:
    """'/township/330782100000' -> ('township', '330782100000'); anything unknown -> ('missing', None)."""
    parts = [p for p in (pathname or "/").split("/") if p]
    if not parts:
        return "city", None
    if parts[0] == "data" and (len(parts) == 1 or (len(parts) == 2 and CODE.match(parts[1]))):
        return "data", parts[1] if len(parts) == 2 else None
    if len(parts) == 2 and parts[0] in ("township", "village") and CODE.match(parts[1]):
        return parts[0], parts[1]
    return "missing", None


def path_for(page: str, unit: str | None) -> str:
    """The pathname of a page."""
    unit = quote(unit, safe="", errors="replace") if unit else unit  # a forged unit cannot add ?, # or / to it
    if page == "data":
        return f"/data/{unit}" if unit else "/data"
    return f"/{page}/{unit}" if page in ("township", "village") and unit else "/"


def search_for(view: View) -> str:
    """The query string of a view, in a fixed order (the language always: a shared link keeps it)."""
    pairs = []
    if view.month:
        pairs.append(("month", view.month))
    if view.cat:
        pairs.append(("cat", view.cat))
    if view.ind:
        pairs.append(("ind", view.ind))
    if view.lang:
        pairs.append(("lang", view.lang))
    if view.towns and view.page == "city":
        pairs.append(("towns", ",".join(view.towns)))
    if view.span and view.page == "data":
        pairs.append(("span", str(view.span)))
    return "?" + urlencode(pairs, safe=",", errors="replace") if pairs else ""  # a lone surrogate cannot be UTF-8


def href_for(view: View) -> str:
    """Path and query of a view."""
    return path_for(view.page, view.unit) + search_for(view)


@dataclasses.dataclass(frozen=True)
class Facts:
    """What a view is checked against: the unit's kind, the months, indicators and townships on offer."""

    unit_kind: str | None               # kind of the unit the path names (None: no such unit)
    months: Sequence[str]               # months with data, oldest first
    indicators: Sequence[tuple[str, str]]  # (code, category) applicable to the unit, catalogue order
    townships: Sequence[str]
    categories: Sequence[str]
    langs: Sequence[str] = ("zh", "en")
    default_lang: str = "zh"


def resolve(view: View, facts: Facts) -> View:
    """A view that the data can show: unknown values fall back to defaults, children follow parents."""
    page, unit = view.page, view.unit
    if page in ("township", "village") and facts.unit_kind != page:
        page, unit = "missing", None
    if page == "data" and unit and facts.unit_kind != "township":
        page, unit = "missing", None
    if page == "city":
        unit = None
    month = view.month if view.month in facts.months else (facts.months[-1] if facts.months else None)
    cat = view.cat if view.cat in facts.categories else None
    offered = [code for code, category in facts.indicators if cat is None or category == cat]
    ind = view.ind if view.ind in offered else None
    lang = view.lang if view.lang in facts.langs else facts.default_lang
    towns = tuple(c for c in dict.fromkeys(view.towns) if c in facts.townships) if page == "city" else ()
    span = view.span if page == "data" and view.span in SPANS[1:] else None
    return View(page, unit, month, cat, ind, lang, towns, span)


def change(view: View, **changes) -> View:
    """The view with some choices changed; a new category clears the indicator chosen under the old one."""
    if "cat" in changes and changes["cat"] != view.cat and "ind" not in changes:
        changes["ind"] = None
    return dataclasses.replace(view, **changes)


def drill(view: View, page: str, unit: str | None) -> View:
    """The view of another unit, keeping month, category, indicator and language."""
    return dataclasses.replace(view, page=page, unit=unit if page != "city" else None,
                               towns=view.towns if page == "city" else ())
