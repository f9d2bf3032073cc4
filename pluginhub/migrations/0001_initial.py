from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from pluginhub.models.enums import DebugBindingStatus, OrderStatus, PluginEventKind, Role, VersionStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Entity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'entity', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entity', fields.ForeignKeyField('models.Entity', source_field='entity_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(default=Role.DEVELOPER, description='DEVELOPER: DEVELOPER\nREVIEWER: REVIEWER', enum_type=Role, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Only the SHA-256 of a token is kept: a leaked database grants nothing.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MiniProgram',
            fields=[
                ('app_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('entity', fields.ForeignKeyField('models.Entity', source_field='entity_id', db_constraint=True, to_field='id', related_name='mini_programs', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mini_program', 'app': 'models', 'pk_attr': 'app_id', 'table_description': 'A host mini-program: its public 16-digit appId is the primary key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Plugin',
            fields=[
                ('plugin_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('entity', fields.ForeignKeyField('models.Entity', source_field='entity_id', db_constraint=True, to_field='id', related_name='plugins', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('description', fields.TextField(unique=False)),
                ('listed_in_market', fields.BooleanField(default=False)),
                ('highest_online_key', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'plugin', 'app': 'models', 'pk_attr': 'plugin_id', 'table_description': 'A plugin: its public 16-digit pluginId is the primary key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DebugBinding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.ForeignKeyField('models.Plugin', source_field='plugin_id', db_constraint=True, to_field='plugin_id', related_name='debug_bindings', on_delete=OnDelete.RESTRICT)),
                ('mini_program', fields.ForeignKeyField('models.MiniProgram', source_field='mini_program_id', db_constraint=True, to_field='app_id', related_name='debug_bindings', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nAUTHORIZED: AUTHORIZED\nCANCELLED: CANCELLED\nREJECTED: REJECTED\nUNBOUND: UNBOUND', enum_type=DebugBindingStatus, max_length=16)),
                ('requested_by', fields.ForeignKeyField('models.Account', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('authorized_by', fields.ForeignKeyField('models.Account', source_field='authorized_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('authorized_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('same_entity', fields.BooleanField(default=False)),
                ('token', fields.CharField(null=True, unique=True, max_length=64)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'debug_binding', 'app': 'models', 'indexes': [Index(fields=['plugin_id', 'status']), Index(fields=['mini_program_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PluginOrder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.ForeignKeyField('models.Plugin', source_field='plugin_id', db_constraint=True, to_field='plugin_id', related_name='orders', on_delete=OnDelete.RESTRICT)),
                ('mini_program', fields.ForeignKeyField('models.MiniProgram', source_field='mini_program_id', db_constraint=True, to_field='app_id', related_name='orders', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=OrderStatus.ACTIVE, description='ACTIVE: ACTIVE\nCANCELLED: CANCELLED', enum_type=OrderStatus, max_length=16)),
                ('ordered_by', fields.ForeignKeyField('models.Account', source_field='ordered_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('ordered_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'plugin_order', 'app': 'models', 'indexes': [Index(fields=['mini_program_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PluginVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.ForeignKeyField('models.Plugin', source_field='plugin_id', db_constraint=True, to_field='plugin_id', related_name='versions', on_delete=OnDelete.RESTRICT)),
                ('version', fields.CharField(max_length=20)),
                ('version_key', fields.BigIntField()),
                ('status', fields.CharEnumField(default=VersionStatus.DEVELOPMENT, description='DEVELOPMENT: DEVELOPMENT\nAUDITING: AUDITING\nREJECTED: REJECTED\nAPPROVED: APPROVED\nGRAY: GRAY\nONLINE: ONLINE\nOFFLINE: OFFLINE', enum_type=VersionStatus, max_length=16)),
                ('description', fields.TextField(default='', unique=False)),
                ('features', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('is_experience', fields.BooleanField(default=False)),
                ('package_sha256', fields.CharField(max_length=64)),
                ('package_size', fields.BigIntField()),
                ('package_file_name', fields.CharField(max_length=255)),
                ('reject_reason', fields.TextField(null=True, unique=False)),
                ('gray_percentage', fields.IntField(null=True)),
                ('gray_app_ids', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('gray_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('uploaded_by', fields.ForeignKeyField('models.Account', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('online_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'plugin_version', 'app': 'models', 'indexes': [Index(fields=['plugin_id', 'status'])], 'pk_attr': 'id', 'table_description': 'One uploaded version of a plugin.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OnlineRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.ForeignKeyField('models.Plugin', source_field='plugin_id', db_constraint=True, to_field='plugin_id', related_name='online_records', on_delete=OnDelete.RESTRICT)),
                ('version', fields.ForeignKeyField('models.PluginVersion', source_field='version_id', db_constraint=True, to_field='id', related_name='online_records', on_delete=OnDelete.RESTRICT)),
                ('went_online_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('rolled_back_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'online_record', 'app': 'models', 'indexes': [Index(fields=['plugin_id', 'rolled_back_at'])], 'pk_attr': 'id', 'table_description': "One step of a plugin's online history: rollback pops the newest live step."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PluginEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='PLUGIN_CREATED: PLUGIN_CREATED\nVERSION_UPLOADED: VERSION_UPLOADED\nVERSION_UPDATED: VERSION_UPDATED\nSUBMITTED: SUBMITTED\nWITHDRAWN: WITHDRAWN\nAPPROVED: APPROVED\nREJECTED: REJECTED\nGRAY_STARTED: GRAY_STARTED\nGRAY_UPDATED: GRAY_UPDATED\nWENT_ONLINE: WENT_ONLINE\nWENT_OFFLINE: WENT_OFFLINE\nRETURNED_TO_DEVELOPMENT: RETURNED_TO_DEVELOPMENT\nEXPERIENCE_SET: EXPERIENCE_SET\nEXPERIENCE_CLEARED: EXPERIENCE_CLEARED\nVERSION_DELETED: VERSION_DELETED\nROLLED_BACK: ROLLED_BACK\nDEBUG_HOST_ADDED: DEBUG_HOST_ADDED\nDEBUG_HOST_CANCELLED: DEBUG_HOST_CANCELLED\nDEBUG_BINDING_AUTHORIZED: DEBUG_BINDING_AUTHORIZED\nDEBUG_BINDING_REJECTED: DEBUG_BINDING_REJECTED\nDEBUG_HOST_UNBOUND: DEBUG_HOST_UNBOUND\nPLUGIN_ORDERED: PLUGIN_ORDERED\nORDER_CANCELLED: ORDER_CANCELLED', enum_type=PluginEventKind, max_length=32)),
                ('plugin', fields.ForeignKeyField('models.Plugin', source_field='plugin_id', db_constraint=True, to_field='plugin_id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('version', fields.ForeignKeyField('models.PluginVersion', source_field='version_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('debug_binding', fields.ForeignKeyField('models.DebugBinding', source_field='debug_binding_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('order', fields.ForeignKeyField('models.PluginOrder', source_field='order_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('mini_program', fields.ForeignKeyField('models.MiniProgram', source_field='mini_program_id', null=True, db_constraint=True, to_field='app_id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('from_status', fields.CharField(null=True, max_length=16)),
                ('to_status', fields.CharField(null=True, max_length=16)),
                ('actor', fields.ForeignKeyField('models.Account', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'plugin_event', 'app': 'models', 'indexes': [Index(fields=['plugin_id', 'id']), Index(fields=['version_id', 'id']), Index(fields=['mini_program_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
