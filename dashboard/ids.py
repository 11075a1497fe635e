"""Every component ID, in one place: a typo fails at import, not in the browser.

Constants are UPPER_SNAKE with kebab-case values, prefixed by where they live: APP (routing and
state), SHELL (header), FILTER (the filter bar), PAGE (the frame every page shares), UNIT (the
city and township pages), VILLAGE (the village page).
"""
from __future__ import annotations

# Routing and state: the URL is the source of truth; the stores hold the resolved view.
APP_URL = "app-url"
APP_CANONICAL = "app-canonical"          # canonical URL, written back with history.replaceState
APP_CANONICAL_DONE = "app-canonical-done"
APP_DOCUMENT = "app-document"            # the tab title, set in the browser
APP_SCROLL = "app-scroll"                # a card's trend button scrolls the trend into view
APP_ROUTE = "app-route"                  # {"page": ..., "unit": ...}
APP_MONTH = "app-month"
APP_CATEGORY = "app-category"
APP_INDICATOR = "app-indicator"
APP_LANG = "app-lang"
APP_TOWNS = "app-towns"

# Header
SHELL_TITLE = "shell-title"
SHELL_DEMO_BADGE = "shell-demo-badge"
SHELL_LANG = "shell-lang"
SHELL_ACCOUNT = "shell-account"  # who is signed in, and the sign-out form
SHELL_AUTH_OFF_BADGE = "shell-auth-off-badge"  # "演示模式: 未启用登录"

# Filters
FILTER_MONTH = "filter-month"
FILTER_CATEGORY = "filter-category"
FILTER_TOWNS = "filter-towns"

# Frame shared by all pages
PAGE_BREADCRUMB = "page-breadcrumb"
PAGE_TITLE = "page-title"
PAGE_SUBTITLE = "page-subtitle"
PAGE_ALERT = "page-alert"
PAGE_CARDS = "page-cards"

# City and township pages
UNIT_SECTION = "unit-section"
UNIT_INDICATOR = "unit-indicator"
UNIT_TREND = "unit-trend"
UNIT_RANKING = "unit-ranking"
UNIT_RANKING_NOTE = "unit-ranking-note"
UNIT_TILES = "unit-tiles"
UNIT_TILES_COLUMN = "unit-tiles-column"
UNIT_RANKING_COLUMN = "unit-ranking-column"
UNIT_TABLE = "unit-table"
UNIT_TABLE_TITLE = "unit-table-title"

# Village page
VILLAGE_SECTION = "village-section"
VILLAGE_TRENDS = "village-trends"

CARD_SELECT = "card-select"
CARD_SPARKLINE = "card-sparkline"
VILLAGE_TREND = "village-trend"

# Wall display (/wall): its own tree, served instead of the shell; see layouts/wall.py.
WALL_ROOT = "wall-root"
WALL_OPTIONS = "wall-options"            # the parsed URL options (wallstate.WallOptions)
WALL_DATA = "wall-data"                  # every panel of every unit in the rotation, from the refresh
WALL_HEALTH = "wall-health"              # the server's word on the last refresh: database reachable or not
WALL_FRESH = "wall-fresh"                # browser time of the last good refresh
WALL_VIEWPORT = "wall-viewport"          # window size, so charts size their text to it
WALL_ROTATE = "wall-rotate"
WALL_REFRESH = "wall-refresh"
WALL_TICK = "wall-tick"
WALL_UNIT = "wall-unit"
WALL_PANEL_TITLE = "wall-panel-title"
WALL_CLOCK = "wall-clock"
WALL_DATE = "wall-date"
WALL_BANNER = "wall-banner"
WALL_STAGE = "wall-stage"
WALL_CONTENT = "wall-content"
WALL_GRAPH_BOX = "wall-graph-box"
WALL_GRAPH = "wall-graph"
WALL_AS_OF = "wall-as-of"
WALL_REFRESHED = "wall-refreshed"
WALL_DEMO = "wall-demo"
WALL_STEP = "wall-step"
WALL_PROGRESS = "wall-progress"


def card_select(indicator: str) -> dict:
    """The "trend" button of a KPI card (pattern-matching: selects the card's indicator)."""
    return {"type": CARD_SELECT, "ind": indicator}


def card_sparkline(indicator: str) -> dict:
    """The sparkline graph of a KPI card."""
    return {"type": CARD_SPARKLINE, "ind": indicator}


def village_trend(indicator: str) -> dict:
    """One indicator's trend graph on the village page."""
    return {"type": VILLAGE_TREND, "ind": indicator}


# Downloads and briefs (issue 5): CSV buttons next to each chart and table, one brief per page
EXPORT_BRIEF = "export-brief"                  # 导出简报: zip of the page's one-page brief
EXPORT_BRIEF_DOWNLOAD = "export-brief-download"
EXPORT_TREND_CSV = "export-trend-csv"
EXPORT_RANKING_CSV = "export-ranking-csv"
EXPORT_TILES_CSV = "export-tiles-csv"
EXPORT_TABLE_CSV = "export-table-csv"
EXPORT_VILLAGE_CSV = "export-village-csv"      # every chart of the village page
EXPORT_CSV_DOWNLOAD = "export-csv-download"


# Reporting (issue 6): /data and /data/<township>: completeness matrix, a cell's history, what is
# missing, submission templates; and the header's links between the dashboard and /data.
SHELL_NAV = "shell-nav"
DATA_SECTION = "data-section"
DATA_MATRIX_TITLE = "data-matrix-title"
DATA_INDICATOR = "data-indicator"              # one indicator, or none for all together
DATA_SPAN = "data-span"                        # months shown
DATA_RULE = "data-rule"                        # the deadline rule in words
DATA_LEGEND = "data-legend"
DATA_MATRIX = "data-matrix"
DATA_DETAIL = "data-detail"                    # the clicked cell's submissions and revisions
DATA_MISSING_TITLE = "data-missing-title"
DATA_MISSING = "data-missing"
DATA_MISSING_CSV = "data-missing-csv"
DATA_MISSING_DOWNLOAD = "data-missing-download"
DATA_TEMPLATE_TITLE = "data-template-title"
DATA_TEMPLATE_NOTE = "data-template-note"
DATA_TEMPLATE_UNIT = "data-template-unit"
DATA_TEMPLATE_MONTH = "data-template-month"
DATA_TEMPLATE_XLSX = "data-template-xlsx"
DATA_TEMPLATE_CSV = "data-template-csv"
DATA_TEMPLATE_DOWNLOAD = "data-template-download"
DATA_DETAIL_TITLE = "data-detail-title"              # inside DATA_DETAIL, for tests and screen readers
DATA_DETAIL_SUBMISSIONS = "data-detail-submissions"
DATA_DETAIL_VALUES = "data-detail-values"


# Data freshness (callbacks/freshness.py)
SHELL_STALE = "shell-stale"
SHELL_HEALTH_TICK = "shell-health-tick"


# Uploading a monthly submission file on /data (issue 8). The card's frame is shown, labelled and
# sized by a callback every /data visitor runs (it shows the card to those who may upload only),
# so its IDs are data-file-*. The upload's own outputs are data-upload-*: dashboard/auth.py refuses
# a callback writing to a data-upload-* ID to anyone who may not upload.
DATA_FILE_CARD = "data-file-card"
DATA_FILE_TITLE = "data-file-title"
DATA_FILE_HELP = "data-file-help"                # what to upload, the limits, a link to the templates
DATA_FILE_DROP = "data-file-drop"                # dcc.Upload: drop or choose a .csv/.xlsx (max_size from settings)
DATA_FILE_DROP_TEXT = "data-file-drop-text"
DATA_FILE_LOAD_LABEL = "data-file-load-label"    # the words on DATA_UPLOAD_LOAD
DATA_UPLOAD_LOAD = "data-upload-load"            # 确认上传: enabled once the dropped file checked clean
DATA_UPLOAD_RESULT = "data-upload-result"        # what became of the file: rows and submission, or every error
DATA_UPLOAD_ERRORS = "data-upload-errors"        # inside DATA_UPLOAD_RESULT: one row per line and reason
DATA_UPLOAD_DONE = "data-upload-done"            # set after a load: the matrix and the missing list draw again
