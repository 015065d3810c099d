"""Writes of the holiday calendar, and the one deadline service every part of the platform uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from choujian.accounts.models import User
from choujian.core.dates import parse_date
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.workdays import KINDS, MAX_DAYS, Due, WorkCalendar
from choujian.ledger.objects import object_ref, resolve
from choujian.ledger.services import ledger_append
from choujian.notifications.services import message_send
from choujian.workcalendar import policy
from choujian.workcalendar.choices import DayKind, YearStatus
from choujian.workcalendar.display import deadline_text
from choujian.workcalendar.models import CalendarDay, CalendarYear, Deadline, DeadlineChange
from choujian.workcalendar.selectors import FIRST_YEAR, LAST_YEAR, work_calendar


def check_period(*, start, days, kind) -> tuple[dt.date, int, str]:
    """The validated (start, days, kind) of a period, or a ServiceError naming the field."""
    errors: dict[str, list[str]] = {}
    try:
        start = parse_date(start)
    except ValueError as exc:
        errors["from"] = [str(exc)]
    if isinstance(days, str) and days.strip().lstrip("-").isdigit():
        days = int(days.strip())
    if not isinstance(days, int) or isinstance(days, bool):
        errors["days"] = ["天数应为整数"]
    elif not 0 <= days <= MAX_DAYS:
        errors["days"] = [f"天数应在 0 到 {MAX_DAYS} 之间"]
    if kind not in KINDS:
        errors["kind"] = ["计算方式应为 working（工作日）或 calendar（自然日）"]
    if not errors and not FIRST_YEAR <= start.year <= LAST_YEAR:
        errors["from"] = [f"起算日应在 {FIRST_YEAR}–{LAST_YEAR} 年之间"]
    if errors:
        raise ServiceError(errors)
    return start, days, kind


def deadline_compute(*, start, days, kind, calendar: WorkCalendar | None = None) -> Due:
    """The last day of a period counted on the platform's calendar; never None, provisional where a counted year's
    arrangement has not been entered."""
    start, days, kind = check_period(start=start, days=days, kind=kind)
    return (calendar or work_calendar()).deadline(start, days, kind)


# Records whose deadline lives in more than one row (a case and its open step) say how it moves; any other record's
# deadline field is updated in place.
_deadline_movers: dict[type, Callable[[Any, str, dt.date], None]] = {}


def deadline_mover_register(model: type, mover: Callable[[Any, str, dt.date], None]) -> None:
    """`mover(instance, field, due)` moves `model`'s deadline when a newly entered year's holidays move it; it is
    called inside the recompute's transaction, before its ledger entry (so the entry holds the moved state)."""
    _deadline_movers[model] = mover


def deadline_record(*, owner, field: str, label: str, start, days: int, kind: str, basis: str) -> Deadline:
    """Compute and keep a deadline of `owner.<field>` (owner: a ledgered record, saved or about to be), so that it
    is recomputed when a year it counted is entered. The caller stores `.due` in its field and ledgers its state."""
    due = deadline_compute(start=start, days=days, kind=kind)
    values = {
        "label": label[:200],
        "start": due.start,
        "days": due.days,
        "kind": due.kind,
        "basis": basis[:200],
        "due": due.due,
        "provisional_year": due.provisional_years[0] if due.provisional else None,
    }
    ref = owner if isinstance(owner, str) else object_ref(owner)
    deadline, _ = Deadline.objects.update_or_create(owner=ref, field=field, defaults=values)
    return deadline


@dataclass
class YearEntry:
    calendar_year: CalendarYear
    moved: list[DeadlineChange] = field(default_factory=list)
    confirmed: int = 0
    notified: int = 0


def _check_entry(year, source, reason, holidays, workdays) -> tuple[int, list[tuple[dt.date, str]], list[dt.date]]:
    errors: dict[str, list[str]] = {}
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError({"year": [f"年份应在 {FIRST_YEAR}–{LAST_YEAR} 之间"]})
    if not str(source or "").strip():
        errors["source"] = ["请写明依据：国务院办公厅通知的文号和日期"]
    if not str(reason or "").strip():
        errors["reason"] = ["请写明录入或修改的原因"]
    if not isinstance(holidays, list):
        errors["holidays"] = ['应为列表：[{"date": "YYYY-MM-DD", "name": "春节"}, …]']
        holidays = []
    if not isinstance(workdays, list):
        errors["workdays"] = ['应为日期列表：["YYYY-MM-DD", …]']
        workdays = []
    days_off: list[tuple[dt.date, str]] = []
    seen: set[dt.date] = set()
    for i, item in enumerate(holidays):
        where = f"holidays[{i}]"
        if not isinstance(item, dict):
            errors[where] = ['应为 {"date": …, "name": …}']
            continue
        try:
            day = parse_date(item.get("date"))
        except ValueError as exc:
            errors[f"{where}.date"] = [str(exc)]
            continue
        name = str(item.get("name") or "").strip()
        if day.year != year:
            errors[f"{where}.date"] = [f"{day:%Y-%m-%d} 不在 {year} 年内"]
        elif day in seen:
            errors[f"{where}.date"] = [f"{day:%Y-%m-%d} 重复"]
        elif not name or len(name) > 60:
            errors[f"{where}.name"] = ["请填写节日名称（不超过 60 字）"]
        seen.add(day)
        days_off.append((day, name))
    make_up: list[dt.date] = []
    for i, value in enumerate(workdays):
        where = f"workdays[{i}]"
        try:
            day = parse_date(value)
        except ValueError as exc:
            errors[where] = [str(exc)]
            continue
        if day.year != year:
            errors[where] = [f"{day:%Y-%m-%d} 不在 {year} 年内"]
        elif day in seen:
            errors[where] = [f"{day:%Y-%m-%d} 不能既是放假日又是调休上班日"]
        elif day.weekday() < 5:
            errors[where] = [f"{day:%Y-%m-%d} 是工作日，调休上班日只能是星期六或星期日"]
        seen.add(day)
        make_up.append(day)
    if errors:
        raise ServiceError(errors)
    return year, sorted(days_off), sorted(make_up)


def _watchers(instance, field: str):
    watchers = getattr(instance, "deadline_watchers", None)
    return list(watchers(field)) if watchers is not None else []


@transaction.atomic
def calendar_year_enter(
    *, actor: User, year, source: str, reason: str, holidays: list, workdays: list, dry_run: bool = False
) -> YearEntry:
    """Make `year` official from the State Council's notice, and recompute in the same transaction every stored
    deadline that counted a day of it (each moved one ledgered on its record, its people told)."""
    if not policy.may_edit_calendar(actor):
        raise NotPermitted("只有最高一级监管部门的管理员可以录入节假日安排")
    year, days_off, make_up = _check_entry(year, source, reason, holidays, workdays)
    calendar_year, _ = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": source, "status": YearStatus.STATUS_OFFICIAL}
    )
    calendar_year.status = YearStatus.STATUS_OFFICIAL
    calendar_year.source = str(source).strip()[:300]
    calendar_year.reason = str(reason).strip()[:500]
    calendar_year.entered_by = actor
    calendar_year.version = F("version") + 1
    calendar_year.save()
    calendar_year.refresh_from_db()
    calendar_year.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar_year=calendar_year, date=d, kind=DayKind.KIND_HOLIDAY, name=n) for d, n in days_off]
        + [
            CalendarDay(calendar_year=calendar_year, date=d, kind=DayKind.KIND_WORKDAY, name="调休上班")
            for d in make_up
        ]
    )
    ledger_append(
        type="calendar.year_entered",
        actor=actor,
        object=calendar_year.ledger_ref,
        data={"state": calendar_year.ledger_state()},
    )
    entry = YearEntry(calendar_year=calendar_year)
    _recompute(actor=actor, entry=entry, year=year)
    if dry_run:
        transaction.set_rollback(True)
    return entry


def _recompute(*, actor: User, entry: YearEntry, year: int) -> None:
    calendar = work_calendar()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    touched = Deadline.objects.select_for_update().filter(start__lt=last, due__gte=first).order_by("due", "pk")
    for deadline in touched:
        due = calendar.deadline(deadline.start, deadline.days, deadline.kind)
        provisional_year = due.provisional_years[0] if due.provisional else None
        if due.due == deadline.due:
            if deadline.provisional_year != provisional_year:
                deadline.provisional_year = provisional_year
                deadline.save(update_fields=["provisional_year", "updated_at"])
                entry.confirmed += 1
            continue
        old = deadline.due
        deadline.due, deadline.provisional_year = due.due, provisional_year
        deadline.version = F("version") + 1
        deadline.save(update_fields=["due", "provisional_year", "version", "updated_at"])
        entry.moved.append(
            DeadlineChange.objects.create(
                deadline=deadline,
                calendar_year=entry.calendar_year,
                entry_version=entry.calendar_year.version,
                old_due=old,
                new_due=due.due,
            )
        )
        model, instance = resolve(deadline.owner)
        if instance is None:
            continue
        mover = _deadline_movers.get(model)
        if mover is not None:
            mover(instance, deadline.field, due.due)
        else:
            model.objects.filter(pk=instance.pk).update(**{deadline.field: due.due, "version": F("version") + 1})
        instance.refresh_from_db()
        ledger_append(
            type="deadline.recomputed",
            actor=actor,
            object=instance,
            data={"field": deadline.field, "old": old.isoformat(), "new": due.due.isoformat(), "year": year},
        )
        entry.notified += message_send(
            recipients=_watchers(instance, deadline.field),
            kind="deadline.recomputed",
            subject=f"{deadline.label}已按{year}年节假日安排重算",
            body=f"原期限 {old:%Y-%m-%d}，现为 {deadline_text(due.due, due.provisional, provisional_year)}"
            f"（{deadline.basis}）。",
            link=getattr(instance, "deadline_link", lambda f: "")(deadline.field),
        )
