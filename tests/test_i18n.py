"""UI strings and the number, date and status formats the pages and the tests share."""
from __future__ import annotations

import math
import re

import pytest

from dashboard import i18n
from dashboard.data import catalogue as cat


@pytest.fixture(scope="module")
def ind():
    """Indicators by code."""
    return {i.code: i for i in cat.load_catalogue()}


def test_every_string_has_both_languages():
    for key, (zh, en) in i18n.STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_t_fills_placeholders_in_the_language():
    assert i18n.t("as_of", "zh", month="2022年6月") == "截至2022年6月"
    assert i18n.t("as_of", "en", month="Jun 2022") == "as of Jun 2022"


def test_unknown_language_falls_back_to_chinese():
    assert i18n.lang_or_default("fr") == "zh"
    assert i18n.lang_or_default("en") == "en"


def test_large_numbers_use_wan_in_chinese_only():
    assert i18n.fmt_number(169_000, 0, "zh") == "16.9万"
    assert i18n.fmt_number(169_000, 0, "en") == "169,000"
    assert i18n.fmt_number(6_818, 0, "zh") == "6,818"  # below six digits: plain digits read better
    assert i18n.fmt_number(250_000_000, 0, "zh") == "2.5亿"


def test_missing_is_a_dash_never_zero(ind):
    for x in (None, math.nan):
        assert i18n.fmt_number(x, 1, "zh") == i18n.MISSING
        assert i18n.fmt_with_unit(x, ind["certified_social_workers"], "zh") == "—"
        assert i18n.fmt_percent(x) == "—"
        assert i18n.fmt_pace(x, ind["certified_social_workers"], "en") == "—"


def test_no_negative_zero():
    assert i18n.fmt_number(-0.01, 1, "en") == "0.0"


def test_values_carry_the_indicators_unit_and_decimals(ind):
    assert i18n.fmt_with_unit(979.0, ind["certified_social_workers"], "zh") == "979人"
    assert i18n.fmt_with_unit(979.0, ind["certified_social_workers"], "en") == "979 persons"
    assert i18n.fmt_with_unit(40.8653, ind["elderly_beds_per_1000"], "zh") == "40.9张/千人"
    assert i18n.fmt_with_unit(96.2845, ind["key_recipient_visit_rate"], "zh") == "96.3%"
    assert i18n.fmt_with_unit(0.8719, ind["social_workers_per_60_beds"], "en") == "0.87 per 60 beds"
    assert i18n.fmt_with_unit(83.55, ind["charity_index"], "zh") == "83.55分"
    assert i18n.fmt_with_unit(111.73, ind["certified_social_workers"], "zh") == "111.7人"


def test_growth_values_are_signed_percentages(ind):
    assert i18n.fmt_with_unit(5.5556, ind["dibao_standard"], "zh", "growth") == "+5.6%"
    assert i18n.fmt_target(5.0, ind["dibao_standard"], "en", "growth") == "≥ +5.0%"


def test_pace_is_per_month_with_sign_and_rates_in_points(ind):
    assert i18n.fmt_pace(3.5, ind["certified_social_workers"], "zh") == "+3.5人"
    assert i18n.fmt_pace(0.6193, ind["key_recipient_visit_rate"], "zh") == "+0.6个百分点"
    assert i18n.fmt_pace(0.6193, ind["key_recipient_visit_rate"], "en") == "+0.6 pp"
    assert i18n.fmt_pace(0.0367, ind["new_5a_social_orgs"], "zh") == "+0.04家"


def test_progress_is_a_percentage_of_the_target():
    assert i18n.fmt_percent(0.979) == "97.9%"
    assert i18n.fmt_percent(1.1111) == "111.1%"


def test_months_in_chinese_and_english():
    assert i18n.fmt_month("2022-06", "zh") == "2022年6月"
    assert i18n.fmt_month("2022-12", "en") == "Dec 2022"
    assert i18n.fmt_month(None, "zh") == "—"


def test_every_status_has_a_word_and_an_icon_in_both_languages():
    for status in i18n.STATUS_ORDER:
        zh, en = i18n.status_label(status, "zh"), i18n.status_label(status, "en")
        assert zh.split(" ", 1)[0] == en.split(" ", 1)[0] == i18n.STATUS_ICONS[status]
        assert len(zh.split(" ", 1)[1]) >= 2 and len(en.split(" ", 1)[1]) >= 2
    assert i18n.status_label("achieved", "zh") == "✓ 已达标"
    assert i18n.status_label("off_track", "en") == "✗ Off track"


def test_categories_translate():
    assert [i18n.category_name(c, "en") for c in cat.CATEGORIES] == [
        "Assistance", "Elderly care", "Social services", "Grassroots governance", "Charity"]
    assert i18n.category_name("养老", "zh") == "养老"


def test_coverage_names_the_level_that_reports():
    assert i18n.coverage_text(13, 14, "township", "zh") == "13/14 镇街已报送"
    assert i18n.coverage_text(537, 542, "village", "zh") == "537/542 村社已报送"
    assert i18n.coverage_text(537, 542, "village", "en") == "537/542 villages/communities reported"


def test_unit_names_keep_chinese_and_add_pinyin_for_townships_in_english():
    assert i18n.unit_name("330782100000", "佛堂镇", "township", "zh") == "佛堂镇"
    assert i18n.unit_name("330782100000", "佛堂镇", "township", "en") == "Fotang (佛堂镇)"
    assert i18n.unit_name("330782000000", "义乌市", "city", "en") == "Yiwu (义乌市)"
    assert i18n.unit_name("330782100014", "大成社区居委会", "village", "en") == "大成社区居委会"
    assert set(i18n.TOWNSHIP_EN) == {r.code for r in cat.load_units() if r.kind == "township"}


def test_short_names_drop_the_suffix_for_tiles():
    assert i18n.short_name("稠城街道") == "稠城"
    assert i18n.short_name("佛堂镇") == "佛堂"
    assert i18n.short_name("某镇") == "某镇"  # never down to nothing
