"""The open data's shape, declared once: the fields of a published result as the API, the CSV/XLSX and the change
feed give them (docs/open-data.md is their dictionary)."""

from choujian.core.divisions import name_of
from choujian.disclosure.models import ResultRow

FIELDS = [
    ("id", "结果编号"), ("version", "版本"), ("status", "状态"), ("last_updated", "最后更新"),
    ("announcement", "公告编号"), ("year", "年度"), ("enterprise", "被抽查企业"), ("uscc", "统一社会信用代码"),
    ("region", "所在地区代码"), ("region_name", "所在地区"), ("category", "产品类别代码"),
    ("category_name", "产品类别"),
    ("product", "产品名称"), ("model_spec", "规格型号"), ("batch_no", "生产日期/批号"),
    ("production_date", "生产日期"), ("place", "抽样地点"), ("testing_body", "检验机构"),
    ("conclusion", "检验结论"), ("failed_items", "不合格项目"), ("reason", "更正或撤回原因"),
    ("kind", "公告类型"), ("sample_count", "复查抽样样本数"), ("note", "备注"), ("refers_to", "原抽查结果编号"),
]  # fmt: skip


def record(row: ResultRow) -> dict:
    return {
        "id": str(row.row_id),
        "version": row.edition,
        "status": row.status,
        "last_updated": row.last_updated.isoformat() if row.last_updated else None,
        "announcement": row.announcement.code,
        "year": row.announcement.plan.year,
        "enterprise": row.enterprise_name,
        "uscc": row.enterprise_uscc,
        "region": row.region,
        "region_name": name_of(row.region),
        "category": row.category_code,
        "category_name": row.category_name,
        "product": row.product_name,
        "model_spec": row.model_spec,
        "batch_no": row.batch_no,
        "production_date": row.production_date.isoformat() if row.production_date else None,
        "place": row.place,
        "testing_body": row.testing_body,
        "conclusion": row.conclusion,
        "failed_items": row.failed_items,
        "reason": row.reason,
        "kind": row.announcement.kind,
        "sample_count": row.sample_count,
        "note": row.note,
        "refers_to": str(row.refers_to) if row.refers_to else None,
    }


def flat(row: ResultRow) -> list:
    """One spreadsheet line: the failed items as text ("项目 测得值（要求 限值）；…")."""
    values = record(row)
    values["failed_items"] = "；".join(
        f"{item['item']} {item['measured']} {item.get('unit', '')}（要求 {item['limit']}）" for item in row.failed_items
    )
    values["conclusion"] = "合格" if row.conclusion == "pass" else "不合格"
    values["kind"] = str(row.announcement.get_kind_display())
    return [values[name] for name, _ in FIELDS]
