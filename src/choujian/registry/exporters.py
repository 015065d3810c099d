"""Exports of the registries to .xlsx/.csv: only rows the user may see (through the selectors), with the same
Chinese column titles the importer reads, so an export can be edited and imported back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from choujian.accounts.models import User
from choujian.core import tabular
from choujian.registry import importers, selectors
from choujian.registry.choices import EnterpriseStatus, ProductStatus

__all__ = ["FORMATS", "ExportFile", "export_file", "export_rows", "template_file"]

FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


@dataclass(frozen=True)
class _Export:
    selector: Callable[[User], QuerySet]
    search: tuple[str, ...]
    columns: tuple[tuple[str, Callable[[Any], Any]], ...]


def _section_label(section) -> str:
    return f"{section.project.name}/{section.name}"


EXPORTS: dict[str, _Export] = {
    "enterprise": _Export(
        selectors.enterprises_visible_to,
        ("name", "uscc", "address", "licence_no"),
        (
            ("统一社会信用代码", lambda e: e.uscc),
            ("企业名称", lambda e: e.name),
            ("行政区划代码", lambda e: e.region),
            ("地址", lambda e: e.address),
            ("生产许可证编号", lambda e: e.licence_no),
            ("状态", lambda e: EnterpriseStatus.label(e.status)),
        ),
    ),
    "product": _Export(
        selectors.products_visible_to,
        ("name", "brand", "model_spec", "enterprise__name"),
        (
            ("生产企业统一社会信用代码", lambda p: p.enterprise.uscc),
            ("生产企业名称", lambda p: p.enterprise.name),
            ("产品类别代码", lambda p: p.category.code),
            ("产品名称", lambda p: p.name),
            ("商标/品牌", lambda p: p.brand),
            ("规格型号", lambda p: p.model_spec),
            ("执行标准", lambda p: p.standard),
            ("状态", lambda p: ProductStatus.label(p.status)),
            ("产品编号", lambda p: str(p.public_id)),
        ),
    ),
    "project": _Export(
        selectors.projects_visible_to,
        ("name", "owner__name"),
        (
            ("项目名称", lambda p: p.name),
            ("建设单位", lambda p: p.owner.name),
            ("建设单位编号", lambda p: str(p.owner.public_id)),
            ("行政区划代码", lambda p: p.region),
            ("纬度", lambda p: p.latitude),
            ("经度", lambda p: p.longitude),
            ("项目编号", lambda p: str(p.public_id)),
        ),
    ),
    "delivery": _Export(
        selectors.deliveries_visible_to,
        ("batch_no", "product__name", "section__project__name"),
        (
            ("标段", lambda d: _section_label(d.section)),
            ("标段编号", lambda d: str(d.section.public_id)),
            ("产品编号", lambda d: str(d.product.public_id)),
            ("生产企业统一社会信用代码", lambda d: d.product.enterprise.uscc),
            ("产品名称", lambda d: d.product.name),
            ("规格型号", lambda d: d.product.model_spec),
            ("批号", lambda d: d.batch_no),
            ("数量", lambda d: d.quantity),
            ("单位", lambda d: d.unit),
            ("进场日期", lambda d: d.delivered_on),
            ("进场批次编号", lambda d: str(d.public_id)),
        ),
    ),
}


def _queryset(user: User, kind: str, q: str) -> QuerySet:
    export = EXPORTS[kind]
    queryset = export.selector(user)
    q = (q or "").strip()[:100]
    if q:
        condition = Q()
        for name in export.search:
            condition |= Q(**{f"{name}__icontains": q})
        queryset = queryset.filter(condition)
    ordering = list(queryset.model._meta.ordering or [])
    return queryset.order_by(*ordering, "pk")


def export_rows(*, user: User, kind: str, q: str = "") -> tuple[list[str], Iterator[list[Any]]]:
    """The header and, lazily, one list of cell values per visible row (filtered by the search ``q``)."""
    export = EXPORTS[kind]
    header = [title for title, _ in export.columns]
    getters = [getter for _, getter in export.columns]

    def rows() -> Iterator[list[Any]]:
        for obj in _queryset(user, kind, q).iterator(chunk_size=2000):
            yield [getter(obj) for getter in getters]

    return header, rows()


def _filename(kind: str, suffix: str, stem: str = "") -> str:
    title = importers.spec_for(kind).title
    return f"{title}{stem}-{timezone.localdate():%Y%m%d}.{suffix}"


def export_file(*, user: User, kind: str, fmt: str, q: str = "") -> ExportFile:
    """Everything the user may see of one registry as an .xlsx or .csv (formula injection neutralised)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    header, rows = export_rows(user=user, kind=kind, q=q)
    if fmt == "csv":
        return ExportFile(tabular.write_csv(header, rows), tabular.CSV_CONTENT_TYPE, _filename(kind, "csv"))
    content = tabular.write_xlsx(header, rows, title=importers.spec_for(kind).title)
    return ExportFile(content, tabular.XLSX_CONTENT_TYPE, _filename(kind, "xlsx"))


def template_file(kind: str) -> ExportFile:
    """An empty workbook with the import columns, and a second sheet explaining each one."""
    spec = importers.spec_for(kind)
    with translation.override(None):  # the template file is in the import format's language: Chinese
        notes = [("列名", "是否必填", "说明"), *spec.help_rows()]
    notes += [
        (),
        ("", "", "第 1 行为列名，其后每行一条记录；“序号”列可保留，导入时忽略。"),
        ("", "", "整个文件全部校验通过才会导入；有任何错误时不导入任何数据，并列出出错的行和列。"),
        (
            "",
            "",
            f"每次最多 {tabular.MAX_ROWS} 行、{tabular.MAX_BYTES // 1024 // 1024} MB；也可另存为 CSV（UTF-8 或 GBK）。",
        ),
    ]
    content = tabular.write_xlsx(spec.import_titles(), [], title=spec.title, notes=notes, as_text=True)
    return ExportFile(content, tabular.XLSX_CONTENT_TYPE, _filename(kind, "xlsx", "导入模板"))
