"""Working-day calendar with Chinese public holidays and make-up working days."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lunardate import LunarDate

from choujian.core.workdays import WorkCalendar, YearArrangement, provisional_arrangement
from choujian.workcalendar.seed import package_years

PACKAGE_YEARS = package_years()
CALENDAR = WorkCalendar(
    YearArrangement(year=y, official=True, holidays=e["holidays"], workdays=frozenset(e["workdays"]))
    for y, e in PACKAGE_YEARS.items()
)
FIRST_OFFICIAL, LAST_OFFICIAL = min(PACKAGE_YEARS), max(PACKAGE_YEARS)


def is_workday(d) -> bool:
    return CALENDAR.is_workday(d)


def add_working_days(start, n):
    return CALENDAR.add_working_days(start, n)


def working_days_between(a, b):
    return CALENDAR.working_days_between(a, b)


def deadline(start, n, kind, **kwargs):
    return CALENDAR.deadline(start, n, kind, **kwargs).due


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


def test_the_package_seeds_recent_years() -> None:
    assert {2024, 2025, 2026} <= set(PACKAGE_YEARS)
    assert PACKAGE_YEARS[2026]["holidays"][date(2026, 2, 17)] == "春节"


def test_a_year_nobody_entered_is_provisional_and_still_gives_a_date() -> None:
    year = LAST_OFFICIAL + 1
    due = CALENDAR.deadline(date(year - 1, 12, 28), 10, "working")
    assert due.provisional and due.provisional_years == (year,)
    assert due.due.year == year
    before = CALENDAR.deadline(date(LAST_OFFICIAL, 3, 2), 10, "working")
    assert not before.provisional
    assert CALENDAR.deadline(date(FIRST_OFFICIAL - 1, 6, 1), 3, "calendar").provisional


def test_provisional_2027_follows_the_2024_holiday_rules() -> None:
    arrangement = provisional_arrangement(2027)
    off = arrangement.holidays
    # 春节: 除夕 2027-02-05 (Friday) to 正月初三 2027-02-08; Saturday and Sunday 6–7 give two days in lieu.
    assert [off.get(date(2027, 2, d)) for d in range(5, 9)] == ["春节"] * 4
    assert off[date(2027, 2, 9)] == "春节补假" and off[date(2027, 2, 10)] == "春节补假"
    assert date(2027, 2, 11) not in off
    assert off[date(2027, 4, 5)] == "清明节"  # the solar term
    assert off[date(2027, 5, 1)] == "劳动节" and off[date(2027, 5, 2)] == "劳动节"
    assert off[date(2027, 5, 3)] == "劳动节补假" and off[date(2027, 5, 4)] == "劳动节补假"  # May 1–2 is Sat–Sun
    assert off[date(2027, 6, 9)] == "端午节"  # 五月初五
    assert off[date(2027, 9, 15)] == "中秋节"  # 八月十五
    assert [off[date(2027, 10, d)] for d in (1, 2, 3)] == ["国庆节"] * 3
    assert off[date(2027, 10, 4)] == "国庆节补假" and off[date(2027, 10, 5)] == "国庆节补假"  # 2–3 Oct Sat–Sun
    assert off[date(2027, 1, 1)] == "元旦" and date(2027, 1, 4) not in off  # a Friday: nothing in lieu
    assert not arrangement.workdays  # make-up working days exist only once the State Council decides them
    assert not arrangement.official


def test_a_holiday_on_a_weekend_gives_the_next_free_working_day() -> None:
    # 2028-01-01 is a Saturday: Monday 3 January is off in lieu.
    assert provisional_arrangement(2028).holidays[date(2028, 1, 3)] == "元旦补假"


def test_years_the_lunar_table_does_not_reach_still_give_weekends_and_fixed_holidays() -> None:
    far = provisional_arrangement(2100)
    assert far.holidays[date(2100, 10, 1)] == "国庆节"
    assert WorkCalendar().deadline(date(2100, 12, 1), 5, "working").provisional


@given(year=st.integers(min_value=2000, max_value=2099))
def test_provisional_years_have_the_statutory_thirteen_days_plus_days_in_lieu(year: int) -> None:
    arrangement = provisional_arrangement(year)
    statutory = [n for n in arrangement.holidays.values() if not n.endswith("补假")]
    mid_autumn_on_national_day = LunarDate(year, 8, 15).to_solar_date() in {date(year, 10, d) for d in (1, 2, 3)}
    assert len(statutory) == (12 if mid_autumn_on_national_day else 13)
    in_lieu = [d for d, n in arrangement.holidays.items() if n.endswith("补假")]
    assert all(d.weekday() < 5 for d in in_lieu)
    on_weekend = sum(1 for d, n in arrangement.holidays.items() if not n.endswith("补假") and d.weekday() >= 5)
    assert len(in_lieu) == on_weekend


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 6, 30)),
    n=st.integers(min_value=0, max_value=400),
    kind=st.sampled_from(["working", "calendar"]),
)
def test_a_deadline_is_never_blank_and_ends_on_a_working_day(start: date, n: int, kind: str) -> None:
    due = CALENDAR.deadline(start, n, kind)
    assert due.due >= start
    if n:
        assert CALENDAR.is_workday(due.due)
    touched = range((start + timedelta(days=1 if n else 0)).year, due.due.year + 1)
    assert due.provisional == any(y not in PACKAGE_YEARS for y in touched)


_LAST_SAFE_START = date(LAST_OFFICIAL, 10, 1)


@given(
    start=st.dates(min_value=date(FIRST_OFFICIAL, 1, 1), max_value=_LAST_SAFE_START),
    n=st.integers(min_value=1, max_value=40),
)
def test_add_working_days_properties(start: date, n: int) -> None:
    result = add_working_days(start, n)
    assert result > start
    assert is_workday(result)
    assert working_days_between(start, result) == n
    assert working_days_between(start, result - timedelta(days=1)) == n - 1
    assert deadline(start, n, "working") == result
