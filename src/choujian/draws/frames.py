"""Frame building: which products (or delivered lots) of a plan's categories are eligible, and why not.

Rules (issue: plans and draws): the enterprise is active and the product still made; the product is in the
plan's categories and region; it was not sampled by this regulator or one above it within the look-back
window; it is not drawn in, or part of the frozen frame of, a higher level's current plan (Product Quality
Law art. 15: what a higher level checks, a lower level does not check again). Risk-based plans weight
enterprises by their past non-conformities.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from choujian.accounts.models import Organisation, region_prefix
from choujian.planning.choices import PlanStatus, SamplingMode, StrataBy, TaskOutcome, TaskStatus
from choujian.planning.models import Plan, PlanLine, Task
from choujian.registry.models import Delivery, Product, ProductCategory


@dataclass
class Candidate:
    item_id: str
    line: PlanLine
    product: Product
    stratum: str
    delivery: Delivery | None = None
    weight: int = 1
    weight_reason: str = ""


@dataclass
class FramePlan:
    items: list[Candidate] = field(default_factory=list)
    exclusions: list[tuple[Candidate, str]] = field(default_factory=list)
    quotas: dict[str, int] = field(default_factory=dict)


def ancestors_and_self(regulator: Organisation) -> list[int]:
    ids, current = [], regulator
    while current is not None:
        ids.append(current.pk)
        current = current.parent
    return ids


def _category_ids(category: ProductCategory) -> list[int]:
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(ProductCategory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def _stratum(line: PlanLine, region: str) -> str:
    if line.strata_by == StrataBy.STRATA_CITY:
        return f"{line.category.code}/{region[:4]}00"
    if line.strata_by == StrataBy.STRATA_COUNTY:
        return f"{line.category.code}/{region}"
    return line.category.code


def line_quotas(line: PlanLine) -> dict[str, int]:
    if line.strata_by == StrataBy.STRATA_NONE:
        return {line.category.code: line.quota}
    return {f"{line.category.code}/{region}": q for region, q in sorted(line.stratum_quotas.items())}


def _candidates(plan: Plan, line: PlanLine) -> list[Candidate]:
    prefix = region_prefix(plan.region) if plan.regulator.level != "national" else ""
    products = Product.objects.filter(category_id__in=_category_ids(line.category)).select_related("enterprise")
    if line.sampling_mode == SamplingMode.MODE_CONSTRUCTION:
        deliveries = (
            Delivery.objects.filter(
                product__in=products, section__project__region__startswith=prefix, delivered_on__year=plan.year
            )
            .select_related("product__enterprise", "section__project")
            .order_by("pk")
        )
        return [
            Candidate(
                f"{d.product.enterprise.uscc}/D/{d.public_id}",
                line,
                d.product,
                _stratum(line, d.section.project.region),
                delivery=d,
            )
            for d in deliveries
        ]
    products = products.filter(enterprise__region__startswith=prefix).order_by("pk")
    return [
        Candidate(f"{p.enterprise.uscc}/P/{p.public_id}", line, p, _stratum(line, p.enterprise.region))
        for p in products
    ]


def _recent_tasks(plan: Plan, product_ids: set[int]) -> dict[int, Task]:
    since = timezone.now() - timedelta(days=plan.lookback_days)
    tasks = (
        Task.objects.filter(
            product_id__in=product_ids, plan__regulator_id__in=ancestors_and_self(plan.regulator), drawn_at__gte=since
        )
        .exclude(status=TaskStatus.STATUS_REPLACED)
        .exclude(plan=plan)
        .select_related("plan")
    )
    return {t.product_id: t for t in tasks}


def _higher_plan_hits(plan: Plan, product_ids: set[int]) -> dict[int, str]:
    higher = ancestors_and_self(plan.regulator)[1:]
    current = Plan.objects.filter(regulator_id__in=higher, year=plan.year, status__in=PlanStatus.CURRENT)
    hits: dict[int, str] = {}
    for task in Task.objects.filter(plan__in=current, product_id__in=product_ids).select_related("plan"):
        hits[task.product_id] = f"已被上级计划 {task.plan.code} 抽取（任务 {task.code}）"
    from choujian.draws.models import FrameItem

    framed = FrameItem.objects.filter(
        frame__plan__in=current, frame__frozen_at__isnull=False, product_id__in=product_ids
    ).select_related("frame__plan")
    for item in framed:
        hits.setdefault(item.product_id, f"已纳入上级计划 {item.frame.plan.code} 的抽样框")
    return hits


def _risk_weights(plan: Plan, enterprise_ids: set[int]) -> dict[int, tuple[int, str]]:
    if not plan.risk_based:
        return {}
    rule = plan.effective_risk_rule()
    counts = (
        Task.objects.filter(enterprise_id__in=enterprise_ids, outcome=TaskOutcome.OUTCOME_NONCONFORMING)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
    )
    weights = {}
    for row in counts:
        weight = min(int(rule["max"]), int(rule["base"]) + int(rule["per_nonconformity"]) * row["n"])
        weights[row["enterprise_id"]] = (max(1, weight), f"历史不合格 {row['n']} 次")
    return weights


def build(plan: Plan) -> FramePlan:
    result = FramePlan()
    candidates = []
    for line in plan.lines.select_related("category", "agency", "laboratory"):
        candidates += _candidates(plan, line)
        result.quotas.update(line_quotas(line))
    product_ids = {c.product.pk for c in candidates}
    recent = _recent_tasks(plan, product_ids)
    higher = _higher_plan_hits(plan, product_ids)
    weights = _risk_weights(plan, {c.product.enterprise_id for c in candidates})
    for candidate in candidates:
        reason = _exclusion_reason(plan, candidate, recent, higher)
        if reason:
            result.exclusions.append((candidate, reason))
            continue
        if candidate.product.enterprise_id in weights:
            candidate.weight, candidate.weight_reason = weights[candidate.product.enterprise_id]
        if candidate.stratum not in result.quotas:
            result.exclusions.append((candidate, "所在地区不在分层批次中（该层未分配批次）"))
            continue
        result.items.append(candidate)
    return result


def _exclusion_reason(plan: Plan, candidate: Candidate, recent: dict, higher: dict) -> str:
    enterprise, product = candidate.product.enterprise, candidate.product
    if enterprise.status != "active":
        return f"企业状态为“{enterprise.get_status_display()}”"
    if product.status != "active":
        return "产品已停产"
    if product.pk in recent:
        task = recent[product.pk]
        return f"{plan.lookback_days} 天内已被 {task.plan.regulator.name} 抽查（任务 {task.code}）"
    if product.pk in higher:
        return higher[product.pk]
    return ""
