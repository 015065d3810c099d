"""Base models shared by every app, and the sequence behind readable public codes."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicModel(models.Model):
    """A record with a public UUID (never the autoincrement id), timestamps and an edit version for 409 checks."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


class Archivable(models.Model):
    """A record others rely on is never deleted: it is archived (with a reason, reversible by an administrator),
    disappears from pickers and new frames, and stays wherever history shows it."""

    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archive_reason = models.CharField(_("归档原因"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def archive_state(self) -> dict:
        """Added to the ledger state only once archived, so that the state of rows never archived is unchanged."""
        if self.archived_at is None and not self.archive_reason:
            return {}
        archived_at = self.archived_at.isoformat() if self.archived_at is not None else None
        return {"archived_at": archived_at, "archive_reason": self.archive_reason}


class CodeSequence(models.Model):
    """Last number issued for a code prefix and year, e.g. CJ-2026 → 123 gives CJ-2026-000123."""

    ledger_exempt = "编号计数器；编号本身记入各记录的状态 / a counter; the codes it issues are in each record's state"

    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="uniq_code_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class JobRun(models.Model):
    """The last run of each background or scheduled job, for the administrators' list (task, last run, next run,
    last error). Written by the worker's signal handlers, one row per job name."""

    ledger_exempt = "后台任务运行记录，不是业务记录 / the worker's bookkeeping; holds no fact of the work itself"

    name = models.CharField(_("任务"), max_length=100, unique=True)
    last_started = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_ok = models.BooleanField(_("最近一次成功"), null=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_error_at = models.DateTimeField(_("最近出错时间"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    retrying = models.BooleanField(_("等待重试"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return self.name
