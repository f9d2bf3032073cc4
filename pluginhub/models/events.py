"""The append-only event log; its primary key is the event cursor."""

from tortoise import fields
from tortoise.models import Model

from .accounts import Account
from .enums import PluginEventKind
from .plugins import MiniProgram, Plugin, PluginVersion
from .relations import DebugBinding, PluginOrder


class PluginEvent(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(PluginEventKind, max_length=32)
    plugin: fields.ForeignKeyRelation[Plugin] = fields.ForeignKeyField(
        "models.Plugin", related_name="events", on_delete=fields.RESTRICT
    )
    plugin_id: str
    version: fields.ForeignKeyNullableRelation[PluginVersion] = fields.ForeignKeyField(
        "models.PluginVersion", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    version_id: int | None
    debug_binding: fields.ForeignKeyNullableRelation[DebugBinding] = fields.ForeignKeyField(
        "models.DebugBinding", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    debug_binding_id: int | None
    order: fields.ForeignKeyNullableRelation[PluginOrder] = fields.ForeignKeyField(
        "models.PluginOrder", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    order_id: int | None
    mini_program: fields.ForeignKeyNullableRelation[MiniProgram] = fields.ForeignKeyField(
        "models.MiniProgram", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    mini_program_id: str | None
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    actor: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    reason = fields.TextField(null=True)
    occurred_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "plugin_event"
        indexes = (("plugin_id", "id"), ("version_id", "id"), ("mini_program_id", "id"))
