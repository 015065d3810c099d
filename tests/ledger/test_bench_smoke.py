"""The ledger benchmark code runs end to end at tiny sizes (figures come from `make bench`; no timing here)."""

import math

import pytest

from bench import ledger as bench
from choujian.ledger.models import LedgerEntry
from choujian.ledger.services import current_size, ledger_append


def test_it_runs_the_append_benchmark_through_ledger_append(db):
    result = bench.append_throughput(200, batch=50)
    assert result["entries"] == 200 and result["batch"] == 50
    assert {"appends_per_second", "sha256_per_second", "ratio_append_to_sha256", "queries_per_append"} <= set(result)
    assert 0 < result["queries_per_append"] < 10
    assert LedgerEntry.objects.filter(type="bench.appended").count() >= 200


def test_it_runs_the_proof_benchmark_with_logarithmic_queries(db):
    result = bench.proof_latency([100, 1000], samples=20)
    assert [row["size"] for row in result["sizes"]] == [100, 1000]
    assert current_size() == 1000
    for row in result["sizes"]:
        bound = 2 * math.ceil(math.log2(row["size"])) + 2
        for kind in ("inclusion", "consistency"):
            assert 0 < row[kind]["queries_max"] <= bound, (row["size"], kind, row[kind])
    assert bench.verify_time()["problems"] == 0  # the bulk-built log is a valid log


def test_it_refuses_to_run_on_a_database_that_already_has_a_ledger(db):
    ledger_append(type="test.note", actor="system", object="test:1", data={})
    with pytest.raises(RuntimeError, match="not empty"):
        bench.append_throughput(10)
    bench.reset_ledger()
    assert current_size() == 0 and not LedgerEntry.objects.exists()
