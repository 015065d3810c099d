"""Monthly rollups of the results table, so the dashboard's aggregates stay fast at ten million results.

`ResultRollup` holds, per dimension (category, region, testing body, or all together), month, enterprise province,
organiser province and 复查 flag, the counts of tested lots, failures and refusals. Every new result is queued
(`PendingFact`, written with it); the task queue keeps the rollups current (`rollups_refresh`, with the facts job
every 10 minutes): in one transaction and one snapshot it adds a million queued results' counts and dequeues them.
A pass-rate query reads, in one SQL statement (one snapshot), the rollup for the whole months of its date range plus
the results themselves for the partial months at either end and for any result still queued — so it is always
exact, never stale.

Used for the regulators who see whole provinces or the country, grouping by category, region, testing body, month or
quarter with at most a date range; any other filter narrows the results enough to read them directly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import Concat, Substr, TruncMonth, TruncQuarter

from choujian.analytics.models import PendingFact, ResultFact, ResultRollup
from choujian.core.policy import VIEW, restrict

# dimension → (key field, name field) of the results table
SOURCES = {"category": ("category_code", "category_name"), "region": ("region", None), "lab": ("laboratory", None),
           "all": (None, None)}  # fmt: skip
SERVES = {"category": "category", "region": "region", "lab": "lab", "month": "all", "quarter": "all"}
CHUNK = 1_000_000  # results claimed per statement


def lot_counts() -> dict:
    """Tested lots (refusals apart), failures and refusals of a group of results. Counted on `refused` (never null),
    not on the key, so that an index holding the grouped columns answers alone."""
    return {
        "lots": Count("refused", filter=Q(refused=False)),
        "failed": Count("refused", filter=Q(refused=False, passed=False)),
        "refused": Count("refused", filter=Q(refused=True)),
    }


def pending(facts) -> None:
    """Queue new results for the rollups (in the transaction that writes them)."""
    PendingFact.objects.bulk_create([PendingFact(fact_id=fact.pk) for fact in facts], batch_size=5000)


def rollups_refresh() -> int:
    """Add every queued result to the monthly counts, a million at a time, each in one transaction; returns how many
    were added."""
    # One snapshot for each chunk: a result committed meanwhile is neither counted nor dequeued, so it waits for the
    # next run. SQLite writes one transaction at a time, so nothing commits meanwhile; inside a caller's transaction
    # (the demo, the tests) its snapshot rules.
    isolate = connection.vendor == "postgresql" and not connection.in_atomic_block
    added = 0
    while claimed := _refresh_chunk(isolate):
        added += claimed
    return added


@transaction.atomic
def _refresh_chunk(isolate: bool) -> int:
    if isolate:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    queue = PendingFact.objects.order_by("fact_id").values_list("fact_id", flat=True)
    first = queue.first()
    if first is None:
        return 0
    last = (list(queue[CHUNK - 1 : CHUNK]) or [queue.last()])[0]
    claimed = PendingFact.objects.filter(fact_id__gte=first, fact_id__lte=last)
    facts = ResultFact.objects.filter(pk__gte=first, pk__lte=last, pk__in=claimed.values("fact_id"))
    for dimension in SOURCES:
        _add(dimension, facts)
    count, _ = claimed.delete()
    return count


def _add(dimension: str, facts) -> None:
    """Add the facts' counts to the dimension's cells in one set-based statement (an upsert that adds on conflict)."""
    key_field, name_field = SOURCES[dimension]
    grouped = facts.annotate(
        k=F(key_field) if key_field else Value(""), n=F(name_field) if name_field else Value(""),
        m=TruncMonth("final_on"), p=Substr("region", 1, 2), rp=Substr("regulator_region", 1, 2),
    ).values("k", "m", "p", "rp", "recheck").annotate(nm=Max("n"), **lot_counts()).order_by()  # fmt: skip
    sql, params = grouped.query.sql_with_params()
    table = ResultRollup._meta.db_table
    counted = ("lots", "failed", "refused")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (dimension, key, name, month, province, regulator_province, recheck, lots, failed, "
            f"refused) SELECT %s, g.k, g.nm, g.m, g.p, g.rp, g.recheck, g.lots, g.failed, g.refused FROM ({sql}) g "
            f"WHERE true ON CONFLICT (dimension, key, month, province, regulator_province, recheck) DO UPDATE SET "
            + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counted),
            [dimension, *params],
        )


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _whole_months(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """[first, end): the whole months inside the range (None: open)."""
    first = None if date_from is None else (date_from if date_from.day == 1 else _next_month(date_from))
    end = None if date_to is None else (_next_month(date_to) if _next_month(date_to) - dt.timedelta(days=1) == date_to
                                        else date_to.replace(day=1))  # fmt: skip
    return first, end


def _grouped(rows, by: str, level_length: int, *, rollup: bool):
    day = "month" if rollup else "final_on"
    if by in ("category", "lab") and rollup:
        return rows.annotate(k=F("key"), n=F("name"))
    if by == "category":
        return rows.annotate(k=F("category_code"), n=F("category_name"))
    if by == "lab":
        return rows.annotate(k=F("laboratory"), n=F("laboratory"))
    if by == "region":
        padding = Value("0" * (6 - level_length))
        return rows.annotate(k=Concat(Substr("key" if rollup else "region", 1, level_length), padding), n=Value(""))
    if by == "month":
        return rows.annotate(k=TruncMonth(day), n=Value(""))
    return rows.annotate(k=TruncQuarter(day), n=Value(""))


def counts(user, by: str, level_length: int, date_from: dt.date | None, date_to: dt.date | None) -> list[dict]:
    """[{key, name, lots, failed, refused}] per key, from the rollups and the results they do not hold yet."""
    first, end = _whole_months(date_from, date_to)
    if first and end and first >= end:
        first = end = None
        whole_months = False  # the range lies within one month: no rollup cell fits inside it
    else:
        whole_months = True
    cells = restrict(ResultRollup.objects.all(), user, VIEW).filter(dimension=SERVES[by], recheck=False)
    facts = restrict(ResultFact.objects.all(), user, VIEW).filter(recheck=False)
    # Disjoint parts, each read through its own index: the rollups of the whole months, the queued results within
    # them, and every result of the partial months at either end.
    queued = facts.filter(pk__in=PendingFact.objects.values("fact_id"))
    edges = []
    if not whole_months:
        cells, queued = cells.none(), queued.none()
        edges.append(facts.filter(final_on__gte=date_from, final_on__lte=date_to))
    if first:
        cells, queued = cells.filter(month__gte=first), queued.filter(final_on__gte=first)
        if date_from:
            edges.append(facts.filter(final_on__gte=date_from, final_on__lt=first))
    if end:
        cells, queued = cells.filter(month__lt=end), queued.filter(final_on__lt=end)
        if date_to:
            edges.append(facts.filter(final_on__gte=end, final_on__lte=date_to))
    sums = ("lots", "failed", "refused")
    parts = [_grouped(cells, by, level_length, rollup=True).values("k", "n").annotate(**{n: Sum(n) for n in sums})]
    parts += [_grouped(rows, by, level_length, rollup=False).values("k", "n").annotate(**lot_counts()).order_by()
              for rows in (queued, *edges)]  # fmt: skip
    merged: dict = defaultdict(lambda: {"name": "", "lots": 0, "failed": 0, "refused": 0})
    for row in parts[0].order_by().union(*parts[1:], all=True):
        entry = merged[row["k"]]
        entry["name"] = entry["name"] or row["n"] or ""
        for name in sums:
            entry[name] += row[name] or 0
    return [{"key": key, **entry} for key, entry in sorted(merged.items(), key=lambda item: item[0])]
