"""复查 through the ordinary chain: at a sampled step the regulator orders a new sampling task at the maker (drawn
inspectors, blind laboratory, objections and re-tests as for any task); the task's final conclusion, or the maker's
refusal to be sampled, becomes the step's result by itself."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from choujian.core.errors import ServiceError
from choujian.core.policy import permits
from choujian.draws.services import recheck_task_create
from choujian.enforcement import policy
from choujian.enforcement.choices import CaseStatus
from choujian.enforcement.models import Case, Recheck
from choujian.enforcement.selectors import recheck_obstacle
from choujian.enforcement.services import SYSTEM, finish_step, locked, require, tell
from choujian.ledger.services import ledger_append
from choujian.planning.models import Task
from choujian.sampling.choices import RecordStatus
from choujian.sampling.models import SamplingRecord
from choujian.testing.choices import Judgment
from choujian.testing.models import Outcome

REFUSED = "refused"  # a 复查's judgment when the maker refused to be sampled


@transaction.atomic
def recheck_order(*, actor, case: Case, version: int | None = None, today: dt.date | None = None) -> Recheck:
    """Order the 复查 of the case's current step: one sampling task per step, never two."""
    today = today or timezone.localdate()
    case = locked(case, version)
    require(permits(actor, policy.ACT_REGULATOR, case), "复查由监管部门下达")
    current = case.current_step()
    obstacle = recheck_obstacle(case, current, today)
    if obstacle is not None:
        raise ServiceError({"step": [obstacle]})
    task = recheck_task_create(original=case.task, actor=actor)
    recheck = Recheck.objects.create(case=case, step=current, task=task, ordered_by=actor, ordered_at=timezone.now())
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    case.refresh_from_db()
    ledger_append(type="case.recheck_ordered", actor=actor, object=case, data={"step": current.code, "task": task.code})
    tell(case, current, "case.recheck", f"后处理案件 {case.code}：已下达复查抽样，将在生产企业抽取复查样品")
    return recheck


def recheck_for(task: Task) -> Recheck | None:
    if not task.is_recheck:
        return None
    return Recheck.objects.filter(task=task).first()


@transaction.atomic
def recheck_conclude(*, task: Task, judgment: str, refused: bool = False, today=None) -> Case | None:
    """The final conclusion of a 复查 task (or the refusal to sample it) taken into its case: passed or failed."""
    recheck = Recheck.objects.select_related("step").filter(task=task).first()
    if recheck is None or recheck.concluded_at is not None:
        return None
    today = today or timezone.localdate()
    case = Case.objects.select_for_update().get(pk=recheck.case_id)
    step = type(recheck.step).objects.get(pk=recheck.step_id)
    passed = judgment == Judgment.JUDGMENT_PASS and not refused
    Recheck.objects.filter(pk=recheck.pk).update(judgment=REFUSED if refused else judgment, concluded_at=timezone.now())
    if case.status != CaseStatus.STATUS_OPEN or step.done_at is not None:
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
        case.refresh_from_db()
        ledger_append(type="case.recheck_concluded", actor=SYSTEM, object=case, data={"task": task.code})
        return case
    if refused:
        note = f"复查任务 {task.code}：生产企业拒绝复查抽样，按复查不合格处理"
    else:
        note = f"复查任务 {task.code} 最终检验结论：{Judgment.label(judgment)}"
    rule = case.rules.step(step.code)
    result = "passed" if passed else "failed"
    return finish_step(case, step, rule, result, actor=SYSTEM, note=note, today=today, late=today > step.due)


def rechecks_conclude_pending() -> list[Case]:
    """Every 复查 whose task became final or was refused but whose case did not hear of it (the scheduled job)."""
    concluded = []
    waiting = Recheck.objects.filter(concluded_at=None).select_related("task")
    for recheck in waiting:
        task = recheck.task
        outcome = Outcome.objects.filter(sample__task=task).first()
        refused = SamplingRecord.objects.filter(task=task, status=RecordStatus.STATUS_REFUSED).exists()
        if outcome is not None or refused:
            judgment = outcome.judgment if outcome is not None else ""
            if (case := recheck_conclude(task=task, judgment=judgment, refused=refused)) is not None:
                concluded.append(case)
    return concluded
