from tortoise import migrations
from tortoise.migrations import operations as ops
from pluginhub.models.enums import PluginEventKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_one_per_plugin')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Plugin',
            name='highest_online_key',
            field=fields.BigIntField(null=True),
        ),
        ops.AlterField(
            model_name='PluginEvent',
            name='kind',
            field=fields.CharEnumField(description='PLUGIN_CREATED: PLUGIN_CREATED\nPLUGIN_UPDATED: PLUGIN_UPDATED\nVERSION_UPLOADED: VERSION_UPLOADED\nVERSION_UPDATED: VERSION_UPDATED\nSUBMITTED: SUBMITTED\nWITHDRAWN: WITHDRAWN\nAPPROVED: APPROVED\nREJECTED: REJECTED\nGRAY_STARTED: GRAY_STARTED\nGRAY_UPDATED: GRAY_UPDATED\nWENT_ONLINE: WENT_ONLINE\nWENT_OFFLINE: WENT_OFFLINE\nRETURNED_TO_DEVELOPMENT: RETURNED_TO_DEVELOPMENT\nEXPERIENCE_SET: EXPERIENCE_SET\nEXPERIENCE_CLEARED: EXPERIENCE_CLEARED\nVERSION_DELETED: VERSION_DELETED\nROLLED_BACK: ROLLED_BACK\nDEBUG_HOST_ADDED: DEBUG_HOST_ADDED\nDEBUG_HOST_CANCELLED: DEBUG_HOST_CANCELLED\nDEBUG_BINDING_AUTHORIZED: DEBUG_BINDING_AUTHORIZED\nDEBUG_BINDING_REJECTED: DEBUG_BINDING_REJECTED\nDEBUG_HOST_UNBOUND: DEBUG_HOST_UNBOUND\nPLUGIN_ORDERED: PLUGIN_ORDERED\nORDER_CANCELLED: ORDER_CANCELLED', enum_type=PluginEventKind, max_length=32),
        ),
    ]
