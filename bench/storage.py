"""Put and read throughput of each package store, and the memory a transfer holds.

    .venv/bin/python bench/storage.py [--mib 10] [--rounds 5] [--s3-url URL] [--database-url URL]

The directory store always runs (in a temp dir). With --s3-url (for example
moto's server: `python -m moto.server -p 5000` and
`s3://bench/x?endpoint=http://127.0.0.1:5000`, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY set to anything) the S3 store runs too; with
--database-url naming a migrated PostgreSQL database, the database store.
Peak memory is Python's traced allocations during one put and one read of
the object: it stays near one part or chunk whatever the object's size.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator

from pluginhub import db
from pluginhub.config import Settings
from pluginhub.storage import Store, store_from_url

CHUNK = 64 * 1024


async def body(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


async def measure(store: Store, mib: int, rounds: int) -> str:
    puts, reads, peaks = [], [], []
    await store.exists("0" * 64)  # clients and their service models load outside the measurement
    for _ in range(rounds):
        data = os.urandom(mib * 1024 * 1024)
        key = hashlib.sha256(data).hexdigest()
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        await store.put(key, body(data), len(data))
        puts.append(time.perf_counter() - started)
        opened = await store.open(key)
        assert opened is not None
        started = time.perf_counter()
        digest = hashlib.sha256()
        async for chunk in opened.chunks:
            digest.update(chunk)
        reads.append(time.perf_counter() - started)
        peaks.append(tracemalloc.get_traced_memory()[1] - base)
        tracemalloc.stop()
        assert digest.hexdigest() == key
        await store.delete(key)
    best_put, best_read = min(puts), min(reads)
    return (
        f"{store.url:<40} put {mib / best_put:7.1f} MiB/s   read {mib / best_read:7.1f} MiB/s   "
        f"peak extra memory {max(peaks) / 1024 / 1024:5.1f} MiB for a {mib} MiB object"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--s3-url")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stores = [store_from_url(f"file://{tmp}/packages")]
        if args.s3_url:
            stores.append(store_from_url(args.s3_url))
        orm = None
        if args.database_url:
            settings = Settings(database_url=args.database_url)
            orm = await db.open_context(settings)
            stores.append(store_from_url("database", database_url=args.database_url))
        for store in stores:
            if orm is not None:
                with db.activate(orm):
                    print(await measure(store, args.mib, args.rounds))
            else:
                print(await measure(store, args.mib, args.rounds))
            await store.close()
        if orm is not None:
            await orm.close_connections()


if __name__ == "__main__":
    asyncio.run(main())
