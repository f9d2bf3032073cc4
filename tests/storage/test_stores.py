"""Every store keeps the same promises: whole objects under their SHA-256 or none.

Each test runs against a directory, an S3 bucket on moto's server over
HTTP, and (on the PostgreSQL leg) the database store.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from pluginhub import clock
from pluginhub.storage import DigestMismatch, Store, TooLarge
from pluginhub.storage.directory import DirectoryStore
from pluginhub.storage.postgres import DatabaseStore
from pluginhub.storage.s3 import S3Store

KIB = 1024
MIB = 1024 * KIB


def blob(size: int) -> tuple[str, bytes]:
    data = os.urandom(size)
    return hashlib.sha256(data).hexdigest(), data


class Body:
    """A streamed body that counts how much of it the store asked for."""

    def __init__(self, data: bytes, chunk: int = 64 * KIB) -> None:
        self.data = data
        self.chunk = chunk
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            piece = self.data[start : start + self.chunk]
            self.sent += len(piece)
            yield piece


async def keys(store: Store) -> set[str]:
    return {stored.key async for stored in store.list_objects()}


async def leftovers(store: Store) -> list[str]:
    """What an interrupted put left behind, as the store keeps it."""
    if isinstance(store, DirectoryStore):
        return sorted(p.name for p in store.tmp.glob("*")) if store.tmp.is_dir() else []
    if isinstance(store, S3Store):
        client = await store.client()
        answer = await client.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix)
        return [upload["Key"] for upload in answer.get("Uploads", [])]
    assert isinstance(store, DatabaseStore)
    from tortoise.connection import get_connection

    # Rows are visible only once committed: an object whose chunks do not add up to it would be a leftover.
    rows = await get_connection("default").execute_query_dict(
        "SELECT b.sha256 FROM package_blob b LEFT JOIN package_chunk c ON c.blob_id = b.sha256 "
        "GROUP BY b.sha256, b.size HAVING coalesce(sum(length(c.data)), 0) <> b.size"
    )
    return [row["sha256"] for row in rows]


# ---------------------------------------------------------------- the allowed path


async def test_an_object_put_is_listed_read_back_and_deleted(store: Store):
    key, data = blob(100 * KIB)
    assert not await store.exists(key)

    size = await store.put(key, Body(data), max_bytes=len(data))

    assert size == len(data)
    assert await store.exists(key)
    assert await store.read(key) == data
    opened = await store.open(key)
    assert opened is not None and opened.size == len(data)
    await opened.close()
    listed = [s async for s in store.list_objects()]
    assert [(s.key, s.size) for s in listed] == [(key, len(data))]
    assert abs(listed[0].modified - clock.now()) < timedelta(minutes=5)
    assert await leftovers(store) == []

    assert await store.delete(key) is True
    assert not await store.exists(key)
    assert await store.open(key) is None
    assert await store.delete(key) is False
    assert await keys(store) == set()


async def test_an_empty_object_is_an_object(store: Store):
    key = hashlib.sha256(b"").hexdigest()

    assert await store.put(key, Body(b""), max_bytes=0) == 0

    assert await store.read(key) == b""
    assert await keys(store) == {key}


async def test_a_body_of_many_parts_or_chunks_round_trips(store: Store):
    """S3: a multipart upload (5 MiB parts); the database: many chunk rows; a directory: one file."""
    if isinstance(store, S3Store):
        store.part_size = 5 * MIB
    key, data = blob(11 * MIB + 123)

    await store.put(key, Body(data), max_bytes=len(data))

    assert await store.read(key) == data
    opened = await store.open(key)
    assert opened is not None
    sizes = [len(chunk) async for chunk in opened.chunks]
    assert sum(sizes) == len(data) and max(sizes) <= MIB  # streamed in pieces, never whole
    assert await leftovers(store) == []


async def test_putting_the_same_key_again_keeps_one_object_and_refreshes_its_time(store: Store):
    key, data = blob(10 * KIB)
    await store.put(key, Body(data), max_bytes=len(data))
    (first,) = [s async for s in store.list_objects()]
    await asyncio.sleep(1.1)  # S3 and file times have one-second resolution somewhere

    await store.put(key, Body(data), max_bytes=len(data))

    (second,) = [s async for s in store.list_objects()]
    assert second.key == key and second.size == len(data)
    assert second.modified > first.modified
    assert await store.read(key) == data


# ---------------------------------------------------------------- refusals store nothing


async def test_a_body_over_the_limit_is_refused_while_it_streams(store: Store):
    limit = 256 * KIB
    key, data = blob(4 * MIB)
    body = Body(data)

    with pytest.raises(TooLarge):
        await store.put(key, body, max_bytes=limit)

    # Refused once the limit was crossed: one chunk past it, not the whole body.
    assert limit < body.sent <= limit + body.chunk
    assert not await store.exists(key)
    assert await keys(store) == set()
    assert await leftovers(store) == []


async def test_a_body_over_the_limit_of_several_parts_is_refused_and_its_upload_aborted(store: Store):
    if isinstance(store, S3Store):
        store.part_size = 5 * MIB
    limit = 6 * MIB
    key, data = blob(8 * MIB)
    body = Body(data)

    with pytest.raises(TooLarge):
        await store.put(key, body, max_bytes=limit)

    assert body.sent <= limit + body.chunk
    assert not await store.exists(key)
    assert await leftovers(store) == []


async def test_a_body_at_the_limit_is_stored(store: Store):
    key, data = blob(256 * KIB)

    assert await store.put(key, Body(data), max_bytes=len(data)) == len(data)

    assert await store.read(key) == data


async def test_bytes_that_hash_to_another_key_are_not_stored(store: Store):
    key, _ = blob(10 * KIB)
    _, other = blob(10 * KIB)

    with pytest.raises(DigestMismatch):
        await store.put(key, Body(other), max_bytes=len(other))

    assert not await store.exists(key)
    assert await keys(store) == set()
    assert await leftovers(store) == []


async def test_a_key_that_is_not_a_sha256_is_refused(store: Store):
    for bad in ["../../etc/passwd", "A" * 64, "ab", ""]:
        with pytest.raises(ValueError, match="SHA-256"):
            await store.put(bad, Body(b"x"), max_bytes=1)
        with pytest.raises(ValueError, match="SHA-256"):
            await store.open(bad)


# ---------------------------------------------------------------- interrupted puts


@pytest.mark.slow
async def test_a_process_killed_mid_put_leaves_nothing_under_the_key_and_the_sweep_clears_the_rest(
    store: Store, store_url: str, settings, tmp_path: Path
):
    key = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    marker = tmp_path / "under-way"
    mark_after = {S3Store: 9 * MIB, DatabaseStore: 1 * MIB}.get(type(store), 256 * KIB)  # past one part / chunks
    args = [store_url, settings.database_url, key, str(marker), str(mark_after)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.storage.put_slowly", *args, cwd=Path(__file__).parents[2], start_new_session=True
    )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not marker.exists():
            assert process.returncode is None, "the putting process ended by itself"
            assert loop.time() < deadline, "the put did not get under way within 60s"
            await asyncio.sleep(0.05)
        if not isinstance(store, DatabaseStore):
            assert await leftovers(store), "no partial upload to be seen while the put runs"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        await asyncio.wait_for(process.wait(), 10)

    assert not await store.exists(key)
    assert key not in await keys(store)
    assert await store.open(key) is None

    # A sweep spares what is younger than its cutoff: it may be another process's put in flight.
    before = await leftovers(store)
    if not isinstance(store, S3Store):  # moto dates every multipart upload 2010-11-10: S3 itself dates them right
        assert await store.sweep(clock.now() - timedelta(hours=1)) == []
        assert await leftovers(store) == before
    # Once old enough, it goes.
    removed = await store.sweep(clock.now() + timedelta(seconds=5))
    assert len(removed) == len(before)
    assert await leftovers(store) == []
