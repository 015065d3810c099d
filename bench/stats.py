"""Statistics benchmark: the dashboard's aggregates over a large table of results.

Generates N final results straight into `analytics_resultfact` (COPY on PostgreSQL, batched inserts on SQLite):
60 categories, the county-level divisions of eight provinces, 60 testing bodies, 100,000 enterprises, five years.
Then builds the monthly rollups as the task queue's job does (`analytics.rollups`), and times, as a national
regulator sees them, the pass rates by category, by city, by quarter and by testing body (the dashboard), by month,
and by enterprise within one category (the funnel and risk pages) — the same selector the pages and
`GET /api/v1/stats/pass-rates/` use — once reading the rollups (with any result not yet rolled up: 1,000 are added
after the refresh, as if they arrived since) and once counting the results themselves (the baseline: one GROUP BY
over the indexed table). After the load and after the first rollup the tables are analysed (and vacuumed on
PostgreSQL), as autovacuum would do after such changes. Goal: < 1 s each.
"""

from __future__ import annotations

import datetime as dt
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
           "failed_items", "draw_arm")  # fmt: skip
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
               region[:2] + "0000", False, False, not failed, "A" if failed else "", "[]", "")  # fmt: skip


def _copy_or_insert(cursor, rows, say: Say = lambda line: None) -> None:
    table = "analytics_resultfact"
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for index, row in enumerate(rows, 1):
                copy.write_row(row)
                if index % 1_000_000 == 0:
                    say(f"  {index:,} rows")
        return
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    batch = []
    for index, row in enumerate(rows, 1):
        batch.append(row)
        if len(batch) == 50_000:
            cursor.executemany(sql, batch)
            batch = []
        if index % 1_000_000 == 0:
            say(f"  {index:,} rows")
    if batch:
        cursor.executemany(sql, batch)


def _queue(cursor, after: int = 0) -> None:
    """Queue the loaded results for the rollups, as writing them through the platform does."""
    cursor.execute("INSERT INTO analytics_pendingfact (fact_id) SELECT id FROM analytics_resultfact WHERE id > %s",
                   [after])  # fmt: skip


def _analyze() -> None:
    """What autovacuum does after large changes (statistics and the visibility map), done at once."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("analytics_resultfact", "analytics_pendingfact", "analytics_resultrollup"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def _load(n: int, say: Say) -> float:
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _copy_or_insert(cursor, _rows(n, random.Random(SEED)), say)
        _queue(cursor)
    _analyze()
    return time.perf_counter() - started


def _national_regulator():
    from choujian.accounts.models import Membership, Organisation, User

    org = Organisation.objects.create(name="基准测试·全国监管", kind="regulator", level="national", region="100000")
    user = User.objects.create(username="bench-national", display_name="基准测试")
    Membership.objects.create(user=user, organisation=org, role="regulator_officer")
    return User.objects.get(pk=user.pk)


def run(*, quick: bool = False, say: Say = print) -> dict:
    from choujian.analytics import rollups, selectors
    from choujian.analytics.models import ResultFact, ResultRollup

    if ResultFact.objects.exists():
        raise RuntimeError("the statistics table is not empty; run the benchmark on a fresh database")
    n = QUICK_ROWS if quick else ROWS
    say(f"generating {n:,} results on {connection.vendor}")
    load = _load(n, say)
    say(f"  loaded in {load:.1f} s")
    started = time.perf_counter()
    rolled = rollups.rollups_refresh()
    refresh = time.perf_counter() - started
    say(f"  rollups built from {rolled:,} results in {refresh:.1f} s")
    _analyze()
    last = ResultFact.objects.order_by("-pk").values_list("pk", flat=True).first()
    with transaction.atomic(), connection.cursor() as cursor:  # results that arrived after the last refresh
        _copy_or_insert(cursor, _rows(1000, random.Random(SEED + 1)))
        _queue(cursor, last)
    user = _national_regulator()
    get_division("350100")
    queries = {
        "category": ("category", {}),
        "region (city)": ("region", {}),
        "quarter": ("quarter", {}),
        "lab": ("lab", {}),
        "month": ("month", {}),
        "category, 2025-03-15 to 2026-02-10": ("category", {"date_from": dt.date(2025, 3, 15),
                                                            "date_to": dt.date(2026, 2, 10)}),
        "enterprise in one category": ("enterprise", {"category": "JT-0001"}),
    }  # fmt: skip
    figures = {}
    for name, (by, filters) in queries.items():
        figure = {}
        for method, use in (("rollups", True), ("results", False)):
            times, found = [], []
            for _ in range(3):
                begun = time.perf_counter()
                found = selectors.pass_rates(user, by, use_rollups=use, **filters)
                times.append(time.perf_counter() - begun)
            figure[method] = {"median_seconds": round(statistics.median(times), 4),
                              "runs": [round(t, 4) for t in times], "groups": len(found),
                              "lots": sum(r.lots for r in found)}  # fmt: skip
        fast = figure["rollups"]["median_seconds"]
        assert figure["rollups"]["lots"] == figure["results"]["lots"], f"{name}: the rollups disagree"
        figure |= {"goal_seconds": GOAL_SECONDS, "met": fast < GOAL_SECONDS,
                   "ratio_to_results": round(fast / figure["results"]["median_seconds"], 4)}  # fmt: skip
        mark = "✓" if fast < GOAL_SECONDS else "✗"
        say(f"  by {name}: {fast:.3f} s (goal < {GOAL_SECONDS:.0f} s) {mark} · counting the results: "
            f"{figure['results']['median_seconds']:.3f} s · {figure['rollups']['groups']} rows")  # fmt: skip
        figures[name] = figure
    cells = ResultRollup.objects.count()
    return {"rows": n, "load_seconds": round(load, 1), "rollup_refresh_seconds": round(refresh, 1),
            "rollup_cells": cells, "aggregates": figures,
            "method": "monthly rollup table (analytics_resultrollup) kept current by the task queue's facts job, "
                      "read together with the results not yet rolled up and the partial months at the ends of a "
                      "date range; any other filter reads the indexed results table"}  # fmt: skip
