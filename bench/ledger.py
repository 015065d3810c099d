"""Ledger benchmarks: append throughput against a bare SHA-256 loop, and proof latency as the log grows.

(a) `append_throughput`: entries appended through the real `ledger_append` on the configured database, in
    transactions of `batch` appends (so commit, integration and checkpoint costs are counted, with checkpoints
    spaced by `CHOUJIAN_CHECKPOINT_SECONDS` as the platform spaces them), as a ratio to hashing the same entry bytes
    with a bare `hashlib.sha256` loop in the same run.
(a') `write_overhead`: what the ledger adds to a write — the same organisation rows inserted through the platform's
    `record_create` (validated, saved, ledgered) and without the ledger (validated, saved), in alternating
    transactions of `batch` rows in the same run; the ledgered side's time includes the integration and checkpoints
    its commits trigger. Goal: ≤ 1.5×. Measured on the configured database and, when
    PostgreSQL answers at 127.0.0.1:5432, once more in a child process on a database of its own
    (`choujian_bench_ledger`, created, migrated and dropped again), as bench/draws.py does for frames.
(b) `proof_latency`: median latency and database queries of random inclusion and consistency proofs (through
    the selectors the public API uses) at growing log sizes. These logs are built by bulk-inserting LedgerEntry
    and LedgerNode rows computed in memory, not by calling `ledger_append` a million times.

Both expect an empty ledger in a database of their own (see bench/__main__.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import statistics
import time
from collections.abc import Callable

from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext

from bench import postgres as pg
from choujian.core.canonical import canonical_json
from choujian.ledger import events, merkle, selectors, verify
from choujian.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode
from choujian.ledger.services import checkpoint_make, current_size, ledger_append, root_at

Say = Callable[[str], None]

APPEND_COUNT = 100_000
APPEND_BATCH = 1_000
PROOF_SIZES = [10_000, 100_000, 1_000_000]
QUICK_APPEND_COUNT = 10_000
QUICK_PROOF_SIZES = [10_000, 100_000]
PROOF_SAMPLES = 1_000
QUERY_SAMPLES = 100
BULK_CHUNK = 10_000
SEED = 20260101
_BASE_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


# The synthetic entries of this benchmark (written only into an empty benchmark database) are declared like any other.
events.EVENTS.setdefault("bench.appended", "基准测试写入")


def _quiet(_: str) -> None:
    pass


def require_empty_ledger() -> None:
    """Refuse to run against a database that already holds a ledger: the benchmark writes and deletes rows."""
    if current_size() or LedgerEntry.objects.exists() or LedgerNode.objects.exists():
        raise RuntimeError(
            "the ledger in this database is not empty; run the benchmark on a fresh database "
            "(CHOUJIAN_DATA_DIR=$(mktemp -d) python -m bench)"
        )


def reset_ledger() -> None:
    """Empty the ledger tables of the benchmark's own database (between benchmarks)."""
    with transaction.atomic():
        for model in (Checkpoint, LedgerNode, LedgerEntry, LedgerHead):
            model.objects.all().delete()


def _data(i: int) -> dict:
    # Typical content: a digest of the object's state and of an attached photo, never the photo itself.
    return {
        "state_digest": hashlib.sha256(f"state {i}".encode()).hexdigest(),
        "photos": [hashlib.sha256(f"photo {i}".encode()).hexdigest()],
        "note": "封样完好，抽样单已签字",
    }


def append_throughput(count: int = APPEND_COUNT, *, batch: int = APPEND_BATCH, say: Say = _quiet) -> dict:
    """Append `count` entries through `ledger_append` in transactions of `batch`; compare with bare SHA-256."""
    require_empty_ledger()
    say(f"(a) ledger_append × {count:,}, {batch:,} per transaction, on {connection.vendor} …")
    # Warm up (imports, key loading, prepared statements), then measure on a log that starts at zero anyway.
    started = time.perf_counter()
    done = 0
    next_report = max(count // 10, 1)
    while done < count:
        upto = min(count, done + batch)
        with transaction.atomic():
            for i in range(done, upto):
                ledger_append(type="bench.appended", actor="system", object=f"bench:{i}", data=_data(i))
        done = upto
        if done >= next_report or done == count:
            rate = done / (time.perf_counter() - started)
            say(f"    {done:>9,} appended ({rate:,.0f}/s)")
            next_report += max(count // 10, 1)
    append_seconds = time.perf_counter() - started

    queries = _queries_per_append(batch=min(batch, 100))

    # The bare baseline: SHA-256 over exactly the entry bytes that were appended (read back, not timed).
    bodies = [b.encode("utf-8") for b in LedgerEntry.objects.filter(seq__lt=count).values_list("body", flat=True)]
    started = time.perf_counter()
    for body in bodies:
        hashlib.sha256(body).digest()
    sha_seconds = time.perf_counter() - started

    checkpoints = Checkpoint.objects.count()
    result = {
        "database": connection.vendor,
        "entries": count,
        "batch": batch,
        "append_seconds": round(append_seconds, 3),
        "appends_per_second": round(count / append_seconds, 1),
        "sha256_seconds": round(sha_seconds, 6),
        "sha256_per_second": round(count / sha_seconds, 1),
        "ratio_append_to_sha256": round(append_seconds / sha_seconds, 1),
        "queries_per_append": queries,
        "checkpoints_signed": checkpoints,
        "mean_entry_bytes": round(sum(map(len, bodies)) / len(bodies), 1) if bodies else 0,
    }
    say(
        f"    ledger_append: {result['appends_per_second']:,.0f} entries/s ({append_seconds:.2f} s); "
        f"bare sha256: {result['sha256_per_second']:,.0f}/s ({sha_seconds * 1000:.1f} ms)"
    )
    say(
        f"    ratio append / sha256 = {result['ratio_append_to_sha256']:,.1f}×; "
        f"{queries:.2f} queries per append; {checkpoints} checkpoints signed on commit"
    )
    return result


WRITE_GOAL = 1.5


def write_overhead(count: int = APPEND_COUNT // 5, *, batch: int = APPEND_BATCH // 10, say: Say = _quiet) -> dict:
    """The same rows written with and without the ledger, alternating blocks so both see the same machine load."""
    from choujian.accounts.models import Organisation
    from choujian.core.recording import record_create, validate

    say(f"(a') {count:,} organisations written with the ledger and {count:,} without, {batch} per transaction …")
    counties = ["350102", "350203", "350582", "350426", "350724", "350823"]
    seconds = {"plain": 0.0, "ledgered": 0.0}

    def row(kind: str, i: int) -> Organisation:
        return Organisation(name=f"基准测试{kind}检验机构{i:07d}", kind="laboratory", region=counties[i % 6])

    for start in range(0, count, batch):
        for kind in ("plain", "ledgered"):
            begun = time.perf_counter()
            with transaction.atomic():
                for i in range(start, min(count, start + batch)):
                    organisation = row(kind, i)
                    if kind == "plain":
                        validate(organisation)
                        with transaction.atomic():
                            organisation.save()
                    else:
                        record_create(organisation, actor=None, event="organisation.created")
            seconds[kind] += time.perf_counter() - begun
    # Gone again: the ledger is reset next, and rows without their entries would be problems for `verify` later on.
    Organisation.objects.filter(name__startswith="基准测试").delete()
    ratio = seconds["ledgered"] / seconds["plain"]
    mark = "✓" if ratio <= WRITE_GOAL else "✗"
    say(f"    without the ledger: {count / seconds['plain']:,.0f} rows/s; with it: "
        f"{count / seconds['ledgered']:,.0f} rows/s; ratio {ratio:.2f}× (goal ≤ {WRITE_GOAL}×) {mark}")  # fmt: skip
    return {"rows": count, "batch": batch, "plain_seconds": round(seconds["plain"], 3),
            "ledgered_seconds": round(seconds["ledgered"], 3), "ratio": round(ratio, 3), "goal": WRITE_GOAL,
            "met": ratio <= WRITE_GOAL}  # fmt: skip


PG_DATABASE = "choujian_bench_ledger"


def overhead_on_postgres(count: int, *, say: Say = _quiet) -> dict:
    """`write_overhead` on a fresh PostgreSQL database of its own in a child process; the database is dropped after."""
    # Django is set up before this module is imported: its imports need the configured apps.
    child = ("import sys; from bench.__main__ import _setup_django; _setup_django(); from bench import ledger; "
             "sys.exit(ledger._child(sys.argv[1:]))")  # fmt: skip
    return pg.run_in_child(PG_DATABASE, ["-c", child, "--overhead", str(count)], what="write overhead", say=say)


def _queries_per_append(batch: int) -> float:
    """Queries per append inside a caller's transaction (the commit and its checkpoint included)."""
    start = current_size()
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        with transaction.atomic():
            for i in range(start, start + batch):
                ledger_append(type="bench.appended", actor="system", object=f"bench:{i}", data=_data(i))
    return round(len(ctx.captured_queries) / batch, 2)


class BulkLog:
    """Builds a log by bulk-inserting entries and the nodes that integrating them would have stored.

    Nodes are computed from the leaf hashes with only the tree's right frontier in memory, so a log of a million
    entries is written in chunks without holding it all.
    """

    def __init__(self) -> None:
        require_empty_ledger()
        self.size = 0
        self.frontier: dict[int, tuple[int, bytes]] = {}

    def _get(self, level: int, index: int) -> bytes:
        stored, value = self.frontier[level]
        assert stored == index, (level, index, stored)
        return value

    def extend_to(self, size: int, *, say: Say = _quiet) -> float:
        started = time.perf_counter()
        while self.size < size:
            upto = min(size, self.size + BULK_CHUNK)
            entries, nodes = [], []
            for seq in range(self.size, upto):
                at = _BASE_TIME + dt.timedelta(seconds=seq)
                obj = {
                    "seq": seq,
                    "type": "sample.sealed",
                    "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "actor": "system",
                    "object": f"bench:{seq}",
                    "data": _data(seq),
                }
                body = canonical_json(obj)
                entries.append(
                    LedgerEntry(seq=seq, type=obj["type"], at=at, actor="system", object=obj["object"], body=body)
                )
                leaf = merkle.leaf_hash(body.encode("utf-8"))
                for level, index, value in merkle.nodes_to_store_after_append(seq, leaf, self._get):
                    self.frontier[level] = (index, value)
                    nodes.append(LedgerNode(level=level, index=index, hash=value.hex()))
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(entries, batch_size=1000)
                LedgerNode.objects.bulk_create(nodes, batch_size=1000)
            self.size = upto
            if self.size % 100_000 == 0 or self.size == size:
                say(f"    {self.size:>9,} entries bulk-inserted ({time.perf_counter() - started:.1f} s)")
        with transaction.atomic():
            LedgerHead.objects.update_or_create(pk=1, defaults={"size": size, "integrated": size})
        checkpoint_make()
        return time.perf_counter() - started

    def root(self) -> bytes:
        return merkle.root_at(self.size, self._get)


def _summary(seconds: list[float], queries: list[int]) -> dict:
    ordered = sorted(seconds)
    return {
        "median_us": round(statistics.median(ordered) * 1e6, 1),
        "p95_us": round(ordered[int(0.95 * (len(ordered) - 1))] * 1e6, 1),
        "queries_min": min(queries),
        "queries_median": statistics.median(queries),
        "queries_max": max(queries),
    }


def _measure(size: int, samples: int, rng: random.Random, root: bytes) -> dict:
    inclusion, consistency = [], []
    inclusion_queries, consistency_queries = [], []
    first_root = {}
    for i in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        proof = selectors.inclusion_proof(index, size)
        inclusion.append(time.perf_counter() - started)
        if i < 5:  # the proofs must also be right, not only fast
            body = selectors.entry_bodies(index, index + 1)[0].encode("utf-8")
            assert merkle.verify_inclusion(index, size, merkle.leaf_hash(body), proof, root), (index, size)
        first = rng.randrange(1, size)
        started = time.perf_counter()
        proof = selectors.consistency_proof(first, size)
        consistency.append(time.perf_counter() - started)
        if i < 5:
            first_root[first] = root_at(first)
            assert merkle.verify_consistency(first, size, first_root[first], root, proof), (first, size)
    for _ in range(min(samples, QUERY_SAMPLES)):
        # The query log is a bounded deque: empty it first, or a full log would make every capture look empty.
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            selectors.inclusion_proof(rng.randrange(size), size)
        inclusion_queries.append(len(ctx.captured_queries))
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            selectors.consistency_proof(rng.randrange(1, size), size)
        consistency_queries.append(len(ctx.captured_queries))
    return {
        "inclusion": _summary(inclusion, inclusion_queries),
        "consistency": _summary(consistency, consistency_queries),
    }


def proof_latency(sizes: list[int] | None = None, *, samples: int = PROOF_SAMPLES, say: Say = _quiet) -> dict:
    """Median latency and queries of `samples` random inclusion and consistency proofs at each log size."""
    sizes = sorted(sizes or PROOF_SIZES)
    rng = random.Random(SEED)
    log = BulkLog()
    say(
        f"(b) proof latency, {samples:,} random proofs per size; logs built by bulk-inserting "
        f"LedgerEntry/LedgerNode rows computed in memory (not {sizes[-1]:,} ledger_append calls)"
    )
    rows = []
    for size in sizes:
        build = log.extend_to(size, say=say)
        root = log.root()
        assert root == root_at(size), "stored nodes disagree with the in-memory tree"
        measured = _measure(size, samples, rng, root)
        row = {"size": size, "log2_size": math.ceil(math.log2(size)), "build_seconds": round(build, 1), **measured}
        rows.append(row)
        say(
            f"    n={size:>9,}: inclusion median {row['inclusion']['median_us']:>7,.0f} µs "
            f"({row['inclusion']['queries_median']:g} queries, max {row['inclusion']['queries_max']}); "
            f"consistency median {row['consistency']['median_us']:>7,.0f} µs "
            f"({row['consistency']['queries_median']:g} queries, max {row['consistency']['queries_max']}); "
            f"log2 n = {row['log2_size']}"
        )
    smallest, largest = rows[0], rows[-1]
    growth = {
        kind: round(largest[kind]["median_us"] / smallest[kind]["median_us"], 2)
        for kind in ("inclusion", "consistency")
    }
    say(
        f"    from n={smallest['size']:,} to n={largest['size']:,} (×{largest['size'] // smallest['size']:,} entries) "
        f"median latency grew ×{growth['inclusion']} (inclusion), ×{growth['consistency']} (consistency)"
    )
    return {
        "built_by": "bulk insert of LedgerEntry/LedgerNode rows",
        "samples": samples,
        "sizes": rows,
        "growth": growth,
    }


def verify_time(*, say: Say = _quiet) -> dict:
    """Time `choujian ledger verify` over the log currently in the database (streamed in chunks)."""
    size = current_size()
    say(f"(c) choujian ledger verify over {size:,} entries …")
    started = time.perf_counter()
    report = verify.run()
    seconds = time.perf_counter() - started
    say(f"    {len(report.problems)} problems, {report.checkpoints} checkpoints, {seconds:.1f} s")
    return {"entries": size, "seconds": round(seconds, 1), "problems": len(report.problems)}


def run(*, quick: bool = False, say: Say = print, postgres: bool = True) -> dict:
    require_empty_ledger()
    results = {"quick": quick}
    results["append"] = append_throughput(QUICK_APPEND_COUNT if quick else APPEND_COUNT, say=say)
    reset_ledger()
    rows = QUICK_APPEND_COUNT // 5 if quick else APPEND_COUNT // 5
    results["write_overhead"] = {connection.vendor: write_overhead(rows, say=say)}
    reset_ledger()
    if postgres and connection.vendor == "sqlite":
        if pg.answers():
            say("(a') write overhead on postgresql (child process) …")
            results["write_overhead"]["postgresql"] = overhead_on_postgres(rows, say=say)
        else:
            say("    PostgreSQL not reachable: write overhead measured on SQLite only")
    results["proofs"] = proof_latency(QUICK_PROOF_SIZES if quick else PROOF_SIZES, say=say)
    results["verify"] = verify_time(say=say)
    reset_ledger()
    return results


def _child(argv: list[str]) -> int:
    """`--overhead N --json OUT`: write_overhead on the database of DATABASE_URL (the child run on PostgreSQL)."""

    def run(count: int) -> dict:
        require_empty_ledger()
        return {"database": connection.vendor, **write_overhead(count, say=lambda line: print(line, flush=True))}

    return pg.child_main(argv, prog="bench.ledger", option="overhead", what="number of rows written each way", run=run)
