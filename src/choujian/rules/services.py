"""Every write to rule sets: loading the shipped files, drafting and editing a version, activating, retiring.

Rules are national: only a regulator admin of a national or provincial regulator (or a superuser) writes them.
Every write is checked with `schema`, and appends its ledger entry in the same transaction.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from choujian.accounts.models import User
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.recording import record_create, record_update
from choujian.registry.models import ProductCategory
from choujian.rules import policy, schema
from choujian.rules.choices import RuleSetStatus
from choujian.rules.models import RuleSet


class ContentError(ServiceError):
    """A rule document the schema refuses. `errors` is as for any ServiceError (one Chinese line per problem, under
    "content"); `problems` keeps the item and field of each, so that a form can show each one beside its field."""

    def __init__(self, problems: list[schema.Problem]):
        super().__init__({"content": [str(p) for p in problems]})
        self.problems = problems


def _require_editor(actor: User | None) -> None:
    if not policy.can_edit_rules(actor):
        raise NotPermitted("只有国家级或省级监管部门的管理员可以修改实施细则")


def _checked(content: Any, *, source: str = "") -> dict:
    try:
        return schema.validate(content, source=source)
    except schema.SchemaError as exc:
        raise ContentError(exc.problems) from None


def _fields(content: dict) -> dict:
    return {
        "rule_version": content["version"],
        "title": content["title"],
        "effective_date": content["effective_date"],
        "content": content,
        "content_sha256": schema.content_sha256(content),
    }


def _category(content: dict, *, create: bool) -> ProductCategory:
    code, name = content["category"]["code"], content["category"]["name"]
    category = ProductCategory.objects.filter(code=code).first()
    if category is None:
        if not create:
            raise ServiceError({"content": [f"产品类别“{code}”不存在，请先在产品类别中登记"]})
        # The category list is a national vocabulary without ledger entries; a shipped rule file may introduce one.
        category = ProductCategory.objects.create(
            code=code, name=name, standard="；".join(content["product_standards"])[:200]
        )
    return category


def ruleset_create(*, actor: User, content: Any, source_file: str = "") -> RuleSet:
    """Draft a new rule version from a rule document (as read from YAML or JSON)."""
    _require_editor(actor)
    checked = _checked(content, source=source_file)
    category = _category(checked, create=False)
    if RuleSet.objects.filter(category=category, rule_version=checked["version"]).exists():
        raise ServiceError({"content": [f"{category.code} 已有版本 {checked['version']}，请使用新的版本号"]})
    ruleset = RuleSet(category=category, source_file=source_file, **_fields(checked))
    return record_create(ruleset, actor=actor, event="ruleset.created")


def ruleset_update(*, actor: User, ruleset: RuleSet, content: Any = None, version: int | None = None) -> RuleSet:
    """Replace the document of a draft. Its category and version are its identity: a new version is a new draft."""
    _require_editor(actor)
    if content is None:
        raise ServiceError({"content": ["请提供修改后的完整细则内容"]})
    if ruleset.status not in RuleSetStatus.EDITABLE:
        raise ServiceError({"status": [f"细则处于“{RuleSetStatus.label(ruleset.status)}”状态，不能修改，请另建新版本"]})
    checked = _checked(content)
    if checked["category"]["code"] != ruleset.category.code or checked["version"] != ruleset.rule_version:
        raise ServiceError({"content": ["不能修改细则的产品类别或版本号，请另建新版本"]})
    changes = {k: v for k, v in _fields(checked).items() if str(getattr(ruleset, k)) != str(v)}
    if changes:
        changes["source_file"] = ""  # no longer the shipped file's text
    return record_update(ruleset, actor=actor, event="ruleset.updated", changes=changes, version=version)


def _transition(actor, ruleset: RuleSet, version: int | None, allowed_from: str, to: str, event: str) -> RuleSet:
    _require_editor(actor)
    if ruleset.status != allowed_from:
        raise ServiceError(
            {"status": [f"只有“{RuleSetStatus.label(allowed_from)}”的细则可以改为“{RuleSetStatus.label(to)}”"]}
        )
    return record_update(ruleset, actor=actor, event=event, changes={"status": to}, version=version)


def ruleset_activate(*, actor: User, ruleset: RuleSet, version: int | None = None) -> RuleSet:
    """Put a reviewed draft in force from its effective date. Unverified limits stay flagged in every judgment."""
    return _transition(
        actor, ruleset, version, RuleSetStatus.STATUS_DRAFT, RuleSetStatus.STATUS_ACTIVE, "ruleset.activated"
    )


def ruleset_retire(*, actor: User, ruleset: RuleSet, version: int | None = None) -> RuleSet:
    return _transition(
        actor, ruleset, version, RuleSetStatus.STATUS_ACTIVE, RuleSetStatus.STATUS_RETIRED, "ruleset.retired"
    )


@dataclass
class LoadReport:
    """What loading the shipped files did, per file: created, refreshed, unchanged, or kept (with the reason)."""

    created: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.refreshed)


@transaction.atomic
def ruleset_load_files(*, actor: User | None = None, directory: Path | None = None) -> LoadReport:
    """Load the shipped rule files as drafts, all or nothing; running it again changes nothing.

    A new (category, version) is created as a draft (missing categories are added to the vocabulary). A draft
    still holding the text of the same file is refreshed when the file changed. A row that was activated,
    retired or edited on the platform is kept as it is, and the report says why: a released version never
    changes under a report that cites it. `actor` None is the platform itself (the `rules load` command).
    """
    if actor is not None:
        _require_editor(actor)
    try:
        files = schema.load_directory(directory or schema.DATA_DIR)
    except schema.SchemaError as exc:
        raise ServiceError(schema.describe(exc.problems)) from None
    report = LoadReport()
    for name, content in files:
        category = _category(content, create=True)
        existing = RuleSet.objects.filter(category=category, rule_version=content["version"]).first()
        fields = _fields(content)
        if existing is None:
            ruleset = RuleSet(category=category, source_file=name, **fields)
            record_create(ruleset, actor=actor, event="ruleset.loaded")
            report.created.append(name)
        elif existing.content_sha256 == fields["content_sha256"]:
            report.unchanged.append(name)
        elif existing.status != RuleSetStatus.STATUS_DRAFT:
            report.kept[name] = (
                f"版本 {existing.rule_version} 处于“{RuleSetStatus.label(existing.status)}”状态，文件内容不同但不覆盖"
                "（修改已发布的细则请提高版本号）"
            )
        elif existing.source_file != name:
            report.kept[name] = f"版本 {existing.rule_version} 已在平台上修改（或来自其他文件），文件内容不同但不覆盖"
        else:
            record_update(existing, actor=actor, event="ruleset.refreshed", changes=fields, version=None)
            report.refreshed.append(name)
    return report
