"""Figure builders: checked through fig.data and fig.layout, no browser."""
from __future__ import annotations

import json
import math

import plotly.graph_objects as go

from dashboard import figures, geo, theme

NAN = math.nan


def fmt(v):
    """A stand-in formatter."""
    return f"{v:.1f}"


def series(values, partial=None, name="actual", start=1):
    """A monthly series from 2022-start."""
    periods = tuple(f"2022-{m:02d}" for m in range(start, start + len(values)))
    return figures.Series(name, periods, tuple(values), tuple(partial or [False] * len(values)))


def ranked(code, progress, status, name=None, selected=False):
    """One child unit."""
    return figures.Ranked(code, name or code, name or code, progress, status, f"{progress}", selected)


def annotation_texts(fig):
    return [a.text for a in fig.layout.annotations]


def test_every_builder_uses_the_shared_template():
    figs = [figures.no_data("x"),
            figures.trend(series([1, 2]), fmt=fmt, title="t", lang="zh"),
            figures.ranking([ranked("330782100000", 0.5, "off_track")], title="r", lang="zh"),
            figures.tiles([ranked("330782100000", 0.5, "off_track")], title="t", lang="zh")]
    for fig in figs:
        assert isinstance(fig, go.Figure)
        assert fig.layout.template.layout.font.family == theme.FONT_STACK


def test_no_data_figure_has_a_message_and_no_axes():
    fig = figures.no_data("无数据", height=200)
    assert annotation_texts(fig) == ["无数据"]
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert not fig.data


def test_trend_breaks_the_line_at_missing_months_instead_of_drawing_zero():
    fig = figures.trend(series([1.0, NAN, 3.0]), fmt=fmt, title="t", lang="zh")
    line = fig.data[0]
    assert list(line.y) == [1.0, None, 3.0]
    assert line.connectgaps is False
    assert list(line.x) == ["2022-01-01", "2022-02-01", "2022-03-01"]


def test_trend_marks_partial_months_with_their_own_trace():
    fig = figures.trend(series([1.0, 2.0, 3.0], partial=[False, True, False]), fmt=fmt, title="t", lang="zh")
    partial = [t for t in fig.data if t.name == "部分单位未报送的月份"]
    assert len(partial) == 1
    assert list(partial[0].x) == ["2022-02-01"] and partial[0].marker.symbol == "circle-open"


def test_trend_draws_target_line_marker_and_dotted_projection_to_the_target_date():
    target = figures.Target(10.0, "2022-12", (("2022-01", 10.0), ("2022-12", 10.0)))
    fig = figures.trend(series([4.0, 5.0, 6.0]), fmt=fmt, title="t", lang="en", target=target,
                        projection=(("2022-03", 6.0), ("2022-12", 9.5)), as_of="2022-03")
    names = [t.name for t in fig.data]
    assert "Target" in names and any(n.startswith("Projection") for n in names)
    projection = next(t for t in fig.data if t.name.startswith("Projection"))
    assert list(projection.x) == ["2022-03-01", "2022-12-01"] and list(projection.y) == [6.0, 9.5]
    assert projection.line.dash == "dot"
    marker = next(t for t in fig.data if t.mode == "markers" and t.name == "Target")
    assert list(marker.x) == ["2022-12-01"] and list(marker.y) == [10.0]
    assert "10.0" in marker.hovertemplate and "Dec 2022" in marker.hovertemplate


def test_trend_with_a_prorated_target_names_it_so():
    target = figures.Target(2.0, "2022-12", tuple((f"2022-{m:02d}", m / 6) for m in range(1, 13)), prorated=True)
    fig = figures.trend(series([0, 0, 1]), fmt=fmt, title="t", lang="zh", target=target)
    path = next(t for t in fig.data if t.name == "按进度应达")
    assert len(path.x) == 12 and path.y[-1] == 2.0


def test_trend_without_any_value_or_target_is_the_no_data_state():
    fig = figures.trend(series([NAN, NAN]), fmt=fmt, title="t", lang="zh")
    assert annotation_texts(fig) == ["无数据"] and not fig.data


def test_trend_comparison_lines_come_before_the_actual_line():
    fig = figures.trend(series([1, 2]), fmt=fmt, title="t", lang="zh",
                        comparisons=[series([2, 3], name="佛堂镇")])
    assert [t.name for t in fig.data][:2] == ["佛堂镇", "actual"]


def _svg(uri: str) -> str:
    from urllib.parse import unquote

    assert uri.startswith("data:image/svg+xml,")
    return unquote(uri.split(",", 1)[1])


def test_sparkline_breaks_the_line_at_gaps_in_the_status_colour():
    svg = _svg(figures.sparkline(series([1.0, NAN, 2.0, 3.0]), "at_risk"))
    path = svg.split(' d="')[1].split('"')[0]
    assert path.count("M") == 2 and path.count("L") == 1  # 1 | gap | 2 - 3: two runs, never a drop to 0
    assert f'stroke="{theme.STATUS_COLORS["at_risk"]}"' in svg


def test_sparkline_keeps_partial_months_of_sums_off_the_line():
    partial = figures.Series("x", ("2022-01", "2022-02", "2022-03"), (10.0, 11.0, 4.0), (False, False, True))
    svg = _svg(figures.sparkline(partial, "on_track", additive=True))
    path = svg.split(' d="')[1].split('"')[0]
    assert path.count("M") + path.count("L") == 2  # only the two complete months are joined
    assert 'fill="white"' in svg  # the incomplete month is an open dot
    rate = _svg(figures.sparkline(partial, "on_track", additive=False))
    assert rate.split(' d="')[1].split('"')[0].count("L") == 2  # a ratio's partial month is a fair estimate


def test_sparkline_without_values_draws_nothing():
    assert "<path" not in _svg(figures.sparkline(series([NAN]), "no_data"))


def test_ranking_sorts_by_progress_and_carries_the_unit_code():
    rows = [ranked("a", 0.8, "off_track"), ranked("b", 1.2, "achieved"), ranked("c", NAN, "no_data"),
            ranked("d", 0.97, "at_risk")]
    fig = figures.ranking(rows, title="r", lang="zh")
    assert list(fig.layout.yaxis.categoryarray) == ["b", "d", "a", "c"]
    bars = [t for t in fig.data if t.type == "bar"]
    assert {t.name for t in bars} == {"✓ 已达标", "! 有风险", "✗ 滞后"}
    for bar in bars:
        assert list(bar.customdata) == list(bar.y)
        assert bar.orientation == "h"
    achieved = next(t for t in bars if t.name == "✓ 已达标")
    assert list(achieved.x) == [120.0] and achieved.marker.color == theme.STATUS_COLORS["achieved"]


def test_ranking_shows_missing_progress_as_text_not_as_a_zero_bar():
    fig = figures.ranking([ranked("a", 0.5, "off_track"), ranked("c", NAN, "no_data")], title="r", lang="en")
    assert all("c" not in list(t.y) for t in fig.data if t.type == "bar")
    missing = next(t for t in fig.data if t.type == "scatter")
    assert missing.mode == "text" and "No data" in missing.text[0]


def test_ranking_has_a_target_line_at_100_percent():
    fig = figures.ranking([ranked("a", 0.5, "off_track")], title="r", lang="zh")
    assert any(s.x0 == 100 and s.x1 == 100 for s in fig.layout.shapes)


def test_empty_ranking_is_the_no_data_state():
    assert annotation_texts(figures.ranking([], title="r", lang="zh")) == ["无数据"]


def test_tiles_place_every_township_in_its_cell_coloured_by_status():
    rows = [ranked(code, 1.0, "achieved", selected=code == "330782100000") for code in geo.TILE_POSITIONS]
    fig = figures.tiles(rows, title="t", lang="zh")
    labels = fig.data[0]
    assert list(labels.customdata) == list(geo.TILE_POSITIONS)
    assert [(x, y) for x, y in zip(labels.x, labels.y)] == list(geo.TILE_POSITIONS.values())
    assert len(fig.layout.shapes) == 14
    assert {s.fillcolor for s in fig.layout.shapes} == {theme.STATUS_COLORS["achieved"]}
    assert sum(1 for s in fig.layout.shapes if s.line.width == 4) == 1  # the selected township
    assert all("✓ 已达标" in text for text in labels.text)


def test_tiles_put_unknown_townships_below_the_grid():
    fig = figures.tiles([ranked("330782999000", 0.5, "off_track")], title="t", lang="zh")
    assert fig.data[0].y[0] >= 5


def test_map_draws_outlines_from_geojson_and_labels_carry_the_code(tmp_path):
    square = [[120.0, 29.3], [120.1, 29.3], [120.1, 29.4], [120.0, 29.4], [120.0, 29.3]]
    feature = {"type": "Feature", "properties": {"name": "佛堂镇"},
               "geometry": {"type": "Polygon", "coordinates": [square]}}
    path = tmp_path / "townships.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    outlines = geo.load_outlines(path, {"330782100000": "佛堂镇"})
    fig = figures.township_map([ranked("330782100000", 0.5, "off_track")], outlines, title="m", lang="zh")
    fill = fig.data[0]
    assert fill.fill == "toself" and fill.fillcolor == theme.STATUS_COLORS["off_track"]
    assert list(fig.data[-1].customdata) == ["330782100000"]


def test_map_without_matching_outlines_falls_back_to_tiles():
    fig = figures.township_map([ranked("330782100000", 0.5, "off_track")], {}, title="m", lang="zh")
    assert len(fig.layout.shapes) == 1


def test_builders_do_not_mutate_their_arguments():
    rows = [ranked("b", 0.5, "off_track"), ranked("a", 1.5, "achieved")]
    before = list(rows)
    figures.ranking(rows, title="r", lang="zh")
    figures.tiles(rows, title="t", lang="zh")
    assert rows == before


def test_geojson_features_match_townships_by_code_adcode_or_name(tmp_path):
    square = [[[120.0, 29.3], [120.1, 29.3], [120.1, 29.4], [120.0, 29.3]]]
    features = [{"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": square}}
                for props in ({"code": "330782001000"}, {"adcode": 330782002}, {"name": "稠江街道"}, {"name": "外地"})]
    path = tmp_path / "townships.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    towns = {"330782001000": "稠城街道", "330782002000": "江东街道", "330782003000": "稠江街道"}
    assert set(geo.load_outlines(path, towns)) == set(towns)
    assert geo.find_geojson(tmp_path / "nowhere", tmp_path) == path
