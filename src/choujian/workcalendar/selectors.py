"""Reads of the holiday calendar and of stored deadlines."""

from choujian.core.workdays import WorkCalendar, YearArrangement
from choujian.workcalendar.choices import DayKind, YearStatus
from choujian.workcalendar.models import CalendarDay, CalendarYear, DeadlineChange

FIRST_YEAR, LAST_YEAR = 2000, 2100
YEARS_AHEAD = 3


def work_calendar() -> WorkCalendar:
    """The platform's calendar: the official years it holds, provisional ones for every other year."""
    years: dict[int, tuple[dict, set]] = {
        y: ({}, set())
        for y in CalendarYear.objects.filter(status=YearStatus.STATUS_OFFICIAL).values_list("year", flat=True)
    }
    for year, day, kind, name in CalendarDay.objects.filter(
        calendar_year__status=YearStatus.STATUS_OFFICIAL
    ).values_list("calendar_year__year", "date", "kind", "name"):
        holidays, workdays = years[year]
        if kind == DayKind.KIND_WORKDAY:
            workdays.add(day)
        else:
            holidays[day] = name
    return WorkCalendar(
        YearArrangement(year=y, official=True, holidays=h, workdays=frozenset(w)) for y, (h, w) in years.items()
    )


def listed_years(today) -> list[int]:
    """The years shown and served: every official year, and provisional ones from the last official year to at least
    three years ahead of today."""
    official = set(CalendarYear.objects.filter(status=YearStatus.STATUS_OFFICIAL).values_list("year", flat=True))
    last = max(official, default=today.year - 1)
    horizon = min(max(last, today.year) + YEARS_AHEAD, LAST_YEAR)
    return sorted(official | set(range(last + 1, horizon + 1)))


def calendar_year_record(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).select_related("entered_by").first()


def latest_changes(calendar_year: CalendarYear, limit: int = 500):
    """The deadlines moved by the latest entry of the year."""
    return (
        DeadlineChange.objects.filter(calendar_year=calendar_year, entry_version=calendar_year.version)
        .select_related("deadline")
        .order_by("-changed_at", "deadline__due")[:limit]
    )


def official_records():
    return CalendarYear.objects.filter(status=YearStatus.STATUS_OFFICIAL).select_related("entered_by")


def deadline_of(owner, field: str):
    from choujian.ledger.objects import object_ref
    from choujian.workcalendar.models import Deadline

    return Deadline.objects.filter(owner=object_ref(owner), field=field).first()


def deadline_display(owner, field: str) -> str:
    """The deadline as people read it: its date, marked provisional where a counted year is not yet official."""
    from choujian.workcalendar.display import deadline_text

    deadline = deadline_of(owner, field)
    if deadline is not None:
        return str(deadline)
    return deadline_text(getattr(owner, field, None), False)
