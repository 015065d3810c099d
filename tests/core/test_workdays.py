"""Working-day calendar with Chinese public holidays and make-up working days."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.core.workdays import (
    CalendarNotCoveredError,
    add_calendar_days,
    add_working_days,
    covered_years,
    deadline,
    is_workday,
    working_days_between,
)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_spring_festival_2024() -> None:
    assert not any(is_workday(d) for d in _days(date(2024, 2, 10), date(2024, 2, 17)))
    assert is_workday(date(2024, 2, 4))  # Sunday, make-up working day
    assert is_workday(date(2024, 2, 18))  # Sunday, make-up working day
    assert is_workday(date(2024, 2, 9))  # 除夕 2024 was not a statutory holiday
    assert add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)
    assert add_working_days(date(2024, 2, 9), 2) == date(2024, 2, 19)
    assert working_days_between(date(2024, 2, 9), date(2024, 2, 17)) == 0


def test_national_day_2024() -> None:
    assert not any(is_workday(d) for d in _days(date(2024, 10, 1), date(2024, 10, 7)))
    assert is_workday(date(2024, 9, 29))  # Sunday
    assert is_workday(date(2024, 10, 12))  # Saturday
    assert not is_workday(date(2024, 10, 13))


def test_working_days_from_friday_before_national_day_2024() -> None:
    friday = date(2024, 9, 27)
    expected = [date(2024, 9, 29), date(2024, 9, 30), date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10)]
    assert [add_working_days(friday, n) for n in range(1, 6)] == expected
    assert deadline(friday, 5, "working") == date(2024, 10, 10)


def test_make_up_saturday_counts_as_working_day() -> None:
    assert add_working_days(date(2024, 10, 11), 1) == date(2024, 10, 12)  # Friday → make-up Saturday
    assert working_days_between(date(2024, 10, 11), date(2024, 10, 14)) == 2  # Sat 12 and Mon 14


def test_2025_arrangement() -> None:
    assert not any(is_workday(d) for d in _days(date(2025, 1, 28), date(2025, 2, 4)))  # Spring Festival
    assert is_workday(date(2025, 1, 26)) and is_workday(date(2025, 2, 8))  # Sunday, Saturday
    assert not any(is_workday(d) for d in _days(date(2025, 10, 1), date(2025, 10, 8)))  # National Day + Mid-Autumn
    assert is_workday(date(2025, 9, 28)) and is_workday(date(2025, 10, 11))
    # Friday before the eight-day break: Sun 28, Mon 29, Tue 30, then Thu 9 Oct, Fri 10, Sat 11.
    friday = date(2025, 9, 26)
    assert add_working_days(friday, 3) == date(2025, 9, 30)
    assert add_working_days(friday, 4) == date(2025, 10, 9)
    assert add_working_days(friday, 6) == date(2025, 10, 11)


def test_2026_arrangement() -> None:
    assert not any(is_workday(d) for d in _days(date(2026, 1, 1), date(2026, 1, 3)))
    assert is_workday(date(2026, 1, 4))  # Sunday
    assert not any(is_workday(d) for d in _days(date(2026, 2, 15), date(2026, 2, 23)))  # nine-day Spring Festival
    assert is_workday(date(2026, 2, 14)) and is_workday(date(2026, 2, 28))  # Saturdays
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert not any(is_workday(d) for d in _days(date(2026, 10, 1), date(2026, 10, 7)))
    assert is_workday(date(2026, 9, 20)) and is_workday(date(2026, 10, 10))


def test_zero_and_negative() -> None:
    assert add_working_days(date(2024, 2, 10), 0) == date(2024, 2, 10)
    assert deadline(date(2024, 2, 10), 0, "working") == date(2024, 2, 10)
    with pytest.raises(ValueError):
        add_working_days(date(2024, 2, 10), -1)
    with pytest.raises(ValueError):
        deadline(date(2024, 2, 10), -1, "calendar")
    with pytest.raises(ValueError):
        deadline(date(2024, 2, 10), 1, "weekly")  # type: ignore[arg-type]


def test_working_days_between_is_antisymmetric() -> None:
    a, b = date(2024, 9, 27), date(2024, 10, 10)
    assert working_days_between(a, b) == 5
    assert working_days_between(b, a) == -5
    assert working_days_between(a, a) == 0


def test_calendar_deadline_rolls_over_holiday() -> None:
    start = date(2024, 9, 21)
    assert add_calendar_days(start, 15) == date(2024, 10, 6)
    assert deadline(start, 15, "calendar") == date(2024, 10, 8)
    assert deadline(start, 15, "calendar", roll_to_workday=False) == date(2024, 10, 6)


def test_calendar_deadline_stops_on_make_up_day_and_plain_weekend_rolls() -> None:
    # Ends on Saturday 2024-02-17 (last holiday day) → Sunday 2024-02-18 is a make-up working day.
    assert deadline(date(2024, 2, 3), 14, "calendar") == date(2024, 2, 18)
    # Ends on an ordinary Saturday → Monday.
    assert deadline(date(2024, 3, 1), 15, "calendar") == date(2024, 3, 18)
    # Ends on a working day → unchanged.
    assert deadline(date(2024, 3, 1), 10, "calendar") == date(2024, 3, 11)


def test_datetime_is_accepted() -> None:
    assert is_workday(datetime(2024, 2, 18, 9, 30))
    assert add_working_days(datetime(2024, 2, 9, 17, 0), 1) == date(2024, 2, 18)


def test_covered_years() -> None:
    years = covered_years()
    assert {2024, 2025, 2026} <= set(years)


def test_uncovered_year_raises_clear_error() -> None:
    year = covered_years().stop
    with pytest.raises(CalendarNotCoveredError, match=f"{year} 年的法定节假日安排尚未发布或尚未载入") as info:
        is_workday(date(year, 3, 2))
    assert info.value.year == year
    assert isinstance(info.value, ValueError)
    with pytest.raises(CalendarNotCoveredError):
        add_working_days(date(year - 1, 12, 28), 10)  # crosses into the uncovered year
    with pytest.raises(CalendarNotCoveredError):
        deadline(date(year - 1, 12, 20), 30, "calendar")
    with pytest.raises(CalendarNotCoveredError):
        is_workday(date(covered_years().start - 1, 6, 1))
    # Plain calendar arithmetic needs no holiday data.
    assert add_calendar_days(date(year, 1, 1), 3) == date(year, 1, 4)


_LAST_SAFE_START = date(covered_years().stop - 1, 10, 1)


@given(
    start=st.dates(min_value=date(covered_years().start, 1, 1), max_value=_LAST_SAFE_START),
    n=st.integers(min_value=1, max_value=40),
)
def test_add_working_days_properties(start: date, n: int) -> None:
    result = add_working_days(start, n)
    assert result > start
    assert is_workday(result)
    assert working_days_between(start, result) == n
    assert working_days_between(start, result - timedelta(days=1)) == n - 1
    assert deadline(start, n, "working") == result
