"""一公开: announcements of spot-check results, reviewed by a second person before anything is public, and their
result rows, each versioned — a published row is never edited: a correction is a new version with its reason, a
withdrawal keeps the row visible as withdrawn — and a public feed of every publication, correction and withdrawal."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.core.ledgerstate import ledger_values
from choujian.core.models import PublicModel
from choujian.disclosure.choices import AnnouncementKind, AnnouncementStatus, ChangeKind, ReportStatus, RowStatus
from choujian.planning.models import Plan, Task

ROW_FIELDS = (
    "enterprise_name", "enterprise_uscc", "region", "category_code", "category_name", "product_name", "model_spec",
    "batch_no", "production_date", "place", "testing_body", "conclusion", "failed_items",
)  # fmt: skip

RECHECK_FIELDS = ("sample_count", "note", "refers_to")


class Announcement(PublicModel):
    """抽查结果公告: drafted by the organiser from final results, published only by someone else."""

    ledger_kind = "announcement"
    ledger_private = True  # a draft names enterprises before anyone has approved their publication
    ledger_fields = (
        "code", "plan", "kind", "title", "summary", "include_conforming", "status", "drafted_by", "published_by",
        "published_at", "follows",
    )  # fmt: skip

    code = models.CharField(_("公告编号"), max_length=20, unique=True)
    plan = models.ForeignKey(Plan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=AnnouncementKind.CHOICES)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("基本情况"), max_length=3000)
    include_conforming = models.BooleanField(_("公开合格批次明细"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AnnouncementStatus.CHOICES, default=AnnouncementStatus.STATUS_DRAFT
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    follows = models.ForeignKey(
        "self", verbose_name=_("所涉抽查结果公告"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # a 复查 announcement links back to the results it follows

    class Meta:
        verbose_name = _("抽查结果公告")
        verbose_name_plural = pgettext_lazy("plural", "抽查结果公告")
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == AnnouncementStatus.STATUS_PUBLISHED

    def get_absolute_url(self) -> str:
        return reverse("disclosure:announcement", args=[self.code])

    @property
    def is_recheck(self) -> bool:
        return self.kind == AnnouncementKind.KIND_RECHECK

    def ledger_state(self) -> dict:
        state = ledger_values(self, [name for name in self.ledger_fields if name != "follows"])
        if self.follows_id:  # only when set: the states of announcements made before the field existed stay the same
            state["follows"] = self.follows.code
        state["rows"] = [row.as_ledger() for row in self.rows.order_by("pk")]
        return state


class ResultRow(models.Model):
    """One published result (a sampled batch): `row_id` is stable across its versions; each version is a row of
    its own, and only the current one is shown as valid."""

    ledger_embedded_in = ("announcement",)
    ledger_fields = (
        "announcement", "row_id", "edition", "task", *ROW_FIELDS, "status", "reason", "last_updated", *RECHECK_FIELDS,
    )  # fmt: skip

    announcement = models.ForeignKey(Announcement, on_delete=models.PROTECT, related_name="rows")
    row_id = models.UUIDField(_("结果编号"), default=uuid.uuid4, db_index=True)
    edition = models.PositiveIntegerField(_("版本"), default=1)  # the open data's `version` of this result
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    enterprise_name = models.CharField(_("被抽查企业"), max_length=200)
    enterprise_uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    region = models.CharField(_("所在地区"), max_length=6, db_index=True)
    category_code = models.CharField(_("产品类别代码"), max_length=32)
    category_name = models.CharField(_("产品类别"), max_length=100)
    product_name = models.CharField(_("产品名称"), max_length=200)
    model_spec = models.CharField(_("规格型号"), max_length=200, blank=True)
    batch_no = models.CharField(_("生产日期/批号"), max_length=100, blank=True)
    production_date = models.DateField(_("生产日期"), null=True, blank=True)
    place = models.CharField(_("抽样地点"), max_length=300)
    testing_body = models.CharField(_("检验机构"), max_length=200)
    conclusion = models.CharField(_("检验结论"), max_length=8)
    failed_items = models.JSONField(_("不合格项目"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RowStatus.CHOICES, default=RowStatus.STATUS_CURRENT)
    reason = models.CharField(_("更正或撤回原因"), max_length=500, blank=True)
    last_updated = models.DateTimeField(_("最后更新"), null=True, blank=True)
    # Of a 复查 result: the samples taken, what it was (复查, 再次复查; no application in time) and the result it
    # follows up.
    sample_count = models.CharField(_("复查抽样样本数"), max_length=60, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    refers_to = models.UUIDField(_("原抽查结果编号"), null=True, blank=True)

    class Meta:
        verbose_name = _("公开的抽查结果")
        verbose_name_plural = pgettext_lazy("plural", "公开的抽查结果")
        ordering = ["announcement", "category_code", "enterprise_name", "row_id", "edition"]
        constraints = [models.UniqueConstraint(fields=["row_id", "edition"], name="uniq_result_row_edition")]

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.product_name} v{self.edition}"

    @property
    def passed(self) -> bool:
        return self.conclusion == "pass"

    def as_ledger(self) -> dict:
        plain = [name for name in self.ledger_fields if name != "announcement" and name not in RECHECK_FIELDS]
        state = ledger_values(self, plain)
        extra = ledger_values(self, RECHECK_FIELDS)
        return state | {name: value for name, value in extra.items() if value}  # absent when empty, as before


class Change(models.Model):
    """The public feed: every publication, correction and withdrawal, in order, with the ledger entry behind it."""

    ledger_exempt = "公开变更索引，每条对应一条追溯日志 / a public index of ledger entries, one per change"

    kind = models.CharField(_("变更"), max_length=10, choices=ChangeKind.CHOICES)
    at = models.DateTimeField(_("时间"), db_index=True)
    announcement = models.ForeignKey(Announcement, on_delete=models.PROTECT, related_name="changes")
    row = models.ForeignKey(ResultRow, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    ledger_seq = models.BigIntegerField(_("追溯日志序号"))

    class Meta:
        verbose_name = _("公开变更")
        verbose_name_plural = pgettext_lazy("plural", "公开变更")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ErrorReport(PublicModel):
    """纠错: anyone tells the organiser that a published result is wrong; the organiser answers, and the answer (with
    any correction) is published beside the result. The contact, if given, is never shown."""

    ledger_kind = "error_report"
    ledger_private = True  # the contact someone left is theirs
    ledger_fields = ("announcement", "row", "text", "contact", "status", "answer", "answered_by", "answered_at")

    announcement = models.ForeignKey(Announcement, on_delete=models.PROTECT, related_name="error_reports")
    row = models.ForeignKey(ResultRow, on_delete=models.PROTECT, related_name="error_reports")
    text = models.CharField(_("纠错内容"), max_length=1000)
    contact = models.CharField(_("联系方式（不公开）"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.CHOICES, default=ReportStatus.STATUS_OPEN)
    answer = models.CharField(_("答复"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纠错")
        verbose_name_plural = pgettext_lazy("plural", "纠错")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.row} · {self.get_status_display()}"

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)


def _bulk_path(archive: "BulkArchive", filename: str) -> str:
    return f"open/bulk/{archive.year}/{filename}"


class BulkArchive(PublicModel):
    """The yearly bulk file of the open data (like openFDA's): every published version of the year's results and
    every change, with a manifest of SHA-256 digests and the signed ledger checkpoint it was built at. Rebuilt by the
    scheduled job when the year's results change; every build is kept."""

    ledger_kind = "open_bulk"
    ledger_fields = ("year", "file", "sha256", "bytes", "rows", "ledger_size", "ledger_root")

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    file = models.FileField(_("数据包"), upload_to=_bulk_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    bytes = models.PositiveBigIntegerField(_("大小（字节）"))
    rows = models.PositiveIntegerField(_("结果版本数"))
    ledger_size = models.BigIntegerField(_("检查点条目数"))
    ledger_root = models.CharField(_("检查点根哈希"), max_length=64)

    class Meta:
        verbose_name = _("年度数据包")
        verbose_name_plural = pgettext_lazy("plural", "年度数据包")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return f"{self.year} · {self.sha256[:12]}"

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)
