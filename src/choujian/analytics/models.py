"""Analytics reads a narrow table of results (`ResultFact`: one row per final result or refusal, kept current as
results become final, and rows imported from the years before the platform) so the dashboards aggregate one indexed
table at any size; risk signals entered by regulators; and early warnings raised by the monthly control charts."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.analytics.choices import BulletinStatus, DrawArm, FactSource, RoundKind, SignalKind, WarningStatus
from choujian.core.ledgerstate import ledger_values
from choujian.core.models import PublicModel
from choujian.registry.models import Enterprise
from choujian.testing.models import Outcome

CLASSES = ("A", "B", "C")  # the severity classes of test items, most severe first


class HistoryImport(PublicModel):
    """A spreadsheet of earlier years' results (before the platform), imported all at once; its state carries a
    digest of every row it brought, so an edit of an imported result behind the platform's back is seen."""

    ledger_kind = "history_import"
    ledger_fields = ("regulator", "filename", "sha256", "rows", "imported_by", "note")

    regulator = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("导入单位"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("历史结果导入")
        verbose_name_plural = pgettext_lazy("plural", "历史结果导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows})"

    def ledger_state(self) -> dict:
        state = ledger_values(self, self.ledger_fields)
        lines = [fact.as_record() for fact in self.facts.order_by("pk")]
        state["facts_sha256"] = hashlib.sha256(
            json.dumps(lines, ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()
        return state


class ResultFact(models.Model):
    """One final result (or refusal to be sampled) as the statistics count it."""

    ledger_exempt = (
        "本平台的结果由已记入日志的最终结论派生，可随时重建；导入的历史结果由其导入记录的摘要覆盖 / platform rows are "
        "derived from ledgered final outcomes and can be rebuilt; imported rows are covered by their import's digest"
    )

    source = models.CharField(_("来源"), max_length=10, choices=FactSource.CHOICES)
    outcome = models.OneToOneField(Outcome, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    task_code = models.CharField(_("任务编号"), max_length=30, blank=True, db_index=True)
    history = models.ForeignKey(HistoryImport, null=True, blank=True, on_delete=models.PROTECT, related_name="facts")
    final_on = models.DateField(_("结论日期"))
    enterprise_name = models.CharField(_("生产企业"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    region = models.CharField(_("所在地区"), max_length=6)
    category_code = models.CharField(_("产品类别代码"), max_length=32)
    category_name = models.CharField(_("产品类别"), max_length=100)
    laboratory = models.CharField(_("检验机构"), max_length=200, blank=True)
    project = models.CharField(_("建设项目"), max_length=200, blank=True)
    section = models.CharField(_("标段"), max_length=100, blank=True)
    regulator_region = models.CharField(_("组织单位地区"), max_length=6)
    recheck = models.BooleanField(_("复查"), default=False)
    refused = models.BooleanField(_("拒检"), default=False)
    passed = models.BooleanField(_("合格"))
    worst_class = models.CharField(_("最严重不合格项类别"), max_length=1, blank=True)
    failed_items = models.JSONField(_("不合格项目"), default=list, blank=True)
    draw_arm = models.CharField(_("抽取方式"), max_length=8, choices=DrawArm.CHOICES, blank=True, default="")

    class Meta:
        verbose_name = _("统计结果")
        verbose_name_plural = pgettext_lazy("plural", "统计结果")
        ordering = ["final_on", "pk"]
        indexes = [
            models.Index(fields=["category_code", "final_on"]),
            models.Index(fields=["region", "final_on"]),
            models.Index(fields=["uscc", "category_code"]),
            models.Index(fields=["laboratory", "final_on"]),
            models.Index(fields=["regulator_region", "final_on"]),
            # the partial months at the ends of a date range, and the enterprise tables of a category, read only the
            # index (PostgreSQL; elsewhere these are plain indexes)
            models.Index(
                fields=["final_on"],
                include=[
                    "category_code",
                    "category_name",
                    "region",
                    "laboratory",
                    "regulator_region",
                    "passed",
                    "refused",
                    "recheck",
                ],
                name="analytics_fact_day",
            ),  # fmt: skip
            models.Index(
                fields=["category_code", "uscc"],
                include=["enterprise_name", "final_on", "passed", "refused", "recheck"],
                name="analytics_fact_category_uscc",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.final_on} {self.enterprise_name} {self.category_name} {'合格' if self.passed else '不合格'}"

    def as_record(self) -> dict:
        names = ("final_on", "enterprise_name", "uscc", "region", "category_code", "laboratory", "project", "section",
                 "refused", "passed", "worst_class", "failed_items")  # fmt: skip
        return ledger_values(self, names) | ({"draw_arm": self.draw_arm} if self.draw_arm else {})


class RiskSignal(PublicModel):
    """Something known about an enterprise outside the platform's own results — a complaint, an accident, another
    region's failed check, a media report — entered with its source, date and weight."""

    ledger_kind = "risk_signal"
    ledger_private = True  # what a complaint or a report says about an enterprise is for its regulators
    ledger_fields = ("enterprise", "category_code", "kind", "source", "observed_on", "weight", "note", "entered_by",
                     "withdrawn_reason")  # fmt: skip

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("生产企业"), on_delete=models.PROTECT, related_name="+")
    category_code = models.CharField(_("产品类别代码（空为全部类别）"), max_length=32, blank=True)
    kind = models.CharField(_("信号类型"), max_length=14, choices=SignalKind.CHOICES)
    source = models.CharField(_("来源"), max_length=300)
    observed_on = models.DateField(_("发生日期"))
    weight = models.DecimalField(_("权重"), max_digits=4, decimal_places=2)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("风险信号")
        verbose_name_plural = pgettext_lazy("plural", "风险信号")
        ordering = ["-observed_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()} · {self.observed_on}"

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)


class QualityWarning(PublicModel):
    """An early warning: a control chart of a category's (and region's) monthly failure rate signalled."""

    ledger_kind = "quality_warning"
    ledger_fields = (
        "code", "category_code", "category_name", "region", "month", "rules", "evidence", "action", "status",
        "closed_by", "closed_at", "closing_note",
    )  # fmt: skip

    code = models.CharField(_("预警编号"), max_length=20, unique=True)
    category_code = models.CharField(_("产品类别代码"), max_length=32)
    category_name = models.CharField(_("产品类别"), max_length=100)
    region = models.CharField(_("地区"), max_length=6)
    month = models.DateField(_("月份"))
    rules = models.JSONField(_("触发规则"), default=list)
    evidence = models.JSONField(_("依据"), default=dict)
    action = models.CharField(_("建议措施"), max_length=500)
    status = models.CharField(_("状态"), max_length=8, choices=WarningStatus.CHOICES, default=WarningStatus.STATUS_OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closing_note = models.CharField(_("处置说明"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("质量预警")
        verbose_name_plural = pgettext_lazy("plural", "质量预警")
        ordering = ["-month", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category_code", "region", "month"], name="uniq_warning_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.category_name} {self.month:%Y-%m}"

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)


def _bulletin_path(bulletin: "Bulletin", filename: str) -> str:
    return f"bulletins/{bulletin.year}/{filename}"


class Bulletin(PublicModel):
    """一季一通报: a quarter's figures for a regulator's region, frozen when drafted, with the narrative the organiser
    writes; another officer approves it, and only then is its PDF made and published."""

    ledger_kind = "bulletin"
    ledger_private = True  # a draft names enterprises before anyone has approved its publication
    ledger_fields = ("code", "regulator", "year", "quarter", "title", "narrative", "figures", "status", "drafted_by",
                     "published_by", "published_at", "pdf", "pdf_sha256")  # fmt: skip

    code = models.CharField(_("通报编号"), max_length=20, unique=True)
    regulator = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    title = models.CharField(_("标题"), max_length=200)
    narrative = models.TextField(_("通报正文"), max_length=5000)
    figures = models.JSONField(_("统计数据"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=BulletinStatus.CHOICES, default=BulletinStatus.STATUS_DRAFT
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=_bulletin_path, blank=True, max_length=200)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("季度质量通报")
        verbose_name_plural = pgettext_lazy("plural", "季度质量通报")
        ordering = ["-year", "-quarter", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == BulletinStatus.STATUS_PUBLISHED

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)


class ComparisonRound(PublicModel):
    """The same material measured by several testing bodies on one item: the retained sample of a check split between
    laboratories (留样比对), or a re-test of a sample's backup beside its first test. Each laboratory's value is kept
    as reported, so anyone can recompute the robust statistics."""

    ledger_kind = "comparison_round"
    ledger_fields = ("code", "kind", "category_code", "item", "item_name", "unit", "material", "held_on", "values",
                     "retest", "recorded_by")  # fmt: skip

    code = models.CharField(_("比对编号"), max_length=20, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=RoundKind.CHOICES)
    category_code = models.CharField(_("产品类别代码"), max_length=32)
    item = models.CharField(_("检验项目代码"), max_length=60)
    item_name = models.CharField(_("检验项目"), max_length=120)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    material = models.CharField(_("样品"), max_length=200)
    held_on = models.DateField(_("比对日期"))
    values = models.JSONField(_("各机构测得值"), default=list)  # [{"laboratory": name, "value": "12.3"}]
    retest = models.ForeignKey("testing.Retest", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("实验室比对")
        verbose_name_plural = pgettext_lazy("plural", "实验室比对")
        ordering = ["item", "held_on", "code"]
        constraints = [models.UniqueConstraint(fields=["retest", "item"], name="uniq_comparison_per_retest_item")]

    def __str__(self) -> str:
        return f"{self.code} {self.item_name}"

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)


class ResultRollup(models.Model):
    """Monthly counts of the results table by one dimension, for the regulators who see whole provinces: kept current
    by the task queue (`rollups.rollups_refresh`), read with the results not yet rolled up (`rollups.pass_rates`)."""

    ledger_exempt = "由统计结果表汇总而来，可随时重建 / summed from the results table, can be rebuilt at any time"

    dimension = models.CharField(_("维度"), max_length=8)  # category, region, lab or all
    key = models.CharField(_("分组键"), max_length=200)
    name = models.CharField(_("名称"), max_length=200, blank=True)
    month = models.DateField(_("月份"))
    province = models.CharField(_("企业所在省"), max_length=2)
    regulator_province = models.CharField(_("组织单位所在省"), max_length=2)
    recheck = models.BooleanField(_("复查"))
    lots = models.PositiveIntegerField(_("检验批次"), default=0)
    failed = models.PositiveIntegerField(_("不合格"), default=0)
    refused = models.PositiveIntegerField(_("拒检"), default=0)

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = pgettext_lazy("plural", "统计汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "month", "province", "regulator_province", "recheck"],
                name="analytics_rollup_cell",
            )
        ]
        indexes = [models.Index(fields=["dimension", "month"])]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} {self.month:%Y-%m}: {self.failed}/{self.lots}"


class PendingFact(models.Model):
    """A result not yet added to the monthly rollups: written with the result, removed when it is added."""

    ledger_exempt = "汇总任务的待办队列 / the rollup job's queue"

    fact = models.OneToOneField(ResultFact, primary_key=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"pending {self.fact_id}"
