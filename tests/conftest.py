"""Test fixtures: a real, migrated database and the real app over HTTP.

The suite runs on SQLite by default. With PLUGINHUB_TEST_BACKEND=postgres it
creates a fresh database on the server named by PLUGINHUB_TEST_POSTGRES_URL,
migrates it, and drops it at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from tortoise.context import set_global_context
from tortoise.contrib.test import truncate_all_models

from pluginhub import db
from pluginhub.app import create_app
from pluginhub.config import Settings
from tests.helpers import Console
from tests.s3server import CREDENTIALS, MotoServer

BACKEND = os.environ.get("PLUGINHUB_TEST_BACKEND", "sqlite")
POSTGRES_URL = os.environ.get("PLUGINHUB_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="needs PostgreSQL (PLUGINHUB_TEST_BACKEND=postgres)")

# Tests marked `concurrency` fire conflicting requests at the same moment. They
# can only fail where the requests really overlap: on SQLite every writer waits
# for the one before it, so they would pass even without the plugin row lock.
CONCURRENCY_SKIPPED = (
    "SQLite serialises writers, so these races cannot happen there; "
    "they run on the PostgreSQL leg (PLUGINHUB_TEST_BACKEND=postgres)"
)


async def _admin(sql: str) -> None:
    import asyncpg

    base = POSTGRES_URL.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest_asyncio.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if BACKEND != "postgres":
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"pluginhub_test_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        storage_dir=str(tmp_path_factory.mktemp("packages")),
        spool_dir=str(tmp_path_factory.mktemp("spool")),
        secret_key="test-secret-key",
        max_package_bytes=256 * 1024,
        webhook_worker=False,  # webhook tests start apps and servers that send; the shared app stays quiet
    )


@pytest_asyncio.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    await db.migrate(settings)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        # Tests read the database directly too; outside a request they use this context.
        set_global_context(application.state.orm)
        yield application


@pytest_asyncio.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with db.activate(app.state.orm):
        await truncate_all_models()
    yield


@pytest_asyncio.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest_asyncio.fixture
async def console(client: httpx.AsyncClient, settings: Settings) -> Console:
    return Console(client, settings)


# ---------------------------------------------------------------- people


@pytest_asyncio.fixture
async def alice(console: Console):
    """A developer of the entity that owns the plugins under test."""
    return await console.person("Acme Plugins", "alice")


@pytest_asyncio.fixture
async def alice_colleague(console: Console, alice):
    return await console.person_in(alice.entity_id, "carol")


@pytest_asyncio.fixture
async def bob(console: Console):
    """A developer of another entity: an outsider to alice's plugins, a host owner."""
    return await console.person("Blue Harbor", "bob")


@pytest_asyncio.fixture
async def rita(console: Console):
    """A platform reviewer."""
    return await console.person("Platform Review", "rita", role="reviewer")


@pytest_asyncio.fixture
async def dave(console: Console):
    """A developer of a third entity: neither the plugin's nor the host's."""
    return await console.person("Delta Works", "dave")


# ---------------------------------------------------------------- plugins and versions by state


@pytest_asyncio.fixture
async def plugin(console: Console, alice):
    return await console.create_plugin(alice, "Pay Button")


@pytest_asyncio.fixture
async def development_version(console: Console, alice, plugin):
    return await console.upload(alice, plugin, "1.0.0")


@pytest_asyncio.fixture
async def auditing_version(console: Console, alice, development_version):
    return await console.submit(alice, development_version)


@pytest_asyncio.fixture
async def rejected_version(console: Console, rita, auditing_version):
    return await console.act(rita, "rejectVersion", auditing_version, reason="missing privacy statement")


@pytest_asyncio.fixture
async def approved_version(console: Console, rita, auditing_version):
    return await console.act(rita, "approveVersion", auditing_version)


@pytest_asyncio.fixture
async def experience_version(console: Console, alice, development_version):
    """1.0.0, still in development, is the plugin's experience version (what bound hosts load when developing)."""
    return await console.act(alice, "setExperienceVersion", development_version)


@pytest_asyncio.fixture
async def gray_version(console: Console, alice, approved_version):
    return await console.act(alice, "grayRelease", approved_version, percentage=10)


@pytest_asyncio.fixture
async def online_version(console: Console, alice, approved_version):
    return await console.act(alice, "goOnline", approved_version)


@pytest_asyncio.fixture
async def offline_version(console: Console, alice, plugin, online_version):
    """1.0.0 went offline when 1.1.0 went online."""
    newer = await console.approved(alice, plugin, "1.1.0")
    await console.act(alice, "goOnline", newer)
    return await console.version(alice, online_version["id"])


@pytest_asyncio.fixture
async def mini_program(console: Console, bob):
    return await console.create_mini_program(bob, "Blue Harbor Store")


@pytest_asyncio.fixture
async def own_mini_program(console: Console, alice):
    """A host of the plugin's own entity: invitations to it are authorized at once."""
    return await console.create_mini_program(alice, "Acme Sandbox")


# ---------------------------------------------------------------- joint debugging and orders by state


@pytest_asyncio.fixture
async def pending_binding(console: Console, alice, plugin, mini_program):
    return await console.add_debug_host(alice, plugin, mini_program)


@pytest_asyncio.fixture
async def authorized_binding(console: Console, bob, pending_binding):
    return await console.binding_action(bob, "authorizeDebugBinding", pending_binding)


@pytest_asyncio.fixture
async def cancelled_binding(console: Console, alice, pending_binding):
    return await console.binding_action(alice, "cancelDebugHost", pending_binding)


@pytest_asyncio.fixture
async def rejected_binding(console: Console, bob, pending_binding):
    return await console.binding_action(bob, "rejectDebugBinding", pending_binding)


@pytest_asyncio.fixture
async def unbound_binding(console: Console, bob, authorized_binding):
    return await console.binding_action(bob, "unbindDebugHost", authorized_binding)


@pytest_asyncio.fixture
async def active_order(console: Console, bob, mini_program, plugin, online_version):
    """bob's host ordered alice's plugin once it was listed (1.0.0 online)."""
    return await console.order(bob, mini_program, plugin)


# ---------------------------------------------------------------- stores


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """moto's S3 server on loopback, with its credentials in this process's environment
    (server processes the tests start inherit them)."""
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"moto's S3 server (moto[server], in the test extra) could not start: {exc}")
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        yield server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND == "postgres":
        return
    skip = pytest.mark.skip(reason=f"concurrency test skipped: {CONCURRENCY_SKIPPED}")
    for item in items:
        if item.get_closest_marker("concurrency") is not None:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"pluginhub test backend: {BACKEND}"]
    if BACKEND != "postgres":
        lines.append(f"concurrency tests (marker `concurrency`) are skipped: {CONCURRENCY_SKIPPED}")
    return lines


__all__ = ["Path", "postgres_only"]
