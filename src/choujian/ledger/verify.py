"""`choujian ledger verify`: recompute the log from its entries and compare it with everything stored and signed.

What is checked (docs/specs/ledger-v1.md §6):

1. entries: `seq` runs 0, 1, 2, … without gaps; each body is canonical JSON whose `seq`, `type`, `at`, `actor` and
   `object` agree with the row's columns; a recorded `state` digests to its `state_digest`;
2. nodes: every stored subtree hash equals the one recomputed from the leaf hashes of the bodies; none is missing
   within the entries the head counts as integrated, none is extra (entries appended since the last integration
   have no stored hashes yet);
3. checkpoints: each signature verifies with the verifier key, the signed size and root agree with the row, the
   root equals the recomputed root at that size, and each checkpoint is consistent with the previous one (an
   RFC 9162 proof built from the stored nodes, as the public API would serve it);
4. objects: every row of a ledgered model digests to the `state_digest` of the last entry about it, a row whose
   last entry records a deletion is gone, and every row has an entry at all. A mismatch names the object and the
   fields that differ from the state the entry recorded.

Entries are streamed in chunks by `seq` and the tree is recomputed keeping only its right frontier (one hash per
level), so memory is bounded by one chunk plus a small record per ledgered object, even for millions of entries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

from choujian.core.canonical import canonical_json, digest
from choujian.ledger import merkle, note
from choujian.ledger.keys import key_name, verifier_key
from choujian.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode, PrivateState
from choujian.ledger.objects import ledgered_models, object_ref, resolve
from choujian.ledger.standalone import canonical_json as canonical_entry_bytes

__all__ = ["CHUNK_SIZE", "Problem", "Report", "check_object", "run", "verify"]

CHUNK_SIZE = 5000
MAX_LISTED = 50  # per kind of problem: a rewritten log would otherwise list every node
DELETED_DIGEST = digest(None)
_DELETED = bytes.fromhex(DELETED_DIGEST)
_MAX_PARAMS = 500  # bound on query parameters per statement (SQLite builds may allow as few as 999)
_ZERO = bytes(merkle.HASH_SIZE)
_MISSING = object()

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Problem:
    """One finding. `kind` is entry, node, checkpoint, object or head; `object` and `fields` name what differs."""

    kind: str
    message: str
    object: str = ""
    fields: tuple[str, ...] = ()
    seq: int | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    entries: int = 0
    checkpoints: int = 0
    objects: int = 0
    root: bytes = merkle.EMPTY_ROOT
    omitted: dict[str, int] = field(default_factory=dict)
    _listed: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        listed = self._listed.get(problem.kind, 0)
        if listed >= MAX_LISTED:
            self.omitted[problem.kind] = self.omitted.get(problem.kind, 0) + 1
            return
        self._listed[problem.kind] = listed + 1
        self.problems.append(problem)

    def finish(self) -> None:
        for kind, count in sorted(self.omitted.items()):
            self.problems.append(
                Problem(kind, f"另有 {count} 个同类问题未列出 / {count} more {kind} problem(s) not listed")
            )
        self.omitted = {}


def verify(*, chunk_size: int = CHUNK_SIZE, progress: Progress | None = None) -> list[Problem]:
    """Run every check; return the problems found (empty when the ledger and the database agree)."""
    return run(chunk_size=chunk_size, progress=progress).problems


def run(*, chunk_size: int = CHUNK_SIZE, progress: Progress | None = None) -> Report:
    """Run every check and return the problems together with what was covered."""
    return _Verifier(chunk_size, progress).run()


def _hex(text: object) -> bytes | None:
    """A stored hex hash as bytes, or None when it is not 64 hex digits."""
    if not isinstance(text, str) or len(text) != 2 * merkle.HASH_SIZE:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def _any(conditions: list[Q]) -> Q:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _fetch_nodes(coords: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes | None]:
    """Stored hashes of the given (level, index) nodes, a few queries of bounded size; absent nodes are left out."""
    by_level: dict[int, list[int]] = {}
    for level, index in coords:
        by_level.setdefault(level, []).append(index)
    found: dict[tuple[int, int], bytes | None] = {}
    batch: list[Q] = []
    params = 0

    def flush() -> None:
        nonlocal batch, params
        if batch:
            rows = LedgerNode.objects.filter(_any(batch)).values_list("level", "index", "hash")
            found.update({(lv, ix): _hex(h) for lv, ix, h in rows})
        batch, params = [], 0

    for level, indices in by_level.items():
        indices = sorted(set(indices))
        for start in range(0, len(indices), _MAX_PARAMS):
            part = indices[start : start + _MAX_PARAMS]
            if params + len(part) + 1 > _MAX_PARAMS:
                flush()
            batch.append(Q(level=level, index__in=part))
            params += len(part) + 1
    flush()
    return found


def _rfc3339(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _show(value: Any) -> str:
    text = "（无）" if value is _MISSING else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


def _differences(before: Any, after: Any, path: str, limit: int = 5) -> list[tuple[str, Any, Any]]:
    """Where two recorded values differ, down to the nested field: `signatures[0].signer_name`, not `signatures`."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(before.keys() | after.keys()):
            found += _differences(before.get(key, _MISSING), after.get(key, _MISSING), f"{path}.{key}", limit)
        return found[:limit]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            found += _differences(old, new, f"{path}[{index}]", limit)
        return found[:limit]
    return [(path, before, after)]


def _entries_of(ref: str, chunk_size: int = 100) -> Iterator[tuple[int, str]]:
    """(seq, body) of the entries about `ref`, newest first."""
    last = None
    while True:
        qs = LedgerEntry.objects.filter(object=ref).order_by("-seq")
        if last is not None:
            qs = qs.filter(seq__lt=last)
        rows = list(qs.values_list("seq", "body")[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = rows[-1][0]


def _last_state_entry(ref: str) -> tuple[int, dict] | None:
    """(seq, data) of the newest entry about `ref` that records a `state_digest`."""
    for seq, body in _entries_of(ref):
        try:
            data = json.loads(body).get("data")
        except (ValueError, AttributeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("state_digest"), str):
            return seq, data
    return None


def _compare(ref: str, instance: models.Model | None, seq: int, data: dict) -> Problem | None:
    recorded = data.get("state_digest")
    deleted = recorded == DELETED_DIGEST
    if instance is None:
        if deleted:
            return None
        return Problem(
            "object",
            f"{ref}: 数据库中已无此记录，但其最后一条日志 #{seq} 并非删除 / "
            f"the row is gone but its last ledger entry #{seq} does not record a deletion",
            object=ref,
            seq=seq,
        )
    if deleted:
        return Problem(
            "object",
            f"{ref}: 最后一条日志 #{seq} 记录了删除，但数据库中仍有此记录 / "
            f"the row exists although its last ledger entry #{seq} records its deletion",
            object=ref,
            seq=seq,
        )
    try:
        state = instance.ledger_state()
    except Exception as exc:  # a broken row must be reported, not stop the check of the others
        return Problem("object", f"{ref}: 无法计算当前状态 / cannot compute its current state ({exc})", object=ref)
    if digest(state) == recorded:
        return None
    current = json.loads(canonical_json(state))
    stored = data.get("state", _MISSING)
    if stored is _MISSING:
        kept = PrivateState.objects.filter(seq=seq).values_list("state", flat=True).first()
        if kept is not None and digest(json.loads(kept)) == recorded:
            stored = json.loads(kept)
    if isinstance(stored, dict) and isinstance(current, dict):
        fields = tuple(
            sorted(k for k in stored.keys() | current.keys() if stored.get(k, _MISSING) != current.get(k, _MISSING))
        )
        changes = "; ".join(
            f"{path}: {_show(before)} → {_show(after)}"
            for k in fields
            for path, before, after in _differences(stored.get(k, _MISSING), current.get(k, _MISSING), k)
        )
    else:
        fields, changes = (), "日志未记录状态明细 / the entry records only the digest"
    named = ", ".join(fields) or "?"
    return Problem(
        "object",
        f"{ref}: 当前数据与最后一条日志 #{seq} 记录的状态不符，字段 {named} / "
        f"the row differs from the state recorded by its last ledger entry #{seq} in field(s) {named} ({changes})",
        object=ref,
        fields=fields,
        seq=seq,
    )


def check_object(ref: str) -> Problem | None:
    """Does the current row of `ref` digest to the `state_digest` of the last entry about it? None if it does
    (or if `ref` is not a ledgered kind); otherwise the problem, naming the fields that differ."""
    model, instance = resolve(ref)
    if model is None:
        return None
    last = _last_state_entry(ref)
    if last is None:
        if instance is None:
            return None
        return Problem(
            "object",
            f"{ref}: 数据库中有此记录，但追溯日志中没有关于它的条目 / the row has no ledger entry at all",
            object=ref,
        )
    return _compare(ref, instance, *last)


class _Verifier:
    def __init__(self, chunk_size: int, progress: Progress | None) -> None:
        self.chunk_size = max(1, chunk_size)
        self.progress = progress or (lambda stage, done, total: None)
        self.report = Report()
        self.key = verifier_key()
        self.origin = key_name()
        self.kinds = set(ledgered_models())
        self.frontier: dict[int, tuple[int, bytes]] = {}  # level -> (index, hash) of the newest complete node
        self.size = 0  # leaf positions recomputed so far
        self.limit = 0  # positions beyond this are not part of the log (see run)
        self.integrated = 0  # entries whose subtree hashes the head says are stored
        self.objects: dict[str, tuple[int, bytes]] = {}  # ref -> (seq, digest) of its last state-bearing entry
        self.trusted: tuple[int, bytes] | None = None  # size and root of the last checkpoint whose signature held
        self.consistency: list[tuple[int, bytes, int, bytes]] = []
        self.checkpoint_rows = self._checkpoint_rows()
        self.next_checkpoint = next(self.checkpoint_rows, None)

    def add(self, kind: str, message: str, **extra: Any) -> None:
        self.report.add(Problem(kind, message, **extra))

    # entries and nodes

    def run(self) -> Report:
        head, self.integrated = LedgerHead.objects.values_list("size", "integrated").filter(pk=1).first() or (0, 0)
        rows = LedgerEntry.objects.count()
        self.limit = max(head, rows)
        self._checkpoints_at(0)
        for chunk in self._entry_chunks():
            expected: dict[tuple[int, int], bytes] = {}
            for seq, type_, at, actor, obj, body in chunk:
                if seq < self.size or seq >= self.limit:
                    self.add(
                        "entry",
                        f"条目 #{seq}: 序号不在日志范围内 / entry row with seq {seq} is outside the log "
                        f"(0–{self.limit - 1})",
                        seq=seq,
                    )
                    continue
                if seq > self.size:
                    self._fill_gap(seq, expected)
                self._check_entry(seq, type_, at, actor, obj, body)
                self._append(merkle.leaf_hash(body.encode("utf-8")), expected)
            self._compare_nodes(expected)
            self._check_consistency()
            self.progress("entries", self.size, self.limit)
        if self.size < head:
            expected = {}
            self._fill_gap(head, expected)
            self._compare_nodes(expected)
            self._check_consistency()
        if head != rows or head != self.size:
            self.add(
                "head",
                f"日志头记录 {head} 条，实际有 {rows} 条 / the log head says {head} entries, {rows} entry rows found",
            )
        if not 0 <= self.integrated <= head:
            self.add(
                "head",
                f"日志头记录已计算哈希 {self.integrated} 条，超出 {head} 条 / the log head says {self.integrated} "
                f"entries are hashed, beyond its {head} entries",
            )
        self.report.entries = self.size
        self.report.root = self._root()
        # appends and integrations go on while a live log is verified: nodes stored meanwhile are not extra
        self.integrated = LedgerHead.objects.values_list("integrated", flat=True).filter(pk=1).first() or 0
        self._extra_nodes()
        self._signed_beyond_integrated()
        while self.next_checkpoint is not None:
            self._check_checkpoint(*self.next_checkpoint, actual=None)
            self.next_checkpoint = next(self.checkpoint_rows, None)
        self._check_consistency()
        self._check_objects()
        self.report.finish()
        return self.report

    def _entry_chunks(self) -> Iterator[list[tuple]]:
        last = None
        while True:
            qs = LedgerEntry.objects.order_by("seq")
            if last is not None:
                qs = qs.filter(seq__gt=last)
            rows = list(qs.values_list("seq", "type", "at", "actor", "object", "body")[: self.chunk_size])
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def _frontier_get(self, level: int, index: int) -> bytes:
        stored_index, value = self.frontier[level]
        if stored_index != index:
            raise KeyError((level, index))
        return value

    def _root(self) -> bytes:
        return merkle.root_at(self.size, self._frontier_get)

    def _append(self, leaf: bytes, expected: dict[tuple[int, int], bytes]) -> None:
        for level, index, value in merkle.nodes_to_store_after_append(self.size, leaf, self._frontier_get):
            self.frontier[level] = (index, value)
            expected[(level, index)] = value
        self.size += 1
        self._checkpoints_at(self.size)

    def _fill_gap(self, end: int, expected: dict[tuple[int, int], bytes]) -> None:
        """Entries [size, end) have no row: report them, and carry on from their stored leaf hashes."""
        start = self.size
        self.add(
            "entry",
            f"条目 #{start}–#{end - 1} 缺失 / entries {start}–{end - 1} are missing (rows deleted?)",
            seq=start,
        )
        for lo in range(start, end, self.chunk_size):
            hi = min(end, lo + self.chunk_size)
            stored = dict(LedgerNode.objects.filter(level=0, index__gte=lo, index__lt=hi).values_list("index", "hash"))
            for index in range(lo, hi):
                self._append(_hex(stored.get(index)) or _ZERO, expected)

    def _check_entry(self, seq: int, type_: str, at: dt.datetime, actor: str, obj_column: str, body: str) -> None:
        where = f"条目 #{seq} / entry {seq}"
        try:
            obj = json.loads(body)
        except ValueError as exc:
            self.add("entry", f"{where}: 不是有效的 JSON / body is not valid JSON ({exc})", seq=seq)
            return
        if not isinstance(obj, dict):
            self.add("entry", f"{where}: 不是 JSON 对象 / body is not a JSON object", seq=seq)
            return
        got = obj.get("seq")
        if isinstance(got, bool) or got != seq:
            self.add("entry", f"{where}: 正文中的 seq 为 {got!r} / the body's seq is {got!r}, expected {seq}", seq=seq)
        if canonical_entry_bytes(obj) != body.encode("utf-8"):
            self.add("entry", f"{where}: 不是规范 JSON / body is not in canonical JSON form", seq=seq)
        for name, column in (("type", type_), ("actor", actor), ("object", obj_column), ("at", _rfc3339(at))):
            if obj.get(name) != column:
                self.add(
                    "entry",
                    f"{where}: 字段 {name} 与正文不符 / column {name} is {column!r}, the body says {obj.get(name)!r}",
                    seq=seq,
                )
        data = obj.get("data")
        if not isinstance(data, dict):
            self.add("entry", f"{where}: data 不是 JSON 对象 / data is not a JSON object", seq=seq)
            return
        recorded = data.get("state_digest")
        if "state" in data and recorded is not None and digest(data["state"]) != recorded:
            self.add("entry", f"{where}: state 与 state_digest 不符 / state does not digest to state_digest", seq=seq)
        ref = obj.get("object")
        if isinstance(ref, str) and ref.partition(":")[0] in self.kinds and recorded is not None:
            value = _hex(recorded)
            if value is None:
                self.add("entry", f"{where}: state_digest 不是 SHA-256 / state_digest is not a SHA-256 hex", seq=seq)
            else:
                self.objects[ref] = (seq, value)

    def _compare_nodes(self, expected: dict[tuple[int, int], bytes]) -> None:
        expected = {(lv, ix): h for (lv, ix), h in expected.items() if (ix + 1) << lv <= self.integrated}
        if not expected:
            return
        spans: dict[int, list[int]] = {}
        for level, index in expected:
            span = spans.setdefault(level, [index, index])
            span[0], span[1] = min(span[0], index), max(span[1], index)
        rows = LedgerNode.objects.filter(
            _any([Q(level=lv, index__gte=lo, index__lte=hi) for lv, (lo, hi) in spans.items()])
        ).values_list("level", "index", "hash")
        stored = {(lv, ix): h for lv, ix, h in rows}
        for (level, index), value in sorted(expected.items()):
            text = stored.get((level, index))
            if text is not None and _hex(text) == value:
                continue
            if level == 0:
                what = f"条目 #{index} 的叶哈希 / entry {index}: the leaf hash of its body"
            else:
                first, last = index << level, ((index + 1) << level) - 1
                what = (
                    f"节点（层 {level}，序号 {index}）/ node (level {level}, index {index}) over entries {first}–{last}"
                )
            if text is None:
                self.add("node", f"{what}: 存储的节点缺失 / the stored node is missing", seq=index << level)
            else:
                self.add(
                    "node",
                    f"{what}: 存储的哈希 {text} 与重算的 {value.hex()} 不符 / "
                    f"stored hash differs from the one recomputed from the entries (edited body or node)",
                    seq=index << level,
                )

    def _extra_nodes(self) -> None:
        n = min(self.size, self.integrated)
        levels = max(n.bit_length(), 1)
        extra = _any([Q(index__lt=0), Q(level__gte=levels), *[Q(level=lv, index__gte=n >> lv) for lv in range(levels)]])
        qs = LedgerNode.objects.filter(extra)
        count = qs.count()
        for level, index in qs.order_by("level", "index").values_list("level", "index")[:MAX_LISTED]:
            self.add(
                "node",
                f"节点（层 {level}，序号 {index}）多余 / stored node (level {level}, index {index}) is beyond "
                f"the {n} entries hashed so far",
            )
        if count > MAX_LISTED:
            self.add("node", f"另有 {count - MAX_LISTED} 个多余节点 / {count - MAX_LISTED} more nodes beyond the log")

    def _signed_beyond_integrated(self) -> None:
        """Every checkpoint is signed after its entries are integrated, and the count never goes down: a head that
        counts fewer would hide missing hashes from the node check and refuse proofs for a signed size."""
        signed = Checkpoint.objects.filter(size__gt=self.integrated).order_by("-size").values_list("size", flat=True)
        if signed:
            self.add(
                "head",
                f"日志头记录已计算哈希 {self.integrated} 条，少于已签名检查点的 {signed[0]} 条 / the log head says "
                f"{self.integrated} entries are hashed, fewer than the signed checkpoint of size {signed[0]}",
            )

    # checkpoints

    def _checkpoint_rows(self) -> Iterator[tuple[int, str, str]]:
        last = None
        while True:
            qs = Checkpoint.objects.order_by("size")
            if last is not None:
                qs = qs.filter(size__gt=last)
            rows = list(qs.values_list("size", "root", "note")[: self.chunk_size])
            yield from rows
            if len(rows) < self.chunk_size:
                return
            last = rows[-1][0]

    def _checkpoints_at(self, size: int) -> None:
        while self.next_checkpoint is not None and self.next_checkpoint[0] <= size:
            cp_size = self.next_checkpoint[0]
            self._check_checkpoint(*self.next_checkpoint, actual=self._root() if cp_size == size else None)
            self.next_checkpoint = next(self.checkpoint_rows, None)

    def _check_checkpoint(self, size: int, root_column: str, text: str, *, actual: bytes | None) -> None:
        self.report.checkpoints += 1
        where = f"检查点 {size} / checkpoint of size {size}"
        try:
            origin, signed_size, signed_root = note.parse_checkpoint(note.verify_note(text, self.key))
        except note.NoteError as exc:
            self.add("checkpoint", f"{where}: 签名无效 / the signed note does not verify with the verifier key ({exc})")
            return
        if origin != self.origin:
            self.add("checkpoint", f"{where}: 来源 {origin!r} 不是 {self.origin!r} / origin differs from this log's")
        if signed_size != size:
            self.add("checkpoint", f"{where}: 签名的大小为 {signed_size} / the signed note is for size {signed_size}")
        if _hex(root_column) != signed_root:
            self.add("checkpoint", f"{where}: root 列与签名的根哈希不符 / the root column differs from the signed root")
        if actual is None:
            self.add(
                "checkpoint", f"{where}: 超出日志的 {self.size} 条记录 / beyond the {self.size} entries of the log"
            )
        elif signed_size == size and signed_root != actual:
            self.add(
                "checkpoint",
                f"{where}: 签名的根哈希 {signed_root.hex()} 与由条目重算的 {actual.hex()} 不符 / "
                f"the signed root differs from the root recomputed from the entries",
            )
        if self.trusted is not None and signed_size <= self.size:
            first, first_root = self.trusted
            if first <= signed_size:
                self.consistency.append((first, first_root, signed_size, signed_root))
        self.trusted = (signed_size, signed_root)

    def _check_consistency(self) -> None:
        """Consistency of each checkpoint with the previous one, proofs from the stored nodes (one batch read)."""
        pairs, self.consistency = self.consistency, []
        if not pairs:
            return
        wanted: set[tuple[int, int]] = set()

        def record(level: int, index: int) -> bytes:
            wanted.add((level, index))
            return _ZERO

        for first, _, second, _ in pairs:
            merkle.consistency_proof(first, second, record)
        stored = _fetch_nodes(wanted)

        def get(level: int, index: int) -> bytes:
            value = stored.get((level, index))
            if value is None:
                raise KeyError((level, index))
            return value

        for first, first_root, second, second_root in pairs:
            where = f"检查点 {second} / checkpoint of size {second}"
            try:
                proof = merkle.consistency_proof(first, second, get)
            except KeyError as exc:
                self.add(
                    "checkpoint", f"{where}: 缺少存储的节点 {exc}，无法证明一致性 / cannot build the consistency proof"
                )
                continue
            if not merkle.verify_consistency(first, second, first_root, second_root, proof):
                self.add(
                    "checkpoint",
                    f"{where}: 与检查点 {first} 不一致 / not consistent with the checkpoint of size {first} "
                    f"(history before it was rewritten)",
                )

    # objects

    def _check_objects(self) -> None:
        suspects: list[str] = []
        for _, model in sorted(ledgered_models().items()):
            related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
            qs = model._base_manager.select_related(*related).order_by("pk")
            last = None
            while True:
                page = list((qs.filter(pk__gt=last) if last is not None else qs)[: self.chunk_size])
                if not page:
                    break
                for row in page:
                    self.report.objects += 1
                    ref = object_ref(row)
                    record = self.objects.pop(ref, None)
                    if record is None or record[1] == _DELETED or not self._matches(row, record):
                        suspects.append(ref)
                last = page[-1].pk
                self.progress("objects", self.report.objects, 0)
        suspects += [ref for ref, (_, value) in self.objects.items() if value != _DELETED]
        # Re-read each suspect from scratch: an entry appended while we were reading makes a row look changed.
        for ref in suspects:
            problem = check_object(ref)
            if problem is not None:
                self.report.add(problem)

    @staticmethod
    def _matches(row: models.Model, record: tuple[int, bytes]) -> bool:
        try:
            return bytes.fromhex(digest(row.ledger_state())) == record[1]
        except Exception:
            return False
