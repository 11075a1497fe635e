"""Briefs: CSV that round-trips to the engine, safe file names, PNGs that decode and show Chinese glyphs."""
from __future__ import annotations

import dataclasses
import io
import os
import zipfile

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import brief_figure, briefs, cli, exports, i18n
from dashboard.data.catalogue import CITY_CODE

FOTANG = "330782100000"
MONTH = "2022-06"
HOSTILE = ['../../etc/passwd', '..', '/abs/olute', 'a/b\\c', 'x"y\'z`', 'nul\x00ctl\x1b\n', 'CON', '.hidden', '   ',
           '佛堂镇/../..']


@pytest.fixture(scope="session")
def renderer():
    """The process's kaleido renderer; skipped without Chromium unless KPI_REQUIRE_BROWSER=1."""
    from dashboard.render import RenderUnavailable, shared_renderer

    try:
        return shared_renderer().start()
    except RenderUnavailable as exc:
        if os.environ.get("KPI_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip(f"kaleido cannot start Chromium: {exc}")


@pytest.fixture(scope="session")
def fotang_brief(demo_service):
    return briefs.build(demo_service, FOTANG, MONTH)


def image(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


# --- CSV -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", [CITY_CODE, FOTANG, "330782100014"])
def test_brief_csv_round_trips_to_the_numbers_kpis_prints(demo_service, code):
    data = briefs.build(demo_service, code, MONTH)
    back = exports.read_csv(briefs.csv_of(data))
    expected = demo_service.kpi_frame(code, MONTH)
    assert list(back.columns) == list(expected.columns)
    numeric = ["value", "numerator", "denominator", "target", "progress", "projected", "pace_needed",
               "prorated_target", "reported_units", "expected_units"]
    pd.testing.assert_frame_equal(back[numeric].astype(float), expected[numeric].astype(float))
    assert back["indicator"].tolist() == expected["indicator"].tolist()
    assert back["status"].tolist() == expected["status"].tolist()
    assert set(back["unit_code"]) == {code}


def test_brief_csv_equals_the_cli_kpis_csv(demo_settings, demo_service, capsys, monkeypatch):
    for name, value in {"KPI_DATABASE_URL": demo_settings.database_url, "KPI_VAR_DIR": str(demo_settings.var_dir)}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["kpis", "--unit", FOTANG, "--as-of", MONTH, "--format", "csv"]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"unit_code": str})
    back = exports.read_csv(briefs.csv_of(briefs.build(demo_service, FOTANG, MONTH)))
    pd.testing.assert_frame_equal(back.astype(object).where(back.notna(), None),
                                  printed.astype(object).where(printed.notna(), None), check_dtype=False)


def test_csv_opens_in_chinese_excel_bom_chinese_headers_codes_unformatted(fotang_brief):
    raw = briefs.csv_of(fotang_brief)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header = text.split("\r\n")[0].split(",")
    assert header[:4] == ["指标代码(indicator)", "单位代码(unit_code)", "统计期(period)", "数值(value)"]
    assert "certified_social_workers" in text and "持证社工人数" in text
    assert "万" not in text and "%" not in text.split("\r\n")[1]  # numbers as numbers, never formatted


def test_a_missing_value_is_empty_never_zero():
    frame = pd.DataFrame({"indicator": ["x"], "value": [float("nan")]})
    assert exports.csv_bytes(frame).decode("utf-8-sig").split("\r\n")[1] == "x,"


def test_chart_csv_holds_every_point_the_trend_draws(demo_service):
    from dashboard.callbacks import charts

    fig = charts.trend_figure(demo_service, FOTANG, "certified_social_workers", MONTH, "zh")
    frame = exports.figure_frame(fig, "certified_social_workers")
    actual = frame[frame["series"] == i18n.t("actual", "zh")]
    shown = [(str(x)[:7], y) for x, y in zip(fig.data[0].x, fig.data[0].y)]
    assert [(p, v) for p, v in zip(actual["period"], actual["value"])] == \
           [(p, None if y is None else round(y, 4)) for p, y in shown] or len(actual) == len(shown)
    assert sum(len(t.x) for t in fig.data if t.type == "scatter") == len(frame)


# --- file names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", HOSTILE)
def test_file_name_parts_cannot_name_another_folder(name):
    part = exports.safe_part(name)
    assert part and "/" not in part and "\\" not in part and ".." not in part
    assert not part.startswith(".") and all(ch.isprintable() for ch in part)
    assert part.upper() not in {"CON", "NUL"}


def test_chinese_stays_in_file_names():
    assert exports.file_stem("持证社工人数", "佛堂镇", "2022-06") == "持证社工人数_佛堂镇_2022-06"


@pytest.mark.parametrize("name", HOSTILE)
def test_a_unit_named_to_escape_writes_only_inside_the_output_folder(tmp_path, fotang_brief, name):
    data = dataclasses.replace(fotang_brief, unit=dataclasses.replace(fotang_brief.unit, name=name))
    out = tmp_path / "out"
    written = briefs.write(out, briefs.files(data, formats=("csv",)))
    assert written and all(p.parent == out.resolve() for p in written)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(p.name for p in written)


def test_inside_refuses_a_link_that_points_outside_the_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "简报.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(ValueError):
        exports.inside(out, "简报.csv")
    assert exports.inside(out, "..").parent == out.resolve()
    assert exports.inside(out, "../x.csv").parent == out.resolve()


# --- the brief's figure (pure) ---------------------------------------------------------------------------
def test_brief_cards_show_the_engines_numbers_and_status(fotang_brief, demo_service):
    fig = brief_figure.compose(fotang_brief, 1920, 1080)
    texts = " ".join(a.text for a in fig.layout.annotations)
    for k in fotang_brief.kpis:
        ind = demo_service.indicators[k.indicator]
        assert i18n.fmt_with_unit(k.value, ind, "zh", k.target_kind) in texts
        assert i18n.status_label(k.status, "zh") in texts
    assert i18n.t("brief_demo", "zh") in texts and "数据截至2022年6月" in texts
    assert fig.layout.width == 1920 and fig.layout.height == 1080
    assert all(0 <= a.x <= 1 and 0 <= a.y <= 1 for a in fig.layout.annotations)


def test_brief_in_english_and_a4(demo_service):
    data = briefs.build(demo_service, CITY_CODE, MONTH, lang="en")
    fig = brief_figure.compose(data, *briefs.SIZES["A4"][:2])
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "Data as of Jun 2022" in texts and "Yiwu (义乌市)" in texts
    assert len(fig.data) > 3  # the trend and the township ranking


# --- PNG (kaleido + Chromium) ----------------------------------------------------------------------------
def test_brief_pngs_decode_at_their_sizes_and_are_not_blank(fotang_brief, renderer):
    files = briefs.files(fotang_brief, renderer)
    stem = "简报_佛堂镇_2022-06"
    assert set(files) == {f"{stem}_16x9.png", f"{stem}_A4.png", f"{stem}.csv"}
    for suffix, size in [("16x9", (1920, 1080)), ("A4", (3508, 2480))]:
        img = image(files[f"{stem}_{suffix}.png"])
        assert img.size == size
        pixels = np.asarray(img.resize((480, 270)))
        assert pixels.std() > 20 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50
        for status in {k.status for k in fotang_brief.kpis}:  # every status colour is on the page
            colour = np.array([int(brief_figure.theme.status_color(status)[i:i + 2], 16) for i in (1, 3, 5)])
            assert (np.abs(np.asarray(img).astype(int) - colour).sum(axis=2) < 6).sum() > 500, status


def test_a_reused_tab_renders_the_same_bytes_as_a_fresh_one(fotang_brief, renderer):
    from dashboard.render import Renderer

    fig = brief_figure.compose(fotang_brief, 1920, 1080)
    other = go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout=dict(title="前一张图"))
    fresh = Renderer(tabs=1).start()
    try:
        first = fresh.png(fig, 1920, 1080)
        fresh.png(other, 800, 600)
        assert fresh.png(fig, 1920, 1080) == first
    finally:
        fresh.close()


def glyph_cells(renderer, text: str, font: str = brief_figure.BRIEF_FONT) -> list[np.ndarray]:
    """Render text in black on white and cut it into one binary cell per character."""
    fig = go.Figure(layout=dict(width=100 * len(text), height=140, margin=dict(l=0, r=0, t=0, b=0),
                                xaxis=dict(visible=False), yaxis=dict(visible=False), paper_bgcolor="#fff",
                                plot_bgcolor="#fff"))
    for i, ch in enumerate(text):
        fig.add_annotation(text=ch, x=(i + 0.5) / len(text), y=0.5, xref="paper", yref="paper", showarrow=False,
                           font=dict(family=font, size=80, color="#000"))
    ink = np.asarray(image(renderer.png(fig, 100 * len(text), 140)).convert("L")) < 128
    return [ink[:, i * 100:(i + 1) * 100] for i in range(len(text))]


def test_chinese_text_renders_as_glyphs_not_tofu(renderer):
    chinese = glyph_cells(renderer, "持证社工人数")
    tofu = glyph_cells(renderer, "\U0010fff0\U0010fff1\U0010fff2\U0010fff3\U0010fff4\U0010fff5")  # no font has these
    assert all(cell.sum() > 300 for cell in chinese), "a character drew (almost) nothing"
    # missing glyphs all draw the same box; real characters differ from it and from each other
    distinct = {cell.tobytes() for cell in chinese}
    assert len(distinct) == len(chinese)
    for cell in chinese:
        assert (cell ^ tofu[0]).sum() > 0.3 * max(cell.sum(), tofu[0].sum())
    shapes = [(c ^ chinese[0]).sum() for c in chinese[1:]]
    assert min(shapes) > 300, "characters look alike: boxes, not glyphs"


# --- the command ---------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(demo_settings, monkeypatch):
    for name, value in {"KPI_DATABASE_URL": demo_settings.database_url, "KPI_VAR_DIR": str(demo_settings.var_dir)}.items():
        monkeypatch.setenv(name, value)


def test_brief_all_writes_the_city_and_every_township(tmp_path, cli_env, demo_service, capsys):
    assert cli.main(["brief", "--unit", "all", "--as-of", MONTH, "--out", str(tmp_path), "--format", "csv"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 15 and "简报_义乌市_2022-06.csv" in names and "简报_佛堂镇_2022-06.csv" in names
    err = capsys.readouterr().err
    assert "15/15" in err  # the progress bar reached the end
    back = exports.read_csv((tmp_path / "简报_佛堂镇_2022-06.csv").read_bytes())
    assert back["value"].tolist() == pytest.approx(demo_service.kpi_frame(FOTANG, MONTH)["value"].tolist(),
                                                   nan_ok=True)


def test_brief_png_from_the_command(tmp_path, cli_env, renderer):
    assert cli.main(["brief", "--unit", FOTANG, "--as-of", MONTH, "--out", str(tmp_path / "new"),
                     "--lang", "en"]) == 0
    names = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert names == ["brief_佛堂镇_2022-06.csv", "brief_佛堂镇_2022-06_16x9.png", "brief_佛堂镇_2022-06_A4.png"]
    assert image((tmp_path / "new" / "brief_佛堂镇_2022-06_A4.png").read_bytes()).size == (3508, 2480)


def test_one_failed_brief_fails_the_run_but_the_others_are_written(tmp_path, cli_env, monkeypatch, capsys):
    real = briefs.build

    def build(service, code, *args, **kwargs):
        if code == FOTANG:
            raise RuntimeError("broken unit")
        return real(service, code, *args, **kwargs)
    monkeypatch.setattr(briefs, "build", build)
    assert cli.main(["brief", "--unit", "all", "--as-of", MONTH, "--out", str(tmp_path), "--format", "csv"]) == 1
    assert len(list(tmp_path.iterdir())) == 14
    assert "failed: " + FOTANG in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--unit", "999"], ["--as-of", "2022-13"], ["--format", "pdf"]])
def test_bad_arguments_exit_2(tmp_path, cli_env, args):
    assert cli.main(["brief", "--out", str(tmp_path), *args]) == 2


def test_no_brief_without_data(tmp_path, empty_settings, monkeypatch, capsys):
    monkeypatch.setenv("KPI_DATABASE_URL", empty_settings.database_url)
    assert cli.main(["brief", "--out", str(tmp_path / "out"), "--format", "csv"]) == 1
    assert "no data yet" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_brief_zip_holds_both_pngs_and_the_csv(demo_service, renderer):
    from dashboard.callbacks import exports as export_callbacks
    from dashboard.callbacks.common import view_of

    content, name = export_callbacks.brief_zip(demo_service, view_of({"page": "city"}, MONTH, None, None, "zh"),
                                               renderer)
    assert name == "简报_义乌市_2022-06.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["简报_义乌市_2022-06.csv", "简报_义乌市_2022-06_16x9.png",
                                              "简报_义乌市_2022-06_A4.png"]


# --- the download callbacks, called directly -----------------------------------------------------------
def test_png_names_and_brief_button_follow_the_view(demo_service):
    from dashboard.callbacks import exports as export_callbacks

    out = export_callbacks.update_export_controls(demo_service, {"page": "township", "unit": FOTANG}, MONTH,
                                                  "elderly_beds_per_1000", "zh", [])
    display, label, *_, trend, ranking, tiles = out
    assert display != "none" and label == "导出简报"
    assert trend["toImageButtonOptions"] == {"format": "png", "scale": 3,
                                             "filename": "每千名老人拥有机构养老床位_佛堂镇_2022-06"}
    assert "toImage" not in trend["modeBarButtonsToRemove"]
    assert ranking["toImageButtonOptions"]["filename"] == "重点对象月探访率_佛堂镇_2022-06_排名"  # villages' fallback
    hidden = export_callbacks.update_export_controls(demo_service, {"page": "village", "unit": "330782100014"},
                                                     MONTH, None, "zh", [])
    assert hidden[0] == "none"


def test_ranking_csv_holds_the_engine_rows_of_the_townships_drawn(demo_service):
    from dashboard import ids
    from dashboard.callbacks import exports as export_callbacks
    from dashboard.callbacks.common import view_of

    view = view_of({"page": "city"}, MONTH, None, "certified_social_workers", "zh", [FOTANG, "330782001000"])
    sent = export_callbacks.csv_download(demo_service, view, ids.EXPORT_RANKING_CSV, None)
    assert sent["filename"] == "持证社工人数_义乌市_2022-06_排名.csv"
    import base64

    frame = exports.read_csv(base64.b64decode(sent["content"]))
    assert sorted(frame["unit_code"]) == sorted([FOTANG, "330782001000"])
    assert frame.set_index("unit_code").loc[FOTANG, "value"] == demo_service.kpi_frame(FOTANG, MONTH).set_index(
        "indicator").loc["certified_social_workers", "value"]
