"""choujian-draw-v2 (docs/specs/draw-v2.md): draws that prove fairness without naming anyone before sampling.

Every frame item carries a private 128-bit salt; the frame is committed by an RFC 6962 Merkle root over its item
lines, the keys hash the salt with the seed, so the seed can be public at once while nobody can compute any item's
key. The record published at draw time holds commitments only (root, stratum sizes, seed and its sources, the
selection digest); items are revealed one by one with inclusion proofs as their tasks are sampled, refused or
replaced, and the whole frame when the plan's sampling closes. Ranking, quotas and alternates are draw-v1's.

Pure Python (and NumPy through the v1 ranking); no Django.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from choujian.draws import sampler
from choujian.ledger import merkle

ALGORITHM = "choujian-draw-v2"
_SALT = re.compile(r"^[0-9a-f]{32}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def new_salt() -> str:
    """128 random bits from the operating system's CSPRNG, as 32 lowercase hex characters."""
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class SaltedItem:
    """A v1 frame item (id, weight, stratum) and its salt."""

    id: str
    weight: int
    stratum: str
    salt: str

    def __post_init__(self) -> None:
        sampler.FrameItem(self.id, self.weight, self.stratum)  # the v1 checks of id, weight and stratum
        if not isinstance(self.salt, str) or not _SALT.match(self.salt):
            raise sampler.FrameError(f"frame item {self.id!r}: salt must be 32 lowercase hex characters")

    @property
    def line(self) -> str:
        return f"{self.id}\t{self.weight}\t{self.stratum}\t{self.salt}"


class SealedFrame:
    """Salted items in id order, with the v1 frame (weights, strata) used for ranking."""

    def __init__(self, items) -> None:
        items = sorted(items, key=lambda item: item.id)
        self.frame = sampler.Frame([sampler.FrameItem(i.id, i.weight, i.stratum) for i in items])
        self.items: list[SaltedItem] = items
        self.index = {item.id: n for n, item in enumerate(items)}
        self._leaves: list[bytes] | None = None

    def leaves(self) -> list[bytes]:
        if self._leaves is None:
            self._leaves = [merkle.leaf_hash(item.line.encode("utf-8")) for item in self.items]
        return self._leaves

    def root(self) -> str:
        return merkle.root_from_leaves(self.leaves()).hex()

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.stratum] = counts.get(item.stratum, 0) + 1
        return {stratum: counts[stratum] for stratum in sorted(counts)}

    def inclusion_proof(self, item_id: str) -> tuple[int, list[str]]:
        index = self.index[item_id]
        leaves = self.leaves()
        nodes = _subtree_nodes(leaves)
        proof = merkle.inclusion_proof(index, len(leaves), lambda level, i: nodes[(level, i)])
        return index, [h.hex() for h in proof]


def _subtree_nodes(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete subtree hash (level, index) of the tree over `leaves`, as merkle's proofs address them."""
    nodes = {(0, i): leaf for i, leaf in enumerate(leaves)}
    level, row = 0, leaves
    while len(row) > 1:
        row = [merkle.node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
        nodes.update({(level, i): h for i, h in enumerate(row)})
    return nodes


def frame_root(items) -> str:
    return SealedFrame(items).root()


def beacon_value(beacon: dict | None) -> str | None:
    """The beacon's value if a beacon is given; SeedError if it is malformed."""
    if beacon is None:
        return None
    if not isinstance(beacon, dict):
        raise sampler.SeedError("beacon must be an object with source, fixed_on and value, or null")
    source, fixed_on, value = beacon.get("source"), beacon.get("fixed_on"), beacon.get("value")
    if not isinstance(source, str) or not source.strip():
        raise sampler.SeedError("the beacon needs its source (which public draw or bulletin)")
    if not isinstance(fixed_on, str) or not _DATE.match(fixed_on):
        raise sampler.SeedError("the beacon needs fixed_on, the date it was fixed, as YYYY-MM-DD")
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        raise sampler.SeedError("the beacon needs its value on one line")
    return value


def ceremony_seed(root: str, secret_by_name: dict[str, str], beacon: dict | None) -> str:
    """sha256_hex of the frame root, each participant's secret ordered by name, and the beacon's value (if any),
    joined by LF."""
    parts = [root] + [secret_by_name[name] for name in sorted(secret_by_name)]
    value = beacon_value(beacon)
    if value is not None:
        parts.append(value)
    return sampler.sha256_hex("\n".join(parts))


def item_key(seed: str, item: SaltedItem) -> float:
    """The spec's key of one item, computed literally."""
    import math

    t = int.from_bytes(hashlib.sha256(f"{seed},{item.id},{item.salt}".encode()).digest(), "big")
    u = ((t >> 203) + 0.5) / 2**53
    return -math.log(u) / item.weight


def draw(frame: SealedFrame, seed: str, quotas: dict[str, int]) -> sampler.DrawResult:
    """v1's ranking, quotas and alternates over the salted keys."""
    messages = [f"{item.id},{item.salt}" for item in frame.items]
    return sampler.rank_keyed(frame.frame, lambda: sampler.keyed(messages, f"{seed},", frame.frame.weights), quotas)


def selection_text(result: sampler.DrawResult) -> str:
    lines = []
    for stratum in sorted(set(result.selected) | set(result.alternates)):
        chosen = result.selected.get(stratum, [])
        for rank, item_id in enumerate(chosen, start=1):
            lines.append(f"S\t{stratum}\t{rank}\t{item_id}\n")
        for rank, item_id in enumerate(result.alternates.get(stratum, []), start=len(chosen) + 1):
            lines.append(f"A\t{stratum}\t{rank}\t{item_id}\n")
    return "".join(lines)


def selection_digest(result: sampler.DrawResult) -> str:
    return sampler.sha256_hex(selection_text(result))


def seed_source(kind: str, *, commitments=None, secrets=None, beacon=None, **extra) -> dict:
    source: dict = {"kind": kind}
    if kind == "ceremony":
        source["commitments"] = {name: commitments[name] for name in sorted(commitments)}
        source["secrets"] = {name: secrets[name] for name in sorted(secrets)}
    source |= extra
    source["beacon"] = beacon
    return source


def sealed_record(
    *, purpose: str, frame: SealedFrame, quotas: dict[str, int], seed: str, source: dict, created_at: str
) -> tuple[dict, sampler.DrawResult]:
    """The record published at draw time (no frame, no selection), and the result kept private until revealed."""
    quotas = {stratum: int(quotas[stratum]) for stratum in sorted(quotas)}
    result = draw(frame, seed, quotas)
    record = {
        "algorithm": ALGORITHM,
        "purpose": purpose,
        "frame_root": frame.root(),
        "frame_counts": frame.counts(),
        "quotas": quotas,
        "seed": seed,
        "seed_source": source,
        "selection_digest": selection_digest(result),
        "selected_counts": {stratum: len(result.selected.get(stratum, [])) for stratum in quotas},
        "created_at": created_at,
        "revealed": [],
    }
    return record, result


def rank_of(result: sampler.DrawResult, item_id: str) -> tuple[str, int, str] | None:
    """(stratum, stratum rank, "selected"|"alternate") of an item in the result, None if it was not ranked."""
    for stratum in sorted(set(result.selected) | set(result.alternates)):
        chosen = result.selected.get(stratum, [])
        if item_id in chosen:
            return stratum, chosen.index(item_id) + 1, "selected"
        alternates = result.alternates.get(stratum, [])
        if item_id in alternates:
            return stratum, len(chosen) + alternates.index(item_id) + 1, "alternate"
    return None


def item_reveal(frame: SealedFrame, result: sampler.DrawResult, item_id: str) -> dict:
    """One item's reveal: its line, its index in id order, its inclusion proof, its rank and status."""
    placed = rank_of(result, item_id)
    if placed is None:
        raise sampler.DrawError(f"{item_id!r} was not ranked by this draw")
    index, proof = frame.inclusion_proof(item_id)
    _, rank, status = placed
    return {"line": frame.items[index].line, "index": index, "proof": proof, "stratum_rank": rank, "status": status}


def with_reveal(record: dict, reveal: dict) -> dict:
    """The record with one more item reveal (an item already revealed is not added twice)."""
    if any(r.get("line") == reveal["line"] for r in record.get("revealed", [])):
        return record
    return record | {"revealed": [*record.get("revealed", []), reveal]}


def full_reveal(record: dict, frame: SealedFrame, result: sampler.DrawResult) -> dict:
    """The record once the plan's sampling has closed: the salted frame, the selection and the alternates."""
    return record | {
        "frame": [{"id": i.id, "weight": i.weight, "stratum": i.stratum, "salt": i.salt} for i in frame.items],
        "selected": result.selected,
        "alternates": result.alternates,
    }
