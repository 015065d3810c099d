"""Importing tables, the part every importer shares (invariant 6: all or nothing).

A spec lists the columns of one kind of record and how to read each cell; `parse_rows` checks every row and collects
each problem with the row and column the user sees (the header is row 1, so the first record is row 2); the
importer of each context then writes the rows through its ordinary services, in one transaction, or none of them.
Used by the registry (enterprises, products, projects, deliveries) and by planning (plan lines).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from choujian.accounts.models import User
from choujian.core import tabular
from choujian.core.choices import ChoiceSet
from choujian.core.divisions import DivisionError, get_division
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.uscc import USCCError, validate_uscc

MAX_LISTED_ERRORS = 50
_CHUNK = 500  # keeps IN (…) lists well inside every database's parameter limit
OMIT = object()  # a blank optional cell whose model default should apply
# Columns people habitually add to any sheet; they carry nothing to store, so they are skipped in every registry.
SKIPPED_TITLES = frozenset({"序号", "行号"})


class CellError(ValueError):
    """A cell whose content cannot be understood; the message is shown to the user."""


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return f"第 {self.row} 行，“{self.column}”列：{self.message}"
        if self.row is not None:
            return f"第 {self.row} 行：{self.message}"
        if self.column:
            return f"“{self.column}”列：{self.message}"
        return self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class RowChange:
    """One row of an update: the registered record it names and each changed column (title, before, after)."""

    row: int
    label: str
    changes: tuple[tuple[str, str, str], ...] = ()

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "label": self.label,
            "changes": [{"column": c, "before": b, "after": a} for c, b, a in self.changes],
        }


@dataclass
class ImportResult:
    """What an import did: ``created`` rows, or the errors (first :data:`MAX_LISTED_ERRORS`) and nothing written.

    An update (see `updating`) also counts ``updated`` and ``unchanged`` rows and lists each new and changed row; a
    preview (``preview`` true) says what confirming would do and has written nothing.
    """

    kind: str
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    omitted: int = 0
    updated: int = 0
    unchanged: int = 0
    new_rows: list[RowChange] = field(default_factory=list)
    changed_rows: list[RowChange] = field(default_factory=list)
    preview: bool = False
    stale: bool = False  # a confirmation whose preview no longer matched the registry: this is the new preview

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_errors(self) -> int:
        return len(self.errors) + self.omitted

    # What the failure message says was not imported ("未导入任何数据").
    nothing: ClassVar[str] = "数据"

    def success(self) -> str:
        title = TITLES.get(self.kind, "")
        if not (self.updated or self.unchanged or self.changed_rows):
            return f"已导入 {self.created} 条{title}记录"
        verb = "将" if self.preview else "已"
        return f"{verb}新登记 {self.created} 条{title}记录、更新 {self.updated} 条，{self.unchanged} 条与已登记的相同"

    @property
    def digest(self) -> str:
        """Names what a preview showed, so that a confirmation writes exactly that or nothing."""
        shown = [self.created, self.updated, self.unchanged]
        shown += [r.as_dict() for r in self.new_rows + self.changed_rows]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    @property
    def detail(self) -> str:
        if self.ok:
            return self.success()
        lines = [f"导入失败：发现 {self.total_errors} 处错误，未导入任何{self.nothing}。请修改后重新上传整个文件。"]
        lines += [str(error) for error in self.errors]
        if self.omitted:
            lines.append(f"…另有 {self.omitted} 处错误")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        if self.ok and not (self.updated or self.unchanged or self.preview):
            return {"created": self.created}
        if self.ok:
            return {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "preview": self.preview,
                "digest": self.digest,
                "new_rows": [r.as_dict() for r in self.new_rows],
                "changed_rows": [r.as_dict() for r in self.changed_rows],
            }
        return {"errors": [e.as_dict() for e in self.errors], "omitted": self.omitted, "detail": self.detail}


# ------------------------------------------------------------------------------------------------- cell parsers


def parse_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value.replace(microsecond=0)
    if isinstance(value, dt.date | dt.datetime):
        value = value.isoformat()
    return tabular.unneutralise(str(value).strip())


def parse_uscc(value: Any) -> str:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise CellError("被 Excel 存成了数字，末几位可能已丢失：请把这一列设为“文本”格式后重新录入")
    try:
        return validate_uscc(parse_text(value))
    except USCCError as exc:
        raise CellError(exc.message) from None


def parse_region(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = f"{int(value):06d}"
    code = parse_text(value)
    try:
        return get_division(code).code
    except DivisionError as exc:
        raise CellError(exc.message) from None


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"应为数字，实际为“{value}”")
    if isinstance(value, float):
        value = repr(value)
    text = parse_text(value).replace(",", "").replace("，", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"应为数字，实际为“{text}”") from None
    if not number.is_finite():
        raise CellError(f"应为数字，实际为“{text}”")
    return number


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        # A date cell that lost its date format arrives as Excel's day count since 1899-12-30.
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = parse_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"应为日期（如 2026-03-01），实际为“{text}”")


def parse_uuid(value: Any) -> uuid.UUID:
    text = parse_text(value)
    try:
        return uuid.UUID(text)
    except ValueError:
        raise CellError(f"应为公开编号（形如 3f2b…-…的 36 位编号），实际为“{text}”") from None


def as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if len(text) in (32, 36) else None
    except ValueError:
        return None


def choice(choices: type[ChoiceSet]) -> Callable[[Any], str]:
    """A parser accepting a choice's Chinese label (as exported) or its stored value."""

    lookup = {label: value for value, label in choices.record_choices()} | {value: value for value in choices.values()}

    def parse(value: Any) -> str:
        text = parse_text(value)
        if text in lookup:
            return lookup[text]
        raise CellError(f"应为 {'、'.join(label for _, label in choices.record_choices())} 之一，实际为“{text}”")

    return parse


# ------------------------------------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its Chinese title, the key it fills, and how a cell is read.

    ``blank`` is the value of an empty optional cell (``OMIT``: leave the model default). ``ignored`` columns are
    written by exports for the reader's benefit (names next to codes, public ids) and skipped on import.
    """

    title: str
    key: str
    required: bool = False
    parser: Callable[[Any], Any] = parse_text
    aliases: tuple[str, ...] = ()
    help: str = ""  # may be a lazy translation: shown on the import page in the reader's language
    blank: Any = ""
    ignored: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.title, self.key, *self.aliases)


@dataclass
class Record:
    number: int
    values: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    existing: models.Model | None = None  # the registered row this one updates (update mode only)


class ImportReport:
    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.failed: set[int] = set()

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))
        if row is not None:
            self.failed.add(row)

    def ok(self, record: Record) -> bool:
        return record.number not in self.failed


# kind → what its records are called ("企业", "进场批次", …), filled in by each Spec subclass.
TITLES: dict[str, str] = {}


class Spec:
    """How one kind of record is imported. Subclasses resolve references in bulk and build the service arguments."""

    kind = ""
    title = ""
    model: type[models.Model] = models.Model
    columns: tuple[Column, ...] = ()
    # Model fields whose column has another key (the key is usually the model field name).
    other_field_columns: dict[str, str] = {}
    permission_column = ""
    # Groups of columns of which at least one must be present in the header.
    one_of: tuple[tuple[str, ...], ...] = ()
    # The column whose value finds a registered row when a file updates the registry ("" = never updated).
    update_key = ""
    # The key is the platform's number (not a natural key): in a plain import a registered number is a duplicate,
    # in an update an unknown one is an error.
    numbered = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:
            TITLES[cls.kind] = cls.title

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        raise NotImplementedError

    def create(self, actor: User, fields: dict) -> models.Model:
        raise NotImplementedError

    def registered(self, actor: User, keys: set) -> dict[Any, models.Model]:
        """Update mode: key value → the registered row the actor may see (see `update_key`)."""
        raise NotImplementedError

    def update(self, actor: User, instance: models.Model, changes: dict) -> models.Model:
        raise NotImplementedError

    def row_label(self, fields: dict) -> str:
        """How the preview names a row."""
        return str(fields.get("name") or "")

    @property
    def field_columns(self) -> dict[str, str]:
        """Model field → column title, to place model and service errors (unknown fields name the row only)."""
        return {c.key: c.title for c in self.columns if not c.ignored} | self.other_field_columns

    def validate_instance(self, record: Record, report: ImportReport, exclude: Sequence[str] = ()) -> None:
        """Single-row model validation before anything is written (references were resolved already)."""
        if record.existing is not None:
            instance = copy.copy(record.existing)
            for name, value in record.fields.items():
                setattr(instance, name, value)
        else:
            instance = self.model(**record.fields)
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = self.field_columns.get(name) if name != NON_FIELD_ERRORS else None
                for message in messages:
                    report.add(record.number, column, message)

    def help_rows(self) -> list[tuple[str, str, str]]:
        return [(c.title, "必填" if c.required else "", str(c.help)) for c in self.columns if not c.ignored]

    def import_titles(self) -> list[str]:
        return [c.title for c in self.columns if not c.ignored]

    def names(self) -> dict[str, Column]:
        """Every accepted spelling of a column title (see :func:`tabular.header_key`) → its column."""
        names: dict[str, Column] = {}
        for column in self.columns:
            for name in column.names():
                names.setdefault(tabular.header_key(name), column)
        return names

    def looks_like_header(self, values: Sequence[Any]) -> bool:
        """A row naming at least one of our columns is the header; title lines above it are skipped."""
        names = self.names()
        return any(isinstance(v, str) and tabular.header_key(v) in names for v in values)


def _chunks(values: Iterable, size: int = _CHUNK) -> Iterable[list]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_in(queryset: models.QuerySet, lookup: str, values: Iterable) -> list:
    rows: list = []
    for chunk in _chunks(set(values)):
        rows.extend(queryset.filter(**{f"{lookup}__in": chunk}))
    return rows


def group_by(rows: Iterable, key: Callable[[Any], Any]) -> dict[Any, list]:
    grouped: dict[Any, list] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def region_label(code: str) -> str:
    try:
        return f"{code} {get_division(code).full_name}"
    except DivisionError:
        return code


def choices_help(choices: type[ChoiceSet], default: str):
    """The accepted cell values are the Chinese labels (as exported), whatever language the help is read in."""
    labels = [label for _, label in choices.record_choices()]
    return format_lazy(
        gettext_lazy("{choices}；留空为“{default}”"), choices="、".join(labels), default=choices.label(default)
    )


def map_header(spec: Spec, header: Sequence[Any], rows: Sequence[Sequence[Any]], row: int, report: ImportReport):
    names = spec.names()
    mapping: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for index, title in enumerate(header):
        text = str(title or "").strip()
        if not text:
            if any(index < len(r) and not _blank(r[index]) for r in rows):
                report.add(row, f"第 {tabular.column_letter(index)} 列", "这一列有数据但没有列名（表头）")
            continue
        column = names.get(tabular.header_key(text))
        if column is None and tabular.header_key(text) in SKIPPED_TITLES:
            continue
        if column is None:
            usable = "、".join(spec.import_titles())
            report.add(row, text, f"无法识别的列名。可用的列：{usable}")
            continue
        if column.title in seen:
            earlier = tabular.column_letter(seen[column.title])
            report.add(row, text, f"与第 {earlier} 列重复（都表示“{column.title}”）")
            continue
        seen[column.title] = index
        if not column.ignored:
            mapping[index] = column
    for column in spec.columns:
        if column.required and column.title not in seen:
            report.add(row, column.title, "缺少必填列")
    for group in spec.one_of:
        if not any(title in seen for title in group):
            report.add(row, group[0], f"缺少列：“{'”或“'.join(group)}”至少要有一列")
    return mapping


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_rows(
    mapping: dict[int, Column], rows: Sequence[Sequence[Any]], numbers: Sequence[int], report: ImportReport
) -> list[Record]:
    records = []
    for number, values in zip(numbers, rows, strict=True):
        parsed: dict[str, Any] = {}
        for index, column in mapping.items():
            raw = values[index] if index < len(values) else None
            if _blank(raw):
                if column.required:
                    report.add(number, column.title, "必填，不能为空")
                elif column.blank is not OMIT:
                    parsed[column.key] = column.blank
                continue
            try:
                parsed[column.key] = column.parser(raw)
            except CellError as exc:
                report.add(number, column.title, str(exc))
        records.append(Record(number, parsed))
    return records


def service_errors(spec: Spec, number: int, exc: Exception, report: ImportReport) -> None:
    if isinstance(exc, ServiceError):
        for name, messages in exc.errors.items():
            column = spec.field_columns.get(name) if name not in ("non_field_errors", NON_FIELD_ERRORS) else None
            for message in messages:
                report.add(number, column, str(message))
    else:
        report.add(number, spec.permission_column or None, str(exc) or "您无权执行此操作")


class _Rollback(Exception):
    pass


def create_all(spec: Spec, actor, records: list, report: ImportReport) -> int | None:
    """Create every record through the spec's service, all or nothing: the first refusal is reported against its row
    and undoes the rows already created (returns None); otherwise returns how many were created."""
    created = 0
    try:
        with transaction.atomic():
            for record in records:
                try:
                    spec.create(actor, record.fields)
                except (ServiceError, NotPermitted) as exc:
                    service_errors(spec, record.number, exc, report)
                    raise _Rollback from None
                created += 1
    except _Rollback:
        return None
    return created


def import_result(kind: str, report: ImportReport, created: int = 0) -> ImportResult:
    if not report.errors:
        return ImportResult(kind=kind, created=created)
    ordered = sorted(report.errors, key=lambda e: e.row if e.row is not None else 0)
    return ImportResult(kind=kind, errors=ordered[:MAX_LISTED_ERRORS], omitted=max(0, len(ordered) - MAX_LISTED_ERRORS))


def read_upload_for(spec: Spec, upload: Any) -> tuple[tabular.Table | None, list[RowError]]:
    """The uploaded table, or the problem with the file itself as a row error (for every importer)."""
    try:
        return tabular.read_upload(upload, spec.looks_like_header), []
    except tabular.TabularError as exc:
        return None, [RowError(exc.row, exc.column, exc.message)]


def table_arguments(table: tabular.Table) -> dict:
    return {
        "header": table.header,
        "rows": table.rows,
        "row_numbers": table.row_numbers,
        "header_row": table.header_row,
    }
