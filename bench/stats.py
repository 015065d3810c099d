"""Statistics benchmark: the dashboard's aggregates over a large table of results.

Generates N final results straight into `analytics_resultfact` (COPY on PostgreSQL, batched inserts on SQLite):
60 categories, the county-level divisions of eight provinces, 60 testing bodies, 100,000 enterprises, five years.
Then times, as a national regulator sees them, the pass rates by category, by city, by quarter and by testing body
(the dashboard), by month, and by enterprise within one category (the funnel and risk pages) — the same selector the
pages and `GET /api/v1/stats/pass-rates/` use: one GROUP BY over the indexed table, no rollups. Goal: < 1 s each.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import time
from collections.abc import Callable

from django.db import connection, transaction

from choujian.core.divisions import children, get_division

Say = Callable[[str], None]
ROWS = 10_000_000
QUICK_ROWS = 200_000
GOAL_SECONDS = 1.0
PROVINCES = ["350000", "360000", "330000", "440000", "370000", "320000", "430000", "510000"]
COLUMNS = ("source", "task_code", "final_on", "enterprise_name", "uscc", "region", "category_code", "category_name",
           "laboratory", "project", "section", "regulator_region", "recheck", "refused", "passed", "worst_class",
           "failed_items")  # fmt: skip
SEED = 20261206


def _counties() -> list[str]:
    codes = []
    for province in PROVINCES:
        for city in children(province):
            kids = children(city.code) if city.level == "city" else []
            codes += [kid.code for kid in kids] or [city.code]
    return codes


def _rows(n: int, rng: random.Random):
    counties = _counties()
    categories = [(f"JT-{i:04d}", f"产品类别{i}") for i in range(1, 61)]
    labs = [f"检验机构{i}" for i in range(1, 61)]
    makers = [(f"91{rng.randrange(10**15):015d}X", f"企业{i}", rng.choice(counties)) for i in range(100_000)]
    start = dt.date(2022, 1, 1)
    for _ in range(n):
        uscc, name, region = rng.choice(makers)
        code, category = rng.choice(categories)
        failed = rng.random() < 0.08
        day = start + dt.timedelta(days=rng.randrange(1826))
        yield ("imported", "", day.isoformat(), name, uscc, region, code, category, rng.choice(labs), "", "",
               region[:2] + "0000", False, False, not failed, "A" if failed else "", "[]")  # fmt: skip


def _load(n: int, say: Say) -> float:
    rng = random.Random(SEED)
    started = time.perf_counter()
    table = "analytics_resultfact"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for index, row in enumerate(_rows(n, rng), 1):
                    copy.write_row(row)
                    if index % 1_000_000 == 0:
                        say(f"  {index:,} rows")
            del buffer
        else:
            sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            batch = []
            for index, row in enumerate(_rows(n, rng), 1):
                batch.append(row)
                if len(batch) == 50_000:
                    cursor.executemany(sql, batch)
                    batch = []
                if index % 1_000_000 == 0:
                    say(f"  {index:,} rows")
            if batch:
                cursor.executemany(sql, batch)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def _national_regulator():
    from choujian.accounts.models import Membership, Organisation, User

    org = Organisation.objects.create(name="基准测试·全国监管", kind="regulator", level="national", region="100000")
    user = User.objects.create(username="bench-national", display_name="基准测试")
    Membership.objects.create(user=user, organisation=org, role="regulator_officer")
    return User.objects.get(pk=user.pk)


def run(*, quick: bool = False, say: Say = print) -> dict:
    from choujian.analytics import selectors
    from choujian.analytics.models import ResultFact

    if ResultFact.objects.exists():
        raise RuntimeError("the statistics table is not empty; run the benchmark on a fresh database")
    n = QUICK_ROWS if quick else ROWS
    say(f"generating {n:,} results on {connection.vendor}")
    load = _load(n, say)
    say(f"  loaded in {load:.1f} s")
    user = _national_regulator()
    get_division("350100")
    queries = {
        "category": lambda: selectors.pass_rates(user, "category"),
        "region (city)": lambda: selectors.pass_rates(user, "region", region_level="city"),
        "quarter": lambda: selectors.pass_rates(user, "quarter"),
        "lab": lambda: selectors.pass_rates(user, "lab"),
        "month": lambda: selectors.pass_rates(user, "month"),
        "enterprise in one category": lambda: selectors.pass_rates(user, "enterprise", category="JT-0001"),
        "category, one year": lambda: selectors.pass_rates(
            user, "category", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
        ),  # fmt: skip
    }
    figures = {}
    for name, query in queries.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            found = query()
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        mark = "✓" if median < GOAL_SECONDS else "✗"
        say(f"  by {name}: {median:.3f} s (goal < {GOAL_SECONDS:.0f} s) {mark} · {len(found)} rows")
        figures[name] = {"median_seconds": round(median, 4), "runs": [round(t, 4) for t in times], "groups": len(found),
                         "goal_seconds": GOAL_SECONDS, "met": median < GOAL_SECONDS}  # fmt: skip
    return {"rows": n, "load_seconds": round(load, 1), "aggregates": figures,
            "method": "one GROUP BY over analytics_resultfact with its indexes (no rollup tables)"}  # fmt: skip
