"""Enforcement cases (后处理): one per enterprise × failed batch, or per refused sampling, each walking a ladder of
steps on legal clocks (see `ladders`)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.accounts.choices import Role
from choujian.accounts.models import Organisation
from choujian.core.ledgerstate import ledger_values
from choujian.core.models import PublicModel
from choujian.enforcement import ladders
from choujian.enforcement.choices import CaseCause, CaseStatus, LadderCode, ListingStatus, PenaltyKind
from choujian.planning.models import Plan, Task
from choujian.registry.models import Delivery, Enterprise, Product
from choujian.testing.models import Outcome


class PlanLadder(PublicModel):
    """Which ladder a plan's cases follow, and the plan's own periods for steps whose period the rules leave open
    (each with the article it comes from). Without one, a plan follows its organiser's sector."""

    ledger_kind = "plan_ladder"
    ledger_fields = ("plan", "ladder", "periods", "set_by")

    plan = models.OneToOneField(Plan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="ladder")
    ladder = models.CharField(_("处理程序"), max_length=12, choices=LadderCode.CHOICES)
    periods = models.JSONField(_("计划设定的期限"), default=dict, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("计划的后处理程序")
        verbose_name_plural = pgettext_lazy("plural", "计划的后处理程序")

    def __str__(self) -> str:
        return f"{self.plan.code} {LadderCode.display(self.ladder)}"

    def ledger_state(self) -> dict:
        return {"plan": self.plan.code, "ladder": self.ladder, "periods": self.periods} | ledger_values(
            self, ("set_by",)
        )


class Case(PublicModel):
    """A case: the failed (or refused) batch of one enterprise's product, owned by the regulator of the
    enterprise's domicile, with its steps, suspensions, files and the referral when another regulator organised
    the spot check."""

    ledger_kind = "case"
    ledger_private = True  # names an enterprise before anything about it is published
    ledger_fields = (
        "code", "cause", "plan", "task", "outcome", "enterprise", "product", "delivery", "batch_no", "ladder",
        "periods", "regulator", "organiser", "status", "stage", "conclusion", "due", "opened_at", "closed_at",
        "referred_at", "referral_due", "referral_acknowledged_at", "referral_acknowledged_by",
    )  # fmt: skip

    code = models.CharField(_("案件编号"), max_length=20, unique=True)
    cause = models.CharField(_("起因"), max_length=8, choices=CaseCause.CHOICES)
    plan = models.ForeignKey(Plan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(Task, verbose_name=_("抽查任务"), on_delete=models.PROTECT, related_name="case")
    outcome = models.OneToOneField(
        Outcome, verbose_name=_("最终结论"), null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("生产企业"), on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("进场批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch_no = models.CharField(_("批号"), max_length=100, blank=True)
    ladder = models.CharField(_("处理程序"), max_length=12, choices=LadderCode.CHOICES)
    periods = models.JSONField(_("计划设定的期限"), default=dict, blank=True)
    regulator = models.ForeignKey(
        Organisation, verbose_name=_("主办监管部门"), on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("抽查组织部门"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=8, choices=CaseStatus.CHOICES, default=CaseStatus.STATUS_OPEN)
    stage = models.CharField(_("当前步骤"), max_length=20)
    conclusion = models.CharField(_("结论"), max_length=20, blank=True)
    due = models.DateField(_("当前步骤期限"), null=True, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("立案时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    referred_at = models.DateTimeField(_("移送时间"), null=True, blank=True)
    referral_due = models.DateField(_("移送确认期限"), null=True, blank=True)
    referral_acknowledged_at = models.DateTimeField(_("移送确认时间"), null=True, blank=True)
    referral_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("后处理案件")
        verbose_name_plural = pgettext_lazy("plural", "后处理案件")
        ordering = ["-opened_at", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def rules(self) -> ladders.Ladder:
        return ladders.ladder(self.ladder).with_periods(self.periods)

    @property
    def stage_label(self) -> str:
        if self.conclusion:
            return ladders.outcome_label(self.conclusion)
        return self.rules.step(self.stage).name

    @property
    def referral_open(self) -> bool:
        return self.referred_at is not None and self.referral_acknowledged_at is None

    def current_step(self):
        return self.steps.filter(done_at=None).order_by("-order").first()

    def deadline_link(self, field: str = "") -> str:
        return reverse("enforcement:case", args=[self.code])

    def deadline_supervisors(self, field: str = ""):
        return self.people_for("regulator")

    def people_for(self, actor: str) -> list:
        """Who answers for a step of this case: the maker's staff, or the writers of the owning and the organising
        regulator."""
        from choujian.accounts.scope import members_of

        if actor == "enterprise":
            from choujian.planning.policy import PARTY_ROLES, inspected_party_orgs

            return list(members_of(inspected_party_orgs(self.task), PARTY_ROLES))
        return list(members_of([self.regulator_id, self.organiser_id], Role.REGULATOR_WRITERS))

    def deadline_open(self, field: str) -> bool:
        if field == "referral_due":
            return self.referral_open
        current = self.current_step()
        return self.status == CaseStatus.STATUS_OPEN and current is not None and current.suspended_since is None

    def deadline_watchers(self, field: str) -> list:
        from choujian.accounts.scope import members_of

        if field == "referral_due":
            return list(members_of([self.regulator_id], Role.REGULATOR_WRITERS))
        current = self.current_step()
        return self.people_for(current.actor) if current is not None else []

    def ledger_state(self) -> dict:
        state = ledger_values(self, self.ledger_fields)
        state["steps"] = [step.as_ledger() for step in self.steps.order_by("order")]
        state["suspensions"] = [s.as_ledger() for s in self.suspensions.select_related("step").order_by("pk")]
        state["files"] = [f.as_ledger() for f in self.files.select_related("step").order_by("pk")]
        state["removals"] = [r.as_ledger() for r in self.removals.order_by("pk")]
        state["penalties"] = [p.as_ledger() for p in self.penalties.order_by("pk")]
        rechecks = [r.as_ledger() for r in self.rechecks.select_related("step", "task", "ordered_by").order_by("pk")]
        if rechecks:  # cases ledgered before 复查 were sampled keep their states
            state["rechecks"] = rechecks
        return state


class Step(models.Model):
    """One step of a case on its clock: due = the deadline service's day for (starts_on, days, kind) plus the
    days it was suspended. Done once, with its result, by whom, and a note; never edited afterwards."""

    ledger_embedded_in = ("case",)
    ledger_fields = (
        "case", "order", "code", "name", "actor", "basis", "starts_on", "not_before", "days", "kind",
        "suspended_days", "suspended_since", "due", "done_at", "done_by", "result", "note", "late",
    )  # fmt: skip

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("步骤代码"), max_length=20)
    name = models.CharField(_("步骤"), max_length=100)
    actor = models.CharField(_("办理人"), max_length=12)
    basis = models.CharField(_("依据"), max_length=200)
    starts_on = models.DateField(_("起算日"))
    not_before = models.DateField(_("最早日期"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("天数"))
    kind = models.CharField(_("计算方式"), max_length=10)
    suspended_days = models.PositiveSmallIntegerField(_("中止天数"), default=0)
    suspended_since = models.DateField(_("中止起始日"), null=True, blank=True)
    due = models.DateField(_("期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("结果"), max_length=20, blank=True)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    late = models.BooleanField(_("逾期"), default=False)

    class Meta:
        verbose_name = _("处理步骤")
        verbose_name_plural = pgettext_lazy("plural", "处理步骤")
        ordering = ["case", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="uniq_case_step_order")]

    def __str__(self) -> str:
        return f"{self.case.code} {self.name}"

    @property
    def actor_label(self) -> str:
        return ladders.ACTORS.get(self.actor, self.actor)

    @property
    def kind_label(self) -> str:
        return ladders.KINDS.get(self.kind, self.kind)

    @property
    def result_label(self) -> str:
        return ladders.LAPSED_LABEL if self.result == ladders.LAPSED else ladders.RESULTS.get(self.result, self.result)

    def overdue_on(self, today: dt.date) -> bool:
        return self.done_at is None and self.suspended_since is None and today > self.due

    def as_ledger(self) -> dict:
        return ledger_values(self, [f for f in self.ledger_fields if f != "case"])


class Suspension(models.Model):
    """A step's clock stopped (an approved extension, force majeure…) and resumed; the days in between carry over."""

    ledger_embedded_in = ("case",)
    ledger_fields = ("case", "step", "started_on", "ended_on", "reason", "suspended_by", "resumed_by")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspensions")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="suspensions")
    started_on = models.DateField(_("中止日"))
    ended_on = models.DateField(_("恢复日"), null=True, blank=True)
    reason = models.CharField(_("中止理由"), max_length=300)
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("期限中止")
        verbose_name_plural = pgettext_lazy("plural", "期限中止")

    def __str__(self) -> str:
        return f"{self.case.code} {self.started_on}"

    def as_ledger(self) -> dict:
        return {"step": self.step.code} | ledger_values(
            self, ("started_on", "ended_on", "reason", "suspended_by", "resumed_by")
        )


def case_file_path(instance, filename: str) -> str:
    return f"enforcement/{instance.case.code}/{instance.sha256[:16]}-{filename[-80:]}"


class Removal(models.Model):
    """退场: the contractor takes the failed lot off the site (quantity, place, day, photos) and the supervisor
    witnesses and countersigns it (《建设工程质量管理条例》第二十九条: failing materials must not be used)."""

    ledger_embedded_in = ("case",)
    ledger_fields = (
        "case", "delivery", "quantity", "unit", "place", "removed_on", "note", "recorded_by", "recorded_at",
        "witnessed_by", "witnessed_at", "witness_note",
    )  # fmt: skip

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="removals")
    delivery = models.ForeignKey(Delivery, verbose_name=_("进场批次"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("退场数量"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("单位"), max_length=20)
    place = models.CharField(_("地点"), max_length=200)
    removed_on = models.DateField(_("退场日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witnessed_at = models.DateTimeField(_("见证时间"), null=True, blank=True)
    witness_note = models.CharField(_("见证意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("不合格批次退场")
        verbose_name_plural = pgettext_lazy("plural", "不合格批次退场")

    def __str__(self) -> str:
        return f"{self.case.code} {self.quantity} {self.unit}"

    def as_ledger(self) -> dict:
        return ledger_values(self, [f for f in self.ledger_fields if f != "case"])


class Recheck(models.Model):
    """A 复查 ordered at a sampled step: a new sampling task at the maker, tested blind like any other; its final
    conclusion (or a refusal to be sampled) is the step's result."""

    ledger_embedded_in = ("case",)
    ledger_fields = ("case", "step", "task", "ordered_by", "ordered_at", "judgment", "concluded_at")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="rechecks")
    step = models.OneToOneField(Step, on_delete=models.PROTECT, related_name="recheck")
    task = models.OneToOneField(Task, verbose_name=_("复查任务"), on_delete=models.PROTECT, related_name="recheck")
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(_("下达时间"))
    judgment = models.CharField(_("复查结论"), max_length=10, blank=True)
    concluded_at = models.DateTimeField(_("结论时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("复查")
        verbose_name_plural = pgettext_lazy("plural", "复查")

    def __str__(self) -> str:
        return f"{self.case.code} {self.task.code}"

    def as_ledger(self) -> dict:
        return ledger_values(self, [f for f in self.ledger_fields if f not in ("case", "step")]) | {
            "step": self.step.order
        }


class Penalty(models.Model):
    """A penalty decided about the case: the regulator's fine on the contractor under 《建设工程质量管理条例》第六十四条
    (2%–4% of the section's contract price), or the owner's penalty under its contract with the contractor or
    supervisor."""

    ledger_embedded_in = ("case",)
    ledger_fields = (
        "case", "kind", "subject", "contract_price", "rate", "amount", "decision_no", "decided_on", "basis",
        "decided_by",
    )  # fmt: skip

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField(_("类型"), max_length=10, choices=PenaltyKind.CHOICES)
    subject = models.ForeignKey(Organisation, verbose_name=_("被处罚单位"), on_delete=models.PROTECT, related_name="+")
    contract_price = models.DecimalField(_("合同价款（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("罚款比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=16, decimal_places=2)
    decision_no = models.CharField(_("决定书文号"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    basis = models.CharField(_("依据"), max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("处罚决定")
        verbose_name_plural = pgettext_lazy("plural", "处罚决定")

    def __str__(self) -> str:
        return self.decision_no

    def as_ledger(self) -> dict:
        return ledger_values(self, [f for f in self.ledger_fields if f != "case"])


class CaseFile(models.Model):
    """Evidence given with a step (整改报告, 复查申请…) or a removal (photos), kept with its SHA-256."""

    ledger_embedded_in = ("case",)
    ledger_fields = (
        "case", "step", "removal", "file", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"
    )  # fmt: skip

    public_id = models.UUIDField(unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="files")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    removal = models.ForeignKey(Removal, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("文件"), upload_to=case_file_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件材料")
        verbose_name_plural = pgettext_lazy("plural", "案件材料")

    def __str__(self) -> str:
        return self.original_name

    def as_ledger(self) -> dict:
        return {"step": self.step.code if self.step_id else None} | ledger_values(
            self, ("removal", "file", "original_name", "size", "sha256", "uploaded_by", "uploaded_at")
        )


class CreditRecord(PublicModel):
    """A fact on an enterprise's credit record (信用记录), with its date, basis and the case it comes from."""

    ledger_kind = "credit_record"
    ledger_private = True
    ledger_fields = ("enterprise", "rule", "fact", "occurred_on", "basis", "case")

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("生产企业"), on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("规则"), max_length=40)
    fact = models.CharField(_("事实"), max_length=300)
    occurred_on = models.DateField(_("日期"))
    basis = models.CharField(_("依据"), max_length=300)
    case = models.ForeignKey(Case, verbose_name=_("来源案件"), on_delete=models.PROTECT, related_name="credit_records")

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = pgettext_lazy("plural", "信用记录")
        ordering = ["-occurred_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "rule"], name="uniq_credit_case_rule")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.fact}"

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)


class BlacklistEntry(PublicModel):
    """An enterprise on the blacklist (黑名单) under a rule, until a date; it leaves at expiry, or early after a
    credit repair application (信用修复) that one regulator reviews and a second one decides."""

    ledger_kind = "blacklist_entry"
    ledger_private = True  # published only through an approved announcement, never by the ledger
    ledger_fields = (
        "enterprise", "rule", "basis", "listed_on", "until", "case", "status", "exited_on", "exit_reason",
        "repair_applied_at", "repair_applied_by", "repair_reason", "repair_reviewed_by", "repair_review_note",
        "repair_decided_by", "repair_decision",
    )  # fmt: skip

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("生产企业"), on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("规则"), max_length=40)
    basis = models.CharField(_("依据"), max_length=300)
    listed_on = models.DateField(_("列入日期"))
    until = models.DateField(_("届满日期"))
    case = models.ForeignKey(Case, verbose_name=_("来源案件"), on_delete=models.PROTECT, related_name="listings")
    status = models.CharField(
        _("状态"), max_length=8, choices=ListingStatus.CHOICES, default=ListingStatus.STATUS_LISTED
    )
    exited_on = models.DateField(_("移出日期"), null=True, blank=True)
    exit_reason = models.CharField(_("移出原因"), max_length=300, blank=True)
    repair_applied_at = models.DateTimeField(_("信用修复申请时间"), null=True, blank=True)
    repair_applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repair_reason = models.CharField(_("申请理由"), max_length=1000, blank=True)
    repair_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repair_review_note = models.CharField(_("审查意见"), max_length=500, blank=True)
    repair_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repair_decision = models.CharField(_("决定"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("黑名单")
        verbose_name_plural = pgettext_lazy("plural", "黑名单")
        ordering = ["-listed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.listed_on}–{self.until}"

    def ledger_state(self) -> dict:
        return ledger_values(self, self.ledger_fields)
