"""A frozen frame is what a published draw was computed from: the database itself refuses to change it, so that
not even a bulk update or a raw query can rewrite it behind the platform's back.

Deleting rows of a frozen frame is refused by PROTECT references in the ORM everywhere and by the trigger on
PostgreSQL; SQLite has no DELETE guard because emptying a whole database (tests, `flush`) deletes row by row
there, while PostgreSQL truncates."""

from django.db import migrations

MESSAGE = "frozen sampling frame: its items cannot change"

SQLITE = [
    f"""CREATE TRIGGER draws_frameitem_frozen_update BEFORE UPDATE ON draws_frameitem
    WHEN (SELECT frozen_at FROM draws_frame WHERE id = OLD.frame_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER draws_frameitem_frozen_insert BEFORE INSERT ON draws_frameitem
    WHEN (SELECT frozen_at FROM draws_frame WHERE id = NEW.frame_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    """CREATE TRIGGER draws_frame_frozen_update BEFORE UPDATE ON draws_frame
    WHEN OLD.frozen_at IS NOT NULL AND (NEW.digest IS NOT OLD.digest OR NEW.quotas IS NOT OLD.quotas
        OR NEW.counts IS NOT OLD.counts OR NEW.frozen_at IS NOT OLD.frozen_at)
    BEGIN SELECT RAISE(ABORT, 'frozen sampling frame: its root, counts and quotas cannot change'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS draws_frameitem_frozen_update",
    "DROP TRIGGER IF EXISTS draws_frameitem_frozen_insert",
    "DROP TRIGGER IF EXISTS draws_frame_frozen_update",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION draws_frameitem_frozen() RETURNS trigger AS $$
    DECLARE frame_id bigint;
    BEGIN
        IF TG_OP = 'INSERT' THEN frame_id := NEW.frame_id; ELSE frame_id := OLD.frame_id; END IF;
        IF (SELECT frozen_at FROM draws_frame WHERE id = frame_id) IS NOT NULL THEN
            RAISE EXCEPTION '{MESSAGE}';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER draws_frameitem_frozen BEFORE INSERT OR UPDATE OR DELETE ON draws_frameitem
    FOR EACH ROW EXECUTE FUNCTION draws_frameitem_frozen()""",
    """CREATE OR REPLACE FUNCTION draws_frame_frozen() RETURNS trigger AS $$
    BEGIN
        IF OLD.frozen_at IS NOT NULL AND (NEW.digest IS DISTINCT FROM OLD.digest
            OR NEW.quotas::text IS DISTINCT FROM OLD.quotas::text OR NEW.counts::text IS DISTINCT FROM OLD.counts::text
            OR NEW.frozen_at IS DISTINCT FROM OLD.frozen_at) THEN
            RAISE EXCEPTION 'frozen sampling frame: its root, counts and quotas cannot change';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER draws_frame_frozen BEFORE UPDATE ON draws_frame
    FOR EACH ROW EXECUTE FUNCTION draws_frame_frozen()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS draws_frameitem_frozen ON draws_frameitem",
    "DROP FUNCTION IF EXISTS draws_frameitem_frozen()",
    "DROP TRIGGER IF EXISTS draws_frame_frozen ON draws_frame",
    "DROP FUNCTION IF EXISTS draws_frame_frozen()",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("draws", "0006_alter_frameexclusion_enterprise_and_more")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
