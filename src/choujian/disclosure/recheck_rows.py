"""What a 复查 announcement publishes (the Ministry's later table): for each concluded 复查 the enterprise, the
product, where and how many samples were taken again, whether it conformed and what failed; then the batches whose
producer did not apply for a 复查 in time, their conclusion maintained. Each row links back to the result it follows."""

from __future__ import annotations

from choujian.disclosure.choices import AnnouncementKind, AnnouncementStatus
from choujian.disclosure.models import ResultRow
from choujian.enforcement.ladders import CONCLUSIONS, MAINTAINED
from choujian.enforcement.models import Case, Recheck
from choujian.enforcement.rechecks import REFUSED
from choujian.planning.models import Plan, Task
from choujian.testing.choices import Judgment
from choujian.testing.models import Outcome


def _original_row(task: Task) -> str | None:
    row = ResultRow.objects.filter(
        task=task, announcement__kind=AnnouncementKind.KIND_RESULTS, announcement__status="published"
    ).first()
    return row.row_id if row is not None else None


def _without_outcome(task: Task) -> dict:
    """A 复查 the maker refused: no laboratory, the conclusion is a failure."""
    enterprise, product = task.enterprise, task.product
    return {
        "task": task, "enterprise_name": enterprise.name, "enterprise_uscc": enterprise.uscc,
        "region": enterprise.region, "category_code": product.category.code, "category_name": product.category.name,
        "product_name": product.name, "model_spec": product.model_spec, "batch_no": "", "production_date": None,
        "place": f"{enterprise.name}（生产企业）"[:300], "testing_body": "—", "conclusion": Judgment.JUDGMENT_FAIL,
        "failed_items": [],
    }  # fmt: skip


def recheck_rows(plan: Plan, row_values) -> list[dict]:
    """The rows of the plan's 复查 announcement not yet published in one; `row_values(outcome)` gives a result's
    public fields (one rule for both kinds of announcement)."""
    announced = set(
        ResultRow.objects.filter(
            announcement__plan=plan, announcement__kind=AnnouncementKind.KIND_RECHECK,
            announcement__status=AnnouncementStatus.STATUS_PUBLISHED,
        ).values_list("task_id", flat=True)
    )  # fmt: skip
    rows = []
    done = (
        Recheck.objects.filter(case__plan=plan, concluded_at__isnull=False)
        .select_related("step", "case__task", "task__enterprise", "task__product__category")
        .order_by("concluded_at", "pk")
    )
    for recheck in done:
        if recheck.task_id in announced:
            continue
        outcome = Outcome.objects.filter(sample__task=recheck.task).select_related("sample__record").first()
        if outcome is None or recheck.judgment == REFUSED:
            values, note = _without_outcome(recheck.task), f"{recheck.step.name}：生产企业拒绝复查抽样"
        else:
            values, note = row_values(outcome), recheck.step.name
            values["sample_count"] = outcome.sample.record.test_quantity
        rows.append(values | {"note": note, "refers_to": _original_row(recheck.case.task)})
    maintained = Case.objects.filter(plan=plan, conclusion=MAINTAINED, outcome__isnull=False).select_related("outcome")
    for case in maintained.order_by("closed_at", "pk"):
        if case.task_id in announced:
            continue
        values = row_values(case.outcome)
        rows.append(values | {"note": CONCLUSIONS[MAINTAINED], "refers_to": _original_row(case.task)})
    return rows


def recheck_summary(plan: Plan, rows: list[dict]) -> str:
    rechecked = [row for row in rows if row["note"] != CONCLUSIONS[MAINTAINED]]
    passed = sum(row["conclusion"] == Judgment.JUDGMENT_PASS for row in rechecked)
    maintained = len(rows) - len(rechecked)
    enterprises = {row["enterprise_uscc"] for row in rechecked}
    text = (
        f"依据有关规定，{plan.regulator.name}对{plan.name}中检验不合格产品的生产企业进行了复查。复查样品由平台随机"
        f"选派的检查人员在生产企业抽取，检验机构盲样检验。共复查 {len(enterprises)} 家企业 {len(rechecked)} 批次，"
        f"复查合格 {passed} 批次，不合格 {len(rechecked) - passed} 批次。"
    )
    if maintained:
        text += f"另有 {maintained} 批次产品的生产企业未在规定期限内申请复查，抽查结论维持不合格。"
    return text
