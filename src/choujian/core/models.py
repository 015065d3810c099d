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
