"""The laboratory side of 抽检分离: intake under a blind code, results judged by the pinned implementation rules,
the report (drafted, reviewed, approved by three people), the result notice, objections and re-tests, and the
final outcome of each sample."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.accounts.choices import Role
from choujian.accounts.models import Organisation
from choujian.core.ledgerstate import IDEMPOTENCY_KEY, ledger_values
from choujian.core.ledgerstate import iso as _iso
from choujian.core.models import PublicModel
from choujian.rules.models import RuleSet
from choujian.sampling.models import Portion, Sample
from choujian.testing.choices import (
    FinalBasis,
    IntakeDecision,
    Judgment,
    LabStatus,
    ObjectionStatus,
    RetestStatus,
    ServiceMethod,
)


class Intake(PublicModel):
    """The intake clerk's check of a received sample against its sampling form: accepted for testing or rejected."""

    ledger_kind = "intake"
    ledger_fields = (
        "sample", "laboratory", "clerk", "decision", "seals_intact", "matches_form", "condition", "reason", "retest"
    )  # fmt: skip
    ledger_private = True

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="intakes")
    laboratory = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("结论"), max_length=10, choices=IntakeDecision.CHOICES)
    seals_intact = models.BooleanField(_("封条完好"))
    matches_form = models.BooleanField(_("与抽样单一致"))
    condition = models.CharField(_("样品状况"), max_length=300)
    reason = models.CharField(_("拒收原因"), max_length=300, blank=True)
    retest = models.ForeignKey("Retest", null=True, blank=True, on_delete=models.PROTECT, related_name="intakes")

    class Meta:
        verbose_name = _("样品接收")
        verbose_name_plural = pgettext_lazy("plural", "样品接收")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sample.code} {self.get_decision_display()}"

    def ledger_state(self) -> dict:
        return {
            "sample": self.sample.code,
            "laboratory": str(self.laboratory.public_id),
            "clerk": str(self.clerk.public_id),
            "decision": self.decision,
            "seals_intact": self.seals_intact,
            "matches_form": self.matches_form,
            "condition": self.condition,
            "reason": self.reason,
            "retest": str(self.retest.public_id) if self.retest_id else None,
            "attachments": [a.as_ledger() for a in self.attachments.all()],
        }


class LabSample(PublicModel):
    """A test portion under its blind laboratory code (盲样编号): all that testers and reviewers ever see of it."""

    ledger_kind = "lab_sample"
    ledger_fields = (
        "lab_code", "portion", "intake", "laboratory", "ruleset", "variant", "status", "received_on", "due_on",
        "due_note", "is_retest",
    )  # fmt: skip
    ledger_private = True

    lab_code = models.CharField(_("盲样编号"), max_length=16, unique=True)
    portion = models.OneToOneField(Portion, on_delete=models.PROTECT, related_name="lab_sample")
    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="lab_sample")
    laboratory = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    ruleset = models.ForeignKey(RuleSet, verbose_name=_("实施细则版本"), on_delete=models.PROTECT, related_name="+")
    variant = models.CharField(_("产品型号/类别"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=LabStatus.CHOICES, default=LabStatus.STATUS_TESTING)
    received_on = models.DateField(_("接收日期"))
    due_on = models.DateField(_("检验期限"), null=True, blank=True)
    due_note = models.CharField(_("期限说明"), max_length=200, blank=True)
    is_retest = models.BooleanField(_("复检"), default=False)

    class Meta:
        verbose_name = _("盲样")
        verbose_name_plural = pgettext_lazy("plural", "盲样")
        ordering = ["due_on", "lab_code"]

    def __str__(self) -> str:
        return self.lab_code

    def ledger_state(self) -> dict:
        return {
            "lab_code": self.lab_code,
            "portion": f"{self.portion.sample.code}-{self.portion.number}",
            "laboratory": str(self.laboratory.public_id),
            "ruleset": self.ruleset.content_sha256,
            "variant": self.variant,
            "status": self.status,
            "due_on": _iso(self.due_on),
            "is_retest": self.is_retest,
            "results": [r.as_ledger() for r in self.results.all()],
        } | ledger_values(self, ("intake", "received_on", "due_note"))

    def deadline_watchers(self, field: str):
        """The laboratory's staff answer for its testing deadline."""
        from choujian.accounts.scope import members_of

        return list(members_of([self.laboratory_id], Role.LAB_ROLES))

    def deadline_link(self, field: str) -> str:
        from django.urls import reverse

        return reverse("testing:lab_sample", args=[self.lab_code])

    def deadline_open(self, field: str) -> bool:
        """Testing is due until the report is approved."""
        return self.status in LabStatus.OPEN

    def deadline_supervisors(self, field: str):
        """Told when the testing deadline is missed: the organiser's officers."""
        from choujian.accounts.scope import members_of

        return list(members_of([self.portion.sample.task.plan.regulator_id], Role.REGULATOR_WRITERS))


class Result(models.Model):
    """One test item's measured values. Never edited: a correction is a new row that keeps the old one, with a
    reason; `current` marks the row in force."""

    ledger_embedded_in = ("lab_sample",)
    ledger_fields = (
        "lab_sample", "item", "values", "unit", "instrument", "combined", "rounded", "judgment", "entered_by",
        "entered_at", "replaces", "change_reason", "current",
    )  # fmt: skip

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lab_sample = models.ForeignKey(LabSample, on_delete=models.PROTECT, related_name="results")
    item = models.CharField(_("检验项目代码"), max_length=60)
    values = models.JSONField(_("测得值"))
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    instrument = models.CharField(_("仪器设备"), max_length=120)
    combined = models.CharField(_("计算值"), max_length=60, blank=True)
    rounded = models.CharField(_("修约值"), max_length=60, blank=True)
    judgment = models.CharField(_("单项判定"), max_length=8, choices=Judgment.CHOICES)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    change_reason = models.CharField(_("修改原因"), max_length=300, blank=True)
    current = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("检验结果")
        verbose_name_plural = pgettext_lazy("plural", "检验结果")
        ordering = ["item", "entered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.lab_sample.lab_code} {self.item}"

    def as_ledger(self) -> dict:
        return {
            "item": self.item,
            "values": self.values,
            "unit": self.unit,
            "instrument": self.instrument,
            "rounded": self.rounded,
            "judgment": self.judgment,
            "change_reason": self.change_reason,
        } | ledger_values(self, ("combined", "entered_by", "entered_at", "replaces", "current"))


class Report(PublicModel):
    """The test report (检验报告): drafted by a tester, reviewed (审核) and approved (批准) by two other people."""

    ledger_kind = "report"
    ledger_fields = (
        "code", "lab_sample", "status", "judgment", "verdict", "drafted_by", "drafted_at", "reviewed_by",
        "reviewed_at", "approved_by", "approved_at", "return_note", "content_sha256", "pdf", "pdf_sha256",
        "verify_token",
    )  # fmt: skip
    ledger_private = True

    code = models.CharField(_("报告编号"), max_length=20, unique=True)
    lab_sample = models.OneToOneField(LabSample, on_delete=models.PROTECT, related_name="report")
    status = models.CharField(_("状态"), max_length=10, choices=LabStatus.CHOICES, default=LabStatus.STATUS_SUBMITTED)
    judgment = models.CharField(_("检验结论"), max_length=8, choices=Judgment.CHOICES)
    verdict = models.JSONField(_("判定明细"), default=dict)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("编制时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    return_note = models.CharField(_("退回意见"), max_length=300, blank=True)
    content_sha256 = models.CharField(_("报告内容 SHA-256"), max_length=64, blank=True)
    pdf = models.FileField(_("报告 PDF"), upload_to="reports/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    verify_token = models.CharField(_("核验令牌"), max_length=43, unique=True)

    class Meta:
        verbose_name = _("检验报告")
        verbose_name_plural = pgettext_lazy("plural", "检验报告")
        ordering = ["-drafted_at"]

    def __str__(self) -> str:
        return self.code

    def ledger_state(self) -> dict:
        return {
            "code": self.code,
            "lab_sample": self.lab_sample.lab_code,
            "status": self.status,
            "judgment": self.judgment,
            "drafted_by": str(self.drafted_by.public_id),
            "reviewed_by": str(self.reviewed_by.public_id) if self.reviewed_by_id else None,
            "approved_by": str(self.approved_by.public_id) if self.approved_by_id else None,
            "content_sha256": self.content_sha256,
            "pdf_sha256": self.pdf_sha256,
        } | ledger_values(
            self, ("verdict", "drafted_at", "reviewed_at", "approved_at", "return_note", "pdf", "verify_token")
        )


class Notice(PublicModel):
    """The result notice to the inspected party (and the organiser). It is served (送达) when a member of the
    enterprise confirms it in the platform, or when the organiser records a paper service with the scan of the
    送达回证; the objection period runs from the day of service (产品质量法 第十五条), and not before."""

    ledger_kind = "notice"
    ledger_fields = (
        "report",
        "sample",
        "sent_at",
        "received_at",
        "received_by",
        "served_at",
        "service_method",
        "served_by",
        "service_proof",
        "service_proof_sha256",
        "objection_due",
    )
    ledger_private = True

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="notice")
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="notices")
    sent_at = models.DateTimeField(_("发出时间"))
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    served_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    service_method = models.CharField(_("送达方式"), max_length=10, choices=ServiceMethod.CHOICES, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送达记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_proof = models.FileField(_("送达回证"), upload_to="service/%Y/%m/", blank=True)
    service_proof_sha256 = models.CharField(_("送达回证 SHA-256"), max_length=64, blank=True)
    objection_due = models.DateField(_("异议期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("结果通知")
        verbose_name_plural = pgettext_lazy("plural", "结果通知")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.report.code} 通知"

    def ledger_state(self) -> dict:
        return {
            "report": self.report.code,
            "sample": self.sample.code,
            "sent_at": _iso(self.sent_at),
            "received_at": _iso(self.received_at),
            "served_at": _iso(self.served_at),
            "service_method": self.service_method,
            "service_proof_sha256": self.service_proof_sha256,
            "objection_due": _iso(self.objection_due),
        } | ledger_values(self, ("received_by", "served_by", "service_proof"))

    @property
    def served(self) -> bool:
        return self.served_at is not None

    def deadline_watchers(self, field: str):
        """The inspected party (who may object) and the organiser."""
        return _party_and_organiser(self.sample)

    def deadline_link(self, field: str) -> str:
        from django.urls import reverse

        return reverse("testing:report", args=[self.report.code])

    def deadline_open(self, field: str) -> bool:
        """An objection window is a right, not a duty: reminded while it runs and nothing has been filed, never
        reported as missed."""
        from django.utils import timezone

        running = self.objection_due is not None and self.objection_due >= timezone.localdate()
        return running and not self.sample.objections.exists()


class Objection(PublicModel):
    """The inspected party's objection (异议) to a result, decided by the organiser within 3 working days."""

    ledger_kind = "objection"
    ledger_fields = (
        "report", "sample", "filed_by", "reasons", "status", "decide_by", "decided_by", "decided_at", "decision_note"
    )  # fmt: skip
    ledger_unledgered = {"client_uuid": IDEMPOTENCY_KEY}
    ledger_private = True

    client_uuid = models.UUIDField(unique=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="objections")
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="objections")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(_("异议理由"), max_length=3000)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.CHOICES, default=ObjectionStatus.STATUS_PENDING
    )
    decide_by = models.DateField(_("决定期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = pgettext_lazy("plural", "异议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report.code} 异议"

    def ledger_state(self) -> dict:
        return {
            "report": self.report.code,
            "sample": self.sample.code,
            "reasons": self.reasons,
            "status": self.status,
            "decide_by": _iso(self.decide_by),
            "decided_by": str(self.decided_by.public_id) if self.decided_by_id else None,
            "decision_note": self.decision_note,
            "attachments": [a.as_ledger() for a in self.attachments.all()],
        } | ledger_values(self, ("filed_by", "decided_at"))

    def deadline_watchers(self, field: str):
        """The organiser decides the objection."""
        from choujian.accounts.scope import members_of

        return list(members_of([self.sample.task.plan.regulator_id], Role.REGULATOR_WRITERS))

    def deadline_link(self, field: str) -> str:
        from django.urls import reverse

        return reverse("testing:report", args=[self.report.code])

    def deadline_open(self, field: str) -> bool:
        """The decision is due while the objection is pending."""
        return self.status == ObjectionStatus.STATUS_PENDING


class Retest(PublicModel):
    """The re-test (复检) of the backup portion by another laboratory, drawn per draw-v1; its result is final."""

    ledger_kind = "retest"
    ledger_fields = (
        "objection", "sample", "portion", "laboratory", "draw", "status", "party_confirmed_by", "party_confirmed_at",
        "organiser_confirmed_by", "organiser_confirmed_at", "condition",
    )  # fmt: skip
    ledger_private = True

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="retest")
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="retests")
    portion = models.ForeignKey(Portion, verbose_name=_("备用样品"), on_delete=models.PROTECT, related_name="+")
    laboratory = models.ForeignKey(Organisation, verbose_name=_("复检机构"), on_delete=models.PROTECT, related_name="+")
    draw = models.OneToOneField("draws.Draw", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RetestStatus.CHOICES, default=RetestStatus.STATUS_DRAWN)
    party_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_confirmed_at = models.DateTimeField(_("被抽样单位确认时间"), null=True, blank=True)
    organiser_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organiser_confirmed_at = models.DateTimeField(_("组织单位确认时间"), null=True, blank=True)
    condition = models.CharField(_("备样封条与状况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("复检")
        verbose_name_plural = pgettext_lazy("plural", "复检")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sample.code} 复检"

    def ledger_state(self) -> dict:
        return {
            "sample": self.sample.code,
            "portion": self.portion.number,
            "laboratory": str(self.laboratory.public_id),
            "draw": str(self.draw.public_id),
            "status": self.status,
            "party_confirmed_at": _iso(self.party_confirmed_at),
            "organiser_confirmed_at": _iso(self.organiser_confirmed_at),
            "condition": self.condition,
        } | ledger_values(self, ("objection", "party_confirmed_by", "organiser_confirmed_by"))


class Outcome(PublicModel):
    """A sample's final result: from the report when no objection came in time or the objection was rejected, or
    from the re-test. A non-conforming final result makes the sample ready for enforcement."""

    ledger_kind = "outcome"
    ledger_fields = ("sample", "report", "judgment", "basis", "final_at", "ready_for_enforcement")
    ledger_private = True

    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="outcome")
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")
    judgment = models.CharField(_("最终结论"), max_length=8, choices=Judgment.CHOICES)
    basis = models.CharField(_("依据"), max_length=20, choices=FinalBasis.CHOICES)
    final_at = models.DateTimeField(_("结论确定时间"))
    ready_for_enforcement = models.BooleanField(_("待依法处理"), default=False)

    class Meta:
        verbose_name = _("最终结论")
        verbose_name_plural = pgettext_lazy("plural", "最终结论")
        ordering = ["-final_at"]

    def __str__(self) -> str:
        return f"{self.sample.code} {self.get_judgment_display()}"

    def ledger_state(self) -> dict:
        return {
            "sample": self.sample.code,
            "report": self.report.code,
            "judgment": self.judgment,
            "basis": self.basis,
            "final_at": _iso(self.final_at),
            "ready_for_enforcement": self.ready_for_enforcement,
        }


class Attachment(models.Model):
    """A photo or document of an intake or an objection, stored under its SHA-256 computed on arrival."""

    ledger_embedded_in = ("intake", "objection")
    ledger_fields = (
        "intake", "objection", "file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"
    )  # fmt: skip

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intake = models.ForeignKey(Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="testing/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = pgettext_lazy("plural", "附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.original_name} {self.sha256[:12]}"

    def as_ledger(self) -> dict:
        return ledger_values(self, self.ledger_fields[2:])


def _party_and_organiser(sample) -> list:
    from choujian.accounts.scope import members_of
    from choujian.testing.policy import party_org_ids

    staff = members_of(party_org_ids(sample), (Role.ROLE_ENTERPRISE_STAFF, Role.ROLE_CONTRACTOR_STAFF))
    return list(staff) + list(members_of([sample.task.plan.regulator_id], Role.REGULATOR_WRITERS))
