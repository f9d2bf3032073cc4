"""Mini-programs, plugins, their versions and the plugin's online history."""

from tortoise import fields
from tortoise.models import Model

from .accounts import Account, Entity
from .enums import VersionStatus


class MiniProgram(Model):
    """A host mini-program: its public 16-digit appId is the primary key."""

    app_id = fields.CharField(max_length=16, primary_key=True)
    entity: fields.ForeignKeyRelation[Entity] = fields.ForeignKeyField(
        "models.Entity", related_name="mini_programs", on_delete=fields.RESTRICT
    )
    entity_id: int
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mini_program"


class Plugin(Model):
    """A plugin: its public 16-digit pluginId is the primary key.

    `highest_online_key` remembers the greatest version that was ever ONLINE
    (null: none yet), so an upload can be checked against it even after
    rollbacks.
    """

    plugin_id = fields.CharField(max_length=16, primary_key=True)
    entity: fields.ForeignKeyRelation[Entity] = fields.ForeignKeyField(
        "models.Entity", related_name="plugins", on_delete=fields.RESTRICT
    )
    entity_id: int
    name = fields.CharField(max_length=100)
    description = fields.TextField()
    listed_in_market = fields.BooleanField(default=False)
    highest_online_key = fields.BigIntField(null=True)
    delisted_at = fields.DatetimeField(null=True)
    delist_reason = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "plugin"


class PluginVersion(Model):
    """One uploaded version of a plugin.

    Deletion is soft (`deleted_at`) so the events that name a version keep
    pointing at a real row.
    """

    id = fields.IntField(primary_key=True)
    plugin: fields.ForeignKeyRelation[Plugin] = fields.ForeignKeyField(
        "models.Plugin", related_name="versions", on_delete=fields.RESTRICT
    )
    plugin_id: str
    version = fields.CharField(max_length=20)
    version_key = fields.BigIntField()
    status = fields.CharEnumField(VersionStatus, max_length=16, default=VersionStatus.DEVELOPMENT)
    description = fields.TextField(default="")
    features: list[str] = fields.JSONField(default=list)
    is_experience = fields.BooleanField(default=False)
    package_sha256 = fields.CharField(max_length=64)
    package_size = fields.BigIntField()
    package_file_name = fields.CharField(max_length=255)
    reject_reason = fields.TextField(null=True)
    gray_percentage = fields.IntField(null=True)
    gray_app_ids: list[str] | None = fields.JSONField(null=True)
    gray_started_at = fields.DatetimeField(null=True)
    gray_paused_at = fields.DatetimeField(null=True)
    uploaded_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_id: int | None
    uploaded_at = fields.DatetimeField(auto_now_add=True)
    submitted_at = fields.DatetimeField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    online_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "plugin_version"
        indexes = (("plugin_id", "status"),)


class OnlineRecord(Model):
    """One step of a plugin's online history: rollback pops the newest live step."""

    id = fields.IntField(primary_key=True)
    plugin: fields.ForeignKeyRelation[Plugin] = fields.ForeignKeyField(
        "models.Plugin", related_name="online_records", on_delete=fields.RESTRICT
    )
    plugin_id: str
    version: fields.ForeignKeyRelation[PluginVersion] = fields.ForeignKeyField(
        "models.PluginVersion", related_name="online_records", on_delete=fields.RESTRICT
    )
    version_id: int
    went_online_at = fields.DatetimeField(auto_now_add=True)
    rolled_back_at = fields.DatetimeField(null=True)

    class Meta:
        table = "online_record"
        indexes = (("plugin_id", "rolled_back_at"),)
