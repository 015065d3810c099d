"""Monthly rollups of the results table, so the dashboard's aggregates stay fast at ten million results.

`ResultRollup` holds, per dimension (category, region, testing body, or all together), month, enterprise province,
organiser province and 复查 flag, the counts of tested lots, failures and refusals. The task queue keeps it current
(`rollups_refresh`, with the facts job every 10 minutes): it claims the results not yet rolled up by stamping them
with a batch number in one statement, adds their counts, all in one transaction. A pass-rate query reads, in one SQL
statement (one snapshot), the rollup for the whole months of its date range plus the results themselves for the
partial months at either end and for any result not yet rolled up — so it is always exact, never stale.

Used for the regulators who see whole provinces or the country, grouping by category, region, testing body, month or
quarter with at most a date range; any other filter narrows the results enough to read them directly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import Concat, Substr, TruncMonth, TruncQuarter

from choujian.analytics.models import ResultFact, ResultRollup, RollupState
from choujian.core.policy import VIEW, restrict

# dimension → (key field, name field) of the results table
SOURCES = {"category": ("category_code", "category_name"), "region": ("region", None), "lab": ("laboratory", None),
           "all": (None, None)}  # fmt: skip
SERVES = {"category": "category", "region": "region", "lab": "lab", "month": "all", "quarter": "all"}
CHUNK = 1_000_000  # results claimed per statement


def _counts() -> dict:
    return {
        "lots": Count("pk", filter=Q(refused=False)),
        "failed": Count("pk", filter=Q(refused=False, passed=False)),
        "refused": Count("pk", filter=Q(refused=True)),
    }


def rollups_refresh() -> int:
    """Add every result not yet rolled up to the monthly counts, a million at a time, each million in one
    transaction (claimed and counted together); returns how many were added."""
    added = 0
    while claimed := _refresh_chunk():
        added += claimed
    return added


@transaction.atomic
def _refresh_chunk() -> int:
    pending = ResultFact.objects.filter(rollup_batch__isnull=True).order_by("pk").values_list("pk", flat=True)
    last = list(pending[CHUNK - 1 : CHUNK]) or list(pending.reverse()[:1])
    if not last:
        return 0
    state, _ = RollupState.objects.select_for_update().get_or_create(pk=1)
    state.last_batch = batch = state.last_batch + 1
    state.save(update_fields=["last_batch"])
    claimed = ResultFact.objects.filter(rollup_batch__isnull=True, pk__lte=last[0]).update(rollup_batch=batch)
    for dimension in SOURCES:
        _add(dimension, ResultFact.objects.filter(rollup_batch=batch))
    return claimed


def _add(dimension: str, facts) -> None:
    """Add the facts' counts to the dimension's cells in one set-based statement (an upsert that adds on conflict)."""
    key_field, name_field = SOURCES[dimension]
    grouped = facts.annotate(
        k=F(key_field) if key_field else Value(""), n=F(name_field) if name_field else Value(""),
        m=TruncMonth("final_on"), p=Substr("region", 1, 2), rp=Substr("regulator_region", 1, 2),
    ).values("k", "m", "p", "rp", "recheck").annotate(nm=Max("n"), **_counts()).order_by()  # fmt: skip
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
    cells = restrict(ResultRollup.objects.all(), user, VIEW).filter(dimension=SERVES[by], recheck=False)
    facts = restrict(ResultFact.objects.all(), user, VIEW).filter(recheck=False)
    if date_from:
        facts = facts.filter(final_on__gte=date_from)
    if date_to:
        facts = facts.filter(final_on__lte=date_to)
    whole = Q()
    if first:
        cells, whole = cells.filter(month__gte=first), whole & Q(final_on__gte=first)
    if end:
        cells, whole = cells.filter(month__lt=end), whole & Q(final_on__lt=end)
    facts = facts.filter(~whole | Q(rollup_batch__isnull=True)) if (first or end) else facts.filter(
        rollup_batch__isnull=True)  # fmt: skip
    if first and end and first >= end:
        cells, facts = cells.none(), restrict(ResultFact.objects.all(), user, VIEW).filter(
            recheck=False, final_on__gte=date_from, final_on__lte=date_to)  # fmt: skip
    sums = ("lots", "failed", "refused")
    rolled = _grouped(cells, by, level_length, rollup=True).values("k", "n").annotate(**{n: Sum(n) for n in sums})
    raw = _grouped(facts, by, level_length, rollup=False).values("k", "n").annotate(**_counts())
    merged: dict = defaultdict(lambda: {"name": "", "lots": 0, "failed": 0, "refused": 0})
    for row in rolled.order_by().union(raw.order_by(), all=True):
        entry = merged[row["k"]]
        entry["name"] = entry["name"] or row["n"] or ""
        for name in sums:
            entry[name] += row[name] or 0
    return [{"key": key, **entry} for key, entry in sorted(merged.items(), key=lambda item: item[0])]
