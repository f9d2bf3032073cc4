"""Packages in the PostgreSQL database itself, for deployments with one moving part.

Chunked rows rather than large objects: a put writes 256 KiB `bytea` rows
and the object's row in one transaction (a savepoint when the caller is in
one, so a package and the version that references it commit together), and
a read fetches one chunk per short query, in constant memory and without a
transaction held open for the length of a download. Rows are what backups,
replication (logical included, which skips large objects) and `DELETE ...
CASCADE` already handle; large objects would need `lo_unlink` bookkeeping,
a transaction per read, and are not logically replicated.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from .base import Measured, Opened, Store, StoredObject, check_key

CHUNK_BYTES = 256 * 1024
CONNECTION = "default"


class DatabaseStore(Store):
    url = "database"

    def __init__(self, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.chunk_bytes = chunk_bytes

    @staticmethod
    def _db() -> BaseDBAsyncClient:
        return get_connection(CONNECTION)

    async def put(self, key: str, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        check_key(key)
        measured = Measured(max_bytes)
        async with in_transaction(CONNECTION) as db:
            # The object's row first: a concurrent put of the same key waits here until this one ends.
            fresh = await db.execute_query_dict(
                "INSERT INTO package_blob (sha256, size, stored_at) VALUES ($1, 0, now()) "
                "ON CONFLICT (sha256) DO UPDATE SET stored_at = now() RETURNING (xmax = 0) AS inserted",
                [key],
            )
            write = bool(fresh[0]["inserted"])
            buffer = bytearray()
            seq = 0
            async for chunk in chunks:
                buffer += measured.add(chunk)
                while len(buffer) >= self.chunk_bytes:
                    if write:
                        await self._write(db, key, seq, bytes(buffer[: self.chunk_bytes]))
                    del buffer[: self.chunk_bytes]
                    seq += 1
            if buffer and write:
                await self._write(db, key, seq, bytes(buffer))
            measured.verify(key)  # raising here rolls the rows back: nothing was stored
            if write:
                await db.execute_query("UPDATE package_blob SET size = $2 WHERE sha256 = $1", [key, measured.size])
        return measured.size

    @staticmethod
    async def _write(db: BaseDBAsyncClient, key: str, seq: int, data: bytes) -> None:
        await db.execute_query("INSERT INTO package_chunk (blob_id, seq, data) VALUES ($1, $2, $3)", [key, seq, data])

    async def exists(self, key: str) -> bool:
        rows = await self._db().execute_query_dict("SELECT 1 FROM package_blob WHERE sha256 = $1", [check_key(key)])
        return bool(rows)

    async def open(self, key: str) -> Opened | None:
        rows = await self._db().execute_query_dict("SELECT size FROM package_blob WHERE sha256 = $1", [check_key(key)])
        if not rows:
            return None
        return Opened(size=int(rows[0]["size"]), chunks=self._chunks(key))

    async def _chunks(self, key: str) -> AsyncIterator[bytes]:
        seq = 0
        while True:
            rows: list[dict[str, Any]] = await self._db().execute_query_dict(
                "SELECT data FROM package_chunk WHERE blob_id = $1 AND seq = $2", [key, seq]
            )
            if not rows:
                return
            yield bytes(rows[0]["data"])
            seq += 1

    async def delete(self, key: str) -> bool:
        count, _ = await self._db().execute_query("DELETE FROM package_blob WHERE sha256 = $1", [check_key(key)])
        return count > 0

    async def list_objects(self) -> AsyncIterator[StoredObject]:
        after = ""
        while True:  # in pages by key, so no cursor stays open
            rows = await self._db().execute_query_dict(
                "SELECT sha256, size, stored_at FROM package_blob WHERE sha256 > $1 ORDER BY sha256 LIMIT 500", [after]
            )
            for row in rows:
                yield StoredObject(row["sha256"], int(row["size"]), row["stored_at"])
            if len(rows) < 500:
                return
            after = rows[-1]["sha256"]

    async def sweep(self, older_than: datetime) -> list[str]:
        """Nothing to do: an interrupted put's transaction rolled back with everything it wrote."""
        return []
