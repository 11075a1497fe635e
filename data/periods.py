"""Month periods as 'YYYY-MM' strings: parsing, arithmetic and ranges."""
from __future__ import annotations

import datetime as dt
import re

_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})-(\d{1,2})-01$"),
)


def parse_period(text) -> str:
    """'2022-06', '2022/6', '2022年6月', '202206' or a date -> '2022-06'; ValueError otherwise."""
    if isinstance(text, (dt.date, dt.datetime)):
        return f"{text.year:04d}-{text.month:02d}"
    raw = str(text).strip()
    for form in _FORMS:
        m = form.match(raw)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                return f"{year:04d}-{month:02d}"
            break
    raise ValueError(f"period {raw!r} is not a month such as 2022-06")


def add_months(period: str, months: int) -> str:
    """The period `months` later (negative: earlier)."""
    index = to_index(period) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def to_index(period: str) -> int:
    """Months since year 0, so that differences are month counts."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def months_between(start: str, end: str) -> int:
    """end - start in months."""
    return to_index(end) - to_index(start)


def month_range(start: str, end: str) -> list[str]:
    """Every period from start to end inclusive."""
    return [add_months(start, i) for i in range(months_between(start, end) + 1)]


def current_period(today: dt.date | None = None) -> str:
    """The month we are in."""
    today = today or dt.date.today()
    return f"{today.year:04d}-{today.month:02d}"


def year_start(period: str) -> str:
    """January of the period's year."""
    return f"{period[:4]}-01"
