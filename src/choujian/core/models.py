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


class CodeSequence(models.Model):
    """Last number issued for a code prefix and year, e.g. CJ-2026 → 123 gives CJ-2026-000123."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="uniq_code_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
