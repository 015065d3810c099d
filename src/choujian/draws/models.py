"""Frames, seed ceremonies, draw records, inspector assignments and replacements (docs/specs/draw-v1.md)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from choujian.core.ledgerstate import ledger_values
from choujian.core.models import PublicModel
from choujian.draws.choices import CeremonyStatus, DrawPurpose, SeedKind
from choujian.planning.models import Plan, Task


class Frame(PublicModel):
    """The list of eligible items of a plan, fixed before the seed exists; its digest is published on freezing."""

    ledger_kind = "frame"
    ledger_fields = ("plan", "digest", "counts", "quotas", "frozen_at")

    plan = models.OneToOneField(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="frame")
    # Before freezing the draw-v1 digest of the unsalted frame (for review); from freezing, the draw-v2 frame root.
    digest = models.CharField(_("抽样框摘要"), max_length=64)
    counts = models.JSONField(_("各层对象数"), default=dict, blank=True)
    quotas = models.JSONField(_("各层批次"), default=dict)
    frozen_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽样框")
        verbose_name_plural = pgettext_lazy("plural", "抽样框")

    def __str__(self) -> str:
        return gettext("%(plan)s 抽样框") % {"plan": self.plan.code}

    def ledger_state(self) -> dict:
        return {
            "plan": self.plan.code,
            "digest": self.digest,
            "quotas": self.quotas,
            "frozen": self.frozen_at is not None,
            "items": self.items.count(),
        } | ledger_values(self, ("counts", "frozen_at"))


class FrameItem(models.Model):
    """One eligible item: a product of an enterprise, or a delivered lot, with its weight and stratum."""

    ledger_exempt = (
        "抽样框条目由数据库守护：锁定后任何增删改均被触发器拒绝，条目数计入抽样框状态，抽取记录的框根承诺每一条 / "
        "guarded by the database: once the frame is frozen a trigger refuses any change; the count is in the frame's "
        "state and the draw record's frame root commits to every item"
    )

    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(_("编号"), max_length=200)
    weight = models.PositiveIntegerField(_("权重"), default=1)
    stratum = models.CharField(_("层"), max_length=64, blank=True)
    # A frame is what a published draw was computed from: nothing it names may be deleted (archive instead).
    line = models.ForeignKey("planning.PlanLine", on_delete=models.RESTRICT, related_name="+")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("registry.Product", on_delete=models.PROTECT, related_name="+")
    delivery = models.ForeignKey("registry.Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    weight_reason = models.CharField(_("加权原因"), max_length=200, blank=True)
    salt = models.CharField(_("盐值"), max_length=32, blank=True, db_default="")  # private until revealed (draw-v2)

    class Meta:
        verbose_name = _("抽样框条目")
        verbose_name_plural = pgettext_lazy("plural", "抽样框条目")
        constraints = [models.UniqueConstraint(fields=["frame", "item_id"], name="uniq_frame_item")]
        ordering = ["item_id"]

    def __str__(self) -> str:
        return self.item_id


class FrameExclusion(models.Model):
    """An item the frame rules left out, and why — shown to the regulator before freezing."""

    ledger_exempt = (
        "排除清单仅供锁定前复核，抽取不依赖它；锁定后由数据库触发器守护 / "
        "shown for review before freezing; no draw depends on it; once the frame is frozen a trigger refuses any change"
    )

    frame = models.ForeignKey(Frame, on_delete=models.CASCADE, related_name="exclusions")
    item_id = models.CharField(_("编号"), max_length=200)
    line = models.ForeignKey("planning.PlanLine", on_delete=models.RESTRICT, related_name="+")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("registry.Product", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("排除原因"), max_length=200)

    class Meta:
        verbose_name = _("排除条目")
        verbose_name_plural = pgettext_lazy("plural", "排除条目")
        ordering = ["item_id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.reason}"


class Ceremony(PublicModel):
    """How the seed of a plan's draw is made: commitments then reveals by named participants, or external."""

    ledger_kind = "ceremony"
    ledger_fields = (
        "plan", "kind", "status", "reveal_deadline", "external_seed", "external_description", "seed", "opened_by",
        "beacon_source", "beacon_fixed_on", "beacon_value", "beacon_entered_by",
    )  # fmt: skip

    plan = models.OneToOneField(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="ceremony")
    kind = models.CharField(_("方式"), max_length=10, choices=SeedKind.CHOICES, default=SeedKind.KIND_CEREMONY)
    status = models.CharField(
        _("状态"), max_length=12, choices=CeremonyStatus.CHOICES, default=CeremonyStatus.STATUS_COMMITTING
    )
    reveal_deadline = models.DateTimeField(_("公开截止时间"))
    external_seed = models.CharField(_("外部随机数"), max_length=400, blank=True)
    external_description = models.CharField(_("外部随机数来源说明"), max_length=300, blank=True)
    seed = models.CharField(_("种子"), max_length=400, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    beacon_source = models.CharField(_("公共随机信标来源"), max_length=300, blank=True)
    beacon_fixed_on = models.DateField(_("信标日期"), null=True, blank=True)
    beacon_value = models.CharField(_("信标数值"), max_length=200, blank=True)
    beacon_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("抽取仪式")
        verbose_name_plural = pgettext_lazy("plural", "抽取仪式")

    def __str__(self) -> str:
        return gettext("%(plan)s 抽取仪式") % {"plan": self.plan.code}

    def beacon(self) -> dict | None:
        """The draw-v2 beacon as records carry it (value empty until entered), or None without one."""
        if not self.beacon_source:
            return None
        fixed_on = self.beacon_fixed_on.isoformat() if self.beacon_fixed_on else ""
        return {"source": self.beacon_source, "fixed_on": fixed_on, "value": self.beacon_value}

    def ledger_state(self) -> dict:
        return {
            "plan": self.plan.code,
            "kind": self.kind,
            "status": self.status,
            "reveal_deadline": self.reveal_deadline,
            "seed": self.seed,
            "beacon": self.beacon(),
            "commitments": {p.name: p.commitment for p in self.participants.all()},
            "revealed": sorted(p.name for p in self.participants.all() if p.secret),
            "participants": [p.as_ledger() for p in self.participants.all()],
        } | ledger_values(self, ("external_seed", "external_description", "opened_by", "beacon_entered_by"))


class CeremonyParticipant(models.Model):
    """A named participant: the commitment (SHA-256 of a secret made on their own device), later the secret."""

    ledger_embedded_in = ("ceremony",)
    ledger_fields = ("ceremony", "name", "device", "user", "commitment", "committed_at", "secret", "revealed_at")
    ledger_unledgered = {
        "token": "个人链接凭据的摘要，可重新发放；谁用它提交了什么由设备和承诺值记录 / "
        "the digest of the link credential, re-issued at will; what was committed with it, and from which device, is "
        "in the state",
        "link_issued_at": "链接发放时间，随重新发放而变 / when the current link was issued; changes on every re-issue",
    }

    ceremony = models.ForeignKey(Ceremony, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("参与人"), max_length=100)
    # SHA-256 of the personal link's token: the link itself is shown once, to be handed to the participant.
    token = models.CharField(_("个人链接令牌摘要"), max_length=64, unique=True)
    link_issued_at = models.DateTimeField(_("链接发放时间"), null=True, blank=True)
    device = models.CharField(_("提交承诺的设备"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commitment = models.CharField(_("承诺值 SHA-256"), max_length=64, blank=True)
    committed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    secret = models.CharField(_("随机数"), max_length=200, blank=True)
    revealed_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("仪式参与人")
        verbose_name_plural = pgettext_lazy("plural", "仪式参与人")
        constraints = [models.UniqueConstraint(fields=["ceremony", "name"], name="uniq_participant")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_ledger(self) -> dict:
        return ledger_values(self, ("name", "device", "user", "commitment", "committed_at", "secret", "revealed_at"))


class Draw(PublicModel):
    """A published draw record (JSON exactly as docs/specs/draw-v1.md §4), for a plan or for one task's inspectors."""

    ledger_kind = "draw"
    ledger_fields = ("purpose", "plan", "task", "record", "record_sha256")

    purpose = models.CharField(_("用途"), max_length=16, choices=DrawPurpose.CHOICES)
    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.PROTECT, related_name="draws")
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), null=True, blank=True, on_delete=models.PROTECT, related_name="draws"
    )
    record = models.TextField(_("抽取记录 JSON"))
    record_sha256 = models.CharField(_("记录 SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("抽取记录")
        verbose_name_plural = pgettext_lazy("plural", "抽取记录")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.get_purpose_display()}"

    def ledger_state(self) -> dict:
        return {
            "purpose": self.purpose,
            "plan": self.plan.code,
            "task": self.task.code if self.task_id else None,
            "record_sha256": self.record_sha256,
        } | self._record_state()

    def _record_state(self) -> dict:
        """The stored record must still hash to the recorded SHA-256: stated only when it does not."""
        actual = hashlib.sha256(self.record.encode("utf-8")).hexdigest()
        return {} if actual == self.record_sha256 else {"record": actual}


class TaskInspector(models.Model):
    """An inspector drawn for a task."""

    ledger_embedded_in = ("task",)
    ledger_fields = ("task", "inspector", "draw", "rank")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="inspectors")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_assignments")
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "inspector"], name="uniq_task_inspector")]
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.task} · {self.inspector}"


class Replacement(PublicModel):
    """A selected item replaced by the next alternate (递补), with the reason and its evidence."""

    ledger_kind = "replacement"
    ledger_fields = ("replaced", "replacement", "reason", "note", "evidence", "evidence_sha256", "decided_by")
    ledger_private = True  # names whom a sample came from: digest-only in the public log

    replaced = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="replacement")
    replacement = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=24)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    evidence = models.FileField(_("证据"), upload_to="replacements/")
    evidence_sha256 = models.CharField(_("证据 SHA-256"), max_length=64)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("递补记录")
        verbose_name_plural = pgettext_lazy("plural", "递补记录")

    def __str__(self) -> str:
        return f"{self.replaced} → {self.replacement}"

    def ledger_state(self) -> dict:
        return {
            "replaced": self.replaced.code,
            "replacement": self.replacement.code,
            "reason": self.reason,
            "note": self.note,
            "evidence_sha256": self.evidence_sha256,
        } | ledger_values(self, ("evidence", "decided_by"))
