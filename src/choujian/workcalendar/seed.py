"""Official years seeded from the ``chinesecalendar`` package at migrate time (never overwriting an entered year)."""

from importlib.metadata import version

from django.db import transaction

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def package_years() -> dict[int, dict]:
    """``{year: {"holidays": {date: name}, "workdays": {date: name}}}`` for every year the package covers."""
    import chinese_calendar

    years: dict[int, dict] = {}
    for source, key in ((chinese_calendar.holidays, "holidays"), (chinese_calendar.workdays, "workdays")):
        for day, holiday in source.items():
            entry = years.setdefault(day.year, {"holidays": {}, "workdays": {}})
            label = str(getattr(holiday, "value", holiday))
            entry[key][day] = HOLIDAY_NAMES.get(label, label)
    return years


def seed_from_package(*, using: str = "default") -> list[int]:
    """Create the years the package covers that the platform does not hold yet; returns the years added."""
    from choujian.workcalendar.choices import DayKind, YearStatus
    from choujian.workcalendar.models import CalendarDay, CalendarYear

    source = f"chinesecalendar {version('chinesecalendar')}"
    existing = set(CalendarYear.objects.using(using).values_list("year", flat=True))
    added = []
    with transaction.atomic(using=using):
        for year, entry in sorted(package_years().items()):
            if year in existing:
                continue
            calendar_year = CalendarYear.objects.using(using).create(
                year=year, status=YearStatus.STATUS_OFFICIAL, source=source, reason="随软件包载入"
            )
            days = [
                CalendarDay(calendar_year=calendar_year, date=d, kind=DayKind.KIND_HOLIDAY, name=n)
                for d, n in entry["holidays"].items()
            ]
            days += [
                CalendarDay(calendar_year=calendar_year, date=d, kind=DayKind.KIND_WORKDAY, name=f"{n}调休上班")
                for d, n in entry["workdays"].items()
            ]
            CalendarDay.objects.using(using).bulk_create(days)
            added.append(year)
    return added


def seed_after_migrate(sender, using="default", **kwargs) -> None:
    seed_from_package(using=using)
