"""One store per test, of each backend: a directory, an S3 bucket (moto), the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from pluginhub.app import create_app
from pluginhub.config import Settings
from pluginhub.storage import Store, open_store
from tests.conftest import BACKEND
from tests.helpers import Console

BACKENDS = ["directory", "s3", "database"]


def store_url_for(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "directory":
        return f"file://{tmp_path / 'store'}"
    if kind == "s3":
        return request.getfixturevalue("s3_server").url()
    if BACKEND != "postgres":
        pytest.skip("the database store needs PostgreSQL (PLUGINHUB_TEST_BACKEND=postgres)")
    request.getfixturevalue("app")  # a migrated database and its ORM context
    return "database"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url_for(request.param, request, tmp_path)


@pytest_asyncio.fixture
async def store(store_url: str, settings: Settings) -> AsyncIterator[Store]:
    opened = open_store(Settings(database_url=settings.database_url, storage_url=store_url))
    if store_url == "database":
        from tortoise.connection import get_connection

        await get_connection("default").execute_query("DELETE FROM package_blob")
    try:
        yield opened
    finally:
        await opened.close()


@dataclass
class StoreApp:
    """An app on the test database whose packages go to one store, and a console driving it."""

    settings: Settings
    store: Store
    http: httpx.AsyncClient
    console: Console


@asynccontextmanager
async def store_app(settings: Settings, store_url: str, **changes: Any) -> AsyncIterator[StoreApp]:
    changed = replace(settings, storage_url=store_url, **changes)
    application = create_app(changed)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            store = open_store(changed)
            try:
                yield StoreApp(changed, store, http, Console(http, changed))
            finally:
                await store.close()


@pytest_asyncio.fixture
async def on_store(app: Starlette, store_url: str, settings: Settings) -> AsyncIterator[StoreApp]:
    async with store_app(settings, store_url) as served:
        yield served
