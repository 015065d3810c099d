"""How a ledgered row's fields appear in its state (ledger-v1 canonical JSON): one rule for every model, so the digest
is the same before and after the row is read back from the database."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models


def ledger_value(instance: models.Model, name: str) -> Any:
    """A field's value as the state records it: related rows by their public code (or public id), decimals at the
    column's scale, dates as ISO text, files by their stored name — the same before and after a reload."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return sorted(_ref(row) for row in getattr(instance, name).all())
    if field.many_to_one or field.one_to_one:
        if getattr(instance, field.attname) is None:
            return None
        return _ref(getattr(instance, name))
    value = getattr(instance, name)
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return str(decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(field, models.FileField):
        return value.name or ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def iso(value) -> str | None:
    """A date or time as the state records it: ISO text, aware times in UTC (as the database gives them back)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    return value.isoformat()


def ledger_values(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: ledger_value(instance, name) for name in names}


def _ref(row: models.Model) -> str:
    for name in ("code", "lab_code"):
        value = getattr(row, name, None)
        if isinstance(value, str) and value:
            return value
    public_id = getattr(row, "public_id", None)
    return str(public_id) if public_id is not None else str(row.pk)


IDEMPOTENCY_KEY = (
    "提交方生成的幂等键，仅防止重复提交 / the client's idempotency key, only to refuse a second copy of a submission"
)
THE_LOG_ITSELF = (
    "日志本身，由重算哈希树与签名检查点核验 / the log itself, checked by recomputing its tree and checkpoints"
)
