"""The database package store's tables (used only with PLUGINHUB_STORAGE_URL=database)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class StoredPackage(Model):
    """One complete object: its row and chunks commit together, so it is whole or absent."""

    sha256 = fields.CharField(max_length=64, primary_key=True)
    size = fields.BigIntField()
    stored_at = fields.DatetimeField()

    class Meta:
        table = "package_blob"


class StoredChunk(Model):
    """A slice of the bytes of an object, `seq` ordering them from 0."""

    id = fields.BigIntField(primary_key=True)
    blob: fields.ForeignKeyRelation[StoredPackage] = fields.ForeignKeyField(
        "models.StoredPackage", related_name="chunks", on_delete=fields.CASCADE
    )
    blob_id: str
    seq = fields.IntField()
    data = fields.BinaryField()

    class Meta:
        table = "package_chunk"
        unique_together = (("blob", "seq"),)
