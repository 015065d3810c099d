"""Versions of the implementation rules (实施细则) of a product category: test items, methods, limits, judgment."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.core.models import PublicModel
from choujian.registry.models import ProductCategory
from choujian.rules import schema
from choujian.rules.choices import RuleSetStatus


class RuleSet(PublicModel):
    """One version of a category's implementation rules, holding the checked rule document (see `schema`).

    `content` is the normalised document; `content_sha256` its canonical digest, so a report can cite exactly
    which rules it was judged by. Category, version and effective date repeat fields of the content for queries
    and must agree with it. Only drafts change; an active version is retired, never edited, and a correction is a
    new version. `source_file` names the shipped file a row was loaded from ("" once edited on the platform).
    """

    ledger_kind = "ruleset"
    ledger_fields = (
        "category", "rule_version", "title", "effective_date", "status", "content", "content_sha256", "source_file"
    )  # fmt: skip

    category = models.ForeignKey(
        ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT, related_name="rulesets"
    )
    rule_version = models.CharField(_("细则版本"), max_length=32)
    title = models.CharField(_("细则名称"), max_length=200)
    effective_date = models.DateField(_("实施日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=RuleSetStatus.CHOICES, default=RuleSetStatus.STATUS_DRAFT
    )
    content = models.JSONField(_("细则内容"))
    content_sha256 = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    source_file = models.CharField(_("来源文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("实施细则")
        verbose_name_plural = pgettext_lazy("plural", "实施细则")
        ordering = ["category__code", "-effective_date", "-rule_version"]
        constraints = [models.UniqueConstraint(fields=["category", "rule_version"], name="uniq_ruleset_version")]

    def __str__(self) -> str:
        return f"{self.title} {self.rule_version}"

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.content, dict):
            raise ValidationError({"content": "细则内容应为对象"})
        if self.content_sha256 != schema.content_sha256(self.content):
            errors["content_sha256"] = "内容摘要与细则内容不符"
        if self.category_id and self.content.get("category", {}).get("code") != self.category.code:
            errors["category"] = "产品类别与细则内容中的类别代码不符"
        if self.rule_version != self.content.get("version"):
            errors["rule_version"] = "细则版本与细则内容中的版本不符"
        if self.effective_date and str(self.effective_date) != self.content.get("effective_date"):
            errors["effective_date"] = "实施日期与细则内容中的实施日期不符"
        if errors:
            raise ValidationError(errors)

    @property
    def unverified(self) -> list[tuple[str, str]]:
        """What in these rules is not yet confirmed against the standard's text: (item code or "sampling", note)."""
        return schema.unverified(self.content)

    def ledger_state(self) -> dict:
        # The whole document is recorded: a disputed judgment (异议) can be traced to the exact rules applied.
        return {
            "category": self.category.code,
            "rule_version": self.rule_version,
            "title": self.title,
            "effective_date": str(self.effective_date),
            "status": self.status,
            "content_sha256": self.content_sha256,
            "content": self.content,
            "source_file": self.source_file,
        }
