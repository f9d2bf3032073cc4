"""`pluginhub packages gc`: delete stored objects nothing references any more.

An object goes when no row in `references.REFERENCES` names it (soft-deleted
versions count) and it was last put more than the grace period ago, so the
content of an upload in flight is never taken. Each deletion rechecks the
references under `hold_for_collection`, in a transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from .. import clock
from .base import Store, StoredObject
from .references import hold_for_collection, is_referenced, referenced_keys


@dataclass
class Collection:
    referenced: int = 0
    recent: list[StoredObject] = field(default_factory=list)
    deleted: list[StoredObject] = field(default_factory=list)
    spared: list[tuple[StoredObject, str]] = field(default_factory=list)  # candidates kept after all, and why
    swept: list[str] = field(default_factory=list)


async def collect(store: Store, grace: int, *, dry_run: bool = False, now: datetime | None = None) -> Collection:
    cutoff = (now or clock.now()) - timedelta(seconds=grace)
    result = Collection()
    if not dry_run:
        result.swept = await store.sweep(cutoff)
    keys = await referenced_keys()
    candidates: list[StoredObject] = []
    async for stored in store.list_objects():
        if stored.key in keys:
            result.referenced += 1
        elif stored.modified >= cutoff:
            result.recent.append(stored)
        else:
            candidates.append(stored)
    for stored in candidates:
        if dry_run:
            result.deleted.append(stored)
            continue
        try:
            async with in_transaction("default"):
                await hold_for_collection()
                if await is_referenced(stored.key):
                    result.spared.append((stored, "referenced by a row committed meanwhile"))
                elif await store.delete(stored.key):
                    result.deleted.append(stored)
        except OperationalError as exc:  # SQLite: the write lock stayed busy
            result.spared.append((stored, f"the database was busy ({exc}); try again"))
    return result


def report(result: Collection, store: Store, grace: int, dry_run: bool) -> list[str]:
    verb = "would delete" if dry_run else "deleted"
    lines = [f"{verb} {s.key} ({s.size} bytes, stored {s.modified:%Y-%m-%d %H:%M:%S}Z)" for s in result.deleted]
    lines += [f"kept {s.key}: {why}" for s, why in result.spared]
    lines += result.swept
    freed = sum(s.size for s in result.deleted)
    lines.append(
        f"{store.url}: {verb} {len(result.deleted)} unreferenced object(s), {freed} bytes; "
        f"kept {result.referenced} referenced and {len(result.recent)} unreferenced younger than {grace}s"
        + (f"; swept {len(result.swept)} leftover(s) of interrupted uploads" if not dry_run else "")
    )
    return lines
