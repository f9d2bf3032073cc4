"""`pluginhub packages migrate --to URL`: copy every object to another store, verified.

Each object streams from the source into the target, whose `put` checks the
bytes against the key; then it is read back from the target and hashed
again, so what the target serves is what the key says. Objects the target
already holds are verified the same way and not copied again, so an
interrupted migration can simply be run again.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from .base import Store


async def verify(store: Store, key: str) -> str | None:
    """None if the store serves bytes that hash to `key`; else what is wrong."""
    opened = await store.open(key)
    if opened is None:
        return "missing"
    digest = hashlib.sha256()
    size = 0
    try:
        async for chunk in opened.chunks:
            digest.update(chunk)
            size += len(chunk)
    finally:
        await opened.close()
    if digest.hexdigest() != key:
        return f"its bytes hash to {digest.hexdigest()}"
    if size != opened.size:
        return f"{size} bytes read, {opened.size} announced"
    return None


async def copy_all(source: Store, target: Store) -> AsyncIterator[tuple[str, bool]]:
    """(line to print, success) for every object of `source`."""
    async for stored in source.list_objects():
        key = stored.key
        if await target.exists(key):
            problem = await verify(target, key)
            if problem is None:
                yield f"present {key} ({stored.size} bytes), sha256 verified", True
                continue
        opened = await source.open(key)
        if opened is None:
            yield f"FAILED {key}: it vanished from the source while copying", False
            continue
        try:
            await target.put(key, opened.chunks, max(stored.size, opened.size))
        except Exception as exc:
            yield f"FAILED {key}: {exc.__class__.__name__}: {exc}", False
            continue
        finally:
            await opened.close()
        problem = await verify(target, key)
        if problem is None:
            yield f"copied {key} ({stored.size} bytes), sha256 verified", True
        else:
            yield f"FAILED {key}: the copy does not verify: {problem}", False
