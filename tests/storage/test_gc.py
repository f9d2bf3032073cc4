"""`packages gc`: everything referenced stays, only old unreferenced objects go."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import timedelta

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from pluginhub import clock
from pluginhub.models import PluginVersion
from pluginhub.storage.directory import DirectoryStore
from pluginhub.storage.gc import collect, report
from pluginhub.storage.references import hold_for_new_reference
from tests.conftest import postgres_only
from tests.storage.test_stores import Body, keys

GRACE = 3600


async def orphan(store, size: int = 1024) -> str:
    """An object no row references, as a failed transaction or a deleted row leaves one."""
    data = os.urandom(size)
    key = hashlib.sha256(data).hexdigest()
    await store.put(key, Body(data), max_bytes=size)
    return key


def later(seconds: int = GRACE + 60):
    return clock.now() + timedelta(seconds=seconds)


async def referenced_world(on_store, alice, rita):
    """Versions in several states, one of them deleted: every one keeps its package."""
    console = on_store.console
    plugin = await console.create_plugin(alice, "Collected")
    development = await console.upload(alice, plugin, "1.0.0")
    deleted = await console.upload(alice, plugin, "1.0.1")
    payload = await console.act_payload(alice, "deleteVersion", deleted)
    assert payload["userErrors"] == []
    online = await console.upload(alice, plugin, "2.0.0")
    await console.submit(alice, online)
    await console.act(rita, "approveVersion", online)
    await console.act(alice, "goOnline", online)
    return {v["package"]["sha256"] for v in (development, deleted, online)}


async def test_gc_keeps_every_referenced_object_and_deletes_old_unreferenced_ones(on_store, alice, rita):
    referenced = await referenced_world(on_store, alice, rita)
    old = {await orphan(on_store.store) for _ in range(2)}
    assert await keys(on_store.store) == referenced | old

    result = await collect(on_store.store, GRACE, now=later())

    assert {s.key for s in result.deleted} == old
    assert result.referenced == len(referenced)
    assert await keys(on_store.store) == referenced
    for key in referenced:
        assert await on_store.store.read(key) is not None
    lines = report(result, on_store.store, GRACE, dry_run=False)
    assert sorted(line.split()[1] for line in lines[:-1]) == sorted(old)
    assert all(line.startswith("deleted ") and "(1024 bytes, stored " in line for line in lines[:-1])
    assert lines[-1] == (
        f"{on_store.store.url}: deleted 2 unreferenced object(s), 2048 bytes; "
        f"kept 3 referenced and 0 unreferenced younger than {GRACE}s; swept 0 leftover(s) of interrupted uploads"
    )


async def test_gc_spares_unreferenced_objects_younger_than_the_grace_period(on_store, alice, rita):
    referenced = await referenced_world(on_store, alice, rita)
    young = await orphan(on_store.store)

    result = await collect(on_store.store, GRACE)  # now: the orphan was just put, as by an upload in flight

    assert result.deleted == []
    assert [s.key for s in result.recent] == [young]
    assert await keys(on_store.store) == referenced | {young}
    # Past the grace period it goes.
    assert [s.key for s in (await collect(on_store.store, GRACE, now=later())).deleted] == [young]


async def test_a_dry_run_deletes_nothing_and_says_what_it_would(on_store, alice, rita):
    referenced = await referenced_world(on_store, alice, rita)
    old = await orphan(on_store.store)

    result = await collect(on_store.store, GRACE, dry_run=True, now=later())

    assert [s.key for s in result.deleted] == [old]
    assert await keys(on_store.store) == referenced | {old}
    lines = report(result, on_store.store, GRACE, dry_run=True)
    assert lines[0].startswith(f"would delete {old} (1024 bytes")
    assert "would delete 1 unreferenced object(s)" in lines[-1]


async def test_gc_sweeps_what_interrupted_uploads_left(app, settings, tmp_path):
    store = DirectoryStore(tmp_path / "store")
    store.tmp.mkdir(parents=True)
    stale = store.tmp / "stale.part"
    stale.write_bytes(b"half a package")
    os.utime(stale, (0, 0))
    fresh = store.tmp / "fresh.part"
    fresh.write_bytes(b"being written")

    result = await collect(store, GRACE)

    assert result.swept == [f"removed the partial upload {stale}"]
    assert not stale.exists() and fresh.exists()


@postgres_only
async def test_gc_waits_for_an_upload_that_is_about_to_reference_an_old_object(app, settings, tmp_path, alice, plugin):
    """The race: gc finds X unreferenced while an upload finds X stored and commits a version naming it."""
    store = DirectoryStore(tmp_path / "store")
    key = await orphan(store)
    release = asyncio.Event()
    referenced = asyncio.Event()

    async def upload_in_flight() -> None:
        async with in_transaction():
            await PluginVersion.create(
                plugin_id=plugin["pluginId"],
                version="9.9.9",
                version_key=999_999_999,
                package_sha256=key,
                package_size=1024,
                package_file_name="plugin.zip",
                uploaded_by_id=alice.account_id,
            )
            await hold_for_new_reference()
            await store.put(key, Body((await store.read(key)) or b""), max_bytes=1024)  # "already stored": put again
            referenced.set()
            await release.wait()

    upload = asyncio.create_task(upload_in_flight())
    await asyncio.wait_for(referenced.wait(), 10)
    gc = asyncio.create_task(collect(store, 0, now=later()))

    # Fence: gc is blocked on the advisory lock the upload holds, not finished.
    async def gc_waiting() -> bool:
        rows = await get_connection("default").execute_query_dict(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        return rows[0]["n"] > 0

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not await gc_waiting():
        assert not gc.done(), f"gc finished while the upload was in flight: {gc.result()}"
        assert loop.time() < deadline, "gc never waited for the upload's lock"
        await asyncio.sleep(0.02)
    release.set()
    await upload
    result = await asyncio.wait_for(gc, 10)

    assert result.deleted == []
    assert [(s.key, why) for s, why in result.spared] == [(key, "referenced by a row committed meanwhile")]
    assert await store.exists(key)
