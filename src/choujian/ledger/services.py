"""Writes to the ledger: appending entries inside the caller's transaction, and signing checkpoints."""

import datetime as dt
import hashlib
import logging
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from choujian.core.canonical import canonical_json, digest
from choujian.ledger import events, merkle, note
from choujian.ledger.keys import key_name, signing_key
from choujian.ledger.models import Checkpoint, LedgerEntry, LedgerHead, LedgerNode, PrivateState
from choujian.ledger.objects import object_ref

log = logging.getLogger(__name__)


def actor_ref(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return f"user:{actor.public_id}"


class _SQL:
    """The few statements on the append and proof paths, written once from the models' metadata.

    Through the ORM, building each query took several times as long as the database took to run it (about 80 % of
    an append), so these hot paths use plain parameterised SQL, quoted by the backend, valid on SQLite and
    PostgreSQL (RETURNING where the backend has it). Everything else about the ledger stays in the ORM.
    """

    def __init__(self) -> None:
        qn = connection.ops.quote_name

        def col(model: type[models.Model], name: str) -> str:
            return qn(model._meta.get_field(name).column)

        head, node, entry = (qn(m._meta.db_table) for m in (LedgerHead, LedgerNode, LedgerEntry))
        size, head_pk = col(LedgerHead, "size"), col(LedgerHead, "id")
        self.level, self.index, self.hash = col(LedgerNode, "level"), col(LedgerNode, "index"), col(LedgerNode, "hash")
        self.returning = connection.features.can_return_columns_from_insert
        self.bump_head = f"UPDATE {head} SET {size} = {size} + 1 WHERE {head_pk} = 1"
        self.read_head = f"SELECT {size} FROM {head} WHERE {head_pk} = 1"
        self.entry_names = ("seq", "type", "at", "actor", "object", "body")
        self.entry_fields = [LedgerEntry._meta.get_field(n) for n in self.entry_names]
        columns = ", ".join(qn(f.column) for f in self.entry_fields)
        self.entry_pk = LedgerEntry._meta.pk.column
        self.insert_entry = f"INSERT INTO {entry} ({columns}) VALUES ({', '.join(['%s'] * len(self.entry_fields))})"
        self.insert_nodes = f"INSERT INTO {node} ({self.level}, {self.index}, {self.hash}) VALUES (%s, %s, %s)"
        self.select_nodes = f"SELECT {self.level}, {self.index}, {self.hash} FROM {node} WHERE "
        self.select_node = f"SELECT {self.hash} FROM {node} WHERE {self.level} = %s AND {self.index} = %s"
        if self.returning:
            self.bump_head += f" RETURNING {size}"
            self.insert_entry += f" RETURNING {qn(self.entry_pk)}"


_statements: dict[str, _SQL] = {}


def _sql() -> _SQL:
    if connection.vendor not in _statements:
        _statements[connection.vendor] = _SQL()
    return _statements[connection.vendor]


def _node_getter():
    """`get(level, index)` over the stored nodes, one indexed read per node not read before."""
    sql = _sql()
    cache: dict[tuple[int, int], bytes] = {}

    def get(level: int, index: int) -> bytes:
        key = (level, index)
        if key not in cache:
            with connection.cursor() as cursor:
                cursor.execute(sql.select_node, [level, index])
                row = cursor.fetchone()
            if row is None:
                raise LedgerNode.DoesNotExist(f"ledger node ({level}, {index}) does not exist")
            cache[key] = bytes.fromhex(row[0])
        return cache[key]

    return get


def _next_seq(cursor, sql: _SQL) -> int:
    """Claim the next sequence number. The UPDATE takes the write lock (row lock on PostgreSQL, database lock on
    SQLite) before the size is read, so concurrent appenders queue here and sequence numbers stay gap-free."""
    for _ in range(2):
        cursor.execute(sql.bump_head)
        if sql.returning:
            rows = cursor.fetchall()
        else:
            rows = []
            if cursor.rowcount:
                cursor.execute(sql.read_head)
                rows = cursor.fetchall()
        if rows:
            return rows[0][0] - 1
        LedgerHead.objects.get_or_create(pk=1)  # the very first append
    raise RuntimeError("the ledger head row cannot be created")


def _left_siblings(cursor, sql: _SQL, index: int):
    """Getter over the stored left siblings that appending leaf `index` combines with, read in one query.

    They are the nodes (level, (index >> level) - 1) for each trailing one bit of `index`: none for an even
    index, at most log2(index + 1) in all.
    """
    params: list[int] = []
    level, idx = 0, index
    while idx & 1:
        params += [level, idx - 1]
        level, idx = level + 1, idx >> 1
    found: dict[tuple[int, int], bytes] = {}
    if params:
        term = f"({sql.level} = %s AND {sql.index} = %s)"
        cursor.execute(sql.select_nodes + " OR ".join([term] * (len(params) // 2)), params)
        found = {(lv, ix): bytes.fromhex(h) for lv, ix, h in cursor.fetchall()}

    def get(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError:
            raise LookupError(f"ledger node ({level}, {index}) is missing: run `choujian ledger verify`") from None

    return get


def _insert_entry(cursor, sql: _SQL, **values) -> LedgerEntry:
    entry = LedgerEntry(**values)
    # every column is plain text or an integer, except the time, which the backend adapts
    params = [connection.ops.adapt_datetimefield_value(v) if f.name == "at" else v
              for f, v in zip(sql.entry_fields, map(values.__getitem__, sql.entry_names), strict=True)]  # fmt: skip
    cursor.execute(sql.insert_entry, params)
    if sql.returning:
        entry.pk = cursor.fetchall()[0][0]
    else:
        entry.pk = connection.ops.last_insert_id(cursor, LedgerEntry._meta.db_table, sql.entry_pk)
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def _schedule_checkpoint() -> None:
    """Sign a checkpoint once the caller's transaction commits; once per transaction, not once per append."""
    # Pending callbacks are (savepoint ids, func, robust); Django drops those of a rolled-back savepoint, so
    # a pending checkpoint found here will still run when the transaction that holds this entry commits.
    if connection.in_atomic_block and any(item[1] is checkpoint_make_safely for item in connection.run_on_commit):
        return
    transaction.on_commit(checkpoint_make_safely)


def ledger_append(
    *, type: str, actor: Any, object: Any, data: dict | None = None, state: Any = ..., deleted: bool = False
) -> LedgerEntry:
    """Append one entry; it commits or rolls back with the caller's transaction.

    `object` is a ledgered model instance (its canonical state is digested into `state_digest`) or a
    `"kind:id"` string. For a deletion pass `deleted=True`: the digest is then of `null`.
    """
    events.label(type)  # an undeclared event never reaches the log
    data = dict(data or {})
    private = None
    instance = None if isinstance(object, str) else object
    if not isinstance(object, str):
        if state is ...:
            state = None if deleted else object.ledger_state()
        if getattr(object, "ledger_private", False):
            # Public bodies of private objects carry digests only: the published log must not tell a blind tester
            # (or anyone) which enterprise a sample came from, not even through a reason or a signer's name. The
            # state and the event's data are kept aside for regulators.
            private = (state, data)
            data = {"state_digest": digest(state)} | ({"data_digest": digest(data)} if data else {})
        else:
            data.setdefault("state", state)
            data.setdefault("state_digest", digest(state))
        object = object_ref(object)
    sql = _sql()
    # savepoint=False: a failed append poisons the caller's transaction instead of rolling back to a savepoint,
    # so a caller that catches the error cannot go on to commit its state change without the entry.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        seq = _next_seq(cursor, sql)
        at = timezone.now()
        actor = actor_ref(actor)
        body = canonical_json(
            {
                "seq": seq,
                "type": type,
                "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor": actor,
                "object": object,
                "data": data,
            }
        )
        entry = _insert_entry(cursor, sql, seq=seq, type=type, at=at, actor=actor, object=object, body=body)
        leaf = merkle.leaf_hash(body.encode("utf-8"))
        rows = merkle.nodes_to_store_after_append(seq, leaf, _left_siblings(cursor, sql, seq))
        cursor.executemany(sql.insert_nodes, [(lv, ix, h.hex()) for lv, ix, h in rows])
    if private is not None:
        kept_state, kept_data = private
        PrivateState.objects.create(
            seq=seq, state=canonical_json(kept_state), data=canonical_json(kept_data) if kept_data else ""
        )
    _schedule_checkpoint()
    ref = object
    transaction.on_commit(lambda: _announce(type, ref, instance))
    return entry


def _announce(type: str, ref: str, instance: Any) -> None:
    for receiver, outcome in events.entry_recorded.send_robust(
        sender=LedgerEntry, type=type, ref=ref, instance=instance
    ):
        if isinstance(outcome, Exception):
            log.error("ledger event %s for %s: %s failed: %r", type, ref, receiver, outcome)


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
