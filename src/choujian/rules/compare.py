"""What changed between two editions of one category's rules, item by item. Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass

from choujian.rules import judgment

# The fields of an item a reader compares, in the order a page shows them.
ITEM_FIELDS = (
    ("name", "名称"),
    ("class", "类别"),
    ("unit", "单位"),
    ("limit", "限值"),
    ("requirement", "技术要求"),
    ("step", "修约间隔"),
    ("comparison", "比较方法"),
    ("replicates", "试样数"),
    ("combine", "结果合成"),
    ("test_method", "试验方法"),
    ("source", "依据条款"),
    ("verified", "已核实"),
)


# Values a reader knows by their Chinese name.
VALUE_LABELS = {"combine": judgment.COMBINES, "comparison": judgment.METHODS}
QUALITATIVE = "定性（见技术要求）"


@dataclass(frozen=True)
class Change:
    """One difference: `kind` is added, removed or changed; `where` names the item (or variant) and field."""

    kind: str
    where: str
    before: str = ""
    after: str = ""


def compare(old: dict, new: dict) -> list[Change]:
    changes: list[Change] = []
    for field, label in (("title", "标题"), ("effective_date", "实施日期")):
        if old.get(field) != new.get(field):
            changes.append(Change("changed", label, _show(old.get(field)), _show(new.get(field))))
    if old.get("product_standards") != new.get("product_standards"):
        before, after = "、".join(old.get("product_standards", [])), "、".join(new.get("product_standards", []))
        changes.append(Change("changed", "依据标准", before, after))
    old_variants = {v["code"]: v for v in old.get("variants", [])}
    new_variants = {v["code"]: v for v in new.get("variants", [])}
    changes += [
        Change("added", f"规格 {code}", after=new_variants[code]["name"])
        for code in new_variants
        if code not in old_variants
    ]
    changes += [
        Change("removed", f"规格 {code}", before=old_variants[code]["name"])
        for code in old_variants
        if code not in new_variants
    ]
    old_items = {i["code"]: i for i in old.get("items", [])}
    new_items = {i["code"]: i for i in new.get("items", [])}
    for code, item in new_items.items():
        if code not in old_items:
            changes.append(Change("added", f"项目 {item['name']}", after=_show(item.get("limit"))))
            continue
        before_item = old_items[code]
        for field, label in ITEM_FIELDS:
            named = VALUE_LABELS.get(field, {})
            values = (before_item.get(field), item.get(field))
            before, after = (named.get(v, v) if isinstance(v, str) else v for v in values)
            changes += _field_changes(f"项目 {item['name']}·{label}", before, after)
    for code, item in old_items.items():
        if code not in new_items:
            changes.append(Change("removed", f"项目 {item['name']}", before=_show(item.get("limit"))))
    return changes


def _field_changes(where: str, before, after) -> list[Change]:
    if before == after:
        return []
    if isinstance(before, dict) or isinstance(after, dict):
        before = before if isinstance(before, dict) else {"（全部规格）": before}
        after = after if isinstance(after, dict) else {"（全部规格）": after}
        found = []
        for key in list(before) + [k for k in after if k not in before]:
            if before.get(key) != after.get(key):
                kind = "added" if key not in before else "removed" if key not in after else "changed"
                found.append(Change(kind, f"{where}·{key}", _show(before.get(key)), _show(after.get(key))))
        return found
    return [Change("changed", where, _show(before), _show(after))]


def _show(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value == judgment.QUALITATIVE:
        return QUALITATIVE
    return str(value)
