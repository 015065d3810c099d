"""Appends no longer hash: the head counts the entries whose subtree hashes are stored (`integrated`), and the next
integration stores them for every entry appended since (services.ledger_integrate). On PostgreSQL
`choujian_ledger_append` now only claims the sequence number and inserts the entry."""

from django.db import migrations, models

APPEND = r"""
CREATE OR REPLACE FUNCTION choujian_ledger_append(
    body_head text, body_tail text, entry_type varchar, entry_at timestamptz, entry_actor varchar,
    entry_object varchar, OUT new_seq bigint, OUT new_id bigint
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    UPDATE ledger_ledgerhead SET size = size + 1 WHERE id = 1 RETURNING size - 1 INTO new_seq;
    IF NOT FOUND THEN
        INSERT INTO ledger_ledgerhead (id, size, integrated) VALUES (1, 1, 0)
            ON CONFLICT (id) DO UPDATE SET size = ledger_ledgerhead.size + 1
            RETURNING size - 1 INTO new_seq;
    END IF;
    INSERT INTO ledger_ledgerentry (seq, type, at, actor, object, body)
        VALUES (new_seq, entry_type, entry_at, entry_actor, entry_object, body_head || new_seq::text || body_tail)
        RETURNING id INTO new_id;
END
$$;
"""


def all_integrated(apps, schema_editor) -> None:
    """Every entry written so far had its hashes stored as it was appended."""
    apps.get_model("ledger", "LedgerHead").objects.update(integrated=models.F("size"))


def simpler_append(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND, params=None)


def hashing_append(apps, schema_editor) -> None:
    # The appends before this migration combined each new leaf with stored hashes: every entry must have them.
    head = apps.get_model("ledger", "LedgerHead").objects.filter(pk=1).first()
    if head is not None and head.integrated != head.size:
        raise RuntimeError(
            f"{head.size - head.integrated} ledger entries have no stored hashes yet: run `choujian ledger checkpoint` "
            "and migrate back again"
        )
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        schema_editor.execute(import_module("choujian.ledger.migrations.0004_append_function").CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_append_function")]

    operations = [
        migrations.AddField(model_name="ledgerhead", name="integrated", field=models.BigIntegerField(default=0)),
        migrations.RunPython(all_integrated, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(simpler_append, hashing_append, elidable=False),
    ]
