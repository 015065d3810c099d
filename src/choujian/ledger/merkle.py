"""RFC 6962 / RFC 9162 Merkle tree hashing and proofs over a compact node store.

Pure Python (standard library only) so the stand-alone verifier can use it without Django.

Storage model. A log keeps, besides its leaves, the hash of every *complete aligned subtree*: the node at
``(level, index)`` covers leaves ``[index * 2**level, (index + 1) * 2**level)`` and exists as soon as the tree
holds ``(index + 1) * 2**level`` leaves. Level 0 nodes are the leaf hashes. Once written a node never changes,
so rows are insert-only. Every subtree an RFC 6962 proof needs is either one such node or a right edge that
folds at most ``log2(n)`` of them, so roots and proofs cost O(log n) reads via a ``get(level, index)`` callback.

A ``get`` callback must return the stored 32-byte hash, and should raise (e.g. ``KeyError``) for a node that
does not exist; the functions here only ever ask for nodes that exist in the tree of the size requested.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Getter",
    "MemoryStore",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "nodes_to_store_after_append",
    "root_at",
    "root_from_leaves",
    "split_point",
    "subtree_hash",
    "subtree_pieces",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Getter = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 leaf hash: ``SHA-256(0x00 || entry)``."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    if n < 2:
        raise ValueError(f"split point is defined only for n >= 2, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Fold perfect-subtree hashes, given left to right with strictly decreasing sizes, into one RFC 6962 hash.

    Folding right to left reproduces the RFC's split: the leftmost (largest) piece is always the left child.
    """
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """Root hash of the tree whose leaf hashes are given, in one pass with O(log n) memory."""
    stack: list[tuple[int, bytes]] = []  # (width, hash) of perfect subtrees, widths strictly decreasing
    for h in leaf_hashes:
        width = 1
        while stack and stack[-1][0] == width:
            h = node_hash(stack.pop()[1], h)
            width *= 2
        stack.append((width, h))
    if not stack:
        return EMPTY_ROOT
    return _fold([h for _, h in stack])


def nodes_to_store_after_append(index: int, leaf: bytes, get: Getter) -> list[tuple[int, int, bytes]]:
    """Rows ``(level, index, hash)`` that become complete when the leaf hash ``leaf`` is appended at ``index``.

    ``leaf`` is the *leaf hash* (``leaf_hash(entry)``), not the entry bytes. The first row is the leaf itself
    at level 0; each further row is a parent completed by this append. Reads one left sibling per row
    (the number of trailing one bits of ``index``), i.e. at most log2(index + 1) calls to ``get``.
    """
    if index < 0:
        raise ValueError(f"leaf index must be non-negative, got {index}")
    if len(leaf) != HASH_SIZE:
        raise ValueError(f"leaf must be a {HASH_SIZE}-byte leaf hash, got {len(leaf)} bytes")
    rows = [(0, index, leaf)]
    level, idx, h = 0, index, leaf
    while idx & 1:
        h = node_hash(get(level, idx - 1), h)
        level, idx = level + 1, idx >> 1
        rows.append((level, idx, h))
    return rows


def _check_subtree(start: int, end: int) -> None:
    if not 0 <= start < end:
        raise ValueError(f"subtree range must satisfy 0 <= start < end, got [{start}, {end})")
    width = end - start
    # RFC 6962 subtrees start at a multiple of the smallest power of two that covers their width.
    if start % (1 << (width - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is not a subtree of any RFC 6962 tree")


def subtree_hash(start: int, end: int, get: Getter) -> bytes:
    """Hash of the RFC 6962 subtree over leaves ``[start, end)``.

    The range is decomposed into its perfect aligned pieces (one per set bit of ``end - start``), each a stored
    node, so this costs popcount(end - start) <= log2(n) + 1 calls to ``get``.
    Raises ``ValueError`` for a range that is not the subtree of some RFC 6962 tree.
    """
    _check_subtree(start, end)
    return _fold([get(level, index) for level, index in subtree_pieces(start, end)])


def subtree_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """The stored nodes ``(level, index)`` that make up leaves ``[start, end)``, left to right: one per set bit of
    ``end - start``, largest first."""
    pieces = []
    pos, width = start, end - start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            pieces.append((level, pos >> level))
            pos += 1 << level
    return pieces


def root_at(size: int, get: Getter) -> bytes:
    """Root hash of the tree of the first ``size`` leaves, from stored complete nodes."""
    if size < 0:
        raise ValueError(f"tree size must be non-negative, got {size}")
    if size == 0:
        return EMPTY_ROOT
    return subtree_hash(0, size, get)


def inclusion_proof(index: int, size: int, get: Getter) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size]): sibling hashes from the leaf up to the root.

    Walks down from the root; left siblings are single stored nodes, and only the first right sibling can be a
    ragged right edge (everything below a left turn is perfect), so the cost is below 2*log2(size) + 2 gets.
    """
    if size <= 0:
        raise ValueError(f"tree size must be positive, got {size}")
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is out of range for a tree of size {size}")
    siblings: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + split_point(hi - lo)
        if index < mid:
            siblings.append(subtree_hash(mid, hi, get))
            hi = mid
        else:
            siblings.append(subtree_hash(lo, mid, get))
            lo = mid
    siblings.reverse()
    return siblings


def consistency_proof(first: int, second: int, get: Getter) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(first, D[0:second]) = SUBPROOF(first, D[0:second], true).

    ``first == 0`` and ``first == second`` give the empty proof (nothing to prove; see ``verify_consistency``).
    Same cost argument as ``inclusion_proof``: O(log n) gets.
    """
    if first < 0 or second < 0:
        raise ValueError(f"tree sizes must be non-negative, got first={first}, second={second}")
    if first > second:
        raise ValueError(f"first tree size {first} is larger than second tree size {second}")
    if first == 0 or first == second:
        return []
    path: list[bytes] = []
    lo, hi, m, complete = 0, second, first, True
    # Iterative SUBPROOF(m, D[lo:hi], complete); siblings are collected root-down and emitted leaf-up.
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            path.append(subtree_hash(lo + k, hi, get))
            hi = lo + k
        else:
            path.append(subtree_hash(lo, lo + k, get))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        path.append(subtree_hash(lo, hi, get))
    path.reverse()
    return path


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show leaf hash ``leaf_hash`` at ``index`` in the tree ``root`` of ``size``?

    Never raises: malformed input (bad types, hashes not 32 bytes, index out of range, wrong proof length)
    simply fails verification.
    """
    if not (_is_size(index) and _is_size(size) and 0 <= index < size):
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root)) or isinstance(proof, bytes | str):
        return False
    try:
        proof = list(proof)
    except TypeError:
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show that tree (second, second_root) extends tree (first, first_root)?

    The RFC algorithm covers ``0 < first < second``. Outside it, as in transparency-dev/merkle:
    ``first == second`` holds iff the proof is empty and the roots are equal; ``first == 0`` (any tree extends
    the empty tree) holds iff the proof is empty, whatever ``first_root`` is. Never raises; malformed input fails.
    """
    if not (_is_size(first) and _is_size(second) and 0 <= first <= second):
        return False
    if not (_is_hash(first_root) and _is_hash(second_root)) or isinstance(proof, bytes | str):
        return False
    try:
        path = list(proof)
    except TypeError:
        return False
    if not all(_is_hash(p) for p in path):
        return False
    if first == second:
        return not path and hmac.compare_digest(first_root, second_root)
    if first == 0:
        return not path
    if not path:
        return False
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(fr, first_root) and hmac.compare_digest(sr, second_root)


class MemoryStore:
    """Dict-backed log for tests, benchmarks and the stand-alone verifier; mirrors what a database stores."""

    def __init__(self) -> None:
        self.entries: list[bytes] = []
        self.nodes: dict[tuple[int, int], bytes] = {}

    @property
    def size(self) -> int:
        return len(self.entries)

    def get(self, level: int, index: int) -> bytes:
        """Stored hash of node ``(level, index)``; ``KeyError`` if that subtree is not complete yet."""
        return self.nodes[(level, index)]

    def append(self, entry: bytes) -> int:
        """Append entry bytes as the next leaf and return its index."""
        index = len(self.entries)
        for level, idx, h in nodes_to_store_after_append(index, leaf_hash(entry), self.get):
            self.nodes[(level, idx)] = h
        self.entries.append(entry)
        return index

    def _size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if size > self.size:
            raise ValueError(f"tree size {size} is larger than the log ({self.size} entries)")
        return size

    def root(self, size: int | None = None) -> bytes:
        """Root of the first ``size`` leaves (default: all)."""
        return root_at(self._size(size), self.get)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self._size(size), self.get)

    def consistency(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof(first, self._size(second), self.get)
