"""Frame building: which products (or delivered lots) of a plan's categories are eligible, and why not.

Rules (issue: plans and draws): the enterprise is active and the product still made; the product is in the
plan's categories and region; it was not sampled by this regulator or one above it within the look-back
window; it is not drawn in, or part of the frozen frame of, a higher level's current plan (Product Quality
Law art. 15: what a higher level checks, a lower level does not check again). Risk-based plans weight
enterprises by their past non-conformities and risk signals (a rule of integer weights), or by their risk scores
(weight = score × 1000, rounded, at least 1).

A plan weighed by scores keeps a control group (hold-out): a share of each stratum's quota (default 20 %) is
drawn with equal weights from its own stratum (the stratum's name followed by `·对照`). Which items belong to it
is fixed when the frame is built, before anyone knows the seed: an item is in the control group when the first 8
bytes of SHA-256("choujian-holdout-v1\t{plan code}\t{item id}"), read as a big-endian integer and divided by
2^64, fall below the share. Both parts are ordinary strata, so the draw stays reproducible under draw-v1.

A provincial frame may hold a million items, so the registry is read as plain tuples in chunks (no model
instances), and the exclusion facts (recent tasks, higher plans, non-conformities) are read once per plan by
category rather than with an IN list of every candidate, which no database accepts at that size.
"""

import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Cast, Concat, Substr
from django.utils import timezone

from choujian.accounts.models import Organisation, region_prefix
from choujian.core.risk_scores import CategoryScores, scores_of
from choujian.core.signals_of_risk import enterprise_risk_signals
from choujian.planning.choices import PlanStatus, SamplingMode, StrataBy, TaskOutcome, TaskStatus, holdout_stratum
from choujian.planning.models import Plan, PlanLine, Task
from choujian.registry.choices import EnterpriseStatus, ProductStatus
from choujian.registry.models import Delivery, Product, ProductCategory

CHUNK = 10_000  # rows fetched per round trip while streaming the registry


@dataclass(slots=True)
class Candidate:
    """One possible frame item, with the registry facts its eligibility depends on (ids, not model rows)."""

    item_id: str
    line: PlanLine
    product_id: int
    enterprise_id: int
    stratum: str
    enterprise_status: str = EnterpriseStatus.STATUS_ACTIVE
    product_status: str = ProductStatus.STATUS_ACTIVE
    delivery_id: int | None = None
    weight: int = 1
    weight_reason: str = ""
    category_code: str = ""


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


def _plan_prefix(plan: Plan) -> str:
    return region_prefix(plan.region) if plan.regulator.level != "national" else ""


def _uuid_text(path: str):
    """The UUID column as `str(uuid)` writes it, computed by the database: turning a million values into UUID objects
    and back into text took longer than reading the rows. PostgreSQL's uuid type prints that form; elsewhere the
    column holds the 32 lowercase hex digits, to which the hyphens are added."""
    if connection.vendor == "postgresql":
        return Cast(path, CharField())
    raw = Cast(path, CharField())
    pieces = [Substr(raw, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    return Concat(*[part for piece in pieces for part in (Value("-"), piece)][1:], output_field=CharField())


def _item_id(uscc: str, kind: str, public_id: str):
    return Concat(F(uscc), Value(f"/{kind}/"), _uuid_text(public_id), output_field=CharField())


def _candidates(plan: Plan, line: PlanLine, category_ids: list[int]) -> Iterator[Candidate]:
    prefix = _plan_prefix(plan)
    strata: dict[str, str] = {}  # region → stratum, so a million items share a few stratum strings

    def stratum(region: str) -> str:
        found = strata.get(region)
        if found is None:
            found = strata[region] = _stratum(line, region)
        return found

    if line.sampling_mode == SamplingMode.MODE_CONSTRUCTION:
        deliveries = (
            Delivery.objects.filter(
                archived_at=None,
                product__archived_at=None,
                product__enterprise__archived_at=None,
                product__category_id__in=category_ids,
                section__project__region__startswith=prefix,
                delivered_on__year=plan.year,
            )
            .order_by("pk")
            .annotate(frame_item_id=_item_id("product__enterprise__uscc", "D", "public_id"))
            .values_list(
                "pk",
                "frame_item_id",
                "product_id",
                "product__status",
                "product__enterprise_id",
                "product__enterprise__status",
                "section__project__region",
                "product__category__code",
            )
        )
        for (
            pk,
            item_id,
            product_id,
            product_status,
            enterprise_id,
            enterprise_status,
            region,
            category_code,
        ) in deliveries.iterator(chunk_size=CHUNK):
            yield Candidate(
                item_id,
                line,
                product_id,
                enterprise_id,
                stratum(region),
                enterprise_status,
                product_status,
                delivery_id=pk,
                category_code=category_code,
            )
        return
    products = (
        Product.objects.filter(category_id__in=category_ids, enterprise__region__startswith=prefix)
        .filter(archived_at=None, enterprise__archived_at=None)  # archived records leave new frames
        .order_by("pk")
        .annotate(frame_item_id=_item_id("enterprise__uscc", "P", "public_id"))
        .values_list(
            "pk",
            "frame_item_id",
            "status",
            "enterprise_id",
            "enterprise__status",
            "enterprise__region",
            "category__code",
        )  # fmt: skip
    )
    for pk, item_id, product_status, enterprise_id, enterprise_status, region, code in products.iterator(
        chunk_size=CHUNK
    ):
        yield Candidate(
            item_id, line, pk, enterprise_id, stratum(region), enterprise_status, product_status, category_code=code
        )


def _recent_tasks(plan: Plan, category_ids: set[int]) -> dict[int, Task]:
    """Product → the latest task on it by this regulator or one above, within the look-back window."""
    since = timezone.now() - timedelta(days=plan.lookback_days)
    tasks = (
        Task.objects.filter(
            product__category_id__in=category_ids,
            plan__regulator_id__in=ancestors_and_self(plan.regulator),
            drawn_at__gte=since,
        )
        .exclude(status=TaskStatus.STATUS_REPLACED)
        .exclude(plan=plan)
        .select_related("plan__regulator")
        .order_by("drawn_at", "pk")
    )
    return {t.product_id: t for t in tasks}


def _higher_plan_hits(plan: Plan, category_ids: set[int]) -> dict[int, str]:
    higher = ancestors_and_self(plan.regulator)[1:]
    if not higher:
        return {}
    current = Plan.objects.filter(regulator_id__in=higher, year=plan.year, status__in=PlanStatus.CURRENT)
    hits: dict[int, str] = {}
    tasks = Task.objects.filter(plan__in=current, product__category_id__in=category_ids).order_by("pk")
    for product_id, plan_code, task_code in tasks.values_list("product_id", "plan__code", "code"):
        hits[product_id] = f"已被上级计划 {plan_code} 抽取（任务 {task_code}）"
    from choujian.draws.models import FrameItem

    framed = (
        FrameItem.objects.filter(
            frame__plan__in=current, frame__frozen_at__isnull=False, product__category_id__in=category_ids
        )
        .order_by("pk")
        .values_list("product_id", "frame__plan__code")
    )
    for product_id, plan_code in framed.iterator(chunk_size=CHUNK):
        hits.setdefault(product_id, f"已纳入上级计划 {plan_code} 的抽样框")
    return hits


Weigher = Callable[[Candidate], tuple[int, str] | None]


def _weigher(plan: Plan) -> Weigher:
    if not plan.risk_based:
        return lambda candidate: None
    if plan.weighs_by_scores:
        return _score_weigher()
    weights = _rule_weights(plan)
    return lambda candidate: weights.get(candidate.enterprise_id)


def score_weight(score: float) -> int:
    return max(1, round(score * 1000))


def _score_weigher() -> Weigher:
    categories: dict[str, CategoryScores | None] = {}

    def weigh(candidate: Candidate) -> tuple[int, str] | None:
        code = candidate.category_code
        if code not in categories:
            categories[code] = scores_of(code)
        scores = categories[code]
        if scores is None:
            return None
        score, why = scores.by_enterprise.get(
            candidate.enterprise_id, (scores.default, f"本类别无历史结果，按类别平均风险 {scores.default:.4f}")
        )
        return score_weight(score), f"风险评分 {score:.4f}：{why}"[:200]

    return weigh


def holdout_fraction(plan_code: str, item_id: str) -> float:
    digest = hashlib.sha256(f"choujian-holdout-v1\t{plan_code}\t{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def holdout_quotas(quotas: dict[str, int], percent: int) -> dict[str, int]:
    """Each stratum's quota split into the risk-targeted part and its control group (rounded half up, so a quota of
    3 at 20 % keeps 1 for the control group; a quota of 2 keeps none)."""
    split: dict[str, int] = {}
    for stratum, quota in quotas.items():
        held = (quota * percent + 50) // 100
        split[stratum] = quota - held
        if held:
            split[holdout_stratum(stratum)] = held
    return split


def _rule_weights(plan: Plan) -> dict[int, tuple[int, str]]:
    """Enterprise → (weight, reason) for enterprises with past non-conforming tasks or a risk signal another context
    reports, such as a listing on the blacklist."""
    rule = plan.effective_risk_rule()
    counts = (
        Task.objects.filter(outcome=TaskOutcome.OUTCOME_NONCONFORMING)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .order_by("enterprise_id")
    )
    failures = {row["enterprise_id"]: row["n"] for row in counts}
    signals = enterprise_risk_signals()
    weights = {}
    for enterprise_id in sorted(failures.keys() | signals.keys()):
        n, reasons = failures.get(enterprise_id, 0), signals.get(enterprise_id, [])
        raw = int(rule["base"]) + int(rule["per_nonconformity"]) * n + int(rule["per_signal"]) * len(reasons)
        why = ([f"历史不合格 {n} 次"] if n else []) + reasons
        weights[enterprise_id] = (max(1, min(int(rule["max"]), raw)), "；".join(why)[:200])
    return weights


@contextmanager
def _no_cycle_collection():
    """The cyclic garbage collector paused: a frame makes millions of objects, none of them in a cycle, and the
    collector walked the growing heap again and again while they were made (about half of a million-item build)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(plan: Plan) -> FramePlan:
    with _no_cycle_collection():
        return _build(plan)


def _build(plan: Plan) -> FramePlan:
    result = FramePlan()
    lines = list(plan.lines.select_related("category", "agency", "laboratory"))
    categories = {line.pk: _category_ids(line.category) for line in lines}
    all_categories = {pk for ids in categories.values() for pk in ids}
    recent = _recent_tasks(plan, all_categories)
    higher = _higher_plan_hits(plan, all_categories)
    weigh = _weigher(plan)
    for line in lines:
        result.quotas.update(line_quotas(line))
    percent = plan.holdout_percent
    split = holdout_quotas(result.quotas, percent) if percent else result.quotas
    for line in lines:
        for candidate in _candidates(plan, line, categories[line.pk]):
            reason = _exclusion_reason(plan, candidate, recent, higher)
            if reason:
                result.exclusions.append((candidate, reason))
                continue
            if candidate.stratum not in result.quotas:
                result.exclusions.append((candidate, "所在地区不在分层批次中（该层未分配批次）"))
                continue
            held = holdout_stratum(candidate.stratum) if percent else None
            if held in split and holdout_fraction(plan.code, candidate.item_id) < percent / 100:
                candidate.stratum, candidate.weight_reason = held, f"对照组（等权抽取，占本层批次的 {percent}%）"
            else:
                weighed = weigh(candidate)
                if weighed:
                    candidate.weight, candidate.weight_reason = weighed
            result.items.append(candidate)
    result.quotas = split
    return result


def _exclusion_reason(plan: Plan, candidate: Candidate, recent: dict, higher: dict) -> str:
    if candidate.enterprise_status != EnterpriseStatus.STATUS_ACTIVE:
        return f"企业状态为“{EnterpriseStatus.label(candidate.enterprise_status)}”"
    if candidate.product_status != ProductStatus.STATUS_ACTIVE:
        return "产品已停产"
    if candidate.product_id in recent:
        task = recent[candidate.product_id]
        return f"{plan.lookback_days} 天内已被 {task.plan.regulator.name} 抽查（任务 {task.code}）"
    if candidate.product_id in higher:
        return higher[candidate.product_id]
    return ""
