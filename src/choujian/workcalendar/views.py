"""The holiday calendar pages: every signed-in user reads it; top regulator administrators enter a year."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from choujian.core.access import login
from choujian.core.dates import parse_date
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.workdays import YearArrangement, provisional_arrangement
from choujian.workcalendar import policy, selectors, services
from choujian.workcalendar.parsing import format_notice, parse_notice
from choujian.workcalendar.presenting import WEEKDAYS, days_off_count, month_grids, year_payload


def _year_or_404(year: int) -> int:
    if not selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR:
        raise Http404("没有这一年")
    return year


@login
@require_http_methods(["GET", "HEAD"])
def year_list(request):
    calendar = selectors.work_calendar()
    records = {r.year: r for r in selectors.official_records()}
    years = [
        year_payload(calendar, y, records.get(y)) | {"record": records.get(y)}
        for y in reversed(selectors.listed_years(timezone.localdate()))
    ]
    return render(
        request, "workcalendar/year_list.html", {"years": years, "can_edit": policy.may_edit_calendar(request.user)}
    )


@login
@require_http_methods(["GET", "HEAD"])
def year_detail(request, year: int):
    _year_or_404(year)
    calendar = selectors.work_calendar()
    record = selectors.calendar_year_record(year)
    arrangement = calendar.year(year)
    changes = list(selectors.latest_changes(record)) if record is not None and arrangement.official else []
    return render(
        request,
        "workcalendar/year_detail.html",
        {
            "year": year,
            "payload": year_payload(calendar, year, record),
            "record": record,
            "arrangement": arrangement,
            "months": month_grids(arrangement),
            "weekdays": WEEKDAYS,
            "days_off": days_off_count(arrangement),
            "changes": changes,
            "can_edit": policy.may_edit_calendar(request.user),
        },
    )


def _statutory_missing(year: int, holidays: list[dict]) -> list[str]:
    """Statutory holidays the entered text does not mention (a notice may name two at once: "国庆节、中秋节")."""
    entered = "、".join({h["name"] for h in holidays})
    statutory = {n for n in provisional_arrangement(year).holidays.values() if not n.endswith("补假")}
    return sorted(n for n in statutory if n.removesuffix("节") not in entered)


@login
@require_http_methods(["GET", "HEAD", "POST"])
def year_edit(request, year: int):
    _year_or_404(year)
    if not policy.may_edit_calendar(request.user):
        raise NotPermitted("只有最高一级监管部门的管理员可以录入节假日安排")
    record = selectors.calendar_year_record(year)
    arrangement = selectors.work_calendar().year(year)
    form = {"source": "", "reason": "", "notice": ""}
    if arrangement.official:
        form["source"] = record.source if record else ""
        form["notice"] = format_notice(sorted(arrangement.holidays.items()), sorted(arrangement.workdays))
    context = {"year": year, "record": record, "official": arrangement.official, "weekdays": WEEKDAYS}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("source", "reason", "notice")}
        errors: dict[str, list[str]] = {}
        holidays, workdays = [], []
        try:
            holidays, workdays = parse_notice(year, form["notice"])
        except ValueError as exc:
            errors["notice"] = [str(exc)]
        if not errors and not holidays:
            errors["notice"] = ["没有读出任何放假日期：每行写一个节日，如“春节：2月5日至2月11日放假”"]
        if not errors:
            try:
                entry = services.calendar_year_enter(
                    actor=request.user,
                    year=year,
                    source=form["source"],
                    reason=form["reason"],
                    holidays=holidays,
                    workdays=workdays,
                    dry_run=request.POST.get("action") != "save",
                )
            except ServiceError as exc:
                errors = exc.errors
            else:
                if request.POST.get("action") == "save":
                    messages.success(request, f"{year}年节假日安排已保存，{len(entry.moved)} 个期限已重算")
                    return redirect("workcalendar:year", year=year)
                preview = YearArrangement(
                    year=year,
                    official=True,
                    holidays={parse_date(h["date"]): h["name"] for h in holidays},
                    workdays=frozenset(parse_date(w) for w in workdays),
                )
                context |= {
                    "missing": _statutory_missing(year, holidays),
                    "preview": month_grids(preview),
                    "preview_days_off": days_off_count(preview),
                    "would_move": entry.moved,
                }
        context["errors"] = errors
    context["form"] = form
    return render(request, "workcalendar/year_edit.html", context)
