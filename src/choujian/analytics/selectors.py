"""Every read of the statistics, through the access policy: pass rates by a dimension with Wilson intervals, the
records behind a number, funnel plots, monthly tables per project, risk signals and warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr, TruncMonth, TruncQuarter

from choujian.analytics import rollups, stats
from choujian.analytics.models import (
    Bulletin,
    ComparisonRound,
    HistoryImport,
    QualityWarning,
    ResultFact,
    RiskSignal,
)  # fmt: skip
from choujian.analytics.policy import rollups_cover
from choujian.core.divisions import name_of
from choujian.core.policy import VIEW, restrict

DIMENSIONS = {
    "category": "产品类别",
    "region": "地区",
    "enterprise": "生产企业",
    "lab": "检验机构",
    "project": "建设项目",
    "section": "标段",
    "month": "月份",
    "quarter": "季度",
}
REGION_LEVELS = {"province": 2, "city": 4, "county": 6}
BY_FAILURE_RATE = ("enterprise", "lab", "project", "section")  # listed worst first, not by key


@dataclass
class Rate:
    key: str
    label: str
    lots: int  # tested batches (refusals apart)
    failed: int
    refused: int = 0
    filters: dict = field(default_factory=dict)  # what selects the records behind the row

    @property
    def passed(self) -> int:
        return self.lots - self.failed

    @property
    def rate(self) -> float | None:
        """合格率: conforming / tested."""
        return self.passed / self.lots if self.lots else None

    @property
    def interval(self) -> tuple[float, float]:
        low, high = stats.wilson(self.passed, self.lots)
        return low, high

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.lots if self.lots else None


def facts_visible_to(user) -> QuerySet[ResultFact]:
    return restrict(ResultFact.objects.all(), user, VIEW)


def facts(
    user, *, date_from: dt.date | None = None, date_to: dt.date | None = None, category: str = "", region: str = "",
    enterprise: str = "", lab: str = "", project: str = "", section: str = "", month: str = "", quarter: str = "",
    year: str = "", arm: str = "", rechecks: bool = False,
) -> QuerySet[ResultFact]:  # fmt: skip
    """The results a statistic counts: spot checks (not 复查 unless asked) between the dates, narrowed by any key."""
    rows = facts_visible_to(user)
    if not rechecks:
        rows = rows.filter(recheck=False)
    if date_from:
        rows = rows.filter(final_on__gte=date_from)
    if date_to:
        rows = rows.filter(final_on__lte=date_to)
    if category:
        rows = rows.filter(category_code=category)
    if region:
        rows = rows.filter(region__startswith=region_prefix(region))
    if enterprise:
        rows = rows.filter(uscc=enterprise)
    if lab:
        rows = rows.filter(laboratory=lab)
    if project:
        rows = rows.filter(project=project)
    if section:
        rows = rows.filter(section=section)
    if month:
        start = dt.date.fromisoformat(f"{month}-01")
        rows = rows.filter(final_on__gte=start, final_on__lt=_add_months(start, 1))
    if quarter:
        start = dt.date(int(quarter[:4]), 3 * int(quarter[-1]) - 2, 1)
        rows = rows.filter(final_on__gte=start, final_on__lt=_add_months(start, 3))
    if year:
        rows = rows.filter(final_on__gte=dt.date(int(year), 1, 1), final_on__lt=dt.date(int(year) + 1, 1, 1))
    if arm:
        rows = rows.filter(draw_arm=arm)
    return rows


def region_prefix(code: str) -> str:
    """350000 → 35, 350100 → 3501, 350102 → 350102."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _group(rows: QuerySet[ResultFact], by: str, region_level: str) -> QuerySet:
    if by == "category":
        return rows.annotate(key=F("category_code"), name=F("category_name"))
    if by == "region":
        length = REGION_LEVELS[region_level]
        padding = "0" * (6 - length)
        return rows.annotate(key=Concat(Substr("region", 1, length), Value(padding)), name=Value(""))
    if by == "enterprise":
        return rows.annotate(key=F("uscc"), name=F("enterprise_name"))
    if by == "lab":
        return rows.annotate(key=F("laboratory"), name=F("laboratory"))
    if by == "project":
        return rows.exclude(project="").annotate(key=F("project"), name=F("project"))
    if by == "section":
        return rows.exclude(section="").annotate(key=Concat("project", Value(" "), "section"), name=F("section"))
    if by == "month":
        return rows.annotate(key=TruncMonth("final_on"), name=Value(""))
    if by == "quarter":
        return rows.annotate(key=TruncQuarter("final_on"), name=Value(""))
    raise ValueError(by)


def pass_rates(user, by: str, *, region_level: str = "city", use_rollups: bool = True, **filters) -> list[Rate]:
    """One row per key of the dimension: tested lots, failures, refusals, 合格率 and its 95 % Wilson interval. The
    monthly rollups serve whatever they can (`use_rollups=False`: count the results only, as the benchmark compares)."""
    served = by in rollups.SERVES and not set(filters) - {"date_from", "date_to"}
    if use_rollups and served and rollups_cover(user):
        counted = [(r["key"], r["name"], r["lots"], r["failed"], r["refused"]) for r in rollups.counts(
            user, by, REGION_LEVELS[region_level], filters.get("date_from"), filters.get("date_to"))]  # fmt: skip
    else:
        rows = _group(facts(user, **filters), by, region_level)
        counted = rows.values_list("key", "name").annotate(**rollups.lot_counts()).order_by(
            *([] if by in BY_FAILURE_RATE else ["key"]))  # fmt: skip
    found = [Rate(_key(by, key), _label(by, key, name), lots, failed, refused, _filters_of(by, key))
             for key, name, lots, failed, refused in counted]  # fmt: skip
    if by in BY_FAILURE_RATE:
        found.sort(key=lambda r: (-(r.failed / r.lots if r.lots else 0), -r.lots, r.label, r.key))
    return found


def _key(by: str, key) -> str:
    if by == "month":
        return f"{key:%Y-%m}"
    if by == "quarter":
        return f"{key.year}-Q{(key.month - 1) // 3 + 1}"
    return str(key)


def _label(by: str, key, name: str) -> str:
    if by == "region":
        return name_of(key)
    if by == "month":
        return f"{key.year}年{key.month}月"
    if by == "quarter":
        return f"{key.year}年第{(key.month - 1) // 3 + 1}季度"
    return name or str(key)


def _filters_of(by: str, key) -> dict:
    value = _key(by, key)
    if by == "section":
        return {"section": value.split(" ", 1)[-1]}
    return {by if by != "enterprise" else "enterprise": value}


@dataclass
class FunnelPoint:
    key: str
    label: str
    lots: int
    failed: int
    rate: float
    limits95: tuple[float, float]
    limits998: tuple[float, float]

    @property
    def beyond(self) -> str:
        """Where the point lies: above the 99.8 % limit, above the 95 %, or within."""
        if self.rate > self.limits998[1]:
            return "alarm"
        if self.rate > self.limits95[1]:
            return "alert"
        return ""


def funnel(user, by: str, *, category: str, **filters) -> tuple[float, list[FunnelPoint]]:
    """Failure rates of enterprises (or testing bodies) in one category against the category's rate."""
    rates = pass_rates(user, by, category=category, **filters)
    lots = sum(r.lots for r in rates)
    target = sum(r.failed for r in rates) / lots if lots else 0.0
    points = [
        FunnelPoint(
            r.key,
            r.label,
            r.lots,
            r.failed,
            r.failed / r.lots,
            stats.funnel_limits(target, r.lots),
            stats.funnel_limits(target, r.lots, stats.Z998),
        )  # fmt: skip
        for r in rates
        if r.lots
    ]
    return target, points


def categories_counted(user) -> list[tuple[str, str]]:
    rows = facts_visible_to(user).values_list("category_code", "category_name").distinct()
    return sorted(set(rows))


def project_months(user, **filters) -> list[dict]:
    """The Qinghai/Shandong table: per project and month, lots tested, conforming, failures and 合格率."""
    rows = facts(user, **filters).exclude(project="").annotate(month=TruncMonth("final_on"))
    counted = rows.values("project", "month").annotate(
        **rollups.lot_counts(),
    )  # fmt: skip
    return list(counted.order_by("project", "month"))


def most_failed_items(user, limit: int = 10, **filters) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for items in facts(user, **filters).filter(passed=False, refused=False).values_list("failed_items", flat=True):
        for item in items or []:
            counts[item] = counts.get(item, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]


def signals_visible_to(user) -> QuerySet[RiskSignal]:
    return restrict(RiskSignal.objects.all(), user, VIEW).select_related("enterprise", "entered_by")


def warnings_visible_to(user) -> QuerySet[QualityWarning]:
    return restrict(QualityWarning.objects.all(), user, VIEW)


def bulletins_visible_to(user) -> QuerySet[Bulletin]:
    return restrict(Bulletin.objects.all(), user, VIEW).select_related("regulator", "drafted_by", "published_by")


def imports_visible_to(user) -> QuerySet[HistoryImport]:
    return restrict(HistoryImport.objects.all(), user, VIEW).select_related("imported_by")


def comparisons_visible_to(user) -> QuerySet[ComparisonRound]:
    return restrict(ComparisonRound.objects.all(), user, VIEW).order_by("item", "held_on", "code")


def bulletins_to_publish(user) -> QuerySet[Bulletin]:
    """Drafts someone else of the user's regulator wrote: the second approval is the user's to give."""
    from choujian.analytics.policy import PUBLISH

    drafts = restrict(Bulletin.objects.filter(status="draft"), user, PUBLISH).exclude(drafted_by=user)
    return drafts.order_by("created_at")


def warnings_to_handle(user) -> QuerySet[QualityWarning]:
    """Open warnings of the user's region, to act on and close with a note."""
    from choujian.analytics.policy import CLOSE

    return restrict(QualityWarning.objects.filter(status="open"), user, CLOSE).order_by("month", "code")


def laboratories():
    """The testing bodies registered on the platform (a comparison round names them)."""
    from choujian.accounts.models import Organisation

    return Organisation.objects.filter(kind="laboratory", active=True).order_by("name")
