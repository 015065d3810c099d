"""Rule files (实施细则): reading, checking and normalising them. Pure: no Django.

A rule file is YAML (or JSON) in ``data/``, one version of the implementation rules of one product category::

    schema: choujian-rules/1
    category: {code: JT-0303, name: 预应力混凝土用钢绞线}
    version: "2025.1"
    title: 预应力混凝土用钢绞线产品质量监督抽查实施细则
    effective_date: 2025-01-01
    product_standards: [GB/T 5224-2023]
    variants:                       # optional: specifications whose limits differ
      - {code: 1×7-15.20-1860, name: 1×7 结构 公称直径 15.20 mm 强度级别 1860 MPa}
      # optional `match`: regular expressions tried on the form's 规格型号 (normalised: half-width, × for x,
      # no spaces, upper case) when it is not the code itself, e.g. match: ["\\(CR\\)$"]
    sampling: {unit: 根, test_quantity: 3, backup_quantity: 3, min_lot: {quantity: "10", unit: t},
               method: …, verified: false, note: …}   # optional backup_portions: 0~4 sealed backup portions
    judgment: {allowed_failures: {A: 0, B: 0, C: 0}, note: …}
    items:
      - code: max_force             # a-z, 0-9, _ ; unique in the file
        name: 整根钢绞线最大力
        class: A                    # A, B or C
        test_method: GB/T 21839-2019
        unit: kN
        replicates: 3
        combine: each               # mean, median, each, min or max
        comparison: rounded         # full (全数值比较法, default) or rounded (修约值比较法)
        step: "1"                   # rounding step (GB/T 8170): 10ⁿ, or 5×10ⁿ / 2×10ⁿ for 0.5 / 0.2 units
        limit: ">=260"              # or {variant code: limit, …}: the item applies to those variants only
        source: GB/T 5224-2023 表4  # clause-level reference for the limit
        verified: false             # true only where the limit and its reference are known to be right
        note: 表号待核对             # required when verified is false: what to check

A qualitative item has ``limit: qualitative``, a ``requirement`` text and no ``step``; its results are
合格/不合格. Decimal numbers are kept as written: YAML floats are read as their text, so ``1.050`` stays
``1.050``. Every problem is reported at once, each naming the file, the item and the field, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from choujian.core.canonical import digest
from choujian.rules import judgment
from choujian.rules.rounding import NumberError, parse_step, to_decimal

SCHEMA = "choujian-rules/1"
DATA_DIR = Path(__file__).resolve().parent / "data"
SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 1024 * 1024

_ITEM_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
TOP_KEYS = {
    "schema",
    "category",
    "version",
    "title",
    "effective_date",
    "product_standards",
    "scope",
    "variants",
    "sampling",
    "judgment",
    "items",
    "notes",
}
ITEM_KEYS = {
    "code",
    "name",
    "class",
    "test_method",
    "unit",
    "replicates",
    "combine",
    "comparison",
    "step",
    "limit",
    "requirement",
    "source",
    "verified",
    "note",
}
SAMPLING_KEYS = {"unit", "test_quantity", "backup_quantity", "backup_portions", "min_lot", "method", "verified", "note"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule file: where (file, item, field) and what."""

    file: str
    field: str
    message: str
    item: str = ""

    def __str__(self) -> str:
        where = [self.file or "细则"]
        if self.item:
            where.append(f"检验项目 {self.item}")
        if self.field:
            where.append(f"字段 {self.field}")
        return f"{'，'.join(where)}：{self.message}"


class SchemaError(ValueError):
    """A rule file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps decimals as written and refuses a key given twice (which YAML would silently drop)."""


def _float_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"键“{key}”重复出现（第 {key_node.start_mark.line + 1} 行）", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:float", _float_as_text)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def parse_text(text: str, *, name: str = "细则", kind: str = "yaml") -> Any:
    """The raw document of a YAML or JSON rule text; a SchemaError names the line that cannot be read."""
    try:
        if kind == "json":
            return json.loads(text, parse_float=str)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except json.JSONDecodeError as exc:
        raise SchemaError([Problem(name, "", f"不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f"第 {mark.line + 1} 行：" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise SchemaError([Problem(name, "", f"不是有效的 YAML（{line}{reason}）")]) from None


def read_file(path: Path) -> Any:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SchemaError([Problem(path.name, "", "文件过大")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SchemaError([Problem(path.name, "", "文件不是 UTF-8 编码")]) from None
    return parse_text(text, name=path.name, kind="json" if path.suffix == ".json" else "yaml")


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, field: str, message: str, item: str = "") -> None:
        self.problems.append(Problem(self.file, field, message, item))

    def text(self, data: dict, key: str, *, item: str = "", prefix: str = "", required=True, max_length=200) -> str:
        value = data.get(key)
        name = prefix + key
        if value is None or value == "":
            if required:
                self.add(name, "不能为空", item)
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(name, "应为文字", item)
            return ""
        value = str(value).strip()
        if len(value) > max_length:
            self.add(name, f"不能超过 {max_length} 个字", item)
        return value

    def integer(self, data: dict, key: str, *, low: int, high: int, item: str = "", prefix: str = "") -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(prefix + key, f"应为 {low}~{high} 之间的整数", item)
            return low
        return value

    def flag(self, data: dict, key: str, *, item: str = "", prefix: str = "") -> bool:
        value = data.get(key)
        if not isinstance(value, bool):
            self.add(prefix + key, "应为 true 或 false", item)
            return False
        return value

    def unknown(self, data: dict, allowed: set[str], *, item: str = "", prefix: str = "") -> None:
        for key in sorted(set(map(str, data)) - allowed):
            self.add(prefix + key, "不认识的字段（拼写错误？）", item)

    def mapping(self, data: Any, name: str, item: str = "") -> dict:
        if not isinstance(data, dict):
            self.add(name, "应为键值对象", item)
            return {}
        return data


def validate(raw: Any, *, source: str = "") -> dict:
    """Check a raw rule document and return it normalised; raise SchemaError listing every problem."""
    check = _Checker(source)
    if not isinstance(raw, dict):
        raise SchemaError([Problem(source, "", "文件内容应为键值对象（schema、category、items…）")])
    check.unknown(raw, TOP_KEYS)
    if raw.get("schema") != SCHEMA:
        check.add("schema", f"应为 {SCHEMA}")
    category = check.mapping(raw.get("category"), "category")
    content: dict[str, Any] = {
        "schema": SCHEMA,
        "category": {
            "code": check.text(category, "code", prefix="category.", max_length=32),
            "name": check.text(category, "name", prefix="category.", max_length=100),
        },
    }
    version = check.text(raw, "version", max_length=32)
    if version and not _VERSION.match(version):
        check.add("version", "版本号只能由字母、数字、点、横线和下划线组成，如 2025.1")
    content["version"] = version
    content["title"] = check.text(raw, "title", max_length=200)
    content["effective_date"] = _date(check, raw.get("effective_date"))
    standards = raw.get("product_standards")
    if not isinstance(standards, list) or not standards or not all(isinstance(s, str) and s.strip() for s in standards):
        check.add("product_standards", "应为至少一项产品标准的列表，如 [GB/T 5224-2023]")
        standards = []
    content["product_standards"] = [s.strip() for s in standards]
    content["scope"] = check.text(raw, "scope", required=False, max_length=1000)
    content["notes"] = check.text(raw, "notes", required=False, max_length=4000)
    content["variants"] = _variants(check, raw.get("variants"))
    content["sampling"] = _sampling(check, raw.get("sampling"))
    content["judgment"] = _judgment(check, raw.get("judgment"))
    content["items"] = _items(check, raw.get("items"), {v["code"] for v in content["variants"]})
    if check.problems:
        raise SchemaError(check.problems)
    return content


def _date(check: _Checker, value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    check.add("effective_date", "应为日期，如 2025-01-01")
    return ""


def _variants(check: _Checker, raw: Any) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add("variants", "应为规格列表")
        return []
    variants, seen = [], set()
    for index, entry in enumerate(raw):
        prefix = f"variants[{index}]."
        entry = check.mapping(entry, f"variants[{index}]")
        check.unknown(entry, {"code", "name", "match"}, prefix=prefix)
        code = check.text(entry, "code", prefix=prefix, max_length=40)
        if code in seen:
            check.add(prefix + "code", f"规格“{code}”重复")
        seen.add(code)
        variant = {"code": code, "name": check.text(entry, "name", prefix=prefix)}
        patterns = entry.get("match")
        if patterns is not None:
            variant["match"] = _patterns(check, patterns, prefix + "match")
        variants.append(variant)
    return variants


def _patterns(check: _Checker, raw: Any, name: str) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) and p.strip() for p in raw):
        check.add(name, "应为非空的正则表达式列表（与抽样单“规格型号”比对）")
        return []
    for pattern in raw:
        try:
            re.compile(pattern)
        except re.error as exc:
            check.add(name, f"正则表达式“{pattern}”无效：{exc}")
    return list(raw)


_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})


def normalise_spec(text: str) -> str:
    """规格型号 as written on a form, compared loosely: full-width to half-width, x/X/* to ×, spaces dropped."""
    text = (text or "").translate(_WIDTH)
    text = re.sub(r"(?<=\d)\s*[xX*]\s*(?=\d)", "×", text)
    return re.sub(r"\s+", "", text).upper()


def variants_for_spec(content: dict, spec: str) -> list[str]:
    """The variants (specification rows) whose code is the form's 规格型号 or whose `match` patterns find it; the
    caller refuses none or several: a sample is never judged by another grade's or size's limits."""
    wanted = normalise_spec(spec)
    if not wanted:
        return []
    found = []
    for variant in content.get("variants", []):
        if normalise_spec(variant["code"]) == wanted:
            return [variant["code"]]
        if any(re.search(pattern, wanted, re.IGNORECASE) for pattern in variant.get("match", [])):
            found.append(variant["code"])
    return found


def _positive_decimal(check: _Checker, data: dict, key: str, prefix: str) -> str:
    try:
        number = to_decimal(data.get(key), key)
    except NumberError as exc:
        check.add(prefix + key, str(exc))
        return ""
    if number <= 0:
        check.add(prefix + key, "应大于 0")
    return str(data.get(key)).strip()


def _sampling(check: _Checker, raw: Any) -> dict:
    data = check.mapping(raw, "sampling")
    prefix = "sampling."
    check.unknown(data, SAMPLING_KEYS, prefix=prefix)
    lot = check.mapping(data.get("min_lot"), prefix + "min_lot")
    check.unknown(lot, {"quantity", "unit"}, prefix=prefix + "min_lot.")
    result = {
        "unit": check.text(data, "unit", prefix=prefix, max_length=20),
        "test_quantity": check.integer(data, "test_quantity", low=1, high=10000, prefix=prefix),
        "backup_quantity": check.integer(data, "backup_quantity", low=0, high=10000, prefix=prefix),
        "min_lot": {
            "quantity": _positive_decimal(check, lot, "quantity", prefix + "min_lot."),
            "unit": check.text(lot, "unit", prefix=prefix + "min_lot.", max_length=20),
        },
        "method": check.text(data, "method", prefix=prefix, required=False, max_length=1000),
        "verified": check.flag(data, "verified", prefix=prefix),
        "note": check.text(data, "note", prefix=prefix, required=False, max_length=1000),
    }
    if "backup_portions" in data:  # optional: into how many sealed portions the backup is divided
        result["backup_portions"] = check.integer(data, "backup_portions", low=0, high=4, prefix=prefix)
    if not result["verified"] and not result["note"]:
        check.add(prefix + "note", "未核实（verified: false）时必须说明需要核对什么")
    return result


def _judgment(check: _Checker, raw: Any) -> dict:
    data = check.mapping(raw, "judgment")
    check.unknown(data, {"allowed_failures", "note"}, prefix="judgment.")
    try:
        allowed = judgment.allowed_failures(
            check.mapping(data.get("allowed_failures", {}), "judgment.allowed_failures")
        )
    except judgment.RuleError as exc:
        check.add("judgment.allowed_failures", str(exc))
        allowed = {cls: 0 for cls in judgment.CLASSES}
    return {"allowed_failures": allowed, "note": check.text(data, "note", prefix="judgment.", required=False)}


def _items(check: _Checker, raw: Any, variants: set[str]) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        check.add("items", "应为至少一个检验项目的列表")
        return []
    items, seen = [], set()
    for index, entry in enumerate(raw):
        label = f"#{index + 1}"
        if isinstance(entry, dict) and isinstance(entry.get("code"), str):
            label = entry["code"]
        if not isinstance(entry, dict):
            check.add("", "检验项目应为键值对象", label)
            continue
        item = _item(check, entry, label, variants)
        if item["code"] in seen:
            check.add("code", f"项目代码“{item['code']}”重复", label)
        seen.add(item["code"])
        items.append(item)
    return items


def _item(check: _Checker, entry: dict, label: str, variants: set[str]) -> dict:
    check.unknown(entry, ITEM_KEYS, item=label)
    code = check.text(entry, "code", item=label, max_length=40)
    if code and not _ITEM_CODE.match(code):
        check.add("code", "项目代码应以小写字母开头，只含小写字母、数字和下划线", label)
    cls = entry.get("class")
    if cls not in judgment.CLASSES:
        check.add("class", "应为 A、B 或 C", label)
    combine = entry.get("combine")
    if combine not in judgment.COMBINES:
        check.add("combine", f"应为 {'、'.join(judgment.COMBINES)} 之一", label)
    comparison = entry.get("comparison", judgment.FULL)
    if comparison not in judgment.METHODS:
        check.add("comparison", "应为 full（全数值比较法）或 rounded（修约值比较法）", label)
    item = {
        "code": code,
        "name": check.text(entry, "name", item=label, max_length=100),
        "class": cls,
        "test_method": check.text(entry, "test_method", item=label),
        "unit": check.text(entry, "unit", item=label, required=False, max_length=20),
        "replicates": check.integer(entry, "replicates", low=1, high=100, item=label),
        "combine": combine,
        "comparison": comparison,
        "step": None,
        "limit": None,
        "requirement": check.text(entry, "requirement", item=label, required=False, max_length=500),
        "source": check.text(entry, "source", item=label),
        "verified": check.flag(entry, "verified", item=label),
        "note": check.text(entry, "note", item=label, required=False, max_length=1000),
    }
    if not item["verified"] and not item["note"]:
        check.add("note", "未核实（verified: false）时必须说明需要核对什么", label)
    limits = _limits(check, entry.get("limit"), label, variants)
    item["limit"] = limits
    kinds = {limit.kind for limit in _parsed(limits)}
    if kinds == {judgment.QUALITATIVE}:
        if entry.get("step") is not None:
            check.add("step", "定性项目不需要修约间隔", label)
        if not item["requirement"]:
            check.add("requirement", "定性项目必须写明技术要求（如“无裂纹”）", label)
        if combine not in (judgment.EACH, None):
            check.add("combine", "定性项目只能逐个判定（each）", label)
    elif kinds == {judgment.NUMERIC}:
        try:
            item["step"] = str(parse_step(entry.get("step"), "修约间隔 step")).strip()
        except NumberError as exc:
            check.add("step", f'{exc}（数值项目必须给出修约间隔，并建议加引号，如 "0.1"）', label)
    elif len(kinds) > 1:
        check.add("limit", "同一项目的各规格限值不能既有定性又有数值", label)
    return item


def _parsed(limits: Any) -> list[judgment.Limit]:
    texts = limits.values() if isinstance(limits, dict) else [limits]
    parsed = []
    for text in texts:
        try:
            parsed.append(judgment.parse_limit(text))
        except judgment.RuleError:
            continue
    return parsed


def _limits(check: _Checker, raw: Any, label: str, variants: set[str]) -> Any:
    if isinstance(raw, dict):
        if not variants:
            check.add("limit", "按规格给出限值时，细则必须先在 variants 中列出规格", label)
        if not raw:
            check.add("limit", "按规格给出的限值不能为空", label)
        result = {}
        for key, text in raw.items():
            key = str(key)
            if variants and key not in variants:
                check.add(f"limit.{key}", f"规格“{key}”未在 variants 中列出", label)
            result[key] = _limit_text(check, text, f"limit.{key}", label)
        return result
    return _limit_text(check, raw, "limit", label)


def _limit_text(check: _Checker, text: Any, field: str, label: str) -> str:
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)  # reported below as a limit without comparison sign
    try:
        judgment.parse_limit(text, field)
    except judgment.RuleError as exc:
        check.add(field, str(exc), label)
        return text if isinstance(text, str) else ""
    return text.strip()


def load_file(path: Path) -> dict:
    return validate(read_file(path), source=path.name)


def rule_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in SUFFIXES)


def load_directory(directory: Path = DATA_DIR) -> list[tuple[str, dict]]:
    """(file name, content) of every rule file, checked together: any problem in any file raises for all."""
    loaded, problems = [], []
    for path in rule_files(directory):
        try:
            loaded.append((path.name, load_file(path)))
        except SchemaError as exc:
            problems.extend(exc.problems)
    keys: dict[tuple[str, str], str] = {}
    for name, content in loaded:
        key = (content["category"]["code"], content["version"])
        if key in keys:
            problems.append(Problem(name, "version", f"与 {keys[key]} 的类别和版本相同（{key[0]} {key[1]}）"))
        keys[key] = name
    if problems:
        raise SchemaError(problems)
    return loaded


def content_sha256(content: dict) -> str:
    """SHA-256 of the canonical JSON of normalised content: the same rules give the same digest."""
    return digest(content)


def variant_codes(content: dict) -> list[str]:
    return [v["code"] for v in content.get("variants", [])]


def item_rules(content: dict, variant: str | None = None) -> list[judgment.ItemRule]:
    """The items that apply to `variant` (required when the rules list variants), ready to judge."""
    codes = variant_codes(content)
    if codes and not variant:
        raise judgment.RuleError(f"本细则按规格给出限值，请指定规格：{'、'.join(codes)}", "variant")
    if variant and variant not in codes:
        raise judgment.RuleError(f"本细则没有规格“{variant}”", "variant")
    rules = []
    for item in content["items"]:
        text = item["limit"]
        if isinstance(text, dict):
            if variant not in text:
                continue  # the item does not apply to this variant
            text = text[variant]
        rules.append(
            judgment.ItemRule(
                code=item["code"],
                name=item["name"],
                cls=item["class"],
                limit=judgment.parse_limit(text),
                step=None if item["step"] is None else parse_step(item["step"]),
                method=item["comparison"],
                combine=judgment.EACH if item["step"] is None else item["combine"],
                replicates=item["replicates"],
                unit=item["unit"],
                verified=item["verified"],
            )
        )
    return rules


def unverified(content: dict) -> list[tuple[str, str]]:
    """(where, note) of everything in the rules not yet checked against the standard's text."""
    found = [("sampling", content["sampling"]["note"])] if not content["sampling"]["verified"] else []
    found += [(item["code"], item["note"]) for item in content["items"] if not item["verified"]]
    return found


def describe(problems: Iterable[Problem]) -> dict[str, list[str]]:
    """Problems grouped by file, for an error response or a command's output."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.file or "content", []).append(str(problem))
    return grouped
