"""draw-v2: commitments at draw time, item reveals with inclusion proofs, a full reveal, and the stand-alone
verifier that checks each stage (docs/specs/draw-v2.md)."""

import copy
import hashlib
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from choujian.draws import sealed, verify

BEACON = {
    "source": "中国福利彩票双色球 2027001 期开奖号码",
    "fixed_on": "2026-12-28",
    "value": "03 08 15 21 27 31 + 09",
}


def _items(n: int, strata=("JT-0303", "JT-0410")) -> list[sealed.SaltedItem]:
    return [
        sealed.SaltedItem(
            f"913501{k:012d}/P{k:04d}",
            1 + k % 3,
            strata[k % len(strata)],
            hashlib.sha256(f"salt{k}".encode()).hexdigest()[:32],
        )
        for k in range(n)
    ]


def _ceremony(root: str, beacon=BEACON) -> tuple[str, dict]:
    secrets = {"林建华": "a" * 24, "社会监督员王敏": "b" * 24}
    commitments = {name: hashlib.sha256(s.encode()).hexdigest() for name, s in secrets.items()}
    seed = sealed.ceremony_seed(root, secrets, beacon)
    return seed, sealed.seed_source("ceremony", commitments=commitments, secrets=secrets, beacon=beacon)


def _record(n=30, quotas=None, beacon=BEACON):
    frame = sealed.SealedFrame(_items(n))
    seed, source = _ceremony(frame.root(), beacon)
    quotas = quotas or {"JT-0303": 3, "JT-0410": 2}
    record, result = sealed.sealed_record(
        purpose="enterprises", frame=frame, quotas=quotas, seed=seed, source=source, created_at="2026-12-05T08:00:00Z"
    )
    return frame, record, result


def _leaf(line: str) -> bytes:
    return hashlib.sha256(b"\x00" + line.encode()).digest()


def _node(a: bytes, b: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + a + b).digest()


def test_the_frame_root_is_the_rfc6962_tree_over_the_salted_lines_in_id_order():
    items = _items(3)
    lines = sorted((i.line for i in items), key=lambda line: line.split("\t")[0])
    expected = _node(_node(_leaf(lines[0]), _leaf(lines[1])), _leaf(lines[2])).hex()
    assert sealed.frame_root(list(reversed(items))) == expected
    assert items[0].line == f"{items[0].id}\t{items[0].weight}\t{items[0].stratum}\t{items[0].salt}"


def test_the_sealed_record_names_nobody():
    frame, record, result = _record()
    text = json.dumps(record, ensure_ascii=False)
    assert all(item.id not in text and item.salt not in text for item in frame.items)
    assert list(record) == [
        "algorithm", "purpose", "frame_root", "frame_counts", "quotas", "seed", "seed_source",
        "selection_digest", "selected_counts", "created_at", "revealed",
    ]  # fmt: skip
    assert record["frame_counts"] == {"JT-0303": 15, "JT-0410": 15}
    assert record["selected_counts"] == {"JT-0303": 3, "JT-0410": 2}
    assert "OK" in verify.verify(record) and "sealed" in verify.verify(record)


def test_the_seed_includes_the_beacon_and_a_record_without_one_is_warned_about():
    frame = sealed.SealedFrame(_items(5))
    with_beacon, _ = _ceremony(frame.root())
    without, _ = _ceremony(frame.root(), beacon=None)
    assert with_beacon != without
    _, record, _ = _record(beacon=None)
    assert "WARNING" in verify.verify(record)
    assert "WARNING" not in verify.verify(_record()[1])


@given(n=st.integers(min_value=1, max_value=60), q1=st.integers(0, 8), q2=st.integers(0, 8))
@settings(max_examples=60, deadline=None)
def test_the_selection_is_the_literal_spec_ranking_of_salted_keys(n, q1, q2):
    frame, record, result = _record(n, {"JT-0303": q1, "JT-0410": q2})
    seed = record["seed"]
    text = []
    for stratum, quota in sorted({"JT-0303": q1, "JT-0410": q2}.items()):
        members = [i for i in frame.items if i.stratum == stratum]
        ranked = [i.id for i in sorted(members, key=lambda i: (-math.log(_u(seed, i)) / i.weight, i.id))]
        assert result.selected[stratum] == ranked[:quota]
        assert result.alternates[stratum] == ranked[quota:]
        text += [f"{'S' if r <= quota else 'A'}\t{stratum}\t{r}\t{i}\n" for r, i in enumerate(ranked, start=1)]
    assert record["selection_digest"] == hashlib.sha256("".join(text).encode()).hexdigest()
    assert "OK" in verify.verify(sealed.full_reveal(record, frame, result))


def _u(seed, item):
    t = int.from_bytes(hashlib.sha256(f"{seed},{item.id},{item.salt}".encode()).digest(), "big")
    return ((t >> 203) + 0.5) / 2**53


def test_item_reveals_prove_inclusion_and_rank_and_tampering_fails():
    frame, record, result = _record()
    first = result.selected["JT-0303"][0]
    alternate = result.alternates["JT-0410"][0]
    for item_id in (first, alternate):
        record = sealed.with_reveal(record, sealed.item_reveal(frame, result, item_id))
    assert [r["status"] for r in record["revealed"]] == ["selected", "alternate"]
    assert record["revealed"][1]["stratum_rank"] == 3
    assert "2 item reveals" in verify.verify(record)
    forged = copy.deepcopy(record)
    forged["revealed"][0]["line"] = forged["revealed"][0]["line"][:-1] + "0"  # another salt
    with pytest.raises(verify.Mismatch, match="not in the committed frame"):
        verify.verify(forged)
    promoted = copy.deepcopy(record)
    promoted["revealed"][1]["stratum_rank"] = 1
    with pytest.raises(verify.Mismatch):
        verify.verify(sealed.full_reveal(promoted, frame, result))


def test_the_full_reveal_is_recomputed_and_a_changed_selection_fails():
    frame, record, result = _record()
    full = sealed.full_reveal(record, frame, result)
    assert "all recomputed" in verify.verify(full)
    swapped = copy.deepcopy(full)
    stratum = swapped["selected"]["JT-0303"]
    stratum[0], stratum[1] = stratum[1], stratum[0]
    with pytest.raises(verify.Mismatch):
        verify.verify(swapped)
    other_salt = copy.deepcopy(full)
    other_salt["frame"][0]["salt"] = "0" * 32
    with pytest.raises(verify.Mismatch, match="frame_root"):
        verify.verify(other_salt)


def test_the_command_line_verifier_exits_zero_on_a_v2_record(tmp_path, capsys):
    _, record, _ = _record()
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert verify.main([str(path)]) == 0
    record["seed"] = "0" * 64
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert verify.main([str(path)]) == 1
