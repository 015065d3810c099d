"""Storage of the append-only Merkle log (docs/specs/ledger-v1.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.core.ledgerstate import THE_LOG_ITSELF


class LedgerHead(models.Model):
    """The single row whose update serialises appends: its `size` is the number of entries committed.

    An append only claims its sequence number and writes its entry. Storing the subtree hashes is left to the next
    integration (`ledger_integrate`, run before each checkpoint is signed), which does it for every entry appended
    since in one pass: `integrated` is how many entries have their hashes stored, and no checkpoint or proof goes
    beyond it.
    """

    ledger_exempt = THE_LOG_ITSELF

    size = models.BigIntegerField(default=0)
    integrated = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("日志头")
        verbose_name_plural = pgettext_lazy("plural", "日志头")

    def __str__(self) -> str:
        return f"size {self.size}"


class LedgerEntry(models.Model):
    """One log entry. `body` holds the exact canonical JSON bytes that were hashed as the leaf."""

    ledger_exempt = THE_LOG_ITSELF

    seq = models.BigIntegerField(_("序号"), unique=True)
    type = models.CharField(_("事件"), max_length=64)
    at = models.DateTimeField(_("时间"))
    actor = models.CharField(_("操作者"), max_length=80)
    object = models.CharField(_("对象"), max_length=120, db_index=True)
    body = models.TextField(_("条目"))

    class Meta:
        verbose_name = _("日志条目")
        verbose_name_plural = pgettext_lazy("plural", "日志条目")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type} {self.object}"


class PrivateState(models.Model):
    """What an entry about a private object (enterprise, task, the sample chain) holds beyond its digests.

    The public body carries only `state_digest` and `data_digest`; the state and the event's data (reasons, names,
    file hashes) stay here, for the regulator's history page and for `ledger verify` to name the fields that
    changed. Editing them cannot forge anything: the digests in the signed body are what count.
    """

    ledger_exempt = THE_LOG_ITSELF

    seq = models.BigIntegerField(_("序号"), unique=True)
    state = models.TextField(_("状态（规范 JSON）"))
    data = models.TextField(_("事件数据（规范 JSON）"), blank=True)

    class Meta:
        verbose_name = _("非公开状态")
        verbose_name_plural = pgettext_lazy("plural", "非公开状态")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq}"


class LedgerNode(models.Model):
    """Hash of a complete subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L). Level 0 are the leaves."""

    ledger_exempt = THE_LOG_ITSELF

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="uniq_ledger_node")]

    def __str__(self) -> str:
        return f"L{self.level}#{self.index}"


class Checkpoint(models.Model):
    """A signed checkpoint (C2SP signed note) of the tree at `size`. All are kept."""

    ledger_exempt = THE_LOG_ITSELF

    size = models.BigIntegerField(unique=True)
    root = models.CharField(max_length=64)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查点")
        verbose_name_plural = pgettext_lazy("plural", "检查点")
        ordering = ["size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class WatchState(models.Model):
    """Where the scheduled check (`choujian ledger watch`) has got to: the entries already checked, how far through
    each ledgered kind the rolling re-check of untouched rows is, and what was last reported."""

    ledger_exempt = "校验任务自己的进度书签 / the scheduled check's own bookmark, not a record of the work"

    entries_checked = models.BigIntegerField(_("已校验条目数"), default=0)
    positions = models.JSONField(_("各类对象复核位置"), default=dict)
    last_run_at = models.DateTimeField(_("最近运行"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("最近一次无问题"), null=True, blank=True)
    problems = models.JSONField(_("未解决的问题"), default=list)
    rounds = models.PositiveIntegerField(_("完整轮次"), default=0)

    class Meta:
        verbose_name = _("日志校验进度")
        verbose_name_plural = pgettext_lazy("plural", "日志校验进度")

    def __str__(self) -> str:
        return f"{self.entries_checked} / {self.rounds}"
