"""The ladders of what follows a failed product or a refused sampling, as data (`data/ladders/*.yaml`). Pure: no Django.

A ladder is a path of steps. Each step names who acts (regulator or enterprise), how many working or calendar days
it has, counted from when the step that led to it ended (or from an earlier step named in `counts_from`, as the SAMR
order counts rectification and 复查 from the day of the order), optionally not before a number of days (the second
复查 comes 60 days after the announcement at the earliest), its legal basis, and where each of its results leads:
another step, or a conclusion ("@passed"…) that closes the case. `when_late` says what happens to a step nobody
did in time (no 复查 application → the conclusion stands). A `sampled` step is a 复查: the regulator orders a new
sampling task and the laboratory's final conclusion on it is the step's result. A plan may change a step's days
and basis (its own article) without touching the path.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data" / "ladders"
ACTORS = {"regulator": "监管部门", "enterprise": "生产企业"}
KINDS = {"working": "工作日", "calendar": "自然日"}
MAINTAINED = "@maintained"  # no 复查 applied for in time: the spot check's conclusion stands
CONCLUSIONS = {
    "@passed": "复查确认合格",
    "@failed": "复查确认不合格",
    MAINTAINED: "未按期申请复查，抽查结论维持不合格",
    "@revoke": "整顿后仍不合格，提请吊销营业执照",
    "@corrected": "已改正",
}
RESULTS = {"done": "已完成", "passed": "合格", "failed": "不合格"}
# What a step nobody did in time records when its ladder says what lateness means (not a result anyone gives).
LAPSED = "lapsed"
LAPSED_LABEL = "逾期未办"
MAX_DAYS = 366


class LadderError(ValueError):
    pass


@dataclass(frozen=True)
class StepRule:
    code: str
    name: str
    actor: str
    days: int
    kind: str
    basis: str
    results: dict[str, str]
    verified: bool = False
    counts_from: str = ""
    not_before: int = 0
    when_late: str = ""
    sampled: bool = False  # a 复查: its result is the conclusion of a new sampling task tested by a laboratory

    @property
    def actor_label(self) -> str:
        return ACTORS[self.actor]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Ladder:
    code: str
    name: str
    basis: str
    note: str
    first: str
    steps: dict[str, StepRule] = field(default_factory=dict)

    def step(self, code: str) -> StepRule:
        return self.steps[code]

    def with_periods(self, overrides: dict[str, dict[str, Any]]) -> Ladder:
        """The same path with a plan's own days, kind and basis for some steps (checked like the files)."""
        steps = dict(self.steps)
        for code, values in (overrides or {}).items():
            if code not in steps:
                raise LadderError(f"{self.name}没有“{code}”这一步")
            rule = steps[code]
            days = values.get("days", rule.days)
            kind = values.get("kind", rule.kind)
            basis = str(values.get("basis", "")).strip()
            _check_period(days, kind, f"{rule.name}")
            if not basis:
                raise LadderError(f"{rule.name}：改变期限须写明所依据的条款")
            steps[code] = replace(rule, days=days, kind=kind, basis=basis, verified=True)
        return replace(self, steps=steps)


def _check_period(days: Any, kind: Any, where: str) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS:
        raise LadderError(f"{where}：天数应为 0 到 {MAX_DAYS} 的整数")
    if kind not in KINDS:
        raise LadderError(f"{where}：计算方式应为 working（工作日）或 calendar（自然日）")


def parse(raw: dict) -> Ladder:
    """A ladder from its YAML mapping; every path must end in a conclusion and name only its own steps."""
    try:
        steps = {}
        for entry in raw["steps"]:
            rule = StepRule(
                code=entry["code"],
                name=entry["name"],
                actor=entry["actor"],
                days=entry["days"],
                kind=entry["kind"],
                basis=entry["basis"],
                results=dict(entry["results"]),
                verified=bool(entry.get("verified", False)),
                counts_from=entry.get("counts_from", ""),
                not_before=int(entry.get("not_before", 0)),
                when_late=entry.get("when_late", ""),
                sampled=bool(entry.get("sampled", False)),
            )
            if rule.code in steps:
                raise LadderError(f"步骤“{rule.code}”重复")
            steps[rule.code] = rule
        ladder = Ladder(raw["code"], raw["name"], raw["basis"], raw.get("note", ""), raw["first"], steps)
    except (KeyError, TypeError) as exc:
        raise LadderError(f"缺少或无法读取：{exc}") from None
    _check(ladder)
    return ladder


def _check(ladder: Ladder) -> None:
    if ladder.first not in ladder.steps:
        raise LadderError(f"{ladder.code}：第一步“{ladder.first}”不存在")
    for rule in ladder.steps.values():
        where = f"{ladder.code}.{rule.code}"
        if rule.actor not in ACTORS:
            raise LadderError(f"{where}：办理人应为 {'、'.join(ACTORS)} 之一")
        _check_period(rule.days, rule.kind, where)
        if not rule.results or set(rule.results) - set(RESULTS):
            raise LadderError(f"{where}：结果应为 {'、'.join(RESULTS)} 中的一个或几个")
        for target in [*rule.results.values(), *([rule.when_late] if rule.when_late else [])]:
            if target not in ladder.steps and target not in CONCLUSIONS:
                raise LadderError(f"{where}：去向“{target}”既不是步骤也不是结论")
        if rule.counts_from and rule.counts_from not in ladder.steps:
            raise LadderError(f"{where}：起算步骤“{rule.counts_from}”不存在")
        if rule.sampled and (set(rule.results) != {"passed", "failed"} or rule.actor != "regulator"):
            raise LadderError(f"{where}：抽样复查由监管部门组织，结果只能是合格或不合格")
        if rule.not_before > rule.days:
            raise LadderError(f"{where}：最早日期晚于期限")


def load(directory: Path = DATA_DIR) -> dict[str, Ladder]:
    ladders = {}
    for path in sorted(directory.glob("*.yaml")):
        ladder = parse(yaml.safe_load(path.read_text(encoding="utf-8")))
        ladders[ladder.code] = ladder
    return ladders


LADDERS = load()


def ladder(code: str) -> Ladder:
    try:
        return LADDERS[code]
    except KeyError:
        raise LadderError(f"没有“{code}”这种处理程序") from None


def outcome_label(target: str) -> str:
    return CONCLUSIONS.get(target, "")
