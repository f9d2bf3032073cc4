from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from pluginhub.models.enums import WebhookDeliveryStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index



async def backfill_rollout_buckets(apps, schema_editor):
    """Orders placed before 0005 get their bucket computed here, in batches
    (SHA-256 is not available in SQL on SQLite)."""
    from pluginhub.resolvers.resolution import bucket

    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    update = (
        "UPDATE plugin_order SET rollout_bucket = $1 WHERE id = $2"
        if postgres
        else "UPDATE plugin_order SET rollout_bucket = ? WHERE id = ?"
    )
    last = 0
    while True:
        select = "SELECT id, plugin_id, mini_program_id FROM plugin_order WHERE id > %d ORDER BY id LIMIT 1000" % last
        _, rows = await client.execute_query(select)
        if not rows:
            return
        await client.execute_many(
            update, [[bucket(row["plugin_id"], row["mini_program_id"]), row["id"]] for row in rows]
        )
        last = rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [('models', '0005_package_store')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.ForeignKeyField('models.Plugin', source_field='plugin_id', db_constraint=True, to_field='plugin_id', related_name='webhooks', on_delete=OnDelete.RESTRICT)),
                ('url', fields.CharField(max_length=2048)),
                ('kinds', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sealed_secret', fields.TextField(unique=False)),
                ('active', fields.BooleanField(default=True)),
                ('disabled_by_failures', fields.BooleanField(default=False)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('position', fields.BigIntField(default=0)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lease_owner', fields.CharField(null=True, max_length=64)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_delivery_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook', 'app': 'models', 'indexes': [Index(fields=['plugin_id', 'id']), Index(fields=['active', 'due_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('webhook', fields.ForeignKeyField('models.Webhook', source_field='webhook_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('models.PluginEvent', source_field='event_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=WebhookDeliveryStatus.PENDING, description='PENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=WebhookDeliveryStatus, max_length=16)),
                ('payload', fields.TextField(unique=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_status_code', fields.IntField(null=True)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'indexes': [Index(fields=['webhook_id', 'status', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='PluginOrder',
            options={'table': 'plugin_order', 'app': 'models', 'indexes': [Index(fields=['mini_program_id', 'status']), Index(fields=['plugin_id', 'status', 'rollout_bucket'])], 'pk_attr': 'id', 'table_description': "An order; `rollout_bucket` keeps the host's stable gray bucket for this plugin"},
        ),
        ops.AddField(
            model_name='PluginOrder',
            name='rollout_bucket',
            field=fields.IntField(null=True),
        ),
        ops.RunPython(backfill_rollout_buckets, ops.RunPython.noop),
        ops.AlterField(
            model_name='PluginOrder',
            name='rollout_bucket',
            field=fields.IntField(),
        ),
        ops.AddIndex(
            model_name='PluginOrder',
            index=Index(fields=['plugin_id', 'status', 'rollout_bucket']),
        ),
    ]
