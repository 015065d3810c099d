"""The statistics' table of results, kept current: a row the moment a result becomes final or a sampling is refused
(`receivers`), and the scheduled job for any the moment missed. Written only here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from choujian.analytics import rollups
from choujian.analytics.choices import DrawArm, FactSource
from choujian.analytics.models import CLASSES, ResultFact
from choujian.planning.choices import is_holdout
from choujian.planning.models import Task
from choujian.sampling.choices import RecordStatus
from choujian.sampling.models import SamplingRecord
from choujian.testing.choices import Judgment
from choujian.testing.models import Outcome

OUTCOME_RELATED = (
    "report__lab_sample__laboratory", "sample__task__enterprise", "sample__task__product__category",
    "sample__task__delivery__section__project", "sample__task__plan__regulator",
)  # fmt: skip


def _task_values(task: Task) -> dict:
    enterprise, category = task.enterprise, task.product.category
    section = task.delivery.section if task.delivery_id else None
    return {
        "task_code": task.code, "enterprise_name": enterprise.name, "uscc": enterprise.uscc,
        "region": enterprise.region, "category_code": category.code, "category_name": category.name,
        "project": section.project.name if section else "", "section": section.name if section else "",
        "regulator_region": task.plan.regulator.region, "recheck": task.is_recheck, "draw_arm": draw_arm_of(task),
    }  # fmt: skip


def draw_arm_of(task: Task) -> str:
    if task.is_recheck or not task.plan.holdout_percent:
        return DrawArm.ARM_NONE
    return DrawArm.ARM_HOLDOUT if is_holdout(task.stratum) else DrawArm.ARM_TARGETED


def _failed(outcome: Outcome) -> tuple[str, list[str]]:
    items = [i for i in outcome.report.verdict.get("items", []) if i.get("judgment") == Judgment.JUDGMENT_FAIL]
    classes = [i.get("class", "") for i in items if i.get("class", "") in CLASSES]
    worst = min(classes, key=CLASSES.index) if classes else ("C" if items else "")
    return worst, [i["name"] for i in items]


def fact_of_outcome(outcome: Outcome) -> ResultFact:
    worst, names = _failed(outcome)
    passed = outcome.judgment == Judgment.JUDGMENT_PASS
    return ResultFact(
        source=FactSource.SOURCE_PLATFORM, outcome=outcome, final_on=timezone.localdate(outcome.final_at),
        laboratory=outcome.report.lab_sample.laboratory.name, passed=passed,
        worst_class="" if passed else worst, failed_items=[] if passed else names,
        **_task_values(outcome.sample.task),
    )  # fmt: skip


def fact_of_refusal(record: SamplingRecord) -> ResultFact:
    moment = record.refused_at or record.updated_at
    return ResultFact(
        source=FactSource.SOURCE_PLATFORM, final_on=timezone.localdate(moment), refused=True, passed=False,
        **_task_values(record.task),
    )  # fmt: skip


@transaction.atomic
def fact_record_outcome(outcome: Outcome) -> ResultFact:
    existing = ResultFact.objects.filter(outcome=outcome).first()
    return existing or _create(fact_of_outcome(outcome))


@transaction.atomic
def fact_record_refusal(record: SamplingRecord) -> ResultFact:
    existing = ResultFact.objects.filter(task_code=record.task.code, refused=True).first()
    return existing or _create(fact_of_refusal(record))


@transaction.atomic
def _create(fact: ResultFact) -> ResultFact:
    fields = {f.attname: getattr(fact, f.attname) for f in ResultFact._meta.concrete_fields if f.name != "id"}
    made = ResultFact.objects.create(**fields)
    rollups.pending([made])
    return made


def facts_sync(batch: int = 2000) -> int:
    """Rows for every final result and refusal that has none (the scheduled job; also after an upgrade)."""
    made = 0
    outcomes = Outcome.objects.exclude(pk__in=ResultFact.objects.filter(outcome__isnull=False).values("outcome_id"))
    for outcome in outcomes.select_related(*OUTCOME_RELATED).order_by("pk")[:batch]:
        _create(fact_of_outcome(outcome))
        made += 1
    counted = ResultFact.objects.filter(refused=True).values("task_code")
    refusals = SamplingRecord.objects.filter(status=RecordStatus.STATUS_REFUSED).exclude(task__code__in=counted)
    for record in refusals.select_related("task__enterprise", "task__product__category", "task__plan__regulator"):
        _create(fact_of_refusal(record))
        made += 1
    return made
