"""RFC 6962 / 9162 Merkle tree: the compact node store against a reference written straight from the RFC text."""

import hashlib
import math
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from choujian.ledger import merkle
from choujian.ledger.merkle import (
    EMPTY_ROOT,
    MemoryStore,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    nodes_to_store_after_append,
    root_at,
    root_from_leaves,
    split_point,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------------------------------------------------------
# Reference implementation: RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF/SUBPROOF, over D[lo:hi] of ENTRIES.
# Memoised on the range so that checking every index of every size stays fast; the recursion is the RFC's.

MAX_ENTRIES = 5000
ENTRIES = [hashlib.sha256(i.to_bytes(4, "big")).digest()[: i % 40] + i.to_bytes(4, "big") for i in range(MAX_ENTRIES)]


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def ref_mth(lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + ENTRIES[lo]).digest()
    k = _k(n)
    return hashlib.sha256(b"\x01" + ref_mth(lo, lo + k) + ref_mth(lo + k, hi)).digest()


def ref_path(m: int, lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return ref_path(m, lo, lo + k) + [ref_mth(lo + k, hi)]
    return ref_path(m - k, lo + k, hi) + [ref_mth(lo, lo + k)]


def ref_subproof(m: int, lo: int, hi: int, b: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if b else [ref_mth(lo, hi)]
    k = _k(n)
    if m <= k:
        return ref_subproof(m, lo, lo + k, b) + [ref_mth(lo + k, hi)]
    return ref_subproof(m - k, lo + k, hi, False) + [ref_mth(lo, lo + k)]


def ref_proof(m: int, n: int) -> list[bytes]:
    return ref_subproof(m, 0, n, True)


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    s = MemoryStore()
    for entry in ENTRIES:
        s.append(entry)
    return s


# ---------------------------------------------------------------------------------------------------------------
# Known answers: the Certificate Transparency test vectors (transparency-dev/merkle testonly, RFC 6962 reference).

CT_LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]]
CT_LEAVES.append(bytes.fromhex("606162636465666768696a6b6c6d6e6f"))
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def test_ct_vectors() -> None:
    s = MemoryStore()
    for entry in CT_LEAVES:
        s.append(entry)
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    for n in range(len(CT_LEAVES) + 1):
        assert s.root(n).hex() == CT_ROOTS[n]
        assert root_from_leaves([leaf_hash(e) for e in CT_LEAVES[:n]]).hex() == CT_ROOTS[n]
    for (index, size), want in CT_INCLUSION.items():
        assert [h.hex() for h in s.inclusion(index, size)] == want
        assert verify_inclusion(index, size, leaf_hash(CT_LEAVES[index]), s.inclusion(index, size), s.root(size))
    for (first, second), want in CT_CONSISTENCY.items():
        assert [h.hex() for h in s.consistency(first, second)] == want
        assert verify_consistency(first, second, s.root(first), s.root(second), s.consistency(first, second))


def test_hash_primitives() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert [split_point(n) for n in (2, 3, 4, 5, 8, 9, 1000)] == [1, 2, 2, 4, 4, 8, 512]
    assert split_point(2**40) == 2**39 and split_point(2**63 + 1) == 2**63
    with pytest.raises(ValueError):
        split_point(1)


# ---------------------------------------------------------------------------------------------------------------
# Node store and roots.


def test_stored_nodes_are_exactly_the_complete_aligned_subtrees() -> None:
    s = MemoryStore()
    for n in range(1, 301):
        s.append(ENTRIES[n - 1])
        want = {(lv, i) for lv in range(n.bit_length()) for i in range(n >> lv)}
        assert set(s.nodes) == want
    for (lv, i), h in s.nodes.items():
        assert h == ref_mth(i << lv, (i + 1) << lv)


def test_append_reads_at_most_log_n_nodes(store: MemoryStore) -> None:
    calls: list[tuple[int, int]] = []

    def get(level: int, idx: int) -> bytes:
        calls.append((level, idx))
        return store.get(level, idx)

    for index in range(1, 2000):
        calls.clear()
        rows = nodes_to_store_after_append(index, store.get(0, index), get)
        assert len(calls) == len(rows) - 1 <= index.bit_length()
        assert all(store.get(lv, i) == h for lv, i, h in rows)
    with pytest.raises(ValueError):
        nodes_to_store_after_append(0, b"an entry, not a leaf hash", store.get)


def test_roots_for_every_size(store: MemoryStore) -> None:
    leaves = [leaf_hash(e) for e in ENTRIES[:600]]
    assert root_at(0, store.get) == root_from_leaves([]) == EMPTY_ROOT
    for n in range(1, 601):
        want = ref_mth(0, n)
        assert root_at(n, store.get) == want
        assert root_from_leaves(leaves[:n]) == want


def test_subtree_hash_rejects_ranges_that_are_not_rfc_subtrees(store: MemoryStore) -> None:
    assert subtree_hash(8, 13, store.get) == ref_mth(8, 13)
    for start, end in [(1, 3), (2, 5), (4, 9), (0, 0), (5, 4), (-1, 1)]:
        with pytest.raises(ValueError):
            subtree_hash(start, end, store.get)


# ---------------------------------------------------------------------------------------------------------------
# Proofs against the reference.


def test_inclusion_every_index_every_size_up_to_300(store: MemoryStore) -> None:
    for n in range(1, 301):
        root = store.root(n)
        for m in range(n):
            proof = inclusion_proof(m, n, store.get)
            assert proof == ref_path(m, 0, n), (m, n)
            assert verify_inclusion(m, n, leaf_hash(ENTRIES[m]), proof, root)


def test_consistency_every_pair_up_to_120(store: MemoryStore) -> None:
    for n in range(1, 121):
        root = store.root(n)
        for m in range(1, n + 1):
            proof = consistency_proof(m, n, store.get)
            assert proof == ref_proof(m, n), (m, n)
            assert verify_consistency(m, n, store.root(m), root, proof)


@st.composite
def index_and_size(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX_ENTRIES))
    return draw(st.integers(0, size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    second = draw(st.integers(1, MAX_ENTRIES))
    return draw(st.integers(1, second)), second


@settings(max_examples=300, deadline=None)
@given(index_and_size())
def test_inclusion_random_large(store: MemoryStore, case: tuple[int, int]) -> None:
    m, n = case
    proof = inclusion_proof(m, n, store.get)
    assert proof == ref_path(m, 0, n)
    assert verify_inclusion(m, n, leaf_hash(ENTRIES[m]), proof, store.root(n))


@settings(max_examples=300, deadline=None)
@given(two_sizes())
def test_consistency_random_large(store: MemoryStore, case: tuple[int, int]) -> None:
    m, n = case
    proof = consistency_proof(m, n, store.get)
    assert proof == ref_proof(m, n)
    assert verify_consistency(m, n, store.root(m), store.root(n), proof)


# ---------------------------------------------------------------------------------------------------------------
# Tampering and malformed input: verification fails, never raises.


def _tamperings(proof: list[bytes]) -> list[list[bytes]]:
    out = []
    for i in range(len(proof)):
        flipped = bytearray(proof[i])
        flipped[i % 32] ^= 0x01
        out.append(proof[:i] + [bytes(flipped)] + proof[i + 1 :])
        out.append(proof[:i] + proof[i + 1 :])
    out.append(proof + [proof[-1] if proof else EMPTY_ROOT])
    out.append([EMPTY_ROOT] + proof)
    if len(proof) > 1:
        out.append(proof[::-1])
    return out


def test_tampered_inclusion_proofs_fail(store: MemoryStore) -> None:
    for n in [*range(1, 70), 127, 128, 129, 1000, 4999]:
        root = store.root(n)
        for m in sorted({0, 1, n // 3, n // 2, n - 2, n - 1} & set(range(n))):
            proof = store.inclusion(m, n)
            leaf = leaf_hash(ENTRIES[m])
            for bad in _tamperings(proof):
                if bad != proof:
                    assert not verify_inclusion(m, n, leaf, bad, root), (m, n)
            for other in {m - 1, m + 1, m ^ 1, m ^ 2} - {m}:
                assert not verify_inclusion(other, n, leaf, proof, root), (m, other, n)
            for other_n in {n - 1, n + 1, 2 * n} - {n}:
                if 0 <= m < other_n <= MAX_ENTRIES:
                    assert not verify_inclusion(m, other_n, leaf, proof, store.root(other_n)), (m, n, other_n)
            assert not verify_inclusion(m, n, leaf_hash(b"forged"), proof, root)
            assert not verify_inclusion(m, n, leaf, proof, store.root(n - 1) if n > 1 else leaf_hash(b"x"))


def test_tampered_consistency_proofs_fail(store: MemoryStore) -> None:
    for n in [*range(2, 40), 127, 128, 129, 1000, 4999]:
        for m in sorted({1, 2, n // 3, n // 2, n - 1} & set(range(1, n))):
            proof = store.consistency(m, n)
            r1, r2 = store.root(m), store.root(n)
            for bad in _tamperings(proof):
                if bad != proof:
                    assert not verify_consistency(m, n, r1, r2, bad), (m, n)
            assert not verify_consistency(m, n, r2, r2, proof)
            assert not verify_consistency(m, n, r1, r1, proof)
            for other_m in {m - 1, m + 1} - {0, n, m}:
                assert not verify_consistency(other_m, n, store.root(other_m), r2, proof), (m, other_m, n)
            if n + 1 <= MAX_ENTRIES:
                assert not verify_consistency(m, n + 1, r1, store.root(n + 1), proof)


def test_edge_cases_of_verification(store: MemoryStore) -> None:
    r5, r9 = store.root(5), store.root(9)
    assert verify_consistency(5, 5, r5, r5, [])
    assert not verify_consistency(5, 5, r5, r9, [])
    assert not verify_consistency(5, 5, r5, r5, [r5])
    # Any tree extends the empty tree; the proof is empty whatever root the caller has for size 0.
    assert verify_consistency(0, 9, EMPTY_ROOT, r9, [])
    assert not verify_consistency(0, 9, EMPTY_ROOT, r9, [r9])
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(9, 5, r9, r5, store.consistency(5, 9))
    assert not verify_consistency(5, 9, r5, r9, [])
    leaf = leaf_hash(ENTRIES[3])
    proof = store.inclusion(3, 9)
    junk: list = [None, "x", b"short", 3, [b"x" * 31]]
    for bad in junk:
        assert not verify_inclusion(3, 9, leaf, bad, r9)
        assert not verify_consistency(5, 9, r5, r9, bad)
        assert not verify_inclusion(3, 9, leaf, proof, bad)
        assert not verify_inclusion(3, 9, bad, proof, r9)
        assert not verify_consistency(5, 9, bad, r9, store.consistency(5, 9))
    for index, size in [(9, 9), (-1, 9), (0, 0), (0, -1), (True, 9)]:
        assert not verify_inclusion(index, size, leaf, proof, r9)
    assert verify_inclusion(0, 1, leaf_hash(ENTRIES[0]), [], store.root(1))
    assert not verify_inclusion(0, 1, leaf_hash(ENTRIES[0]), [leaf], store.root(1))


def test_invalid_proof_requests_raise_value_error(store: MemoryStore) -> None:
    for index, size in [(5, 5), (-1, 5), (0, 0), (0, -3)]:
        with pytest.raises(ValueError, match="size|index"):
            inclusion_proof(index, size, store.get)
    for first, second in [(6, 5), (-1, 5), (0, -1)]:
        with pytest.raises(ValueError, match="size"):
            consistency_proof(first, second, store.get)
    assert consistency_proof(0, 7, store.get) == [] == consistency_proof(7, 7, store.get)
    with pytest.raises(ValueError, match="larger than the log"):
        MemoryStore().root(1)


# ---------------------------------------------------------------------------------------------------------------
# Cost: every operation reads O(log n) stored nodes.


def _counting_getter(size: int) -> tuple[merkle.Getter, list[int]]:
    """Synthesise node hashes lazily; every requested node must be a complete subtree of the tree of ``size``."""
    count = [0]

    def get(level: int, index: int) -> bytes:
        assert level >= 0 and index >= 0 and (index + 1) << level <= size, (level, index, size)
        count[0] += 1
        return hashlib.sha256(f"{level}/{index}".encode()).digest()

    return get, count


@pytest.mark.parametrize("size", [2**20 - 1, 2**20, 2**20 + 1, 1_000_003, 1_398_101, 2**21 - 2])
def test_proofs_cost_logarithmic_reads(size: int) -> None:
    bound = 4 * math.log2(size) + 8
    picks = sorted({0, 1, 2, size // 3, size // 2, 2**19, 2**19 + 1, size - 2, size - 1} | set(range(5, size, 65537)))
    worst = 0
    for m in picks:
        get, count = _counting_getter(size)
        assert len(inclusion_proof(m, size, get)) <= size.bit_length()
        worst = max(worst, count[0])
        get, count = _counting_getter(size)
        consistency_proof(m + 1, size, get)
        worst = max(worst, count[0])
        get, count = _counting_getter(m + 1)
        root_at(m + 1, get)
        assert count[0] <= (m + 1).bit_length()
    assert worst <= bound
    assert worst <= 2 * size.bit_length() + 2


@given(st.integers(0, 2**40), st.integers(1, 2**40))
def test_subtree_pieces_tile_the_range_left_to_right(start, width):
    size = 1 << (width - 1).bit_length()
    start -= start % size  # an RFC 6962 subtree starts at a multiple of its covering power of two
    pos = start
    for level, index in merkle.subtree_pieces(start, start + width):
        assert index << level == pos
        pos += 1 << level
    assert pos == start + width


@given(st.integers(0, 2**40), st.integers(1, 300))
def test_appends_after_a_size_need_only_its_frontier_and_what_they_made_themselves(done, count):
    """What integration relies on: continuing the tree from `done` leaves asks only for the maximal complete
    subtrees of those leaves, or for nodes the appends since have made."""
    frontier = set(merkle.subtree_pieces(0, done))
    made: set[tuple[int, int]] = set()

    def get(level, idx):
        assert (level, idx) in frontier or (level, idx) in made
        return bytes(32)

    for index in range(done, done + count):
        made.update((level, idx) for level, idx, _ in merkle.nodes_to_store_after_append(index, bytes(32), get))
