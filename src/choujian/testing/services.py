"""Writes of the laboratory: intake under a blind code, results, and the report drafted, reviewed and approved by
three different people. Objections, re-tests and final outcomes are in `objections.py`."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.core.canonical import digest
from choujian.core.codes import next_code
from choujian.core.errors import NotPermitted, ServiceError
from choujian.ledger.services import ledger_append
from choujian.planning.choices import TaskStatus
from choujian.planning.services import task_advance
from choujian.rules import judgment, schema
from choujian.rules.models import RuleSet
from choujian.rules.selectors import ruleset_in_force_for
from choujian.sampling import files
from choujian.sampling.choices import PortionKind, PortionStatus, SampleStatus
from choujian.sampling.models import Portion, Sample
from choujian.testing import policy
from choujian.testing.choices import IntakeDecision, LabStatus
from choujian.testing.models import Attachment, Intake, LabSample, Report, Result
from choujian.workcalendar.services import deadline_record

# No 0/O or 1/I: the code is read aloud and written on tubes. 32**9 ≈ 3.5e13 codes: unguessable, unrelated to
# the sample code.
LAB_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
DEFAULT_TESTING_DAYS = 20
ATTACHMENT_TYPES = files.IMAGE_TYPES | files.DOCUMENT_TYPES


def new_lab_code() -> str:
    body = "".join(secrets.choice(LAB_CODE_ALPHABET) for _ in range(9))
    return f"L{body[:4]}-{body[4:]}"


def _attach(*, actor: User, stored: files.StoredFiles, upload, **target) -> Attachment:
    received = files.receive(upload, field="photos", allowed=ATTACHMENT_TYPES, max_bytes=files.MAX_IMAGE_BYTES)
    attachment = Attachment(
        original_name=received.name,
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
        uploaded_by=actor,
        **target,
    )
    attachment.file.name = stored.put("testing", received)
    attachment.save()
    return attachment


def ruleset_for(sample: Sample) -> RuleSet | None:
    """The rules the plan pinned at approval; else those in force for the category (or a parent category)."""
    line = sample.task.line
    return line.ruleset if line.ruleset_id else ruleset_in_force_for(line.category)


def variant_for(ruleset: RuleSet, sample: Sample) -> str:
    """The specification row (规格) a sample is judged by: the one the sampling form's 规格型号 names. None or several
    is refused before testing starts — a sample is never judged by another grade's or size's limits."""
    codes = schema.variant_codes(ruleset.content)
    if not codes:
        return ""
    spec = sample.record.model_spec
    found = schema.variants_for_spec(ruleset.content, spec)
    if len(found) == 1:
        return found[0]
    title = f"《{ruleset.title}》{ruleset.rule_version}"
    if not found:
        raise ServiceError(
            {
                "variant": [
                    f"抽样单上的规格型号“{spec or '（未填写）'}”在实施细则{title}中没有对应的规格（细则中的规格："
                    f"{'、'.join(codes)}），不能按其他规格判定。请核对抽样单，或由实施细则管理员补充该规格后再接收。"
                ]
            }
        )
    raise ServiceError(
        {
            "variant": [
                f"抽样单上的规格型号“{spec}”对应实施细则{title}中的多个规格（{'、'.join(found)}），请由实施细则管理员修正"
            ]
        }
    )


def _variant(ruleset: RuleSet, variant: str, sample: Sample) -> str:
    chosen = variant_for(ruleset, sample)
    asked = (variant or "").strip()
    if asked and asked != chosen:
        spec = sample.record.model_spec
        raise ServiceError({"variant": [f"抽样单上的规格型号为“{spec}”，对应细则规格“{chosen}”，不能按“{asked}”判定"]})
    return chosen


def _testing_due(lab_sample: LabSample, received_on) -> tuple[object, str]:
    days = int(lab_sample.ruleset.content.get("testing_days") or DEFAULT_TESTING_DAYS)
    basis = f"接收后 {days} 个工作日内完成检验（实施细则规定）"
    deadline = deadline_record(
        owner=lab_sample,
        field="due_on",
        label=f"检验样品 {lab_sample.lab_code} 检验期限",
        start=received_on,
        days=days,
        kind="working",
        basis=basis,
    )
    return deadline.due, basis


def _portion_at_lab(sample: Sample, laboratory, kind: str) -> Portion:
    portion = (
        sample.portions.select_for_update()
        .filter(kind=kind, custodian_org=laboratory, status=PortionStatus.STATUS_RECEIVED)
        .order_by("number")
        .first()
    )
    if portion is None:
        raise ServiceError({"sample": ["本机构尚未签收该样品的检验样品（请先完成样品交接）"]})
    return portion


@transaction.atomic
def intake_accept(
    *,
    actor: User,
    sample: Sample,
    seals_intact: bool,
    matches_form: bool,
    condition: str,
    variant: str = "",
    photos: list | None = None,
    retest=None,
) -> LabSample:
    """Accept a received portion for testing: it gets a blind laboratory code unrelated to the sample code."""
    sample = Sample.objects.select_for_update().select_related("task__line", "record").get(pk=sample.pk)
    if retest is not None:
        retest = type(retest).objects.select_for_update().select_related("laboratory").get(pk=retest.pk)
    laboratory = retest.laboratory if retest is not None else sample.laboratory
    if not policy.has_role_at(actor, laboratory, {Role.ROLE_LAB_INTAKE}):
        raise NotPermitted("只有本检验机构的样品接收员可以接收样品")
    if not (seals_intact and matches_form):
        raise ServiceError({"seals_intact": ["封条不完好或与抽样单不符的样品不能接收检验，请拒收并说明原因"]})
    condition = (condition or "").strip()
    if not condition:
        raise ServiceError({"condition": ["请描述样品状况"]})
    kind = PortionKind.KIND_BACKUP if retest is not None else PortionKind.KIND_TEST
    if retest is not None:
        portion = Portion.objects.select_for_update().get(pk=retest.portion_id)
    else:
        portion = _portion_at_lab(sample, laboratory, kind)
    if retest is not None and (
        portion.custodian_org_id != laboratory.pk or portion.status != PortionStatus.STATUS_RECEIVED
    ):
        raise ServiceError({"sample": ["复检机构尚未签收备用样品（请先完成样品交接）"]})
    if LabSample.objects.filter(portion=portion).exists():
        raise ServiceError({"sample": ["该样品已接收检验"]})
    ruleset = ruleset_for(sample)
    if ruleset is None:
        raise ServiceError({"sample": ["该产品类别没有在用的实施细则，无法判定：请组织单位先发布实施细则"]})
    variant = _variant(ruleset, variant, sample)
    with files.stored_files() as stored:
        intake = Intake.objects.create(
            sample=sample,
            laboratory=laboratory,
            clerk=actor,
            decision=IntakeDecision.DECISION_ACCEPTED,
            seals_intact=True,
            matches_form=True,
            condition=condition[:300],
            retest=retest,
        )
        for photo in photos or []:
            _attach(actor=actor, stored=stored, upload=photo, intake=intake)
        today = timezone.localdate()
        code = new_lab_code()
        while LabSample.objects.filter(lab_code=code).exists():
            code = new_lab_code()
        lab_sample = LabSample(
            lab_code=code,
            portion=portion,
            intake=intake,
            laboratory=laboratory,
            ruleset=ruleset,
            variant=variant,
            received_on=today,
            is_retest=retest is not None,
        )
        lab_sample.due_on, lab_sample.due_note = _testing_due(lab_sample, today)
        lab_sample.save()
        ledger_append(type="intake.accepted", actor=actor, object=intake)
        ledger_append(type="lab_sample.created", actor=actor, object=lab_sample)
        if retest is None:
            task_advance(
                actor=actor, task=sample.task, to=TaskStatus.STATUS_TESTING, after={TaskStatus.STATUS_RECEIVED}
            )
        if retest is not None:
            from choujian.testing.objections import retest_started

            retest_started(actor=actor, retest=retest)
    return lab_sample


@transaction.atomic
def intake_reject(
    *,
    actor: User,
    sample: Sample,
    seals_intact: bool,
    matches_form: bool,
    condition: str,
    reason: str,
    photos: list,
    retest=None,
) -> Intake:
    """Refuse a received sample (broken seal, not what the form says, spoiled): the organiser sees it. A re-test
    laboratory may refuse the backup portion it received."""
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    laboratory = retest.laboratory if retest is not None else sample.laboratory
    if not policy.has_role_at(actor, laboratory, {Role.ROLE_LAB_INTAKE}):
        raise NotPermitted("只有本检验机构的样品接收员可以拒收样品")
    if sample.status != SampleStatus.STATUS_RECEIVED:
        raise ServiceError({"sample": ["样品尚未送达本机构"]})
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"reason": ["请说明拒收原因"]})
    if not photos:
        raise ServiceError({"photos": ["拒收须拍照留证"]})
    with files.stored_files() as stored:
        intake = Intake.objects.create(
            sample=sample,
            laboratory=laboratory,
            clerk=actor,
            retest=retest,
            decision=IntakeDecision.DECISION_REJECTED,
            seals_intact=bool(seals_intact),
            matches_form=bool(matches_form),
            condition=(condition or "").strip()[:300],
            reason=reason[:300],
        )
        for photo in photos:
            _attach(actor=actor, stored=stored, upload=photo, intake=intake)
        ledger_append(type="intake.rejected", actor=actor, object=intake)
    return intake


# --- Results ------------------------------------------------------------------------------------------------------


def item_rules(lab_sample: LabSample) -> list[judgment.ItemRule]:
    return schema.item_rules(lab_sample.ruleset.content, lab_sample.variant or None)


def item_details(lab_sample: LabSample) -> list[dict]:
    """Each item as the tester sees it: name, class, unit, method, replicates, limit, rounding step."""
    by_code = {item["code"]: item for item in lab_sample.ruleset.content["items"]}
    out = []
    for rule in item_rules(lab_sample):
        raw = by_code[rule.code]
        limit = raw["limit"][lab_sample.variant] if isinstance(raw["limit"], dict) else raw["limit"]
        out.append(
            {
                "code": rule.code,
                "name": rule.name,
                "class": rule.cls,
                "unit": rule.unit,
                "method": raw.get("test_method", ""),
                "replicates": rule.replicates,
                "combine": rule.combine,
                "comparison": rule.method,
                "step": raw.get("step"),
                "limit": limit,
                "limit_text": rule.limit.describe()
                if not rule.limit.qualitative
                else (raw.get("requirement") or "定性判定"),
                "verified": rule.verified,
            }
        )
    return out


def _require_blind(actor: User, lab_sample: LabSample) -> None:
    """Whoever tests or reviews must not know whose sample it is: not its samplers or their agency, and not the
    intake clerk who assigned its blind code."""
    sample = lab_sample.portion.sample
    if policy.works_for_agency(actor, sample) or actor.pk in policy.sampler_ids(sample):
        raise NotPermitted("抽检分离：参与抽样的人员和抽样机构的人员不能检验或审核该样品")
    if actor.pk == lab_sample.intake.clerk_id:
        raise NotPermitted("盲样：接收该样品并编制盲样编号的人员不能检验或审核该样品")


def _require_tester(actor: User, lab_sample: LabSample) -> None:
    if not policy.has_role_at(actor, lab_sample.laboratory, {Role.ROLE_TESTER}):
        raise NotPermitted("只有本检验机构的检验员可以录入结果")
    _require_blind(actor, lab_sample)


@transaction.atomic
def result_enter(
    *, actor: User, lab_sample: LabSample, item: str, values: list, instrument: str, reason: str = ""
) -> Result:
    """Enter one item's replicate values; they are rounded and judged by the pinned rules. A second entry for the
    same item keeps the first and needs a reason."""
    lab_sample = LabSample.objects.select_for_update().get(pk=lab_sample.pk)
    _require_tester(actor, lab_sample)
    if lab_sample.status != LabStatus.STATUS_TESTING:
        raise ServiceError(
            {"status": [f"盲样 {lab_sample.lab_code} 处于“{lab_sample.get_status_display()}”状态，结果已锁定"]}
        )
    rules = {rule.code: rule for rule in item_rules(lab_sample)}
    if item not in rules:
        raise ServiceError({"item": [f"本细则没有检验项目“{item}”"]})
    instrument = (instrument or "").strip()
    if not instrument:
        raise ServiceError({"instrument": ["请填写所用仪器设备（名称与编号）"]})
    if not isinstance(values, list) or not values:
        raise ServiceError({"values": ["请填写测得值"]})
    values = [str(v).strip() for v in values]
    try:
        judged = judgment.judge_item(rules[item], values)
    except judgment.RuleError as exc:
        raise ServiceError({"values": [str(exc)]}) from None
    previous = lab_sample.results.select_for_update().filter(item=item, current=True).first()
    reason = (reason or "").strip()
    if previous is not None and not reason:
        raise ServiceError({"reason": ["该项目已有结果：修改须说明原因（原结果将保留）"]})
    evaluation = judged.evaluation
    rounded = evaluation.rounded
    # Judged value by value (`each`): the report shows every value's rounded value.
    shown = (
        judgment.fmt(rounded)
        if rounded is not None
        else "、".join(judgment.fmt(v.rounded) for v in evaluation.values if v.rounded is not None)
    )
    if previous is not None:
        previous.current = False
        previous.save(update_fields=["current"])
    result = Result.objects.create(
        lab_sample=lab_sample,
        item=item,
        values=values,
        unit=rules[item].unit,
        instrument=instrument[:120],
        combined="" if evaluation.combined is None else judgment.fmt(evaluation.combined),
        rounded=shown[:60],
        judgment=evaluation.judgment,
        entered_by=actor,
        replaces=previous,
        change_reason=reason[:300],
    )
    event = "result.corrected" if previous is not None else "result.entered"
    ledger_append(type=event, actor=actor, object=lab_sample, data={"result": result.as_ledger()})
    return result


def current_results(lab_sample: LabSample) -> dict[str, Result]:
    return {r.item: r for r in lab_sample.results.filter(current=True)}


def verdict_for(lab_sample: LabSample) -> judgment.Verdict:
    results = {code: result.values for code, result in current_results(lab_sample).items()}
    allowed = (lab_sample.ruleset.content.get("judgment") or {}).get("allowed_failures")
    return judgment.judge_category(item_rules(lab_sample), results, allowed)


# --- The report -----------------------------------------------------------------------------------------------


def _everyone_who_entered(lab_sample: LabSample) -> set[int]:
    return set(lab_sample.results.values_list("entered_by_id", flat=True))


@transaction.atomic
def report_submit(*, actor: User, lab_sample: LabSample) -> Report:
    """The tester drafts the report once every item has a result; the overall judgment follows the rules."""
    lab_sample = LabSample.objects.select_for_update().get(pk=lab_sample.pk)
    _require_tester(actor, lab_sample)
    if lab_sample.status != LabStatus.STATUS_TESTING:
        raise ServiceError({"status": ["报告已提交"]})
    verdict = verdict_for(lab_sample)
    if verdict.judgment == judgment.INCOMPLETE:
        raise ServiceError({"results": list(verdict.reasons)})
    now = timezone.now()
    report = Report.objects.filter(lab_sample=lab_sample).first()
    fields = {
        "status": LabStatus.STATUS_SUBMITTED,
        "judgment": verdict.judgment,
        "verdict": verdict.as_dict(),
        "drafted_by": actor,
        "drafted_at": now,
        "reviewed_by": None,
        "reviewed_at": None,
    }
    if report is None:
        report = Report.objects.create(
            code=next_code("BG", timezone.localdate(now).year, 6),
            lab_sample=lab_sample,
            verify_token=secrets.token_urlsafe(24),
            **fields,
        )
    else:
        for name, value in fields.items():
            setattr(report, name, value)
        report.version += 1
        report.save()
    lab_sample.status = LabStatus.STATUS_SUBMITTED
    lab_sample.version += 1
    lab_sample.save(update_fields=["status", "version", "updated_at"])
    ledger_append(type="report.submitted", actor=actor, object=report)
    ledger_append(type="lab_sample.submitted", actor=actor, object=lab_sample)
    return report


@transaction.atomic
def report_review(*, actor: User, report: Report, approve: bool, note: str = "") -> Report:
    """审核: another person than the tester checks the results; returning it reopens the results for correction."""
    report = Report.objects.select_for_update().select_related("lab_sample").get(pk=report.pk)
    lab_sample = report.lab_sample
    if not policy.has_role_at(actor, lab_sample.laboratory, {Role.ROLE_REVIEWER}):
        raise NotPermitted("只有本检验机构的审核人可以审核报告")
    if actor.pk == report.drafted_by_id or actor.pk in _everyone_who_entered(lab_sample):
        raise NotPermitted("职责分离：检验员不能审核自己检验的样品")
    _require_blind(actor, lab_sample)
    if report.status != LabStatus.STATUS_SUBMITTED:
        raise ServiceError({"status": [f"报告处于“{report.get_status_display()}”状态，不能审核"]})
    note = (note or "").strip()[:300]
    if not approve and not note:
        raise ServiceError({"note": ["退回时请写明审核意见"]})
    now = timezone.now()
    if approve:
        report.status, report.reviewed_by, report.reviewed_at, report.return_note = (
            LabStatus.STATUS_REVIEWED,
            actor,
            now,
            "",
        )
        lab_sample.status = LabStatus.STATUS_REVIEWED
    else:
        report.status, report.return_note = LabStatus.STATUS_TESTING, note
        lab_sample.status = LabStatus.STATUS_TESTING
    report.version += 1
    report.save()
    lab_sample.version += 1
    lab_sample.save(update_fields=["status", "version", "updated_at"])
    ledger_append(type="report.reviewed" if approve else "report.returned", actor=actor, object=report)
    ledger_append(type="lab_sample.status_changed", actor=actor, object=lab_sample)
    return report


@transaction.atomic
def report_approve(*, actor: User, report: Report, verify_url) -> Report:
    """批准: a third person approves; results lock, the report is unblinded and issued as a PDF whose SHA-256 is
    ledgered, and the inspected party and the organiser are notified."""
    from choujian.testing.objections import notify
    from choujian.testing.report_content import report_content
    from choujian.testing.report_pdf import report_pdf

    report = Report.objects.select_for_update().select_related("lab_sample__portion__sample").get(pk=report.pk)
    lab_sample = report.lab_sample
    sample = lab_sample.portion.sample
    if not policy.has_role_at(actor, lab_sample.laboratory, {Role.ROLE_APPROVER}):
        raise NotPermitted("只有本检验机构的批准人可以批准报告")
    involved = {report.drafted_by_id, report.reviewed_by_id} | _everyone_who_entered(lab_sample)
    if actor.pk in involved or actor.pk in policy.sampler_ids(sample):
        raise NotPermitted("职责分离：参与抽样、检验或审核该样品的人员不能批准其报告")
    if report.status != LabStatus.STATUS_REVIEWED:
        raise ServiceError({"status": [f"报告处于“{report.get_status_display()}”状态，须先经审核"]})
    report.status, report.approved_by, report.approved_at = LabStatus.STATUS_APPROVED, actor, timezone.now()
    content = report_content(report)
    report.content_sha256 = digest(content)
    pdf = report_pdf(report, content, verify_url=verify_url(report))
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    with files.stored_files() as stored:
        report.pdf.name = stored.put_bytes(f"reports/{report.pdf_sha256}.pdf", pdf)
        report.version += 1
        report.save()
        lab_sample.status = LabStatus.STATUS_APPROVED
        lab_sample.version += 1
        lab_sample.save(update_fields=["status", "version", "updated_at"])
        ledger_append(type="report.approved", actor=actor, object=report)
        ledger_append(type="lab_sample.status_changed", actor=actor, object=lab_sample)
        if not lab_sample.is_retest:
            task_advance(
                actor=actor, task=sample.task, to=TaskStatus.STATUS_REPORTED, after={TaskStatus.STATUS_TESTING}
            )
        notify(actor=actor, report=report)
    return report
