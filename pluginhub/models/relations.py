"""How hosts meet plugins: joint-debugging bindings and orders."""

from tortoise import fields
from tortoise.models import Model

from .accounts import Account
from .enums import DebugBindingStatus, OrderStatus
from .plugins import MiniProgram, Plugin


class DebugBinding(Model):
    id = fields.IntField(primary_key=True)
    plugin: fields.ForeignKeyRelation[Plugin] = fields.ForeignKeyField(
        "models.Plugin", related_name="debug_bindings", on_delete=fields.RESTRICT
    )
    plugin_id: str
    mini_program: fields.ForeignKeyRelation[MiniProgram] = fields.ForeignKeyField(
        "models.MiniProgram", related_name="debug_bindings", on_delete=fields.RESTRICT
    )
    mini_program_id: str
    status = fields.CharEnumField(DebugBindingStatus, max_length=16)
    requested_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    requested_by_id: int | None
    requested_at = fields.DatetimeField(auto_now_add=True)
    authorized_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    authorized_by_id: int | None
    authorized_at = fields.DatetimeField(null=True)
    same_entity = fields.BooleanField(default=False)
    token = fields.CharField(max_length=64, null=True, unique=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "debug_binding"
        indexes = (("plugin_id", "status"), ("mini_program_id", "status"))


class PluginOrder(Model):
    """An order; `rollout_bucket` keeps the host's stable gray bucket for this plugin
    (`resolution.bucket`, SHA-256 based) so gray adoption can be counted in SQL."""

    id = fields.IntField(primary_key=True)
    plugin: fields.ForeignKeyRelation[Plugin] = fields.ForeignKeyField(
        "models.Plugin", related_name="orders", on_delete=fields.RESTRICT
    )
    plugin_id: str
    mini_program: fields.ForeignKeyRelation[MiniProgram] = fields.ForeignKeyField(
        "models.MiniProgram", related_name="orders", on_delete=fields.RESTRICT
    )
    mini_program_id: str
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.ACTIVE)
    ordered_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    ordered_by_id: int | None
    ordered_at = fields.DatetimeField(auto_now_add=True)
    cancelled_at = fields.DatetimeField(null=True)
    rollout_bucket = fields.IntField()

    class Meta:
        table = "plugin_order"
        indexes = (("mini_program_id", "status"), ("plugin_id", "status", "rollout_bucket"))
