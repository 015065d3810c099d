"""The statistics pages for regulators: the dashboard, a table for any dimension, the records behind a number, funnel
plots, the monthly project table, risk scores and signals, warnings, and the history import. Thin: the selectors
count, the services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from choujian.accounts.choices import Role
from choujian.analytics import params, policy, risk, selectors, services
from choujian.analytics.choices import SignalKind
from choujian.analytics.history import COLUMNS
from choujian.core import tabular
from choujian.core.access import roles
from choujian.core.feedback import act
from choujian.core.policy import permits
from choujian.registry.selectors import enterprises_visible_to

REGULATORS = Role.REGULATOR_ROLES
NEXT_LEVEL = {"province": "city", "city": "county"}
RESULTS_PAGE_SIZE = 100


def _read(request, default_by: str = "category"):
    filters, problems = params.read(request.GET, default_by=default_by)
    for problem in problems:
        messages.warning(request, problem)
    return filters


def _link(name: str, **query) -> str:
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _rows(rates, base: dict, by: str, level: str) -> list[dict]:
    """Each rate with the links behind its numbers (the records, and for regions the next level down)."""
    rows = []
    for rate in rates:
        narrowed = base | rate.filters
        low, high = rate.interval
        row = {"rate": rate, "low": low, "high": high,
               "records": _link("analytics:results", **narrowed),
               "failures": _link("analytics:results", **narrowed, conclusion="fail")}  # fmt: skip
        if by == "region" and level in NEXT_LEVEL:
            row["drill"] = _link(
                "analytics:rates", **(base | {"region": rate.key}), by="region", level=NEXT_LEVEL[level]
            )
        rows.append(row)
    return rows


def _chart(rows: list[dict]) -> dict:
    return {
        "labels": [row["rate"].label for row in rows],
        "rates": [None if row["rate"].rate is None else round(row["rate"].rate * 100, 2) for row in rows],
        "low": [round(row["low"] * 100, 2) for row in rows],
        "high": [round(row["high"] * 100, 2) for row in rows],
        "lots": [row["rate"].lots for row in rows],
    }


@roles(REGULATORS)
@require_safe
def dashboard(request):
    filters = _read(request)
    filters.pop("by")
    level = filters.pop("region_level")
    user = request.user
    base = params.as_query(filters)
    total = selectors.pass_rates(user, "category", **filters)
    lots, failed, refused = (sum(getattr(r, name) for r in total) for name in ("lots", "failed", "refused"))
    summary = selectors.Rate("", _("合计"), lots, failed, refused)
    sections = []
    for by, title in (("category", _("按产品类别")), ("region", _("按地区")), ("quarter", _("按季度")),
                      ("lab", _("按检验机构"))):  # fmt: skip
        rates = total if by == "category" else selectors.pass_rates(user, by, region_level=level, **filters)
        rows = _rows(rates, base, by, level)
        sections.append({"by": by, "title": title, "rows": rows, "chart": _chart(rows), "chart_id": f"chart-{by}",
                         "more": _link("analytics:rates", **base, by=by)})  # fmt: skip
    context = {
        "filters": filters, "query": urlencode(base), "summary": summary, "summary_interval": summary.interval,
        "sections": sections, "categories": selectors.categories_counted(user),
        "items": selectors.most_failed_items(user, **filters),
        "warnings": selectors.warnings_visible_to(user).filter(status="open")[:10],
    }  # fmt: skip
    return render(request, "analytics/dashboard.html", context)


@roles(REGULATORS)
@require_safe
def rates(request):
    filters = _read(request)
    by, level = filters.pop("by"), filters.pop("region_level")
    found = selectors.pass_rates(request.user, by, region_level=level, **filters)
    base = params.as_query(filters)
    rows = _rows(found, base, by, level)
    if request.GET.get("format") == "xlsx":
        return _xlsx(rows, by)
    context = {
        "by": by, "title": selectors.DIMENSIONS[by], "rows": rows, "chart": _chart(rows[:60]), "filters": filters,
        "query": urlencode(base | {"by": by, "level": level}), "level": level, "dimensions": selectors.DIMENSIONS,
        "categories": selectors.categories_counted(request.user),
    }  # fmt: skip
    return render(request, "analytics/rates.html", context)


def _xlsx(rows: list[dict], by: str) -> HttpResponse:
    header = [selectors.DIMENSIONS[by], "代码", "检验批次", "合格", "不合格", "拒检", "合格率", "95%下限", "95%上限"]
    lines = [[row["rate"].label, row["rate"].key, row["rate"].lots, row["rate"].passed, row["rate"].failed,
              row["rate"].refused, row["rate"].rate, row["low"], row["high"]] for row in rows]  # fmt: skip
    content = tabular.write_xlsx(header, lines, title="合格率")
    response = HttpResponse(content, content_type=tabular.XLSX_CONTENT_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = content_disposition_header(
        True, f"合格率-{selectors.DIMENSIONS[by]}-{stamp}.xlsx"
    )
    return response


@roles(REGULATORS)
@require_safe
def results(request):
    """The records behind a number."""
    filters = _read(request)
    filters.pop("by"), filters.pop("region_level")
    found = selectors.facts(request.user, **filters)
    conclusion = request.GET.get("conclusion", "")
    if conclusion == "fail":
        found = found.filter(passed=False, refused=False)
    elif conclusion == "pass":
        found = found.filter(passed=True)
    elif conclusion == "refused":
        found = found.filter(refused=True)
    page = Paginator(found.order_by("-final_on", "pk"), RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = params.as_query(filters) | ({"conclusion": conclusion} if conclusion else {})
    return render(request, "analytics/results.html", {"page": page, "query": urlencode(query), "filters": filters})


@roles(REGULATORS)
@require_safe
def funnel(request):
    filters = _read(request, default_by="enterprise")
    by = filters.pop("by") if filters["by"] in ("enterprise", "lab") else "enterprise"
    filters.pop("by", None), filters.pop("region_level")
    categories = selectors.categories_counted(request.user)
    category = filters.pop("category", "") or (categories[0][0] if categories else "")
    target, points = selectors.funnel(request.user, by, category=category, **filters) if category else (0.0, [])
    chart = {
        "target": round(target * 100, 3),
        "points": [{"name": p.label, "n": p.lots, "rate": round(p.rate * 100, 2), "beyond": p.beyond} for p in points],
        "limits": _limit_lines(target, max((p.lots for p in points), default=10)),
    }
    context = {"by": by, "category": category, "categories": categories, "target": target, "points": points,
               "chart": chart, "filters": filters}  # fmt: skip
    return render(request, "analytics/funnel.html", context)


def _limit_lines(target: float, largest: int) -> dict:
    from choujian.analytics import stats

    sizes = sorted({max(1, round(largest * i / 60)) for i in range(1, 61)} | {1, 2, 3, 5, 8})
    lines = {"n": sizes}
    for name, z in (("95", stats.Z95), ("998", stats.Z998)):
        lines[f"upper{name}"] = [round(stats.funnel_limits(target, n, z)[1] * 100, 3) for n in sizes]
        lines[f"lower{name}"] = [round(stats.funnel_limits(target, n, z)[0] * 100, 3) for n in sizes]
    return lines


@roles(REGULATORS)
@require_safe
def projects(request):
    filters = _read(request)
    filters.pop("by"), filters.pop("region_level")
    table = selectors.project_months(request.user, **filters)
    for row in table:
        row["passed"] = row["lots"] - row["failed"]
        row["rate"] = row["passed"] / row["lots"] if row["lots"] else None
        row["link"] = _link("analytics:results", **params.as_query(filters), project=row["project"],
                            month=f"{row['month']:%Y-%m}")  # fmt: skip
    return render(request, "analytics/projects.html", {"table": table, "filters": filters})


@roles(REGULATORS)
@require_safe
def risk_scores(request):
    categories = selectors.categories_counted(request.user)
    category = (request.GET.get("category") or (categories[0][0] if categories else "")).strip()[:32]
    visible = set(selectors.facts_visible_to(request.user).filter(category_code=category)
                  .values_list("uscc", flat=True))  # fmt: skip
    prior, scores = risk.category_scores(category, usccs=visible) if category else (None, [])
    context = {"category": category, "categories": categories, "prior": prior, "scores": scores[:200],
               "half_life": risk.half_life(), "severity": risk.SEVERITY,
               "signals": selectors.signals_visible_to(request.user)[:100], "kinds": SignalKind.CHOICES[:-1],
               "enterprises": enterprises_visible_to(request.user).order_by("name")[:500]}  # fmt: skip
    return render(request, "analytics/risk.html", context)


@roles(REGULATORS)
@require_POST
def signal_create(request):
    enterprise = enterprises_visible_to(request.user).filter(uscc=request.POST.get("enterprise", "")).first()
    if enterprise is None:
        messages.error(request, _("请选择生产企业"))
    else:
        post = request.POST
        act(request, lambda: services.signal_create(
            actor=request.user, enterprise=enterprise, kind=post.get("kind", ""), source=post.get("source", ""),
            observed_on=post.get("observed_on", ""), weight=post.get("weight", ""),
            category_code=post.get("category_code", ""), note=post.get("note", ""),
        ), _("风险信号已登记，计入风险评分"))  # fmt: skip
    return redirect("analytics:risk")


@roles(REGULATORS)
@require_POST
def signal_withdraw(request, public_id):
    signal = selectors.signals_visible_to(request.user).filter(public_id=public_id).first()
    if signal is None:
        raise Http404(_("没有这条风险信号"))
    act(request, lambda: services.signal_withdraw(actor=request.user, signal=signal,
                                                    reason=request.POST.get("reason", "")), _("已撤销"))  # fmt: skip
    return redirect("analytics:risk")


@roles(REGULATORS)
@require_safe
def warning_list(request):
    found = selectors.warnings_visible_to(request.user).order_by("status", "-month", "code")
    return render(request, "analytics/warnings.html", {"warnings": found[:200]})


def _warning(request, code: str):
    found = selectors.warnings_visible_to(request.user).filter(code=code).first()
    if found is None:
        raise Http404(_("没有这条预警"))
    return found


@roles(REGULATORS)
@require_safe
def warning_detail(request, code: str):
    found = _warning(request, code)
    chart = found.evidence
    names = ("month", "lots", "failed", "rate", "z", "cusum")
    columns = (chart["months"], chart["lots"], chart["failed"], chart["rates"], chart["z"], chart["cusum"])
    table = [dict(zip(names, values, strict=True)) | {"signal": values[0] in chart["signals"]}
             for values in zip(*columns, strict=True)]  # fmt: skip
    context = {"warning": found, "chart": chart, "table": table, "may_close": found.status == "open"
               and permits(request.user, policy.CLOSE, found),
               "records": _link("analytics:results", category=found.category_code, region=found.region,
                                month=f"{found.month:%Y-%m}")}  # fmt: skip
    return render(request, "analytics/warning.html", context)


@roles(REGULATORS)
@require_POST
def warning_close(request, code: str):
    found = _warning(request, code)
    act(request, lambda: services.warning_close(actor=request.user, warning=found, note=request.POST.get("note", "")),
         _("预警已关闭"))  # fmt: skip
    return redirect("analytics:warning", code=code)


@roles(REGULATORS)
def history(request):
    """Import earlier years' results from a spreadsheet (template downloadable)."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择文件"))
        else:
            data = upload.read(tabular.MAX_BYTES + 1)
            act(request, lambda: services.history_import(actor=request.user, filename=upload.name, data=data,
                                                          note=request.POST.get("note", "")),
                 _("历史结果已导入，计入统计和风险评分"))  # fmt: skip
        return redirect("analytics:history")
    if request.GET.get("template"):
        content = tabular.write_xlsx([title for _n, title, _r in COLUMNS], [_EXAMPLE], title="历史抽查结果")
        response = HttpResponse(content, content_type=tabular.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, "历史抽查结果导入模板.xlsx")
        return response
    imports = selectors.imports_visible_to(request.user)[:50]
    return render(
        request,
        "analytics/history.html",
        {"imports": imports, "columns": COLUMNS, "may_import": bool(request.user.roles & Role.REGULATOR_WRITERS)},
    )


_EXAMPLE = ["2024-05-17", "福建某某钢绞线有限公司", "91350100MA2XXXXXXX", "350100", "JT-0303", "预应力混凝土用钢绞线",
            "福建省交通建设工程材料检测中心有限公司", "", "", "不合格", "A", "最大力；规定塑性延伸力"]  # fmt: skip


@roles(REGULATORS)
def labs(request):
    """Laboratory comparison: each testing body's z-scores by item, the rounds behind them, and recording a round."""
    from choujian.analytics import comparison

    if request.method == "POST":
        post = request.POST
        labs = enumerate(post.getlist("laboratory"))
        values = [
            {"laboratory": lab, "value": post[f"value-{i}"]} for i, lab in labs if post.get(f"value-{i}", "").strip()
        ]
        act(request, lambda: comparison.comparison_record(
            actor=request.user, category_code=post.get("category_code", ""), item=post.get("item", ""),
            item_name=post.get("item_name", ""), unit=post.get("unit", ""), material=post.get("material", ""),
            held_on=post.get("held_on", ""), values=values,
        ), _("比对结果已记录"))  # fmt: skip
        return redirect("analytics:labs")
    found = comparison.rows(selectors.comparisons_visible_to(request.user))
    context = {"summary": comparison.lab_summary(found), "rows": found[::-1][:300],
               "laboratories": selectors.laboratories(),
               "categories": selectors.categories_counted(request.user),
               "may_record": bool(request.user.roles & Role.REGULATOR_WRITERS)}  # fmt: skip
    return render(request, "analytics/labs.html", context)
