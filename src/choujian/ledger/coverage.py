"""What a ledgered row's state digest covers, declared per model, so that `ledger verify` sees every edit that matters.

Each ledgered model (one with `ledger_kind`) and each row embedded in another's state (`ledger_embedded_in`, e.g. a
signature inside its sampling form's state) declares:

- `ledger_fields`: the model fields its state covers; an edit of any of them behind the platform's back changes the
  digest, and `ledger verify` names the object;
- `ledger_unledgered`: every other field, each with the reason it is left out.

Bookkeeping columns every record has (`id`, `public_id`, timestamps, edit version) are left out for all with one
reason. A test walks every model and fails when a field is in neither list, and edits each covered field in the
database to prove that verify names it.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

BOOKKEEPING = {
    "id": "数据库内部主键，不对外 / the database's internal key, never shown or referred to outside",
    "public_id": "对象引用本身（日志条目按它归档）/ the object's reference itself: entries are filed under it",
    "created_at": "创建时间即首条日志的时间 / the time of the first ledger entry",
    "updated_at": "每次保存自动更新，日志条目自带时间 / set on every save; each entry carries its own time",
    "version": "并发编辑校验号，不是记录内容 / the optimistic-lock counter, not content",
}


def covered_models() -> list[type[models.Model]]:
    """Models whose rows are ledgered or embedded in a ledgered row's state."""
    return [m for m in apps.get_models() if getattr(m, "ledger_kind", None) or getattr(m, "ledger_embedded_in", None)]


def model_fields(model: type[models.Model]) -> list[str]:
    """The model's own columns and many-to-many fields (reverse relations belong to the other side)."""
    return [f.name for f in model._meta.get_fields() if (f.concrete or f.many_to_many) and not f.auto_created]


def undeclared(model: type[models.Model]) -> list[str]:
    """Fields neither covered nor left out with a reason; and names declared that are not fields."""
    covered = set(getattr(model, "ledger_fields", ()))
    left_out = dict(getattr(model, "ledger_unledgered", {}))
    fields = set(model_fields(model))
    implicit = fields & set(BOOKKEEPING)
    problems = [
        f"{name}: 未声明 / neither covered nor left out" for name in sorted(fields - covered - set(left_out) - implicit)
    ]
    problems += [f"{name}: 不是字段 / not a field" for name in sorted((covered | set(left_out)) - fields)]
    problems += [f"{name}: 既覆盖又排除 / both covered and left out" for name in sorted(covered & set(left_out))]
    problems += [
        f"{name}: 排除理由为空 / left out without a reason"
        for name, reason in left_out.items()
        if not str(reason).strip()
    ]
    problems += [f"{name}: 系统字段 / bookkeeping column declared again" for name in sorted(implicit & covered)]
    return problems
