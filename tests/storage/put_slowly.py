"""Put an object from a body that never ends, slowly; the tests kill this process mid-put.

    python -m tests.storage.put_slowly STORE_URL DATABASE_URL KEY MARKER MARK_AFTER_BYTES

It writes MARKER once MARK_AFTER_BYTES have been handed to the store, so
the test knows the put is under way before it kills the process.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from pluginhub import db
from pluginhub.config import Settings
from pluginhub.storage import open_store

CHUNK = 64 * 1024


def mark(marker: Path, sent: int) -> None:
    if not marker.exists():
        marker.write_text(str(sent))


async def endless(marker: Path, mark_after: int) -> AsyncIterator[bytes]:
    sent = 0
    while True:
        yield os.urandom(CHUNK)
        sent += CHUNK
        if sent > mark_after:
            mark(marker, sent)
        await asyncio.sleep(0.005)


async def main(url: str, database_url: str, key: str, marker: Path, mark_after: int) -> None:
    settings = Settings(database_url=database_url, storage_url=url)
    store = open_store(settings)
    orm = await db.open_context(settings)
    with db.activate(orm):
        await store.put(key, endless(marker, mark_after), max_bytes=1 << 40)


if __name__ == "__main__":
    url, database_url, key, marker, mark_after = sys.argv[1:6]
    asyncio.run(main(url, database_url, key, Path(marker), int(mark_after)))
