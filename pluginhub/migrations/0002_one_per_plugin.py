"""Database-level guards for the one-per-plugin rules.

The resolvers serialise changes to one plugin with a row lock, so callers
get a clear error; these partial unique indexes make a second AUDITING, GRAY
or ONLINE version, a second experience version, a duplicate live version
number or a second active binding/order per pair impossible even if a code
path forgot the lock. The SQL is the same on SQLite and PostgreSQL.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "uq_version_live_number": "plugin_version (plugin_id, version) WHERE deleted_at IS NULL",
    "uq_version_auditing": "plugin_version (plugin_id) WHERE status = 'AUDITING' AND deleted_at IS NULL",
    "uq_version_gray": "plugin_version (plugin_id) WHERE status = 'GRAY' AND deleted_at IS NULL",
    "uq_version_online": "plugin_version (plugin_id) WHERE status = 'ONLINE' AND deleted_at IS NULL",
    "uq_version_experience": "plugin_version (plugin_id) WHERE is_experience AND deleted_at IS NULL",
    "uq_binding_active_pair": "debug_binding (plugin_id, mini_program_id) WHERE status IN ('PENDING', 'AUTHORIZED')",
    "uq_order_active_pair": "plugin_order (plugin_id, mini_program_id) WHERE status = 'ACTIVE'",
}


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [
        ops.RunSQL(
            [f"CREATE UNIQUE INDEX {name} ON {target}" for name, target in INDEXES.items()],
            reverse_sql=[f"DROP INDEX {name}" for name in INDEXES],
        )
    ]
