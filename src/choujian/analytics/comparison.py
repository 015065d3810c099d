"""Laboratory comparison (ISO 13528): for each item, every round's laboratories are scored against the round's
robust mean (Algorithm A over the round's values), on the scale of the item's robust relative standard deviation
(Algorithm A over every laboratory's relative deviation in every round of the item), so that a round of two or
three laboratories is still judged on a scale learnt from all rounds:

    x*_r = Algorithm A mean of round r          d = (x − x*_r) / x*_r
    s_rel = Algorithm A standard deviation of every d of the item
    σ_r = s_rel × |x*_r|                        z = (x − x*_r) / σ_r

|z| ≥ 3 is a warning (不满意), 2 ≤ |z| < 3 a watch (可疑). Rounds come from re-tests (the backup of a sample beside its
first test, recorded by the scheduled job) and from retained-sample comparisons the organiser records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.scope import regulators_of
from choujian.analytics import stats
from choujian.analytics.choices import RoundKind
from choujian.analytics.models import ComparisonRound
from choujian.core.codes import next_code
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.policy import CHANGE, NOTHING, condition
from choujian.ledger.services import ledger_append
from choujian.notifications.services import message_send
from choujian.testing.choices import RetestStatus
from choujian.testing.models import LabSample, Result, Retest

WATCH, WARNING = 2.0, 3.0


@dataclass
class Row:
    round: ComparisonRound
    laboratory: str
    value: float
    values: list[float]
    robust_mean: float
    robust_sd: float | None
    relative_sd: float | None
    z: float | None

    @property
    def verdict(self) -> str:
        if self.z is None:
            return ""
        return "warning" if abs(self.z) >= WARNING else "watch" if abs(self.z) >= WATCH else "ok"


def _number(raw) -> float | None:
    try:
        return float(Decimal(str(raw).strip()))
    except (InvalidOperation, ValueError, TypeError):
        return None


def rows(rounds) -> list[Row]:
    """Every laboratory's z in every round, item by item."""
    by_item: dict[str, list[ComparisonRound]] = {}
    for found in rounds:
        by_item.setdefault(found.item, []).append(found)
    result = []
    for item_rounds in by_item.values():
        centred = []
        for found in item_rounds:
            values = [(v["laboratory"], _number(v["value"])) for v in found.values]
            values = [(lab, x) for lab, x in values if x is not None]
            if len(values) < 2:
                continue
            mean = stats.algorithm_a([x for _lab, x in values]).mean
            centred.append((found, values, mean))
        deviations = [(x - mean) / mean for _f, values, mean in centred if mean for _lab, x in values]
        relative = stats.algorithm_a(deviations).sd if len(deviations) >= 2 else None
        for found, values, mean in centred:
            sd = relative * abs(mean) if relative else None
            for lab, x in values:
                z = (x - mean) / sd if sd else None
                result.append(Row(found, lab, x, [v for _l, v in values], mean, sd, relative, z))
    return result


def lab_summary(found: list[Row]) -> list[dict]:
    """Per testing body and item: how many rounds, the largest |z|, and the verdict."""
    summary: dict[tuple[str, str], dict] = {}
    for row in found:
        if row.z is None:
            continue
        key = (row.laboratory, row.round.item_name)
        entry = summary.setdefault(key, {"laboratory": key[0], "item": key[1], "rounds": 0, "worst": 0.0})
        entry["rounds"] += 1
        if abs(row.z) > abs(entry["worst"]):
            entry["worst"] = row.z
    for entry in summary.values():
        worst = abs(entry["worst"])
        entry["verdict"] = "warning" if worst >= WARNING else "watch" if worst >= WATCH else "ok"
    return sorted(summary.values(), key=lambda e: (-abs(e["worst"]), e["laboratory"], e["item"]))


def _item_names(lab_sample: LabSample) -> dict[str, str]:
    content = lab_sample.ruleset.content if lab_sample.ruleset_id else {}
    return {item["code"]: item.get("name", item["code"]) for item in content.get("items", [])}


@transaction.atomic
def comparisons_from_retests() -> list[ComparisonRound]:
    """Each finished re-test, item by item: the first test's value beside the re-test's (the scheduled job)."""
    made = []
    done = Retest.objects.filter(status=RetestStatus.STATUS_DONE).exclude(
        pk__in=ComparisonRound.objects.filter(retest__isnull=False).values("retest_id")
    )
    for retest in done.select_related("sample__task__product__category"):
        first = LabSample.objects.filter(portion__sample=retest.sample, is_retest=False).select_related(
            "laboratory", "ruleset").first()  # fmt: skip
        again = LabSample.objects.filter(portion=retest.portion, is_retest=True).select_related("laboratory").first()
        if first is None or again is None:
            continue
        names = _item_names(first)
        mine = {r.item: r for r in Result.objects.filter(lab_sample=first, current=True)}
        theirs = {r.item: r for r in Result.objects.filter(lab_sample=again, current=True)}
        for item in sorted(set(mine) & set(theirs)):
            a, b = mine[item].combined or mine[item].rounded, theirs[item].combined or theirs[item].rounded
            if _number(a) is None or _number(b) is None:
                continue
            found = ComparisonRound.objects.create(
                code=next_code("BD", timezone.localdate().year), kind=RoundKind.KIND_RETEST,
                category_code=retest.sample.task.product.category.code, item=item, item_name=names.get(item, item),
                unit=mine[item].unit, material=f"样品 {retest.sample.code}（复检备样）", held_on=timezone.localdate(),
                values=[{"laboratory": first.laboratory.name, "value": a}, {"laboratory": again.laboratory.name,
                                                                            "value": b}], retest=retest,
            )  # fmt: skip
            ledger_append(type="comparison.recorded", actor="system", object=found)
            made.append(found)
    return made


@transaction.atomic
def comparison_record(
    *, actor, category_code: str, item: str, item_name: str, unit: str, material: str, held_on, values: list[dict],
    today: dt.date | None = None,
) -> ComparisonRound:  # fmt: skip
    """A retained-sample comparison the organiser ran: one item, each laboratory's value as reported."""
    from choujian.core.dates import parse_date

    today = today or timezone.localdate()
    if condition(ComparisonRound, actor, CHANGE) == NOTHING:  # the policy answers whether the user records any
        raise NotPermitted("留样比对由监管部门登记")
    errors = {}
    labs = [str(v.get("laboratory", "")).strip() for v in values]
    if len(values) < 2 or any(not lab for lab in labs) or len(set(labs)) != len(labs):
        errors["values"] = ["至少两家检验机构，各一个测得值，机构不重复"]
    bad = [lab for lab, v in zip(labs, values, strict=True) if _number(v.get("value")) is None]
    if bad:
        errors["values"] = [f"测得值应为数字：{'、'.join(bad)}"]
    for name, value in (("item", item), ("item_name", item_name), ("material", material),
                        ("category_code", category_code)):  # fmt: skip
        if not str(value or "").strip():
            errors[name] = ["不能为空"]
    try:
        held_on = parse_date(held_on)
        if held_on > today:
            errors["held_on"] = ["比对日期不能晚于今天"]
    except ValueError as exc:
        errors["held_on"] = [str(exc)]
    if errors:
        raise ServiceError(errors)
    found = ComparisonRound.objects.create(
        code=next_code("BD", held_on.year), kind=RoundKind.KIND_RETAINED, category_code=category_code.strip(),
        item=item.strip(), item_name=item_name.strip(), unit=(unit or "").strip(), material=material.strip()[:200],
        held_on=held_on, values=[{"laboratory": lab, "value": str(v["value"]).strip()} for lab, v in
                                 zip(labs, values, strict=True)], recorded_by=actor,
    )  # fmt: skip
    ledger_append(type="comparison.recorded", actor=actor, object=found)
    _tell(
        found, [m.user for org in regulators_of(actor) for m in org.memberships.filter(role__in=Role.REGULATOR_WRITERS)]
    )
    return found


def _tell(found: ComparisonRound, recipients) -> None:
    """A testing body whose z in this round is 3 or more is an unsatisfactory result: the regulators are told."""
    for row in rows(ComparisonRound.objects.filter(item=found.item)):
        if row.round.pk == found.pk and row.verdict == "warning":
            message_send(
                recipients=recipients, kind="analytics.lab_warning", about=found,
                subject=f"实验室比对不满意：{row.laboratory} {found.item_name} z = {row.z:.2f}（{found.code}）",
                body=f"测得值 {row.value} {found.unit}，本轮稳健平均值 {row.robust_mean:.4g}，σ = {row.robust_sd:.4g}。"
                "请核查该机构的检验过程并安排复核。",
                link="/analytics/labs/",
            )  # fmt: skip
