"""Working-day arithmetic for statutory deadlines on a Chinese holiday calendar (pure Python, no Django).

A :class:`WorkCalendar` is built from the *official* year arrangements the platform holds (the State Council's annual
notice: holidays and make-up working days 调休上班日). A year nobody has entered is *provisional*: its days off follow
《全国年节及纪念日放假办法》 (2024 revision) — weekends, the statutory holidays, and per its article 6 one day in lieu
(补假) on the first working day after a holiday period for every statutory holiday that falls on a Saturday or Sunday —
with no make-up working days, since only the State Council decides those. Lunar dates come from ``lunardate`` and
the 清明 solar term from ``chinese_calendar``; nothing is typed in by hand.

Counting follows 民法典 第二百零一条: the day of the event does not count; a period of *n* days starts the next day.
Calendar-day periods whose last day is a day off end on the next working day (民法典 第二百零三条); a make-up Saturday
is a working day, so a period ending on it does not roll. Working-day periods (行政处罚法 第八十五条) always end on a
working day. A deadline is *provisional* when any day it counted (or rolled over) lies in a provisional year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

__all__ = [
    "Due",
    "DeadlineKind",
    "KINDS",
    "MAX_DAYS",
    "WorkCalendar",
    "YearArrangement",
    "provisional_arrangement",
]

DeadlineKind = Literal["calendar", "working"]
KINDS: tuple[str, ...] = ("working", "calendar")
MAX_DAYS = 3650
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class YearArrangement:
    """One year's days off (date → name) and make-up working days; ``official`` once the State Council's notice is
    entered, otherwise derived by :func:`provisional_arrangement`."""

    year: int
    official: bool
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: frozenset[date] = frozenset()

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


@dataclass(frozen=True)
class Due:
    """The last day of a period, and whether a provisional year was counted to reach it."""

    start: date
    days: int
    kind: str
    due: date
    provisional: bool
    provisional_years: tuple[int, ...] = ()


def _statutory_periods(year: int) -> list[tuple[str, list[date]]]:
    """The statutory holidays of ``year`` (article 2 of the 2024 revision), each as its name and days."""

    def run(first: date, n: int) -> list[date]:
        return [first + timedelta(days=i) for i in range(n)]

    periods: list[tuple[str, list[date]]] = [("元旦", [date(year, 1, 1)])]
    lunar = _lunar_days(year)
    if lunar is not None:
        new_year, dragon_boat, mid_autumn = lunar
        periods.append(("春节", run(new_year - _ONE_DAY, 4)))
        periods.append(("端午节", [dragon_boat]))
        periods.append(("中秋节", [mid_autumn]))
    qingming = _qingming(year)
    if qingming is not None:
        periods.append(("清明节", [qingming]))
    periods.append(("劳动节", run(date(year, 5, 1), 2)))
    periods.append(("国庆节", run(date(year, 10, 1), 3)))
    return sorted(periods, key=lambda p: p[1][0])


def _lunar_days(year: int) -> tuple[date, date, date] | None:
    from lunardate import LunarDate

    try:
        return tuple(LunarDate(year, m, d).to_solar_date() for m, d in ((1, 1), (5, 5), (8, 15)))  # type: ignore
    except ValueError:  # outside the library's table (1900–2099): no lunar holidays can be placed
        return None


def _qingming(year: int) -> date | None:
    import chinese_calendar

    try:
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    except NotImplementedError:
        return None
    return next((d for d, name in terms if name == "清明"), None)


def provisional_arrangement(year: int) -> YearArrangement:
    """Days off of a year whose arrangement the State Council has not yet published (see module docstring)."""
    holidays: dict[date, str] = {}
    periods = _statutory_periods(year)
    for name, days in periods:
        for d in days:
            holidays.setdefault(d, name)
    counted: set[date] = set()
    for name, days in periods:
        # A day that is two holidays at once (中秋 on 1 October) is still one day off, owed once.
        on_weekend = sum(1 for d in days if d.weekday() >= 5 and d not in counted)
        counted.update(days)
        day = max(days)
        while on_weekend:
            day += _ONE_DAY
            if day.weekday() < 5 and day not in holidays:
                holidays[day] = f"{name}补假"
                on_weekend -= 1
    return YearArrangement(year=year, official=False, holidays=holidays, workdays=frozenset())


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise TypeError(f"expected datetime.date, got {type(d).__name__}")
    return d


class WorkCalendar:
    """Working days over the official arrangements given, provisional ones for every other year."""

    def __init__(self, official: Iterable[YearArrangement] = ()) -> None:
        self._years: dict[int, YearArrangement] = {}
        for arrangement in official:
            if not arrangement.official:
                raise ValueError(f"{arrangement.year} is not an official arrangement")
            self._years[arrangement.year] = arrangement

    def year(self, year: int) -> YearArrangement:
        if year not in self._years:
            self._years[year] = provisional_arrangement(year)
        return self._years[year]

    def is_provisional(self, year: int) -> bool:
        return not self.year(year).official

    def is_workday(self, d: date) -> bool:
        d = _as_date(d)
        return self.year(d.year).is_workday(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself never counts); ``n == 0`` returns ``start``."""
        return self.deadline(start, n, "working").due

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; negative (mirrored) if ``end`` precedes ``start``."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            count += self.is_workday(day)
        return count

    def deadline(self, start: date, n: int, kind: str, *, roll_to_workday: bool = True) -> Due:
        """Last day of a period of ``n`` days counted from the day after ``start`` (see module docstring)."""
        start = _as_date(start)
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"期限天数应为非负整数：{n!r}")
        if kind == "working":
            day, remaining = start, n
            while remaining:
                day += _ONE_DAY
                if self.is_workday(day):
                    remaining -= 1
        elif kind == "calendar":
            day = start + timedelta(days=n)
            if roll_to_workday:
                while not self.is_workday(day):
                    day += _ONE_DAY
        else:
            raise ValueError(f"期限类型应为 working（工作日）或 calendar（自然日），实际为 {kind!r}")
        first_counted = start + _ONE_DAY if day > start else start
        touched = tuple(y for y in range(first_counted.year, day.year + 1) if self.is_provisional(y))
        return Due(start=start, days=n, kind=kind, due=day, provisional=bool(touched), provisional_years=touched)
