"""A year as the API and the admin screen show it: its days off, make-up days and month grids."""

import calendar as gregorian
import datetime as dt

from choujian.core.workdays import WorkCalendar, YearArrangement
from choujian.workcalendar.models import CalendarYear

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def year_payload(calendar: WorkCalendar, year: int, record: CalendarYear | None) -> dict:
    arrangement = calendar.year(year)
    official = arrangement.official
    if official and record is not None:
        source = record.source
    else:
        source = "《全国年节及纪念日放假办法》（2024年修订）推算：法定节假日及周末补假，无调休上班日"
    return {
        "year": year,
        "status": "official" if official else "provisional",
        "source": source,
        "holidays": [{"date": d.isoformat(), "name": n} for d, n in sorted(arrangement.holidays.items())],
        "workdays": [d.isoformat() for d in sorted(arrangement.workdays)],
    }


def month_grids(arrangement: YearArrangement) -> list[dict]:
    """Twelve months as weeks of cells (Monday first) with each day's kind: holiday, workday (make-up), weekend."""
    months = []
    for month in range(1, 13):
        weeks = []
        for week in gregorian.Calendar(firstweekday=0).monthdatescalendar(arrangement.year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                if day in arrangement.workdays:
                    kind, title = "makeup", "调休上班"
                elif day in arrangement.holidays:
                    kind, title = "holiday", arrangement.holidays[day]
                elif day.weekday() >= 5:
                    kind, title = "weekend", "周末"
                else:
                    kind, title = "work", ""
                cells.append({"day": day.day, "date": day, "kind": kind, "title": title})
            weeks.append(cells)
        months.append({"month": month, "first": dt.date(arrangement.year, month, 1), "weeks": weeks})
    return months


def days_off_count(arrangement: YearArrangement) -> int:
    first = dt.date(arrangement.year, 1, 1)
    total = 366 if gregorian.isleap(arrangement.year) else 365
    return sum(1 for i in range(total) if not arrangement.is_workday(first + dt.timedelta(days=i)))
