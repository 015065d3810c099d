"""The ledger inside the platform: same-transaction appends, gap-free under concurrency, public API, verify."""

import threading

import pytest
from django.db import connection, transaction

from choujian.core.canonical import digest
from choujian.ledger import merkle, note
from choujian.ledger.models import Checkpoint, LedgerEntry
from choujian.ledger.services import current_size, ledger_append
from choujian.registry import services as registry
from tests.factories import EnterpriseFactory


def test_it_records_a_registry_change_with_the_objects_state_digest(world):
    enterprise = registry.enterprise_create(
        actor=world.county_officer, uscc=EnterpriseFactory.build().uscc, name="福州测试企业", region="350102"
    )
    entry = LedgerEntry.objects.get(object=f"enterprise:{enterprise.public_id}")
    assert entry.type == "enterprise.created"
    assert entry.actor == f"user:{world.county_officer.public_id}"
    assert f'"state_digest":"{digest(enterprise.ledger_state())}"' in entry.body


def test_it_drops_the_entry_when_the_callers_transaction_rolls_back(world):
    before = current_size()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            ledger_append(type="test.event", actor=world.county_officer, object="test:1", data={"x": 1})
            raise RuntimeError("caller failed")
    assert current_size() == before
    assert not LedgerEntry.objects.filter(type="test.event").exists()


def test_it_writes_entries_in_the_exact_canonical_form(world):
    entry = ledger_append(type="test.event", actor="system", object="test:1", data={"名称": "福州", "n": 1})
    assert entry.body.startswith('{"actor":"system","at":"')
    assert '"data":{"n":1,"名称":"福州"}' in entry.body
    assert entry.body.endswith(f',"object":"test:1","seq":{entry.seq},"type":"test.event"}}')


@pytest.mark.django_db(transaction=True)
def test_it_appends_gap_free_from_concurrent_writers():
    threads, errors = [], []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    ledger_append(type="test.concurrent", actor="system", object=f"test:{n}-{i}", data={})
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    for n in range(4):
        threads.append(threading.Thread(target=writer, args=(n,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(40))
    assert current_size() == 40


def test_it_serves_a_checkpoint_that_an_outside_client_can_verify(world, client):
    for i in range(7):
        ledger_append(type="test.event", actor="system", object=f"test:{i}", data={"i": i})
    from choujian.ledger.services import checkpoint_make

    checkpoint_make()
    key = client.get("/api/ledger/key").content.decode()
    signed = client.get("/api/ledger/checkpoint").content.decode()
    origin, size, root = note.parse_checkpoint(note.verify_note(signed, key))
    entries = client.get(f"/api/ledger/entries?start=0&end={size}").json()["entries"]
    leaves = [merkle.leaf_hash(e.encode()) for e in entries]
    assert merkle.root_from_leaves(leaves) == root
    proof = client.get(f"/api/ledger/proof/inclusion?index=3&size={size}").json()
    assert merkle.verify_inclusion(3, size, leaves[3], [bytes.fromhex(h) for h in proof["hashes"]], root)
    consistency = client.get(f"/api/ledger/proof/consistency?first=4&second={size}").json()
    first_root = merkle.root_from_leaves(leaves[:4])
    hashes = [bytes.fromhex(h) for h in consistency["hashes"]]
    assert merkle.verify_consistency(4, size, first_root, root, hashes)


@pytest.mark.parametrize(
    "query",
    [
        "/api/ledger/entries?start=a&end=2",
        "/api/ledger/entries?start=5&end=2",
        "/api/ledger/proof/inclusion?index=9",
        "/api/ledger/proof/inclusion?index=99&size=1",
        "/api/ledger/proof/consistency?first=3&second=2",
        "/api/ledger/proof/consistency?first=1&second=999999",
        "/api/ledger/entries?start=-1&end=1",
    ],
)
def test_it_answers_bad_ledger_parameters_with_400_and_a_reason(world, client, query):
    ledger_append(type="test.event", actor="system", object="test:1", data={})
    response = client.get(query)
    assert response.status_code == 400
    assert response.json()["error"]


def test_proofs_and_checkpoints_reach_only_as_far_as_the_entries_integrated(world, client):
    from choujian.ledger.services import checkpoint_make, integrated_size

    for i in range(3):
        ledger_append(type="test.event", actor="system", object=f"test:{i}", data={})
    assert integrated_size() == 0 and current_size() == 3
    response = client.get("/api/ledger/proof/inclusion?index=0&size=3")
    assert response.status_code == 400 and "hashed size (0)" in response.json()["error"]
    assert checkpoint_make().size == 3 == integrated_size()
    ledger_append(type="test.event", actor="system", object="test:3", data={})
    assert client.get("/api/ledger/proof/inclusion?index=0&size=3").status_code == 200
    assert client.get("/api/ledger/proof/consistency?first=1&second=4").status_code == 400
    assert checkpoint_make().size == 4


def test_it_keeps_every_checkpoint(world):
    from choujian.ledger.services import checkpoint_make

    ledger_append(type="test.event", actor="system", object="test:1", data={})
    checkpoint_make()
    ledger_append(type="test.event", actor="system", object="test:2", data={})
    checkpoint_make()
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [1, 2]


def test_it_reads_a_checkpoints_root_in_one_query_and_it_is_the_root_of_the_entries(world):
    from django.test.utils import CaptureQueriesContext

    from choujian.ledger.services import ledger_integrate, root_at

    for i in range(13):  # sizes with several set bits, and an odd one
        ledger_append(type="test.event", actor="system", object=f"test:{i}", data={"i": i})
    ledger_integrate()
    bodies = [body.encode() for body in LedgerEntry.objects.order_by("seq").values_list("body", flat=True)]
    for size in (1, len(bodies) - 6, len(bodies)):
        with CaptureQueriesContext(connection) as queries:
            root = root_at(size)
        assert len(queries) == 1
        assert root == merkle.root_from_leaves([merkle.leaf_hash(b) for b in bodies[:size]])


def test_it_stores_every_complete_subtree_as_rfc6962_computes_it_whenever_and_in_whatever_chunks_it_integrates(world):
    from choujian.ledger.models import LedgerNode
    from choujian.ledger.services import integrated_size, ledger_integrate

    appended = 0
    for upto, chunk in ((5, 10_000), (6, 1), (20, 3), (37, 4)):
        while appended < upto:
            ledger_append(type="test.event", actor="system", object=f"test:{appended}", data={"名称": '福州\u2028"x"'})
            appended += 1
        assert not LedgerNode.objects.filter(level=0, index=upto - 1).exists()  # an append stores no hashes
        assert ledger_integrate(chunk=chunk) == integrated_size() == upto
    bodies = [body.encode() for body in LedgerEntry.objects.order_by("seq").values_list("body", flat=True)]
    leaves = [merkle.leaf_hash(body) for body in bodies]
    stored = {(n.level, n.index): n.hash for n in LedgerNode.objects.all()}
    expected = {}
    for level in range(len(leaves).bit_length()):
        width = 1 << level
        for index in range(len(leaves) // width):
            expected[(level, index)] = merkle.root_from_leaves(leaves[index * width : (index + 1) * width]).hex()
    assert stored == expected


def test_it_writes_an_objects_entry_in_canonical_form_with_the_state_it_digested(world):
    import json

    from choujian.accounts.services import organisation_create
    from choujian.core.canonical import canonical_json

    organisation = organisation_create(actor=None, name='福州"引号"检验所\u2028', kind="laboratory", region="350102")
    entry = LedgerEntry.objects.get(object=f"organisation:{organisation.public_id}")
    parsed = json.loads(entry.body)
    assert entry.body == canonical_json(parsed)  # byte for byte what ledger-v1 says an entry is
    assert parsed["seq"] == entry.seq
    assert parsed["data"]["state"] == json.loads(canonical_json(organisation.ledger_state()))
    assert parsed["data"]["state"]["name"] == '福州"引号"检验所\u2028'
    assert parsed["data"]["state_digest"] == digest(organisation.ledger_state())


def test_a_caller_that_swallows_a_failed_append_cannot_keep_its_change(world):
    from choujian.accounts.models import Organisation

    with transaction.atomic():
        Organisation.objects.create(name="未记入日志的机构", kind="laboratory", region="350102")
        with pytest.raises(TypeError):  # data the ledger cannot write as JSON
            ledger_append(type="test.event", actor="system", object="test:1", data={"x": object()})
    assert not Organisation.objects.filter(name="未记入日志的机构").exists()


@pytest.mark.django_db(transaction=True)
def test_after_commits_a_process_signs_at_most_one_checkpoint_a_second_and_the_job_signs_the_rest(
    settings, monkeypatch
):
    from choujian.ledger import services
    from choujian.ledger.tasks import sign_checkpoint

    settings.CHOUJIAN_CHECKPOINT_SECONDS = 1
    clock = {"now": 1000.0}
    monkeypatch.setattr(services.time, "monotonic", lambda: clock["now"])
    monkeypatch.setitem(services._signed_after_commit, "at", float("-inf"))

    def commit(i: int) -> None:
        with transaction.atomic():
            ledger_append(type="test.event", actor="system", object=f"test:{i}", data={})

    commit(1)
    clock["now"] += 0.4
    commit(2)
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [1]  # 0.4 s later: not signed again
    clock["now"] += 0.7
    commit(3)
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [1, 3]
    commit(4)
    sign_checkpoint.call_local()  # the worker's minutely job covers what the spacing left
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [1, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_integration_does_not_wait_for_an_appender_still_in_its_transaction():
    from choujian.ledger.services import integrated_size, ledger_integrate

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in: there is nothing to skip")
    ledger_append(type="test.event", actor="system", object="test:0", data={})  # committed and integrated
    holding, release, finished = threading.Event(), threading.Event(), threading.Event()

    def appender() -> None:
        with transaction.atomic():
            ledger_append(type="test.event", actor="system", object="test:1", data={})
            holding.set()
            release.wait(30)
        connection.close()

    def integrator() -> None:
        ledger_integrate()
        finished.set()
        connection.close()

    threads = [threading.Thread(target=appender)]
    threads[0].start()
    assert holding.wait(30)
    threads.append(threading.Thread(target=integrator))
    threads[1].start()
    try:
        assert finished.wait(30), "integration waited for the appender's transaction"
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert ledger_integrate() == integrated_size() == current_size() == 2
