"""Every write to enforcement cases: opening one, doing a step, a clock suspended and resumed, a lapsed step, the
referral acknowledged, a plan's ladder set. Each checks the access policy and the ladder, and ledgers the case."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from choujian.accounts.choices import OrganisationKind, Role, Sector
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import members_of
from choujian.core.codes import next_code
from choujian.core.dates import parse_date
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.policy import permits
from choujian.core.uploads import DOCUMENT_TYPES, digest_and_type
from choujian.enforcement import credit_rules, ladders, policy
from choujian.enforcement.choices import (
    CaseCause,
    CaseStatus,
    LadderCode,
    ListingStatus,
    PenaltyKind,
    RepairDecision,
)
from choujian.enforcement.models import (
    BlacklistEntry,
    Case,
    CaseFile,
    CreditRecord,
    Penalty,
    PlanLadder,
    Removal,
    Step,
    Suspension,
)
from choujian.ledger.services import ledger_append
from choujian.notifications.services import message_send
from choujian.planning.choices import TaskPurpose
from choujian.planning.models import Plan, Task
from choujian.sampling.choices import RecordStatus
from choujian.sampling.models import SamplingRecord
from choujian.testing.choices import Judgment
from choujian.testing.models import Outcome
from choujian.workcalendar.services import deadline_compute, deadline_record

logger = logging.getLogger(__name__)
SYSTEM = "system"
# How long the receiving regulator has to confirm a referral: the platform's own rule, not an article.
REFERRAL_WORKING_DAYS = 5
CASE_CODE_PREFIX = "AJ"


def ladder_for(plan: Plan) -> tuple[str, dict]:
    """The plan's chosen ladder and periods, or by its organiser's sector (market regulators follow SAMR rules)."""
    chosen = PlanLadder.objects.filter(plan=plan).first()
    if chosen is not None:
        return chosen.ladder, chosen.periods
    if plan.regulator.sector == Sector.SECTOR_MARKET:
        return LadderCode.LADDER_SAMR, {}
    return LadderCode.LADDER_TRANSPORT, {}


def regulator_for(enterprise, organiser: Organisation) -> Organisation:
    """The regulator of the enterprise's domicile in the organiser's sector: the one with the longest region prefix."""
    region = enterprise.region
    candidates = Organisation.objects.filter(
        kind=OrganisationKind.KIND_REGULATOR, sector=organiser.sector, active=True
    ).only("pk", "region", "level", "sector")
    best, best_length = organiser, -1
    for org in candidates:
        prefix = org.region.rstrip("0") or org.region
        if len(prefix) % 2:
            prefix += "0"
        if region.startswith(prefix) and len(prefix) > best_length:
            best, best_length = org, len(prefix)
    return Organisation.objects.get(pk=best.pk)


def step_due(starts_on: dt.date, days: int, kind: str, suspended_days: int = 0) -> dt.date:
    """The deadline service's last day for the period, its start moved by the days the clock stood still (so a
    working-day deadline still falls on a working day)."""
    start = starts_on + dt.timedelta(days=suspended_days)
    return deadline_compute(start=start, days=days, kind=kind).due


def case_deadline_move(case: Case, field: str, due: dt.date) -> None:
    """A newly entered year's holidays moved one of the case's deadlines (the calendar's service calls this, inside
    its transaction and before its ledger entry): the open step moves with the case."""
    if field == "due":
        Step.objects.filter(case=case, done_at=None).update(due=due)
    Case.objects.filter(pk=case.pk).update(**{field: due, "version": F("version") + 1})


def _deadline(case: Case, field: str, name: str, start: dt.date, days: int, kind: str, basis: str) -> dt.date:
    """A deadline of the case kept by the calendar: reminded before it falls due, and moved when a newly entered
    year's holidays move it (`case_deadline_move`)."""
    label = f"后处理案件 {case.code}：{name}"
    return deadline_record(owner=case, field=field, label=label, start=start, days=days, kind=kind, basis=basis).due


def _add_step(case: Case, rule: ladders.StepRule, starts_on: dt.date, order: int) -> Step:
    not_before = starts_on + dt.timedelta(days=rule.not_before) if rule.not_before else None
    step = Step.objects.create(
        case=case,
        order=order,
        code=rule.code,
        name=rule.name,
        actor=rule.actor,
        basis=rule.basis[:200],
        starts_on=starts_on,
        not_before=not_before,
        days=rule.days,
        kind=rule.kind,
        due=_deadline(case, "due", rule.name, starts_on, rule.days, rule.kind, rule.basis),
    )
    case.stage, case.due = rule.code, step.due
    return step


def _people(case: Case, actor: str) -> list[User]:
    return case.people_for(actor)


def tell(case: Case, step: Step | None, kind: str, subject: str) -> None:
    people = _people(case, step.actor) if step is not None else []
    people += _people(case, "regulator") if kind == "case.referred" else []
    body = f"{case.enterprise.name}：{case.product}（批号 {case.batch_no or '—'}）。"
    if step is not None:
        body += f"下一步：{step.name}，期限 {step.due:%Y-%m-%d}（{step.basis}）。"
    message_send(recipients=people, kind=kind, subject=subject, body=body, link=case.deadline_link(), about=case)


@transaction.atomic
def case_open(*, task: Task, cause: str, outcome: Outcome | None = None, actor=SYSTEM) -> Case:
    """Open the case of a failed batch or a refused sampling (once per task; opening again returns it)."""
    task = Task.objects.select_for_update().get(pk=task.pk)  # two receivers of one result open one case
    existing = Case.objects.filter(task=task).first()
    if existing is not None:
        return existing
    if cause not in CaseCause.values():
        raise ServiceError({"cause": ["起因应为 failed 或 refused"]})
    plan = task.plan
    code, periods = (LadderCode.LADDER_REFUSAL, {}) if cause == CaseCause.CAUSE_REFUSED else ladder_for(plan)
    regulator = regulator_for(task.enterprise, plan.regulator)
    now = timezone.now()
    delivery = task.delivery
    case = Case(
        code=next_code(CASE_CODE_PREFIX, timezone.localdate().year),
        cause=cause,
        plan=plan,
        task=task,
        outcome=outcome,
        enterprise=task.enterprise,
        product=task.product,
        delivery=delivery,
        batch_no=delivery.batch_no if delivery is not None else "",
        ladder=code,
        periods=periods,
        regulator=regulator,
        organiser=plan.regulator,
        opened_at=now,
        referred_at=now if regulator.pk != plan.regulator_id else None,
    )
    if case.referred_at is not None:
        case.referral_due = step_due(timezone.localdate(), REFERRAL_WORKING_DAYS, "working")
    rules = ladders.ladder(code).with_periods(periods)
    case.stage = rules.first
    case.save()
    if case.referred_at is not None:
        _deadline(
            case, "referral_due", "确认接收移送的案件", timezone.localdate(), REFERRAL_WORKING_DAYS, "working",
            f"平台规则：移送后 {REFERRAL_WORKING_DAYS} 个工作日内确认接收",
        )  # fmt: skip
    step = _add_step(case, rules.step(rules.first), timezone.localdate(), 1)
    case.save(update_fields=["stage", "due"])
    ledger_append(type="case.opened", actor=actor, object=case)
    credit_apply_opened(case, timezone.localdate())
    tell(case, step, "case.opened", f"后处理立案 {case.code}：{CaseCause.label(cause)}")
    if case.referred_at is not None:
        tell(case, None, "case.referred", f"{plan.regulator.name}移送后处理案件 {case.code}，请确认接收")
    if delivery is not None:
        _tell_site(case)
    return case


def _tell_site(case: Case) -> None:
    """The owner, the contractor and the supervisor of the section the failed lot was delivered to: it must not be
    used and must leave the site (《建设工程质量管理条例》第二十九条)."""
    section = case.delivery.section
    orgs = [section.contractor_id, section.supervisor_id, section.project.owner_id]
    roles = {Role.ROLE_CONTRACTOR_STAFF, Role.ROLE_SUPERVISOR_STAFF, Role.ROLE_OWNER_STAFF}
    people = list(members_of([pk for pk in orgs if pk], roles))
    lot = f"{case.product}（批号 {case.batch_no or '—'}）"
    subject = f"进场批次抽检不合格：{lot}须停止使用并退场"
    body = (
        f"{section.project.name} {section.name} 进场的 {case.enterprise.name} {lot}监督抽查结论为不合格。"
        "依据《建设工程质量管理条例》第二十九条，不得使用；施工单位登记退场，监理单位见证。"
    )
    message_send(recipients=people, kind="case.site", subject=subject, body=body, link=case.deadline_link(), about=case)


def cases_open_pending() -> list[Case]:
    """Open the cases of every final non-conforming result and every refused sampling that has none (the scheduled
    job; the same happens at once when the result becomes final)."""
    opened = []
    failed = Outcome.objects.filter(judgment=Judgment.JUDGMENT_FAIL, case=None).select_related("sample__task")
    failed = failed.exclude(sample__task__purpose=TaskPurpose.PURPOSE_RECHECK)
    for outcome in failed:
        opened.append(case_open(task=outcome.sample.task, cause=CaseCause.CAUSE_FAILED, outcome=outcome))
    refused = SamplingRecord.objects.filter(status=RecordStatus.STATUS_REFUSED, task__case=None).select_related("task")
    refused = refused.exclude(task__purpose=TaskPurpose.PURPOSE_RECHECK)
    for record in refused:
        opened.append(case_open(task=record.task, cause=CaseCause.CAUSE_REFUSED))
    return opened


def locked(case: Case, version: int | None) -> Case:
    current = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and current.version != version:
        raise ConflictError(current.version)
    if current.status != CaseStatus.STATUS_OPEN:
        raise ServiceError({"case": [f"案件已办结（{current.stage_label}），不能再办理"]})
    return current


def _current(case: Case, step_code: str) -> Step:
    step = case.steps.filter(done_at=None).order_by("-order").first()
    if step is None or step.code != step_code:
        now = f"当前步骤为“{step.name}”" if step is not None else "没有待办步骤"
        raise ServiceError({"step": [f"不能办理“{step_code}”：{now}，须按顺序办理"]})
    return step


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotPermitted(message)


def _advance(case: Case, step: Step, target: str, today: dt.date) -> Step | None:
    """Where a step's result leads: the next step (counted as its rule says) or the case's conclusion."""
    rules = case.rules
    if target in ladders.CONCLUSIONS:
        case.status, case.conclusion, case.stage, case.due = CaseStatus.STATUS_CLOSED, target, target, None
        case.closed_at = timezone.now()
        return None
    rule = rules.step(target)
    starts_on = today
    if rule.counts_from:
        source = case.steps.filter(code=rule.counts_from).exclude(done_at=None).order_by("-order").first()
        starts_on = timezone.localdate(source.done_at) if source is not None else today
    return _add_step(case, rule, starts_on, step.order + 1)


def _save(case: Case, fields: list[str]) -> None:
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, **{f: getattr(case, f) for f in fields})
    case.refresh_from_db()


@transaction.atomic
def step_take(
    *, actor: User, case: Case, step: str, result: str, note: str = "", version: int | None = None, today=None
) -> Case:
    """Do the case's current step with one of its results; out of order, too early, or (for a step with a
    consequence of lateness) too late is refused with the reason."""
    today = today or timezone.localdate()
    case = locked(case, version)
    current = _current(case, step)
    rule = case.rules.step(current.code)
    action = policy.ACT_ENTERPRISE if rule.actor == "enterprise" else policy.ACT_REGULATOR
    require(permits(actor, action, case), f"“{current.name}”由{rule.actor_label}办理")
    if result not in rule.results:
        choices = "、".join(f"{r}（{ladders.RESULTS[r]}）" for r in rule.results)
        raise ServiceError({"result": [f"结果应为 {choices} 之一"]})
    if current.suspended_since is not None:
        raise ServiceError({"step": [f"期限自 {current.suspended_since:%Y-%m-%d} 起中止，须先恢复"]})
    if current.not_before is not None and today < current.not_before:
        raise ServiceError({"step": [f"依据{current.basis}，最早于 {current.not_before:%Y-%m-%d} 办理"]})
    late = today > current.due
    if late and rule.when_late:
        consequence = ladders.outcome_label(rule.when_late) or case.rules.step(rule.when_late).name
        raise ServiceError({"step": [f"期限已于 {current.due:%Y-%m-%d} 届满，不再受理（{consequence}）"]})
    if rule.sampled:
        raise ServiceError({"result": ["复查结论是复查任务的最终检验结论：请下达复查抽样，结论出来后自动记入"]})
    note = (note or "").strip()
    if len(note) > 1000:
        raise ServiceError({"note": ["说明不能超过 1000 字"]})
    return finish_step(case, current, rule, result, actor=actor, note=note, today=today, late=late)


def finish_step(
    case: Case, current: Step, rule: ladders.StepRule, result: str, *, actor, note: str, today: dt.date, late: bool
) -> Case:
    """Record the current step's result and go where it leads (the caller holds the case's lock and has checked
    that the result may be recorded)."""
    done_by = actor if isinstance(actor, User) else None
    Step.objects.filter(pk=current.pk).update(
        done_at=timezone.now(), done_by=done_by, result=result, note=note, late=late
    )
    current.refresh_from_db()
    following = _advance(case, current, rule.results[result], today)
    _save(case, ["status", "conclusion", "stage", "due", "closed_at"])
    ledger_append(type="case.step_done", actor=actor, object=case, data={"step": current.code, "result": result})
    if following is not None:
        tell(case, following, "case.step", f"后处理案件 {case.code}：{following.name}")
    else:
        tell(case, current, "case.closed", f"后处理案件 {case.code} 办结：{case.stage_label}")
        credit_apply_closed(case, today)
    return case


def steps_lapse(*, today=None) -> list[Case]:
    """Steps nobody did in time whose ladder says what lateness means (no 复查 application → the conclusion stands)
    take that consequence the day after their deadline (the scheduled job); each in its own transaction, so one
    case that cannot move does not hold up the others."""
    today = today or timezone.localdate()
    lapsed = []
    candidates = Step.objects.filter(done_at=None, suspended_since=None, due__lt=today, case__status="open")
    for step_id, case_id in candidates.values_list("pk", "case_id"):
        try:
            with transaction.atomic():
                case = _lapse(Case.objects.select_for_update().get(pk=case_id), step_id, today)
        except (ServiceError, ladders.LadderError, KeyError):
            logger.exception("后处理步骤逾期处理失败：case %s step %s", case_id, step_id)
            continue
        if case is not None:
            lapsed.append(case)
    return lapsed


def _lapse(case: Case, step_id: int, today: dt.date) -> Case | None:
    step = Step.objects.select_for_update().get(pk=step_id)  # read again under the case's lock
    if step.done_at is not None or step.suspended_since is not None or step.due >= today or case.stage != step.code:
        return None
    rule = case.rules.step(step.code)
    if not rule.when_late:
        return None
    Step.objects.filter(pk=step.pk).update(done_at=timezone.now(), result=ladders.LAPSED, late=True)
    step.refresh_from_db()
    following = _advance(case, step, rule.when_late, today)
    _save(case, ["status", "conclusion", "stage", "due", "closed_at"])
    ledger_append(type="case.lapsed", actor=SYSTEM, object=case, data={"step": step.code})
    tell(case, following or step, "case.step", f"后处理案件 {case.code}：{step.name}逾期，{case.stage_label}")
    if following is None:
        credit_apply_closed(case, today)
    return case


@transaction.atomic
def step_suspend(*, actor: User, case: Case, reason: str, version: int | None = None, today=None) -> Case:
    """Stop the current step's clock (an approved extension, force majeure), with the reason."""
    today = today or timezone.localdate()
    case = locked(case, version)
    require(permits(actor, policy.ACT_REGULATOR, case), "只有主办或组织抽查的监管部门可以中止期限")
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ServiceError({"reason": ["请写明中止理由（不超过 300 字）"]})
    step = case.steps.filter(done_at=None).order_by("-order").first()
    if step is None:
        raise ServiceError({"step": ["没有待办步骤"]})
    if step.suspended_since is not None:
        raise ServiceError({"step": [f"期限已自 {step.suspended_since:%Y-%m-%d} 起中止"]})
    if today > step.due:
        raise ServiceError({"step": [f"期限已于 {step.due:%Y-%m-%d} 届满，不能再中止"]})
    Suspension.objects.create(case=case, step=step, started_on=today, reason=reason, suspended_by=actor)
    Step.objects.filter(pk=step.pk).update(suspended_since=today)
    _save(case, [])
    ledger_append(type="case.suspended", actor=actor, object=case, data={"step": step.code, "reason": reason})
    return case


@transaction.atomic
def step_resume(*, actor: User, case: Case, version: int | None = None, today=None) -> Case:
    """Restart the clock: the days it stood still are added to the step's deadline."""
    today = today or timezone.localdate()
    case = locked(case, version)
    require(permits(actor, policy.ACT_REGULATOR, case), "只有主办或组织抽查的监管部门可以恢复期限")
    step = case.steps.filter(done_at=None).order_by("-order").first()
    if step is None or step.suspended_since is None:
        raise ServiceError({"step": ["期限没有中止"]})
    stood = max(0, (today - step.suspended_since).days)
    suspended_days = step.suspended_days + stood
    start = step.starts_on + dt.timedelta(days=suspended_days)
    due = _deadline(case, "due", step.name, start, step.days, step.kind, step.basis)
    Step.objects.filter(pk=step.pk).update(suspended_since=None, suspended_days=suspended_days, due=due)
    Suspension.objects.filter(step=step, ended_on=None).update(ended_on=today, resumed_by=actor)
    case.due = due
    _save(case, ["due"])
    ledger_append(type="case.resumed", actor=actor, object=case, data={"step": step.code, "days": stood})
    return case


@transaction.atomic
def referral_acknowledge(*, actor: User, case: Case, version: int | None = None) -> Case:
    case = locked(case, version)
    require(permits(actor, policy.ACKNOWLEDGE, case), "只有被移送的监管部门可以确认接收")
    if case.referred_at is None:
        raise ServiceError({"case": ["本案由组织抽查的部门主办，没有移送"]})
    if case.referral_acknowledged_at is not None:
        raise ServiceError({"case": [f"已于 {timezone.localtime(case.referral_acknowledged_at):%Y-%m-%d} 确认接收"]})
    case.referral_acknowledged_at, case.referral_acknowledged_by = timezone.now(), actor
    _save(case, ["referral_acknowledged_at", "referral_acknowledged_by"])
    ledger_append(type="case.referral_acknowledged", actor=actor, object=case)
    return case


@transaction.atomic
def plan_ladder_set(*, actor: User, plan: Plan, ladder: str, periods: dict | None = None) -> PlanLadder:
    """Choose a plan's ladder and its own periods (each with its article); cases already open keep theirs."""
    if ladder not in (LadderCode.LADDER_TRANSPORT, LadderCode.LADDER_SAMR):
        raise ServiceError({"ladder": ["处理程序应为 transport 或 samr"]})
    try:
        ladders.ladder(ladder).with_periods(periods or {})
    except ladders.LadderError as exc:
        raise ServiceError({"periods": [str(exc)]}) from None
    chosen = PlanLadder.objects.filter(plan=plan).first() or PlanLadder(plan=plan, set_by=actor)
    chosen.ladder, chosen.periods, chosen.set_by = ladder, periods or {}, actor
    if chosen.pk is None:
        chosen.save()
    require(permits(actor, policy.SET_LADDER, chosen), "只有组织抽查的监管部门可以设置后处理程序")
    chosen.save()
    ledger_append(type="plan.ladder_set", actor=actor, object=chosen)
    return chosen


# ── evidence, the construction-site track ─────────────────────────────────────────────────────────────────────────

MAX_FILE_BYTES = 20 * 1024 * 1024
ART64 = "《建设工程质量管理条例》第六十四条"
ART64_RATES = (Decimal("2"), Decimal("4"))  # per cent of the contract price


def _file(case: Case, upload, actor: User, **owner) -> CaseFile:
    if upload is None or not upload.size:
        raise ServiceError({"file": ["文件为空"]})
    if upload.size > MAX_FILE_BYTES:
        raise ServiceError({"file": [f"文件过大，上限 {MAX_FILE_BYTES // 1024 // 1024} MB"]})
    sha256, content_type = digest_and_type(upload)
    if content_type not in DOCUMENT_TYPES:
        raise ServiceError({"file": ["只接受 PDF、JPEG、PNG 或 WebP 文件"]})
    record = CaseFile(
        public_id=uuid.uuid4(),
        case=case,
        original_name=(upload.name or "file")[-200:],
        size=upload.size,
        sha256=sha256,
        uploaded_by=actor,
        **owner,
    )
    record.file.save(f"{sha256[:16]}-{record.original_name[-80:]}", upload, save=False)
    record.save()
    return record


@transaction.atomic
def step_file_attach(*, actor: User, case: Case, upload) -> CaseFile:
    """Evidence for the current step (整改报告, 复查申请, 检验报告…), by whoever does that step."""
    case = locked(case, None)
    step = case.steps.filter(done_at=None).order_by("-order").first()
    if step is None:
        raise ServiceError({"step": ["没有待办步骤"]})
    action = policy.ACT_ENTERPRISE if step.actor == "enterprise" else policy.ACT_REGULATOR
    require(permits(actor, action, case), f"“{step.name}”的材料由{step.actor_label}提交")
    record = _file(case, upload, actor, step=step)
    _save(case, [])
    ledger_append(type="case.file_attached", actor=actor, object=case, data={"sha256": record.sha256})
    return record


def _site_case(case: Case, version: int | None) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and case.version != version:
        raise ConflictError(case.version)
    if case.delivery_id is None:
        raise ServiceError({"case": ["本案的样品不是在施工现场抽取的，没有退场和工程处罚事项"]})
    return case


@transaction.atomic
def removal_record(
    *, actor: User, case: Case, quantity, unit: str, place: str, removed_on, note: str = "", photos=(), version=None
) -> Removal:
    """The contractor records the failed lot taken off the site, with photos; the supervisor then witnesses it."""
    case = _site_case(case, version)
    require(permits(actor, policy.RECORD_REMOVAL, case), "退场由承担该批次的施工单位登记")
    errors: dict[str, list[str]] = {}
    removed = sum((r.quantity for r in case.removals.all()), Decimal(0))
    left = case.delivery.quantity - removed  # several trips may take the lot off, never more than was delivered
    try:
        quantity = Decimal(str(quantity).strip())
        if not quantity.is_finite() or quantity <= 0 or quantity > left:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["quantity"] = [
            f"退场数量应为大于 0、不超过尚未退场数量 {left}（进场 {case.delivery.quantity}，已退场 {removed}）的数"
        ]
    try:
        removed_on = parse_date(removed_on)
        if removed_on > timezone.localdate() or removed_on < case.delivery.delivered_on:
            errors["removed_on"] = ["退场日期不能晚于今天，也不能早于进场日期"]
    except ValueError as exc:
        errors["removed_on"] = [str(exc)]
    for name, value, limit in (("unit", unit, 20), ("place", place, 200)):
        if not (value or "").strip() or len(value) > limit:
            errors[name] = [f"必填，不超过 {limit} 字"]
    if not photos:
        errors["photos"] = ["请至少上传一张退场照片"]
    if errors:
        raise ServiceError(errors)
    removal = Removal.objects.create(
        case=case,
        delivery=case.delivery,
        quantity=quantity,
        unit=unit.strip(),
        place=place.strip(),
        removed_on=removed_on,
        note=(note or "").strip()[:500],
        recorded_by=actor,
    )
    for photo in photos:
        _file(case, photo, actor, removal=removal)
    _save(case, [])
    ledger_append(type="case.removal_recorded", actor=actor, object=case, data={"quantity": str(quantity)})
    supervisors = members_of([case.delivery.section.supervisor_id], {Role.ROLE_SUPERVISOR_STAFF})
    message_send(
        recipients=supervisors,
        kind="case.step",
        subject=f"请见证不合格批次退场：{case.product}（批号 {case.batch_no}）",
        body=f"{case.delivery.section}：退场 {quantity} {removal.unit}，地点 {removal.place}。",
        link=case.deadline_link(),
        about=case,
    )
    return removal


@transaction.atomic
def removal_witness(*, actor: User, case: Case, removal: Removal, note: str = "", version=None) -> Removal:
    """The supervisor (监理) countersigns the removal it saw (《建设工程质量管理条例》第三十一条、第六十七条)."""
    case = _site_case(case, version)
    require(permits(actor, policy.WITNESS_REMOVAL, case), "退场由该标段的监理单位见证")
    removal = Removal.objects.select_for_update().get(pk=removal.pk, case=case)
    if removal.witnessed_at is not None:
        raise ServiceError({"removal": ["该退场已见证"]})
    Removal.objects.filter(pk=removal.pk).update(
        witnessed_by=actor, witnessed_at=timezone.now(), witness_note=(note or "").strip()[:500]
    )
    removal.refresh_from_db()
    _save(case, [])
    ledger_append(type="case.removal_witnessed", actor=actor, object=case)
    return removal


def art64_range(contract_price: Decimal) -> tuple[Decimal, Decimal]:
    """The fine a contractor faces for using non-conforming materials: 2%–4% of the contract price."""
    cent = Decimal("0.01")
    low, high = ART64_RATES
    return (contract_price * low / 100).quantize(cent), (contract_price * high / 100).quantize(cent)


@transaction.atomic
def penalty_decide(
    *, actor: User, case: Case, kind: str, rate=None, amount=None, decision_no: str, decided_on, basis: str = "",
    subject: str = "contractor", version=None,
) -> Penalty:  # fmt: skip
    """Record a penalty decision: the regulator's art. 64 fine (rate within 2%–4% of the section's contract price,
    amount computed from it) or the owner's contract penalty on the contractor or the supervisor."""
    case = _site_case(case, version)
    section = case.delivery.section
    errors: dict[str, list[str]] = {}
    decision_no = (decision_no or "").strip()
    if not decision_no or len(decision_no) > 100:
        errors["decision_no"] = ["请填写决定书文号（不超过 100 字）"]
    try:
        decided_on = parse_date(decided_on)
        if decided_on > timezone.localdate():
            errors["decided_on"] = ["决定日期不能晚于今天"]
    except ValueError as exc:
        errors["decided_on"] = [str(exc)]
    if kind == PenaltyKind.KIND_ART64:
        require(permits(actor, policy.ACT_REGULATOR, case), "第六十四条的罚款由监管部门决定")
        target, price, basis = section.contractor, section.contract_price, ART64
        if price is None:
            errors["contract_price"] = ["该标段尚未登记合同价款，请先在标段信息中填写"]
        rate = _decimal(rate, "rate", errors)
        if rate is not None and not ART64_RATES[0] <= rate <= ART64_RATES[1]:
            errors["rate"] = ["罚款比例应在 2% 至 4% 之间（第六十四条）"]
        amount = None if errors else (price * rate / 100).quantize(Decimal("0.01"))
    elif kind == PenaltyKind.KIND_CONTRACT:
        require(permits(actor, policy.CONTRACT_PENALTY, case), "合同违约处理由建设单位登记")
        if subject not in ("contractor", "supervisor"):
            errors["subject"] = ["对象应为 contractor（施工单位）或 supervisor（监理单位）"]
        target = section.supervisor if subject == "supervisor" else section.contractor
        price, rate = None, None
        amount = _decimal(amount, "amount", errors)
        basis = (basis or "").strip()
        if not basis or len(basis) > 300:
            errors["basis"] = ["请写明合同条款（不超过 300 字）"]
    else:
        raise ServiceError({"kind": ["类型应为 art64 或 contract"]})
    if errors:
        raise ServiceError(errors)
    penalty = Penalty.objects.create(
        case=case, kind=kind, subject=target, contract_price=price, rate=rate, amount=amount,
        decision_no=decision_no, decided_on=decided_on, basis=basis, decided_by=actor,
    )  # fmt: skip
    _save(case, [])
    ledger_append(type="case.penalty_decided", actor=actor, object=case, data={"kind": kind, "amount": str(amount)})
    return penalty


def _decimal(value, name: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or number <= 0 or number >= Decimal("1e13"):
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError, TypeError):
        errors[name] = ["应为大于 0 的数"]
        return None


# ── credit records and the blacklist ──────────────────────────────────────────────────────────────────────────────


def years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _list(case: Case, rule: str, basis: str, years: int, today: dt.date) -> BlacklistEntry | None:
    """Put the case's enterprise on the blacklist under `rule`, unless it is already listed under it."""
    listed = BlacklistEntry.objects.filter(
        enterprise=case.enterprise, rule=rule, status=ListingStatus.STATUS_LISTED
    ).exists()
    if listed or years <= 0:
        return None
    entry = BlacklistEntry.objects.create(
        enterprise=case.enterprise, rule=rule, basis=basis[:300], listed_on=today,
        until=years_later(today, years), case=case,
    )  # fmt: skip
    ledger_append(type="blacklist.listed", actor=SYSTEM, object=entry)
    message_send(
        recipients=_people(case, "enterprise") + _people(case, "regulator"),
        kind="case.closed",
        subject=f"{case.enterprise.name} 列入黑名单，至 {entry.until:%Y-%m-%d}",
        body=f"依据：{entry.basis}。列入满 {credit_rules.RULES.repair_after_years} 年后可申请信用修复。",
        link=case.deadline_link(),
        about=case,
    )
    return entry


def _record(case: Case, rule: str, fact: str, basis: str, today: dt.date) -> CreditRecord:
    record, created = CreditRecord.objects.get_or_create(
        case=case, rule=rule,
        defaults={"enterprise": case.enterprise, "fact": fact[:300], "occurred_on": today, "basis": basis[:300]},
    )  # fmt: skip
    if created:
        ledger_append(type="credit.recorded", actor=SYSTEM, object=record)
    return record


def credit_apply_closed(case: Case, today: dt.date) -> None:
    """What a closed case leaves: a credit record, and a listing where its rule says so (`data/credit.yaml`)."""
    rule = credit_rules.RULES.for_conclusion(case.conclusion, case.ladder)
    if rule is None:
        return
    _record(case, rule.code, rule.fact, rule.basis, today)
    _list(case, rule.code, rule.basis, rule.list_years, today)


def credit_apply_opened(case: Case, today: dt.date) -> None:
    """Repeated failures: the Nth failed case within the window lists the enterprise (`repeated` in the rules)."""
    repeated = credit_rules.RULES.repeated
    if case.cause != CaseCause.CAUSE_FAILED:
        return
    since = timezone.now() - dt.timedelta(days=365 * repeated.within_years)
    # By when each result became final, not when the platform opened its case (a first run opens old ones too).
    recent = Q(outcome__final_at__gte=since) | Q(outcome=None, opened_at__gte=since)
    failures = Case.objects.filter(recent, enterprise=case.enterprise, cause=CaseCause.CAUSE_FAILED).count()
    if failures >= repeated.cases:
        _record(case, repeated.code, repeated.fact, repeated.basis, today)
        _list(case, repeated.code, repeated.basis, repeated.list_years, today)


def blacklist_expire(*, today=None) -> list[BlacklistEntry]:
    """Listings whose term ended leave the list the day after (the scheduled job)."""
    today = today or timezone.localdate()
    expired = []
    due = BlacklistEntry.objects.filter(status=ListingStatus.STATUS_LISTED, until__lt=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            changed = BlacklistEntry.objects.filter(pk=pk, status=ListingStatus.STATUS_LISTED).update(
                status=ListingStatus.STATUS_EXITED,
                exited_on=today,
                exit_reason="列入期限届满",
                version=F("version") + 1,
            )
            if changed:
                entry = BlacklistEntry.objects.get(pk=pk)
                ledger_append(type="blacklist.exited", actor=SYSTEM, object=entry)
                expired.append(entry)
    return expired


def _listing(entry: BlacklistEntry) -> BlacklistEntry:
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != ListingStatus.STATUS_LISTED:
        raise ServiceError({"entry": [f"已于 {entry.exited_on:%Y-%m-%d} 移出黑名单"]})
    return entry


@transaction.atomic
def repair_apply(*, actor: User, entry: BlacklistEntry, reason: str, today=None) -> BlacklistEntry:
    """The enterprise applies for early removal (信用修复) once listed for the minimum time, with its reasons."""
    today = today or timezone.localdate()
    entry = _listing(entry)
    require(permits(actor, policy.APPLY_REPAIR, entry), "信用修复由被列入的企业申请")
    earliest = years_later(entry.listed_on, credit_rules.RULES.repair_after_years)
    if today < earliest:
        raise ServiceError(
            {
                "entry": [
                    f"列入满 {credit_rules.RULES.repair_after_years} 年后（{earliest:%Y-%m-%d} 起）方可申请信用修复"
                ]
            }
        )
    if entry.repair_applied_at is not None and not entry.repair_decision:
        raise ServiceError({"entry": ["已有一份申请正在审查"]})
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise ServiceError({"reason": ["请写明已履行处罚、完成整改、未再受到较重处罚等情况（不超过 1000 字）"]})
    BlacklistEntry.objects.filter(pk=entry.pk).update(
        repair_applied_at=timezone.now(), repair_applied_by=actor, repair_reason=reason, repair_reviewed_by=None,
        repair_review_note="", repair_decided_by=None, repair_decision="", version=F("version") + 1,
    )  # fmt: skip
    entry.refresh_from_db()
    ledger_append(type="blacklist.repair_applied", actor=actor, object=entry)
    return entry


@transaction.atomic
def repair_review(*, actor: User, entry: BlacklistEntry, note: str) -> BlacklistEntry:
    """A regulator examines the application and writes an opinion; another person decides."""
    entry = _listing(entry)
    require(permits(actor, policy.DECIDE_REPAIR, entry), "由企业所在地的监管部门审查")
    if entry.repair_applied_at is None or entry.repair_decision:
        raise ServiceError({"entry": ["没有待审查的信用修复申请"]})
    if entry.repair_reviewed_by_id is not None:
        raise ServiceError({"entry": ["该申请已经审查，待另一人决定"]})
    note = (note or "").strip()
    if not note or len(note) > 500:
        raise ServiceError({"note": ["请填写审查意见（不超过 500 字）"]})
    BlacklistEntry.objects.filter(pk=entry.pk).update(
        repair_reviewed_by=actor, repair_review_note=note, version=F("version") + 1
    )
    entry.refresh_from_db()
    ledger_append(type="blacklist.repair_reviewed", actor=actor, object=entry)
    return entry


@transaction.atomic
def repair_decide(*, actor: User, entry: BlacklistEntry, approve: bool, today=None) -> BlacklistEntry:
    """A second regulator decides: approved, the enterprise leaves the list today; refused, it stays."""
    today = today or timezone.localdate()
    entry = _listing(entry)
    require(permits(actor, policy.DECIDE_REPAIR, entry), "由企业所在地的监管部门决定")
    if entry.repair_reviewed_by_id is None or entry.repair_decision:
        raise ServiceError({"entry": ["申请须先经审查"]})
    if entry.repair_reviewed_by_id == actor.pk:
        raise ServiceError({"entry": ["审查人不能同时作出决定，须由另一人决定"]})
    changes = {"repair_decided_by": actor, "version": F("version") + 1}
    if approve:
        changes |= {"repair_decision": RepairDecision.DECISION_APPROVED, "status": ListingStatus.STATUS_EXITED,
                    "exited_on": today, "exit_reason": "信用修复，提前移出"}  # fmt: skip
    else:
        changes |= {"repair_decision": RepairDecision.DECISION_REFUSED}
    BlacklistEntry.objects.filter(pk=entry.pk).update(**changes)
    entry.refresh_from_db()
    ledger_append(type="blacklist.repair_decided", actor=actor, object=entry, data={"approved": approve})
    return entry
