"""The wall display's options, as a value parsed from its URL (/wall?units=all&rotate=20&...).

Pure: parsing knows nothing of Dash or the database. Every option has a default, numbers are
clamped to sane bounds, and anything unknown falls back to the default, so a mistyped URL on a
TV still shows a working wall. Unit codes are checked against the data later, by the callback.
"""
from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qs, urlparse

PANELS = ("tiles", "trends", "league", "completeness")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CODE = re.compile(r"^\d{12}$")
LANGS = ("zh", "en")
ROTATE = (20.0, 5.0, 600.0)        # default, minimum, maximum seconds per panel
REFRESH = (300.0, 10.0, 3600.0)    # default, minimum, maximum seconds between data refreshes
BENCH_MINIMUM = (0.1, 1.0)         # bench=1 lowers the minimums (rotate, refresh) for the benchmark
STALE_GRACE = 5.0                  # seconds past two missed refreshes before the browser calls data stale
WALL_PATH = "/wall"


@dataclasses.dataclass(frozen=True)
class WallOptions:
    """What one wall shows and how fast it moves."""

    unit: str | None = None          # a township (or the city) code; None: the city
    all_units: bool = False          # rotate through the city and then every township
    rotate: float = ROTATE[0]        # seconds each panel stays
    refresh: float = REFRESH[0]      # seconds between data refreshes
    lang: str = "zh"
    panels: tuple[str, ...] = PANELS
    month: str | None = None         # pin the as-of month; None: the latest month with data
    bench: bool = False

    @property
    def stale_after(self) -> float:
        """Seconds without a good refresh after which the browser shows the stale banner itself."""
        return 2 * self.refresh + STALE_GRACE

    def as_store(self) -> dict:
        """A JSON-able dict (for dcc.Store)."""
        return {**dataclasses.asdict(self), "panels": list(self.panels), "stale_after": self.stale_after}

    @classmethod
    def from_store(cls, data: dict | None) -> "WallOptions":
        """The inverse of as_store; an empty store gives the defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in names}
        if "panels" in values:
            values["panels"] = tuple(values["panels"])
        return cls(**values)


def parse(search: str | None, default_lang: str = "zh") -> WallOptions:
    """The options a query string asks for, with defaults for anything missing or malformed."""
    query = parse_qs((search or "").lstrip("?"))
    first = {k: v[0].strip() for k, v in query.items() if v and v[0].strip()}
    bench = first.get("bench", "").lower() in ("1", "true", "yes")
    rotate_min, refresh_min = BENCH_MINIMUM if bench else (ROTATE[1], REFRESH[1])
    unit = first.get("unit")
    lang = first.get("lang")
    month = first.get("month")
    return WallOptions(
        unit=unit if unit and CODE.match(unit) else None,
        all_units=first.get("units", "").lower() == "all",
        rotate=seconds(first.get("rotate"), ROTATE[0], rotate_min, ROTATE[2]),
        refresh=seconds(first.get("refresh"), REFRESH[0], refresh_min, REFRESH[2]),
        lang=lang if lang in LANGS else (default_lang if default_lang in LANGS else "zh"),
        panels=panels(first.get("panels")),
        month=month if month and PERIOD.match(month) else None,
        bench=bench,
    )


def seconds(raw: str | None, default: float, minimum: float, maximum: float) -> float:
    """A number of seconds clamped to [minimum, maximum]; the default when missing or not a number."""
    try:
        value = float(raw) if raw is not None else default
    except ValueError:
        return default
    if value != value or value in (float("inf"), float("-inf")):  # nan, inf
        return default
    return min(maximum, max(minimum, value))


def panels(raw: str | None) -> tuple[str, ...]:
    """Known panel names in the order given, without repeats; every panel when none is known."""
    chosen = [p.strip().lower() for p in (raw or "").split(",")]
    known = tuple(dict.fromkeys(p for p in chosen if p in PANELS))
    return known or PANELS


def is_wall_path(path: str | None, prefix: str = "/") -> bool:
    """True for /wall and anything under it (after the app's URL prefix)."""
    if not path:
        return False
    base = "/" + (path[len(prefix):] if prefix and path.startswith(prefix) else path.lstrip("/"))
    return base == WALL_PATH or base.startswith(WALL_PATH + "/")


def from_page_url(url: str | None, prefix: str = "/", default_lang: str = "zh") -> WallOptions | None:
    """The wall's options if url is a wall page's address, else None (a managers' page)."""
    if not url:
        return None
    try:
        parts = urlparse(url)
    except ValueError:  # a malformed address (http://[, a netloc that NFKC changes) is no wall page
        return None
    return parse(parts.query, default_lang) if is_wall_path(parts.path, prefix) else None
