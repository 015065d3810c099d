"""Writes to the ledger: appending entries inside the caller's transaction, and signing checkpoints."""

import datetime as dt
import hashlib
import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
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
    an append), so these hot paths use plain parameterised SQL, quoted by the backend. On PostgreSQL, where every
    statement is a round trip, the whole append is one call of a function kept in the database (see
    `_append_in_database`). SQLite runs in-process, where plain statements are cheapest; they are written with the
    driver's own `?` marks (see `_cursor`), except while queries are logged: Django's log reads `%s` marks.
    """

    def __init__(self, db, mark: str) -> None:
        qn = db.ops.quote_name

        def col(model: type[models.Model], name: str) -> str:
            return qn(model._meta.get_field(name).column)

        head, node, entry = (qn(m._meta.db_table) for m in (LedgerHead, LedgerNode, LedgerEntry))
        size, head_pk = col(LedgerHead, "size"), col(LedgerHead, "id")
        self.level, self.index, self.hash = col(LedgerNode, "level"), col(LedgerNode, "index"), col(LedgerNode, "hash")
        self.postgres = db.vendor == "postgresql"
        self.returning = db.features.can_return_columns_from_insert
        self.mark = mark
        integrated = col(LedgerHead, "integrated")
        self.bump_head = f"UPDATE {head} SET {size} = {size} + 1 WHERE {head_pk} = 1"
        self.read_head = f"SELECT {size} FROM {head} WHERE {head_pk} = 1"
        # The same lock as an append's. On PostgreSQL an appender holds it until its transaction ends, which may be a
        # long import: integration then skips the turn (that transaction's commit, or the worker, integrates) rather
        # than hold up the request whose commit asked for it. SQLite has one writer at a time in any case.
        self.lock_integration = (
            f"SELECT {size}, {integrated} FROM {head} WHERE {head_pk} = 1 FOR UPDATE SKIP LOCKED"
            if self.postgres
            else f"UPDATE {head} SET {integrated} = {integrated} WHERE {head_pk} = 1"
        )
        # the worker, backups and the command wait their turn: under steady appends a skipping pass might never get it
        self.lock_integration_waiting = (
            f"SELECT {size}, {integrated} FROM {head} WHERE {head_pk} = 1 FOR UPDATE"
            if self.postgres
            else self.lock_integration
        )
        self.read_integration = f"SELECT {size}, {integrated} FROM {head} WHERE {head_pk} = 1"
        self.set_integrated = f"UPDATE {head} SET {integrated} = {mark} WHERE {head_pk} = 1"
        seq, body = col(LedgerEntry, "seq"), col(LedgerEntry, "body")
        self.select_bodies = (
            f"SELECT {seq}, {body} FROM {entry} WHERE {seq} >= {mark} AND {seq} < {mark} ORDER BY {seq}"
        )
        self.entry_names = ("seq", "type", "at", "actor", "object", "body")
        self.entry_fields = [LedgerEntry._meta.get_field(n) for n in self.entry_names]
        columns = ", ".join(qn(f.column) for f in self.entry_fields)
        self.entry_pk = LedgerEntry._meta.pk.column
        self.insert_entry = f"INSERT INTO {entry} ({columns}) VALUES ({', '.join([mark] * len(self.entry_fields))})"
        node_columns = f"{self.level}, {self.index}, {self.hash}"
        self.insert_nodes = f"INSERT INTO {node} ({node_columns}) VALUES ({mark}, {mark}, {mark})"
        self.select_nodes = f"SELECT {self.level}, {self.index}, {self.hash} FROM {node} WHERE "
        self.select_node = f"SELECT {self.hash} FROM {node} WHERE {self.level} = {mark} AND {self.index} = {mark}"
        if self.returning:
            self.bump_head += f" RETURNING {size}"
            self.insert_entry += f" RETURNING {qn(self.entry_pk)}"
        self.append_call = "SELECT new_seq, new_id FROM choujian_ledger_append(%s, %s, %s, %s, %s, %s)"


_statements: dict[tuple[str, str], _SQL] = {}


def _sql(db) -> _SQL:
    key = (db.vendor, "?" if db.vendor == "sqlite" and not db.queries_logged else "%s")
    if key not in _statements:
        _statements[key] = _SQL(db, key[1])
    return _statements[key]


def node_getter():
    """`get(level, index)` over the stored nodes, one indexed read per node not read before."""
    db = connections[DEFAULT_DB_ALIAS]
    cache: dict[tuple[int, int], bytes] = {}

    def get(level: int, index: int) -> bytes:
        key = (level, index)
        if key not in cache:
            sql = _sql(db)  # here: whether queries are logged, which decides the marks, may have changed
            with _cursor(db, sql) as cursor:
                cursor.execute(sql.select_node, [level, index])
                row = cursor.fetchone()
            if row is None:
                raise LedgerNode.DoesNotExist(f"ledger node ({level}, {index}) does not exist")
            cache[key] = bytes.fromhex(row[0])
        return cache[key]

    return get


class _Prepared:
    """A PostgreSQL cursor that binds parameters on the server and prepares each statement once per connection.

    Django binds on the client and never prepares (for the sake of connection poolers); the append is the same text
    every time, and parsing and planning it again on each append cost as much as running it. psycopg keeps it
    prepared on the connection until a rollback (also to a savepoint) makes it deallocate its statements; the next
    append prepares it again. With `CHOUJIAN_DB_PREPARED=false` (settings) psycopg prepares nothing and this is a
    plain server-binding cursor.
    """

    def __init__(self, raw) -> None:
        self._raw = raw

    def execute(self, query, params=None):
        return self._raw.execute(query, params, prepare=True)

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


def _cursor(db, sql: _SQL):
    """A cursor of the driver itself, wrapped in Django's cursor wrapper as `db.cursor()` wraps its own, so that query
    logging, execute wrappers and error translation still see its statements: on PostgreSQL one that prepares (see
    `_Prepared`); on SQLite the plain one, which skips Django's rewriting of `%s` into `?` on every statement (it
    took longer than the statement), unless the statements have `%s` marks for the query log."""
    if sql.mark == "%s" and not sql.postgres:
        return db.cursor()
    # what Django's own cursor() checks first: this thread's connection, still alive after its idle time
    db.validate_thread_sharing()
    db.close_if_health_check_failed()
    db.ensure_connection()
    if sql.postgres:
        import psycopg

        raw = _Prepared(psycopg.Cursor(db.connection))
    else:
        raw = db.connection.cursor()
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def _bumped(cursor, sql: _SQL) -> list[tuple]:
    """The head's size after the UPDATE that claims the next sequence number, creating the head row if need be.

    The UPDATE takes the write lock before the size is read (as `choujian_ledger_append` does on PostgreSQL), so
    concurrent appenders queue here and sequence numbers stay gap-free."""
    for _ in range(2):
        rows = _locked_rows(cursor, sql.bump_head, sql.returning, sql.read_head)
        if rows:
            return rows
        LedgerHead.objects.get_or_create(pk=1)  # the very first append
    raise RuntimeError("the ledger head row cannot be created")


def _locked_rows(cursor, lock: str, returns_rows: bool, read: str) -> list[tuple]:
    """Run `lock`, a statement that takes the head's lock: the rows it returns, or where it cannot return any, the
    rows of `read` once it has touched the head (none if there is no head row yet)."""
    cursor.execute(lock)
    if returns_rows:
        return cursor.fetchall()
    if not cursor.rowcount:
        return []
    cursor.execute(read)
    return cursor.fetchall()


def _read_nodes(cursor, sql: _SQL, wanted: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored nodes among `wanted` (level, index) pairs, in one query."""
    if not wanted:
        return {}
    term = f"({sql.level} = {sql.mark} AND {sql.index} = {sql.mark})"
    cursor.execute(sql.select_nodes + " OR ".join([term] * len(wanted)), [n for pair in wanted for n in pair])
    return {(lv, ix): bytes.fromhex(h) for lv, ix, h in cursor.fetchall()}


_ENTRY_FIELDS = ("id", "seq", "type", "at", "actor", "object", "body")


def _saved(db, values: dict, pk: int) -> LedgerEntry:
    return LedgerEntry.from_db(db.alias, _ENTRY_FIELDS, [pk, *map(values.__getitem__, _ENTRY_FIELDS[1:])])


def _store(db, cursor, sql: _SQL, values: dict) -> LedgerEntry:
    """Insert the entry; the entry, as a saved model instance."""
    # every column is plain text or an integer, except the time, which the backend adapts
    params = [db.ops.adapt_datetimefield_value(v) if f.name == "at" else v
              for f, v in zip(sql.entry_fields, map(values.__getitem__, sql.entry_names), strict=True)]  # fmt: skip
    cursor.execute(sql.insert_entry, params)
    if sql.returning:
        pk = cursor.fetchall()[0][0]
    else:
        pk = db.ops.last_insert_id(cursor, LedgerEntry._meta.db_table, sql.entry_pk)
    return _saved(db, values, pk)


def _append_in_database(cursor, sql: _SQL, head: str, tail: str, values: dict) -> LedgerEntry:
    """PostgreSQL: the whole append in one call of the database's `choujian_ledger_append` (migration 0005), which
    claims the sequence number and writes `head + seq + tail` as the entry."""
    cursor.execute(sql.append_call, [head, tail, values["type"], values["at"], values["actor"], values["object"]])
    seq, pk = cursor.fetchall()[0]
    return _saved(cursor.db, {**values, "seq": seq, "body": f"{head}{seq}{tail}"}, pk)


_SEQ_MARK = ',"seq":0,"type":'
# Stands for the object's state in `data` until its canonical text, already made for the digest, takes its place;
# random, so that no text a caller writes can be taken for it.
_STATE_MARK = f"choujian-state-{secrets.token_hex(16)}"


def _body_around_seq(
    *, type: str, at: dt.datetime, actor: str, object: str, data: dict, state_text: str | None = None
) -> tuple[str, str]:
    """The entry's canonical JSON (ledger-v1) as the text before and after its sequence number.

    `seq` sorts between `object` and `type`, and `type` is a declared dotted name, so the last `,"seq":0,"type":` of
    the entry written with seq 0 is the entry's own; an integer's canonical form is its decimal digits. A nested
    object's canonical text is the same inside the entry as alone, so `state_text` replaces `_STATE_MARK` as is.
    """
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = canonical_json({"seq": 0, "type": type, "at": stamp, "actor": actor, "object": object, "data": data})
    before, mark, after = text.rpartition(_SEQ_MARK)
    if not mark:
        raise ValueError(f"the entry of {type} has no sequence number where ledger-v1 puts it: {text[-80:]!r}")
    if state_text is not None and data.get("state") == _STATE_MARK:
        before = before.replace(f'"{_STATE_MARK}"', state_text, 1)
    return before + ',"seq":', ',"type":' + after


def _schedule_checkpoint(db) -> None:
    """Sign a checkpoint once the caller's transaction commits; once per transaction, not once per append."""
    # Pending callbacks are (savepoint ids, func, robust); Django drops those of a rolled-back savepoint, so
    # a pending checkpoint found here will still run when the transaction that holds this entry commits.
    if db.in_atomic_block and any(item[1] is checkpoint_make_safely for item in db.run_on_commit):
        return
    db.on_commit(checkpoint_make_safely)


def ledger_append(
    *, type: str, actor: Any, object: Any, data: dict | None = None, state: Any = ..., deleted: bool = False
) -> LedgerEntry:
    """Append one entry; it commits or rolls back with the caller's transaction.

    `object` is a ledgered model instance (its canonical state is digested into `state_digest`) or a
    `"kind:id"` string. For a deletion pass `deleted=True`: the digest is then of `null`.
    """
    events.label(type)  # an undeclared event never reaches the log
    data = dict(data or {})
    private = state_text = None
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
            state_text = canonical_json(state)
            if "state" not in data:
                data["state"] = _STATE_MARK  # the state's text goes in as it was digested: written once, not twice
            data.setdefault("state_digest", hashlib.sha256(state_text.encode("utf-8")).hexdigest())
        object = object_ref(object)
    db = connections[DEFAULT_DB_ALIAS]
    sql = _sql(db)
    # savepoint=False: a failed append (data that cannot be written as JSON included) poisons the caller's
    # transaction instead of rolling back to a savepoint, so a caller that catches the error cannot go on to commit
    # its state change without the entry.
    with transaction.atomic(savepoint=False), _cursor(db, sql) as cursor:
        # On PostgreSQL the time is taken before the database function waits for the head's lock: under contention
        # a later entry can carry an earlier time (by the wait), as when the change itself was made.
        at = timezone.now()
        actor = actor_ref(actor)
        head, tail = _body_around_seq(type=type, at=at, actor=actor, object=object, data=data, state_text=state_text)
        values = {"type": type, "at": at, "actor": actor, "object": object}
        if sql.postgres:
            entry = _append_in_database(cursor, sql, head, tail, values)
        else:
            seq = _bumped(cursor, sql)[0][0] - 1
            entry = _store(db, cursor, sql, {**values, "seq": seq, "body": f"{head}{seq}{tail}"})
    seq = entry.seq
    if private is not None:
        kept_state, kept_data = private
        PrivateState.objects.create(
            seq=seq, state=canonical_json(kept_state), data=canonical_json(kept_data) if kept_data else ""
        )
    _schedule_checkpoint(db)
    ref = object
    db.on_commit(lambda: _announce(type, ref, instance))
    return entry


def _announce(type: str, ref: str, instance: Any) -> None:
    for receiver, outcome in events.entry_recorded.send_robust(
        sender=LedgerEntry, type=type, ref=ref, instance=instance
    ):
        if isinstance(outcome, Exception):
            log.error("ledger event %s for %s: %s failed: %r", type, ref, receiver, outcome)


def current_size() -> int:
    return LedgerHead.objects.values_list("size", flat=True).filter(pk=1).first() or 0


def integrated_size() -> int:
    """How many entries have their subtree hashes stored: the largest size a proof or a checkpoint can be for."""
    return LedgerHead.objects.values_list("integrated", flat=True).filter(pk=1).first() or 0


INTEGRATION_CHUNK = 10_000


def ledger_integrate(*, chunk: int = INTEGRATION_CHUNK, wait: bool = False) -> int:
    """Store the subtree hashes (RFC 6962) of every entry appended since the last integration; the integrated size.

    Each chunk of entries is one transaction holding the head's lock. The hashes a new leaf combines with are either
    on the right frontier of the tree already integrated (its maximal complete subtrees, read at the start of each
    chunk) or made earlier in the same chunk. Nothing to do is found without taking the lock: inside a caller's
    transaction on PostgreSQL the lock lasts until that transaction ends. `wait`: wait for the head's lock rather than
    skip the turn while an appender holds it (PostgreSQL).
    """
    db = connections[DEFAULT_DB_ALIAS]
    counts = LedgerHead.objects.values_list("size", "integrated").filter(pk=1).first()
    if counts is None or counts[1] >= counts[0]:
        return counts[1] if counts else 0
    while True:
        with transaction.atomic(using=db.alias):
            sql = _sql(db)
            with _cursor(db, sql) as cursor:
                locked = _integration_locked(cursor, sql, wait)
                if locked is None:
                    return integrated_size()
                size, done = locked
                if done >= size:
                    return done
                end = min(size, done + max(1, chunk))
                cursor.execute(sql.select_bodies, [done, end])
                rows = cursor.fetchall()
                if [seq for seq, _ in rows] != list(range(done, end)):
                    raise LookupError(
                        f"ledger entries {done}–{end - 1} are not all there: run `choujian ledger verify`"
                    )
                frontier = merkle.subtree_pieces(0, done)
                known = _read_nodes(cursor, sql, frontier)
                get = _node_lookup(known)
                made = []
                for seq, body in rows:
                    for level, index, value in merkle.nodes_to_store_after_append(
                        seq, merkle.leaf_hash(body.encode()), get
                    ):
                        known[(level, index)] = value
                        made.append((level, index, value.hex()))
                cursor.executemany(sql.insert_nodes, made)
                cursor.execute(sql.set_integrated, [end])


def _integration_locked(cursor, sql: _SQL, wait: bool) -> tuple[int, int] | None:
    """The head's size and integrated count, read under the head's lock; None if there is no head yet, or (on
    PostgreSQL, not waiting) an appending transaction holds the lock."""
    lock = sql.lock_integration_waiting if wait else sql.lock_integration
    rows = _locked_rows(cursor, lock, sql.postgres, sql.read_integration)
    return tuple(rows[0]) if rows else None


def _node_lookup(found: dict[tuple[int, int], bytes]):
    def get(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError:
            raise LookupError(f"ledger node ({level}, {index}) is missing: run `choujian ledger verify`") from None

    return get


def root_at(size: int) -> bytes:
    """The root of the first `size` entries, from the one stored node per set bit of `size`, read in one query."""
    if size == 0:
        return hashlib.sha256(b"").digest()
    db = connections[DEFAULT_DB_ALIAS]
    sql = _sql(db)
    with _cursor(db, sql) as cursor:
        found = _read_nodes(cursor, sql, merkle.subtree_pieces(0, size))

    def get(level: int, index: int) -> bytes:
        if (level, index) not in found:
            raise LedgerNode.DoesNotExist(f"ledger node ({level}, {index}) does not exist")
        return found[(level, index)]

    return merkle.root_at(size, get)


def checkpoint_make(*, wait: bool = False) -> Checkpoint | None:
    """Integrate the entries appended since the last time, then sign a checkpoint if the tree grew. `wait`: see
    `ledger_integrate` (after a commit the turn is skipped; the worker, backups and the command wait)."""
    size = ledger_integrate(wait=wait)
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


# When this process last signed (or tried to sign) a checkpoint after a commit, by the monotonic clock.
_signed_after_commit = {"at": float("-inf")}


def checkpoint_make_safely() -> None:
    """After a commit: sign a checkpoint, unless this process did less than `CHOUJIAN_CHECKPOINT_SECONDS` ago.

    One checkpoint per transaction would be one signature, one row and one more synchronous commit per write, and
    every `ledger verify` checks each consecutive pair; the worker's minutely job signs what a quiet spell leaves.
    """
    now = time.monotonic()
    if now - _signed_after_commit["at"] < settings.CHOUJIAN_CHECKPOINT_SECONDS:
        return
    _signed_after_commit["at"] = now
    # A failed checkpoint must not fail the request whose data already committed; the next commit or the job retries.
    try:
        checkpoint_make()
    except Exception:
        log.exception("checkpoint signing failed")
