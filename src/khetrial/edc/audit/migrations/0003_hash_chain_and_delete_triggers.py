"""The hash chain (``prev_hash``, ``hash``) and, on SQLite, a trigger that refuses DELETE too.

Existing entries are linked in id order. On SQLite the old UPDATE triggers go (adding the
columns rebuilds the table) and come back with DELETE triggers that only a test database's
flush passes (:mod:`khetrial.edc.audit.guard`). PostgreSQL keeps its UPDATE-or-DELETE triggers
(migration 0002); backfilling lifts them for the length of this migration's transaction.
"""

from django.db import migrations, models

from khetrial.edc.audit.chain import CONTENT_FIELDS, GENESIS, entry_hash
from khetrial.edc.audit.guard import FUNCTION

TABLES = ("audit_auditentry", "audit_lockevent")


def sqlite_triggers(schema_editor, create: bool) -> None:
    for table in TABLES:
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        if not create:
            continue
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN NOT {FUNCTION}() "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        sqlite_triggers(schema_editor, create=False)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")


def link_and_protect(apps, schema_editor):
    entry = apps.get_model("audit", "AuditEntry")
    prev = GENESIS
    for row in entry.objects.order_by("id").values("id", *CONTENT_FIELDS).iterator():
        digest = entry_hash(row, prev)
        entry.objects.filter(pk=row["id"]).update(prev_hash=prev, hash=digest)
        prev = digest
    if schema_editor.connection.vendor == "sqlite":
        sqlite_triggers(schema_editor, create=True)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def back_to_0002(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        sqlite_triggers(schema_editor, create=False)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        migrations.RunPython(drop_triggers, back_to_0002),
        migrations.AddField("auditentry", "prev_hash",
                            models.CharField(default="", editable=False, max_length=64)),
        migrations.AddField("auditentry", "hash",
                            models.CharField(default="", editable=False, max_length=64)),
        migrations.RunPython(link_and_protect, drop_triggers),
    ]
