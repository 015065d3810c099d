"""Limits, comparison with them (GB/T 8170-2008 §4) and the judgment of an item and of a product. Pure: no Django.

Limits are written as a rule file or a tester writes them: ``>=a`` ``>a`` ``<=b`` ``<b`` (or ``≥ ≤ ＞ ＜``,
``不小于`` ``不大于`` ``大于`` ``小于``), ``a~b`` (closed, also ``～``), ``a±t`` (closed: a−t … a+t) and
``qualitative`` (``定性``: the result is 合格/不合格 against a written requirement).

Two comparison methods (§4.3):

- ``full`` 全数值比较法 — the value is compared unrounded; any excess, however small, fails. Used when the
  limit is written at the reporting precision and the standard does not say otherwise. The default.
- ``rounded`` 修约值比较法 — the value is first rounded (to the limit's place unless a step is given), then
  compared. ``96.96`` against ``>=97.0``: full → 不合格; rounded → 97.0 → 合格.

Replicate values combine by ``mean`` (the mean is computed from the unrounded values, then rounded once),
``median`` (the middle value, or the mean of the two middle values of an even number, as GB/T 528 reports rubber
tensile properties from its specimens), ``each`` (every value must pass on its own), ``min`` or ``max`` (that one
value is compared).

A product's judgment counts failed items by class A/B/C: the product fails when the failures of a class exceed
the number that class allows (the shipped rules allow none: any failed item fails the product).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from choujian.rules.rounding import NumberError, decimals_of, fmt, parse_step, round_to_step, to_decimal

FULL, ROUNDED = "full", "rounded"
METHODS = {FULL: "全数值比较法", ROUNDED: "修约值比较法"}
MEAN, MEDIAN, EACH, MIN, MAX = "mean", "median", "each", "min", "max"
COMBINES = {MEAN: "取平均值", MEDIAN: "取中位数", EACH: "逐个判定", MIN: "取最小值", MAX: "取最大值"}
PASS, FAIL, INCOMPLETE = "pass", "fail", "incomplete"
JUDGMENTS = {PASS: "合格", FAIL: "不合格", INCOMPLETE: "未检完"}
CLASSES = ("A", "B", "C")
NUMERIC, QUALITATIVE = "numeric", "qualitative"
PASS_WORDS = frozenset({"pass", "合格", "符合", "通过", "满足"})
FAIL_WORDS = frozenset({"fail", "不合格", "不符合", "不通过", "不满足"})
MAX_VALUES = 1000


class RuleError(NumberError):
    """Input that cannot be judged. `field` names the input (``limit``, ``values``…), `index` the value in a list."""

    def __init__(self, message: str, field: str = "non_field_errors", index: int | None = None):
        super().__init__(message)
        self.field = field
        self.index = index


_WORDS = [("不小于", ">="), ("不低于", ">="), ("不大于", "<="), ("不高于", "<="), ("不超过", "<="), ("大于", ">")]
_WORDS += [("小于", "<"), ("≥", ">="), ("≧", ">="), ("≤", "<="), ("≦", "<="), ("＞", ">"), ("＜", "<")]
_CHARS = str.maketrans({"～": "~", "〜": "~", "－": "-", "−": "-", "＋": "+", "．": ".", "＝": "="})
_NUM = r"[+-]?\d+(?:\.\d+)?"
_ONE_SIDED = re.compile(rf"^(>=|>|<=|<|=>|=<)({_NUM})$")
_RANGE = re.compile(rf"^({_NUM})~({_NUM})$")
_TOLERANCE = re.compile(rf"^({_NUM})(?:±|\+/-|\+-)({_NUM})$")
_QUALITATIVE = {"qualitative", "定性", "定性判定"}
LIMIT_HELP = "应写成 >=a、>a、<=b、<b、a~b、a±t 或 qualitative（定性）"


@dataclass(frozen=True)
class Limit:
    """A parsed limit: an interval with open or closed ends (None = unbounded), or a qualitative requirement."""

    text: str
    kind: str = NUMERIC
    low: Decimal | None = None
    low_inclusive: bool = True
    high: Decimal | None = None
    high_inclusive: bool = True
    places: int = 0  # decimals the limit is written with: its reporting place

    @property
    def qualitative(self) -> bool:
        return self.kind == QUALITATIVE

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)):
            return False
        return True

    def default_step(self) -> Decimal:
        """The limit's own place: ">=97.0" → 0.1, "<=2.5" → 0.1, ">=260" → 1."""
        return Decimal(1).scaleb(-self.places)

    def describe(self) -> str:
        if self.qualitative:
            return "定性判定"
        if self.low is not None and self.high is not None:
            if self.low == self.high:
                return fmt(self.low)
            return f"{fmt(self.low)}~{fmt(self.high)}"
        if self.low is not None:
            return f"{'≥' if self.low_inclusive else '>'}{fmt(self.low)}"
        return f"{'≤' if self.high_inclusive else '<'}{fmt(self.high)}"

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "kind": self.kind,
            "low": None if self.low is None else fmt(self.low),
            "low_inclusive": self.low_inclusive,
            "high": None if self.high is None else fmt(self.high),
            "high_inclusive": self.high_inclusive,
            "description": self.describe(),
        }


def _normalise(text: str) -> str:
    text = re.sub(r"\s+", "", text.translate(_CHARS))
    for word, symbol in _WORDS:
        text = text.replace(word, symbol)
    return text


def parse_limit(text: object, field: str = "limit") -> Limit:
    """Parse a limit (see the module docstring); a RuleError names `field` and says how to write it."""
    if not isinstance(text, str):
        raise RuleError(f'限值应为文字，如 ">=97.0"，{LIMIT_HELP}', field)
    raw = text.strip()
    if not raw:
        raise RuleError(f"限值不能为空，{LIMIT_HELP}", field)
    if len(raw) > 100:
        raise RuleError("限值过长", field)
    shown = raw if len(raw) <= 40 else raw[:37] + "…"
    if raw.lower() in _QUALITATIVE:
        return Limit(text=raw, kind=QUALITATIVE)
    norm = _normalise(raw)
    if match := _ONE_SIDED.match(norm):
        op, number = match.group(1), Decimal(match.group(2))
        op = {"=>": ">=", "=<": "<="}.get(op, op)
        places = decimals_of(number)
        if op.startswith(">"):
            return Limit(text=raw, low=number, low_inclusive=op == ">=", places=places)
        return Limit(text=raw, high=number, high_inclusive=op == "<=", places=places)
    if match := _RANGE.match(norm):
        low, high = Decimal(match.group(1)), Decimal(match.group(2))
        if low > high:
            raise RuleError(f"限值“{shown}”的下限大于上限", field)
        return Limit(text=raw, low=low, high=high, places=max(decimals_of(low), decimals_of(high)))
    if match := _TOLERANCE.match(norm):
        nominal, tolerance = Decimal(match.group(1)), Decimal(match.group(2))
        if tolerance < 0:
            raise RuleError(f"限值“{shown}”的允许偏差不能为负", field)
        places = max(decimals_of(nominal), decimals_of(tolerance))
        return Limit(text=raw, low=nominal - tolerance, high=nominal + tolerance, places=places)
    if "~" in norm and norm.count("~") == 1:
        raise RuleError(f"限值“{shown}”无法识别：范围应写成“下限~上限”，两端都是数字", field)
    raise RuleError(f"限值“{shown}”无法识别，{LIMIT_HELP}", field)


@dataclass(frozen=True)
class ValueResult:
    value: Decimal | None  # None for a qualitative result
    text: str
    rounded: Decimal | None
    passed: bool


@dataclass(frozen=True)
class Evaluation:
    """The outcome of comparing replicate values with one limit."""

    limit: Limit
    method: str
    combine: str
    step: Decimal | None
    combined: Decimal | None  # the mean, median, minimum or maximum (None for ``each`` and qualitative results)
    rounded: Decimal | None  # the combined value rounded to `step`: what the report shows
    passed: bool
    values: tuple[ValueResult, ...]

    @property
    def judgment(self) -> str:
        return PASS if self.passed else FAIL

    def as_dict(self) -> dict:
        return {
            "judgment": self.judgment,
            "judgment_label": JUDGMENTS[self.judgment],
            "method": self.method,
            "method_label": METHODS[self.method],
            "combine": self.combine,
            "combine_label": COMBINES[self.combine],
            "step": None if self.step is None else fmt(self.step),
            "combined": None if self.combined is None else fmt(self.combined),
            "rounded": None if self.rounded is None else fmt(self.rounded),
            "limit": self.limit.as_dict(),
            "values": [
                {
                    "value": v.text if v.value is None else fmt(v.value),
                    "rounded": None if v.rounded is None else fmt(v.rounded),
                    "judgment": PASS if v.passed else FAIL,
                }
                for v in self.values
            ],
        }


def _choice(value: object, allowed: Mapping[str, str], field: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        names = "、".join(allowed)
        raise RuleError(f"“{value}”无效，应为 {names} 之一", field)
    return value


def _values(values: object) -> list[object]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise RuleError('测定值应为列表，如 ["96.96"]', "values")
    if not values:
        raise RuleError("至少需要一个测定值", "values")
    if len(values) > MAX_VALUES:
        raise RuleError(f"测定值不能超过 {MAX_VALUES} 个", "values")
    return list(values)


def _qualitative(limit: Limit, values: list[object], method: str) -> Evaluation:
    results = []
    for index, value in enumerate(values):
        text = value.strip().lower() if isinstance(value, str) else None
        if text in PASS_WORDS:
            passed = True
        elif text in FAIL_WORDS:
            passed = False
        else:
            raise RuleError(f"定性结果应为“合格”或“不合格”（pass/fail），而不是“{value}”", "values", index)
        results.append(ValueResult(value=None, text=str(value).strip(), rounded=None, passed=passed))
    return Evaluation(
        limit=limit,
        method=method,
        combine=EACH,
        step=None,
        combined=None,
        rounded=None,
        passed=all(r.passed for r in results),
        values=tuple(results),
    )


def _mean(numbers: list[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = max(34, max(len(n.as_tuple().digits) for n in numbers) + 10)
        return sum(numbers, Decimal(0)) / len(numbers)


def _median(numbers: list[Decimal]) -> Decimal:
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return _mean(ordered[middle - 1 : middle + 1])


def evaluate(
    values: object,
    limit: Limit | str,
    *,
    step: object = None,
    method: str = FULL,
    combine: str = MEAN,
) -> Evaluation:
    """Compare replicate `values` with `limit`. `step` is the rounding step (default: the limit's own place)."""
    method = _choice(method, METHODS, "method")
    combine = _choice(combine, COMBINES, "combine")
    if not isinstance(limit, Limit):
        limit = parse_limit(limit)
    items = _values(values)
    if limit.qualitative:
        return _qualitative(limit, items, method)
    numbers = []
    for index, value in enumerate(items):
        try:
            numbers.append(to_decimal(value, f"第 {index + 1} 个测定值"))
        except NumberError as exc:
            raise RuleError(str(exc), "values", index) from None
    try:
        step_number = parse_step(limit.default_step() if step is None or step == "" else step)
    except NumberError as exc:
        raise RuleError(str(exc), "unit_step") from None

    def judged(number: Decimal) -> tuple[Decimal, bool]:
        rounded = round_to_step(number, step_number)
        return rounded, limit.contains(rounded if method == ROUNDED else number)

    per_value = []
    for value, number in zip(items, numbers, strict=True):
        rounded, passed = judged(number)
        per_value.append(ValueResult(value=number, text=str(value), rounded=rounded, passed=passed))
    if combine == EACH:
        combined = rounded_combined = None
        passed = all(v.passed for v in per_value)
    else:
        combined = {MEAN: _mean, MEDIAN: _median, MIN: min, MAX: max}[combine](numbers)
        rounded_combined, passed = judged(combined)
    return Evaluation(
        limit=limit,
        method=method,
        combine=combine,
        step=step_number,
        combined=combined,
        rounded=rounded_combined,
        passed=passed,
        values=tuple(per_value),
    )


@dataclass(frozen=True)
class ItemRule:
    """One test item of a rule set, for one product variant: what is compared with what, and how."""

    code: str
    name: str
    cls: str
    limit: Limit
    step: Decimal | None = None
    method: str = FULL
    combine: str = MEAN
    replicates: int = 1
    unit: str = ""
    verified: bool = True


@dataclass(frozen=True)
class ItemResult:
    rule: ItemRule
    evaluation: Evaluation

    @property
    def passed(self) -> bool:
        return self.evaluation.passed

    def as_dict(self) -> dict:
        return {
            "code": self.rule.code,
            "name": self.rule.name,
            "class": self.rule.cls,
            "unit": self.rule.unit,
            "verified": self.rule.verified,
            **self.evaluation.as_dict(),
        }


def judge_item(rule: ItemRule, values: object) -> ItemResult:
    """Judge one item; the number of values must equal the item's replicates."""
    items = _values(values)
    if len(items) != rule.replicates:
        raise RuleError(
            f"项目“{rule.name}”应有 {rule.replicates} 个测定值，实际给出 {len(items)} 个", f"results.{rule.code}"
        )
    try:
        evaluation = evaluate(items, rule.limit, step=rule.step, method=rule.method, combine=rule.combine)
    except RuleError as exc:
        field_name = f"results.{rule.code}"
        raise RuleError(f"项目“{rule.name}”：{exc}", field_name, exc.index) from None
    return ItemResult(rule=rule, evaluation=evaluation)


@dataclass(frozen=True)
class Verdict:
    """A product's judgment from its items' results."""

    judgment: str
    items: tuple[ItemResult, ...]
    failures: dict[str, tuple[str, ...]]  # class → codes of failed items
    missing: tuple[str, ...]
    unverified: tuple[str, ...]  # judged items whose limit is not yet verified against the standard
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {
            "judgment": self.judgment,
            "judgment_label": JUDGMENTS[self.judgment],
            "failures": {cls: list(codes) for cls, codes in self.failures.items()},
            "missing": list(self.missing),
            "unverified": list(self.unverified),
            "reasons": list(self.reasons),
            "items": [item.as_dict() for item in self.items],
        }


def allowed_failures(rule: Mapping[str, object] | None) -> dict[str, int]:
    """Failures allowed per class; a class not named allows none."""
    allowed = {cls: 0 for cls in CLASSES}
    for cls, count in (rule or {}).items():
        if cls not in allowed:
            raise RuleError(f"不合格项目类别“{cls}”无效，应为 A、B 或 C", "allowed_failures")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise RuleError(f"{cls} 类允许的不合格项数应为非负整数", "allowed_failures")
        allowed[cls] = count
    return allowed


def judge_category(
    rules: Iterable[ItemRule], results: Mapping[str, object], allowed: Mapping[str, object] | None = None
) -> Verdict:
    """Judge a product: each item against its rule, then the failures by class against what each class allows.

    The product fails as soon as a class has more failures than allowed (even if items are still missing); with
    no such excess it passes only when every item has a result, and is otherwise incomplete (未检完).
    """
    allowed_counts = allowed_failures(allowed)
    by_code = {rule.code: rule for rule in rules}
    unknown = sorted(set(results) - set(by_code))
    if unknown:
        raise RuleError(f"本细则没有检验项目 {'、'.join(map(str, unknown))}", "results")
    judged = tuple(judge_item(by_code[code], values) for code, values in results.items())
    failures = {cls: tuple(i.rule.code for i in judged if not i.passed and i.rule.cls == cls) for cls in CLASSES}
    missing = tuple(code for code in by_code if code not in results)
    reasons = []
    for cls in CLASSES:
        if len(failures[cls]) > allowed_counts[cls]:
            names = "、".join(by_code[c].name for c in failures[cls])
            reasons.append(f"{cls} 类不合格 {len(failures[cls])} 项（允许 {allowed_counts[cls]} 项）：{names}")
    if reasons:
        judgment = FAIL
    elif missing:
        judgment = INCOMPLETE
        reasons.append("尚有项目未出结果：" + "、".join(by_code[c].name for c in missing))
    else:
        judgment = PASS
    unverified = tuple(i.rule.code for i in judged if not i.rule.verified)
    return Verdict(
        judgment=judgment,
        items=judged,
        failures=failures,
        missing=missing,
        unverified=unverified,
        reasons=tuple(reasons),
    )
