"""On PostgreSQL an append is one call of `choujian_ledger_append`: claim the sequence number, insert the entry, hash
its leaf and the parents it completes (RFC 6962, as `merkle.nodes_to_store_after_append`), insert those nodes.

Every statement is a round trip to the server; as one function the append is one, and each statement inside still
sees the rows committed before it (a volatile function takes a new snapshot per statement), so an appender that
waited for the head's lock reads the nodes the one before it has just committed. The entry's text is sent as the
part before and the part after its sequence number, which only the function knows.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION choujian_ledger_append(
    body_head text, body_tail text, entry_type varchar, entry_at timestamptz, entry_actor varchar,
    entry_object varchar, OUT new_seq bigint, OUT new_id bigint
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    body text;
    node_hash bytea;
    left_hash varchar;
    node_level integer := 0;
    node_index bigint;
BEGIN
    UPDATE ledger_ledgerhead SET size = size + 1 WHERE id = 1 RETURNING size - 1 INTO new_seq;
    IF NOT FOUND THEN
        INSERT INTO ledger_ledgerhead (id, size) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET size = ledger_ledgerhead.size + 1
            RETURNING size - 1 INTO new_seq;
    END IF;
    body := body_head || new_seq::text || body_tail;
    INSERT INTO ledger_ledgerentry (seq, type, at, actor, object, body)
        VALUES (new_seq, entry_type, entry_at, entry_actor, entry_object, body)
        RETURNING id INTO new_id;
    node_hash := sha256(decode('00', 'hex') || convert_to(body, 'UTF8'));
    INSERT INTO ledger_ledgernode (level, "index", hash) VALUES (0, new_seq, encode(node_hash, 'hex'));
    node_index := new_seq;
    WHILE node_index & 1 = 1 LOOP
        SELECT n.hash INTO left_hash FROM ledger_ledgernode AS n
            WHERE n.level = node_level AND n."index" = node_index - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'ledger node (%, %) is missing: run `choujian ledger verify`', node_level, node_index - 1;
        END IF;
        node_hash := sha256(decode('01', 'hex') || decode(left_hash, 'hex') || node_hash);
        node_level := node_level + 1;
        node_index := node_index >> 1;
        INSERT INTO ledger_ledgernode (level, "index", hash) VALUES (node_level, node_index, encode(node_hash, 'hex'));
    END LOOP;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS choujian_ledger_append(text, text, varchar, timestamptz, varchar, varchar);"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # as written: its % are format markers, not parameters


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_watch_state")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
