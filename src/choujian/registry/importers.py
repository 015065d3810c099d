"""Bulk import of enterprises, products, projects and deliveries from spreadsheets (invariant 6: all or nothing).

Every row is checked first — cell formats, references, duplicates, the user's right to register it, model
validation — and every problem is collected with the row and column the user sees in the spreadsheet (the header
is row 1, so the first record is row 2). Only a file without a single error is written, inside one transaction,
through the ordinary create services (which check permission again and append the ledger entries). If a service
still refuses a row, the whole import rolls back and the error names that row.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.models import Organisation, User
from choujian.core.choices import ChoiceSet
from choujian.core.divisions import DivisionError, get_division
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.uscc import USCCError, validate_uscc
from choujian.registry import policy, selectors, services, tabular
from choujian.registry.choices import EnterpriseStatus, ProductStatus
from choujian.registry.models import Delivery, Enterprise, Product, ProductCategory, Project, Section

__all__ = [
    "KINDS",
    "MAX_LISTED_ERRORS",
    "Column",
    "ImportResult",
    "RowError",
    "import_rows",
    "import_upload",
    "spec_for",
]

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


@dataclass
class ImportResult:
    """What an import did: ``created`` rows, or the errors (first :data:`MAX_LISTED_ERRORS`) and nothing written."""

    kind: str
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    omitted: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_errors(self) -> int:
        return len(self.errors) + self.omitted

    @property
    def detail(self) -> str:
        if self.ok:
            return f"已导入 {self.created} 条{SPECS[self.kind].title}记录"
        lines = [f"导入失败：发现 {self.total_errors} 处错误，未导入任何数据。请修改后重新上传整个文件。"]
        lines += [str(error) for error in self.errors]
        if self.omitted:
            lines.append(f"…另有 {self.omitted} 处错误")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        if self.ok:
            return {"created": self.created}
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


def _as_uuid(text: str) -> uuid.UUID | None:
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


class Spec:
    """How one registry is imported. Subclasses resolve references in bulk and build the service arguments."""

    kind = ""
    title = ""
    model: type[models.Model] = models.Model
    columns: tuple[Column, ...] = ()
    # Model fields whose column has another key (the key is usually the model field name).
    other_field_columns: dict[str, str] = {}
    permission_column = ""
    # Groups of columns of which at least one must be present in the header.
    one_of: tuple[tuple[str, ...], ...] = ()

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        raise NotImplementedError

    def create(self, actor: User, fields: dict) -> models.Model:
        raise NotImplementedError

    @property
    def field_columns(self) -> dict[str, str]:
        """Model field → column title, to place model and service errors (unknown fields name the row only)."""
        return {c.key: c.title for c in self.columns if not c.ignored} | self.other_field_columns

    def validate_instance(self, record: Record, report: ImportReport, exclude: Sequence[str] = ()) -> None:
        """Single-row model validation before anything is written (references were resolved already)."""
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


def _fetch(queryset: models.QuerySet, lookup: str, values: Iterable) -> list:
    rows: list = []
    for chunk in _chunks(set(values)):
        rows.extend(queryset.filter(**{f"{lookup}__in": chunk}))
    return rows


def _group(rows: Iterable, key: Callable[[Any], Any]) -> dict[Any, list]:
    grouped: dict[Any, list] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def _region_label(code: str) -> str:
    try:
        return f"{code} {get_division(code).full_name}"
    except DivisionError:
        return code


def _choices_help(choices: type[ChoiceSet], default: str):
    """The accepted cell values are the Chinese labels (as exported), whatever language the help is read in."""
    labels = [label for _, label in choices.record_choices()]
    return format_lazy(
        gettext_lazy("{choices}；留空为“{default}”"), choices="、".join(labels), default=choices.label(default)
    )


USCC_HELP = gettext_lazy("18 位，GB 32100；请把这一列设为“文本”格式，以免 Excel 把它变成数字")


class EnterpriseSpec(Spec):
    kind = "enterprise"
    title = "生产企业"
    model = Enterprise
    columns = (
        Column("统一社会信用代码", "uscc", True, parse_uscc, ("社会信用代码", "信用代码"), USCC_HELP),
        Column("企业名称", "name", True, aliases=("名称", "生产企业名称"), help=gettext_lazy("营业执照上的名称")),
        Column(
            "行政区划代码",
            "region",
            True,
            parse_region,
            ("行政区划", "区划代码"),
            gettext_lazy("6 位 GB/T 2260 代码，如 350100；须在您的辖区内"),
        ),
        Column("地址", "address", aliases=("企业地址", "住所")),
        Column("生产许可证编号", "licence_no", aliases=("生产许可证号", "许可证编号", "license_no")),
        Column(
            "状态",
            "status",
            parser=choice(EnterpriseStatus),
            help=_choices_help(EnterpriseStatus, EnterpriseStatus.STATUS_ACTIVE),
            blank=OMIT,
        ),
    )
    permission_column = "行政区划代码"

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        first_row: dict[str, int] = {}
        for record in records:
            uscc = record.values["uscc"]
            if uscc in first_row:
                report.add(record.number, "统一社会信用代码", f"与第 {first_row[uscc]} 行的统一社会信用代码重复")
            else:
                first_row[uscc] = record.number
        existing = {e.uscc for e in _fetch(Enterprise.objects.only("uscc"), "uscc", first_row)}
        for record in records:
            values = record.values
            if values["uscc"] in existing:
                report.add(record.number, "统一社会信用代码", "该统一社会信用代码已登记，不能重复导入")
            record.fields = dict(values)
            if not policy.can_edit_enterprise(actor, Enterprise(region=values["region"])):
                region = _region_label(values["region"])
                report.add(record.number, "行政区划代码", f"您只能登记本辖区的企业（本行为 {region}）")
            if report.ok(record):
                self.validate_instance(record, report)

    def create(self, actor: User, fields: dict) -> models.Model:
        return services.enterprise_create(actor=actor, **fields)


class ProductSpec(Spec):
    kind = "product"
    title = "产品"
    model = Product
    columns = (
        Column(
            "生产企业统一社会信用代码",
            "enterprise_uscc",
            True,
            parse_uscc,
            ("统一社会信用代码", "企业统一社会信用代码", "enterprise"),
            gettext_lazy("须是已登记、您可查看的企业"),
        ),
        Column("生产企业名称", "enterprise_name", aliases=("企业名称",), ignored=True),
        Column(
            "产品类别代码",
            "category",
            True,
            aliases=("类别代码", "产品类别"),
            help=gettext_lazy("产品类别的代码（或名称）"),
        ),
        Column("产品名称", "name", True),
        Column("商标/品牌", "brand", aliases=("品牌", "商标")),
        Column("规格型号", "model_spec", aliases=("型号规格", "规格", "型号")),
        Column("执行标准", "standard", aliases=("产品标准",)),
        Column(
            "状态",
            "status",
            parser=choice(ProductStatus),
            help=_choices_help(ProductStatus, ProductStatus.STATUS_ACTIVE),
            blank=OMIT,
        ),
        Column("产品编号", "public_id", ignored=True),
    )
    other_field_columns = {"enterprise": "生产企业统一社会信用代码"}
    permission_column = "生产企业统一社会信用代码"

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        usccs = {r.values["enterprise_uscc"] for r in records}
        enterprises = {e.uscc: e for e in _fetch(selectors.enterprises_visible_to(actor), "uscc", usccs)}
        wanted = {r.values["category"] for r in records}
        by_code = {c.code: c for c in _fetch(ProductCategory.objects.all(), "code", wanted)}
        by_name = _group(_fetch(ProductCategory.objects.all(), "name", wanted - set(by_code)), lambda c: c.name)
        for record in records:
            values = record.values
            enterprise = enterprises.get(values["enterprise_uscc"])
            if enterprise is None:
                report.add(
                    record.number,
                    "生产企业统一社会信用代码",
                    "未找到该统一社会信用代码的企业（或不在您的查看范围内）：请先登记或导入企业",
                )
            elif not policy.can_edit_product(actor, Product(enterprise=enterprise)):
                report.add(
                    record.number, "生产企业统一社会信用代码", f"您无权为“{enterprise.name}”登记产品（不在您的辖区）"
                )
            category = by_code.get(values["category"])
            if category is None:
                named = by_name.get(values["category"], [])
                if len(named) == 1:
                    category = named[0]
                elif named:
                    report.add(record.number, "产品类别代码", f"有 {len(named)} 个同名的产品类别，请填写类别代码")
                else:
                    report.add(record.number, "产品类别代码", f"产品类别“{values['category']}”不存在")
            if not report.ok(record):
                continue
            fields = {k: v for k, v in values.items() if k not in {"enterprise_uscc", "enterprise_name", "public_id"}}
            record.fields = fields | {"enterprise": enterprise, "category": category}
            self.validate_instance(record, report, exclude=["enterprise", "category"])

    def create(self, actor: User, fields: dict) -> models.Model:
        return services.product_create(actor=actor, **fields)


class ProjectSpec(Spec):
    kind = "project"
    title = "建设项目"
    model = Project
    columns = (
        Column("项目名称", "name", True),
        Column(
            "建设单位", "owner", aliases=("建设单位名称", "业主单位"), help=gettext_lazy("建设单位的名称或公开编号")
        ),
        Column(
            "建设单位编号",
            "owner_id",
            parser=parse_uuid,
            help=gettext_lazy("可选：建设单位的公开编号，同名时必填"),
            blank=None,
        ),
        Column(
            "行政区划代码", "region", True, parse_region, ("行政区划", "区划代码"), gettext_lazy("6 位 GB/T 2260 代码")
        ),
        Column("纬度", "latitude", parser=parse_decimal, aliases=("lat",), blank=None),
        Column("经度", "longitude", parser=parse_decimal, aliases=("lng", "lon"), blank=None),
        Column("项目编号", "public_id", ignored=True),
    )
    permission_column = "行政区划代码"
    one_of = (("建设单位", "建设单位编号"),)

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        owners = Organisation.objects.filter(kind=OrganisationKind.KIND_OWNER, active=True)
        ids, names = set(), set()
        for record in records:
            text = record.values.get("owner") or ""
            ids |= {u for u in (record.values.get("owner_id"), _as_uuid(text)) if u is not None}
            if text and _as_uuid(text) is None:
                names.add(text)
        by_id = {o.public_id: o for o in _fetch(owners, "public_id", ids)}
        by_name = _group(_fetch(owners, "name", names), lambda o: o.name)
        for record in records:
            owner = self._owner(record, by_id, by_name, report)
            values = record.values
            if owner is not None and not policy.can_edit_project(actor, Project(owner=owner, region=values["region"])):
                region = _region_label(values["region"])
                report.add(record.number, "行政区划代码", f"您无权在该辖区登记项目（本行为 {region}）")
            if not report.ok(record):
                continue
            fields = {k: v for k, v in values.items() if k not in {"owner", "owner_id", "public_id"}}
            record.fields = fields | {"owner": owner}
            self.validate_instance(record, report, exclude=["owner"])

    def _owner(self, record: Record, by_id: dict, by_name: dict, report: ImportReport) -> Organisation | None:
        text = record.values.get("owner") or ""
        given_id = record.values.get("owner_id") or _as_uuid(text)
        if given_id is not None:
            owner = by_id.get(given_id)
            if owner is None:
                column = "建设单位编号" if record.values.get("owner_id") else "建设单位"
                report.add(record.number, column, "未找到该编号的建设单位（须为“建设单位”类型且有效的机构）")
            elif text and _as_uuid(text) is None and text != owner.name:
                report.add(record.number, "建设单位", f"与建设单位编号不一致：该编号对应“{owner.name}”")
            return owner
        if not text:
            report.add(record.number, "建设单位", "必填，不能为空（填写建设单位名称或公开编号）")
            return None
        found = by_name.get(text, [])
        if len(found) == 1:
            return found[0]
        if found:
            report.add(record.number, "建设单位", f"有 {len(found)} 个名为“{text}”的建设单位，请填写建设单位编号")
        else:
            report.add(record.number, "建设单位", f"未找到名为“{text}”的建设单位（须为“建设单位”类型且有效的机构）")
        return None

    def create(self, actor: User, fields: dict) -> models.Model:
        return services.project_create(actor=actor, **fields)


_SLASH = re.compile(r"\s*[/／]\s*")


def _section_key(project_name: str, section_name: str) -> str:
    return f"{project_name.strip()}/{section_name.strip()}"


class DeliverySpec(Spec):
    kind = "delivery"
    title = "进场批次"
    model = Delivery
    columns = (
        Column("标段", "section", aliases=("项目/标段",), help=gettext_lazy("“项目名称/标段名称”，或标段的公开编号")),
        Column("标段编号", "section_id", parser=parse_uuid, help=gettext_lazy("可选：标段的公开编号"), blank=None),
        Column(
            "产品编号",
            "product_id",
            parser=parse_uuid,
            help=gettext_lazy("产品的公开编号；不填则按以下三列查找"),
            blank=None,
        ),
        Column(
            "生产企业统一社会信用代码",
            "enterprise_uscc",
            parser=parse_uscc,
            aliases=("统一社会信用代码", "企业统一社会信用代码"),
            blank=None,
        ),
        Column("产品名称", "product_name", help=gettext_lazy("未填产品编号时必填")),
        Column("规格型号", "model_spec", aliases=("型号规格",)),
        Column("批号", "batch_no", True, aliases=("批次号", "生产批号")),
        Column("数量", "quantity", True, parse_decimal),
        Column("单位", "unit", True, aliases=("计量单位",), help=gettext_lazy("如 t、kg、卷、根")),
        Column("进场日期", "delivered_on", True, parse_date, ("到场日期",), gettext_lazy("如 2026-03-01")),
        Column("进场批次编号", "public_id", ignored=True),
    )
    other_field_columns = {"product": "产品编号"}
    permission_column = "标段"
    one_of = (("标段", "标段编号"), ("产品编号", "产品名称"))

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        sections = selectors.sections_visible_to(actor)
        section_ids, prefixes = set(), set()
        for record in records:
            text = _SLASH.sub("/", record.values.get("section") or "")
            record.values["section"] = text
            section_ids |= {u for u in (record.values.get("section_id"), _as_uuid(text)) if u is not None}
            if text and _as_uuid(text) is None:
                parts = text.split("/")
                prefixes |= {"/".join(parts[:i]) for i in range(1, len(parts))}
        sections_by_id = {s.public_id: s for s in _fetch(sections, "public_id", section_ids)}
        sections_by_key = _group(
            _fetch(sections, "project__name", prefixes), lambda s: _section_key(s.project.name, s.name)
        )

        products = selectors.products_selectable_by(actor).select_related("enterprise")
        product_ids = {r.values["product_id"] for r in records if r.values.get("product_id")}
        products_by_id = {p.public_id: p for p in _fetch(products, "public_id", product_ids)}
        names = {r.values.get("product_name") for r in records if not r.values.get("product_id")} - {None, ""}
        products_by_key = _group(
            _fetch(products, "name", names), lambda p: (p.enterprise.uscc, p.name, p.model_spec.strip())
        )

        for record in records:
            section = self._section(record, sections_by_id, sections_by_key, report)
            product = self._product(record, products_by_id, products_by_key, report)
            if section is not None and not policy.can_edit_delivery(actor, Delivery(section=section)):
                report.add(record.number, "标段", "您只能登记本单位标段的进场批次（或本辖区内的标段）")
            if not report.ok(record):
                continue
            keep = {"batch_no", "quantity", "unit", "delivered_on"}
            record.fields = {k: v for k, v in record.values.items() if k in keep}
            record.fields |= {"section": section, "product": product}
            self.validate_instance(record, report, exclude=["section", "product"])

    def _section(self, record: Record, by_id: dict, by_key: dict, report: ImportReport) -> Section | None:
        text = record.values.get("section") or ""
        given_id = record.values.get("section_id") or _as_uuid(text)
        if given_id is not None:
            section = by_id.get(given_id)
            if section is None:
                column = "标段编号" if record.values.get("section_id") else "标段"
                report.add(record.number, column, "未找到该编号的标段（或不在您的查看范围内）")
            elif text and _as_uuid(text) is None and text != _section_key(section.project.name, section.name):
                report.add(
                    record.number, "标段", f"与标段编号不一致：该编号对应“{section.project.name}/{section.name}”"
                )
            return section
        if not text:
            report.add(record.number, "标段", "必填，不能为空（填写“项目名称/标段名称”或标段编号）")
            return None
        if "/" not in text:
            report.add(record.number, "标段", f"应写作“项目名称/标段名称”，实际为“{text}”")
            return None
        found = by_key.get(text, [])
        if len(found) == 1:
            return found[0]
        if found:
            report.add(record.number, "标段", f"有 {len(found)} 个标段名为“{text}”，请填写标段编号")
        else:
            report.add(record.number, "标段", f"未找到标段“{text}”（或不在您的查看范围内）")
        return None

    def _product(self, record: Record, by_id: dict, by_key: dict, report: ImportReport) -> Product | None:
        values = record.values
        uscc, name, spec = values.get("enterprise_uscc"), values.get("product_name") or "", values.get("model_spec")
        if values.get("product_id") is not None:
            product = by_id.get(values["product_id"])
            if product is None:
                report.add(record.number, "产品编号", "未找到该编号的产品（或该产品已停产、不在您可选的范围内）")
                return None
            mismatched = (
                (uscc and uscc != product.enterprise.uscc)
                or (name and name != product.name)
                or (spec and spec != product.model_spec.strip())
            )
            if mismatched:
                report.add(record.number, "产品编号", f"与生产企业、产品名称或规格型号不一致：该编号对应“{product}”")
            return product
        if not name:
            report.add(record.number, "产品名称", "必填，不能为空（或填写产品编号）")
            return None
        if not uscc:
            report.add(record.number, "生产企业统一社会信用代码", "未填产品编号时必填，用于确定产品")
            return None
        found = by_key.get((uscc, name, spec or ""), [])
        if len(found) == 1:
            return found[0]
        label = f"{name} {spec or ''}".strip()
        if found:
            report.add(record.number, "产品名称", f"该企业有 {len(found)} 个产品“{label}”，请填写产品编号")
        else:
            report.add(record.number, "产品名称", f"未找到该企业的在产产品“{label}”（或不在您可选的范围内）")
        return None

    def create(self, actor: User, fields: dict) -> models.Model:
        return services.delivery_create(actor=actor, **fields)


SPECS: dict[str, Spec] = {spec.kind: spec for spec in (EnterpriseSpec(), ProductSpec(), ProjectSpec(), DeliverySpec())}
KINDS = tuple(SPECS)


def spec_for(kind: str) -> Spec:
    """The import spec of a registry kind (enterprise, product, project, delivery); KeyError if unknown."""
    return SPECS[kind]


# ------------------------------------------------------------------------------------------------------ import


class _Rollback(Exception):
    pass


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


def _result(kind: str, report: ImportReport, created: int = 0) -> ImportResult:
    if not report.errors:
        return ImportResult(kind=kind, created=created)
    ordered = sorted(report.errors, key=lambda e: e.row if e.row is not None else 0)
    return ImportResult(kind=kind, errors=ordered[:MAX_LISTED_ERRORS], omitted=max(0, len(ordered) - MAX_LISTED_ERRORS))


def import_rows(
    *,
    actor: User,
    kind: str,
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    row_numbers: Sequence[int] | None = None,
    header_row: int = 1,
) -> ImportResult:
    """Validate every row, then create all of them in one transaction — or none, with errors naming row and column.

    ``row_numbers`` are the spreadsheet rows of ``rows`` (default: the rows right below the header).
    """
    spec = spec_for(kind)
    report = ImportReport()
    rows = [list(r) for r in rows]
    numbers = list(row_numbers) if row_numbers is not None else list(range(header_row + 1, header_row + 1 + len(rows)))
    if len(numbers) != len(rows):
        raise ValueError("row_numbers must match rows")
    if len(rows) > tabular.MAX_ROWS:
        report.add(None, None, f"数据超过 {tabular.MAX_ROWS} 行的上限，请分批导入")
        return _result(kind, report)
    mapping = map_header(spec, header, rows, header_row, report)
    if report.errors:
        return _result(kind, report)
    if not rows:
        report.add(None, None, "文件中只有表头，没有数据行")
        return _result(kind, report)

    records = parse_rows(mapping, rows, numbers, report)
    good = [r for r in records if report.ok(r)]
    if good:
        spec.resolve(actor, good, report)
    if report.errors:
        return _result(kind, report)

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
        return _result(kind, report)
    return _result(kind, report, created)


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


def import_upload(*, actor: User, kind: str, upload: Any) -> ImportResult:
    """Read an uploaded .xlsx/.csv and import it; problems with the file itself become errors too."""
    table, errors = read_upload_for(spec_for(kind), upload)
    if table is None:
        return ImportResult(kind=kind, errors=errors)
    return import_rows(actor=actor, kind=kind, **table_arguments(table))
