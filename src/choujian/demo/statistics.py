"""Several years of the province's earlier results for the statistics: the ledger of spot checks kept before the
platform (exported from the old provincial system as a spreadsheet) is imported by `regulator` through the same
import anyone uses, up to last month. It covers every category the demo's makers produce, across the province's
cities and counties, each maker with a propensity of its own; one category has a planted rise in its failure rate over
the last four months, so the monthly control chart raises a warning (and the province's officers are told); last
quarter's bulletin waits for its second approval (the one before is published)."""

from __future__ import annotations

import datetime as dt
from random import Random

from choujian.accounts.models import User
from choujian.analytics.bulletins import bulletin_draft, bulletin_publish
from choujian.analytics.choices import SignalKind
from choujian.analytics.comparison import comparison_record
from choujian.analytics.history import COLUMNS
from choujian.analytics.services import history_import, signal_create
from choujian.analytics.warnings import warnings_scan
from choujian.core import tabular
from choujian.demo import data
from choujian.registry.models import Enterprise, Product, Section

YEARS = 3
PLANTED = "JT-0303"  # 预应力混凝土用钢绞线: its failures rise over the last four months
PLANTED_MONTHS = 4
HOLDOUT = 0.2
ITEMS = {"A": ["最大力", "规定塑性延伸力", "抗压强度", "针入度", "密度"], "B": ["最大力总伸长率", "软化点", "外观质量"],
         "C": ["标志", "尺寸偏差"]}  # fmt: skip


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def history_rows(today: dt.date, rng: Random) -> list[list]:
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = dt.date(today.year - YEARS, 1, 1)
    months = _months(first, last)
    pairs = list(
        Product.objects.filter(enterprise__region__startswith=data.PROVINCE[0][:2])
        .values_list("enterprise__name", "enterprise__uscc", "enterprise__region", "category__code", "category__name")
        .distinct()
        .order_by("category__code", "enterprise__uscc")
    )
    labs = [name for _region, name, *_rest in data.LABORATORIES]
    sections = list(Section.objects.select_related("project").order_by("pk").values_list("project__name", "name"))
    by_category: dict[str, list] = {}
    for pair in pairs:
        by_category.setdefault(pair[3], []).append(pair)
    propensity = {pair[1] + pair[3]: rng.lognormvariate(0, 0.6) for pair in pairs}
    rows = []
    for code, makers in sorted(by_category.items()):
        base = rng.uniform(0.04, 0.11)
        per_month = 18 if code == PLANTED else max(2, min(6, len(makers)))
        for index, month in enumerate(months):
            planted = code == PLANTED and index >= len(months) - PLANTED_MONTHS
            lots = per_month + rng.randint(-2, 2)
            failures = round(lots * 0.32) if planted else None
            weights = [propensity[maker[1] + code] for maker in makers]
            for lot in range(lots):
                arm = ""
                if month.year >= today.year - 1:
                    arm = "对照组" if rng.random() < HOLDOUT else "风险定向"
                maker = rng.choices(makers, weights)[0] if arm == "风险定向" else rng.choice(makers)
                name, uscc, region, _code, category = maker
                if failures is not None:
                    failed = lot < failures
                else:
                    failed = rng.random() < min(0.6, base * propensity[uscc + code])
                day = month + dt.timedelta(days=rng.randrange(0, 27))
                if day >= today:
                    day = today - dt.timedelta(days=1)
                project, section = rng.choice(sections) if code.startswith("JT") and rng.random() < 0.5 else ("", "")
                worst = rng.choices("ABC", (5, 3, 2))[0] if failed else ""
                items = "；".join(rng.sample(ITEMS[worst], 1)) if failed else ""
                conclusion = "不合格" if failed else ("拒检" if rng.random() < 0.005 else "合格")
                if conclusion == "拒检":
                    worst, items = "", ""
                rows.append([day.isoformat(), name, uscc, region, code, category, rng.choice(labs), project, section,
                             conclusion, worst, items, arm])  # fmt: skip
    return rows


def build_statistics(users: dict[str, User], today: dt.date) -> None:
    """One spreadsheet a year, as the old system exported them."""
    rows = history_rows(today, Random(f"{data.SEED}/statistics"))
    header = [title for _name, title, _required in COLUMNS]
    for year in range(today.year - YEARS, today.year + 1):
        lines = [row for row in rows if row[0].startswith(str(year))]
        history_import(
            actor=users["regulator"], filename=f"{year}年度监督抽查台账（原系统导出）.csv",
            data=tabular.write_csv(header, lines), note="省、市两级组织的监督抽查结果，从原系统按年度导出", today=today,
        )  # fmt: skip
    _signals(users["regulator"], today)
    _comparisons(users["regulator"], today, Random(f"{data.SEED}/comparisons"))
    warnings_scan(today)
    # the quarter before last: drafted by `regulator`, published by `regulator2`; last quarter's waits for `regulator2`
    year, quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    earlier = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    draft = bulletin_draft(actor=users["regulator"], year=earlier[0], quarter=earlier[1], today=today)
    bulletin_publish(actor=users["regulator2"], bulletin=draft)
    bulletin_draft(actor=users["regulator"], year=year, quarter=quarter, today=today)


def _signals(officer: User, today: dt.date) -> None:
    """What the province heard about two strand makers from outside its own checks."""
    makers = list(
        Enterprise.objects.filter(products__category__code=PLANTED, region__startswith=data.PROVINCE[0][:2])
        .distinct()
        .order_by("uscc")[:2]
    )
    if len(makers) < 2:
        return
    signal_create(
        actor=officer, enterprise=makers[0], kind=SignalKind.KIND_OTHER_REGION, category_code=PLANTED,
        source="江西省市场监督管理局产品质量监督抽查结果通报（2026年第3期）", weight="1.0",
        observed_on=today - dt.timedelta(days=100), note="同型号钢绞线最大力不合格", today=today,
    )  # fmt: skip
    signal_create(
        actor=officer, enterprise=makers[1], kind=SignalKind.KIND_COMPLAINT, source="12345 热线转办单 FZ2026110387",
        weight="0.5", observed_on=today - dt.timedelta(days=30), note="施工单位反映钢绞线表面锈蚀", today=today,
    )  # fmt: skip


# (category, item code, item name, unit, true value, relative spread)
COMPARED = [
    ("JT-0303", "max_force", "最大力", "kN", 265.0, 0.012),
    ("JT-0301", "penetration", "针入度（25 ℃，5 s，100 g）", "0.1 mm", 68.0, 0.02),
    ("JT-0102", "density", "密度", "g/cm³", 2.05, 0.01),
    ("JT-0101", "base_thickness", "波形梁板基底金属厚度", "mm", 4.0, 0.008),
]


def _comparisons(officer: User, today: dt.date, rng: Random) -> None:
    """Retained-sample comparisons each quarter for two years between the province's testing bodies and five reference
    laboratories from elsewhere; in the latest round one of the province's bodies reads the asphalt's penetration
    high."""
    labs = [
        *(f"参比实验室 {n}（外省参加）" for n in range(1, 6)),
        *(name for _region, name, *_rest in data.LABORATORIES),
    ]
    quarters = [today - dt.timedelta(days=91 * back + 20) for back in range(8, 0, -1)]
    for held_on in quarters:
        for category, item, name, unit, true, spread in COMPARED:
            values = []
            for index, lab in enumerate(labs):
                value = true * (1 + rng.gauss(0, spread))
                if item == "penetration" and held_on == quarters[-1] and index == len(labs) - 1:
                    value = true * (1 + 5 * spread)
                values.append({"laboratory": lab, "value": f"{value:.{3 if true < 10 else 1}f}"})
            comparison_record(
                actor=officer, category_code=category, item=item, item_name=name, unit=unit, values=values,
                material=f"{held_on.year}年第{(held_on.month - 1) // 3 + 1}季度留样（{name}）", held_on=held_on,
                today=today,
            )  # fmt: skip
