"""Where the townships are: a schematic tile grid, or real outlines from a boundary GeoJSON.

No public township boundaries of Yiwu exist, so the overview draws a tile grid that keeps the
rough compass positions (大陈 in the north, 佛堂 and 赤岸 in the south). If someone provides a
GeoJSON of the township boundaries, the overview draws a real map from it instead.
"""
from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)
GEOJSON_NAME = "townships.geojson"

# (column, row) of each township on a 5 x 5 grid, row 0 at the top (north).
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "330782106000": (2, 0),  # 大陈镇
    "330782005000": (1, 1),  # 后宅街道
    "330782004000": (2, 1),  # 北苑街道
    "330782105000": (3, 1),  # 苏溪镇
    "330782104000": (0, 2),  # 上溪镇
    "330782006000": (1, 2),  # 城西街道
    "330782001000": (2, 2),  # 稠城街道
    "330782008000": (3, 2),  # 福田街道
    "330782007000": (4, 2),  # 廿三里街道
    "330782102000": (1, 3),  # 义亭镇
    "330782003000": (2, 3),  # 稠江街道
    "330782002000": (3, 3),  # 江东街道
    "330782100000": (2, 4),  # 佛堂镇
    "330782101000": (3, 4),  # 赤岸镇
}
GRID_COLUMNS = 5


@dataclasses.dataclass(frozen=True)
class Outline:
    """One township's boundary: rings of (lon, lat), outer rings and holes alike."""

    code: str
    rings: tuple[tuple[tuple[float, float], ...], ...]

    def centre(self) -> tuple[float, float]:
        """The mean of the longest ring's points: good enough to place a label."""
        ring = max(self.rings, key=len)
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def tile_position(code: str, index: int) -> tuple[int, int]:
    """The grid cell of a township; unknown codes go below the grid in order."""
    return TILE_POSITIONS.get(code, (index % GRID_COLUMNS, 5 + index // GRID_COLUMNS))


def find_geojson(*folders: Path) -> Path | None:
    """The first townships.geojson in the given folders, if any."""
    for folder in folders:
        path = Path(folder) / GEOJSON_NAME
        if path.is_file():
            return path
    return None


def load_outlines(path: Path, townships: dict[str, str]) -> dict[str, Outline]:
    """Township outlines from a GeoJSON file, matched by code (12 or 9 digits) or by name.

    `townships` maps code -> name. Features that match no township are skipped with a warning.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    by_name = {name: code for code, name in townships.items()}
    outlines: dict[str, Outline] = {}
    for feature in data.get("features", []):
        code = _match(feature.get("properties") or {}, townships, by_name)
        rings = _rings(feature.get("geometry") or {})
        if code is None or not rings:
            log.warning("%s: skipped a feature that matches no township: %s", path, feature.get("properties"))
            continue
        outlines[code] = Outline(code, rings)
    return outlines


def _match(props: dict, townships: dict[str, str], by_name: dict[str, str]) -> str | None:
    """The township code a feature's properties name."""
    for key in ("code", "adcode", "id"):
        raw = str(props.get(key, "")).strip()
        if raw and raw.ljust(12, "0") in townships:
            return raw.ljust(12, "0")
    name = str(props.get("name", "")).strip()
    return by_name.get(name)


def _rings(geometry: dict) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Every ring of a Polygon or MultiPolygon."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return tuple(tuple((float(x), float(y)) for x, y, *_ in ring) for polygon in polygons for ring in polygon)
