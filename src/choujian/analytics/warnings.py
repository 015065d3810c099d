"""Early warnings (预警): each category's monthly failure rate per province, checked every month against its own
baseline with an upper CUSUM (k = 0.5σ, h = 5σ) and the Western Electric rules. A signal in one of the last
three complete months raises a warning (one open at a time per category and region) with its chart data, the evidence
and the suggested action, and tells the regulators of the region."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import Organisation
from choujian.analytics import stats
from choujian.analytics.choices import WarningStatus
from choujian.analytics.models import QualityWarning, ResultFact
from choujian.core.codes import next_code
from choujian.core.divisions import name_of
from choujian.ledger.services import ledger_append
from choujian.notifications.services import message_send

BASELINE_MONTHS = 12  # at least this many months before the 12 checked
CHECKED_MONTHS = 12
RECENT = 3  # a signal older than this many months is history, not news
RULES = {
    "cusum": "CUSUM 累积和超过 5σ",
    "rule1": "单月超出 3σ 控制限",
    "rule2": "连续 3 个月中 2 个月超出 2σ",
    "rule3": "连续 5 个月中 4 个月超出 1σ",
    "rule4": "连续 8 个月高于基准",
}
ACTION = (
    "建议将{category}列为下一期抽查重点：提高抽查比例（可按风险评分加权抽取），对近期不合格企业约谈并跟踪整改，"
    "分析主要不合格项目的成因，必要时开展专项整治。"
)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def series(category: str, province: str, last_month: dt.date) -> tuple[list[dt.date], list[int], list[int]]:
    rows = ResultFact.objects.filter(
        category_code=category, recheck=False, refused=False, final_on__lt=_next(last_month)
    )
    if province != "000000":
        rows = rows.filter(region__startswith=province[:2])
    counted = (
        rows.annotate(month=TruncMonth("final_on"))
        .values("month")
        .annotate(n=Count("pk"), x=Count("pk", filter=Q(passed=False)))
    )
    by_month = {_as_date(row["month"]): (row["x"], row["n"]) for row in counted}
    if not by_month:
        return [], [], []
    months = _months(min(by_month), last_month)
    return months, [by_month.get(m, (0, 0))[0] for m in months], [by_month.get(m, (0, 0))[1] for m in months]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def chart(category: str, province: str, last_month: dt.date) -> dict | None:
    """The control chart of the last 12 months against the baseline before them, or None without enough history."""
    months, failed, lots = series(category, province, last_month)
    if len(months) < BASELINE_MONTHS + CHECKED_MONTHS:
        return None
    base_x, base_n = sum(failed[:-CHECKED_MONTHS]), sum(lots[:-CHECKED_MONTHS])
    if base_n == 0:
        return None
    target = min(max(base_x / base_n, 0.5 / base_n), 1 - 0.5 / base_n)
    checked = slice(len(months) - CHECKED_MONTHS, None)
    z = stats.standardised(failed[checked], lots[checked], target)
    sums, cusum_signals = stats.cusum(z)
    rules = stats.western_electric(z)
    for t in cusum_signals:
        rules.setdefault(t, []).append("cusum")
    return {
        "months": [f"{m:%Y-%m}" for m in months[checked]],
        "failed": failed[checked], "lots": lots[checked],
        "rates": [round(x / n, 4) if n else None for x, n in zip(failed[checked], lots[checked], strict=True)],
        "z": [None if v is None else round(v, 3) for v in z], "cusum": [round(s, 3) for s in sums],
        "baseline": {"rate": round(target, 4), "failed": base_x, "lots": base_n, "from": f"{months[0]:%Y-%m}"},
        "signals": {f"{months[checked][t]:%Y-%m}": sorted(found) for t, found in rules.items()},
    }  # fmt: skip


def _recipients(province: str):
    regulators = Organisation.objects.filter(kind="regulator", region=province)
    return [m.user for org in regulators for m in org.memberships.filter(role__in=Role.REGULATOR_WRITERS)]


def warnings_scan(today: dt.date | None = None) -> list[QualityWarning]:
    """The monthly job: every category × province (and the whole country) with enough history."""
    today = today or timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    recent = {f"{m:%Y-%m}" for m in _months(_minus(last_month, RECENT - 1), last_month)}
    raised = []
    pairs = (
        ResultFact.objects.filter(recheck=False).annotate(province=Substr("region", 1, 2))
        .values_list("category_code", "category_name", "province").distinct()
    )  # fmt: skip
    for category, name, province in sorted(set(pairs)):
        found = chart(category, f"{province}0000", last_month)
        if found is None:
            continue
        latest = [(month, rules) for month, rules in sorted(found["signals"].items()) if month in recent]
        if latest:  # the newest signal speaks for the run of months; one open warning per category and region
            raised += _raise(category, name, f"{province}0000", *latest[-1], found)
    return raised


def _minus(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


@transaction.atomic
def _raise(category: str, name: str, region: str, month: str, rules: list[str], found: dict) -> list[QualityWarning]:
    day = dt.date.fromisoformat(f"{month}-01")
    earlier = QualityWarning.objects.filter(category_code=category, region=region)
    if earlier.filter(Q(month=day) | Q(status=WarningStatus.STATUS_OPEN)).exists():
        return []
    at = found["months"].index(month)
    evidence = found | {
        "month": month, "rate": found["rates"][at], "failed_in_month": found["failed"][at],
        "lots_in_month": found["lots"][at], "rules": [RULES[r] for r in rules],
    }  # fmt: skip
    warning = QualityWarning.objects.create(
        code=next_code("YJ", day.year), category_code=category, category_name=name, region=region, month=day,
        rules=rules, evidence=evidence, action=ACTION.format(category=name),
    )  # fmt: skip
    ledger_append(type="warning.raised", actor="system", object=warning)
    message_send(
        recipients=_recipients(region), kind="analytics.warning", about=warning,
        subject=f"质量预警 {warning.code}：{name}（{name_of(region)}）{month} 不合格率异常",
        body=f"{'；'.join(evidence['rules'])}。本月不合格 {evidence['failed_in_month']}/"
        f"{evidence['lots_in_month']} 批次，基准不合格率 {found['baseline']['rate']:.1%}。{warning.action}",
        link=f"/analytics/warnings/{warning.code}/",
    )  # fmt: skip
    return [warning]
