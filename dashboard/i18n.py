"""Every UI string in Chinese and English, and the number, date and status formats of both.

Pages and tests format numbers through the same functions here, so a number on a card is the
engine's number by construction. Missing values format as "—", never as 0.
"""
from __future__ import annotations

import math

from .data.catalogue import Indicator

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
MISSING = "—"
STATUS_ORDER = ("achieved", "on_track", "at_risk", "off_track", "no_data")
STATUS_ICONS = {"achieved": "✓", "on_track": "↗", "at_risk": "!", "off_track": "✗", "no_data": "—"}
CATEGORY_EN = {"救助": "Assistance", "养老": "Elderly care", "社会服务": "Social services",
               "基层治理": "Grassroots governance", "慈善": "Charity"}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Official names stay Chinese; English readers get the pinyin of the 14 townships.
TOWNSHIP_EN = {
    "330782001000": "Choucheng", "330782002000": "Jiangdong", "330782003000": "Choujiang",
    "330782004000": "Beiyuan", "330782005000": "Houzhai", "330782006000": "Chengxi",
    "330782007000": "Niansanli", "330782008000": "Futian", "330782100000": "Fotang",
    "330782101000": "Chi'an", "330782102000": "Yiting", "330782104000": "Shangxi",
    "330782105000": "Suxi", "330782106000": "Dachen",
}
CITY_EN = "Yiwu"

STRINGS: dict[str, tuple[str, str]] = {
    # shell
    "app_title": ("义乌市民政目标指标看板", "Yiwu civil affairs: targets and KPIs"),
    "demo_badge": ("演示数据 / demo data", "演示数据 / demo data"),
    "db_stale": ("数据库暂时无法连接,页面显示的是 {time} 的数据,恢复后自动更新。",
                 "The database cannot be reached: showing the data as of {time}; it updates by itself once it is back."),
    "db_down": ("数据库暂时无法连接,稍后自动重试。", "The database cannot be reached; retrying automatically."),
    "demo_note": ("页面数字来自演示数据,并非真实报送", "Numbers on this page are demo data, not real reports"),
    "lang_zh": ("中文", "中文"),
    "lang_en": ("English", "English"),
    "month": ("统计月份", "As of month"),
    "category": ("指标类别", "Category"),
    "all_categories": ("全部类别", "All categories"),
    "townships": ("镇街", "Townships"),
    "all_townships": ("全部镇街", "All townships"),
    "indicator": ("指标", "Indicator"),
    # pages
    "overview": ("全市概览", "City overview"),
    "page_township": ("镇街", "Township"),
    "page_village": ("村(社区)", "Village / community"),
    "as_of": ("截至{month}", "as of {month}"),
    "headline": ("重点指标", "Headline indicators"),
    "not_found": ("找不到这个页面或单位", "No such page or unit"),
    "not_found_hint": ("请从全市概览重新进入。", "Start again from the city overview."),
    "no_data_yet": ("暂无数据:数据库中还没有任何报送。导入报送后,这里会显示各项指标。",
                    "No data yet: the database holds no reports. Indicators appear here once reports are loaded."),
    "no_indicators": ("这个类别下没有适用于本单位的指标。", "No indicator of this category applies to this unit."),
    # cards
    "target": ("目标", "Target"),
    "target_by": ("目标 {target}({date})", "Target {target} by {date}"),
    "no_target": ("未设定目标", "No target set"),
    "assumed": ("目标为假设", "assumed target"),
    "assumed_hint": ("《实施意见》未明确规定此目标,为本看板的规划假设,请民政局确认。",
                     "The article does not state this target: a planning assumption of this dashboard."),
    "progress": ("完成度 {pct}", "{pct} of target"),
    "projected": ("预计{date}达到 {value}", "Projected {value} by {date}"),
    "pace": ("每月还需 {pace}", "Needs {pace} a month"),
    "ytd": ("本年累计", "Year to date"),
    "since": ("自{month}起累计", "Since {month}"),
    "yoy": ("同比增幅", "Year-on-year change"),
    "level_now": ("当月", "This month"),
    "prorated": ("按进度应达 {value}", "Prorated target {value}"),
    "coverage_township": ("{n}/{m} 镇街已报送", "{n}/{m} townships reported"),
    "coverage_village": ("{n}/{m} 村社已报送", "{n}/{m} villages/communities reported"),
    "coverage_city": ("{n}/{m} 已报送", "{n}/{m} reported"),
    "show_trend": ("看趋势", "Trend"),
    "pp": ("个百分点", " pp"),
    # charts
    "trend_title": ("{name}:实际、目标与预测", "{name}: actual, target and projection"),
    "actual": ("实际值", "Actual"),
    "partial": ("部分单位未报送的月份", "Month with missing reports"),
    "target_line": ("目标", "Target"),
    "prorated_line": ("按进度应达", "Prorated target"),
    "projection": ("预测(近12个月线性趋势)", "Projection (12-month linear trend)"),
    "target_point": ("目标 {value}({date})", "Target {value} ({date})"),
    "ranking_title_townships": ("各镇街完成度排名:{name}", "Townships by progress: {name}"),
    "ranking_title_villages": ("各村(社区)完成度排名:{name}", "Villages/communities by progress: {name}"),
    "ranking_axis": ("完成度(目标=100%)", "Progress (target = 100%)"),
    "tiles_title": ("各镇街状态(示意图,非实际边界):{name}", "Townships by status (schematic, not real boundaries): {name}"),
    "map_title": ("各镇街状态:{name}", "Townships by status: {name}"),
    "click_hint": ("点击进入", "Click to open"),
    "no_data": ("无数据", "No data"),
    "no_data_month": ("{month}没有数据", "No data for {month}"),
    "no_breakdown": ("「{name}」只有全市数据,没有镇街分解", "“{name}” exists for the city only: no township breakdown"),
    "child_fallback": ("「{name}」由{level}报送,没有下级明细;下面按「{other}」排名。",
                       "“{name}” is reported by {level}, with no breakdown below; ranked here by “{other}”."),
    "level_township": ("镇街", "townships"),
    "level_city": ("市级", "the city"),
    "trends_title": ("各项指标走势", "Indicators over time"),
    "townships_axis": ("所选镇街(右轴)", "Selected townships (right axis)"),
    # table
    "table_title_townships": ("镇街明细(可排序,点击一行进入)", "Townships (sortable; click a row to open it)"),
    "table_title_villages": ("村(社区)明细(可排序,点击一行进入)", "Villages and communities (sortable; click a row to open it)"),
    "col_name": ("名称", "Name"),
    "col_value": ("数值", "Value"),
    "col_target": ("目标", "Target"),
    "col_progress": ("完成度", "Progress"),
    "col_status": ("状态", "Status"),
    "col_projected": ("预测值", "Projected"),
    "col_reported": ("报送", "Reported"),
    "col_kind": ("类型", "Kind"),
    # wall display (/wall)
    "wall_as_of": ("数据截至 {month}", "Data as of {month}"),
    "wall_refreshed": ("刷新于 {time}", "Refreshed {time}"),
    "wall_connecting": ("正在连接数据…", "Connecting to the data…"),
    "wall_stale": ("数据连接中断,显示的是 {time} 的数据", "Data connection lost, showing data from {time}"),
    "wall_stale_never": ("数据连接中断,暂无数据", "Data connection lost: no data yet"),
    "wall_league": ("各镇街目标完成情况", "Townships against target"),
    "wall_league_note": ("格内为完成度;按达标或进度正常的项数、再按平均完成度排序",
                         "Cells: progress towards target. Ranked by indicators achieved or on track, then mean progress"),
    "wall_rank": ("排名", "Rank"),
    "wall_on_target": ("达标/正常", "On target"),
    "wall_completeness": ("{month}报送情况", "Reports for {month}"),
    "wall_township_reports": ("镇街月报", "Township reports"),
    "wall_village_reports": ("村社探访报送", "Village visit reports"),
    "wall_reported": ("已报送", "Reported"),
    "wall_partly": ("部分报送", "Partly reported"),
    "wall_not_reported": ("未报送", "Not reported"),
    "wall_items": ("{n}/{m} 项", "{n}/{m} items"),
    "wall_villages": ("村社 {n}/{m}", "Villages {n}/{m}"),
    "wall_missing_villages": ("尚未报送的村(社区)", "Villages and communities yet to report"),
    "wall_all_reported": ("全部已报送", "All have reported"),
    "wall_target_assumed": ("目标为假设", "Assumed target"),
}

# Short indicator names where space is tight (table headers on the wall); others use the full name.
SHORT_NAMES = {
    "certified_social_workers": ("持证社工", "Social workers"),
    "new_5a_social_orgs": ("新增5A社会组织", "New 5A orgs"),
    "elderly_beds_per_1000": ("每千名老人床位", "Beds per 1,000 elders"),
    "charity_index": ("慈善指数", "Charity index"),
    "key_recipient_visit_rate": ("重点对象探访率", "Visit rate"),
}

STATUS_WORDS = {
    "achieved": ("已达标", "Achieved"),
    "on_track": ("进度正常", "On track"),
    "at_risk": ("有风险", "At risk"),
    "off_track": ("滞后", "Off track"),
    "no_data": ("无数据", "No data"),
}


def lang_or_default(lang: str | None) -> str:
    """A supported language code, Chinese when in doubt."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str, **values) -> str:
    """The string `key` in a language, with {placeholders} filled in."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def status_word(status: str, lang: str) -> str:
    """已达标 / Achieved ..."""
    zh, en = STATUS_WORDS.get(status, STATUS_WORDS["no_data"])
    return en if lang == "en" else zh


def status_label(status: str, lang: str) -> str:
    """Icon and word, e.g. '✓ 已达标': colour is never the only signal."""
    return f"{STATUS_ICONS.get(status, STATUS_ICONS['no_data'])} {status_word(status, lang)}"


def category_name(category: str, lang: str) -> str:
    """救助 -> Assistance in English."""
    return CATEGORY_EN.get(category, category) if lang == "en" else category


def unit_name(code: str, name: str, kind: str, lang: str) -> str:
    """A unit's display name: Chinese always, with pinyin for the city and townships in English."""
    if lang != "en":
        return name
    if kind == "city":
        return f"{CITY_EN} ({name})"
    if code in TOWNSHIP_EN:
        return f"{TOWNSHIP_EN[code]} ({name})"
    return name


def short_name(name: str) -> str:
    """稠城街道 -> 稠城, 佛堂镇 -> 佛堂: for tiles, where space is tight."""
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def short_indicator_name(ind: Indicator, lang: str) -> str:
    """持证社工 for 持证社工人数: a short name where there is one, else the full name."""
    if ind.code in SHORT_NAMES:
        zh, en = SHORT_NAMES[ind.code]
        return en if lang == "en" else zh
    return ind.name(lang)


# --- numbers -----------------------------------------------------------------------------
def is_missing(x) -> bool:
    """None or NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_number(x, decimals: int, lang: str) -> str:
    """Thousands separators; in Chinese, 万/亿 from six digits up (169,000 -> 16.9万)."""
    if is_missing(x):
        return MISSING
    x = float(x)
    if lang != "en" and abs(x) >= 100_000_000:
        return f"{x / 100_000_000:,.1f}亿"
    if lang != "en" and abs(x) >= 100_000:
        return f"{x / 10_000:,.1f}万"
    text = f"{x:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0.0"


def decimals_for(ind: Indicator, x: float) -> int:
    """How many decimals a value shows: rates 1; ratios 2 below 10, else 1; counts 0 when whole."""
    if ind.measure == "rate":
        return 1
    if ind.measure == "ratio":  # 40.9 beds per thousand, but 0.86 social workers per 60 beds
        return 2 if abs(x) < 10 else 1
    if abs(x - round(x)) < 1e-9:
        return 0
    return 2 if abs(x) < 100 else 1


def fmt_value(x, ind: Indicator, lang: str, target_kind: str | None = None) -> str:
    """A KPI value as a number, without its unit: '979', '40.9', '96.3%', '+5.6%' (growth)."""
    if is_missing(x):
        return MISSING
    if target_kind == "growth":
        return f"{x:+.1f}%"
    text = fmt_number(x, decimals_for(ind, x), lang)
    return text + "%" if ind.measure == "rate" else text


def fmt_with_unit(x, ind: Indicator, lang: str, target_kind: str | None = None) -> str:
    """A KPI value with its unit: '979人', '40.9 张/千人' ... '96.3%'; '—' when missing."""
    text = fmt_value(x, ind, lang, target_kind)
    if text == MISSING or ind.measure == "rate" or target_kind == "growth":
        return text
    return _with_unit(text, ind.unit_label(lang), lang)


def fmt_target(x, ind: Indicator, lang: str, target_kind: str | None = None) -> str:
    """A target value: growth targets read '≥ +5.0%'."""
    if target_kind == "growth" and not is_missing(x):
        return f"≥ {fmt_value(x, ind, lang, 'growth')}"
    return fmt_with_unit(x, ind, lang)


def fmt_pace(x, ind: Indicator, lang: str) -> str:
    """Monthly pace still needed: '+3.5人', '+0.6个百分点'."""
    if is_missing(x):
        return MISSING
    decimals = decimals_for(ind, x) if ind.measure in ("rate", "ratio") else 1
    decimals = max(decimals, 2) if abs(x) < 0.1 else decimals  # +0.04, not +0.0
    number = ("+" if x >= 0 else "") + fmt_number(x, decimals, lang)
    if ind.measure == "rate":
        return number + t("pp", lang)
    return _with_unit(number, ind.unit_label(lang), lang)


def _with_unit(number: str, unit: str, lang: str) -> str:
    """'979人' in Chinese, '979 persons' in English."""
    return f"{number} {unit}" if lang == "en" else f"{number}{unit}"


def fmt_percent(x, decimals: int = 1) -> str:
    """A share as a percentage: 0.979 -> '97.9%'."""
    return MISSING if is_missing(x) else f"{x * 100:.{decimals}f}%"


# --- dates -------------------------------------------------------------------------------
def fmt_month(period: str | None, lang: str) -> str:
    """'2022-06' -> '2022年6月' / 'Jun 2022'."""
    if not period:
        return MISSING
    year, month = int(period[:4]), int(period[5:7])
    return f"{MONTHS_EN[month - 1]} {year}" if lang == "en" else f"{year}年{month}月"


def plotly_month_format(lang: str) -> str:
    """d3 time format of a month on chart axes and hovers."""
    return "%b %Y" if lang == "en" else "%Y年%-m月"


# --- coverage ----------------------------------------------------------------------------
def coverage_text(reported: int, expected: int, level: str, lang: str) -> str:
    """'13/14 镇街已报送' for township reports, '537/542 村社已报送' for village reports."""
    key = {"township": "coverage_township", "village": "coverage_village"}.get(level, "coverage_city")
    return t(key, lang, n=f"{reported:,}", m=f"{expected:,}")


# --- briefs and downloads (issue 5) -------------------------------------------------------------
STRINGS.update({
    "brief_title": ("{unit} 民政目标指标简报", "{unit}: civil-affairs targets brief"),
    "brief_as_of": ("数据截至{month}", "Data as of {month}"),
    "brief_source": ("数据来源:各镇街、村(社区)月度报送,经看板KPI引擎汇总(与 kpi-dashboard kpis 输出一致);"
                     "目标依据《实施意见》,标“假设”者为规划假设。",
                     "Source: monthly reports of townships and villages, rolled up by the dashboard's KPI engine "
                     "(as printed by kpi-dashboard kpis); targets from the 《实施意见》, “assumed” ones are planning "
                     "assumptions."),
    "brief_demo": ("演示数据,并非真实报送", "Demo data, not real reports"),
    "brief_file": ("简报", "brief"),
    "brief_summary": ("{n}项指标", "{n} indicators"),
    "brief_lowest": ("进度最慢的{n}个村(社区):{name}", "The {n} villages/communities furthest behind: {name}"),
    "export_brief": ("导出简报", "Export brief"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "file_trend": ("趋势", "trend"),
    "file_ranking": ("排名", "ranking"),
    "file_tiles": ("状态", "status"),
    "file_table": ("明细", "table"),
    "assumed_short": ("假设", "assumed"),
})

# CSV column headers: "中文(code)" (see dashboard/exports.py).
CSV_HEADERS = {
    "indicator": "指标代码", "unit_code": "单位代码", "period": "统计期", "value": "数值", "numerator": "分子",
    "denominator": "分母", "target": "目标值", "target_date": "目标期限", "progress": "完成度",
    "projected": "预测值", "status": "状态", "reported_units": "已报送单位数", "expected_units": "应报送单位数",
    "name_zh": "指标名称", "name_en": "英文名称", "target_kind": "目标类型", "pace_needed": "每月还需",
    "prorated_target": "按进度应达", "target_is_assumption": "目标为假设", "target_source": "目标依据",
    "unit_name": "单位名称", "series": "系列", "code": "单位代码", "name": "名称", "status_label": "状态说明",
    "projected_text": "预测值", "reported": "报送",
}


# --- reporting completeness and templates (issue 6, /data) ---------------------------------------
REPORT_STATUS_ORDER = ("on_time", "late", "partial", "missing", "pending", "not_expected")
# Glyphs the CJK fonts and DejaVu/Segoe UI Symbol carry (⏱ and ⌛ are missing from them: tofu).
REPORT_ICONS = {"on_time": "✓", "late": "◷", "partial": "◐", "missing": "✗", "pending": "…", "not_expected": "·"}
REVISED_ICON = "✎"
STRINGS.update({
    "nav_dashboard": ("指标看板", "Indicators"),
    "nav_data": ("报送情况", "Reporting"),
    "data_title": ("报送情况:{unit}", "Reporting: {unit}"),
    "data_matrix_city": ("各镇街逐月报送情况", "Monthly reports by township"),
    "data_matrix_township": ("本镇街及各村(社区)逐月报送情况", "Monthly reports of the township and its villages"),
    "data_all_indicators": ("全部指标", "All indicators"),
    "data_months": ("近{n}个月", "{n} months"),
    "data_rule": ("截止规则:统计月的次月{day}日24时(北京时间)前报齐为按时。", "Deadline: complete by midnight "
                  "(Beijing time) on day {day} of the next month is on time."),
    "data_click_cell": ("点击格子查看报送文件和历次修改{town}。", "Click a cell for its files and revisions{town}."),
    "data_click_town": (";点击镇街名称查看其村(社区)", "; click a township to see its villages"),
    "rs_on_time": ("按时", "On time"),
    "rs_late": ("逾期", "Late"),
    "rs_partial": ("部分", "Partial"),
    "rs_missing": ("未报", "Missing"),
    "rs_pending": ("未到期", "Not yet due"),
    "rs_not_expected": ("无需报送", "Not expected"),
    "rs_revised": ("有更正", "Revised"),
    "rs_late_days": ("{n}天", "{n}d"),
    "rs_help_on_time": ("截止前报齐", "complete by the deadline"),
    "rs_help_late": ("截止后才报齐", "complete after the deadline"),
    "rs_help_partial": ("只报了部分应报数值", "some values in, not all"),
    "rs_help_missing": ("截止已过,一项未报", "nothing in, deadline passed"),
    "rs_help_pending": ("尚未报送,截止未到", "nothing in yet, not due"),
    "rs_help_not_expected": ("该月无需报送", "nothing expected that month"),
    "rs_help_revised": ("之后有更正,原值保留", "corrected later; the earlier value is kept"),
    "data_city_row": ("{name}(市级指标)", "{name} (city indicators)"),
    "data_own_row": ("{name}(镇街指标)", "{name} (own indicators)"),
    "data_col_unit": ("单位", "Unit"),
    "data_complete_row": ("报齐单位", "Complete"),
    "data_tip": ("{unit} · {month}:{status},已报 {n}/{m} 项", "{unit} · {month}: {status}, {n}/{m} values in"),
    "data_no_rows": ("所选范围内没有应报送的数值。", "Nothing is expected in this range."),
    "data_detail_hint": ("点击上表中的格子,查看该单位该月的报送文件、时间、报送人,以及每个数值的历次修改。",
                         "Click a cell above to see the files behind it: when they arrived, who sent them, "
                         "and every revision of each value."),
    "data_due": ("截止 {date} 24时", "Due {date}, midnight"),
    "data_arrived": ("已报 {n}/{m} 项", "{n}/{m} values in"),
    "data_first": ("首次报送 {time}", "First arrived {time}"),
    "data_last": ("最近一次 {time}", "Latest {time}"),
    "data_beijing": ("时间均为北京时间", "Times are Beijing time"),
    "data_revisions": ("已更正 {n} 次", "Revised {n}×"),
    "data_submissions": ("报送文件", "Submissions"),
    "data_values": ("各数值及历次修改(有更正的排在前面)", "Values and every revision (revised first)"),
    "data_still_missing": ("尚未报送({n} 项)", "Not yet reported ({n})"),
    "data_and_more": ("等,共 {n} 项", "and more: {n} in all"),
    "data_all_n": ("全部 {n} 项均未报", "all {n} missing"),
    "list_sep": ("、", "; "),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "col_file": ("文件", "File"),
    "col_loaded_at": ("报送时间", "Arrived"),
    "col_loaded_by": ("报送人", "By"),
    "col_values_n": ("数值条数", "Values"),
    "col_still_current": ("仍为当前值", "Still current"),
    "col_indicator": ("指标", "Indicator"),
    "col_revision": ("版本", "Revision"),
    "col_numbers": ("数值 / 分子 / 分母", "Value / numerator / denominator"),
    "col_state": ("状态", "State"),
    "rev_current": ("当前值", "Current"),
    "rev_superseded": ("已被更正({file})", "Superseded ({file})"),
    "data_missing_title": ("{month}尚未报送", "Not yet reported for {month}"),
    "data_missing_none": ("{month}应报的数值已全部报送。", "Everything due for {month} has arrived."),
    "data_missing_csv": ("下载缺报清单 CSV", "Download the list (CSV)"),
    "data_missing_file": ("缺报清单", "missing-reports"),
    "col_township": ("镇街", "Township"),
    "col_missing_own": ("缺报镇街指标", "Own indicators missing"),
    "col_missing_villages": ("缺报村(社区)", "Villages missing"),
    "col_overdue": ("状态", "State"),
    "overdue_yes": ("已逾期", "Overdue"),
    "overdue_no": ("未到期", "Not yet due"),
    "data_template_title": ("报送模板", "Submission template"),
    "data_template_note": ("单位代码、名称和应报指标都已填好,只需填数字;Excel 模板带数据校验。填好的文件可直接用 "
                           "kpi-dashboard ingest 导入,无需修改。",
                           "Unit codes, names and the indicators due are filled in: only the numbers are left. "
                           "The Excel template checks what is typed. A filled-in file loads with kpi-dashboard "
                           "ingest as it is."),
    "data_template_unit": ("报送单位", "Unit"),
    "data_template_month": ("统计月份", "Month"),
    "data_template_xlsx": ("下载 Excel 模板", "Excel template"),
    "data_template_csv": ("下载 CSV 模板", "CSV template"),
})
CSV_HEADERS.update({
    "township_code": "镇街代码", "township_name": "镇街", "indicator_name": "指标名称", "due": "报送截止",
    "overdue": "已逾期",
})


def report_status_label(status: str, lang: str) -> str:
    """Icon and word of a reporting status, e.g. '⏱ 逾期': colour is never the only signal."""
    return f"{REPORT_ICONS.get(status, '')} {t('rs_' + status, lang)}"


# --- sign-in and access control (issue 8) --------------------------------------------------------
STRINGS.update({
    "login_title": ("登录", "Sign in"),
    "login_user": ("用户名", "User name"),
    "login_password": ("密码", "Password"),
    "login_submit": ("登录", "Sign in"),
    "login_other_lang": ("English", "中文"),
    "login_failed": ("用户名或密码不正确,或账号已停用。", "Wrong user name or password, or the account is disabled."),
    "login_blocked": ("登录失败次数过多,请 {minutes} 分钟后再试。",
                      "Too many failed sign-ins: try again in {minutes} minutes."),
    "login_expired": ("页面已过期,请重新输入后登录。", "The page had expired: please sign in again."),
    "login_unavailable": ("数据库暂时无法连接,暂不能登录,请稍后再试。",
                          "The database cannot be reached, so nobody can sign in just now: try again shortly."),
    "logout": ("退出登录", "Sign out"),
    "auth_off_badge": ("演示模式: 未启用登录", "演示模式: 未启用登录 (demo mode: sign-in off)"),
    "auth_off_note": ("登录已关闭(KPI_AUTH=off),任何能访问本机的人都能看到全部数据,仅供演示。",
                      "Sign-in is switched off (KPI_AUTH=off): anyone who can reach this machine sees everything. "
                      "For demonstrations only."),
    "role_admin": ("管理员", "admin"),
    "role_city": ("市级", "city"),
    "role_township": ("镇街", "township"),
    "role_viewer": ("只读", "viewer"),
})


# --- uploading a monthly file on /data (issue 8) -------------------------------------------------
STRINGS.update({
    "upload_title": ("上传报送文件", "Upload a submission file"),
    # {template} becomes a link to the page's templates.
    "upload_help": ("上传填好的月度报送文件(CSV 或 Excel .xlsx),格式与本页的{template}相同。文件先经过与 "
                    "kpi-dashboard ingest 相同的检查,全部无误后才能确认上传;有任何错误,都不会写入任何数据。"
                    "原文件随报送记录保存。",
                    "Upload a filled-in monthly file (CSV or Excel .xlsx), laid out as this page's {template}. "
                    "It is checked exactly as kpi-dashboard ingest checks a file, and can be loaded only when "
                    "every line is right: a file with any error writes nothing. The original file is kept "
                    "with the submission."),
    "upload_template_link": ("报送模板", "submission templates"),
    "upload_township_note": ("镇街账号只能上传本镇街及所辖村(社区)的数据。",
                             "A township account may upload its own township's and villages' figures only."),
    "upload_drop": ("将 CSV 或 Excel(.xlsx)文件拖到这里,或点击选择文件",
                    "Drop a CSV or Excel (.xlsx) file here, or click to choose one"),
    "upload_limits": ("每个文件不超过 {mb} MB、{rows} 行数据;更大的文件不会被接收,请拆分后上传。",
                      "Up to {mb} MB and {rows} data rows per file; a larger file is not taken: split it."),
    "upload_load": ("确认上传", "Load it"),
    "upload_checked": ("检查通过:{file}", "Checked, no errors: {file}"),
    "upload_checked_body": ("共 {rows} 行,其中 {changed} 行是新数值或更正,其余与已有数据相同。点击「确认上传」写入。",
                            "{rows} rows, of which {changed} are new or corrected values; the rest are as stored. "
                            "Press Load it to write them."),
    "upload_checked_same": ("共 {rows} 行,全部与已有数据相同:确认上传只会记下这份文件,不会改变任何数值。",
                            "{rows} rows, all as already stored: loading records the file and changes no value."),
    "upload_known": ("已上传过:{file}", "Loaded before: {file}"),
    "upload_checked_again": ("这份文件已作为报送 #{id} 上传过,无需再次上传。",
                             "This file was loaded before, as submission #{id}: there is nothing to load."),
    "upload_loaded": ("已写入:{file}", "Loaded: {file}"),
    "upload_loaded_body": ("共 {rows} 行,其中 {changed} 行是新数值或更正;报送编号 #{id}。上方的报送情况已更新。",
                           "{rows} rows, of which {changed} new or corrected values; submission #{id}. "
                           "The matrix above shows them."),
    "upload_unchanged": ("已记录:{file}", "Recorded: {file}"),
    "upload_unchanged_body": ("共 {rows} 行,全部与已有数据相同,没有数值改变;报送编号 #{id}。",
                              "{rows} rows, all as already stored: no value changed; submission #{id}."),
    "upload_again": ("未重复写入:{file}", "Not loaded again: {file}"),
    "upload_again_body": ("这份文件已作为报送 #{id} 上传过,没有任何改变。",
                          "This file was loaded before, as submission #{id}: nothing changed."),
    "upload_rejected": ("有 {n} 处错误,未写入任何数据:{file}", "{n} errors, nothing written: {file}"),
    "upload_rejected_body": ("请改正下列各行后重新选择文件。错误说明与 kpi-dashboard ingest 的输出相同(英文)。",
                             "Correct these lines and choose the file again. The reasons are those "
                             "kpi-dashboard ingest prints."),
    "upload_errors_more": ("仅列出前 {shown} 处,共 {n} 处。", "The first {shown} of {n} are listed."),
    "upload_col_line": ("行", "Line"),
    "upload_col_reason": ("问题", "Problem"),
    "upload_whole_file": ("整个文件", "whole file"),
    "upload_too_large": ("文件太大,未接收:{file}", "Too large, not taken: {file}"),
    "upload_too_large_body": ("文件有 {size} MB,上限是 {mb} MB。请拆分后分别上传。",
                              "The file is {size} MB; the limit is {mb} MB. Split it and upload the parts."),
    "upload_bad_type": ("不是 CSV 或 .xlsx 文件,未接收:{file}", "Not a CSV or .xlsx file, not taken: {file}"),
    "upload_bad_type_body": ("只接收 .csv 和 .xlsx 文件(旧版 .xls 请先另存为 .xlsx)。",
                             "Only .csv and .xlsx files are taken (save an old .xls as .xlsx first)."),
    "upload_denied": ("不能上传", "Upload not allowed"),
    "upload_denied_body": ("你的账号不能上传报送文件。", "Your account may not upload submission files."),
    "upload_failed": ("上传失败,未写入任何数据:{file}", "Upload failed, nothing written: {file}"),
    "upload_failed_body": ("数据库暂时出错或无法连接,请稍后再试。", "The database failed or cannot be reached: try again shortly."),
})
