"""Earlier years' results, from before the platform, imported from a spreadsheet so the statistics and risk scores
start with the history a province already has. One row per tested batch (or refusal); all rows or none."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from choujian.core.dates import parse_date
from choujian.core.divisions import is_valid_division
from choujian.core.tabular import Table, header_key
from choujian.core.uscc import is_valid_uscc

# (field, header in the template, required)
COLUMNS = [
    ("final_on", "结论日期", True), ("enterprise_name", "生产企业", True), ("uscc", "统一社会信用代码", True),
    ("region", "所在地区代码", True), ("category_code", "产品类别代码", True), ("category_name", "产品类别", True),
    ("laboratory", "检验机构", True), ("project", "建设项目", False), ("section", "标段", False),
    ("conclusion", "结论", True), ("worst_class", "最严重不合格项类别", False), ("failed_items", "不合格项目", False),
    ("draw_arm", "抽取方式", False),
]  # fmt: skip
ARMS = {"": "", "风险定向": "targeted", "对照组": "holdout"}  # the labels of `choices.DrawArm`
CONCLUSIONS = {"合格": (True, False), "不合格": (False, False), "拒检": (False, True)}
MAX_ROWS = 200_000


@dataclass
class Parsed:
    rows: list[dict]
    errors: list[str]


def parse_history(table: Table, *, within: list[str], today: dt.date) -> Parsed:
    """Each row checked; every problem named by its row and column. `within`: the region prefixes the importer
    registers for (a province imports its own enterprises' results)."""
    index = {header_key(title): i for i, title in enumerate(table.header)}
    errors, rows = [], []
    missing = [title for _, title, required in COLUMNS if required and header_key(title) not in index]
    if missing:
        return Parsed([], [f"缺少列：{'、'.join(missing)}（请使用导入模板）"])
    if len(table.rows) > MAX_ROWS:
        return Parsed([], [f"一次最多导入 {MAX_ROWS} 行，请分批导入"])
    for number, line in zip(table.row_numbers, table.rows, strict=True):
        values = {}
        for name, title, _required in COLUMNS:
            position = index.get(header_key(title))
            raw = line[position] if position is not None and position < len(line) else None
            values[name] = "" if raw is None else str(raw).strip()
        problems = _check(values, within, today)
        errors += [f"第 {number} 行，“{title}”列：{problem}" for title, problem in problems]
        if not problems:
            rows.append(values)
    if not rows and not errors:
        errors.append("文件中没有数据行")
    return Parsed(rows if not errors else [], errors)


def _check(values: dict, within: list[str], today: dt.date) -> list[tuple[str, str]]:
    problems = []
    try:
        day = parse_date(values["final_on"].split(" ")[0])
        if day > today:
            problems.append(("结论日期", "不能晚于今天"))
        values["final_on"] = day
    except ValueError:
        problems.append(("结论日期", "应为日期，如 2024-05-17"))
    for name, title, required in COLUMNS:
        if required and not values[name] and name != "final_on":
            problems.append((title, "不能为空"))
    values["uscc"] = values["uscc"].upper()
    if values["uscc"] and not is_valid_uscc(values["uscc"]):
        problems.append(("统一社会信用代码", f"“{values['uscc']}”不是有效的统一社会信用代码（GB 32100）"))
    if values["region"] and not is_valid_division(values["region"]):
        problems.append(("所在地区代码", f"“{values['region']}”不是有效的 6 位行政区划代码"))
    elif values["region"] and not any(values["region"].startswith(prefix) for prefix in within):
        problems.append(("所在地区代码", "不在您的辖区内"))
    conclusion = CONCLUSIONS.get(values.pop("conclusion"))
    if conclusion is None:
        problems.append(("结论", "应为“合格”“不合格”或“拒检”"))
    else:
        values["passed"], values["refused"] = conclusion
    worst = values["worst_class"].upper()
    if worst not in ("", "A", "B", "C"):
        problems.append(("最严重不合格项类别", "应为 A、B 或 C"))
    items = [item.strip() for item in values["failed_items"].replace(";", "；").split("；") if item.strip()]
    failed = conclusion is not None and not any(conclusion)
    values["worst_class"] = (worst or "C") if failed else ""  # a failure of unknown class counts as the mildest
    values["failed_items"] = items if failed else []
    arm = ARMS.get(values["draw_arm"])
    if arm is None:
        problems.append(("抽取方式", "应为“风险定向”“对照组”或留空"))
    values["draw_arm"] = arm or ""
    for name, limit in (("enterprise_name", 200), ("category_name", 100), ("laboratory", 200), ("project", 200),
                        ("section", 100), ("category_code", 32)):  # fmt: skip
        if len(values[name]) > limit:
            problems.append((dict((n, t) for n, t, _ in COLUMNS)[name], f"不能超过 {limit} 字"))
    return problems


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
