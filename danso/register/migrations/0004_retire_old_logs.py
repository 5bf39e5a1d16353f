"""The old logs are carried into the access log (0003); the access log refuses changes in
the database too: UPDATE on both databases, DELETE on PostgreSQL (SQLite's test flush
deletes row by row, so there the model and its query set refuse it)."""

from django.db import migrations

TABLES = ["register_accesslog", "register_accesslogperson", "register_accesslogunit"]
MESSAGE = "the access log is append-only"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION danso_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION danso_append_only()"
            )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


class Migration(migrations.Migration):
    dependencies = [("register", "0003_access_log_from_old_logs")]

    operations = [
        migrations.RemoveField(model_name="personaldataexport", name="unit"),
        migrations.RemoveField(model_name="personaldataexport", name="user"),
        migrations.DeleteModel(name="PersonAccess"),
        migrations.DeleteModel(name="PersonalDataExport"),
        migrations.RunPython(forward, backward),
    ]
