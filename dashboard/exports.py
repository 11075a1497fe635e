"""Files people take away: CSV that opens in Chinese Excel and WPS, and file names that are safe.

CSV: UTF-8 with a BOM (Excel on a Chinese Windows machine reads BOM-less UTF-8 as GBK), CRLF
line ends, one header row "中文(code)" so a person reads Chinese and a script finds the code,
numbers unformatted (no thousands separators, units or %; empty where missing, never 0).
"""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from . import i18n

BOM = "\ufeff"
CSV_MIME = "text/csv"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")  # what makes Excel and WPS read a CSV cell as a formula
NAME_LIMIT = 60  # characters of one file-name part (a Chinese character is 3 bytes of the 255 allowed)
_UNSAFE = set('/\\:*?"<>|\'`$')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


# --- CSV -----------------------------------------------------------------------------------
def header(column: str) -> str:
    """'value' -> '数值(value)'; a column without a Chinese label keeps its code."""
    label = i18n.CSV_HEADERS.get(column)
    return f"{label}({column})" if label else column


def column_of(text: str) -> str:
    """The code back from a header: '数值(value)' -> 'value'."""
    found = re.fullmatch(r".*\(([^()]+)\)", text)
    return found.group(1) if found else text


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as Excel-friendly CSV bytes: BOM, "中文(code)" headers, CRLF, numbers as they are."""
    out = frame.rename(columns={c: header(c) for c in frame.columns})
    for column in out.columns:
        out[column] = inert(out[column])
    return (BOM + out.to_csv(index=False, lineterminator="\r\n", na_rep="")).encode("utf-8")


def inert(column: pd.Series) -> pd.Series:
    """Text a spreadsheet would run as a formula (a unit named =HYPERLINK(...)) kept as text by a leading '."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column  # a negative number stays a number
    return column.map(lambda x: "'" + x if isinstance(x, str) and x.startswith(FORMULA_LEADS) else x)


def read_csv(data: bytes) -> pd.DataFrame:
    """Read back what csv_bytes wrote, with the original column codes (for tests and scripts)."""
    import io

    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"unit_code": str, "code": str})
    frame = frame.rename(columns={c: column_of(c) for c in frame.columns})
    for column in ("unit_code", "code"):  # the header named them only after reading
        if column in frame.columns:
            frame[column] = frame[column].astype("string")
    return frame


def figure_frame(fig: go.Figure | dict, indicator: str) -> pd.DataFrame:
    """Every point a line chart draws, one row per series and month: exactly what the chart shows.

    A series is a legend entry: the actual values (or a township's, named), the months with missing
    reports, the target line and point, the projection.
    """
    fig = go.Figure(fig) if isinstance(fig, dict) else fig
    rows = []
    for trace in fig.data:
        if trace.type != "scatter" or trace.x is None or trace.y is None:
            continue
        for x, y in zip(trace.x, trace.y):
            rows.append({"indicator": indicator, "series": trace.name or "", "period": str(x)[:7],
                         "value": _number(y)})
    return pd.DataFrame(rows, columns=["indicator", "series", "period", "value"])


def table_frame(rows: list[dict], indicator: str) -> pd.DataFrame:
    """A table's rows as shown (the grid's filtered, sorted rows), numbers unformatted."""
    columns = ["code", "name", "indicator", "value", "target", "progress", "status", "status_label",
               "projected", "reported"]
    out = [{"code": r.get("code"), "name": r.get("name"), "indicator": indicator,
            "value": _number(r.get("value")), "target": _number(r.get("target")),
            "progress": _number(r.get("progress")), "status": r.get("status"),
            "status_label": r.get("status_text"), "projected": _number(r.get("projected")),
            "reported": r.get("reported")} for r in rows or []]
    return pd.DataFrame(out, columns=columns)


def _number(x) -> float | None:
    """A float rounded as `kpis` rounds (4 decimals), or None when missing."""
    if x is None or isinstance(x, str):
        return None
    x = float(x)
    return None if math.isnan(x) else round(x, 4)


# --- file names ----------------------------------------------------------------------------------
def safe_part(text: str, limit: int = NAME_LIMIT) -> str:
    """One part of a file name: Chinese and other letters kept; separators, quotes, control
    characters and '..' removed; never empty, never hidden, never a Windows device name."""
    text = unicodedata.normalize("NFC", str(text))
    kept = "".join("_" if ch in _UNSAFE or ch.isspace() or unicodedata.category(ch)[0] == "C" else ch
                   for ch in text)
    kept = re.sub(r"\.{2,}", "_", kept)
    kept = re.sub(r"_+", "_", kept).strip("._ ")[:limit].strip("._ ")
    if kept.split(".")[0].upper() in _WINDOWS_RESERVED:
        kept = "_" + kept
    return kept or "_"


def file_stem(*parts: str) -> str:
    """'持证社工人数', '佛堂镇', '2022-06' -> '持证社工人数_佛堂镇_2022-06' (each part made safe)."""
    return "_".join(safe_part(p) for p in parts if p)


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that would land outside folder (after resolving links)."""
    root = Path(folder).resolve()
    path = (root / safe_part(name, limit=200)).resolve()
    if path.parent != root:
        raise ValueError(f"refusing to write {name!r} outside {root}")
    return path
