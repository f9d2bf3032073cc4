from tortoise import migrations
from tortoise.migrations import operations as ops
from pluginhub.models.enums import PluginEventKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_never_online')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Plugin',
            name='delist_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Plugin',
            name='delisted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='PluginEvent',
            name='kind',
            field=fields.CharEnumField(description='PLUGIN_CREATED: PLUGIN_CREATED\nPLUGIN_UPDATED: PLUGIN_UPDATED\nVERSION_UPLOADED: VERSION_UPLOADED\nVERSION_UPDATED: VERSION_UPDATED\nSUBMITTED: SUBMITTED\nWITHDRAWN: WITHDRAWN\nAPPROVED: APPROVED\nREJECTED: REJECTED\nGRAY_STARTED: GRAY_STARTED\nGRAY_UPDATED: GRAY_UPDATED\nWENT_ONLINE: WENT_ONLINE\nWENT_OFFLINE: WENT_OFFLINE\nRETURNED_TO_DEVELOPMENT: RETURNED_TO_DEVELOPMENT\nEXPERIENCE_SET: EXPERIENCE_SET\nEXPERIENCE_CLEARED: EXPERIENCE_CLEARED\nVERSION_DELETED: VERSION_DELETED\nROLLED_BACK: ROLLED_BACK\nDEBUG_HOST_ADDED: DEBUG_HOST_ADDED\nDEBUG_HOST_CANCELLED: DEBUG_HOST_CANCELLED\nDEBUG_BINDING_AUTHORIZED: DEBUG_BINDING_AUTHORIZED\nDEBUG_BINDING_REJECTED: DEBUG_BINDING_REJECTED\nDEBUG_HOST_UNBOUND: DEBUG_HOST_UNBOUND\nPLUGIN_ORDERED: PLUGIN_ORDERED\nORDER_CANCELLED: ORDER_CANCELLED\nGRAY_PAUSED: GRAY_PAUSED\nGRAY_RESUMED: GRAY_RESUMED\nRELEASE_SCHEDULED: RELEASE_SCHEDULED\nSCHEDULED_RELEASE_CANCELLED: SCHEDULED_RELEASE_CANCELLED\nSCHEDULED_RELEASE_FAILED: SCHEDULED_RELEASE_FAILED\nREVIEW_CLAIMED: REVIEW_CLAIMED\nREVIEW_UNCLAIMED: REVIEW_UNCLAIMED\nPLUGIN_DELISTED: PLUGIN_DELISTED\nPLUGIN_RELISTED: PLUGIN_RELISTED\nWEBHOOK_CREATED: WEBHOOK_CREATED\nWEBHOOK_UPDATED: WEBHOOK_UPDATED\nWEBHOOK_DELETED: WEBHOOK_DELETED', enum_type=PluginEventKind, max_length=32),
        ),
        ops.AddField(
            model_name='PluginVersion',
            name='gray_paused_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
