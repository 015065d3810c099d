"""`choujian ledger verify | export | checkpoint`: a clean ledger passes; each kind of tampering is named."""

import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from choujian.accounts.models import Membership, Organisation
from choujian.ledger import note, standalone
from choujian.ledger.keys import key_name
from choujian.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode
from choujian.ledger.services import checkpoint_make, current_size, ledger_append
from choujian.ledger.verify import check_object, run, verify
from choujian.registry import services as registry
from choujian.registry.models import Enterprise
from tests.factories import CategoryFactory, EnterpriseFactory


@pytest.fixture
def ledgered(world):
    """The world's rows adopted into the ledger, then registry rows written through the services."""
    # Factories write rows without entries; a real site creates them through services (the demo does).
    for row in [*Organisation.objects.order_by("pk"), *Membership.objects.order_by("pk")]:
        ledger_append(type="test.adopted", actor="system", object=row)
    checkpoint_make()
    officer = world.county_officer
    first = registry.enterprise_create(
        actor=officer, uscc=EnterpriseFactory.build().uscc, name="福州闽江钢绞线有限公司", region="350102"
    )
    second = registry.enterprise_create(
        actor=officer, uscc=EnterpriseFactory.build().uscc, name="福州测试交通设施有限公司", region="350102"
    )
    checkpoint_make()
    product = registry.product_create(
        actor=officer, enterprise=first, category=CategoryFactory(), name="预应力钢绞线", model_spec="1×7-15.20"
    )
    first = registry.enterprise_update(actor=officer, enterprise=first, address="福州市鼓楼区工业路 8 号")
    gone = registry.enterprise_create(
        actor=officer, uscc=EnterpriseFactory.build().uscc, name="待注销企业", region="350102"
    )
    registry.enterprise_delete(actor=officer, enterprise=gone)
    checkpoint_make()
    ledger_append(type="test.note", actor="system", object="test:unsigned-tail", data={"n": 1})
    return SimpleNamespace(world=world, officer=officer, first=first, second=second, product=product)


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_command(*args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("ledger", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue() + str(exc.value)


def test_it_passes_a_clean_ledger(ledgered):
    assert verify() == []
    out, _ = run_command("verify")
    assert "OK" in out and f"{current_size()} 条记录" in out


def test_it_passes_in_tiny_chunks_across_many_checkpoints(ledgered):
    for i in range(37):
        ledger_append(type="test.note", actor="system", object=f"test:{i}", data={"i": i})
        if i % 5 == 0:
            checkpoint_make()
    report = run(chunk_size=3)
    assert report.problems == []
    assert report.checkpoints == Checkpoint.objects.count() > 8
    assert report.entries == current_size()


@pytest.mark.tampers
def test_it_names_the_object_and_field_of_a_row_edited_behind_the_platforms_back(ledgered):
    Enterprise.objects.filter(pk=ledgered.second.pk).update(name="x")
    ref = f"enterprise:{ledgered.second.public_id}"
    problems = verify()
    assert [(p.object, p.fields) for p in problems] == [(ref, ("name",))]
    output = failing_command("verify")
    assert ref in output and "name" in output and '"x"' in output


@pytest.mark.tampers
def test_it_names_every_field_that_differs(ledgered):
    Enterprise.objects.filter(pk=ledgered.first.pk).update(address="别处", status="revoked")
    problem = check_object(f"enterprise:{ledgered.first.public_id}")
    assert problem is not None and problem.fields == ("address", "status")


def test_it_reports_an_edited_stored_node_hash(ledgered):
    LedgerNode.objects.filter(level=1, index=0).update(hash="00" * 32)
    output = failing_command("verify")
    assert "level 1, index 0" in output


def test_it_reports_an_edited_entry_body(ledgered):
    entry = LedgerEntry.objects.get(object=f"organisation:{ledgered.world.province.public_id}")
    obj = json.loads(entry.body)
    obj["data"]["state"]["name"] = "改过的名称"
    LedgerEntry.objects.filter(pk=entry.pk).update(body=standalone.canonical_json(obj).decode())
    problems = [str(p) for p in verify()]
    assert any(f"entry {entry.seq}: the leaf hash" in p for p in problems)
    assert any("state does not digest to state_digest" in p for p in problems)
    assert any("the signed root differs" in p for p in problems)


def test_it_reports_a_non_canonical_body_and_a_changed_column(ledgered):
    entry = LedgerEntry.objects.order_by("seq").last()
    LedgerEntry.objects.filter(pk=entry.pk).update(body=entry.body.replace(",", ", ", 1), actor="user:someone")
    problems = [str(p) for p in verify()]
    assert any(f"entry {entry.seq}:" in p and "body is not in canonical JSON form" in p for p in problems)
    assert any(f"entry {entry.seq}" in p and "column actor" in p for p in problems)


def test_it_reports_a_checkpoint_whose_note_text_was_altered(ledgered):
    latest = Checkpoint.objects.order_by("-size").first()
    forged = latest.note.replace(f"\n{latest.size}\n", f"\n{latest.size + 1}\n", 1)
    Checkpoint.objects.filter(pk=latest.pk).update(note=forged)
    output = failing_command("verify")
    assert f"checkpoint of size {latest.size}" in output and "does not verify" in output


def test_it_reports_a_checkpoint_signed_with_another_key(ledgered):
    latest = Checkpoint.objects.order_by("-size").first()
    body = note.checkpoint_body(key_name(), latest.size, bytes.fromhex(latest.root))
    Checkpoint.objects.filter(pk=latest.pk).update(note=note.sign_note(body, key_name(), note.generate_private_key()))
    problems = [str(p) for p in verify()]
    assert any(f"checkpoint of size {latest.size}" in p and "no signature by" in p for p in problems)


def test_it_reports_a_validly_signed_checkpoint_that_rewrites_history(ledgered):
    from choujian.ledger.keys import signing_key

    latest = Checkpoint.objects.order_by("-size").first()
    other_root = bytes(32)
    signed = note.sign_note(note.checkpoint_body(key_name(), latest.size, other_root), key_name(), signing_key())
    Checkpoint.objects.filter(pk=latest.pk).update(note=signed, root=other_root.hex())
    problems = [str(p) for p in verify()]
    assert any("the signed root differs from the root recomputed" in p for p in problems)
    assert any("not consistent with the checkpoint" in p for p in problems)


@pytest.mark.tampers
def test_it_reports_a_row_deleted_behind_the_platforms_back(ledgered):
    ref = f"enterprise:{ledgered.product.enterprise.public_id}"
    ledgered.product.delete()
    Enterprise.objects.filter(pk=ledgered.first.pk).delete()
    problems = verify()
    assert ref in {p.object for p in problems}
    assert any(p.object == ref and "the row is gone" in p.message for p in problems)


def test_it_reports_a_row_that_has_no_entry_at_all(ledgered):
    stray = EnterpriseFactory(region="350102")
    problems = verify()
    assert [p.object for p in problems] == [f"enterprise:{stray.public_id}"]
    assert "no ledger entry" in problems[0].message


def test_it_reports_a_deleted_entry_row_and_a_wrong_head(ledgered):
    size = current_size()
    LedgerEntry.objects.filter(seq=2).delete()
    problems = [str(p) for p in verify()]
    assert any("entries 2–2 are missing" in p for p in problems)
    assert any(f"the log head says {size} entries, {size - 1} entry rows found" in p for p in problems)
    assert not any("node" in p for p in problems)  # the tree is still checked from the stored leaf hash


def test_it_reports_entries_beyond_the_log_head(ledgered):
    LedgerHead.objects.filter(pk=1).update(size=current_size() - 1)
    problems = [str(p) for p in verify()]
    assert any("the log head says" in p for p in problems)


def test_it_reports_a_stored_node_beyond_the_log(ledgered):
    LedgerNode.objects.create(level=0, index=current_size() + 5, hash="ab" * 32)
    problems = [str(p) for p in verify()]
    assert any(f"stored node (level 0, index {current_size() + 5}) is beyond" in p for p in problems)


def test_it_exports_a_log_that_the_standalone_verifier_accepts(ledgered, tmp_path):
    target = tmp_path / "export"
    out, _ = run_command("export", str(target))
    assert "python -m choujian.ledger.standalone" in out
    assert standalone.verify_export(target) == []
    lines = (target / "entries.jsonl").read_bytes().split(b"\n")[:-1]
    assert len(lines) == current_size()
    names = sorted(p.name for p in (target / "checkpoints").iterdir())
    assert names == [standalone.checkpoint_filename(s) for s in Checkpoint.objects.values_list("size", flat=True)]
    assert standalone.main([str(target)]) == 0


def test_it_exports_a_log_whose_tampering_the_standalone_verifier_finds(ledgered, tmp_path):
    target = tmp_path / "export"
    run_command("export", str(target))
    data = (target / "entries.jsonl").read_bytes()
    assert "福州闽江".encode() not in data  # an enterprise's entries carry only the digest of its state
    (target / "entries.jsonl").write_bytes(data.replace("福建省".encode(), "江西省".encode(), 1))
    problems = standalone.verify_export(target)
    assert problems and any("does not match" in p for p in problems)


@pytest.mark.tampers
def test_it_keeps_private_states_out_of_the_public_bodies_but_names_changed_fields(ledgered):
    entry = LedgerEntry.objects.filter(object=f"enterprise:{ledgered.first.public_id}").order_by("seq").last()
    data = json.loads(entry.body)["data"]
    assert "state" not in data and len(data["state_digest"]) == 64 and "福州闽江" not in entry.body
    Enterprise.objects.filter(pk=ledgered.first.pk).update(name="改名企业")
    problem = check_object(f"enterprise:{ledgered.first.public_id}")
    assert problem is not None and problem.fields == ("name",)


def test_it_refuses_to_export_into_a_directory_that_is_not_empty(ledgered, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    assert "not an empty directory" in failing_command("export", str(tmp_path))


def test_it_signs_a_checkpoint_on_demand(ledgered):
    out, _ = run_command("checkpoint")
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest.size == current_size()
    assert f"signed a checkpoint of size {latest.size}" in out and latest.note.splitlines()[0] in out
    out, _ = run_command("checkpoint")
    assert "no new entries" in out


def test_it_reports_a_head_that_counts_fewer_hashed_entries_than_a_signed_checkpoint(ledgered):
    signed = Checkpoint.objects.order_by("-size").first().size
    LedgerHead.objects.filter(pk=1).update(integrated=signed - 3)  # hides the nodes of the last entries
    LedgerNode.objects.filter(level=0, index=signed - 1).delete()
    assert any(p.kind == "head" and "fewer than the signed checkpoint" in p.message for p in verify())
