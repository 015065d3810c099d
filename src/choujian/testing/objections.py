"""After approval: the result notice, the objection period (Product Quality Law art. 15: 15 days from receipt,
configurable), the organiser's decision within 3 working days, the re-test of the backup portion by another
laboratory chosen by a draw-v1 draw after both sides confirm its seal, and the final outcome of the sample."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.models import Organisation, User
from choujian.core.dates import parse_date
from choujian.core.errors import NotPermitted, ServiceError
from choujian.draws import sampler
from choujian.draws.choices import DrawPurpose
from choujian.ledger.services import ledger_append
from choujian.planning.choices import TaskOutcome, TaskStatus
from choujian.planning.services import task_advance, task_record_outcome
from choujian.sampling import files
from choujian.sampling.choices import PortionKind
from choujian.sampling.models import Sample
from choujian.testing import policy
from choujian.testing.choices import FinalBasis, Judgment, LabStatus, ObjectionStatus, RetestStatus, ServiceMethod
from choujian.testing.models import Notice, Objection, Outcome, Report, Retest
from choujian.testing.services import _attach
from choujian.workcalendar.services import deadline_record

DECISION_WORKING_DAYS = 3
PROOF_TYPES = files.IMAGE_TYPES | files.DOCUMENT_TYPES


def objection_days() -> int:
    return int(getattr(settings, "CHOUJIAN_OBJECTION_DAYS", 15))


def _objection_due(notice: Notice, served_on):
    """Last day to object: `objection_days()` calendar days after service (receipt), rolled to a working day if it
    ends on a holiday (民法典 第二百零三条)."""
    days = objection_days()
    return deadline_record(
        owner=notice,
        field="objection_due",
        label=f"检验报告 {notice.report.code} 异议期限",
        start=served_on,
        days=days,
        kind="calendar",
        basis=f"收到检验结果之日起 {days} 日内提出异议（产品质量法 第十五条；期间届满日为法定休假日的顺延）",
    ).due


def notify(*, actor: User, report: Report) -> Notice | None:
    """Send the result to the inspected party's account (and the organiser's). It is not yet served: the objection
    period starts when the enterprise confirms it in the platform or the organiser records a paper service
    (`notice_serve_paper`). A re-test's result is final and needs no objection period."""
    lab_sample = report.lab_sample
    sample = lab_sample.portion.sample
    if lab_sample.is_retest:
        retest = lab_sample.intake.retest
        retest.status = RetestStatus.STATUS_DONE
        retest.version += 1
        retest.save(update_fields=["status", "version", "updated_at"])
        ledger_append(type="retest.done", actor=actor, object=retest)
        finalise(actor=actor, sample=sample, report=report, basis=FinalBasis.BASIS_RETEST)
        return None
    notice = Notice(report=report, sample=sample, sent_at=timezone.now())
    notice.save()
    ledger_append(type="notice.sent", actor=actor, object=notice)
    task_advance(actor=actor, task=sample.task, to=TaskStatus.STATUS_NOTIFIED, after={TaskStatus.STATUS_REPORTED})
    return notice


@transaction.atomic
def notice_acknowledge(*, actor: User, notice: Notice) -> Notice:
    """The inspected party confirms in the platform that it has received the result: if the notice was not yet
    served, this is its service (the time of the confirmation), and the objection period runs from that day."""
    notice = Notice.objects.select_for_update().select_related("sample__task", "report").get(pk=notice.pk)
    if not policy.is_inspected_party(actor, notice.sample):
        raise NotPermitted("只有被抽样单位可以签收结果通知")
    if notice.received_at is None:
        notice.received_at, notice.received_by = timezone.now(), actor
        _serve(notice, at=notice.received_at, method=ServiceMethod.METHOD_PLATFORM, by=actor)
        notice.version += 1
        notice.save()
        ledger_append(type="notice.received", actor=actor, object=notice)
    return notice


def _serve(notice: Notice, *, at, method: str, by: User) -> None:
    """Record the service once: a later confirmation does not move the day the period started."""
    if notice.served_at is not None:
        return
    notice.served_at, notice.service_method, notice.served_by = at, method, by
    notice.objection_due = _objection_due(notice, timezone.localdate(at))


@transaction.atomic
def notice_serve_paper(*, actor: User, notice: Notice, served_on, proof) -> Notice:
    """The organiser records that the notice was served on paper (送达回证 signed by the enterprise on
    `served_on`), with the scan of the receipt; the objection period runs from that day."""
    notice = Notice.objects.select_for_update().select_related("sample__task__plan", "report").get(pk=notice.pk)
    if not policy.is_organiser(actor, notice.sample):
        raise NotPermitted("只有组织单位可以登记书面送达")
    if notice.served_at is not None:
        raise ServiceError({"served_on": [f"该通知已于 {timezone.localtime(notice.served_at):%Y-%m-%d} 送达"]})
    try:
        served_on = parse_date(served_on)
    except ValueError as exc:
        raise ServiceError({"served_on": [str(exc)]}) from None
    if not timezone.localdate(notice.sent_at) <= served_on <= timezone.localdate():
        raise ServiceError({"served_on": ["送达日期应在通知发出之后、今天或以前"]})
    if proof is None:
        raise ServiceError({"proof": ["请上传送达回证的扫描件或照片"]})
    received = files.receive(proof, field="proof", allowed=PROOF_TYPES, max_bytes=files.MAX_IMAGE_BYTES)
    at = timezone.make_aware(dt.datetime.combine(served_on, dt.time(12, 0)))
    with files.stored_files() as stored:
        notice.service_proof.name = stored.put("service", received)
        notice.service_proof_sha256 = received.sha256
        _serve(notice, at=at, method=ServiceMethod.METHOD_PAPER, by=actor)
        notice.version += 1
        notice.save()
    ledger_append(type="notice.served", actor=actor, object=notice)
    return notice


@transaction.atomic
def objection_file(*, actor: User, report: Report, reasons: str, client_uuid, attachments: list | None = None):
    """The inspected party objects to a result within the period, with reasons and attachments."""
    try:
        client_uuid = client_uuid if isinstance(client_uuid, uuid.UUID) else uuid.UUID(str(client_uuid))
    except (TypeError, ValueError):
        raise ServiceError({"client_uuid": ["应为 UUID"]}) from None
    report = Report.objects.select_for_update().select_related("lab_sample__portion__sample").get(pk=report.pk)
    sample = report.lab_sample.portion.sample
    if not policy.is_inspected_party(actor, sample):
        raise NotPermitted("只有被抽样单位可以对检验结果提出异议")
    existing = Objection.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.report_id != report.pk or existing.filed_by_id != actor.pk:
            raise ServiceError({"client_uuid": ["该编号已用于另一份异议"]})
        return existing
    notice = getattr(report, "notice", None)
    if report.status != LabStatus.STATUS_APPROVED or notice is None:
        raise ServiceError({"report": ["只能对已批准并送达的检验报告提出异议（复检结论为最终结论）"]})
    if Outcome.objects.filter(sample=sample).exists():
        raise ServiceError({"report": ["该样品的检验结论已确定，不能再提出异议"]})
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.served_at is None:
        # Objecting in the platform is itself confirmation that the result was received.
        _serve(notice, at=timezone.now(), method=ServiceMethod.METHOD_PLATFORM, by=actor)
        notice.version += 1
        notice.save()
        ledger_append(type="notice.served", actor=actor, object=notice)
    if timezone.localdate() > notice.objection_due:
        raise ServiceError({"report": [f"异议期限已于 {notice.objection_due:%Y-%m-%d} 届满"]})
    if report.objections.exists():
        raise ServiceError({"report": ["已对该报告提出过异议"]})
    reasons = (reasons or "").strip()
    if len(reasons) < 10:
        raise ServiceError({"reasons": ["请写明异议的具体理由（不少于 10 个字）"]})
    today = timezone.localdate()
    with files.stored_files() as stored:
        objection = Objection(
            client_uuid=client_uuid, report=report, sample=sample, filed_by=actor, reasons=reasons[:3000]
        )
        objection.decide_by = deadline_record(
            owner=objection,
            field="decide_by",
            label=f"样品 {sample.code} 异议处理期限",
            start=today,
            days=DECISION_WORKING_DAYS,
            kind="working",
            basis=f"收到异议之日起 {DECISION_WORKING_DAYS} 个工作日内作出处理决定",
        ).due
        objection.save()
        for upload in attachments or []:
            _attach(actor=actor, stored=stored, upload=upload, objection=objection)
        ledger_append(type="objection.filed", actor=actor, object=objection)
        task_advance(
            actor=actor, task=objection.sample.task, to=TaskStatus.STATUS_OBJECTION, after={TaskStatus.STATUS_NOTIFIED}
        )
    return objection


@transaction.atomic
def objection_decide(*, actor: User, objection: Objection, accept: bool, note: str) -> Objection:
    """The organiser decides: accepted → a re-test of the backup portion by a drawn laboratory; rejected → the
    result stands as final."""
    objection = Objection.objects.select_for_update().select_related("sample__task__plan").get(pk=objection.pk)
    sample = objection.sample
    if not policy.is_organiser(actor, sample):
        raise NotPermitted("只有组织单位的监管人员可以决定异议")
    if objection.status != ObjectionStatus.STATUS_PENDING:
        raise ServiceError({"status": ["该异议已有决定"]})
    note = (note or "").strip()
    if not note:
        raise ServiceError({"note": ["请写明决定理由"]})
    objection.status = ObjectionStatus.STATUS_ACCEPTED if accept else ObjectionStatus.STATUS_REJECTED
    objection.decided_by, objection.decided_at, objection.decision_note = actor, timezone.now(), note[:500]
    objection.version += 1
    objection.save()
    ledger_append(type="objection.decided", actor=actor, object=objection)
    if accept:
        retest_draw(actor=actor, objection=objection)
    else:
        finalise(actor=actor, sample=sample, report=objection.report, basis=FinalBasis.BASIS_OBJECTION_REJECTED)
    return objection


def retest_laboratories(sample: Sample) -> list[Organisation]:
    """Laboratories that may re-test: active, other than the one that tested the sample."""
    return list(
        Organisation.objects.filter(kind=OrganisationKind.KIND_LABORATORY, active=True)
        .exclude(pk=sample.laboratory_id)
        .order_by("pk")
    )


def retest_draw(*, actor: User, objection: Objection) -> Retest:
    """Draw the re-test laboratory per draw-v1 (seed derived from the plan's seed), and reserve the backup portion."""
    from choujian.draws.services import save_draw

    sample = objection.sample
    task = sample.task
    backup = sample.portions.filter(kind=PortionKind.KIND_BACKUP).exclude(lab_sample__isnull=False).first()
    if backup is None:
        raise ServiceError({"sample": ["该样品没有可供复检的备用样品"]})
    candidates = retest_laboratories(sample)
    if not candidates:
        raise ServiceError({"sample": ["没有其他可承担复检的检验机构"]})
    plan_seed = task.plan.ceremony.seed
    label = f"{task.code}/复检{sample.retests.count() + 1}"
    seed = sampler.inspector_seed(plan_seed, label)
    frame = [sampler.FrameItem(str(lab.public_id)) for lab in candidates]
    record = sampler.build_record(
        purpose=DrawPurpose.PURPOSE_RETESTS,
        items=frame,
        quotas={"": 1},
        seed=seed,
        seed_source={"kind": "derived", "plan_seed": plan_seed, "task": label},
        created_at=timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    drawn = record["selected"][""][0]
    draw = save_draw(plan=task.plan, purpose=DrawPurpose.PURPOSE_RETESTS, record=record, task=task, actor=actor)
    retest = Retest.objects.create(
        objection=objection,
        sample=sample,
        portion=backup,
        laboratory=next(lab for lab in candidates if str(lab.public_id) == drawn),
        draw=draw,
    )
    ledger_append(type="retest.drawn", actor=actor, object=retest)
    task_advance(actor=actor, task=task, to=TaskStatus.STATUS_RETEST, after={TaskStatus.STATUS_OBJECTION})
    return retest


@transaction.atomic
def retest_confirm(*, actor: User, retest: Retest, condition: str) -> Retest:
    """Both sides confirm the backup portion's seal and condition before it goes to the re-test laboratory."""
    retest = Retest.objects.select_for_update().select_related("sample__task__plan").get(pk=retest.pk)
    if retest.status != RetestStatus.STATUS_DRAWN:
        raise ServiceError({"status": [f"复检处于“{retest.get_status_display()}”状态"]})
    condition = (condition or "").strip()
    if not condition:
        raise ServiceError({"condition": ["请确认备用样品的封条编号与状况"]})
    now = timezone.now()
    if policy.is_inspected_party(actor, retest.sample):
        if retest.party_confirmed_at:
            raise ServiceError({"retest": ["被抽样单位已确认过备用样品"]})
        retest.party_confirmed_by, retest.party_confirmed_at = actor, now
    elif policy.is_organiser(actor, retest.sample):
        if retest.organiser_confirmed_at:
            raise ServiceError({"retest": ["组织单位已确认过备用样品"]})
        retest.organiser_confirmed_by, retest.organiser_confirmed_at = actor, now
    else:
        raise NotPermitted("备用样品由被抽样单位和组织单位双方确认")
    retest.condition = ((f"{retest.condition}；" if retest.condition else "") + f"{actor}：{condition[:120]}")[:300]
    if retest.party_confirmed_at and retest.organiser_confirmed_at:
        retest.status = RetestStatus.STATUS_CONFIRMED
    retest.version += 1
    retest.save()
    ledger_append(type="retest.confirmed", actor=actor, object=retest)
    return retest


def retest_started(*, actor: User, retest: Retest) -> None:
    if retest.status != RetestStatus.STATUS_CONFIRMED:
        raise ServiceError({"retest": ["备用样品须经双方确认后方可复检"]})
    retest.status = RetestStatus.STATUS_TESTING
    retest.version += 1
    retest.save(update_fields=["status", "version", "updated_at"])
    ledger_append(type="retest.started", actor=actor, object=retest)


def finalise(*, actor, sample: Sample, report: Report, basis: str) -> Outcome:
    """Fix the sample's final result; a non-conforming one is ready for enforcement."""
    sample = Sample.objects.select_for_update().get(pk=sample.pk)  # two page views settling at once: one wins
    existing = Outcome.objects.filter(sample=sample).first()
    if existing is not None:
        return existing
    failed = report.judgment == Judgment.JUDGMENT_FAIL
    outcome = Outcome.objects.create(
        sample=sample,
        report=report,
        judgment=report.judgment,
        basis=basis,
        final_at=timezone.now(),
        ready_for_enforcement=failed,
    )
    ledger_append(type="outcome.final", actor=actor, object=outcome)
    verdict = TaskOutcome.OUTCOME_NONCONFORMING if failed else TaskOutcome.OUTCOME_CONFORMING
    task_record_outcome(actor=actor, task=sample.task, outcome=verdict)
    stages = {TaskStatus.STATUS_NOTIFIED, TaskStatus.STATUS_OBJECTION, TaskStatus.STATUS_RETEST}
    task_advance(actor=actor, task=sample.task, to=TaskStatus.STATUS_FINAL, after=stages)
    return outcome


@transaction.atomic
def outcomes_settle(*, today=None) -> list[Outcome]:
    """Results whose objection period ended without an objection become final (the worker runs this on schedule)."""
    today = today or timezone.localdate()
    settled = []
    expired = Notice.objects.filter(objection_due__lt=today, sample__outcome__isnull=True).select_related("report")
    for notice in expired:
        if notice.report.objections.exists():
            continue
        settled.append(
            finalise(actor="system", sample=notice.sample, report=notice.report, basis=FinalBasis.BASIS_NO_OBJECTION)
        )
    return settled
