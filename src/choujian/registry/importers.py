"""Bulk import of enterprises, products, projects and deliveries from spreadsheets (invariant 6: all or nothing).

Every row is checked first — cell formats, references, duplicates, the user's right to register it, model
validation — and every problem is collected with the row and column the user sees in the spreadsheet (the header
is row 1, so the first record is row 2). Only a file without a single error is written, inside one transaction,
through the ordinary create services (which check permission again and append the ledger entries). If a service
still refuses a row, the whole import rolls back and the error names that row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.models import Organisation, User
from choujian.core import tabular
from choujian.core.policy import permits
from choujian.registry import policy, selectors, services, updating
from choujian.registry.choices import EnterpriseStatus, ProductStatus
from choujian.registry.importing import (
    MAX_LISTED_ERRORS,
    OMIT,
    Column,
    ImportReport,
    ImportResult,
    Record,
    RowError,
    Spec,
    as_uuid,
    choice,
    choices_help,
    create_all,
    fetch_in,
    group_by,
    import_result,
    map_header,
    parse_date,
    parse_decimal,
    parse_region,
    parse_rows,
    parse_uscc,
    parse_uuid,
    read_upload_for,
    region_label,
    table_arguments,
)
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

NUMBER_HELP = gettext_lazy("平台编号（导出文件中有）：更新已登记的记录时用它找到原记录；新登记的行留空")
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
            help=choices_help(EnterpriseStatus, EnterpriseStatus.STATUS_ACTIVE),
            blank=OMIT,
        ),
    )
    permission_column = "行政区划代码"
    update_key = "uscc"

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        first_row: dict[str, int] = {}
        for record in records:
            uscc = record.values["uscc"]
            if uscc in first_row:
                report.add(record.number, "统一社会信用代码", f"与第 {first_row[uscc]} 行的统一社会信用代码重复")
            else:
                first_row[uscc] = record.number
        existing = {e.uscc for e in fetch_in(Enterprise.objects.only("uscc"), "uscc", first_row)}
        for record in records:
            values = record.values
            if values["uscc"] in existing and record.existing is None:
                report.add(
                    record.number,
                    "统一社会信用代码",
                    "该统一社会信用代码已登记，不能重复导入（要修改已登记的企业，请选择“更新已登记的记录”）",
                )
            record.fields = dict(values)
            if not policy.writes_in(actor, values["region"]):
                region = region_label(values["region"])
                report.add(record.number, "行政区划代码", f"您只能登记本辖区的企业（本行为 {region}）")
            if report.ok(record):
                self.validate_instance(record, report)

    def create(self, actor: User, fields: dict) -> models.Model:
        return services.enterprise_create(actor=actor, **fields)

    def registered(self, actor: User, keys: set) -> dict:
        return {e.uscc: e for e in fetch_in(selectors.enterprises_visible_to(actor), "uscc", keys)}

    def update(self, actor: User, instance: models.Model, changes: dict) -> models.Model:
        return services.enterprise_update(actor=actor, enterprise=instance, **changes)


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
            help=choices_help(ProductStatus, ProductStatus.STATUS_ACTIVE),
            blank=OMIT,
        ),
        Column("产品编号", "public_id", parser=parse_uuid, help=NUMBER_HELP, blank=None),
    )
    other_field_columns = {"enterprise": "生产企业统一社会信用代码"}
    permission_column = "生产企业统一社会信用代码"
    update_key = "public_id"
    numbered = True

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        usccs = {r.values["enterprise_uscc"] for r in records}
        enterprises = {e.uscc: e for e in fetch_in(selectors.enterprises_visible_to(actor), "uscc", usccs)}
        wanted = {r.values["category"] for r in records}
        by_code = {c.code: c for c in fetch_in(ProductCategory.objects.all(), "code", wanted)}
        by_name = group_by(fetch_in(ProductCategory.objects.all(), "name", wanted - set(by_code)), lambda c: c.name)
        for record in records:
            values = record.values
            enterprise = enterprises.get(values["enterprise_uscc"])
            if enterprise is None:
                report.add(
                    record.number,
                    "生产企业统一社会信用代码",
                    "未找到该统一社会信用代码的企业（或不在您的查看范围内）：请先登记或导入企业",
                )
            elif not permits(actor, policy.ADD_PRODUCT, enterprise):
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

    def registered(self, actor: User, keys: set) -> dict:
        return {p.public_id: p for p in fetch_in(selectors.products_visible_to(actor), "public_id", keys)}

    def update(self, actor: User, instance: models.Model, changes: dict) -> models.Model:
        return services.product_update(actor=actor, product=instance, **changes)

    def row_label(self, fields: dict) -> str:
        return f"{fields['name']} {fields.get('model_spec') or ''}".strip()


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
        Column("项目编号", "public_id", parser=parse_uuid, help=NUMBER_HELP, blank=None),
    )
    permission_column = "行政区划代码"
    one_of = (("建设单位", "建设单位编号"),)
    update_key = "public_id"
    numbered = True

    def resolve(self, actor: User, records: list[Record], report: ImportReport) -> None:
        owners = Organisation.objects.filter(kind=OrganisationKind.KIND_OWNER, active=True)
        ids, names = set(), set()
        for record in records:
            text = record.values.get("owner") or ""
            ids |= {u for u in (record.values.get("owner_id"), as_uuid(text)) if u is not None}
            if text and as_uuid(text) is None:
                names.add(text)
        by_id = {o.public_id: o for o in fetch_in(owners, "public_id", ids)}
        by_name = group_by(fetch_in(owners, "name", names), lambda o: o.name)
        for record in records:
            owner = self._owner(record, by_id, by_name, report)
            values = record.values
            if owner is not None and not policy.may_register_project(actor, owner, values["region"]):
                region = region_label(values["region"])
                report.add(record.number, "行政区划代码", f"您无权在该辖区登记项目（本行为 {region}）")
            if not report.ok(record):
                continue
            fields = {k: v for k, v in values.items() if k not in {"owner", "owner_id", "public_id"}}
            record.fields = fields | {"owner": owner}
            self.validate_instance(record, report, exclude=["owner"])

    def _owner(self, record: Record, by_id: dict, by_name: dict, report: ImportReport) -> Organisation | None:
        text = record.values.get("owner") or ""
        given_id = record.values.get("owner_id") or as_uuid(text)
        if given_id is not None:
            owner = by_id.get(given_id)
            if owner is None:
                column = "建设单位编号" if record.values.get("owner_id") else "建设单位"
                report.add(record.number, column, "未找到该编号的建设单位（须为“建设单位”类型且有效的机构）")
            elif text and as_uuid(text) is None and text != owner.name:
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

    def registered(self, actor: User, keys: set) -> dict:
        return {p.public_id: p for p in fetch_in(selectors.projects_visible_to(actor), "public_id", keys)}

    def update(self, actor: User, instance: models.Model, changes: dict) -> models.Model:
        return services.project_update(actor=actor, project=instance, **changes)


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
            section_ids |= {u for u in (record.values.get("section_id"), as_uuid(text)) if u is not None}
            if text and as_uuid(text) is None:
                parts = text.split("/")
                prefixes |= {"/".join(parts[:i]) for i in range(1, len(parts))}
        sections_by_id = {s.public_id: s for s in fetch_in(sections, "public_id", section_ids)}
        sections_by_key = group_by(
            fetch_in(sections, "project__name", prefixes), lambda s: _section_key(s.project.name, s.name)
        )

        products = selectors.products_selectable_by(actor).select_related("enterprise")
        product_ids = {r.values["product_id"] for r in records if r.values.get("product_id")}
        products_by_id = {p.public_id: p for p in fetch_in(products, "public_id", product_ids)}
        names = {r.values.get("product_name") for r in records if not r.values.get("product_id")} - {None, ""}
        products_by_key = group_by(
            fetch_in(products, "name", names), lambda p: (p.enterprise.uscc, p.name, p.model_spec.strip())
        )

        for record in records:
            section = self._section(record, sections_by_id, sections_by_key, report)
            product = self._product(record, products_by_id, products_by_key, report)
            if section is not None and not permits(actor, policy.DELIVER, section):
                report.add(record.number, "标段", "您只能登记本单位标段的进场批次（或本辖区内的标段）")
            if not report.ok(record):
                continue
            keep = {"batch_no", "quantity", "unit", "delivered_on"}
            record.fields = {k: v for k, v in record.values.items() if k in keep}
            record.fields |= {"section": section, "product": product}
            self.validate_instance(record, report, exclude=["section", "product"])

    def _section(self, record: Record, by_id: dict, by_key: dict, report: ImportReport) -> Section | None:
        text = record.values.get("section") or ""
        given_id = record.values.get("section_id") or as_uuid(text)
        if given_id is not None:
            section = by_id.get(given_id)
            if section is None:
                column = "标段编号" if record.values.get("section_id") else "标段"
                report.add(record.number, column, "未找到该编号的标段（或不在您的查看范围内）")
            elif text and as_uuid(text) is None and text != _section_key(section.project.name, section.name):
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


def import_rows(
    *,
    actor: User,
    kind: str,
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    row_numbers: Sequence[int] | None = None,
    header_row: int = 1,
    update: bool = False,
    preview: bool = False,
    expected: str = "",
) -> ImportResult:
    """Validate every row, then create all of them in one transaction — or none, with errors naming row and column.

    ``row_numbers`` are the spreadsheet rows of ``rows`` (default: the rows right below the header). With ``update``
    rows naming a registered record change it (see `updating`); ``preview`` writes nothing and says what would
    change; ``expected`` is the digest of the preview being confirmed.
    """
    spec = spec_for(kind)
    report = ImportReport()
    rows = [list(r) for r in rows]
    numbers = list(row_numbers) if row_numbers is not None else list(range(header_row + 1, header_row + 1 + len(rows)))
    if len(numbers) != len(rows):
        raise ValueError("row_numbers must match rows")
    if len(rows) > tabular.MAX_ROWS:
        report.add(None, None, f"数据超过 {tabular.MAX_ROWS} 行的上限，请分批导入")
        return import_result(kind, report)
    mapping = map_header(spec, header, rows, header_row, report)
    if report.errors:
        return import_result(kind, report)
    if not rows:
        report.add(None, None, "文件中只有表头，没有数据行")
        return import_result(kind, report)

    records = parse_rows(mapping, rows, numbers, report)
    good = [r for r in records if report.ok(r)]
    if good:
        updating.match(spec, actor, good, report, update=update)
        good = [r for r in good if report.ok(r)]
    if good:
        spec.resolve(actor, good, report)
    if report.errors:
        return import_result(kind, report)
    if update:
        return updating.write(spec, actor, records, report, preview=preview, expected=expected)
    created = create_all(spec, actor, records, report)
    return import_result(kind, report, created or 0)


def import_upload(
    *, actor: User, kind: str, upload: Any, update: bool = False, preview: bool = False, expected: str = ""
) -> ImportResult:
    """Read an uploaded .xlsx/.csv and import it; problems with the file itself become errors too."""
    table, errors = read_upload_for(spec_for(kind), upload)
    if table is None:
        return ImportResult(kind=kind, errors=errors)
    arguments = table_arguments(table)
    return import_rows(actor=actor, kind=kind, update=update, preview=preview, expected=expected, **arguments)
