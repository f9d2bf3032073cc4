"""`pluginhub packages gc` and `pluginhub packages migrate`, run as real commands
against the test session's database and stores."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio

from pluginhub.config import Settings
from pluginhub.storage import open_store, store_from_url
from pluginhub.storage.directory import DirectoryStore
from tests.conftest import BACKEND, postgres_only
from tests.storage.conftest import StoreApp, store_app
from tests.storage.test_stores import Body, keys

COMMAND = [sys.executable, "-m", "pluginhub.cli"]


async def pluginhub(settings: Settings, *args: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PLUGINHUB_")}
    environment.update(
        PLUGINHUB_DATABASE_URL=settings.database_url,
        PLUGINHUB_STORAGE_DIR=settings.storage_dir,
        PLUGINHUB_STORAGE_URL=settings.storage_url,
        PLUGINHUB_SECRET_KEY=settings.secret_key,
    )
    environment.update(env)
    process = await asyncio.create_subprocess_exec(
        *COMMAND, *args, cwd=cwd, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def own(settings: Settings, tmp_path: Path) -> Settings:
    """The test session's database with a package directory of this test's own."""
    return replace(settings, storage_url=f"file://{tmp_path / 'packages'}")


@pytest_asyncio.fixture
async def served(app, own: Settings) -> AsyncIterator[StoreApp]:
    async with store_app(own, own.storage_url) as running:
        yield running


async def orphan(store, size: int = 2048) -> str:
    data = os.urandom(size)
    key = hashlib.sha256(data).hexdigest()
    await store.put(key, Body(data), max_bytes=size)
    return key


async def test_gc_dry_run_then_gc_delete_only_what_nothing_references(served, own, alice, plugin, tmp_path):
    settings, store = own, served.store
    kept = (await served.console.upload(alice, plugin, "1.0.0"))["package"]["sha256"]
    unreferenced = await orphan(store)

    code, out, err = await pluginhub(settings, "packages", "gc", "--dry-run", "--grace", "0", cwd=tmp_path)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"would delete {unreferenced} (2048 bytes, stored ")
    assert lines[-1].endswith(
        "would delete 1 unreferenced object(s), 2048 bytes; kept 1 referenced and 0 unreferenced younger than 0s"
    )
    assert await keys(store) == {kept, unreferenced}

    code, out, err = await pluginhub(settings, "packages", "gc", "--grace", "0", cwd=tmp_path)

    assert code == 0, err
    assert out.splitlines()[0].startswith(f"deleted {unreferenced} (2048 bytes")
    assert not await store.exists(unreferenced)
    assert await store.exists(kept)


async def test_gc_with_the_default_grace_keeps_a_fresh_unreferenced_object(own, app, tmp_path):
    settings, store = own, open_store(own)
    fresh = await orphan(store)

    code, out, err = await pluginhub(settings, "packages", "gc", cwd=tmp_path)

    assert code == 0, err
    assert "deleted 0 unreferenced object(s)" in out
    assert f"younger than {settings.storage_grace}s" in out
    assert await store.exists(fresh)


async def test_gc_refuses_a_negative_grace_and_an_unknown_store(settings, app, tmp_path):
    code, _, err = await pluginhub(settings, "packages", "gc", "--grace", "-1", cwd=tmp_path)
    assert code == 2 and "--grace" in err

    code, _, err = await pluginhub(settings, "packages", "gc", cwd=tmp_path, PLUGINHUB_STORAGE_URL="ftp://x/y")
    assert code == 1 and "unknown storage URL 'ftp://x/y'" in err and "Traceback" not in err

    if BACKEND != "postgres":
        code, _, err = await pluginhub(settings, "packages", "gc", cwd=tmp_path, PLUGINHUB_STORAGE_URL="database")
        assert code == 1 and "PostgreSQL" in err and "Traceback" not in err


async def test_migrate_copies_every_object_to_s3_and_verifies_it(served, own, alice, plugin, s3_server, tmp_path):
    settings, source = own, served.store
    uploaded = {(await served.console.upload(alice, plugin, f"1.0.{n}"))["package"]["sha256"] for n in range(3)}
    unreferenced = await orphan(source)
    everything = await keys(source)
    assert everything == uploaded | {unreferenced}
    target_url = s3_server.url()

    code, out, err = await pluginhub(settings, "packages", "migrate", "--to", target_url, cwd=tmp_path)

    assert code == 0, err
    lines = out.splitlines()
    assert sorted(line.split()[1] for line in lines[:-1]) == sorted(everything)
    assert all(line.startswith("copied ") and line.endswith("sha256 verified") for line in lines[:-1])
    assert lines[-1].endswith(f"{len(everything)} object(s) verified in the target, 0 failed")
    assert f"PLUGINHUB_STORAGE_URL={target_url}" in err
    target = store_from_url(target_url)
    try:
        assert await keys(target) == everything
        for key in everything:
            assert await target.read(key) == await source.read(key)

        # Run again: everything is already there, verified, not copied.
        code, out, err = await pluginhub(settings, "packages", "migrate", "--to", target_url, cwd=tmp_path)
        assert code == 0, err
        assert all(line.startswith("present ") for line in out.splitlines()[:-1])
    finally:
        await target.close()


async def test_migrate_reports_an_object_whose_bytes_do_not_match_its_key(own, app, tmp_path):
    settings, source = own, open_store(own)
    assert isinstance(source, DirectoryStore)
    good = await orphan(source)
    bad = await orphan(source)
    source.path(bad).write_bytes(b"bit rot")
    target_url = f"file://{tmp_path / 'target'}"

    code, out, err = await pluginhub(settings, "packages", "migrate", "--to", target_url, cwd=tmp_path)

    assert code == 1, err
    assert f"copied {good} (2048 bytes), sha256 verified" in out
    assert f"FAILED {bad}: DigestMismatch" in out
    target = DirectoryStore(tmp_path / "target")
    assert await target.exists(good) and not await target.exists(bad)


async def test_migrate_to_the_current_store_is_refused(own, app, tmp_path):
    code, _, err = await pluginhub(own, "packages", "migrate", "--to", own.storage_url, cwd=tmp_path)
    assert code == 2 and "is the current store" in err


@postgres_only
async def test_migrate_to_the_database_store_and_serve_from_it(served, own, alice, plugin, tmp_path):
    settings = own
    package_version = await served.console.upload(alice, plugin, "1.0.0")
    sha = package_version["package"]["sha256"]

    code, out, err = await pluginhub(settings, "packages", "migrate", "--to", "database", cwd=tmp_path)

    assert code == 0, err
    assert f"copied {sha}" in out
    async with store_app(settings, "database") as on_database:
        assert sha in await keys(on_database.store)
        response = await on_database.http.get(package_version["package"]["downloadUrl"])
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == sha
