"""Migration 0006 fills in the gray bucket of every order placed before it."""

from __future__ import annotations

import uuid

import pytest
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as run_migrations

from pluginhub import db
from pluginhub.resolvers.resolution import bucket
from tests.conftest import BACKEND, POSTGRES_URL, _admin, _with_database

ORDERS = 1203  # more than one backfill batch


async def _migrate(url: str, target: str | None) -> None:
    ctx = TortoiseContext()
    with db.activate(ctx):
        try:
            await run_migrations(config=db.orm_config(url), target=target)
        finally:
            await ctx.close_connections()


@pytest.fixture
async def scratch_url(tmp_path):
    if BACKEND != "postgres":
        yield f"sqlite://{tmp_path / 'migrate.sqlite3'}"
        return
    name = f"pluginhub_mig_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_backfill_of_rollout_buckets(scratch_url):
    await _migrate(scratch_url, "models.0004_shared_release_fields")
    ctx = TortoiseContext()
    with db.activate(ctx):
        await ctx.init(config=db.orm_config(scratch_url))
        client = ctx.db()
        postgres = client.capabilities.dialect == "postgres"
        mark = (lambda n: f"${n}") if postgres else (lambda n: "?")
        await client.execute_query("INSERT INTO entity (name, created_at) VALUES ('E', CURRENT_TIMESTAMP)")
        await client.execute_query(
            "INSERT INTO plugin (plugin_id, entity_id, name, description, listed_in_market, created_at) "
            "VALUES ('1000000000000001', 1, 'P', '', TRUE, CURRENT_TIMESTAMP)"
        )
        apps = [str(2000000000000000 + i) for i in range(ORDERS)]
        await client.execute_many(
            "INSERT INTO mini_program (app_id, entity_id, name, created_at) "
            f"VALUES ({mark(1)}, 1, 'M', CURRENT_TIMESTAMP)",
            [[a] for a in apps],
        )
        await client.execute_many(
            "INSERT INTO plugin_order (plugin_id, mini_program_id, status, ordered_at) "
            f"VALUES ('1000000000000001', {mark(1)}, 'ACTIVE', CURRENT_TIMESTAMP)",
            [[a] for a in apps],
        )
        await ctx.close_connections()
    await _migrate(scratch_url, None)
    ctx = TortoiseContext()
    with db.activate(ctx):
        await ctx.init(config=db.orm_config(scratch_url))
        _, rows = await ctx.db().execute_query("SELECT mini_program_id, rollout_bucket FROM plugin_order")
        await ctx.close_connections()
    assert len(rows) == ORDERS
    assert all(row["rollout_bucket"] == bucket("1000000000000001", row["mini_program_id"]) for row in rows)
