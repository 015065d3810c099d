"""The lift report: what risk-targeted draws found against their control group, per category and year."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_safe

from choujian.accounts.choices import Role
from choujian.analytics import lift as lifts
from choujian.analytics import params, selectors, stats
from choujian.analytics.views import _link, _read
from choujian.core import tabular
from choujian.core.access import roles


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _row(item: lifts.Lift) -> dict:
    (t_low, t_high), (h_low, h_high) = (stats.wilson(r.failed, r.lots) for r in (item.targeted, item.holdout))
    difference, low, high = item.difference
    base = {"category": item.category, "year": item.year} if item.year else {}
    return {
        "item": item, "t_low": t_low, "t_high": t_high, "h_low": h_low, "h_high": h_high,
        "difference": difference, "low": low, "high": high,
        "targeted_link": _link("analytics:results", **base, arm="targeted") if base else "",
        "holdout_link": _link("analytics:results", **base, arm="holdout") if base else "",
    }  # fmt: skip


def _chart(rows: list[dict]) -> dict:
    chart: dict[str, list] = {key: [] for key in ("labels", "t", "h", "t_low", "t_high", "h_low", "h_high",
                                                  "t_lots", "h_lots")}  # fmt: skip
    for row in rows:
        item = row["item"]
        chart["labels"].append(f"{item.category_name} {item.year}")
        chart["t"].append(_pct(item.targeted.failure_rate))
        chart["h"].append(_pct(item.holdout.failure_rate))
        for key in ("t_low", "t_high", "h_low", "h_high"):
            chart[key].append(_pct(row[key]))
        chart["t_lots"].append(item.targeted.lots)
        chart["h_lots"].append(item.holdout.lots)
    return chart


HEADER = ["产品类别", "年度", "风险定向批次", "风险定向不合格", "风险定向不合格率", "对照组批次", "对照组不合格",
          "对照组不合格率", "差值", "差值95%下限", "差值95%上限", "倍数"]  # fmt: skip


def _xlsx(rows: list[dict]) -> HttpResponse:
    lines = []
    for row in rows:
        item = row["item"]
        lines.append([item.category_name, item.year or "", item.targeted.lots, item.targeted.failed,
                      item.targeted.failure_rate, item.holdout.lots, item.holdout.failed, item.holdout.failure_rate,
                      row["difference"], row["low"], row["high"], item.ratio])  # fmt: skip
    response = HttpResponse(tabular.write_xlsx(HEADER, lines, title="风险定向效果"),
                            content_type=tabular.XLSX_CONTENT_TYPE)  # fmt: skip
    response["Content-Disposition"] = content_disposition_header(
        True, f"风险定向效果-{timezone.localdate().isoformat()}.xlsx"
    )
    return response


@roles(Role.REGULATOR_ROLES)
@require_safe
def lift(request):
    filters = _read(request)
    filters.pop("by"), filters.pop("region_level")
    year = filters.pop("year", "")
    filters.pop("arm", "")
    found = lifts.lift(request.user, year=int(year) if year else None, **filters)
    rows = [_row(item) for item in found]
    overall = lifts.pooled(found)
    if request.GET.get("format") == "xlsx":
        return _xlsx(rows + ([_row(overall)] if overall else []))
    context = {"rows": rows, "overall": _row(overall) if overall else None, "chart": _chart(rows[:30]),
               "filters": filters, "year": year, "categories": selectors.categories_counted(request.user),
               "query": urlencode(params.as_query(filters | ({"year": year} if year else {})))}  # fmt: skip
    return render(request, "analytics/lift.html", context)
