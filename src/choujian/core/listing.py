"""Lists that grow: a search box, filters by status and date, pages of 25, and the same rows as an .xlsx.

A context declares a `Listing` (its columns, what the search looks in, which status and date it filters on) and
its view hands it the queryset the user may see (already restricted by the access policy). `show` reads the
query string: a bad filter value is named in a message and left out, never a 500; ``?format=xlsx`` downloads every
row the filters keep (up to `MAX_EXPORT`), formula-safe like every export (see `tabular`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from choujian.core import tabular

PAGE_SIZE = 25
MAX_EXPORT = tabular.MAX_ROWS
MAX_QUERY = 100


@dataclass(frozen=True)
class Column:
    title: Any  # a lazy translation: shown in the reader's language, exported likewise
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None  # the page a cell leads to, if any


@dataclass(frozen=True)
class Listing:
    key: str  # names the export file
    title: Any
    columns: tuple[Column, ...]
    search: tuple[str, ...] = ()  # lookups searched with icontains
    search_help: Any = ""
    statuses: tuple[tuple[str, Any], ...] = ()  # (value, label) the status filter offers
    status_field: str = "status"
    date_field: str = ""  # a DateField or DateTimeField filtered from/to
    date_label: Any = ""
    empty: Any = ""
    extra: dict = field(default_factory=dict)  # more template context (links above the table…)


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    problems: list[str] = field(default_factory=list)

    def query(self, **more) -> str:
        values = {
            "q": self.q,
            "status": self.status,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in (values | more).items() if v})


def _date(params, name: str, label: str, problems: list[str]) -> dt.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(_("“%(label)s”应为日期，如 2026-03-01；已忽略“%(raw)s”") % {"label": label, "raw": raw[:20]})
        return None


def read_filters(listing: Listing, params) -> Filters:
    problems: list[str] = []
    status = (params.get("status") or "").strip()
    if status and status not in {value for value, _label in listing.statuses}:
        problems.append(_("没有“%(status)s”这种状态；已显示全部") % {"status": status[:20]})
        status = ""
    since = _date(params, "from", _("起始日期"), problems) if listing.date_field else None
    until = _date(params, "to", _("截止日期"), problems) if listing.date_field else None
    if since and until and since > until:
        problems.append(_("起始日期晚于截止日期；已交换"))
        since, until = until, since
    return Filters((params.get("q") or "").strip()[:MAX_QUERY], status, since, until, problems)


def _is_datetime(queryset: QuerySet, name: str) -> bool:
    model = queryset.model
    for part in name.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(name.split("__")[-1]).get_internal_type() == "DateTimeField"


def apply(listing: Listing, queryset: QuerySet, filters: Filters) -> QuerySet:
    if filters.q and listing.search:
        condition = Q()
        for lookup in listing.search:
            condition |= Q(**{f"{lookup}__icontains": filters.q})
        queryset = queryset.filter(condition)
    if filters.status:
        queryset = queryset.filter(**{listing.status_field: filters.status})
    if listing.date_field and (filters.since or filters.until):
        name = listing.date_field
        suffix = "__date" if _is_datetime(queryset, name) else ""
        if filters.since:
            queryset = queryset.filter(**{f"{name}{suffix}__gte": filters.since})
        if filters.until:
            queryset = queryset.filter(**{f"{name}{suffix}__lte": filters.until})
    return queryset


def export(listing: Listing, queryset: QuerySet) -> HttpResponse:
    rows = ([column.value(obj) for column in listing.columns] for obj in queryset[:MAX_EXPORT])
    content = tabular.write_xlsx([str(c.title) for c in listing.columns], rows, title=str(listing.title))
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content, content_type=tabular.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{listing.title}-{stamp}.xlsx")
    return response


def show(
    request,
    listing: Listing,
    queryset: QuerySet,
    *,
    keep: dict | None = None,
    template: str = "listing.html",
    **context,
) -> HttpResponse:
    """The list page (or its .xlsx with ``?format=xlsx``) of the rows the filters keep; ``keep`` are parameters the
    view applied itself (e.g. a plan) that every link of the page carries on."""
    keep = {k: v for k, v in (keep or {}).items() if v}
    filters = read_filters(listing, request.GET)
    rows = apply(listing, queryset, filters)
    if (request.GET.get("format") or "").lower() == "xlsx":
        return export(listing, rows)
    for problem in filters.problems:
        messages.warning(request, problem)
    pager = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    table = [[(column, column.value(obj), column.link(obj) if column.link else "") for column in listing.columns]
             for obj in pager]  # fmt: skip
    context |= {
        "listing": listing,
        "filters": filters,
        "pager": pager,
        "table": table,
        "keep": keep,
        "filtered": bool(filters.q or filters.status or filters.since or filters.until),
        "export_query": filters.query(format="xlsx", **keep),
        "clear_query": urlencode(keep),
        "previous_query": filters.query(page=pager.previous_page_number(), **keep) if pager.has_previous() else "",
        "next_query": filters.query(page=pager.next_page_number(), **keep) if pager.has_next() else "",
    }
    return render(request, "listing.html", context)
