"""The ledger page: current checkpoint, an object's history and an inclusion proof, for auditors and regulators."""

import re
from zoneinfo import ZoneInfo

import pytest

from choujian.ledger import merkle, note
from choujian.ledger.keys import verifier_key
from choujian.ledger.models import Checkpoint, LedgerEntry
from choujian.ledger.services import checkpoint_make, ledger_append
from choujian.registry import services as registry
from choujian.registry.models import Enterprise
from tests.factories import EnterpriseFactory, OrganisationFactory, member


@pytest.fixture
def history(world):
    for i in range(5):
        ledger_append(type="test.note", actor="system", object=f"test:{i}", data={"i": i})
    enterprise = registry.enterprise_create(
        actor=world.county_officer, uscc=EnterpriseFactory.build().uscc, name="福州闽江钢绞线有限公司", region="350102"
    )
    enterprise = registry.enterprise_update(
        actor=world.county_officer, enterprise=enterprise, address="鼓楼区工业路 8 号"
    )
    for i in range(4):
        ledger_append(type="test.note", actor="system", object=f"test:later-{i}", data={"i": i})
    checkpoint_make()
    return enterprise


def page(client, user, **params):
    client.force_login(user)
    return client.get("/ledger/", params)


def test_it_shows_the_signed_checkpoint_to_a_regulator(world, history, client):
    response = page(client, world.county_officer)
    assert response.status_code == 200
    latest = Checkpoint.objects.order_by("-size").first()
    html = response.content.decode()
    assert latest.note.splitlines()[0] in html and latest.note.splitlines()[-1].split()[-1] in html
    assert latest.root in html and verifier_key() in html
    assert "✓ 已用校验公钥验证" in html
    assert "/api/ledger/proof/inclusion" in html and "python -m choujian.ledger.standalone" in html


def test_it_shows_an_objects_history_in_order_with_who_and_when(world, history, client):
    ref = f"enterprise:{history.public_id}"
    response = page(client, world.provincial_officer, object=ref)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("enterprise.created") < html.index("enterprise.updated")
    assert str(world.county_officer) in html and f"user:{world.county_officer.public_id}" in html
    assert "鼓楼区工业路 8 号" in html and "&quot;state_digest&quot;" in html
    assert "✓ 与最后一条记录的状态摘要" in html
    entry = LedgerEntry.objects.get(object=ref, type="enterprise.created")
    # Shown in Beijing time (UTC+8).
    assert entry.at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S") in html


def test_it_finds_an_object_by_its_bare_public_id(world, history, client):
    html = page(client, world.county_officer, object=str(history.public_id)).content.decode()
    assert f"enterprise:{history.public_id}" in html and "enterprise.created" in html


@pytest.mark.tampers
def test_it_shows_when_an_object_was_changed_behind_the_platforms_back(world, history, client):
    Enterprise.objects.filter(pk=history.pk).update(name="x")
    html = page(client, world.county_officer, object=f"enterprise:{history.public_id}").content.decode()
    assert "✗ 与日志不符" in html and "name" in html


def test_it_shows_an_inclusion_proof_that_recomputes_the_signed_root(world, history, client):
    entry = LedgerEntry.objects.get(object=f"enterprise:{history.public_id}", type="enterprise.created")
    response = page(client, world.county_officer, object=entry.object, entry=entry.seq)
    html = response.content.decode()
    proof = response.context["inclusion"]
    latest = Checkpoint.objects.order_by("-size").first()
    _, size, root = note.parse_checkpoint(note.verify_note(latest.note, verifier_key()))
    assert proof["size"] == size == 11
    assert proof["recomputed"] == proof["signed_root"] == root.hex()
    assert proof["verified"] is True
    leaf = merkle.leaf_hash(entry.body.encode())
    assert proof["leaf"] == leaf.hex() in html
    hashes = [bytes.fromhex(s.sibling) for s in proof["steps"]]
    assert merkle.verify_inclusion(entry.seq, size, leaf, hashes, root)
    # Leaf 5 of 11, leaf upwards: leaf 4 on its left, 6–7 on the right, 0–3 on the left, 8–10 on the right.
    assert [(s.side, s.first, s.last) for s in proof["steps"]] == [
        ("left", 4, 4),
        ("right", 6, 7),
        ("left", 0, 3),
        ("right", 8, 10),
    ]
    for step in proof["steps"]:
        assert step.sibling in html and step.result in html
    assert "✓ 一致" in html and re.search(r"重算的根哈希</dt><dd class=\"hash\">" + root.hex(), html)


def test_it_explains_an_entry_not_yet_covered_by_a_checkpoint(world, history, client):
    # Reading the page signs nothing: the entry waits for the next checkpoint (after its commit, or the worker's).
    entry = ledger_append(type="test.note", actor="system", object="test:tail", data={})
    response = page(client, world.county_officer, entry=entry.seq)
    assert response.status_code == 200
    assert "尚未被最新检查点" in response.content.decode()
    assert response.context["object"] == "test:tail"


def test_it_rejects_a_bad_entry_number_politely(world, history, client):
    response = page(client, world.county_officer, entry="abc")
    assert response.status_code == 200 and "记录序号“abc”无效" in response.content.decode()
    response = page(client, world.county_officer, entry="999999")
    assert response.status_code == 200 and "没有序号为 999999 的记录" in response.content.decode()


def test_it_lets_an_auditor_in(world, history, client):
    auditor = member(world.province, "auditor", username="auditor")
    response = page(client, auditor, object=f"enterprise:{history.public_id}", entry=5)
    assert response.status_code == 200 and response.context["inclusion"]["verified"] is True


def test_it_refuses_a_tester(world, history, client):
    tester = member(OrganisationFactory(kind="laboratory", name="福建省检验检测中心"), "tester", username="tester")
    assert page(client, tester).status_code == 403


def test_it_sends_an_anonymous_visitor_to_the_login(world, history, client):
    response = client.get("/ledger/", {"object": f"enterprise:{history.public_id}"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_finds_an_objects_history_by_its_credit_code(world, client):
    from choujian.registry import services as registry_services
    from tests.factories import EnterpriseFactory

    uscc = EnterpriseFactory.build(region="350102").uscc
    enterprise = registry_services.enterprise_create(
        actor=world.county_officer, uscc=uscc, name="按代码查询企业", region="350102"
    )
    client.force_login(world.provincial_officer)
    page = client.get(f"/ledger/?object={uscc.lower()}").content.decode()
    assert f"enterprise:{enterprise.public_id}" in page and "enterprise.created" in page
