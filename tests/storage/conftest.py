"""One store per test, of each backend: a directory, an S3 bucket (moto), the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from pluginhub.config import Settings
from pluginhub.storage import Store, open_store
from tests.conftest import BACKEND

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
