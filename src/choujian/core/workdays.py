"""Working-day calendar for statutory deadlines, with Chinese public holidays and make-up working days (调休).

Holiday data comes from the ``chinesecalendar`` package (``import chinese_calendar``), which encodes the State
Council's annual holiday notices. A day is a working day if it is a Monday–Friday that is not a public holiday, or a
weekend day declared a make-up working day (e.g. Sunday 2024-02-04). Years the package does not cover raise
:class:`CalendarNotCoveredError` instead of silently falling back to plain weekdays, so a deadline is never computed
from an unpublished arrangement.

Counting follows 民法典 第二百零一条: the day an event happens does not count; a period of *n* days starts the next
day. Hence both :func:`add_calendar_days` and :func:`add_working_days` exclude ``start``.

Calendar-day periods roll forward (民法典 第二百零三条: "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的
最后一日"; the period rules of 民事诉讼法 say the same): if the last day is a weekend or public holiday, the
deadline becomes the next working day. A make-up working day counts as a working day, so a period ending on a 调休
Saturday does not roll. Working-day periods (e.g. 行政处罚法 第八十五条, 行政许可法 第八十二条: "期限以工作日计算，
不含法定节假日") always end on a working day and never need rolling.

Pure Python, no Django imports.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Literal

import chinese_calendar

__all__ = [
    "CalendarNotCoveredError",
    "DeadlineKind",
    "add_calendar_days",
    "add_working_days",
    "covered_years",
    "deadline",
    "is_workday",
    "working_days_between",
]

DeadlineKind = Literal["calendar", "working"]
_ONE_DAY = timedelta(days=1)


class CalendarNotCoveredError(ValueError):
    """The holiday arrangement for ``year`` is not available, so working days cannot be determined reliably."""

    def __init__(self, year: int) -> None:
        years = covered_years()
        message = (
            f"{year} 年的法定节假日安排尚未发布或尚未载入（当前节假日数据覆盖 {years.start}–{years.stop - 1} 年），"
            "无法可靠计算工作日和期限，请更新 chinesecalendar 节假日数据"
        )
        super().__init__(message)
        self.message = message
        self.year = year


@lru_cache(maxsize=1)
def covered_years() -> range:
    """Years for which the holiday arrangement is loaded (the range ``chinese_calendar`` accepts)."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"expected datetime.date, got {type(d).__name__}")
    return d


def is_workday(d: date) -> bool:
    """True if ``d`` is a working day (make-up weekend days included, public holidays excluded)."""
    return _is_workday(_as_date(d))


@cache
def _is_workday(d: date) -> bool:
    if d.year not in covered_years():
        raise CalendarNotCoveredError(d.year)
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError as exc:  # defensive: the package refuses a year we thought covered
        raise CalendarNotCoveredError(d.year) from exc


def add_calendar_days(start: date, n: int) -> date:
    """``start`` plus ``n`` calendar days (no holiday adjustment; see :func:`deadline`)."""
    return _as_date(start) + timedelta(days=n)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself never counts); ``n == 0`` returns ``start``."""
    day = _as_date(start)
    if n < 0:
        raise ValueError(f"n 不能为负数：{n}")
    remaining = n
    while remaining:
        day += _ONE_DAY
        if _is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Number of working days ``d`` with ``start < d <= end``; negative (mirrored) if ``end`` precedes ``start``.

    Consistent with :func:`add_working_days`: ``working_days_between(s, add_working_days(s, n)) == n``.
    """
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        count += _is_workday(day)
    return count


def deadline(start: date, n: int, kind: DeadlineKind, *, roll_to_workday: bool = True) -> date:
    """Last day of a period of ``n`` days counted from the day after ``start``.

    ``kind="working"``: the ``n``-th working day after ``start``. ``kind="calendar"``: ``start + n`` days, moved to the
    next working day if it falls on a weekend or public holiday (民法典 第二百零三条) unless ``roll_to_workday=False``.
    """
    if n < 0:
        raise ValueError(f"期限天数不能为负数：{n}")
    if kind == "working":
        return add_working_days(start, n)
    if kind != "calendar":
        raise ValueError(f"kind 应为 'calendar' 或 'working'，实际为 {kind!r}")
    day = add_calendar_days(start, n)
    if roll_to_workday:
        while not _is_workday(day):
            day += _ONE_DAY
    return day
