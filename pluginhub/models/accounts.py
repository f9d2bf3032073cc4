"""Who acts: entities, their accounts, and the API tokens accounts sign in with."""

from tortoise import fields
from tortoise.models import Model

from .enums import Role


class Entity(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "entity"


class Account(Model):
    id = fields.IntField(primary_key=True)
    entity: fields.ForeignKeyRelation[Entity] = fields.ForeignKeyField(
        "models.Entity", related_name="accounts", on_delete=fields.RESTRICT
    )
    entity_id: int
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16, default=Role.DEVELOPER)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account"


class ApiToken(Model):
    """Only the SHA-256 of a token is kept: a leaked database grants nothing."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="tokens", on_delete=fields.CASCADE
    )
    account_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
