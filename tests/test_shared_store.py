"""Real server processes sharing one package store: replicas, and uploads killed mid-way.

Replicas run in different working directories (nothing of theirs is on a
shared disk but the store) with one database and one secret key; an upload
taken by one is downloaded from the other. A server killed while it
receives an upload leaves nothing under a final key, and the next start
sweeps what it left once that is older than the grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from pluginhub.config import Settings
from pluginhub.storage import open_store
from tests.conftest import BACKEND
from tests.helpers import UPLOAD_VERSION, Console, make_package
from tests.storage.test_stores import keys
from tests.test_processes import Server, start_all, stop_group

pytestmark = pytest.mark.slow

BOUNDARY = "pluginhubtestboundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
PACKAGE = make_package({"main": "index.js"}, extra={"pad.bin": os.urandom(200 * 1024)})


def multipart_head(plugin_id: str) -> bytes:
    """The start of an uploadVersion request, up to the package bytes."""
    variables = {
        "input": {"pluginId": plugin_id, "version": "1.0.0", "description": "", "features": [], "package": None}
    }
    operations = json.dumps({"query": UPLOAD_VERSION, "variables": variables})
    files = json.dumps({"0": ["variables.input.package"]})
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{operations}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{files}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="plugin.zip"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()


def store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "directory":
        return f"file://{tmp_path / 'shared-packages'}"
    if kind == "s3":
        return request.getfixturevalue("s3_server").url()
    return "database"


@pytest.mark.skipif(
    BACKEND != "postgres", reason="replicas share a PostgreSQL database (PLUGINHUB_TEST_BACKEND=postgres)"
)
@pytest.mark.parametrize("kind", ["directory", "s3", "database"])
async def test_an_upload_to_one_replica_downloads_from_another(
    request, kind, console, settings: Settings, alice, tmp_path: Path
):
    shared = replace(settings, storage_url=store_url(kind, request, tmp_path))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = Server(shared, tmp_path / "a", "a"), Server(shared, tmp_path / "b", "b")
    try:
        await start_all(a, b)
        async with (
            httpx.AsyncClient(base_url=a.http_url, timeout=30) as to_a,
            httpx.AsyncClient(base_url=b.http_url, timeout=30) as to_b,
        ):
            via_a = Console(to_a, shared)
            plugin = await via_a.create_plugin(alice, "Replicated")
            package = make_package({"main": "index.js", "replica": kind})
            version = await via_a.upload(alice, plugin, "1.0.0", package=package)
            link = urlsplit(version["package"]["downloadUrl"])
            assert link.port == a.port

            # The load balancer sends the download to the other replica.
            response = await to_b.get(f"{link.path}?{link.query}")

            assert response.status_code == 200, response.text
            assert response.content == package
            # B sees A's version too, and gives a link that A serves.
            again = await Console(to_b, shared).version(alice, version["id"])
            link_b = urlsplit(again["package"]["downloadUrl"])
            assert (await to_a.get(f"{link_b.path}?{link_b.query}")).content == package
    finally:
        await a.stop()
        await b.stop()
    if kind != "database":
        store = open_store(shared)
        try:
            assert hashlib.sha256(package).hexdigest() in await keys(store)
        finally:
            await store.close()
    # Nothing of the store lives in either working directory.
    for cwd in (tmp_path / "a", tmp_path / "b"):
        assert not (cwd / "data" / "packages").exists()


def parts(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.part"))


def backdate(path: Path, seconds: int) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime - seconds))


def plant(killed_spool: Path, killed_put: Path, young: list[Path]) -> None:
    killed_spool.parent.mkdir(parents=True)
    killed_spool.write_bytes(PACKAGE[:100])
    for old in (killed_put, killed_spool):
        backdate(old, 3600)
    for path in young:
        path.write_bytes(b"in flight")


async def test_a_server_killed_mid_upload_stores_nothing(console, settings: Settings, alice, plugin, tmp_path: Path):
    own = replace(settings, storage_url=f"file://{tmp_path / 'packages'}", spool_dir=str(tmp_path / "spool"))
    store = open_store(own)
    server = Server(own, tmp_path, "killed")
    await start_all(server)
    stalled = asyncio.Event()

    async def body():
        yield multipart_head(plugin["pluginId"])
        yield PACKAGE[: len(PACKAGE) // 2]
        stalled.set()
        await asyncio.sleep(3600)  # the rest never comes: the server is killed first

    async def upload() -> None:
        async with httpx.AsyncClient(base_url=server.http_url, timeout=60) as http:
            with contextlib.suppress(httpx.TransportError):
                await http.post("/graphql", content=body(), headers={**alice.headers, "content-type": CONTENT_TYPE})

    sending = asyncio.create_task(upload())
    try:
        await asyncio.wait_for(stalled.wait(), 30)
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGKILL)
        await asyncio.to_thread(server.process.wait, 10)
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        if server.process is not None:
            stop_group(server.process)

    assert await keys(store) == set()  # nothing under any final key
    assert await asyncio.to_thread(parts, Path(own.spool_dir), tmp_path / "packages" / "tmp") == []


async def test_the_next_start_sweeps_old_partial_uploads_and_spares_young_ones(settings: Settings, app, tmp_path: Path):
    """Issue 15, reproducer 16: `.part` files a killed upload left are swept at start."""
    own = replace(
        settings, storage_url=f"file://{tmp_path / 'packages'}", spool_dir=str(tmp_path / "spool"), storage_grace=600
    )
    store_tmp, spool = tmp_path / "packages" / "tmp", Path(own.spool_dir)
    # A real leftover: a process killed while it put an object into the store.
    marker = tmp_path / "under-way"
    args = [own.storage_url, own.database_url, "ab" * 32, str(marker), str(256 * 1024)]
    putting = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.storage.put_slowly", *args, cwd=Path(__file__).parents[1], start_new_session=True
    )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not marker.exists():
            assert putting.returncode is None and loop.time() < deadline, "the put never got under way"
            await asyncio.sleep(0.05)
    finally:
        os.killpg(putting.pid, signal.SIGKILL)
        await asyncio.wait_for(putting.wait(), 10)
    (killed_put,) = await asyncio.to_thread(parts, store_tmp)
    # And a spool file, as a server killed while it checked a package leaves one.
    killed_spool = spool / "0123456789abcdef.part"
    young = [store_tmp / "young.part", spool / "young.part"]  # uploads another replica is receiving right now
    await asyncio.to_thread(plant, killed_spool, killed_put, young)

    server = Server(own, tmp_path, "restarted")
    await start_all(server)
    await server.stop()

    assert await asyncio.to_thread(parts, store_tmp, spool) == sorted(young), server.log()
    assert f"start-up sweep: removed the partial upload {killed_put}" in server.log()
    assert f"start-up sweep: removed the interrupted upload {killed_spool}" in server.log()
