"""Writes to plans and their category lines: drafting, submission and approval by a second person."""

from django.db import transaction
from django.utils import timezone

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import User
from choujian.accounts.scope import in_region, is_member, regulator_prefixes
from choujian.core.codes import next_code
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.recording import record_create, record_delete, record_update
from choujian.ledger.services import ledger_append
from choujian.planning import selectors
from choujian.planning.choices import PlanStatus
from choujian.planning.models import InspectorQualification, Plan, PlanLine, Task

WRITERS = Role.REGULATOR_WRITERS


_member = is_member


def _require_writer(actor: User, plan: Plan) -> None:
    if not _member(actor, plan.regulator, WRITERS):
        raise NotPermitted("只有组织单位的监管人员可以编辑本计划")


def _require_draft(plan: Plan) -> None:
    if plan.status not in PlanStatus.EDITABLE:
        raise ServiceError({"status": [f"计划处于“{plan.get_status_display()}”状态，不能修改"]})


def plan_create(
    *, actor: User, regulator, name: str, year: int, region: str, participants: list[str], **fields
) -> Plan:
    if not _member(actor, regulator, WRITERS):
        raise NotPermitted("只能为本单位起草计划")
    plan = Plan(
        code=next_code("JH", year if isinstance(year, int) and 2000 <= year <= 2100 else timezone.now().year, 4),
        name=name,
        year=year,
        region=region,
        regulator=regulator,
        participants=participants,
        drafted_by=actor,
        **fields,
    )
    return record_create(plan, actor=actor, event="plan.created")


def plan_update(*, actor: User, plan: Plan, version: int | None = None, **changes) -> Plan:
    _require_writer(actor, plan)
    _require_draft(plan)
    forbidden = set(changes) & {"status", "approved_by", "approved_at", "drafted_by", "code", "regulator"}
    if forbidden:
        raise ServiceError({name: ["不能直接修改"] for name in sorted(forbidden)})
    return record_update(plan, actor=actor, event="plan.updated", changes=changes, version=version)


def plan_line_add(*, actor: User, plan: Plan, **fields) -> PlanLine:
    _require_writer(actor, plan)
    _require_draft(plan)
    return record_create(PlanLine(plan=plan, **fields), actor=actor, event="plan.line_added")


def plan_line_remove(*, actor: User, line: PlanLine) -> None:
    _require_writer(actor, line.plan)
    _require_draft(line.plan)
    record_delete(line, actor=actor, event="plan.line_removed")


@transaction.atomic
def plan_submit(*, actor: User, plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_writer(actor, plan)
    _require_draft(plan)
    if not plan.lines.exists():
        raise ServiceError({"lines": ["计划至少需要一个产品类别及其抽查批次"]})
    return _transition(plan, actor, PlanStatus.STATUS_SUBMITTED, "plan.submitted")


@transaction.atomic
def plan_return(*, actor: User, plan: Plan, reason: str) -> Plan:
    """An admin sends a submitted plan back to draft with a reason."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    """An admin sends a submitted plan back to draft with a reason."""
    if not _member(actor, plan.regulator, {Role.ROLE_REGULATOR_ADMIN}):
        raise NotPermitted("只有组织单位的监管管理员可以退回计划")
    if plan.status != PlanStatus.STATUS_SUBMITTED:
        raise ServiceError({"status": ["只有待审批的计划可以退回"]})
    if not reason.strip():
        raise ServiceError({"reason": ["请填写退回原因"]})
    return _transition(plan, actor, PlanStatus.STATUS_DRAFT, "plan.returned", {"reason": reason.strip()})


@transaction.atomic
def plan_approve(*, actor: User, plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not _member(actor, plan.regulator, {Role.ROLE_REGULATOR_ADMIN}):
        raise NotPermitted("只有组织单位的监管管理员可以批准计划")
    if plan.status != PlanStatus.STATUS_SUBMITTED:
        raise ServiceError({"status": [f"计划处于“{plan.get_status_display()}”状态，不能批准"]})
    if plan.drafted_by_id == actor.pk:
        raise ServiceError({"approved_by": ["起草人不能批准自己起草的计划（须由另一名管理员批准）"]})
    uncovered = selectors.categories_without_rules(plan)
    if uncovered:
        names = "、".join(f"{c.name}（{c.code}）" for c in uncovered)
        raise ServiceError(
            {
                "lines": [
                    f"以下产品类别没有在用的实施细则，样品将无法检验：{names}。请先启用相应的实施细则，或移除这些类别"
                ]
            }
        )
    plan.approved_by, plan.approved_at = actor, timezone.now()
    plan.save(update_fields=["approved_by", "approved_at"])
    _pin_rules(plan, actor)
    return _transition(plan, actor, PlanStatus.STATUS_APPROVED, "plan.approved")


def _pin_rules(plan: Plan, actor: User) -> None:
    """Each line keeps the implementation rules in force when the plan is approved: later versions never change
    how this plan's samples are judged."""
    from choujian.rules.selectors import ruleset_in_force_for

    for line in plan.lines.select_related("category"):
        ruleset = ruleset_in_force_for(line.category)
        if ruleset is not None:
            line.ruleset = ruleset
            line.version += 1
            line.save(update_fields=["ruleset", "version", "updated_at"])
            ledger_append(type="plan.rules_pinned", actor=actor, object=line)


def _transition(plan: Plan, actor: User, status: str, event: str, data: dict | None = None) -> Plan:
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    locked.status = status
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    ledger_append(type=event, actor=actor, object=locked, data=data or {})
    return locked


def qualification_grant(*, actor: User, inspector: User, category, valid_until=None) -> InspectorQualification:
    """Record that a sampler holds the qualification (持证) to sample a product category, so draws may pick them.

    A regulator's staff record it for samplers of agencies inside their region.
    """
    agencies = [
        m.organisation
        for m in inspector.active_memberships
        if m.role == Role.ROLE_SAMPLER and m.organisation.kind == OrganisationKind.KIND_SAMPLING_AGENCY
    ]
    if not agencies:
        raise ServiceError({"inspector": ["只能为抽样机构的抽样人员登记抽样资格"]})
    prefixes = regulator_prefixes(actor, WRITERS)
    if not any(in_region(prefixes, agency.region) for agency in agencies):
        raise NotPermitted("只能为本辖区抽样机构的人员登记抽样资格")
    qualification = InspectorQualification(inspector=inspector, category=category, valid_until=valid_until)
    return record_create(qualification, actor=actor, event="qualification.granted")


@transaction.atomic
def task_move(*, actor, task: Task, to: str, allowed_from: frozenset[str] | set[str]) -> Task:
    """The one way a task changes state after its draw (sampling, refusal, sealing, delivery): checked and ledgered."""
    from choujian.planning.choices import TaskStatus

    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.status == to:
        return current
    if current.status not in allowed_from:
        now, then = TaskStatus.label(current.status), TaskStatus.label(to)
        raise ServiceError({"status": [f"任务 {current.code} 处于“{now}”状态，不能转为“{then}”"]})
    current.status = to
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    ledger_append(type="task.status_changed", actor=actor, object=current, data={"to": to})
    return current


def task_advance(*, actor, task: Task, to: str, after: frozenset[str] | set[str]) -> Task:
    """Move a task on along the laboratory chain (testing → reported → notified → objection → retest → final) when
    it is at one of the stages `after`; a task already further on (or elsewhere) is left as it is."""
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.status not in after:
        return current
    return task_move(actor=actor, task=current, to=to, allowed_from=after)


@transaction.atomic
def task_record_outcome(*, actor, task: Task, outcome: str) -> Task:
    """The final result of a task's sample (合格/不合格), set once testing, objections and re-tests are done."""
    from choujian.planning.choices import TaskOutcome

    if outcome not in TaskOutcome.values():
        raise ServiceError({"outcome": ["结论应为合格或不合格"]})
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.outcome == outcome:
        return current
    current.outcome = outcome
    current.version += 1
    current.save(update_fields=["outcome", "version", "updated_at"])
    ledger_append(type="task.outcome_recorded", actor=actor, object=current, data={"outcome": outcome})
    return current
