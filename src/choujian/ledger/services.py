"""Writes to the ledger: appending entries inside the caller's transaction, and signing checkpoints."""

import datetime as dt
import hashlib
import logging
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from choujian.core.canonical import canonical_json, digest
from choujian.ledger import merkle, note
from choujian.ledger.keys import key_name, signing_key
from choujian.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode
from choujian.ledger.objects import object_ref

log = logging.getLogger(__name__)


def actor_ref(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return f"user:{actor.public_id}"


def _node_getter():
    cache: dict[tuple[int, int], bytes] = {}

    def get(level: int, index: int) -> bytes:
        key = (level, index)
        if key not in cache:
            cache[key] = bytes.fromhex(LedgerNode.objects.get(level=level, index=index).hash)
        return cache[key]

    return get


def _left_siblings(index: int):
    """Getter over the stored left siblings that appending leaf `index` combines with, read in one query.

    They are the nodes (level, (index >> level) - 1) for each trailing one bit of `index`: none for an even
    index, at most log2(index + 1) in all.
    """
    wanted = []
    level, idx = 0, index
    while idx & 1:
        wanted.append(Q(level=level, index=idx - 1))
        level, idx = level + 1, idx >> 1
    found: dict[tuple[int, int], bytes] = {}
    if wanted:
        rows = LedgerNode.objects.filter(_any(wanted)).values_list("level", "index", "hash")
        found = {(lv, ix): bytes.fromhex(h) for lv, ix, h in rows}

    def get(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError:
            raise LookupError(f"ledger node ({level}, {index}) is missing: run `choujian ledger verify`") from None

    return get


def _any(conditions: list[Q]) -> Q:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _schedule_checkpoint() -> None:
    """Sign a checkpoint once the caller's transaction commits; once per transaction, not once per append."""
    connection = transaction.get_connection()
    # Pending callbacks are (savepoint ids, func, robust); Django drops those of a rolled-back savepoint, so
    # a pending checkpoint found here will still run when the transaction that holds this entry commits.
    if connection.in_atomic_block and any(item[1] is checkpoint_make_safely for item in connection.run_on_commit):
        return
    transaction.on_commit(checkpoint_make_safely)


def state_of(instance: models.Model | None) -> dict | None:
    return instance.ledger_state() if instance is not None else None


def ledger_append(
    *, type: str, actor: Any, object: Any, data: dict | None = None, state: Any = ..., deleted: bool = False
) -> LedgerEntry:
    """Append one entry; it commits or rolls back with the caller's transaction.

    `object` is a ledgered model instance (its canonical state is digested into `state_digest`) or a
    `"kind:id"` string. For a deletion pass `deleted=True`: the digest is then of `null`.
    """
    data = dict(data or {})
    if not isinstance(object, str):
        if state is ...:
            state = None if deleted else object.ledger_state()
        data.setdefault("state", state)
        data.setdefault("state_digest", digest(state))
        object = object_ref(object)
    # savepoint=False: a failed append poisons the caller's transaction instead of rolling back to a savepoint,
    # so a caller that catches the error cannot go on to commit its state change without the entry.
    with transaction.atomic(savepoint=False):
        # The UPDATE takes the write lock (row lock on PostgreSQL, database lock on SQLite) before we read
        # the size, so concurrent appenders queue here and sequence numbers stay gap-free.
        if not LedgerHead.objects.filter(pk=1).update(size=F("size") + 1):
            LedgerHead.objects.get_or_create(pk=1)
            LedgerHead.objects.filter(pk=1).update(size=F("size") + 1)
        seq = LedgerHead.objects.values_list("size", flat=True).get(pk=1) - 1
        at = timezone.now()
        body = canonical_json(
            {
                "seq": seq,
                "type": type,
                "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor": actor_ref(actor),
                "object": object,
                "data": data,
            }
        )
        entry = LedgerEntry.objects.create(seq=seq, type=type, at=at, actor=actor_ref(actor), object=object, body=body)
        leaf = merkle.leaf_hash(body.encode("utf-8"))
        rows = merkle.nodes_to_store_after_append(seq, leaf, _left_siblings(seq))
        LedgerNode.objects.bulk_create([LedgerNode(level=lv, index=ix, hash=h.hex()) for lv, ix, h in rows])
    _schedule_checkpoint()
    return entry


def current_size() -> int:
    return LedgerHead.objects.values_list("size", flat=True).filter(pk=1).first() or 0


def root_at(size: int) -> bytes:
    if size == 0:
        return hashlib.sha256(b"").digest()
    return merkle.root_at(size, _node_getter())


def checkpoint_make() -> Checkpoint | None:
    """Sign a checkpoint of the committed tree if it grew since the last one."""
    size = current_size()
    latest = Checkpoint.objects.order_by("-size").first()
    if latest is not None and latest.size >= size:
        return None
    root = root_at(size)
    body = note.checkpoint_body(key_name(), size, root)
    signed = note.sign_note(body, key_name(), signing_key())
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(size=size, root=root.hex(), note=signed)
    except IntegrityError:
        return None  # another process signed the same size first


def checkpoint_make_safely() -> None:
    # A failed checkpoint must not fail the request whose data already committed; the next append retries.
    try:
        checkpoint_make()
    except Exception:
        log.exception("checkpoint signing failed")
