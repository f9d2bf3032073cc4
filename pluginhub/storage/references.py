"""Which rows reference stored content, and the lock between a new reference and gc.

Content is shared (two versions with the same bytes have one object), so an
object may be deleted only when no row references it. The race to close:
gc finds X unreferenced while an upload finds X already stored and commits
a version that references it. So a transaction that writes a referencing
row takes `hold_for_new_reference` before it puts the content and keeps it
until it commits, and gc rechecks and deletes each object under
`hold_for_collection`: one waits for the other, and gc sees the new row or
the upload stores the bytes again.

Every table that references stored content is listed in `REFERENCES`: add
a line there when you add one.
"""

from __future__ import annotations

from tortoise.connection import get_connection
from tortoise.models import Model

from ..models import PluginVersion

#: (model, field holding a SHA-256 key); soft-deleted rows count: their content stays downloadable
REFERENCES: list[tuple[type[Model], str]] = [
    (PluginVersion, "package_sha256"),
]

LOCK_KEY = 0x706B6773  # "pkgs": one PostgreSQL advisory lock for all stored content


async def referenced_keys() -> set[str]:
    keys: set[str] = set()
    for model, field in REFERENCES:
        keys.update(str(key) for key in await model.all().distinct().values_list(field, flat=True))
    return keys


async def is_referenced(key: str) -> bool:
    for model, field in REFERENCES:
        if await model.filter(**{field: key}).exists():
            return True
    return False


async def hold_for_new_reference() -> None:
    """In the transaction that writes a referencing row, before the content is put."""
    db = get_connection("default")
    if db.capabilities.dialect == "postgres":
        await db.execute_query("SELECT pg_advisory_xact_lock_shared($1)", [LOCK_KEY])
    # SQLite: the referencing row is written before the put, and that write holds
    # the database's one write lock until commit.


async def hold_for_collection() -> None:
    """In the transaction in which gc rechecks and deletes one object."""
    db = get_connection("default")
    if db.capabilities.dialect == "postgres":
        await db.execute_query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY])
    else:
        # A write that changes nothing takes SQLite's write lock until the transaction ends.
        await db.execute_query("UPDATE package_blob SET size = size WHERE 0")
