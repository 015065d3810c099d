"""Spot-check plans, their per-category quotas, and the tasks a draw creates."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.accounts.models import Organisation, region_prefix
from choujian.core.ledgerstate import ledger_value, ledger_values
from choujian.core.models import PublicModel
from choujian.core.validators import validate_region
from choujian.planning.choices import PlanKind, PlanStatus, SamplingMode, StrataBy, TaskOutcome, TaskPurpose, TaskStatus
from choujian.registry.models import Delivery, Enterprise, Product, ProductCategory

DEFAULT_RISK_RULE = {"base": 1, "per_nonconformity": 2, "per_signal": 3, "max": 10, "scores": 0}
RISK_KEYS = (*DEFAULT_RISK_RULE, "holdout")
HOLDOUT_DEFAULT_PERCENT = 20  # of each quota, drawn with equal weights when weights come from the risk scores
HOLDOUT_MAX_PERCENT = 50


def risk_rule_errors(rule) -> list[str]:
    """What is wrong with a plan's risk rule (`base`, `per_nonconformity`, `per_signal`, `max`: integer weights;
    `scores`: 1 to weigh by the enterprises' risk scores; `holdout`: percent of each quota drawn as a control group)."""
    if not isinstance(rule, dict):
        return ["风险加权规则应为对象"]
    errors = []
    unknown = sorted(set(rule) - set(RISK_KEYS))
    if unknown:
        errors.append(f"未知的加权参数：{'、'.join(unknown)}（可用 {'、'.join(RISK_KEYS)}）")
    for key, value in rule.items():
        if key in RISK_KEYS and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000):
            errors.append(f"{key} 应为 0 到 1000 之间的整数")
    if isinstance(rule.get("max", 1), int) and rule.get("max", 1) < 1:
        errors.append("最大权重至少为 1")
    if rule.get("scores", 0) not in (0, 1):
        errors.append("scores 只能为 0（按历史不合格次数）或 1（按风险评分）")
    holdout = rule.get("holdout", 0)
    if isinstance(holdout, int) and not 0 <= holdout <= HOLDOUT_MAX_PERCENT:
        errors.append(f"对照组比例 holdout 应在 0 到 {HOLDOUT_MAX_PERCENT}（%）之间")
    return errors


class Plan(PublicModel):
    """A regulator's annual, quarterly or special spot-check plan (抽查计划)."""

    ledger_kind = "plan"
    ledger_fields = (
        "code", "name", "kind", "year", "regulator", "region", "status", "lookback_days", "budget_per_sample",
        "budget_total", "delivery_working_days", "risk_based", "risk_rule", "participants", "drafted_by",
        "approved_by", "approved_at",
    )  # fmt: skip

    code = models.CharField(_("计划编号"), max_length=20, unique=True)
    name = models.CharField(_("计划名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=PlanKind.CHOICES, default=PlanKind.KIND_ANNUAL)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    regulator = models.ForeignKey(
        Organisation, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="plans"
    )
    region = models.CharField(_("抽查范围（行政区划）"), max_length=6, validators=[validate_region])
    status = models.CharField(_("状态"), max_length=12, choices=PlanStatus.CHOICES, default=PlanStatus.STATUS_DRAFT)
    lookback_days = models.PositiveIntegerField(
        _("重复抽查回避期（天）"), default=180, validators=[MaxValueValidator(3650)]
    )
    budget_per_sample = models.DecimalField(
        _("单批次预算（元）"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    budget_total = models.DecimalField(
        _("总预算（元）"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    delivery_working_days = models.PositiveSmallIntegerField(
        _("送样期限（封样后工作日）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    risk_based = models.BooleanField(_("差别化（按风险加权）"), default=False)
    risk_rule = models.JSONField(_("风险加权规则"), default=dict, blank=True)
    participants = models.JSONField(
        _("抽取仪式参与人"), default=list, help_text=_("至少两人，如监管部门代表与社会监督员")
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = pgettext_lazy("plural", "抽查计划")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors = {}
        names = self.participants if isinstance(self.participants, list) else None
        if names is None or not all(isinstance(n, str) and n.strip() for n in names):
            errors["participants"] = "参与人应为姓名列表"
        elif len({n.strip() for n in names}) < 2:
            errors["participants"] = "抽取仪式至少需要两名不同的参与人"
        elif any(ch in n for n in names for ch in "\t\n\r"):
            errors["participants"] = "参与人姓名不能包含制表符或换行"
        if self.regulator_id and self.region and not self.region.startswith(region_prefix(self.regulator.region)):
            if self.regulator.level != "national":
                errors["region"] = "抽查范围必须在组织单位的辖区内"
        rule_errors = risk_rule_errors(self.risk_rule)
        if rule_errors:
            errors["risk_rule"] = rule_errors
        if errors:
            raise ValidationError(errors)

    def effective_risk_rule(self) -> dict:
        return {**DEFAULT_RISK_RULE, **(self.risk_rule or {})}

    @property
    def weighs_by_scores(self) -> bool:
        return self.risk_based and self.effective_risk_rule()["scores"] == 1

    @property
    def holdout_percent(self) -> int:
        """Share of each quota drawn with equal weights as a control group: by default 20 % when the weights come
        from the risk scores, none otherwise."""
        if not self.risk_based:
            return 0
        rule = self.effective_risk_rule()
        return int(rule.get("holdout", HOLDOUT_DEFAULT_PERCENT if rule["scores"] == 1 else 0))

    def ledger_state(self) -> dict:
        return (
            {
                "code": self.code,
                "name": self.name,
                "kind": self.kind,
                "year": self.year,
                "regulator": str(self.regulator.public_id),
                "region": self.region,
                "status": self.status,
                "lookback_days": self.lookback_days,
                "budget_per_sample": ledger_value(self, "budget_per_sample"),
                "budget_total": ledger_value(self, "budget_total"),
                "risk_based": self.risk_based,
                "risk_rule": self.risk_rule,
                "participants": self.participants,
                "approved_by": str(self.approved_by.public_id) if self.approved_by_id else None,
            }
            | self._later_state()
            | ledger_values(self, ("drafted_by", "approved_at"))
        )

    def _later_state(self) -> dict:
        """Fields added after plans were first ledgered: stated only when not at their default, so that digests
        recorded before they existed still verify."""
        return {"delivery_working_days": self.delivery_working_days} if self.delivery_working_days != 5 else {}


class PlanLine(PublicModel):
    """One product category of a plan: its quota, strata, sampling mode, agency and laboratory."""

    ledger_kind = "plan_line"
    ledger_fields = (
        "plan", "category", "quota", "strata_by", "stratum_quotas", "sampling_mode", "agency", "laboratory", "ruleset"
    )  # fmt: skip

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT)
    quota = models.PositiveIntegerField(_("抽查批次"), validators=[MinValueValidator(1), MaxValueValidator(100000)])
    strata_by = models.CharField(_("分层"), max_length=8, choices=StrataBy.CHOICES, default=StrataBy.STRATA_NONE)
    stratum_quotas = models.JSONField(_("各层批次"), default=dict, blank=True, help_text=_('如 {"350100": 3}'))
    sampling_mode = models.CharField(_("抽样方式"), max_length=16, choices=SamplingMode.CHOICES)
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("抽样机构"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "sampling_agency"},
    )
    laboratory = models.ForeignKey(
        Organisation,
        verbose_name=_("检验机构"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "laboratory"},
    )
    ruleset = models.ForeignKey(
        "rules.RuleSet",
        verbose_name=_("实施细则版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("计划批准时在用的版本，此后不随细则更新而改变"),
    )

    class Meta:
        verbose_name = _("计划类别")
        verbose_name_plural = pgettext_lazy("plural", "计划类别")
        constraints = [models.UniqueConstraint(fields=["plan", "category"], name="uniq_plan_category")]
        ordering = ["category__code"]

    def __str__(self) -> str:
        return f"{self.category.name} × {self.quota}"

    def clean(self) -> None:
        errors = {}
        if self.agency_id and self.agency.kind != "sampling_agency":
            errors["agency"] = "抽样机构必须是“抽样机构”类型"
        if self.laboratory_id and self.laboratory.kind != "laboratory":
            errors["laboratory"] = "检验机构必须是“检验检测机构”类型"
        if self.agency_id and self.agency_id == self.laboratory_id:
            errors["laboratory"] = "抽检分离：抽样机构与检验机构不能是同一单位"
        quotas = self.stratum_quotas
        if self.strata_by == StrataBy.STRATA_NONE:
            if quotas:
                errors["stratum_quotas"] = "不分层时不填各层批次"
        elif not isinstance(quotas, dict) or not quotas:
            errors["stratum_quotas"] = '分层抽取需填写各层批次，如 {"350100": 3}'
        else:
            bad = [k for k, v in quotas.items() if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0)]
            if bad:
                errors["stratum_quotas"] = f"批次必须是非负整数：{'、'.join(bad)}"
            elif self.quota is not None and sum(quotas.values()) != self.quota:
                errors["stratum_quotas"] = f"各层批次之和（{sum(quotas.values())}）应等于抽查批次（{self.quota}）"
        if errors:
            raise ValidationError(errors)

    def ledger_state(self) -> dict:
        return {
            "plan": self.plan.code,
            "category": self.category.code,
            "quota": self.quota,
            "strata_by": self.strata_by,
            "stratum_quotas": self.stratum_quotas,
            "sampling_mode": self.sampling_mode,
            "agency": str(self.agency.public_id),
            "laboratory": str(self.laboratory.public_id),
        } | ({"ruleset": self.ruleset.content_sha256} if self.ruleset_id else {})


class Task(PublicModel):
    """A spot-check task: one drawn item (a product of an enterprise, or a delivered lot) to be sampled."""

    ledger_kind = "task"
    ledger_fields = (
        "code", "plan", "line", "frame_item_id", "stratum", "rank", "enterprise", "product", "delivery", "agency",
        "laboratory", "status", "outcome", "replaces", "drawn_at", "purpose",
    )  # fmt: skip
    ledger_private = True  # names whom a sample came from: digest-only in the public log

    code = models.CharField(_("任务编号"), max_length=20, unique=True)
    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.PROTECT, related_name="tasks")
    line = models.ForeignKey(PlanLine, verbose_name=_("计划类别"), on_delete=models.PROTECT, related_name="tasks")
    frame_item_id = models.CharField(_("抽样框编号"), max_length=200)
    stratum = models.CharField(_("层"), max_length=64, blank=True)
    rank = models.PositiveIntegerField(_("名次"))
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("被抽查企业"), on_delete=models.PROTECT, related_name="tasks"
    )
    product = models.ForeignKey(Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="tasks")
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("进场批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    agency = models.ForeignKey(Organisation, verbose_name=_("抽样机构"), on_delete=models.PROTECT, related_name="+")
    laboratory = models.ForeignKey(Organisation, verbose_name=_("检验机构"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=24, choices=TaskStatus.CHOICES, default=TaskStatus.STATUS_DRAWN)
    outcome = models.CharField(_("结论"), max_length=16, choices=TaskOutcome.CHOICES, blank=True, default="")
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("递补替换的任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    drawn_at = models.DateTimeField(_("抽取时间"))
    # A 复查 samples the same product of the same maker again, at the maker, and goes through the same blind chain.
    purpose = models.CharField(
        _("任务性质"), max_length=8, choices=TaskPurpose.CHOICES, default=TaskPurpose.PURPOSE_SPOT
    )

    class Meta:
        verbose_name = _("抽查任务")
        verbose_name_plural = pgettext_lazy("plural", "抽查任务")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def status_tone(self) -> str:
        return TaskStatus.TONES.get(self.status, "")

    def ledger_state(self) -> dict:
        return (
            {
                "code": self.code,
                "plan": self.plan.code,
                "frame_item_id": self.frame_item_id,
                "stratum": self.stratum,
                "rank": self.rank,
                "enterprise": self.enterprise.uscc,
                "product": str(self.product.public_id),
                "delivery": str(self.delivery.public_id) if self.delivery_id else None,
                "agency": str(self.agency.public_id),
                "laboratory": str(self.laboratory.public_id),
                "status": self.status,
                "outcome": self.outcome,
                "replaces": self.replaces.code if self.replaces_id else None,
                "inspectors": [
                    {"rank": row.rank, "inspector": str(row.inspector.public_id), "draw": str(row.draw.public_id)}
                    for row in self.inspectors.select_related("inspector", "draw").order_by("rank", "pk")
                ],
            }
            | ledger_values(self, ("line", "drawn_at"))
            | self._purpose_state()
        )

    def _purpose_state(self) -> dict:
        # Only a 复查 says so: the states of the tasks ledgered before there were any stay as they were.
        return {"purpose": self.purpose} if self.is_recheck else {}

    @property
    def is_recheck(self) -> bool:
        return self.purpose == TaskPurpose.PURPOSE_RECHECK

    @property
    def sampling_mode(self) -> str:
        """Where the sample is taken: as the line says, but a 复查 always at the maker."""
        return SamplingMode.MODE_PRODUCTION if self.is_recheck else self.line.sampling_mode


class InspectorQualification(PublicModel):
    """An inspector's qualification to sample a product category (持证抽样人员)."""

    ledger_kind = "qualification"
    ledger_fields = ("inspector", "category", "valid_until")

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽样人员"), on_delete=models.PROTECT, related_name="qualifications"
    )
    category = models.ForeignKey(ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽样资格")
        verbose_name_plural = pgettext_lazy("plural", "抽样资格")
        constraints = [models.UniqueConstraint(fields=["inspector", "category"], name="uniq_qualification")]

    def __str__(self) -> str:
        return f"{self.inspector} · {self.category}"

    def ledger_state(self) -> dict:
        return {
            "inspector": str(self.inspector.public_id),
            "category": self.category.code,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


class ConflictDeclaration(PublicModel):
    """An inspector's declared relation with an enterprise (亲属、曾任职等): excludes them from its tasks."""

    ledger_kind = "conflict"
    ledger_fields = ("inspector", "enterprise", "reason")

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽样人员"), on_delete=models.PROTECT, related_name="conflicts"
    )
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("利害关系"), max_length=200)

    class Meta:
        verbose_name = _("利害关系申报")
        verbose_name_plural = pgettext_lazy("plural", "利害关系申报")
        constraints = [models.UniqueConstraint(fields=["inspector", "enterprise"], name="uniq_conflict")]

    def __str__(self) -> str:
        return f"{self.inspector} ↔ {self.enterprise}"

    def ledger_state(self) -> dict:
        return {
            "inspector": str(self.inspector.public_id),
            "enterprise": self.enterprise.uscc,
            "reason": self.reason,
        }
