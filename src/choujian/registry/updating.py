"""Updating the registry from a spreadsheet: rows that name a registered record change it, the others are new.

A file exported from the registry, edited and uploaded again updates what it names — enterprises by their unified
social credit code, products and projects by the platform's number that the export carries — and registers every
other row. It is checked and written like a plain import: all rows or none, through the ordinary services (which
check permission again and append the ledger entries). A preview runs the same writes and rolls them back, listing
each new row and each changed column (before → after); a confirmation carries the preview's digest, and if the
registry changed in between nothing is written and the new preview is shown instead.

A plain import (not an update) refuses a row whose number names a registered record, so that importing an export
again can no longer register everything a second time.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from choujian.accounts.models import User
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.registry.importing import (
    ImportReport,
    ImportResult,
    Record,
    RowChange,
    Spec,
    import_result,
    service_errors,
)

EMPTY = "（空）"


def match(spec: Spec, actor: User, records: list[Record], report: ImportReport, *, update: bool) -> None:
    """Attach to each record the registered row it names (update mode), or refuse it where it cannot be."""
    if update and not spec.update_key:
        report.add(None, None, f"{spec.title}不能通过导入修改，请在页面上逐条更正")
        return
    if not spec.update_key:
        return
    title = next(c.title for c in spec.columns if c.key == spec.update_key)
    keys = {r.values.get(spec.update_key) for r in records} - {None, ""}
    found = spec.registered(actor, keys) if keys else {}
    first_row: dict[Any, int] = {}
    for record in records:
        key = record.values.get(spec.update_key)
        if key in (None, ""):
            continue
        instance = found.get(key)
        if spec.numbered and key in first_row:
            report.add(record.number, title, f"与第 {first_row[key]} 行是同一条记录")
        first_row.setdefault(key, record.number)
        if instance is not None and update:
            record.existing = instance
        elif instance is not None and spec.numbered:
            report.add(
                record.number,
                title,
                f"该{spec.title}已登记（{instance}）；要修改已登记的记录，请选择“更新已登记的记录”后重新上传",
            )
        elif update and spec.numbered:
            missing = f"未找到该编号的{spec.title}（或不在您的查看范围内）；新登记的行请留空此列"
            report.add(record.number, title, missing)


def _display(instance: models.Model, name: str, value: Any) -> str:
    field = instance._meta.get_field(name)
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    if value is None or value == "":
        return EMPTY
    return str(value)


def changes_of(record: Record) -> dict[str, Any]:
    """The fields whose value in the file differs from the registered row."""
    changes = {}
    for name, value in record.fields.items():
        field = record.existing._meta.get_field(name)
        if field.is_relation:
            same = getattr(record.existing, field.attname) == getattr(value, "pk", value)
        else:
            same = getattr(record.existing, name) == value
        if not same:
            changes[name] = value
    return changes


def _described(spec: Spec, record: Record, changes: dict) -> RowChange:
    columns = spec.field_columns
    shown = tuple(
        (
            str(columns.get(name) or record.existing._meta.get_field(name).verbose_name),
            _display(record.existing, name, getattr(record.existing, name)),
            _display(record.existing, name, value),
        )
        for name, value in changes.items()
    )
    return RowChange(record.number, str(record.existing), shown)


class _Undo(Exception):
    pass


def write(spec: Spec, actor: User, records: list[Record], report: ImportReport, *, preview: bool, expected: str):
    """Create the new rows and update the changed ones, all or none; a preview (or a stale confirmation) rolls back."""
    result = ImportResult(kind=spec.kind, preview=True)
    try:
        with transaction.atomic():
            for record in records:
                try:
                    if record.existing is None:
                        spec.create(actor, record.fields)
                        result.new_rows.append(RowChange(record.number, spec.row_label(record.fields)))
                        continue
                    changes = changes_of(record)
                    if not changes:
                        result.unchanged += 1
                        continue
                    result.changed_rows.append(_described(spec, record, changes))
                    spec.update(actor, record.existing, changes)
                except (ServiceError, NotPermitted, ConflictError) as exc:
                    service_errors(spec, record.number, exc, report)
                    raise _Undo from None
            result.created, result.updated = len(result.new_rows), len(result.changed_rows)
            result.stale = bool(expected) and expected != result.digest
            if preview or result.stale:
                raise _Undo
            result.preview = False
    except _Undo:
        if report.errors:
            return import_result(spec.kind, report)
    return result
