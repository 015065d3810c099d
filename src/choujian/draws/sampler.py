"""choujian-draw-v1: publicly verifiable weighted, stratified random draws (双随机); no Django, NumPy for bulk work.

This module implements the normative spec (docs/specs/draw-v1.md) exactly; `choujian.draws.verify` re-implements the
same rules in the most direct way, as a stand-alone script that shares no code with this one. No Django here.

Decisions the spec leaves open, fixed here and applied identically by the verifier:

* Participant order (ceremony seed): participants are ordered by name with Python's `sorted()`, i.e. by Unicode
  code point, the same order as the frame's ids. The seed is
  `sha256_hex("\\n".join([frame_digest] + [secrets[name] for name in sorted(secrets)]))`.
* Strata without a quota: an item whose stratum has no quota is an error (`DrawError`), never a silent drop,
  because the frame and the quotas are published together and a dropped item would be hidden from the draw.
  Use a quota of 0 to rank a stratum without selecting from it (all its items become alternates). A quota for
  a stratum without items selects nothing and reports the whole quota as shortfall.
* Published record form: `record_json(record)` is `json.dumps(record, ensure_ascii=False, indent=2)` with the
  key order `build_record` produces (no key sorting, no trailing newline), encoded as UTF-8. Within it, `frame`
  is sorted by id; `quotas`, `selected` and `alternates` by stratum; `seed_source` has `kind` first and its other
  keys sorted, and its name → value maps (commitments, secrets) sorted by name — all in code point order.
* Seed sources: `ceremony` (commitments and revealed secrets; the seed is recomputed), `external` (the seed is
  the text read out in public, at least 20 characters, never trimmed or altered) and `derived` (an inspector draw:
  the seed is `f"{plan_seed}/{task}"`, from the plan's own draw seed).
* Weights are integers from 1 to 2**53, so that each is an exact IEEE-754 double in `key = -ln(u) / weight`.

Performance: `draw` ranks every item of every stratum (the alternates are the whole rest of the ranking, in
order). The per-item loops (scanning the items, hashing, gathering the ranked ids) run in `choujian.draws.native`
when it is compiled: OpenSSL's SHA-256 from a copy of a state primed with `f"{seed},"`, and the key with the C
library's `log`, the function `math.log` calls. Without it the same loops run in Python, and the keys are NumPy's log,
which may differ from the C library's in the last bit. Positions are grouped by stratum with a stable sort and each
stratum is ranked by key; wherever neighbours' keys are closer than 2**-30 relative, far more than any such
difference, that run is ranked again by the exact key and then by id; see `_rank_positions`.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter, lt

import numpy as np

try:
    from choujian.draws import native
except ImportError:  # not compiled (no C compiler or OpenSSL headers where it was installed): the Python loops
    native = None

__all__ = [
    "ALGORITHM",
    "MAX_WEIGHT",
    "MIN_SEED_LENGTH",
    "DrawError",
    "DrawResult",
    "Frame",
    "FrameError",
    "FrameItem",
    "SeedError",
    "build_record",
    "canonical_frame_text",
    "ceremony_seed",
    "check_reveal",
    "commitment",
    "draw",
    "external_seed",
    "frame_digest",
    "inspector_seed",
    "item_key",
    "record_json",
    "sha256_hex",
]

ALGORITHM = "choujian-draw-v1"
MIN_SEED_LENGTH = 20
MAX_WEIGHT = 2**53
_FORBIDDEN = ("\t", "\n", "\r")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")


class FrameError(ValueError):
    """The frame is not a valid choujian-draw-v1 frame (bad id, weight or stratum, or a duplicate id)."""


class SeedError(ValueError):
    """A seed, commitment or secret does not meet the spec."""


class DrawError(ValueError):
    """The quotas do not fit the frame (bad quota, or items in a stratum without a quota)."""


def sha256_hex(text: str) -> str:
    """Lowercase hex SHA-256 of the UTF-8 encoding of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text_problem(value: object, what: str, *, allow_empty: bool) -> str | None:
    """Why `value` cannot be an id or stratum (None if it can)."""
    if not isinstance(value, str):
        return f"{what} must be a string, got {type(value).__name__} {value!r}"
    if not value and not allow_empty:
        return f"{what} must not be empty"
    for char, name in zip(_FORBIDDEN, ("TAB", "LF", "CR"), strict=True):
        if char in value:
            return f"{what} {value!r} contains a {name} character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what} {value!r} is not encodable as UTF-8 (lone surrogate)"
    return None


@dataclass(frozen=True, slots=True)
class FrameItem:
    """One eligible item of a frame: a stable public id, an integer weight ≥ 1 and a stratum ("" if none)."""

    id: str
    weight: int = 1
    stratum: str = ""

    def __post_init__(self) -> None:
        name = f"frame item {self.id!r}" if self.id != "" else f"frame item with empty id (stratum {self.stratum!r})"
        problem = _text_problem(self.id, "id", allow_empty=False) or _text_problem(
            self.stratum, "stratum", allow_empty=True
        )
        if problem:
            raise FrameError(f"{name}: {problem}")
        weight = self.weight
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise FrameError(f"{name}: weight must be an integer, got {weight!r}")
        if not 1 <= weight <= MAX_WEIGHT:
            raise FrameError(f"{name}: weight must be an integer from 1 to 2**53, got {weight}")
        for field, kind in (("id", str), ("weight", int), ("stratum", str)):
            if type(getattr(self, field)) is not kind:  # a subclass (IntEnum, …) is stored as the plain value
                object.__setattr__(self, field, kind(getattr(self, field)))


_get_id = attrgetter("id")
_get_weight = attrgetter("weight")
_get_stratum = attrgetter("stratum")


def _checked(items) -> tuple[list[FrameItem], list[str], bool]:
    """The items as a list, their ids, and whether they are in id (code point) order; FrameError on a non-FrameItem
    or a duplicate id."""
    if isinstance(items, Frame):
        return items.items, items.ids, items.canonical
    items = items if type(items) is list else list(items)
    if not all(issubclass(kind, FrameItem) for kind in set(map(type, items))):
        bad = next(item for item in items if not isinstance(item, FrameItem))
        raise FrameError(f"frame items must be FrameItem instances, got {type(bad).__name__} {bad!r}")
    ids = list(map(_get_id, items))
    if all(map(lt, ids, islice(ids, 1, None))):  # strictly ascending: in order and unique
        return items, ids, True
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        duplicate = next(i for i in ids if i in seen or seen.add(i))
        raise FrameError(f"duplicate id {duplicate!r} in the frame: ids must be unique")
    return items, ids, False


def _frame(items) -> tuple[list[FrameItem], list[str]]:
    """The items in id (code point) order, and their ids."""
    items, ids, canonical = _checked(items)
    if not canonical:
        items = sorted(items, key=_get_id)
        ids = list(map(_get_id, items))
    return items, ids


def _scanned(items):
    """The Frame's columns from the native scan: (items, ids, canonical, weights, sorted strata, stratum codes), or
    None where the Python path must decide (no native module, or something the scan does not vouch for)."""
    if native is None or type(items) is not list:
        return None
    scanned = native.scan(items, FrameItem)
    if scanned is None:
        return None
    ids, weights, first_seen, codes, canonical, hashes = scanned
    if not canonical:
        ordered = np.sort(np.frombuffer(hashes, dtype=np.int64))
        if (ordered[1:] == ordered[:-1]).any():  # a duplicate id, or (rarely) two ids with the same str hash
            _checked(items)
    distinct = sorted(first_seen)
    rank = np.empty(len(distinct), dtype=np.int32)
    rank[[first_seen[stratum] for stratum in distinct]] = np.arange(len(distinct), dtype=np.int32)
    codes = rank[np.frombuffer(codes, dtype=np.int32)]
    return items, ids, canonical, np.frombuffer(weights, dtype=np.float64), distinct, codes


class Frame:
    """A validated frame with its columns ready for drawing: build it once, draw it often.

    The items stay in the order given: ranking is by (key, id), so a draw never needs the canonical (id) order, only
    the frame's digest and published listing do (`canonical_frame_text`, `build_record` sort when they must). The
    platform freezes a frame (its digest is published) long before the seed exists; the draw then only hashes and
    ranks. Every function that takes `items` also takes a Frame.
    """

    __slots__ = ("items", "ids", "canonical", "weights", "positions", "_id_array")

    def __init__(self, items) -> None:
        if not isinstance(items, Frame) and type(items) is not list:
            items = list(items)  # read once: the scan and, if it declines, the Python path see the same items
        scanned = _scanned(items)
        if scanned is None:
            self.items, self.ids, self.canonical = _checked(items)
            n = len(self.ids)
            weights = np.fromiter(map(_get_weight, self.items), dtype=np.float64, count=n)
            strata = list(map(_get_stratum, self.items))
            distinct = sorted(set(strata))
            index = {stratum: k for k, stratum in enumerate(distinct)}
            codes = None if len(distinct) <= 1 else np.fromiter(map(index.__getitem__, strata), np.int32, count=n)
        else:
            self.items, self.ids, self.canonical, weights, distinct, codes = scanned
            n = len(self.ids)
        self.weights: np.ndarray | None = None if (weights == 1.0).all() else weights
        if len(distinct) <= 1:
            self.positions = {stratum: np.arange(n) for stratum in distinct}
        else:
            dtype = np.int16 if len(distinct) <= np.iinfo(np.int16).max else np.int32  # int16 sorts by radix
            codes = codes.astype(dtype)
            bounds = np.cumsum(np.bincount(codes)).tolist()
            groups = np.split(np.argsort(codes, kind="stable"), bounds[:-1])
            self.positions = dict(zip(distinct, groups, strict=True))
        self._id_array = None

    def __len__(self) -> int:
        return len(self.ids)

    def id_array(self) -> np.ndarray:
        if self._id_array is None:
            self._id_array = np.array(self.ids, dtype=object)
        return self._id_array


def canonical_frame_text(items) -> str:
    """The spec's canonical frame text: `{id}\\t{weight}\\t{stratum}\\n` per item, sorted by id."""
    return "".join([f"{item.id}\t{item.weight}\t{item.stratum}\n" for item in _frame(items)[0]])


def frame_digest(items) -> str:
    """Lowercase hex SHA-256 of the UTF-8 canonical frame text (published before the seed exists)."""
    return sha256_hex(canonical_frame_text(items))


# --- Seeds -------------------------------------------------------------------------------------------------


def commitment(secret: str) -> str:
    """A ceremony participant's commitment: `sha256_hex(secret)`."""
    if not isinstance(secret, str):
        raise SeedError(f"a secret must be a string, got {type(secret).__name__}")
    try:
        return sha256_hex(secret)
    except UnicodeEncodeError:
        raise SeedError("the secret is not encodable as UTF-8 (lone surrogate)") from None


def check_reveal(commitment_hex: str, secret: str) -> bool:
    """Whether a revealed secret matches its commitment (lowercase hex, as `commitment` makes it)."""
    if not isinstance(commitment_hex, str) or not isinstance(secret, str):
        return False
    try:
        return commitment(secret) == commitment_hex
    except SeedError:
        return False


def ceremony_seed(frame_digest: str, secrets: dict[str, str]) -> str:
    """The ceremony seed: sha256_hex of the frame digest and the secrets ordered by participant name, LF-joined.

    Participants are ordered by `sorted()` of their names (Unicode code point order).
    """
    if not isinstance(frame_digest, str) or not _HEX64.fullmatch(frame_digest):
        raise SeedError(f"the frame digest must be 64 lowercase hex digits, got {frame_digest!r}")
    if not secrets:
        raise SeedError("a ceremony needs at least one participant's secret")
    for name, secret in secrets.items():
        if not isinstance(name, str) or not name:
            raise SeedError(f"participant names must be non-empty strings, got {name!r}")
        if not isinstance(secret, str):
            raise SeedError(f"the secret of {name} must be a string, got {type(secret).__name__}")
    try:
        return sha256_hex("\n".join([frame_digest] + [secrets[name] for name in sorted(secrets)]))
    except UnicodeEncodeError:
        raise SeedError("a secret or participant name is not encodable as UTF-8 (lone surrogate)") from None


def _check_seed(seed: object, what: str = "seed") -> str:
    if not isinstance(seed, str):
        raise SeedError(f"the {what} must be a string, got {type(seed).__name__}")
    if len(seed) < MIN_SEED_LENGTH:
        raise SeedError(f"the {what} must be at least {MIN_SEED_LENGTH} characters long, got {len(seed)}: {seed!r}")
    try:
        seed.encode("utf-8")
    except UnicodeEncodeError:
        raise SeedError(f"the {what} is not encodable as UTF-8 (lone surrogate)") from None
    return seed


def external_seed(text: str) -> str:
    """Validate an external seed (e.g. 20 dice rolls read out in public) and return it unchanged.

    At least 20 characters. Nothing is trimmed or normalised: leading or trailing white space is an error
    rather than something silently removed, because the seed must be exactly what was read out.
    """
    if isinstance(text, str) and text != text.strip():
        raise SeedError(
            f"the external seed {text!r} starts or ends with white space; type exactly what was read out, "
            "without surrounding spaces or line breaks"
        )
    return _check_seed(text, "external seed")


def inspector_seed(plan_seed: str, task_code: str) -> str:
    """The seed of a task's inspector draw: `f"{plan_seed}/{task_code}"`."""
    _check_seed(plan_seed, "plan seed")
    if not isinstance(task_code, str) or not task_code:
        raise SeedError(f"the task code must be a non-empty string, got {task_code!r}")
    return f"{plan_seed}/{task_code}"


# --- Keys and selection ------------------------------------------------------------------------------------


def item_key(seed: str, item: FrameItem) -> float:
    """The spec's key of one item, computed literally (the reference that the fast path in `draw` matches)."""
    t = int.from_bytes(hashlib.sha256(f"{seed},{item.id}".encode()).digest(), "big")
    u = ((t >> 203) + 0.5) / 2**53
    return -math.log(u) / item.weight


@dataclass(frozen=True)
class DrawResult:
    """Per stratum (in code point order): selected ids and alternates, both in rank order.

    `shortfall` lists only the strata with fewer items than their quota (stratum → missing count).
    """

    selected: dict[str, list[str]]
    alternates: dict[str, list[str]]
    shortfall: dict[str, int]


def _check_quotas(quotas) -> dict[str, int]:
    if not isinstance(quotas, dict):
        raise DrawError(f"quotas must be a dict of stratum → integer, got {type(quotas).__name__}")
    for stratum, quota in quotas.items():
        problem = _text_problem(stratum, "stratum", allow_empty=True)
        if problem:
            raise DrawError(f"quota stratum {stratum!r}: {problem}")
        if isinstance(quota, bool) or not isinstance(quota, int):
            raise DrawError(f"the quota of stratum {stratum!r} must be an integer, got {quota!r}")
        if quota < 0:
            raise DrawError(f"the quota of stratum {stratum!r} must be ≥ 0, got {quota}")
    return {stratum: int(quotas[stratum]) for stratum in sorted(quotas)}


def _unquoted(item: FrameItem) -> DrawError:
    return DrawError(
        f"frame item {item.id!r} is in stratum {item.stratum!r}, which has no quota: every stratum of the "
        "frame needs a quota (0 to select none of it)"
    )


def _digests(messages: list[str], prefix: str) -> bytes:
    """`sha256(prefix + message)` of each message, concatenated, from copies of a state that has absorbed `prefix`."""
    fresh = hashlib.sha256(prefix.encode()).copy
    out = io.BytesIO()
    write = out.write
    for message in messages:
        state = fresh()
        state.update(message.encode())
        write(state.digest())
    return out.getvalue()


def keyed(messages: list[str], prefix: str, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """For each message, the spec's u of `sha256(prefix + message)` and a key that ranks as the spec's key.

    Natively the key is the spec's key itself (the C library's `log`, which `math.log` calls); in Python it is NumPy's
    approximation, which `_rank_positions` corrects wherever it could matter.
    """
    if native is not None:
        computed = native.keys(messages, prefix.encode(), weights)
        if computed is not None:
            return np.frombuffer(computed[0], dtype=np.float64), np.frombuffer(computed[1], dtype=np.float64)
    u = u_values(_digests(messages, prefix))
    return u, _approximate_keys(u, weights)


def u_values(digests: bytes) -> np.ndarray:
    """The spec's u for each 32-byte digest (concatenated in `digests`), bit for bit.

    x = t >> 203 is the first 8 bytes of the digest, big-endian, shifted right by 11. `((t >> 203) + 0.5) / 2**53`
    equals `float(2x + 1) * 2**-54`: rounding half to even to 53 bits commutes with scaling by 2, and 2x + 1 < 2**54
    is converted from a signed 64-bit integer, which IEEE-754 rounds to nearest even as Python does.
    """
    heads = np.frombuffer(digests, dtype=">u8")[::4]
    x = (heads >> np.uint64(11)).astype(np.int64)
    return (2 * x + 1).astype(np.float64) * 2.0**-54


# NumPy's log is within a few units in the last place of the C library's; keys further apart than this relative
# gap rank the same either way, and only runs of keys closer than it are ranked again with `math.log` itself.
_CLOSE = 2.0**-30


def _approximate_keys(u: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    keys = np.negative(np.log(u))
    if weights is not None:
        keys /= weights
    return keys


def _exact_key(u: float, weight: float) -> float:
    return -math.log(u) / weight


def _rank_positions(positions: np.ndarray, approx: np.ndarray, u: np.ndarray, weights: np.ndarray | None, ids):
    """`positions` ranked by the spec's (key, id).

    Sorted by the approximate key first; every run of neighbours whose approximate keys lie within `_CLOSE` of each
    other is then ranked by the exact key (`math.log`, IEEE-754 division), ties by id.
    """
    order = positions[np.argsort(approx[positions])]
    ranked_keys = approx[order]
    close = np.flatnonzero(np.diff(ranked_keys) <= _CLOSE * ranked_keys[1:]).tolist()
    if not close:
        return order
    runs: list[list[int]] = []
    for j in close:
        if runs and runs[-1][1] == j:
            runs[-1][1] = j + 1
        else:
            runs.append([j, j + 1])
    for first, last in runs:
        members = order[first : last + 1].tolist()
        exact = sorted(
            (_exact_key(float(u[m]), 1.0 if weights is None else float(weights[m])), ids[m], m) for m in members
        )
        order[first : last + 1] = [m for _, _, m in exact]
    return order


def _ranked(ids: list[str], u_values, weights=None) -> list[str]:
    """`ids` ranked by (key, id) ascending, from their u values (and weights)."""
    u = np.asarray(u_values, dtype=np.float64)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    order = _rank_positions(np.arange(len(ids)), _approximate_keys(u, w), u, w, ids)
    return list(map(ids.__getitem__, order.tolist()))


def draw(items, seed: str, quotas: dict[str, int]) -> DrawResult:
    """Draw per stratum: rank by (key, id); the first `quota` are selected, all the rest are alternates.

    `items`: a Frame, or FrameItems in any order (ids unique). `quotas`: stratum → integer ≥ 0; every stratum of the
    frame must have one (see the module docstring). The result's dicts are keyed by the quota strata, in code point
    order.
    """
    seed = _check_seed(seed)
    frame = items if isinstance(items, Frame) else Frame(items)
    return rank_keyed(frame, lambda: keyed(frame.ids, f"{seed},", frame.weights), quotas)


def rank_keyed(frame: Frame, keys, quotas: dict[str, int]) -> DrawResult:
    """Rank each stratum of `frame` by (key, id), then apply the quotas. `keys()` gives the items' u values and keys in
    the frame's order, as `keyed` makes them; it is called only when some quota needs them. draw-v2 keys salted
    hashes."""
    quotas = _check_quotas(quotas)
    unquoted = set(frame.positions).difference(quotas)
    if unquoted:
        raise _unquoted(next(item for item in frame.items if item.stratum in unquoted))
    selected, alternates, shortfall = {}, {}, {}
    if not quotas:
        return DrawResult(selected=selected, alternates=alternates, shortfall=shortfall)
    u, approx = keys()
    nothing = np.arange(0)
    for stratum, quota in quotas.items():
        order = _rank_positions(frame.positions.get(stratum, nothing), approx, u, frame.weights, frame.ids)
        ranked = _ids_at(frame, order)
        selected[stratum] = ranked[:quota]
        alternates[stratum] = ranked[quota:]
        if len(ranked) < quota:
            shortfall[stratum] = quota - len(ranked)
    return DrawResult(selected=selected, alternates=alternates, shortfall=shortfall)


def _ids_at(frame: Frame, positions: np.ndarray) -> list[str]:
    if native is not None:
        return native.gather(frame.ids, np.ascontiguousarray(positions, dtype=np.int64))
    return frame.id_array()[positions].tolist()


# --- Records -----------------------------------------------------------------------------------------------


def _seed_source(source: object, seed: str, digest: str) -> dict:
    """Check a seed source against the seed and frame digest; return it in record order."""
    if not isinstance(source, dict) or not all(isinstance(key, str) for key in source):
        raise SeedError("seed_source must be a dict with string keys")
    if not isinstance(source.get("kind"), str):
        raise SeedError("seed_source needs a 'kind': ceremony, external or derived")
    kind = source["kind"]
    out: dict = {"kind": kind}
    if kind == "ceremony":
        commitments, secrets = source.get("commitments"), source.get("secrets")
        if not isinstance(commitments, dict) or not isinstance(secrets, dict):
            raise SeedError("a ceremony seed_source needs 'commitments' and 'secrets' dicts (name → value)")
        if not all(isinstance(name, str) and name for name in [*commitments, *secrets]):
            raise SeedError("participant names must be non-empty strings")
        if set(commitments) != set(secrets):
            differing = sorted(set(commitments) ^ set(secrets))
            raise SeedError(f"commitments and secrets must name the same participants; differing: {differing}")
        for name in sorted(commitments):
            if not isinstance(commitments[name], str) or not _HEX64.fullmatch(commitments[name]):
                raise SeedError(f"the commitment of {name} must be 64 lowercase hex digits")
            if not check_reveal(commitments[name], secrets[name]):
                raise SeedError(f"the commitment of {name} does not match the revealed secret")
        expected = ceremony_seed(digest, secrets)
        if seed != expected:
            raise SeedError(f"the seed {seed!r} is not the ceremony seed {expected!r} of these secrets and frame")
        out["commitments"] = {name: commitments[name] for name in sorted(commitments)}
        out["secrets"] = {name: secrets[name] for name in sorted(secrets)}
    elif kind == "external":
        external_seed(seed)
    elif kind == "derived":
        plan_seed, task = source.get("plan_seed"), source.get("task")
        if seed != inspector_seed(plan_seed, task):
            raise SeedError(f"a derived seed must be f'{{plan_seed}}/{{task}}', got {seed!r}")
    else:
        raise SeedError(f"unknown seed_source kind {kind!r} (ceremony, external or derived)")
    for key in sorted(source):
        if key not in out:
            out[key] = source[key]
    return out


def build_record(*, purpose: str, items, quotas: dict[str, int], seed: str, seed_source: dict, created_at: str) -> dict:
    """The published draw record, in the spec's shape and key order (see `record_json` for its text form)."""
    if not isinstance(purpose, str) or not purpose:
        raise DrawError(f"purpose must be a non-empty string, got {purpose!r}")
    if not isinstance(created_at, str) or not _TIMESTAMP.fullmatch(created_at):
        raise DrawError(f"created_at must be a UTC timestamp like 2026-03-05T09:30:00Z, got {created_at!r}")
    frame = items if isinstance(items, Frame) else Frame(items)
    digest = frame_digest(frame)
    source = _seed_source(seed_source, _check_seed(seed), digest)
    result = draw(frame, seed, quotas)
    return {
        "algorithm": ALGORITHM,
        "purpose": purpose,
        "frame_digest": digest,
        "frame": [{"id": item.id, "weight": item.weight, "stratum": item.stratum} for item in _frame(frame)[0]],
        "quotas": _check_quotas(quotas),
        "seed": seed,
        "seed_source": source,
        "selected": result.selected,
        "alternates": result.alternates,
        "created_at": created_at,
    }


def record_json(record: dict) -> str:
    """The published text of a record: `json.dumps(record, ensure_ascii=False, indent=2)`, keys in record order.

    No trailing newline; publish and hash its UTF-8 encoding.
    """
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False)
